"""Trend windows, expected bands and anomaly drivers on series with known answers."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo.trends import (
    anomaly_drivers,
    bucket_starts,
    expected_band,
    fill_buckets,
    trend_windows,
)

WEEKDAY = np.array([1.1, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7])


def poisson_days(
    n: int = 365, level: float = 80.0, seed: int = 1, start: str = "2025-07-01"
) -> tuple[pd.Series, pd.Series]:
    """Poisson counts with a weekday rhythm and an annual season, and their means."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n, freq="D")
    season = 1 + 0.25 * np.sin(2 * np.pi * (days.dayofyear - 110) / 365.25)
    lam = level * WEEKDAY[days.dayofweek] * season
    return pd.Series(rng.poisson(lam).astype(float), index=days), pd.Series(lam, index=days)


@pytest.mark.parametrize(
    "grain,first,last,expected",
    [
        ("day", date(2026, 6, 1), date(2026, 6, 3), [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]),
        ("week", date(2026, 6, 3), date(2026, 6, 14), [date(2026, 6, 1), date(2026, 6, 8)]),
        ("month", date(2026, 1, 31), date(2026, 3, 1), [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]),
    ],
)
def test_bucket_starts(grain, first, last, expected):
    assert bucket_starts(first, last + pd.Timedelta(days=1).to_pytimedelta(), grain) == expected


def test_trend_windows_line_up_weekdays_and_lengths():
    w = trend_windows(date(2026, 6, 1), date(2026, 6, 30), "day")
    assert (w.start, w.end, w.buckets, w.partial_end) == (datetime(2026, 6, 1), datetime(2026, 7, 1), 30, False)
    assert w.start - w.prev_start == w.end - w.start
    assert w.ly_start.weekday() == w.start.weekday() and (w.start - w.ly_start).days == 364
    # issue 16 (behaviour change): the window is the chosen days whatever the grain, its
    # first and last bucket clipped (and marked partial); the comparisons are the same days back
    wk = trend_windows(date(2026, 6, 3), date(2026, 6, 30), "week")
    assert wk.start == datetime(2026, 6, 3) and wk.buckets == 5 and wk.partial_end and wk.partial_start
    assert (wk.start - wk.prev_start).days == 28 and (wk.start - wk.ly_start).days == 364
    m = trend_windows(date(2026, 2, 10), date(2026, 4, 30), "month")
    assert (m.start, m.end, m.prev_start) == (datetime(2026, 2, 10), datetime(2026, 5, 1), datetime(2025, 11, 22))
    assert (m.ly_start, m.ly_end, m.partial_end, m.partial_start) == (
        datetime(2025, 2, 11),
        datetime(2025, 5, 2),
        False,
        True,
    )
    for grain in ("day", "week", "month"):
        g = trend_windows(date(2026, 2, 10), date(2026, 4, 30), grain)
        assert (g.start, g.end, g.prev_start, g.ly_start, g.ly_end) == (
            m.start,
            m.end,
            m.prev_start,
            m.ly_start,
            m.ly_end,
        )
    with pytest.raises(ValueError, match="grain"):
        trend_windows(date(2026, 6, 1), date(2026, 6, 30), "hour")
    with pytest.raises(ValueError):
        trend_windows(date(2026, 6, 30), date(2026, 6, 1), "day")


def test_fill_buckets_fills_zeros():
    frame = pd.DataFrame({"bucket": [datetime(2026, 6, 8)], "events": [5]})
    out = fill_buckets(frame, datetime(2026, 6, 1), datetime(2026, 6, 22), "week")
    assert out["events"].tolist() == [0, 5, 0] and out["index"].tolist() == [0, 1, 2]


def test_band_flags_planted_spike_and_dip_and_little_else():
    y, lam = poisson_days()
    spike, dip = pd.Timestamp("2026-03-10"), pd.Timestamp("2026-05-20")
    y[spike] = round(lam[spike] * 1.8)
    y[dip] = round(lam[dip] * 0.35)
    band = expected_band(y)
    assert band.loc[spike, "anomaly"] == 1 and band.loc[dip, "anomaly"] == -1
    others = band.drop([spike, dip])
    assert (others["anomaly"] != 0).mean() < 0.015  # z = 3: about 0.3 % false flags expected
    # the expectation follows the weekday rhythm and the season it was not told about
    ratio = band["expected"] / lam.reindex(band.index)
    assert ratio.median() == pytest.approx(1.0, abs=0.05)
    assert np.abs(ratio - 1).quantile(0.9) < 0.15
    assert (band["lower"] <= band["expected"]).all() and (band["expected"] <= band["upper"]).all()


