"""categories.sla_assumed (issue 9): categories an events import creates get the default
SLA marked as assumed, an SLA edit clears the mark, stores from before the column learn
it from their import reports (DuckDB on open, PostGIS by migration 006), and
``assumed_sla_categories`` names them for the pages. Both backends."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import duckdb
import pandas as pd
import psycopg
import pytest

from data.ingest import ImportReport
from data.ingest.catalog import Catalog
from queries import DuckDBStore, EventFilter
from queries.answers.chain import set_category_sla
from queries.postgis_migrations import available_migrations, migrate
from queries.postgis_store import PostGISStore

START, END = datetime(2026, 6, 1), datetime(2026, 7, 1)


@pytest.fixture(params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request):
    s = (
        DuckDBStore(":memory:")
        if request.param == "duckdb"
        else PostGISStore(request.getfixturevalue("make_pg_database")())
    )
    s.insert_frame("departments", pd.DataFrame({"code": ["d1"], "name_zh": ["部门"], "name_en": ["Dept"]}))
    s.insert_frame(
        "categories",
        pd.DataFrame(
            {
                "code": ["known"],
                "name_zh": ["已知"],
                "name_en": ["Known"],
                "department": ["d1"],
                "sla_response_h": [1.0],
                "sla_close_h": [8.0],
            }
        ),
    )
    yield s
    s.close()


def _events(codes: list[str]) -> pd.DataFrame:
    import polars as pl

    return pl.DataFrame({"category": codes, "department": ["d1"] * len(codes)})


def _flags(store) -> dict[str, bool]:
    cats = store.fetch("list_categories")
    return dict(zip(cats["code"], cats["sla_assumed"].astype(bool), strict=True))


def test_new_categories_are_assumed_until_an_sla_edit(store):
    report = ImportReport("events", "f.csv", "b1")
    Catalog.from_store(store).apply(store, _events(["known", "Noise", "Noise", "Rodent"]), report)
    assert _flags(store) == {"known": False, "Noise": True, "Rodent": True}
    assert dict(report.assumed_sla) == {"Noise": 2, "Rodent": 1}
    cats = store.fetch("list_categories").set_index("code")
    assert cats.loc["Noise", ["sla_response_h", "sla_close_h"]].tolist() == [2.0, 24.0]
    # a second file: the existing assumed category is listed again, the known one is not
    again = ImportReport("events", "g.csv", "b2")
    Catalog.from_store(store).apply(store, _events(["Rodent", "known"]), again)
    assert dict(again.assumed_sla) == {"Rodent": 1} and again.new_categories == []
    set_category_sla(store, "Noise", response_h=4, close_h=48)
    assert _flags(store) == {"known": False, "Noise": False, "Rodent": True}


def _event_rows(categories: list[str]) -> pd.DataFrame:
    from data.contracts import column_names

    n = len(categories)
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "source": "hotline",
            "category": categories,
            "description": None,
            "lon": 116.4,
            "lat": 39.9,
            "h3": 0,
            "grid_id": None,
            "community_id": None,
            "street_id": None,
            "department": "d1",
            "priority": 3,
            "status": "reported",
            "reported_at": [START + timedelta(hours=i) for i in range(n)],
        }
    )
    for col in column_names("events"):
        if col not in frame.columns:
            frame[col] = None
    frame = frame[[c for c in column_names("events") if c not in ("respond_due_at", "close_due_at")]]
    for col in [c for c in frame.columns if c.endswith("_at")]:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    return frame.astype({"satisfaction": "Int64", "priority": "Int64", "reopened": "boolean"})


def test_assumed_sla_categories_counts_the_filtered_events(store):
    Catalog.from_store(store).apply(store, _events(["Noise", "Rodent", "Empty"]), ImportReport("events", "f", "b"))
    store.insert_frame("events", _event_rows(["Noise"] * 3 + ["Rodent"] * 2 + ["known"] * 4))
    got = store.fetch("assumed_sla_categories", **EventFilter(START, END).params())
    assert got[["code", "events", "sla_response_h", "sla_close_h"]].values.tolist() == [
        ["Noise", 3, 2.0, 24.0],
        ["Rodent", 2, 2.0, 24.0],
    ]  # "Empty" has no events in view
    only = store.fetch("assumed_sla_categories", **EventFilter(START, END, categories=("Rodent", "known")).params())
    assert only["code"].tolist() == ["Rodent"]
    assert store.fetch("assumed_sla_categories", **EventFilter(END, END + timedelta(days=30)).params()).empty


def _report_meta(codes: list[str]) -> str:
    report = ImportReport("events", "old.csv", "events:old.csv:1")
    report.new_categories = codes
    return json.dumps(report.to_dict(), ensure_ascii=False)


OLD_CATEGORIES = [  # code, response, close: imported with the defaults / edited since / the district's own
    ("imported", 2.0, 24.0),
    ("edited", 4.0, 48.0),
    ("own", 2.0, 24.0),
]


def test_duckdb_file_from_before_the_column_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        "CREATE TABLE categories (code VARCHAR PRIMARY KEY, name_zh VARCHAR NOT NULL, name_en VARCHAR NOT NULL,"
        " department VARCHAR NOT NULL, sla_response_h DOUBLE NOT NULL DEFAULT 2,"
        " sla_close_h DOUBLE NOT NULL DEFAULT 24)"
    )
    for code, r, c in OLD_CATEGORIES:
        con.execute("INSERT INTO categories VALUES (?, ?, ?, 'd', ?, ?)", [code, code, code, r, c])
    con.execute(
        "INSERT INTO meta VALUES ('import:events:old.csv:1', ?), ('import:last:events', ?), "
        "('import:broken', 'not json')",
        [_report_meta(["imported", "edited"])] * 2,
    )
    con.close()
    store = DuckDBStore(path)
    assert _flags(store) == {"edited": False, "imported": True, "own": False}
    set_category_sla(store, "imported", response_h=3, close_h=30)
    store.close()
    assert _flags(reopened := DuckDBStore(path)) == {"edited": False, "imported": False, "own": False}  # once only
    reopened.close()


@pytest.mark.postgis
def test_postgis_store_from_before_migration_006_is_upgraded(make_pg_database):
    dsn = make_pg_database(migrated=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
            " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for m in available_migrations():
            if m.version < 6:  # the schema as an older GridScope left it
                conn.execute(m.text)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    [m.version, m.name, m.checksum],
                )
        for code, r, c in OLD_CATEGORIES:
            conn.execute("INSERT INTO categories VALUES (%s, %s, %s, 'd', %s, %s)", [code, code, code, r, c])
        conn.execute(
            "INSERT INTO meta VALUES ('import:events:old.csv:1', %s), ('import:broken', 'not json'),"
            " ('import:list', '[1, 2]')",
            [_report_meta(["imported", "edited"])],
        )
        applied = [m.version for m in migrate(conn)]
    assert 6 in applied
    store = PostGISStore(dsn)
    try:
        assert _flags(store) == {"edited": False, "imported": True, "own": False}
    finally:
        store.close()
