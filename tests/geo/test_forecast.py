"""Forecast and backtest: a real rolling-origin computation on held-back weeks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from geo.forecast import backtest, forecast_daily, seasonal_naive


def series(n: int = 200, trend: float = 0.0, seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", periods=n, freq="D")
    weekday = np.array([1.1, 1.05, 1.0, 1.0, 1.05, 0.75, 0.7])
    lam = (60 + trend * np.arange(n)) * weekday[days.dayofweek]
    return pd.Series(rng.poisson(lam).astype(float), index=days)


def _ets_mean(train: np.ndarray, horizon: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ETSModel(
            pd.Series(train),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=7,
            initialization_method="heuristic",
        ).fit(disp=False)
    return np.clip(fit.forecast(horizon).to_numpy(), 0, None)


def test_backtest_equals_an_independent_rolling_origin_computation():
    y = series()
    result = backtest(y, weeks=8, history_days=140)
    v = y.to_numpy()
    model_errors, naive_errors = [], []
    for k in range(8, 0, -1):
        origin = len(v) - 7 * k
        train, test = v[max(0, origin - 140) : origin], v[origin : origin + 7]
        scale = np.mean(np.abs(train[7:] - train[:-7]))
        model_errors += list(np.abs(test - _ets_mean(train, 7)) / scale)
        naive_errors += list(np.abs(test - np.tile(train[-7:], 1)) / scale)
    assert len(result.errors) == 56
    assert result.mase_naive == pytest.approx(np.mean(naive_errors), rel=1e-12)
    assert result.mase_model == pytest.approx(np.mean(model_errors), rel=1e-6)


def test_held_back_days_do_not_reach_their_forecast():
    y = series()
    before = backtest(y, weeks=2)
    changed = y.copy()
    changed.iloc[-7:] *= 3  # only the last origin's held-back week changes
    after = backtest(changed, weeks=2)
    last = before.errors["origin"].max()
    b, a = before.errors.set_index(["origin", "step"]), after.errors.set_index(["origin", "step"])
    assert np.allclose(b["model"], a["model"]) and np.allclose(b["naive"], a["naive"])
    assert not np.allclose(b.loc[last, "actual"], a.loc[last, "actual"])
    assert after.mase_model > before.mase_model


def test_model_beats_naive_on_a_trend_and_not_blindly():
    trending = backtest(series(trend=0.6), weeks=8)
    assert trending.beats_naive and trending.relative < 0.9
    assert np.isfinite(trending.mase_model) and trending.mase_model > 0


def test_forecast_daily_dates_and_interval():
    y = series()
    f = forecast_daily(y, 7, alpha=0.1)
    assert f["day"].tolist() == list(pd.date_range(y.index[-1] + pd.Timedelta(days=1), periods=7))
    assert (f["lower"] <= f["mean"]).all() and (f["mean"] <= f["upper"]).all() and (f["lower"] >= 0).all()
    np.testing.assert_allclose(f["mean"], _ets_mean(y.to_numpy()[-140:], 7), rtol=1e-6)
    # the weekly rhythm carries into the forecast: weekend below weekdays
    weekend = f.loc[f["day"].dt.dayofweek >= 5, "mean"].mean()
    assert weekend < f.loc[f["day"].dt.dayofweek < 5, "mean"].mean()


def test_flat_and_short_series():
    flat = pd.Series(4.0, index=pd.date_range("2026-01-01", periods=100))
    f = forecast_daily(flat)
    assert (f["mean"] == 4).all() and (f["upper"] == 4).all()
    with pytest.raises(ValueError, match="at least"):
        forecast_daily(flat.iloc[:10])
    with pytest.raises(ValueError, match="at least"):
        backtest(flat.iloc[:60], weeks=8)
    assert np.isnan(backtest(flat, weeks=8).mase_model)  # no seasonal variation: MASE undefined


def test_seasonal_naive_repeats_the_last_week():
    assert seasonal_naive(np.arange(14.0), 7).tolist() == list(range(7, 14))
