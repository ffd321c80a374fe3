"""Trend statistics: period windows, comparison periods, expected bands and their drivers.

Counts per day, week or month are compared with the previous period and with the same
period a year before; days or weeks outside an expected band are flagged and explained
by the breakdown value (category, street ...) that moved most.

The expected band (:func:`expected_band`) works on the Anscombe transform of the counts
(``2 * sqrt(y + 3/8)``, on which Poisson noise has unit variance). A day's band uses
*only the days before it*, so what comes later (a peak, a new weekday rhythm, the end of
the series) never changes it:

* weekday: for each weekday, the median deviation from the centred 7-day mean over its
  last ``PROFILE_WEEKS`` occurrences whose 7-day window ended before the day (the seven
  effects centred to sum to zero);
* season and level: the median of the weekday-adjusted values of the preceding
  ``baseline_days`` days (a centred smoother would bend towards a burst at the end of
  the series and hide it);
* band: ``expected ± z * scale`` back on the count scale. ``scale`` is the larger of the
  robust (MAD) spread of those weekday-adjusted values around the level and the robust
  size (1.4826 × median ``|residual|``) of the residuals of the preceding ``SCALE_DAYS``
  days, which also carries what the expectation itself gets wrong; never below the
  Poisson value 1.

A week is judged as of its Monday: each of its days is expected from the days before
that Monday and the week's expectation is their sum. Its scale is the robust size of the
residuals of up to ``SCALE_WEEKS`` earlier whole weeks (at least the Monday's daily
spread; from the daily residuals until four weeks are known), shrunk for a partial week.
Before issue 9 the weekday component came from an STL fit of the *whole* series and the
scale from all residuals, so a later peak's weekday rhythm made earlier zero days
"unusually low".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

__all__ = [
    "ANOMALY_GRAINS",
    "GRAINS",
    "LAST_YEAR",
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
"""Fewer days of history than this give no band (the weekday rhythm needs several weeks)."""

PROFILE_WEEKS = 8
"""Occurrences of each weekday (at most) that set its effect in the expected band."""

SCALE_DAYS = 56
"""Preceding days whose residuals set a day's band width."""

SCALE_WEEKS = 26
"""Preceding whole weeks whose residuals set a week's band width."""


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


LAST_YEAR = timedelta(weeks=52)
"""How far back "last year" lies: 52 weeks (364 days), so that weekdays line up, for every grain."""


@dataclass(frozen=True)
class TrendWindows:
    """The chosen days and their two comparison windows, the same for every grain.

    All ``*_start``/``*_end`` are datetimes at midnight, ends exclusive. ``start``/``end``
    are the chosen days themselves (never widened to whole buckets), so a day, week or month
    chart counts the same events: its first and last bucket are clipped to the window and
    ``partial_start``/``partial_end`` say that they cover only part of a bucket (not to be
    read as a drop). The previous window is the same number of days right before ``start``;
    last year's is the current one moved back :data:`LAST_YEAR`. ``buckets`` is the number
    of buckets (whole or clipped) the window touches.
    """

    grain: str
    start: datetime
    end: datetime
    prev_start: datetime
    ly_start: datetime
    ly_end: datetime
    buckets: int
    partial_end: bool
    partial_start: bool


