"""The brief from PostGIS as the dashboard's read-only role equals the brief from DuckDB."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest

from data.demo import load_city
from queries.answers.brief import weekly_brief
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import PostGISStore
from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database

from .conftest import NOW, STREET, WEEK

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def reader_store(brief_city):
    dsn = create_test_database()
    admin = PostGISStore(dsn)
    try:
        load_city(admin, brief_city)
        admin.close()
        reader = PostGISStore(_dsn_for(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"], READER_ROLE))
        yield reader
        reader.close()
    finally:
        drop_test_database(dsn)


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    assert list(a.columns) == list(b.columns), name
    assert len(a) == len(b), name
    for col in a.columns:
        x, y = a[col].reset_index(drop=True), b[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            np.testing.assert_allclose(
                x.astype(float), y.astype(float), rtol=1e-9, equal_nan=True, err_msg=f"{name}.{col}"
            )
        elif pd.api.types.is_datetime64_any_dtype(x):
            assert (x.astype("datetime64[us]") == y.astype("datetime64[us]")).all(), f"{name}.{col}"
        elif col != "wkb":
            assert x.where(x.notna(), None).tolist() == y.where(y.notna(), None).tolist(), f"{name}.{col}"


@pytest.mark.parametrize("street", [None, STREET])
def test_reader_role_brief_equals_duckdb(reader_store, brief_store, street):
    pg, duck = (weekly_brief(s, WEEK, street, now=NOW) for s in (reader_store, brief_store))
    assert pg.headline == duck.headline and pg.week == duck.week and pg.scope == duck.scope
    assert pg.newest_event == duck.newest_event and pg.first_day == duck.first_day
    for name in ("by_source", "by_category"):
        _frames_equal(getattr(pg, name).table, getattr(duck, name).table, name)
    _frames_equal(pg.hotspots.table, duck.hotspots.table, "hotspots")
    assert pg.hotspots.counts == duck.hotspots.counts
    _frames_equal(pg.district.counts, duck.district.counts, "district")
    _frames_equal(pg.supervision.cases, duck.supervision.cases, "cases")
    _frames_equal(pg.supervision.by_department, duck.supervision.by_department, "by_department")
    assert (pg.supervision.total, pg.supervision.previous_total) == (
        duck.supervision.total,
        duck.supervision.previous_total,
    )
    _frames_equal(pg.departments.table, duck.departments.table, "departments")
    _frames_equal(pg.sensors.by_kind, duck.sensors.by_kind, "sensors")
    assert (pg.sensors.current, pg.sensors.previous) == (duck.sensors.current, duck.sensors.previous)
