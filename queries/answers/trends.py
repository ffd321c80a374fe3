"""The trends page's answers: counts against the previous period and last year, breakdowns,
the anomaly band with what drove its flags, and the 7-day forecast with its backtest.

The named queries ``trend_periods`` and ``trend_breakdown`` give counts per bucket; the
statistics are :mod:`geo.trends` (windows, zero filling, expected band, drivers) and
:mod:`geo.forecast`. This module knows the queries' parameters; ``geo`` does not.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from data.store import Store
from geo import forecast as geo_forecast
from geo.forecast import MIN_TRAIN_DAYS, BacktestResult
from geo.periods import period_counts
from geo.trends import TrendWindows, expected_band, fill_buckets
from geo.trends import anomaly_drivers as _anomaly_drivers
from geo.trends import trend_windows as _trend_windows
from queries.filters import EventFilter

__all__ = [
    "BACKTEST_WEEKS",
    "BAND_WIDTHS",
    "FORECAST_HISTORY",
    "HISTORY_DAYS",
    "TOP_KEYS",
    "ForecastHistory",
    "PeriodComparison",
    "PeriodWindows",
    "anomaly_band",
    "anomaly_drivers",
    "anomaly_grain",
    "breakdown",
    "can_forecast",
    "forecast_history",
    "forecast_week",
    "period_comparison",
    "top_keys",
    "trend_windows",
]

HISTORY_DAYS = 400
"""Daily history behind the anomaly band (a year plus the baseline)."""
FORECAST_HISTORY = 140
"""Days the forecast model sees (see :mod:`geo.forecast`)."""
BACKTEST_WEEKS = 8
"""Weeks of the forecast's backtest."""
TOP_KEYS = 12
"""Breakdown keys shown by name; the rest are summed as "other"."""
BAND_WIDTHS: tuple[float, ...] = (2.5, 3.0, 3.5, 4.0)
"""Half-widths of the anomaly band offered, in robust standard deviations."""
DRIVER_DIMS: tuple[str, ...] = ("category", "street")
"""Breakdowns that explain an anomaly."""
DRIVER_LOOKBACK = pd.Timedelta(days=7 * 5)
"""History before the first flag that the drivers' baselines need (four comparable weeks)."""


@dataclass(frozen=True)
class PeriodWindows(TrendWindows):
    """:class:`geo.trends.TrendWindows` with the bound parameters of ``trend_periods``."""

    def params(self) -> dict[str, object]:
        """Bound parameters of ``trend_periods`` (with the event lists added by the caller)."""
        return {
            "grain": self.grain,
            "start": self.start,
            "end": self.end,
            "prev_start": self.prev_start,
            "ly_start": self.ly_start,
            "ly_end": self.ly_end,
        }


def trend_windows(first: date, last: date, grain: str) -> PeriodWindows:
    """:func:`geo.trends.trend_windows` for the days ``first`` .. ``last``, with query parameters."""
    w = _trend_windows(first, last, grain)
    return PeriodWindows(**{f.name: getattr(w, f.name) for f in fields(w)})


def _last_day(flt: EventFilter) -> date:
    return (flt.end - pd.Timedelta(days=1)).date()


@dataclass(frozen=True)
class PeriodComparison:
    """Counts per bucket of the current window, the previous period and last year.

    Each frame is :func:`geo.periods.period_counts` of its window in the current window's
    buckets: ``bucket`` (the current bucket's start), ``index``, ``first``/``end`` (the
    series' own dates), ``days``, ``partial`` and ``events`` (float; NaN for a bucket whose
    own first day lies before the first day with data: unknown, not zero).
    """

    windows: PeriodWindows
    current: pd.DataFrame
    previous: pd.DataFrame
    last_year: pd.DataFrame

    @property
    def current_total(self) -> float:
        """Events in the current window (unknown buckets left out)."""
        return float(self.current["events"].sum())

    def total(self, period: str) -> float | None:
        """Events of ``previous`` or ``last_year``; ``None`` when the data cover that window
        only in part (no total to compare with)."""
        frame: pd.DataFrame = getattr(self, period)
        return None if frame["events"].isna().any() else float(frame["events"].sum())

    def change(self, period: str) -> float | None:
        """Relative change of the current total against ``previous`` or ``last_year``
        (``0.05`` = 5 % more); ``None`` without a total to compare with or when it is 0."""
        total = self.total(period)
        return None if not total else (self.current_total - total) / total


