"""Short daily forecasts with intervals, and their backtest against the seasonal-naive rule.

The model is exponential smoothing with additive error, additive damped trend and an
additive weekly season, ETS(A,Ad,A) (Hyndman et al., *Forecasting with Exponential
Smoothing*, 2008), fitted by statsmodels' ``ETSModel`` with heuristic initial states
(fast: a few hundredths of a second per fit). Intervals are the model's analytical
prediction intervals, clipped at zero because counts cannot be negative.

Nobody should trust a forecast that does not beat the naive one, so
:func:`backtest` refits the model at each of the last ``weeks`` weekly origins, forecasts
the following 7 days (held back from the fit) and scores it together with the
seasonal-naive forecast (each day = the same weekday of the last observed week) by the
mean absolute scaled error (MASE, Hyndman & Koehler 2006): absolute errors divided by the
in-sample mean absolute seasonal difference of the data the model saw.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "SEASON",
    "BacktestResult",
    "HistoryTooShort",
    "backtest",
    "forecast_daily",
    "seasonal_naive",
]

SEASON = 7
"""Seasonal period of the daily models (a week)."""

MIN_TRAIN_DAYS = 4 * SEASON
"""Fewer days than this are too few to fit (heuristic initialisation needs whole weeks)."""


class HistoryTooShort(ValueError):  # noqa: N818 - names the condition
    """The series has fewer days than the model (or its backtest) needs.

    Its own class so that a page can say "not enough data" for this and nothing else.
    """

    def __init__(self, need: int, got: int) -> None:
        super().__init__(f"need at least {need} days of history, got {got}")
        self.need, self.got = need, got


def _fit(train: np.ndarray):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short or flat series
        model = ETSModel(
            pd.Series(train),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=SEASON,
            initialization_method="heuristic",
        )
        return model.fit(disp=False)


def _predict(train: np.ndarray, horizon: int, alpha: float) -> pd.DataFrame:
    """Mean and interval for the ``horizon`` days after ``train`` (no index)."""
    if np.ptp(train) == 0:  # a flat series: the forecast is that value, with no spread
        v = float(train[-1])
        return pd.DataFrame({"mean": [v] * horizon, "lower": [v] * horizon, "upper": [v] * horizon})
    fit = _fit(train)
    n = len(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = fit.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=alpha)
    return pd.DataFrame(
        {
            "mean": np.clip(frame["mean"].to_numpy(), 0, None),
            "lower": np.clip(frame["pi_lower"].to_numpy(), 0, None),
            "upper": np.clip(frame["pi_upper"].to_numpy(), 0, None),
        }
    )


def _check(series: pd.Series, need: int) -> np.ndarray:
    y = np.asarray(series, dtype=float)
    if len(y) < need:
        raise HistoryTooShort(need, len(y))
    if not np.isfinite(y).all():
        raise ValueError("the series has missing values; fill days without events with 0")
    return y


def forecast_daily(series: pd.Series, horizon: int = 7, *, alpha: float = 0.1, history_days: int = 140) -> pd.DataFrame:
    """Forecast the next ``horizon`` days of a daily count series with an interval.

    Parameters
    ----------
    series : counts per day, oldest first, without gaps (zeros filled); a
        ``DatetimeIndex`` gives the forecast dates
    horizon : days to forecast
    alpha : 1 - coverage of the prediction interval (0.1 → 90 % interval)
    history_days : only the most recent days are fitted (the recent level and weekly
        rhythm matter; older data would slow the fit)

    Returns
    -------
    DataFrame with ``day``, ``mean``, ``lower``, ``upper`` (clipped at 0).

    Raises
    ------
    ValueError
        With fewer than :data:`MIN_TRAIN_DAYS` days or missing values.
    """
    y = _check(series, MIN_TRAIN_DAYS)[-history_days:]
    out = _predict(y, horizon, alpha)
    days: pd.Index
    if isinstance(series.index, pd.DatetimeIndex):
        days = pd.date_range(series.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    else:
        days = pd.RangeIndex(len(series), len(series) + horizon)
    out.insert(0, "day", days)
    return out


def seasonal_naive(train: np.ndarray, horizon: int, season: int = SEASON) -> np.ndarray:
    """Each forecast day repeats the same day of the last observed season.

    Examples
    --------
    >>> seasonal_naive(np.arange(10.0), 9, season=7).tolist()
    [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 3.0, 4.0]
    """
    last = np.asarray(train, dtype=float)[-season:]
    return np.resize(last, horizon)


def _mase_scale(train: np.ndarray, season: int = SEASON) -> float:
    """In-sample mean absolute seasonal difference (the MASE denominator)."""
    diffs = np.abs(train[season:] - train[:-season])
    return float(diffs.mean()) if len(diffs) else float("nan")


@dataclass(frozen=True)
class BacktestResult:
    """Rolling-origin backtest of the forecast against seasonal naive.

    Attributes
    ----------
    errors : one row per origin and forecast day: ``origin`` (position of the first
        held-back day), ``step`` (1..horizon), ``actual``, ``model``, ``naive``,
        ``scale`` (the origin's MASE denominator)
    mase_model, mase_naive : mean of ``|actual - forecast| / scale`` over every row
    """

    errors: pd.DataFrame
    mase_model: float
    mase_naive: float

    @property
    def beats_naive(self) -> bool:
        """True when the model's MASE is below the seasonal-naive MASE."""
        return bool(self.mase_model < self.mase_naive)

    @property
    def relative(self) -> float:
        """``mase_model / mase_naive`` (below 1: the model is better)."""
        return self.mase_model / self.mase_naive if self.mase_naive else float("nan")


def backtest(series: pd.Series, horizon: int = 7, *, weeks: int = 8, history_days: int = 140) -> BacktestResult:
    """Score the forecast on the last ``weeks`` weeks, each held back in turn.

    Origins are every 7 days over the last ``weeks * 7`` days: at each, the model is fitted
    on the (at most ``history_days``) days before it, exactly as :func:`forecast_daily`
    would be, and forecasts ``horizon`` days that it did not see; the seasonal-naive
    forecast and the MASE scale come from the same training days.

    Raises
    ------
    HistoryTooShort
        When the series is shorter than ``weeks * 7 + MIN_TRAIN_DAYS`` days (a ``ValueError``).
    ValueError
        When the series has missing values.
    """
    y = _check(series, weeks * SEASON + MIN_TRAIN_DAYS)
    rows = []
    for k in range(weeks, 0, -1):
        origin = len(y) - k * SEASON
        train = y[max(0, origin - history_days) : origin]
        actual = y[origin : origin + horizon]
        model = _predict(train, horizon, 0.1)["mean"].to_numpy()[: len(actual)]
        naive = seasonal_naive(train, horizon)[: len(actual)]
        scale = _mase_scale(train)
        for step, (a, m, n) in enumerate(zip(actual, model, naive, strict=True), start=1):
            rows.append((origin, step, a, m, n, scale))
    errors = pd.DataFrame(rows, columns=["origin", "step", "actual", "model", "naive", "scale"])
    usable = errors[errors["scale"] > 0]
    if usable.empty:
        return BacktestResult(errors, float("nan"), float("nan"))
    mase_model = float((np.abs(usable["actual"] - usable["model"]) / usable["scale"]).mean())
    mase_naive = float((np.abs(usable["actual"] - usable["naive"]) / usable["scale"]).mean())
    return BacktestResult(errors, mase_model, mase_naive)