def _dt(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def trend_windows(first: date, last: date, grain: str) -> TrendWindows:
    """Windows of the trend chart for the days ``first`` .. ``last`` (inclusive).

    The current window is exactly those days; the previous window is as many days right
    before it; last year's is the current one moved back 52 weeks (so weekdays line up).
    The grain only decides how the window is cut into buckets.

    Examples
    --------
    >>> w = trend_windows(date(2026, 6, 3), date(2026, 6, 30), "week")
    >>> w.start.date(), w.end.date(), w.prev_start.date(), w.buckets, w.partial_start, w.partial_end
    (datetime.date(2026, 6, 3), datetime.date(2026, 7, 1), datetime.date(2026, 5, 6), 5, True, True)
    """
    _check_grain(grain)
    if last < first:
        raise ValueError(f"last day {last} is before first day {first}")
    end = last + timedelta(days=1)
    buckets = bucket_starts(first, end, grain)
    start, stop = _dt(first), _dt(end)
    return TrendWindows(
        grain,
        start,
        stop,
        start - (stop - start),
        start - LAST_YEAR,
        stop - LAST_YEAR,
        len(buckets),
        _add(buckets[-1], 1, grain) != end,
        buckets[0] != first,
    )


def fill_buckets(
    frame: pd.DataFrame, start: datetime, end: datetime, grain: str, value: str = "events"
) -> pd.DataFrame:
    """``frame`` (``bucket``, ``value``) on every bucket of ``[start, end)``, zeros filled.

    Returns columns ``bucket`` (datetime64), ``index`` (0-based bucket number, to overlay
    windows of equal length) and ``value``.
    """
    starts = pd.to_datetime(bucket_starts(start.date(), end.date(), grain))
    counts = frame.assign(bucket=pd.to_datetime(frame["bucket"])).groupby("bucket")[value].sum()
    return pd.DataFrame(
        {"bucket": starts, "index": np.arange(len(starts)), value: counts.reindex(starts, fill_value=0).to_numpy()}
    )


def _anscombe(y: np.ndarray) -> np.ndarray:
    return 2.0 * np.sqrt(np.asarray(y, dtype=float) + 3.0 / 8.0)


def _inverse_anscombe(a: np.ndarray) -> np.ndarray:
    return np.clip((np.clip(a, 0, None) / 2.0) ** 2 - 3.0 / 8.0, 0, None)


def _band_frame(
    index: pd.Index, observed: np.ndarray, fit_a: np.ndarray, scale: np.ndarray | float, z: float
) -> pd.DataFrame:
    lower = _inverse_anscombe(fit_a - z * scale)
    upper = _inverse_anscombe(fit_a + z * scale)
    obs = np.asarray(observed, dtype=float)
    flag = np.where(obs > upper, 1, np.where(obs < lower, -1, 0))
    score = (_anscombe(obs) - fit_a) / scale
    return pd.DataFrame(
        {
            "observed": obs,
            "expected": _inverse_anscombe(fit_a),
            "lower": lower,
            "upper": upper,
            "score": score,
            "anomaly": flag,
        },
        index=index,
    )


def _baselines(a: np.ndarray, dow: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every day ``t``: level, weekday effects and spread from ``a[:t]`` only (NaN without history).

    Returns ``level`` (n,), ``effects`` (n, 7) by ``day_of_week`` summing to 0, and ``spread``
    (n,), the robust spread of the weekday-adjusted baseline days around the level.
    """
    n = len(a)
    # deviation from the centred 7-day mean: known once day j + 3 is, so origin t uses j <= t - 4
    deviation = a - pd.Series(a).rolling(7, center=True).mean().to_numpy()
    effects = np.full((n, 7), np.nan)
    last_usable = np.arange(n) - 4
    for d in range(7):
        idx = np.flatnonzero((dow == d) & np.isfinite(deviation))
        if not len(idx):
            continue
        med = pd.Series(deviation[idx]).rolling(PROFILE_WEEKS, min_periods=1).median().to_numpy()
        k = np.searchsorted(idx, last_usable, side="right") - 1
        effects[k >= 0, d] = med[k[k >= 0]]
    effects -= effects.mean(axis=1, keepdims=True)
    level = np.full(n, np.nan)
    spread = np.full(n, np.nan)
    if n > days:
        origins = np.arange(days, n)
        window = origins[:, None] - days + np.arange(days)[None, :]  # the `days` days before each origin
        adjusted = a[window] - effects[origins[:, None], dow[window]]
        level[origins] = np.median(adjusted, axis=1)
        dev = np.abs(adjusted - level[origins, None])
        spread[origins] = np.maximum(1.4826 * np.median(dev, axis=1), 1.0)
    return level, effects, spread


def expected_band(daily: pd.Series, grain: str = "day", *, z: float = 3.0, baseline_days: int = 28) -> pd.DataFrame:
    """Expected counts with a band, and anomaly flags, for a daily count series.

    The band of a day (or of a week, as of its Monday) depends only on the days before
    it: appending days never changes an earlier row.

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
    below, 0 inside). The first ``baseline_days`` days (and weeks whose Monday falls in
    them or before the series) have no expectation and are left out; empty when the
    series has fewer than ``max(MIN_HISTORY_DAYS, baseline_days + 7)`` days.

    Examples
    --------
    >>> days = pd.date_range("2026-01-05", periods=70, freq="D")
    >>> quiet_then_burst = pd.Series([0.0] * 63 + [40.0] * 7, index=days)
    >>> band = expected_band(quiet_then_burst)
    >>> int((band["anomaly"] == -1).sum()), int(band["anomaly"].iloc[-7])
    (0, 1)
    """
    _check_grain(grain, ANOMALY_GRAINS)
    empty = pd.DataFrame(columns=["observed", "expected", "lower", "upper", "score", "anomaly"])
    y = daily.astype(float)
    if len(y) < max(MIN_HISTORY_DAYS, baseline_days + 7):
        return empty
    if not isinstance(y.index, pd.DatetimeIndex) or (y.index.to_series().diff().dropna() != pd.Timedelta(days=1)).any():
        raise ValueError("daily needs a complete daily DatetimeIndex (fill missing days with zeros)")
    a = _anscombe(y.to_numpy())
    dow = y.index.day_of_week.to_numpy()
    n = len(a)
    level, effects, spread = _baselines(a, dow, baseline_days)
    fit = level + effects[np.arange(n), dow]
    # A day's width also reflects how wrong the expectation was on the days before it.
    past = pd.Series(np.abs(a - fit)).rolling(SCALE_DAYS, min_periods=14).median().shift(1).to_numpy()
    day_scale = np.fmax(1.4826 * past, spread)
    if grain == "day":
        pos = np.flatnonzero(np.isfinite(fit))
        if not len(pos):
            return empty
        return _band_frame(y.index[pos], y.to_numpy()[pos], fit[pos], day_scale[pos], z)
    mondays = np.flatnonzero((dow == 0) & np.isfinite(level) & np.isfinite(effects).all(axis=1))
    if not len(mondays):
        return empty
    days = mondays[:, None] + np.arange(7)[None, :]
    inside = days < n  # the last week may be partial
    days = np.minimum(days, n - 1)
    # every day of a week is expected as of its Monday
    daily_fit = level[mondays, None] + effects[mondays[:, None], dow[days]]
    exp_w = np.where(inside, _inverse_anscombe(daily_fit), 0.0).sum(axis=1)
    obs_w = np.where(inside, y.to_numpy()[days], 0.0).sum(axis=1)
    fit_w = _anscombe(exp_w)
    # A week's residual is known once it is over: week i sees the weeks before it only.
    resid = np.where(inside.all(axis=1), np.abs(_anscombe(obs_w) - fit_w), np.nan)
    past_w = pd.Series(resid).rolling(SCALE_WEEKS, min_periods=4).median().shift(1).to_numpy()
    # Never below the Monday's spread of single days: overdispersion of independent days
    # keeps its size on the Anscombe scale of their sum. Until four weeks are known, the
    # daily excess over unit variance counts as shared by all seven days (as the error of
    # a lagging level is), which adds up seven-fold in a week.
    early = np.sqrt(1.0 + 7.0 * (day_scale[mondays] ** 2 - 1.0))
    scale = np.where(np.isfinite(past_w), np.fmax(1.4826 * past_w, spread[mondays]), early)
    # On the Anscombe scale noise has unit variance whatever the sum, while an error of
    # the expectation grows with sqrt(sum): a partial week of k days keeps k/7 of the excess.
    scale = np.sqrt(1.0 + (scale**2 - 1.0) * inside.sum(axis=1) / 7.0)
    return _band_frame(y.index[mondays], obs_w, fit_w, scale, z)


def anomaly_drivers(
    anomalies: pd.DataFrame, breakdown: pd.DataFrame, grain: str = "day", baseline_periods: int = 4
) -> pd.DataFrame:
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
        index="bucket", columns="key", values="events", aggfunc="sum", fill_value=0
    )
    step = pd.Timedelta(days=7)  # same weekday last week, or last week
    table = table.reindex(
        pd.date_range(table.index.min(), table.index.max(), freq="D" if grain == "day" else "7D"), fill_value=0
    )
    rows = []
    for bucket, flag in zip(pd.to_datetime(anomalies.index), anomalies["anomaly"], strict=True):
        if bucket not in table.index:
            continue
        past = [bucket - step * k for k in range(1, baseline_periods + 1)]
        past = [p for p in past if p in table.index]
        if not past:
            continue
        # pandas-stubs: one label of a unique index may be a frame for them; here it is the row
        observed: pd.Series = table.loc[bucket]  # type: ignore[assignment]
        baseline: pd.Series = table.loc[past].mean()
        excess = observed - baseline
        direction = 1 if flag >= 0 else -1
        top = int(np.argmax((excess * direction).to_numpy()))  # the first largest, as idxmax
        total = float(excess.sum())
        gain = float(excess.iloc[top])
        rows.append(
            (
                bucket,
                excess.index[top],
                float(observed.iloc[top]),
                float(baseline.iloc[top]),
                gain,
                gain / total if total * direction > 0 else np.nan,
            )
        )
    return pd.DataFrame(rows, columns=cols)