def period_comparison(store: Store, flt: EventFilter, grain: str, first_day: date) -> PeriodComparison:
    """Counts per ``grain`` bucket of ``flt``'s days (the first and last bucket clipped to
    them, so every grain counts the same events), of as many days right before, and of the
    same days 52 weeks earlier (see :func:`geo.trends.trend_windows`), each comparison counted
    in the current buckets moved back; ``first_day`` is the first day the store has data for."""
    w = trend_windows(flt.start.date(), _last_day(flt), grain)
    daily = store.fetch("trend_periods", **{**flt.params(), **w.params(), "grain": "day"})

    def series(period: str, shift: timedelta) -> pd.DataFrame:
        if w.end - shift <= datetime.combine(first_day, time()):
            # wholly before the data (also keeps a centuries-long window's dates in range)
            frame = period_counts(daily.iloc[:0], w.start, w.end, grain).astype({"events": float})
            frame[["first", "end"]] = pd.NaT
            frame["events"] = np.nan
            return frame
        frame = period_counts(daily[daily["period"] == period], w.start, w.end, grain, shift)
        frame = frame.astype({"events": float})
        frame.loc[frame["first"] < pd.Timestamp(first_day), "events"] = np.nan
        return frame

    return PeriodComparison(
        w,
        series("current", timedelta(0)),
        series("previous", w.start - w.prev_start),
        series("last_year", w.start - w.ly_start),
    )


def top_keys(frame: pd.DataFrame, n: int, other: str) -> pd.DataFrame:
    """Keep the ``n`` keys with most events; the rest become ``other`` (summed per bucket)."""
    totals = frame.groupby("key")["events"].sum().sort_values(ascending=False)
    keep = set(totals.index[:n])
    out = frame.assign(key=frame["key"].where(frame["key"].isin(keep), other))
    # pandas-stubs type groupby(...)[col].sum() as a Series; with as_index=False it is a DataFrame
    return out.groupby(["bucket", "key"], as_index=False, sort=False)["events"].sum()  # type: ignore[return-value]


def breakdown(store: Store, flt: EventFilter, grain: str, dim: str, *, other: str, top: int = TOP_KEYS) -> pd.DataFrame:
    """Counts per bucket and ``dim`` value (category, source, department, street) over the
    chart's window (``flt``'s days; the first and last bucket clipped to them), the ``top``
    keys by name and the rest as ``other``, every bucket filled (``bucket``, ``index``,
    ``events``, ``key``; a missing key is "—"). Empty without events."""
    frame = store.fetch("trend_breakdown", **flt.params(), grain=grain, dim=dim)
    if not len(frame):
        return frame
    frame["key"] = frame["key"].fillna("—")
    shown = top_keys(frame, top, other)
    return pd.concat(
        [
            fill_buckets(shown[shown["key"] == k], flt.start, flt.end, grain).assign(key=k)
            for k in shown["key"].unique()
        ],
        ignore_index=True,
    )


def anomaly_grain(grain: str) -> str:
    """The bucket anomalies are judged at for a chart of ``grain``: weeks for weeks, else days."""
    return "week" if grain == "week" else "day"


def anomaly_band(store: Store, flt: EventFilter, grain: str, z: float, first_day: date) -> pd.DataFrame:
    """:func:`geo.trends.expected_band` of the daily counts (up to :data:`HISTORY_DAYS` of
    history, none before ``first_day``) at :func:`anomaly_grain`, the rows inside ``flt``'s
    window (a week that overlaps its start included)."""
    g = anomaly_grain(grain)
    hist_start = max(pd.Timestamp(flt.end) - pd.Timedelta(days=HISTORY_DAYS), pd.Timestamp(first_day))
    history = replace(flt, start=hist_start.to_pydatetime(), end=flt.end)
    daily_all = store.fetch("trend_breakdown", **history.params(), grain="day", dim="none")
    daily = fill_buckets(daily_all, history.start, history.end, "day").set_index("bucket")["events"]
    band = expected_band(daily, g, z=float(z))
    if not len(band):
        return band
    since = pd.Timestamp(flt.start) - pd.Timedelta(days=6 if g == "week" else 0)
    return band[(band.index >= since) & (band.index < pd.Timestamp(flt.end))]


