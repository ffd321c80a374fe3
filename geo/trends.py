"""Trend statistics: period windows, comparison periods, expected bands and their drivers.

Counts per day, week or month are compared with the previous period and with the same
period a year before; days or weeks outside an expected band are flagged and explained
by the breakdown value (category, street ...) that moved most.

The expected band (:func:`expected_band`) works on the Anscombe transform of the counts
(``2 * sqrt(y + 3/8)``, on which Poisson noise has unit variance):

* weekday: the seasonal component (period 7) of a robust STL decomposition
  (``statsmodels.tsa.seasonal.STL``, Cleveland et al. 1990) of the whole series;
* season and level: the median of the weekday-adjusted values of the *preceding*
  ``baseline_days`` days only, so a day is judged against what came before it (a centred
  smoother would bend towards a burst at the end of the series and hide it);
* band: ``expected ± z * scale`` back on the count scale, ``scale`` the robust (MAD)
  spread of the residuals, never below the Poisson value 1.

Weeks use the sum of the daily expectations and the spread of the weekly residuals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

__all__ = [
    "ANOMALY_GRAINS",
    "GRAINS",
    "TrendWindows",
    "anomaly_drivers",
    "bucket_starts",
    "expected_band",
    "fill_buckets",
    "trend_windows",
]

GRAINS: tuple[str, ...] = ("day", "week", "month")
"""Bucket sizes of the trend charts (weeks start on Monday, as SQL ``date_trunc``)."""

ANOMALY_GRAINS: tuple[str, ...] = ("day", "week")
"""Bucket sizes for which :func:`expected_band` flags anomalies."""

MIN_HISTORY_DAYS = 28
"""Fewer days of history than this give no band (STL needs several weekly cycles)."""


def _check_grain(grain: str, allowed: tuple[str, ...] = GRAINS) -> None:
    if grain not in allowed:
        raise ValueError(f"grain must be one of {allowed}, got {grain!r}")


def _floor(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _add(day: date, n: int, grain: str) -> date:
    """``day`` moved by ``n`` buckets (months keep day 1)."""
    if grain == "day":
        return day + timedelta(days=n)
    if grain == "week":
        return day + timedelta(weeks=n)
    months = day.year * 12 + day.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


def bucket_starts(start: date, end: date, grain: str) -> list[date]:
    """Start of every ``grain`` bucket that overlaps ``[start, end)``, in order.

    Parameters
    ----------
    start, end : first day and the day after the last day of the window
    grain : ``day`` | ``week`` | ``month``

    Examples
    --------
    >>> bucket_starts(date(2026, 6, 3), date(2026, 6, 20), "week")
    [datetime.date(2026, 6, 1), datetime.date(2026, 6, 8), datetime.date(2026, 6, 15)]
    """
    _check_grain(grain)
    out, b = [], _floor(start, grain)
    while b < end:
        out.append(b)
        b = _add(b, 1, grain)
    return out


@dataclass(frozen=True)
class TrendWindows:
    """The current window snapped to whole buckets and its two comparison windows.

    All ``*_start``/``*_end`` are datetimes at midnight, ends exclusive. ``partial_end``
    is True when the current window stops inside its last bucket (that bucket is not
    complete and should not be read as a drop).
    """

    grain: str
    start: datetime
    end: datetime
    prev_start: datetime
    ly_start: datetime
    ly_end: datetime
    buckets: int
    partial_end: bool

    def params(self) -> dict[str, object]:
        """Bound parameters of ``trend_periods`` (with the event lists added by the caller)."""
        return {"grain": self.grain, "start": self.start, "end": self.end, "prev_start": self.prev_start,
                "ly_start": self.ly_start, "ly_end": self.ly_end}


def _year_back(day: date) -> date:
    """The same calendar day a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _dt(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def trend_windows(first: date, last: date, grain: str) -> TrendWindows:
    """Windows of the trend chart for the days ``first`` .. ``last`` (inclusive).

    The current window starts at the bucket containing ``first`` and ends after ``last``;
    the previous window is the same number of buckets right before it; last year's is the
    current one moved back 52 weeks for days and weeks (so weekdays line up) and 12
    months for months.

    Examples
    --------
    >>> w = trend_windows(date(2026, 6, 3), date(2026, 6, 30), "week")
    >>> w.start.date(), w.end.date(), w.prev_start.date(), w.buckets, w.partial_end
    (datetime.date(2026, 6, 1), datetime.date(2026, 7, 1), datetime.date(2026, 4, 27), 5, True)
    """
    _check_grain(grain)
    if last < first:
        raise ValueError(f"last day {last} is before first day {first}")
    end = last + timedelta(days=1)
    buckets = bucket_starts(first, end, grain)
    start = buckets[0]
    n = len(buckets)
    if grain == "month":
        ly_start, ly_end = _add(start, -12, "month"), _year_back(end)
    else:
        ly_start, ly_end = start - timedelta(weeks=52), end - timedelta(weeks=52)
    partial = _add(buckets[-1], 1, grain) != end
    return TrendWindows(grain, _dt(start), _dt(end), _dt(_add(start, -n, grain)), _dt(ly_start), _dt(ly_end),
                        n, partial)


def fill_buckets(frame: pd.DataFrame, start: datetime, end: datetime, grain: str,
                 value: str = "events") -> pd.DataFrame:
    """``frame`` (``bucket``, ``value``) on every bucket of ``[start, end)``, zeros filled.

    Returns columns ``bucket`` (datetime64), ``index`` (0-based bucket number, to overlay
    windows of equal length) and ``value``.
    """
    starts = pd.to_datetime(bucket_starts(start.date(), end.date(), grain))
    counts = frame.assign(bucket=pd.to_datetime(frame["bucket"])).groupby("bucket")[value].sum()
    return pd.DataFrame({"bucket": starts, "index": np.arange(len(starts)),
                         value: counts.reindex(starts, fill_value=0).to_numpy()})


def _anscombe(y: np.ndarray) -> np.ndarray:
    return 2.0 * np.sqrt(np.asarray(y, dtype=float) + 3.0 / 8.0)


def _inverse_anscombe(a: np.ndarray) -> np.ndarray:
    return np.clip((np.clip(a, 0, None) / 2.0) ** 2 - 3.0 / 8.0, 0, None)


def _robust_scale(resid: np.ndarray) -> float:
    """MAD-based standard deviation, at least 1 (the Poisson value on the Anscombe scale)."""
    r = resid[np.isfinite(resid)]
    if len(r) == 0:
        return 1.0
    mad = 1.4826 * float(np.median(np.abs(r - np.median(r))))
    return max(mad, 1.0)


def _band_frame(index: pd.Index, observed: np.ndarray, fit_a: np.ndarray, scale: float, z: float) -> pd.DataFrame:
    lower = _inverse_anscombe(fit_a - z * scale)
    upper = _inverse_anscombe(fit_a + z * scale)
    obs = np.asarray(observed, dtype=float)
    flag = np.where(obs > upper, 1, np.where(obs < lower, -1, 0))
    score = (_anscombe(obs) - fit_a) / scale
    return pd.DataFrame({"observed": obs, "expected": _inverse_anscombe(fit_a), "lower": lower,
                         "upper": upper, "score": score, "anomaly": flag}, index=index)


def expected_band(daily: pd.Series, grain: str = "day", *, z: float = 3.0,
                  baseline_days: int = 28) -> pd.DataFrame:
    """Expected counts with a band, and anomaly flags, for a daily count series.

    Parameters
    ----------
    daily : counts per day on a complete, gap-free daily ``DatetimeIndex`` (fill zeros
        first, e.g. with :func:`fill_buckets`); give as much history as there is
    grain : ``day`` (one row per day) or ``week`` (Monday weeks: daily expectations summed)
    z : half-width of the band in robust standard deviations (3 ≈ 99.7 % under normality)
    baseline_days : how many preceding days set a day's level (their weekday-adjusted median)

    Returns
    -------
    DataFrame indexed by day or week start with ``observed``, ``expected``, ``lower``,
    ``upper``, ``score`` (standardised residual) and ``anomaly`` (1 above the band, -1
    below, 0 inside). The first ``baseline_days`` days (and weeks touching them) have no
    expectation and are left out; empty when the series has fewer than
    ``max(MIN_HISTORY_DAYS, baseline_days + 7)`` days.
    """
    _check_grain(grain, ANOMALY_GRAINS)
    empty = pd.DataFrame(columns=["observed", "expected", "lower", "upper", "score", "anomaly"])
    y = daily.astype(float)
    if len(y) < max(MIN_HISTORY_DAYS, baseline_days + 7):
        return empty
    if not isinstance(y.index, pd.DatetimeIndex) or (y.index.to_series().diff().dropna() != pd.Timedelta(days=1)).any():
        raise ValueError("daily needs a complete daily DatetimeIndex (fill missing days with zeros)")
    from statsmodels.tsa.seasonal import STL  # heavy import, only where used

    a = _anscombe(y.to_numpy())
    seasonal = STL(a, period=7, robust=True).fit().seasonal
    adjusted = pd.Series(a - seasonal, index=y.index)
    level = adjusted.rolling(baseline_days, min_periods=baseline_days).median().shift(1).to_numpy()
    fit_a = level + seasonal
    known = np.isfinite(fit_a)
    if grain == "day":
        idx = y.index[known]
        return _band_frame(idx, y.to_numpy()[known], fit_a[known], _robust_scale(a[known] - fit_a[known]), z)
    expected_daily = pd.Series(_inverse_anscombe(fit_a), index=y.index).where(known)
    weeks = y.index - pd.to_timedelta(y.index.dayofweek, unit="D")
    complete = expected_daily.notna().groupby(weeks).all()
    obs_w = y.groupby(weeks).sum()[complete]
    exp_w = expected_daily.groupby(weeks).sum()[complete]
    if obs_w.empty:
        return empty
    fit_w = _anscombe(exp_w.to_numpy())
    return _band_frame(obs_w.index, obs_w.to_numpy(), fit_w, _robust_scale(_anscombe(obs_w.to_numpy()) - fit_w), z)


def anomaly_drivers(anomalies: pd.DataFrame, breakdown: pd.DataFrame, grain: str = "day",
                    baseline_periods: int = 4) -> pd.DataFrame:
    """The breakdown value that moved most in each anomalous bucket.

    Parameters
    ----------
    anomalies : rows of :func:`expected_band` (index = bucket) with ``anomaly`` != 0
    breakdown : counts per ``bucket`` and ``key`` (e.g. category) at the same grain,
        covering at least ``baseline_periods`` comparable buckets before each anomaly
    grain : ``day`` compares with the same weekday of the previous weeks; ``week`` with
        the previous weeks
    baseline_periods : how many comparable buckets form the baseline (their mean)

    Returns
    -------
    DataFrame with ``bucket``, ``key``, ``observed``, ``baseline``, ``excess`` (observed -
    baseline) and ``share`` (the key's excess / the bucket's total excess over the
    baseline), one row per anomalous bucket: the key whose excess is largest in the
    anomaly's direction.
    """
    _check_grain(grain, ANOMALY_GRAINS)
    cols = ["bucket", "key", "observed", "baseline", "excess", "share"]
    if anomalies.empty or breakdown.empty:
        return pd.DataFrame(columns=cols)
    table = breakdown.assign(bucket=pd.to_datetime(breakdown["bucket"]), key=breakdown["key"].fillna("—")).pivot_table(
        index="bucket", columns="key", values="events", aggfunc="sum", fill_value=0)
    step = pd.Timedelta(days=7)  # same weekday last week, or last week
    table = table.reindex(pd.date_range(table.index.min(), table.index.max(), freq="D" if grain == "day" else "7D"),
                          fill_value=0)
    rows = []
    for bucket, row in anomalies.iterrows():
        bucket = pd.Timestamp(bucket)
        if bucket not in table.index:
            continue
        past = [bucket - step * k for k in range(1, baseline_periods + 1)]
        past = [p for p in past if p in table.index]
        if not past:
            continue
        observed = table.loc[bucket]
        baseline = table.loc[past].mean()
        excess = observed - baseline
        direction = 1 if row["anomaly"] >= 0 else -1
        key = (excess * direction).idxmax()
        total = float(excess.sum())
        rows.append((bucket, key, float(observed[key]), float(baseline[key]), float(excess[key]),
                     float(excess[key]) / total if total * direction > 0 else np.nan))
    return pd.DataFrame(rows, columns=cols)
