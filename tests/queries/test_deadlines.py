"""Stored SLA deadlines: equal to reported_at + the category SLA, refreshed after edits,
the same on DuckDB and PostGIS."""

from __future__ import annotations

import pandas as pd
import pytest

from queries import DuckDBStore


def _expected(events: pd.DataFrame, categories: pd.DataFrame) -> pd.DataFrame:
    sla = categories.set_index("code")
    return (
        pd.DataFrame(
            {
                "event_id": events["event_id"],
                "respond_due_at": events["reported_at"]
                + pd.to_timedelta(events["category"].map(sla["sla_response_h"]), unit="h"),
                "close_due_at": events["reported_at"]
                + pd.to_timedelta(events["category"].map(sla["sla_close_h"]), unit="h"),
            }
        )
        .sort_values("event_id")
        .reset_index(drop=True)
    )


def _stored(store) -> pd.DataFrame:
    return store.sql("SELECT event_id, respond_due_at, close_due_at FROM events ORDER BY event_id")


def _load(store, city, n=3000):
    store.insert_frame("categories", city.categories)
    events = city.events.iloc[:n].drop(columns=["respond_due_at", "close_due_at"])
    store.insert_frame("events", events)
    return events


def test_demo_city_deadlines_equal_the_sla(small_city):
    got = (
        small_city.events[["event_id", "respond_due_at", "close_due_at"]].sort_values("event_id").reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(got, _expected(small_city.events, small_city.categories), check_dtype=False)


def test_refresh_fills_and_follows_sla_edits_duckdb(small_city):
    store = DuckDBStore(":memory:")
    events = _load(store, small_city)
    assert _stored(store)["close_due_at"].isna().all()
    store.execute("refresh_event_deadlines", category=None)
    pd.testing.assert_frame_equal(_stored(store), _expected(events, small_city.categories), check_dtype=False)
    store.execute("update_category_sla", code="garbage", sla_response_h=1.5, sla_close_h=12.0)
    store.execute("refresh_event_deadlines", category="garbage")
    edited = small_city.categories.astype({"sla_response_h": float, "sla_close_h": float})
    edited.loc[edited["code"] == "garbage", ["sla_response_h", "sla_close_h"]] = [1.5, 12.0]
    pd.testing.assert_frame_equal(_stored(store), _expected(events, edited), check_dtype=False)


@pytest.mark.postgis
def test_refresh_event_deadlines_parity(make_pg_database, small_city):
    from queries.postgis_store import PostGISStore

    stores = [DuckDBStore(":memory:"), PostGISStore(make_pg_database())]
    try:
        results = []
        for store in stores:
            _load(store, small_city)
            store.execute("refresh_event_deadlines", category=None)
            store.execute("update_category_sla", code="noise", sla_response_h=3.0, sla_close_h=30.0)
            store.execute("refresh_event_deadlines", category="noise")
            results.append(_stored(store))
        pd.testing.assert_frame_equal(results[0], results[1], check_dtype=False)
        assert results[0]["close_due_at"].notna().all()
    finally:
        for store in stores:
            store.close()
