"""The trends page's queries equal independent pandas counts on the small city."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from queries import EventFilter
from queries.answers.trends import trend_windows
from tests.queries.chain_reference import select

PANDAS_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}


def _bucket(ts: pd.Series, grain: str) -> pd.Series:
    if grain == "day":
        return ts.dt.normalize()
    if grain == "week":
        return (ts - pd.to_timedelta(ts.dt.dayofweek, unit="D")).dt.normalize()
    return ts.dt.to_period("M").dt.start_time


WINDOWS = {
    "spring": (date(2026, 4, 10), date(2026, 6, 30)),
    # reaching past the data, so that last year's window (52 weeks back) holds data
    "into-july": (date(2026, 6, 25), date(2026, 8, 20)),
}


@pytest.mark.parametrize("grain", ["day", "week", "month"])
@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("lists", [{}, {"categories": ("noise", "garbage"), "sources": ("hotline",)}])
def test_trend_periods(small_store, small_city, grain, window, lists):
    w = trend_windows(*WINDOWS[window], grain)
    flt = EventFilter(w.start, w.end, **lists)
    got = small_store.fetch("trend_periods", **{**flt.params(), **w.params()})
    ev = small_city.events
    for period, (a, b) in {
        "current": (w.start, w.end),
        "previous": (w.prev_start, w.start),
        "last_year": (w.ly_start, w.ly_end),
    }.items():
        sel = select(ev, EventFilter(a, b, **lists))
        exp = sel.groupby(_bucket(sel["reported_at"], grain)).size()
        part = got[got["period"] == period].set_index("bucket")["events"]
        assert part.index.tolist() == exp.index.tolist(), period
        assert part.tolist() == exp.tolist(), period
    if window == "spring":
        assert (got["period"] == "current").sum() == w.buckets
    else:
        assert (got["period"] == "last_year").sum() > w.buckets // 2


@pytest.mark.parametrize(
    "dim,column",
    [
        ("category", "category"),
        ("source", "source"),
        ("department", "department"),
        ("street", "street_id"),
        ("none", None),
    ],
)
@pytest.mark.parametrize("grain", ["day", "week"])
def test_trend_breakdown(small_store, small_city, dim, column, grain):
    flt = EventFilter.for_dates(date(2026, 5, 4), date(2026, 6, 28), street_ids=["110199001", "110199004"])
    got = small_store.fetch("trend_breakdown", **flt.params(), grain=grain, dim=dim)
    sel = select(small_city.events, flt)
    keys = sel[column] if column else pd.Series("all", index=sel.index)
    exp = sel.groupby([_bucket(sel["reported_at"], grain), keys]).size()
    got_s = got.set_index(["bucket", "key"])["events"]
    assert got_s.index.tolist() == exp.index.tolist()
    assert got_s.tolist() == exp.tolist()
