"""Clipped trend buckets (issue 16): every grain counts the same days, partial buckets marked,
comparison series counted in the current buckets moved back."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from geo.periods import period_counts, periods
from geo.trends import trend_windows


def _daily(start: str, days: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"bucket": pd.date_range(start, periods=days, freq="D"), "events": rng.poisson(20, days).astype(int)}
    )


def test_periods_clip_to_the_window_and_mark_partial_buckets():
    p = periods(datetime(2026, 10, 15), datetime(2026, 12, 1), "month")
    assert p["bucket"].dt.strftime("%Y-%m").tolist() == ["2026-10", "2026-11"]
    assert p["first"].tolist() == [pd.Timestamp("2026-10-15"), pd.Timestamp("2026-11-01")]
    assert p["days"].tolist() == [17, 30] and p["partial"].tolist() == [True, False]
    whole = periods(datetime(2026, 6, 1), datetime(2026, 6, 29), "week")
    assert not whole["partial"].any() and whole["days"].sum() == 28
    assert not periods(datetime(2026, 6, 3), datetime(2026, 6, 9), "day")["partial"].any()


@pytest.mark.parametrize(
    "first,last", [("2026-06-03", "2026-06-30"), ("2026-02-10", "2026-04-30"), ("2026-10-31", "2026-10-31")]
)
def test_every_grain_counts_the_same_events(first, last):
    daily = _daily("2025-01-01", 700)
    f, la = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    totals = {}
    for grain in ("day", "week", "month"):
        w = trend_windows(f, la, grain)
        got = {
            name: period_counts(daily, w.start, w.end, grain, w.start - s)
            for name, s in (("current", w.start), ("previous", w.prev_start), ("last_year", w.ly_start))
        }
        assert len(got["current"]) == w.buckets
        assert (got["current"]["days"] == got["previous"]["days"]).all()
        assert got["previous"]["end"].iloc[-1] == pd.Timestamp(w.start)  # right before, no gap
        totals[grain] = tuple(int(g["events"].sum()) for g in got.values())
    expected = []
    for a, b in ((w.start, w.end), (w.prev_start, w.start), (w.ly_start, w.ly_end)):
        expected.append(int(daily[(daily["bucket"] >= a) & (daily["bucket"] < b)]["events"].sum()))
    assert totals["day"] == totals["week"] == totals["month"] == tuple(expected)


def test_a_comparison_series_is_counted_in_the_shifted_buckets():
    daily = _daily("2026-05-01", 40)
    out = period_counts(daily, datetime(2026, 6, 3), datetime(2026, 6, 10), "week", timedelta(days=7))
    # current buckets 3-7 June (partial) and 8-9 June; moved back a week: 27-31 May and 1-2 June
    assert out["first"].dt.strftime("%m-%d").tolist() == ["05-27", "06-01"]
    d = daily.set_index("bucket")["events"]
    assert out["events"].tolist() == [int(d["2026-05-27":"2026-05-31"].sum()), int(d["2026-06-01":"2026-06-02"].sum())]
