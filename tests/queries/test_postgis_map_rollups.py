"""The PostGIS map rollups (migration 012) behind the overrides of count_events_by_cell,
count_events_by_area and their hot-spot slice queries: their rows equal counts from the raw
events; the overrides read them only when current and applicable, and then answer as DuckDB's
portable queries do (with open_overdue from the open events, for any as-of time; events at
midnight exactly in their own slice); after a change to events they are not read until
refreshed; every query reading them applies the street scope."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
import pytest

from data.demo import load_city
from queries.duckdb_store import DuckDBStore
from queries.filters import EventFilter
from queries.postgis_store import PostGISStore
from queries.sql_files import bound_sql, param_names, query_names, raw_sql

from .test_parity import END, NOW, START, assert_same_result

pytestmark = pytest.mark.postgis

MAP_QUERIES = (
    ("count_events_by_cell", {"res": 9}),
    ("count_events_by_cell", {"res": 7}),
    ("count_events_by_area", {"level": "grid"}),
    ("count_events_by_area", {"level": "street"}),
    ("count_events_by_cell_slice", {"res": 9, "slice_days": 7}),
    ("count_events_by_cell_slice", {"res": 7, "slice_days": 1}),
    ("count_events_by_area_slice", {"level": "grid", "slice_days": 7}),
    ("count_events_by_area_slice", {"level": "community", "slice_days": 1}),
)
VIEWS = ("event_map_days", "event_map_day_kinds")


def _params(name: str, dialect: str, flt: EventFilter, now: datetime, extra: dict) -> dict[str, object]:
    every = {**flt.params(), "now": now, **extra}
    return {k: every[k] for k in param_names(name, dialect)}


def rollup_read(store: PostGISStore, name: str, flt: EventFilter, now: datetime, extra: dict) -> str | None:
    """The map rollup the executed plan scanned (None: it read the window's events instead)."""
    with store.connection() as conn:
        plan = [
            r[0]
            for r in conn.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + bound_sql(name, "postgis"),
                _params(name, "postgis", flt, now, extra),
            )
        ]
    ran = {v for v in VIEWS for line in plan if f" on {v} " in line and "never executed" not in line}
    assert len(ran) <= 1, plan
    return ran.pop() if ran else None


def _same(duck: DuckDBStore, pg: PostGISStore, flt: EventFilter, now: datetime) -> None:
    for name, extra in MAP_QUERIES:
        assert_same_result(
            duck.fetch(name, **_params(name, "duckdb", flt, now, extra)),
            pg.fetch(name, **_params(name, "postgis", flt, now, extra)),
            True,
        )


def test_rollup_rows_equal_counts_from_events(both_stores):
    pg = both_stores["postgis"]
    raw = pg.sql(
        """SELECT CAST(reported_at AS date) AS day, category, source, department, h3_parent(h3, 9) AS cell,
                  grid_id, community_id, street_id, count(*) AS n,
                  count(*) FILTER (WHERE status <> 'cancelled'
                                   AND (closed_at IS NOT NULL OR status IN ('closed', 'rated'))) AS n_closed
           FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"""
    )
    keys = ["day", "category", "source", "department", "cell", "grid_id", "community_id", "street_id"]
    kinds = pg.sql("SELECT * FROM event_map_day_kinds")
    a, b = (f.sort_values(keys, na_position="first").reset_index(drop=True) for f in (raw, kinds))
    pd.testing.assert_frame_equal(a[keys + ["n", "n_closed"]], b[keys + ["n", "n_closed"]], check_dtype=False)
    plain = pg.sql("SELECT * FROM event_map_days")
    summed = raw.groupby(keys[:1] + keys[4:], dropna=False)[["n", "n_closed"]].sum().reset_index()
    a, b = (f.sort_values(keys[:1] + keys[4:], na_position="first").reset_index(drop=True) for f in (summed, plain))
    pd.testing.assert_frame_equal(a, b[a.columns], check_dtype=False)
    assert int(plain["n"].sum()) == int(pg.sql("SELECT count(*) AS n FROM events")["n"][0])


WINDOWS = [
    (EventFilter(START, END), "event_map_days"),
    (EventFilter(START - timedelta(days=60), END, street_ids=("110199002",)), "event_map_days"),
    (EventFilter(START - timedelta(days=60), END, categories=("garbage", "road_damage")), "event_map_day_kinds"),
    (
        EventFilter(START - timedelta(days=200), END - timedelta(days=100), sources=("hotline", "app")),
        "event_map_day_kinds",
    ),
]


def test_rollups_are_read_when_current_and_equal_duckdb(both_stores):
    pg, duck = both_stores["postgis"], both_stores["duckdb"]
    for flt, view in WINDOWS:
        # as-of times at midnight and mid-day: open_overdue comes from the open events either way
        for now in (NOW, NOW - timedelta(days=12, hours=7, minutes=13)):
            _same(duck, pg, flt, now)
            for name, extra in MAP_QUERIES:
                assert rollup_read(pg, name, flt, now, extra) == view, (name, extra, flt)


