"""Issue 9: EventFilter never raises on a date range and clamps it into the supported days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queries import EventFilter
from queries.filters import SUPPORTED_FIRST_DAY, SUPPORTED_LAST_DAY

LOW = datetime.combine(SUPPORTED_FIRST_DAY, datetime.min.time())
HIGH = datetime.combine(SUPPORTED_LAST_DAY + timedelta(days=1), datetime.min.time())


def test_the_widest_window_and_its_previous_period():
    flt = EventFilter.for_dates(date.min, date.max)
    assert (flt.start, flt.end) == (LOW, HIGH)
    prev = flt.previous()  # year 0001 raised OverflowError here (queries/filters.py:57)
    assert (prev.start, prev.end) == (LOW, LOW)


def test_previous_period_is_cut_at_the_first_supported_day():
    flt = EventFilter.for_dates(date(1900, 1, 11), date(1900, 1, 30))
    assert flt.previous().start == LOW and flt.previous().end == datetime(1900, 1, 11)
    normal = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))
    assert (normal.previous().start, normal.previous().end) == (datetime(2026, 5, 2), datetime(2026, 6, 1))


def test_days_the_wrong_way_round_are_swapped_and_raw_inverted_windows_are_empty():
    assert EventFilter.for_dates(date(2026, 6, 30), date(2026, 6, 1)) == EventFilter.for_dates(
        date(2026, 6, 1), date(2026, 6, 30)
    )
    flt = EventFilter(datetime(2026, 6, 30), datetime(2026, 6, 1))
    assert flt.start == flt.end == datetime(2026, 6, 30)
    assert flt.length == timedelta(0)


@given(st.dates(), st.dates())
def test_any_pair_of_days_gives_a_supported_window(a, b):
    flt = EventFilter.for_dates(a, b)
    assert LOW <= flt.start < flt.end <= HIGH
    prev = flt.previous()
    assert LOW <= prev.start <= prev.end == flt.start
    assert flt.params()["start"] == flt.start


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_extreme_windows_query_on_both_backends(both_stores, backend):
    store = both_stores[backend]
    everything = EventFilter(datetime.min, datetime.max)
    total = int(store.sql("SELECT count(*) AS n FROM events").iloc[0]["n"])
    rows = store.fetch("kpi_summary", **everything.params(), prev_start=everything.previous().start, now=everything.end)
    assert int(rows.set_index("period").loc["current", "events"]) == total
    empty = EventFilter.for_dates(date(9999, 12, 31), date(9999, 12, 31))
    rows = store.fetch("kpi_summary", **empty.params(), prev_start=empty.previous().start, now=empty.end)
    assert int(rows.set_index("period").loc["current", "events"]) == 0
