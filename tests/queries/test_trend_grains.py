"""Issue 16: for one range, the trend totals by day, week and month are the same on both
backends (the first and last buckets clipped to the range), and equal an independent count."""

from __future__ import annotations

from datetime import date

import pytest

from queries import EventFilter
from queries.answers import trends
from tests.queries.chain_reference import select

RANGES = [
    (date(2026, 4, 10), date(2026, 6, 30)),  # mid-week, mid-month start
    (date(2026, 6, 3), date(2026, 6, 17)),  # two partial weeks inside one partial month
    (date(2026, 5, 31), date(2026, 5, 31)),  # one day (a Sunday, the last day of a month)
]
FIRST_DAY = date(2026, 1, 1)


@pytest.mark.parametrize("backend", ["duckdb", "postgis"])
@pytest.mark.parametrize("first,last", RANGES)
@pytest.mark.parametrize("lists", [{}, {"categories": ("noise", "garbage"), "sources": ("hotline",)}])
def test_totals_agree_across_grains(both_stores, small_city, backend, first, last, lists):
    store = both_stores[backend]
    flt = EventFilter.for_dates(first, last, **lists)
    got = {}
    for grain in ("day", "week", "month"):
        cmp = trends.period_comparison(store, flt, grain, FIRST_DAY)
        assert len(cmp.current) == cmp.windows.buckets
        partial = cmp.current["partial"]
        assert partial.any() == (cmp.windows.partial_start or cmp.windows.partial_end)
        assert partial.iloc[1:-1].sum() == 0  # only the first and last bucket can be clipped
        assert cmp.current["days"].sum() == (last - first).days + 1
        got[grain] = (cmp.current_total, cmp.total("previous"))
        breakdown = trends.breakdown(store, flt, grain, "category", other="other")
        assert breakdown["events"].sum() == cmp.current_total
    w = trends.trend_windows(first, last, "day")
    events = small_city.events
    sel_prev = select(events, EventFilter(w.prev_start, w.start, **lists))
    expected = (float(len(select(events, flt))), float(len(sel_prev)))
    assert got["day"] == got["week"] == got["month"] == expected
