"""Trends (趋势): counts against the previous period and last year, breakdowns, anomaly flags
with what drove them, and a 7-day forecast beside its measured backtest error."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.components.cached import cached_fetch
from dashboard.components.filters import data_window, render_filters
from dashboard.components.names import lookups
from dashboard.i18n import name_column, t
from dashboard.safe_text import md
from dashboard.state import get_store
from dashboard.trend_view import (
    band_figure,
    breakdown_figure,
    forecast_figure,
    periods_figure,
    top_keys,
)
from geo.forecast import (
    MIN_TRAIN_DAYS,
    BacktestResult,
    HistoryTooShort,
    backtest,
    forecast_daily,
)
from geo.trends import (
    GRAINS,
    anomaly_drivers,
    expected_band,
    fill_buckets,
    trend_windows,
)

HISTORY_DAYS = 400  # daily history behind the anomaly band (a year plus the baseline)
FORECAST_HISTORY = 140  # days the forecast model sees (see geo.forecast)
BACKTEST_WEEKS = 8
TOP_KEYS = 12

store = get_store()
tables = lookups(store)
flt = render_filters(store, departments=True)
first_day, _ = data_window(store)
name_col = name_column()
names = {
    "category": dict(zip(tables["categories"]["code"], tables["categories"][name_col], strict=True)),
    "department": dict(zip(tables["departments"]["code"], tables["departments"][name_col], strict=True)),
    "street": dict(zip(tables["streets"]["area_id"], tables["streets"][name_col], strict=True)),
    "source": {s: t(f"source_{s}") for s in ("patrol", "hotline", "app", "sensor", "video")},
}
dim_labels = {"category": t("category"), "source": t("source"), "department": t("department"),
              "street": t("street")}

st.title(t("trends_title"))
last_day = (flt.end - pd.Timedelta(days=1)).date()
st.caption(t("trends_caption", start=flt.start.date(), end=last_day))

# --- counts with the previous period and last year ---------------------------------------------
grain = st.radio(t("trends_grain"), GRAINS, horizontal=True, key="trends_grain",
                 format_func={g: t(f"trends_grain_{g}") for g in GRAINS}.get)
w = trend_windows(flt.start.date(), last_day, grain)
window = replace(flt, start=w.start, end=w.end)
periods = cached_fetch(store, "trend_periods", **{**window.params(), **w.params()})


def _series(period: str, start, end) -> pd.DataFrame:
    frame = fill_buckets(periods[periods["period"] == period], start, end, grain).astype({"events": float})
    # a bucket starting before the first day with data is not a count of zero but unknown
    frame.loc[frame["bucket"] < pd.Timestamp(first_day), "events"] = np.nan
    return frame


current = _series("current", w.start, w.end)
previous = _series("previous", w.prev_start, w.start)
last_year = _series("last_year", w.ly_start, w.ly_end)
st.subheader(t("trends_periods_title"))
st.plotly_chart(periods_figure(current, previous, last_year, grain=grain, partial_end=w.partial_end, labels={
    "current": t("trends_current"), "previous": t("trends_previous"), "last_year": t("trends_last_year"),
    "partial": t("trends_partial"), "x": t(f"trends_grain_{grain}"), "y": t("trend_y")}),
    width="stretch", key="trends_periods_chart")
m1, m2, m3 = st.columns(3)
cur_total = current["events"].sum()
m1.metric(t("trends_current"), f"{cur_total:,.0f}", border=True)
for col, frame, label in ((m2, previous, "trends_previous"), (m3, last_year, "trends_last_year")):
    # a comparison window that the data cover only in part has no total to compare with
    total = None if frame["events"].isna().any() else float(frame["events"].sum())
    col.metric(t(label), "—" if total is None else f"{total:,.0f}",
               None if not total else f"{(cur_total - total) / total:+.1%}", border=True)
notes = []
if w.partial_end:
    notes.append(t("trends_partial_note"))
if last_year["events"].isna().any():
    notes.append(t("trends_no_last_year", first=first_day))
if notes:
    st.caption(" ".join(notes))

# --- breakdown ----------------------------------------------------------------------------------------
st.subheader(t("trends_breakdown_title"))
b1, b2 = st.columns([3, 2])
has_streets = len(tables["streets"]) > 0  # a store without streets has nothing to break down by street
dims = [d for d in dim_labels if d != "street" or has_streets]
dim = b1.radio(t("trends_breakdown_by"), dims, horizontal=True, key="trends_dim", format_func=dim_labels.get)
modes = ["stacked", "multiples"]
mode = b2.radio(t("trends_breakdown_mode"), modes, horizontal=True, key="trends_mode",
                format_func={m: t(f"trends_mode_{m}") for m in modes}.get)
breakdown = cached_fetch(store, "trend_breakdown", **window.params(), grain=grain, dim=dim)
if len(breakdown):
    breakdown["key"] = breakdown["key"].fillna("—")
    shown = top_keys(breakdown, TOP_KEYS, t("trends_other"))
    full = pd.concat([fill_buckets(shown[shown["key"] == k], w.start, w.end, grain).assign(key=k)
                      for k in shown["key"].unique()], ignore_index=True)
    st.plotly_chart(breakdown_figure(full, names=names[dim], mode=mode, grain=grain, labels={"y": t("trend_y")}),
                    width="stretch", key="trends_breakdown_chart")
else:
    st.info(t("no_data"))

# --- anomalies ------------------------------------------------------------------------------------------
st.subheader(t("trends_anomaly_title"))
a1, a2 = st.columns([2, 3])
anomaly_grain = "week" if grain == "week" else "day"
a_levels = [2.5, 3.0, 3.5, 4.0]
z = a1.select_slider(t("trends_band_width"), a_levels, value=3.0, key="trends_z", help=t("trends_band_help"))
if grain == "month":
    a2.caption(t("trends_anomaly_month"))
hist_start = max(pd.Timestamp(flt.end) - pd.Timedelta(days=HISTORY_DAYS), pd.Timestamp(first_day))
history = replace(flt, start=hist_start.to_pydatetime(), end=flt.end)
daily_all = cached_fetch(store, "trend_breakdown", **history.params(), grain="day", dim="none")
daily = fill_buckets(daily_all, history.start, history.end, "day").set_index("bucket")["events"]
band = expected_band(daily, anomaly_grain, z=float(z))
in_window = band[(band.index >= pd.Timestamp(flt.start) - pd.Timedelta(days=6 if anomaly_grain == "week" else 0))
                 & (band.index < pd.Timestamp(flt.end))] if len(band) else band
if in_window.empty:
    st.info(t("trends_anomaly_short"))
else:
    st.plotly_chart(band_figure(in_window, grain=anomaly_grain, labels={
        "band": t("trends_band"), "expected": t("trends_expected"), "observed": t("trends_observed"),
        "high": t("trends_high"), "low": t("trends_low"), "y": t("trend_y")}), width="stretch",
        key="trends_band_chart")
    flagged = in_window[in_window["anomaly"] != 0]
    if flagged.empty:
        st.success(t("trends_no_anomaly", z=z))
    else:
        lookback = pd.Timedelta(days=7 * 5)
        driver_window = replace(flt, start=(flagged.index.min() - lookback).to_pydatetime(), end=flt.end)
        drivers = {}
        for d in ("category", "street"):
            frame = cached_fetch(store, "trend_breakdown", **driver_window.params(), grain=anomaly_grain, dim=d)
            drivers[d] = anomaly_drivers(flagged, frame, anomaly_grain).set_index("bucket")
        fmt = "%Y-%m-%d"

        def _driver(d: str, bucket: pd.Timestamp) -> str:
            if bucket not in drivers[d].index:
                return "—"
            row = drivers[d].loc[bucket]
            return f"{names[d].get(row['key'], row['key'])} ({row['observed']:,.0f} / {row['baseline']:,.1f})"

        listing = pd.DataFrame({
            "bucket": [b.strftime(fmt) for b in flagged.index],
            "direction": [t("trends_high") if a > 0 else t("trends_low") for a in flagged["anomaly"]],
            "observed": flagged["observed"].to_numpy(),
            "expected": flagged["expected"].round(1).to_numpy(),
            "band": [f"{lo:,.0f} – {hi:,.0f}" for lo, hi in zip(flagged["lower"], flagged["upper"], strict=True)],
            "category": [_driver("category", b) for b in flagged.index],
            "street": [_driver("street", b) for b in flagged.index],
        })
        st.dataframe(listing, hide_index=True, width="stretch", key="trends_anomaly_table", column_config={
            "bucket": st.column_config.TextColumn(t(f"trends_grain_{anomaly_grain}")),
            "direction": st.column_config.TextColumn(t("trends_direction")),
            "observed": st.column_config.NumberColumn(t("trends_observed"), format="%d"),
            "expected": st.column_config.NumberColumn(t("trends_expected"), format="%.1f"),
            "band": st.column_config.TextColumn(t("trends_band")),
            "category": st.column_config.TextColumn(t("trends_driver_category"), help=t("trends_driver_help")),
            "street": st.column_config.TextColumn(t("trends_driver_street"), help=t("trends_driver_help")),
        })
st.caption(t("trends_anomaly_note"))

# --- forecast with its backtest -------------------------------------------------------------------------
st.subheader(t("trends_forecast_title"))
f1, f2 = st.columns([3, 2])
scopes = ["all", "street", "category"] if has_streets else ["all", "category"]
scope = f1.radio(t("trends_forecast_scope"), scopes, horizontal=True, key="trends_fc_scope",
                 format_func={"all": t("trends_scope_all"), "street": t("street"), "category": t("category")}.get)
fc_start = max(pd.Timestamp(flt.end) - pd.Timedelta(days=FORECAST_HISTORY + 7 * BACKTEST_WEEKS),
               pd.Timestamp(first_day))
fc_window = replace(flt, start=fc_start.to_pydatetime(), end=flt.end)
if scope == "all":
    fc_frame = cached_fetch(store, "trend_breakdown", **fc_window.params(), grain="day", dim="none")
    key_label = t("trends_scope_all")
else:
    per_key = cached_fetch(store, "trend_breakdown", **fc_window.params(), grain="day", dim=scope)
    totals = per_key.groupby("key")["events"].sum().sort_values(ascending=False)
    options = list(totals.index)
    if not options:
        options = [""]
    key = f2.selectbox(t("trends_forecast_key", what=dim_labels[scope]), options, key=f"trends_fc_{scope}",
                       format_func=lambda k: names[scope].get(k, k) or "—")
    fc_frame = per_key[per_key["key"] == key]
    key_label = names[scope].get(key, key)
series = fill_buckets(fc_frame, fc_window.start, fc_window.end, "day").set_index("bucket")["events"].astype(float)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _forecast(values: tuple[float, ...], last: pd.Timestamp) -> tuple[pd.DataFrame, BacktestResult | None]:
    s = pd.Series(values, index=pd.date_range(end=last, periods=len(values), freq="D"))
    fc = forecast_daily(s, 7, alpha=0.1, history_days=FORECAST_HISTORY)
    try:
        bt = backtest(s, 7, weeks=BACKTEST_WEEKS, history_days=FORECAST_HISTORY)
    except HistoryTooShort:  # only this is "not enough data"; other errors are the page's error message
        bt = None
    return fc, bt


if len(series) < MIN_TRAIN_DAYS or series.sum() == 0:
    st.info(t("trends_forecast_short", days=MIN_TRAIN_DAYS))
else:
    with st.spinner(t("trends_forecast_running")):
        fc, bt = _forecast(tuple(series.to_numpy()), series.index[-1])
    g1, g2 = st.columns([3, 1])
    recent = series.iloc[-7 * BACKTEST_WEEKS:]
    g1.plotly_chart(forecast_figure(recent, fc, labels={
        "history": t("trends_observed"), "forecast": t("trends_forecast"), "interval": t("trends_interval"),
        "y": t("trend_y")}), width="stretch", key="trends_forecast_chart")
    with g2:
        st.markdown(f"**{md(key_label)}**")
        if bt is None or not np.isfinite(bt.mase_model):
            st.metric(t("trends_mase_model"), "—", border=True)
            st.caption(t("trends_backtest_short", weeks=BACKTEST_WEEKS))
        else:
            st.metric(t("trends_mase_model"), f"{bt.mase_model:.2f}", border=True, help=t("trends_mase_help"))
            st.metric(t("trends_mase_naive"), f"{bt.mase_naive:.2f}", border=True, help=t("trends_naive_help"))
            if bt.beats_naive:
                st.success(t("trends_beats_naive", pct=(1 - bt.relative) * 100, weeks=BACKTEST_WEEKS))
            else:
                st.warning(t("trends_not_beats_naive", weeks=BACKTEST_WEEKS))
    weekdays = t("trends_weekdays").split(",")
    days = [f"{d:%Y-%m-%d} ({weekdays[d.weekday()]})" for d in fc["day"]]
    st.dataframe(pd.DataFrame({"day": days, "mean": fc["mean"],
                               "lower": fc["lower"], "upper": fc["upper"]}),
                 hide_index=True, width="stretch", key="trends_forecast_table", column_config={
                     "day": st.column_config.TextColumn(t("trends_grain_day")),
                     "mean": st.column_config.NumberColumn(t("trends_forecast"), format="%.1f"),
                     "lower": st.column_config.NumberColumn(t("trends_lower"), format="%.1f"),
                     "upper": st.column_config.NumberColumn(t("trends_upper"), format="%.1f"),
                 })
    st.caption(t("trends_forecast_note", weeks=BACKTEST_WEEKS, days=FORECAST_HISTORY))
