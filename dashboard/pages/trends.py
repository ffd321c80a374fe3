"""Trends (趋势): counts against the previous period and last year, breakdowns, anomaly flags
with what drove them, and a 7-day forecast beside its measured backtest error."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.charts import cached_chart
from dashboard.components import columns as col
from dashboard.components import numbers as num
from dashboard.components.cached import cached_answer, cached_compute
from dashboard.components.filters import data_window, last_day, render_filters
from dashboard.components.names import (
    category_names,
    department_names,
    lookups,
    source_names,
    street_names,
)
from dashboard.i18n import t
from dashboard.safe_text import md
from dashboard.state import get_store
from dashboard.trend_view import (
    band_figure,
    breakdown_figure,
    forecast_figure,
    periods_figure,
)
from data.store import Store
from geo.forecast import MIN_TRAIN_DAYS, BacktestResult
from geo.periods import periods
from geo.trends import GRAINS
from queries import EventFilter
from queries.answers import trends
from queries.answers.trends import BACKTEST_WEEKS, BAND_WIDTHS, FORECAST_HISTORY


def render() -> None:
    """The page: the period comparison, the breakdown, the anomalies, the forecast."""
    store = get_store()
    has_streets = len(lookups(store)["streets"]) > 0  # a store without streets has nothing to break down by street
    flt = render_filters(store, departments=True)
    first_day, _ = data_window(store)
    names = {
        "category": category_names(store),
        "department": department_names(store),
        "street": street_names(store),
        "source": source_names(),
    }
    dim_labels = {
        "category": t("category"),
        "source": t("source"),
        "department": t("department"),
        "street": t("street"),
    }
    st.title(t("trends_title"))
    st.caption(t("trends_caption", start=flt.start.date(), end=last_day(flt)))
    grain = render_periods(store, flt, first_day)
    render_breakdown(store, flt, grain, names, {d: v for d, v in dim_labels.items() if d != "street" or has_streets})
    render_anomalies(store, flt, grain, first_day, names)
    render_forecast(store, flt, first_day, names, dim_labels, has_streets)


def render_periods(store: Store, flt: EventFilter, first_day: date) -> str:
    """Counts per day, week or month with the previous period and last year; returns the grain."""
    grain = st.radio(
        t("trends_grain"),
        GRAINS,
        horizontal=True,
        key="trends_grain",
        format_func={g: t(f"trends_grain_{g}") for g in GRAINS}.get,
    )
    cmp = cached_answer(trends.period_comparison, store, flt, grain, first_day)
    st.subheader(t("trends_periods_title"))
    cached_chart(
        periods_figure,
        cmp.current,
        cmp.previous,
        cmp.last_year,
        grain=grain,
        labels={
            "current": t("trends_current"),
            "previous": t("trends_previous"),
            "last_year": t("trends_last_year"),
            "partial": t("trends_partial_bucket"),
            "x": t(f"trends_grain_{grain}"),
            "y": t("trend_y"),
        },
        key="trends_periods_chart",
    )
    m1, m2, m3 = st.columns(3)
    m1.metric(t("trends_current"), num.count(cmp.current_total), border=True)
    for column, period, label in ((m2, "previous", "trends_previous"), (m3, "last_year", "trends_last_year")):
        # a comparison window that the data cover only in part has no total to compare with
        change = cmp.change(period)
        column.metric(
            t(label),
            num.count(cmp.total(period)),
            None if change is None else num.signed_percent(change),
            delta_color="normal" if change is None or round(change, 3) != 0 else "off",
            border=True,
        )
    w = cmp.windows
    notes = [
        t(
            "trends_windows_note",
            current=num.span(w.start, w.end),
            previous=num.span(w.prev_start, w.start),
            last_year=num.span(w.ly_start, w.ly_end),
        )
    ]
    clipped = cmp.current[cmp.current["partial"]]
    if len(clipped):
        parts = [
            t(
                "trends_partial_one",
                label=num.period_label(row.bucket, grain),
                span=num.span(row.first, row.end),
                days=row.days,
                full=7 if grain == "week" else pd.Timestamp(row.bucket).days_in_month,
            )
            for row in clipped.itertuples()
        ]
        notes.append(t("trends_partial_periods", periods=t("num_list_sep").join(parts)))
    if cmp.last_year["events"].isna().any():
        notes.append(t("trends_no_last_year", first=first_day))
    st.caption(" ".join(notes))
    return grain


def render_breakdown(
    store: Store, flt: EventFilter, grain: str, names: dict[str, dict[str, str]], dim_labels: dict[str, str]
) -> None:
    """Counts per category, source, department or street, stacked or as small multiples."""
    st.subheader(t("trends_breakdown_title"))
    b1, b2 = st.columns([3, 2])
    dim = b1.radio(
        t("trends_breakdown_by"), list(dim_labels), horizontal=True, key="trends_dim", format_func=dim_labels.get
    )
    modes = ["stacked", "multiples"]
    mode = b2.radio(
        t("trends_breakdown_mode"),
        modes,
        horizontal=True,
        key="trends_mode",
        format_func={m: t(f"trends_mode_{m}") for m in modes}.get,
    )
    full = cached_answer(trends.breakdown, store, flt, grain, dim, other=t("trends_other"))
    buckets = periods(flt.start, flt.end, grain)
    clipped = buckets[buckets["partial"]]
    if len(full):
        cached_chart(
            breakdown_figure,
            full,
            names=names[dim],
            mode=mode,
            grain=grain,
            labels={"y": t("trend_y")},
            partial=clipped["bucket"].tolist(),
            key="trends_breakdown_chart",
        )
    else:
        st.info(t("no_data"))


def render_anomalies(
    store: Store, flt: EventFilter, grain: str, first_day: date, names: dict[str, dict[str, str]]
) -> None:
    """The expected band, the days or weeks outside it and what drove each."""
    st.subheader(t("trends_anomaly_title"))
    a1, a2 = st.columns([2, 3])
    anomaly_grain = trends.anomaly_grain(grain)
    z = a1.select_slider(
        t("trends_band_width"), list(BAND_WIDTHS), value=3.0, key="trends_z", help=t("trends_band_help")
    )
    if grain == "month":
        a2.caption(t("trends_anomaly_month"))
    in_window = cached_answer(trends.anomaly_band, store, flt, grain, float(z), first_day)
    if in_window.empty:
        st.info(t("trends_anomaly_short"))
    else:
        cached_chart(
            band_figure,
            in_window,
            grain=anomaly_grain,
            labels={
                "band": t("trends_band"),
                "expected": t("trends_expected"),
                "observed": t("trends_observed"),
                "high": t("trends_high"),
                "low": t("trends_low"),
                "y": t("trend_y"),
            },
            key="trends_band_chart",
        )
        flagged = in_window[in_window["anomaly"] != 0]
        if flagged.empty:
            st.success(t("trends_no_anomaly", z=z))
        else:
            drivers = cached_answer(trends.anomaly_drivers, store, flt, flagged, grain)

            def _driver(d: str, bucket: pd.Timestamp) -> str:
                if bucket not in drivers[d].index:
                    return "—"
                row = drivers[d].loc[bucket]
                return f"{names[d].get(row['key'], row['key'])} ({row['observed']:,.0f} / {row['baseline']:,.1f})"

            listing = pd.DataFrame(
                {
                    "bucket": [b.strftime("%Y-%m-%d") for b in flagged.index],
                    "direction": [t("trends_high") if a > 0 else t("trends_low") for a in flagged["anomaly"]],
                    "observed": flagged["observed"].to_numpy(),
                    "expected": flagged["expected"].round(1).to_numpy(),
                    "band": [
                        f"{lo:,.0f} – {hi:,.0f}" for lo, hi in zip(flagged["lower"], flagged["upper"], strict=True)
                    ],
                    "category": [_driver("category", b) for b in flagged.index],
                    "street": [_driver("street", b) for b in flagged.index],
                }
            )
            col.dataframe(
                listing,
                hide_index=True,
                width="stretch",
                key="trends_anomaly_table",
                column_config={
                    "bucket": col.text(t(f"trends_grain_{anomaly_grain}")),
                    "direction": col.text(t("trends_direction")),
                    "observed": col.count(t("trends_observed")),
                    "expected": col.number(t("trends_expected"), "%.1f"),
                    "band": col.text(t("trends_band")),
                    "category": col.text(t("trends_driver_category"), "trends_driver_help"),
                    "street": col.text(t("trends_driver_street"), "trends_driver_help"),
                },
            )
    st.caption(t("trends_anomaly_note"))


def _forecast(values: tuple[float, ...], last: pd.Timestamp) -> tuple[pd.DataFrame, BacktestResult | None]:
    return trends.forecast_week(pd.Series(values, index=pd.date_range(end=last, periods=len(values), freq="D")))


def render_forecast(
    store: Store,
    flt: EventFilter,
    first_day: date,
    names: dict[str, dict[str, str]],
    dim_labels: dict[str, str],
    has_streets: bool,
) -> None:
    """The next seven days of all events, a street or a category, beside the backtest's error."""
    st.subheader(t("trends_forecast_title"))
    f1, f2 = st.columns([3, 2])
    scopes = ["all", "street", "category"] if has_streets else ["all", "category"]
    scope = f1.radio(
        t("trends_forecast_scope"),
        scopes,
        horizontal=True,
        key="trends_fc_scope",
        format_func={"all": t("trends_scope_all"), "street": t("street"), "category": t("category")}.get,
    )
    history = cached_answer(trends.forecast_history, store, flt, scope, first_day)
    if scope == "all":
        series = history.series()
        key_label = t("trends_scope_all")
    else:
        key = f2.selectbox(
            t("trends_forecast_key", what=dim_labels[scope]),
            history.keys(),
            key=f"trends_fc_{scope}",
            format_func=lambda k: names[scope].get(k, k) or "—",
        )
        series = history.series(key)
        key_label = names[scope].get(key, key)
    if not trends.can_forecast(series):
        st.info(t("trends_forecast_short", days=MIN_TRAIN_DAYS))
        return
    with st.spinner(t("trends_forecast_running")):
        fc, bt = cached_compute(_forecast, tuple(series.to_numpy()), series.index[-1])
    g1, g2 = st.columns([3, 1])
    recent = series.iloc[-7 * BACKTEST_WEEKS :]
    cached_chart(
        forecast_figure,
        recent,
        fc,
        labels={
            "history": t("trends_observed"),
            "forecast": t("trends_forecast"),
            "interval": t("trends_interval"),
            "y": t("trend_y"),
        },
        key="trends_forecast_chart",
        container=g1,
    )
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
    col.dataframe(
        pd.DataFrame({"day": days, "mean": fc["mean"], "lower": fc["lower"], "upper": fc["upper"]}),
        hide_index=True,
        width="stretch",
        key="trends_forecast_table",
        column_config={
            "day": col.text(t("trends_grain_day")),
            "mean": col.number(t("trends_forecast"), "%.1f"),
            "lower": col.number(t("trends_lower"), "%.1f"),
            "upper": col.number(t("trends_upper"), "%.1f"),
        },
    )
    st.caption(t("trends_forecast_note", weeks=BACKTEST_WEEKS, days=FORECAST_HISTORY))


with st.spinner(t("trends_computing"), show_time=True):
    render()
