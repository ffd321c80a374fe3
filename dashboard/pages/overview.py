"""Leader overview (领导总览): KPIs with change, the map, the daily trend, the street ranking."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard.charts import cached_chart, period_overlay_chart
from dashboard.components import columns as col
from dashboard.components import numbers as num
from dashboard.components.cached import cached_answer
from dashboard.components.changes_panel import render_changes
from dashboard.components.filters import last_day, render_filters
from dashboard.components.map_view import available_levels, render_count_map
from dashboard.components.sla_notice import render_assumed_sla_notice
from dashboard.components.targets import TargetLook, current_targets, render_target_line, target_look
from dashboard.i18n import name_column, t
from dashboard.state import data_now, get_store
from data.store import Store
from queries import EventFilter
from queries.answers.counts import daily_trend
from queries.answers.kpis import Kpis, overview_kpis
from queries.answers.rankings import top_areas


def render() -> None:
    """The page: filters, KPIs, the count map, then the trend beside the area ranking."""
    store = get_store()
    flt = render_filters(store)
    now = data_now()
    st.title(t("overview_title"))
    st.caption(t("overview_caption", start=flt.start.date(), end=last_day(flt), days=flt.length.days))
    render_kpis(store, flt, now)
    render_assumed_sla_notice(store, flt)
    render_changes(store, flt)
    st.subheader(t("map_title"))
    render_count_map(store, flt, now, key_prefix="overview")
    left, right = st.columns([1, 1])
    with left:
        render_trend(store, flt)
    with right:
        render_ranking(store, flt, now)


def _pct(v: float | None) -> str:
    return num.percent(v)


def _pp(a: float | None, b: float | None) -> str | None:
    return None if a is None or b is None else t("num_delta_pp", value=num.signed(100 * (a - b)))


def _metric(
    column,
    label: str,
    value: str,
    delta: str | None,
    help_key: str | None = None,
    color: str = "normal",
) -> None:
    column.metric(label, value, delta, delta_color=color, help=t(help_key) if help_key else None, border=True)


def _rate_metric(column, cur: Kpis, prev: Kpis, metric: str, label_key: str, help_key: str) -> TargetLook:
    """A rate's card: its change against the previous period, coloured by its target
    (green on target, red below; grey without a target), not by the change's direction."""
    value, before = getattr(cur, metric), getattr(prev, metric)
    look = target_look(current_targets(), metric, value, t(label_key))
    _metric(column, t(label_key), _pct(value), _pp(value, before), help_key, look.delta_color)
    return look


def _events_delta(c: Kpis, p: Kpis) -> str | None:
    return num.signed_percent((c.events - p.events) / p.events) if p.events else None


def render_kpis(store: Store, flt: EventFilter, now: datetime) -> None:
    """Five KPI cards with their change against the previous period, and what they leave out."""
    kpis = cached_answer(overview_kpis, store, flt, now)
    cur, prev = kpis["current"], kpis["previous"]
    cols = st.columns(5)
    # more or fewer events is neither good nor bad: the change in grey
    _metric(cols[0], t("kpi_events"), f"{cur.events:,}", _events_delta(cur, prev), color="off")
    looks = [
        _rate_metric(cols[1], cur, prev, "closure_rate", "kpi_closure_rate", "kpi_help_closure"),
        _rate_metric(cols[2], cur, prev, "on_time_rate", "kpi_on_time_rate", "kpi_help_on_time"),
        _rate_metric(cols[3], cur, prev, "satisfaction_rate", "kpi_satisfaction_rate", "kpi_help_satisfaction"),
    ]
    _metric(
        cols[4],
        t("kpi_open_overdue"),
        f"{cur.open_overdue:,}",
        f"{cur.open_overdue - prev.open_overdue:+,}",
        "kpi_help_overdue",
        color="inverse",
    )
    render_target_line(looks)
    if cur.events == 0:
        st.info(t("no_data"))
    if cur.cancelled or cur.closed_untimed:
        st.caption(t("kpi_excluded_note", cancelled=f"{cur.cancelled:,}", untimed=f"{cur.closed_untimed:,}"))


def render_trend(store: Store, flt: EventFilter) -> None:
    """Daily events of the period with the previous period overlaid."""
    st.subheader(t("trend_title"))
    trend = cached_answer(daily_trend, store, flt)
    cached_chart(
        period_overlay_chart,
        trend.current,
        trend.previous,
        labels={
            "current": t("trend_current"),
            "previous": t("trend_previous"),
            "x": t("trend_x"),
            "y": t("trend_y"),
        },
        key="overview-trend",
    )


def render_ranking(store: Store, flt: EventFilter, now: datetime) -> None:
    """The top ten areas of the coarsest level the store has."""
    levels = available_levels(store)
    if not levels:  # a store without streets, communities or grids has nothing to rank
        st.subheader(t("ranking_title_none"))
        st.info(t("ranking_no_areas"))
        return
    level = levels[0]  # the coarsest level the store has
    st.subheader(t(f"ranking_title_{level}"))
    name = name_column()
    ranking = cached_answer(top_areas, store, flt, now, level, limit=10)
    ranking[name] = ranking[name].fillna(ranking["area_id"])  # unnamed: its code
    col.dataframe(
        ranking[[name, "events", "closure_rate", "on_time_rate", "open_overdue"]],
        hide_index=True,
        width="stretch",
        key="overview_ranking",
        column_config={
            name: col.text(t(f"level_{level}"), width="medium"),
            "events": col.count(t("col_events"), width="small"),
            "closure_rate": col.rate_bar(t("col_closure_rate"), "small"),
            "on_time_rate": col.rate_bar(t("col_on_time_rate"), "small"),
            "open_overdue": col.count(t("col_open_overdue"), width="small"),
        },
    )


with st.spinner(t("overview_computing"), show_time=True):
    render()
