"""The lake from and into a store: export → DuckDB rollup → load on both backends; the
sensors service gives the same figures from the rollups as from raw readings (small city)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli import main as gridscope
from data.demo import load_city
from data.lake import export_lake, rollup
from data.lake.layout import partition_days, sensors_file
from data.lake.load import load_rollups
from geo.quantile_sketch import ALPHA
from queries import DuckDBStore, EventFilter
from queries.answers import sensors as answers
from queries.postgis_store import PostGISStore
from tests.queries.conftest import create_test_database, drop_test_database
from tests.queries.test_parity import assert_same_result

READINGS = ("reading_hours", "reading_sketches")
WINDOWS = [
    EventFilter(datetime(2026, 6, 1), datetime(2026, 7, 1)),
    EventFilter(datetime(2026, 6, 20), datetime(2026, 6, 27), street_ids=("110199002", "110199006")),
    EventFilter(datetime(2026, 6, 29), datetime(2026, 6, 30)),
]


@pytest.fixture(scope="module")
def lake(small_store, tmp_path_factory) -> Path:
    """The small city's readings and events exported and rolled up by DuckDB."""
    root = tmp_path_factory.mktemp("lake")
    assert export_lake(small_store, "readings", root / "readings").rows == small_store.table_counts()["readings"]
    export_lake(small_store, "events", root / "events")
    rollup("readings", root / "readings", root / "out")
    rollup("events", root / "events", root / "out")
    return root


@pytest.fixture(scope="module")
def rolled_duck(small_city, lake) -> DuckDBStore:
    """A DuckDB store with the small city and its rollups loaded, raw readings removed."""
    store = DuckDBStore(":memory:")
    load_city(store, small_city)
    load_rollups(store, lake / "out", (*READINGS, "event_days"))
    store.sql("DELETE FROM readings")
    yield store
    store.close()


@pytest.fixture(scope="module")
def rolled_pg(small_city, lake):
    """The same on PostGIS."""
    dsn = create_test_database()
    store = PostGISStore(dsn)
    load_city(store, small_city)
    load_rollups(store, lake / "out", (*READINGS, "event_days"))
    store.sql("DELETE FROM readings")
    yield store
    store.close()
    drop_test_database(dsn)


def _same(raw: pd.DataFrame, rolled: pd.DataFrame, label: str) -> None:
    assert list(rolled.columns) == list(raw.columns), label
    assert len(rolled) == len(raw), label
    for col in raw.columns:
        a, b = raw[col], rolled[col]
        if col == "p95_value":
            np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=ALPHA, equal_nan=True, err_msg=label)
        elif pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=1e-9, equal_nan=True, err_msg=label)
        else:
            assert a.tolist() == b.tolist(), f"{label}: {col}"


def test_export_writes_day_partitions(small_store, lake) -> None:
    days = partition_days(lake / "readings")
    assert days[0] == date(2026, 6, 10) and days[-1] == date(2026, 6, 30) and len(days) == 21
    assert pd.read_parquet(sensors_file(lake / "readings")).shape[0] == small_store.table_counts()["sensors"]
    assert len(partition_days(lake / "events")) == 365


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_sensors_service_same_figures_from_rollups(small_store, rolled_duck, request, backend) -> None:
    rolled = rolled_duck if backend == "duckdb" else request.getfixturevalue("rolled_pg")
    assert not answers.from_rollups(small_store, WINDOWS[0]) and answers.from_rollups(rolled, WINDOWS[0])
    for flt in WINDOWS:
        for kind in answers.KINDS:
            label = f"{flt.start:%m-%d}..{flt.end:%m-%d} {kind}"
            _same(answers.sensor_stats(small_store, flt, kind), answers.sensor_stats(rolled, flt, kind), label)
            _same(
                answers.unit_stats(small_store, flt, kind, "grid"), answers.unit_stats(rolled, flt, kind, "grid"), label
            )
            for res in (7, 8, 9, 10):
                raw = answers.unit_stats(small_store, flt, kind, "h3", res)
                _same(raw, answers.unit_stats(rolled, flt, kind, "h3", res), f"{label} res {res}")
            cells = answers.unit_stats(small_store, flt, kind, "h3", 9)
            if len(cells):
                cell = int(cells["cell"].iloc[0])
                raw_series = answers.cell_series(small_store, flt, kind, 9, cell)
                _same(raw_series.frame, answers.cell_series(rolled, flt, kind, 9, cell).frame, label)
                sensor = str(answers.sensor_stats(small_store, flt, kind)["sensor_id"].iloc[0])
                _same(
                    answers.sensor_series(small_store, flt, sensor).frame,
                    answers.sensor_series(rolled, flt, sensor).frame,
                    label,
                )


@pytest.mark.postgis
def test_rollup_queries_equal_on_both_backends(rolled_duck, rolled_pg) -> None:
    flt = WINDOWS[1]
    for name, extra in [
        ("sensor_stats_rollup", {}),
        ("sensor_stats_by_cell_rollup", {"res": 8}),
        ("sensor_stats_by_grid_rollup", {}),
    ]:
        for kind in (None, "noise"):
            params = {"start": flt.start, "end": flt.end, "street_ids": list(flt.street_ids), "kind": kind, **extra}
            assert_same_result(rolled_duck.fetch(name, **params), rolled_pg.fetch(name, **params), ordered=True)


def test_a_window_not_at_midnight_reads_raw_readings(small_store, lake, tmp_path) -> None:
    store = DuckDBStore(tmp_path / "x.duckdb")
    try:
        load_rollups(store, lake / "out", READINGS)
        assert not answers.from_rollups(store, EventFilter(datetime(2026, 6, 1, 12), datetime(2026, 7, 1)))
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_load_is_idempotent_on_both_backends(lake, tmp_path, backend) -> None:
    dsn = create_test_database() if backend == "postgis" else None
    store = PostGISStore(dsn) if dsn else DuckDBStore(tmp_path / "r.duckdb")
    try:
        first = load_rollups(store, lake / "out", (*READINGS, "event_days"))
        counts = store.table_counts()
        assert {k: counts[k] for k in first} == first and all(first.values())
        assert load_rollups(store, lake / "out", (*READINGS, "event_days")) == first
        assert store.table_counts() == counts
        again = load_rollups(store, lake / "out", READINGS, since=date(2026, 6, 29))
        assert 0 < again["reading_hours"] < first["reading_hours"]
        assert store.table_counts() == counts
    finally:
        store.close()
        if dsn:
            drop_test_database(dsn)


def test_cli_export_rollup_load(small_db_file, tmp_path, capsys) -> None:
    lake = tmp_path / "lake"
    assert gridscope(["export", "readings", "--parquet", str(lake / "r"), "--db", str(small_db_file)]) == 0
    assert gridscope(["rollup", "readings", "--input", str(lake / "r"), "--output", str(lake / "o"),
                      "--load", "--db", str(small_db_file)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "21 day partitions" in out and "loaded reading_hours" in out
    assert gridscope(["rollup", "events", "--input", str(lake / "nothing"), "--output", str(lake / "o")]) == 2
    assert "no such lake directory" in capsys.readouterr().err
    assert gridscope(["rollup", "readings", "--input", str(lake / "r"), "--output", str(lake / "o"),
                      "--master", "local[1]"]) == 2  # fmt: skip
    shutil.rmtree(lake)