def test_band_judges_a_burst_at_the_end_against_what_came_before():
    y, lam = poisson_days()
    y.iloc[-5:] = np.round(lam.iloc[-5:] * 1.7)  # the burst the weekly meeting asks about
    band = expected_band(y)
    assert (band["anomaly"].iloc[-5:] == 1).sum() >= 4
    weeks = expected_band(y, "week")
    assert weeks["anomaly"].iloc[-1] == 1
    assert (weeks["anomaly"].iloc[:-2] != 0).mean() < 0.05


def test_band_needs_history_and_whole_days():
    y, _ = poisson_days(20)
    assert expected_band(y).empty
    y, _ = poisson_days(60)
    with pytest.raises(ValueError, match="daily"):
        expected_band(y.drop(y.index[10]))
    with pytest.raises(ValueError, match="grain"):
        expected_band(y, "month")


def test_anomaly_drivers_names_the_key_that_moved():
    days = pd.date_range("2026-05-01", periods=35, freq="D")
    rows = [(d, k, n) for d in days for k, n in (("A", 10), ("B", 5), ("C", 3))]
    frame = pd.DataFrame(rows, columns=["bucket", "key", "events"])
    hit = days[-1]
    frame.loc[(frame["bucket"] == hit) & (frame["key"] == "B"), "events"] = 35
    frame.loc[(frame["bucket"] == hit) & (frame["key"] == "C"), "events"] = 4
    anomalies = pd.DataFrame({"anomaly": [1]}, index=[hit])
    out = anomaly_drivers(anomalies, frame)
    assert out[["key", "observed", "baseline", "excess"]].values.tolist() == [["B", 35.0, 5.0, 30.0]]
    assert out["share"].iloc[0] == pytest.approx(30 / 31)
    dip = pd.DataFrame({"anomaly": [-1]}, index=[days[-1]])
    frame.loc[(frame["bucket"] == hit) & (frame["key"] == "A"), "events"] = 0
    assert anomaly_drivers(dip, frame)["key"].tolist() == ["A"]


def _zeros_then_activity(zero_days: int = 70, active_days: int = 56) -> pd.Series:
    """A unit that had nothing to report, then a strong weekday rhythm at ~120 a day."""
    rng = np.random.default_rng(11)
    days = pd.date_range("2026-01-05", periods=zero_days + active_days, freq="D")
    lam = np.where(
        np.arange(len(days)) < zero_days, 0.0, 120.0 * np.array([1.5, 1.4, 1.2, 1.0, 0.8, 0.3, 0.2])[days.dayofweek]
    )
    return pd.Series(rng.poisson(lam).astype(float), index=days)


@pytest.mark.parametrize("grain", ["day", "week"])
def test_band_uses_only_earlier_days(grain):
    """Zeros followed by a spike: the zero days are not 'below' a rhythm that came later."""
    y = _zeros_then_activity()
    band = expected_band(y, grain)
    quiet = band[band.index < pd.Timestamp("2026-03-16")]  # the 70 zero days
    assert len(quiet) >= (40 if grain == "day" else 5)
    assert (quiet["anomaly"] == 0).all() and np.allclose(quiet["expected"], 0)
    assert band.loc["2026-03-16", "anomaly"] == 1  # the first active day (week) stands out
    # Every row is what the series up to it gives: later days change nothing earlier.
    for cut in (60, 71, 80, 101):
        short = expected_band(y.iloc[:cut], grain)
        if grain == "week":  # a week needs all its days
            short = short[short.index + pd.Timedelta(days=6) < y.index[cut - 1] + pd.Timedelta(days=1)]
        pd.testing.assert_frame_equal(short, band.loc[short.index], check_dtype=False)
