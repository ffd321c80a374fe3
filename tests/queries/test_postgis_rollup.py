"""The PostGIS daily rollup (migration 005) behind the overrides of kpi_summary,
street_ranking and daily_trend: read only when current and applicable, and then equal to
DuckDB; after any change to events it is not read until refreshed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from data.demo import load_city
from queries.duckdb_store import DuckDBStore
from queries.filters import EventFilter
from queries.postgis_store import PostGISStore
from queries.sql_files import bound_sql, param_names

from .test_parity import END, NOW, START, assert_same_result

pytestmark = pytest.mark.postgis

ROLLUP_QUERIES = ("kpi_summary", "street_ranking", "daily_trend")


def _params(name: str, dialect: str, flt: EventFilter, now: datetime) -> dict[str, object]:
    every = {**flt.params(), "prev_start": flt.previous().start, "now": now, "limit": 10}
    return {k: every[k] for k in param_names(name, dialect)}


def reads_rollup(store: PostGISStore, name: str, flt: EventFilter, now: datetime) -> bool:
    """True when the executed plan scanned event_rollup and never touched events."""
    with store.connection() as conn:
        plan = [
            r[0]
            for r in conn.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + bound_sql(name, "postgis"),
                _params(name, "postgis", flt, now),
            )
        ]
    rollup = [line for line in plan if " on event_rollup " in line]
    events = [line for line in plan if " on events " in line]
    assert rollup and events, plan  # both branches are in every plan
    rollup_ran = any("never executed" not in line for line in rollup)
    events_ran = any("never executed" not in line for line in events)
    assert rollup_ran != events_ran, plan
    return rollup_ran


def _same(duck: DuckDBStore, pg: PostGISStore, flt: EventFilter, now: datetime) -> None:
    for name in ROLLUP_QUERIES:
        ordered = True
        assert_same_result(
            duck.fetch(name, **_params(name, "duckdb", flt, now)),
            pg.fetch(name, **_params(name, "postgis", flt, now)),
            ordered,
        )


WINDOWS = [
    EventFilter(START, END),
    EventFilter(START - timedelta(days=60), END, categories=("garbage", "road_damage"), street_ids=("110199002",)),
    EventFilter(START - timedelta(days=200), END - timedelta(days=100), sources=("hotline", "app")),
]


def test_rollup_is_read_when_current_and_equals_duckdb(both_stores):
    pg, duck = both_stores["postgis"], both_stores["duckdb"]
    for flt in WINDOWS:
        _same(duck, pg, flt, NOW)
        for name in ROLLUP_QUERIES:
            assert reads_rollup(pg, name, flt, NOW), (name, flt)


def test_events_are_read_when_the_rollup_cannot_answer(both_stores):
    pg, duck = both_stores["postgis"], both_stores["duckdb"]
    grid = EventFilter(START, END, grid_ids=tuple(duck.fetch("list_areas", level="grid")["area_id"][:50]))
    half_day = EventFilter(START + timedelta(hours=12), END)
    cases = [(grid, NOW), (half_day, NOW), (EventFilter(START, END), NOW - timedelta(minutes=90))]
    for flt, now in cases:
        _same(duck, pg, flt, now)
        for name in ROLLUP_QUERIES:
            if name == "daily_trend" and flt is not half_day and not flt.grid_ids:
                continue  # daily_trend has no as-of time: a non-midnight now changes nothing
            assert not reads_rollup(pg, name, flt, now), (name, flt, now)


def test_stale_rollup_is_never_read(make_pg_database, small_city):
    pg = PostGISStore(make_pg_database())
    duck = DuckDBStore(":memory:")
    try:
        for store in (pg, duck):
            load_city(store, small_city)
        flt = WINDOWS[0]
        assert reads_rollup(pg, "kpi_summary", flt, NOW)
        # new events in the window: the statement trigger marks the rollup stale
        extra = small_city.events[small_city.events.reported_at >= START].head(500).copy()
        extra["event_id"] = "NEW-" + extra["event_id"]
        extra["closed_at"] = pd.NaT
        for store in (pg, duck):
            store.insert_frame("events", extra)
        assert not reads_rollup(pg, "kpi_summary", flt, NOW)
        _same(duck, pg, flt, NOW)
        # an UPDATE marks it stale too (after a refresh made it current again)
        assert pg.refresh_rollups()
        assert reads_rollup(pg, "street_ranking", flt, NOW)
        for store in (pg, duck):
            store.execute("update_category_sla", code="garbage", sla_response_h=1.0, sla_close_h=3.0)
            store.execute("refresh_event_deadlines", category="garbage")
        assert not reads_rollup(pg, "street_ranking", flt, NOW)
        _same(duck, pg, flt, NOW)
        pg.refresh_rollups()
        assert reads_rollup(pg, "street_ranking", flt, NOW)
        _same(duck, pg, flt, NOW)
    finally:
        pg.close()
        duck.close()