def anomaly_drivers(store: Store, flt: EventFilter, flagged: pd.DataFrame, grain: str) -> dict[str, pd.DataFrame]:
    """For each of :data:`DRIVER_DIMS`, the value that moved most in each flagged bucket
    (rows of :func:`anomaly_band` with ``anomaly != 0``), indexed by bucket, with ``key``,
    ``observed``, ``baseline``, ``excess`` and ``share`` (:func:`geo.trends.anomaly_drivers`).
    ``grain`` is the chart's grain."""
    g = anomaly_grain(grain)
    window = replace(flt, start=(flagged.index.min() - DRIVER_LOOKBACK).to_pydatetime(), end=flt.end)
    drivers = {}
    for dim in DRIVER_DIMS:
        frame = store.fetch("trend_breakdown", **window.params(), grain=g, dim=dim)
        drivers[dim] = _anomaly_drivers(flagged, frame, g).set_index("bucket")
    return drivers


@dataclass(frozen=True)
class ForecastHistory:
    """Daily counts the forecast is fitted on: all events (``scope='all'``) or per key of
    ``scope`` (street, category), from ``start`` to ``end``."""

    scope: str
    start: datetime
    end: datetime
    per_key: pd.DataFrame

    def keys(self) -> list[str]:
        """The scope's keys, most events first (``[""]`` when there are none)."""
        totals = self.per_key.groupby("key")["events"].sum().sort_values(ascending=False)
        return list(totals.index) or [""]

    def series(self, key: str | None = None) -> pd.Series:
        """Daily counts (float, zeros filled) of ``key``, or of all events for ``scope='all'``."""
        frame = self.per_key if self.scope == "all" else self.per_key[self.per_key["key"] == key]
        return fill_buckets(frame, self.start, self.end, "day").set_index("bucket")["events"].astype(float)


def forecast_history(store: Store, flt: EventFilter, scope: str, first_day: date) -> ForecastHistory:
    """The daily history behind the forecast and its backtest (:data:`FORECAST_HISTORY` plus
    :data:`BACKTEST_WEEKS` weeks up to ``flt``'s end, none before ``first_day``), for ``scope``
    ``all``, ``street`` or ``category``."""
    start = max(
        pd.Timestamp(flt.end) - pd.Timedelta(days=FORECAST_HISTORY + 7 * BACKTEST_WEEKS), pd.Timestamp(first_day)
    )
    window = replace(flt, start=start.to_pydatetime(), end=flt.end)
    dim = "none" if scope == "all" else scope
    per_key = store.fetch("trend_breakdown", **window.params(), grain="day", dim=dim)
    return ForecastHistory(scope, window.start, window.end, per_key)


def can_forecast(series: pd.Series) -> bool:
    """Whether ``series`` is long enough (:data:`geo.forecast.MIN_TRAIN_DAYS`) and not all zero."""
    return not (len(series) < MIN_TRAIN_DAYS or series.sum() == 0)


def forecast_week(series: pd.Series) -> tuple[pd.DataFrame, BacktestResult | None]:
    """The next 7 days' forecast (90 % interval) of a daily series, and its backtest over
    :data:`BACKTEST_WEEKS` weeks; ``None`` for the backtest only when the history is too
    short (:class:`geo.forecast.HistoryTooShort`; other errors propagate)."""
    # through the module, so that a replaced geo.forecast.backtest (the tests do) is the one called
    fc = geo_forecast.forecast_daily(series, 7, alpha=0.1, history_days=FORECAST_HISTORY)
    try:
        bt = geo_forecast.backtest(series, 7, weeks=BACKTEST_WEEKS, history_days=FORECAST_HISTORY)
    except geo_forecast.HistoryTooShort:
        bt = None
    return fc, bt