def test_events_are_read_when_the_rollups_cannot_answer(both_stores):
    pg, duck = both_stores["postgis"], both_stores["duckdb"]
    half_day = EventFilter(START + timedelta(hours=12), END)
    _same(duck, pg, half_day, NOW)
    for name, extra in MAP_QUERIES:
        assert rollup_read(pg, name, half_day, NOW, extra) is None
    fine = {"res": 10}
    flt = EventFilter(START, END)
    assert_same_result(
        duck.fetch("count_events_by_cell", **_params("count_events_by_cell", "duckdb", flt, NOW, fine)),
        pg.fetch("count_events_by_cell", **_params("count_events_by_cell", "postgis", flt, NOW, fine)),
        True,
    )
    assert rollup_read(pg, "count_events_by_cell", flt, NOW, fine) is None
    # slices at res 10, or not whole days long
    unfit: list[tuple[str, dict[str, object]]] = [
        ("count_events_by_cell_slice", {"res": 10, "slice_days": 7}),
        ("count_events_by_cell_slice", {"res": 9, "slice_days": 1.5}),
        ("count_events_by_area_slice", {"level": "grid", "slice_days": 0.5}),
    ]
    for name, extra in unfit:
        assert_same_result(
            duck.fetch(name, **_params(name, "duckdb", flt, NOW, extra)),
            pg.fetch(name, **_params(name, "postgis", flt, NOW, extra)),
            True,
        )
        assert rollup_read(pg, name, flt, NOW, extra) is None, (name, extra)


def test_map_rollup_readers_apply_the_scope():
    """The map rollups are materialized views, without policies: every query reading one adds
    the street-scope predicate (fragment map_rollup_lists) to each read."""
    readers = [n for n in query_names() if re.search(r"\bevent_map_", raw_sql(n, "postgis"))]
    assert {
        "count_events_by_cell",
        "count_events_by_area",
        "count_events_by_cell_slice",
        "count_events_by_area_slice",
    } <= set(readers)
    for name in readers:
        text = re.sub(r"--[^\n]*", "", raw_sql(name, "postgis"))
        uses = len(re.findall(r"\bFROM\s+event_map_\w+", text, re.IGNORECASE))
        assert uses and text.count("gridscope_scope()") >= 2 * uses, name


def test_events_at_midnight_are_counted_in_their_own_slice(make_pg_database, small_city):
    """An event reported at midnight exactly is a whole number of days before the window's end:
    the portable slice queries put it one slice further back than the rest of its day, and the
    rollup overrides move it there."""
    pg = PostGISStore(make_pg_database())
    duck = DuckDBStore(":memory:")
    try:
        events = small_city.events.copy()
        recent = events.index[events.reported_at >= START - timedelta(days=60)]
        # every 40th recent event at the midnight starting its day; some on a slice boundary
        events.loc[recent[::40], "reported_at"] = events.loc[recent[::40], "reported_at"].dt.floor("D")
        city = replace(small_city, events=events)
        for store in (pg, duck):
            load_city(store, city)
        flt = EventFilter(START - timedelta(days=56), END)
        slices = [(n, e) for n, e in MAP_QUERIES if n.endswith("_slice")]
        for extra_flt in (flt, EventFilter(flt.start, END, categories=("garbage", "road_damage"))):
            for name, extra in slices:
                assert_same_result(
                    duck.fetch(name, **_params(name, "duckdb", extra_flt, NOW, extra)),
                    pg.fetch(name, **_params(name, "postgis", extra_flt, NOW, extra)),
                    True,
                )
                assert rollup_read(pg, name, extra_flt, NOW, extra) is not None, (name, extra)
        moved = pg.sql(
            "SELECT count(*) AS n FROM events WHERE reported_at = date_trunc('day', reported_at) "
            "AND reported_at >= %s AND reported_at < %s",
            [flt.start, flt.end],
        )
        assert int(moved["n"][0]) > 20
    finally:
        pg.close()
        duck.close()


def test_stale_map_rollups_are_never_read(make_pg_database, small_city):
    pg = PostGISStore(make_pg_database())
    duck = DuckDBStore(":memory:")
    try:
        for store in (pg, duck):
            load_city(store, small_city)
        flt = WINDOWS[0][0]
        assert rollup_read(pg, "count_events_by_cell", flt, NOW, {"res": 9}) == "event_map_days"
        extra = small_city.events[small_city.events.reported_at >= START].head(500).copy()
        extra["event_id"] = "NEW-" + extra["event_id"]
        extra["closed_at"] = pd.NaT
        for store in (pg, duck):
            store.insert_frame("events", extra)
        for name, params in MAP_QUERIES:
            assert rollup_read(pg, name, flt, NOW, params) is None
        _same(duck, pg, flt, NOW)
        assert pg.refresh_rollups()
        for name, params in MAP_QUERIES:
            assert rollup_read(pg, name, flt, NOW, params) == "event_map_days"
        _same(duck, pg, flt, NOW)
    finally:
        pg.close()
        duck.close()
