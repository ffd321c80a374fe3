"""Governance chain (治理链条): where the chain is slow and who is late, with a three-level
drill-down (区 → 街道 → 社区 → 网格) kept in the URL."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.chain_view import (
    STEPS,
    durations_heatmap,
    durations_long,
    funnel_figure,
    metric_colors,
)
from dashboard.charts import cached_chart
from dashboard.components import columns as col
from dashboard.components.backlog_panel import render_backlog
from dashboard.components.cached import cached_answer, cached_payload
from dashboard.components.chain_tables import area_labels, render_overdue, render_rankings, render_sources
from dashboard.components.deck_spec import DeckSpec, deck_spec
from dashboard.components.drilldown import (
    Drill,
    area_name,
    go_to,
    read_drill,
    render_breadcrumb,
)
from dashboard.components.filters import last_day, render_filters
from dashboard.components.map_kit import (
    TIP_COLUMNS,
    area_names,
    area_places,
    clicked_object,
    deck,
    map_width,
    render_legend,
    tooltips,
    view_and_scale,
    with_tips,
)
from dashboard.components.map_view import area_shapes
from dashboard.components.names import (
    category_names,
    department_names,
    source_names,
    stage_names,
)
from dashboard.components.sla_editor import render_sla_tab
from dashboard.components.sla_notice import render_assumed_sla_notice
from dashboard.i18n import name_column, t
from dashboard.layers import area_layer, area_records
from dashboard.map_marks import label_points, outline_layer
from dashboard.map_text import label_layer
from dashboard.safe_text import md
from dashboard.state import data_now, get_store
from data.contracts import AREA_LEVELS
from data.store import Store
from queries import EventFilter
from queries.answers import chain
from queries.answers.chain import SHARE_COLUMNS

METRICS = ["on_time_rate", "events", "open_overdue"]


def render() -> None:
    """The page: the breadcrumb, the map and ranking one level down, then the chain's tabs."""
    store = get_store()
    flt = render_filters(store, departments=True)
    now = data_now()
    drill = read_drill(store)
    scoped = drill.scope(flt)
    st.title(t("chain_title"))
    st.caption(
        t("chain_caption", start=flt.start.date(), end=last_day(flt), as_of=f"{min(flt.end, now):%Y-%m-%d %H:%M}")
    )
    render_breadcrumb(store, drill, key_prefix="chain")
    render_assumed_sla_notice(store, scoped, editor_below=True)  # the SLA tab below edits them
    if drill.ignored:
        st.info(t("chain_url_area_unknown"))

    c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    metric = c1.radio(
        t("chain_map_metric"),
        METRICS,
        horizontal=True,
        key="chain_metric",
        format_func={m: t(f"chain_metric_{m}") for m in METRICS}.get,
    )
    min_events = int(
        c2.number_input(
            t("chain_min_events"),
            min_value=1,
            max_value=10_000,
            value=10,
            step=5,
            key="chain_min_events",
            help=t("chain_min_events_help"),
        )
    )
    areas = render_drilldown(store, flt, now, drill, metric, min_events, c3)

    kpi = cached_answer(chain.sla_compliance, store, scoped, now)
    if int(kpi["events"].sum()) == 0:
        st.info(t("no_data"))
    tabs = st.tabs(
        [
            t("chain_tab_funnel"),
            t("chain_tab_durations"),
            t("chain_tab_sla"),
            t("chain_tab_overdue"),
            t("chain_tab_ranking"),
            t("chain_tab_sources"),
        ]
    )
    with tabs[0]:
        render_funnel(store, scoped, now)
    with tabs[1]:
        render_durations(store, scoped, now)
    with tabs[2]:
        render_sla_tab(store, kpi, category_names(store))
    with tabs[3]:
        render_backlog(store, scoped, now)  # every open overdue case, any report date (issue 16)
        st.markdown(f"**{t('bkl_in_range')}**")
        render_overdue(store, scoped, now)
    with tabs[4]:
        render_rankings(store, scoped, now, min_events, areas)
    with tabs[5]:
        render_sources(store, scoped, now)
    if drill.area_id:
        st.caption(t("chain_scope_note", area=md(area_name(store, drill.area_id))))


def render_drilldown(
    store: Store, flt: EventFilter, now: datetime, drill: Drill, metric: str, min_events: int, picker: DeltaGenerator
) -> tuple[str, pd.DataFrame] | None:
    """The map and compact ranking of the areas one level down (``picker``: the column of the
    drill-down box). Returns their level and table, None when the store has no areas."""
    target = drill.map_target(flt)
    if target is None:  # no street, community or grid in the store: nothing to drill into
        st.info(t("chain_no_areas"))
        return None
    map_level, map_parent, map_scope = target
    name_col = name_column()
    areas = cached_answer(chain.area_ranking, store, map_scope, now, map_level, map_parent, min_events)
    choices = areas.sort_values(["events", "area_id"], ascending=[False, True])
    labels = dict(zip(choices["area_id"], choices[name_col].fillna(choices["area_id"]), strict=True))
    if drill.child_level:
        picked = picker.selectbox(
            t("chain_drill_into", level=t(f"level_{drill.child_level}").lower()),
            list(labels),
            index=None,
            format_func=labels.get,
            placeholder=t("chain_drill_placeholder"),
            key=f"chain_drill_{drill.area_id or 'district'}",
        )
        if picked:
            go_to(drill.child_level, picked)
            st.rerun()

    layer_id = "chain-areas"
    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("chain_map_title", level=t(f"level_{map_level}").lower()))
        width = map_width("chain_view")
        spec, chips, center = cached_payload(
            chain_map,
            store,
            map_scope,
            now,
            map_level,
            map_parent,
            min_events,
            metric,
            drill.area_id,
            drill.child_level,
            width,
        )
        event = st.pydeck_chart(
            spec,
            height=MAP_HEIGHT,
            key=f"chain_map_{drill.area_id or 'district'}",
            on_select="rerun",
            selection_mode="single-object",
        )
        clicked = clicked_object(event, layer_id)
        if clicked and drill.child_level and clicked.get("area_id") in labels:
            go_to(drill.child_level, clicked["area_id"])
            st.rerun()
        if metric == "on_time_rate" and pd.notna(center):
            ref = t("map_ref_district") if not map_parent else t("map_ref_parent")  # names stay out of HTML
            title = t("map_legend_rate", metric=t(f"chain_metric_{metric}"), ref=ref, value=f"{center:.1%}")
        else:
            title = t("map_legend_counts", metric=t(f"chain_metric_{metric}"))
        render_legend(title, chips)
        st.caption(t("chain_map_hint") if drill.child_level else t("chain_map_grid_hint"))
    area_table = areas.assign(area_name=area_labels(store, areas, map_level))
    with right:
        st.subheader(t("chain_area_ranking", level=t(f"level_{map_level}")))
        col.dataframe(
            area_table[["area_name", "rank", "events", "on_time_rate", "open_overdue"]],
            hide_index=True,
            width="stretch",
            height=MAP_HEIGHT,
            key="chain_area_compact",
            column_config={
                **col.rate_columns(),
                "area_name": col.name(t(f"level_{map_level}"), "num_area_name_help"),
                "events": col.count(t("col_events"), width="small"),
                "on_time_rate": col.percent(t("chain_col_on_time_rate"), "kpi_help_on_time", "small"),
                "open_overdue": col.count(t("col_open_overdue"), width="small"),
            },
        )
        if area_table["rank"].isna().any():
            st.caption(t("num_missing_rank", min=min_events))
        if areas.empty:  # e.g. an areas file whose grids name communities it left out
            st.info(t("chain_no_children", level=t(f"level_{map_level}")))
    return map_level, area_table


MAP_HEIGHT = 460


def chain_map(
    store: Store,
    map_scope: EventFilter,
    now: datetime,
    map_level: str,
    map_parent: str | None,
    min_events: int,
    metric: str,
    area_id: str | None,
    child_level: str | None,
    width: int,
) -> tuple[DeckSpec, list[tuple[str, str]], float]:
    """The drill-down map of ``map_level``'s areas under ``map_parent`` coloured by ``metric``
    (``area_id`` outlined among its siblings when there is no level below) as a deck spec, its
    legend chips and the rate the colours centre on; draws nothing (cached by
    :func:`render_drilldown` for every session)."""
    name_col = name_column()
    areas = cached_answer(chain.area_ranking, store, map_scope, now, map_level, map_parent, min_events)
    all_shapes = area_shapes(store, map_level)
    shapes = all_shapes[all_shapes["area_id"].isin(areas["area_id"])]
    colors, chips, center = metric_colors(areas, metric)
    tips = tooltips(
        areas[name_col].where(areas[name_col].notna(), areas["area_id"]),
        [
            *([(t("tip_place"), area_places(store, map_level, areas["area_id"]))] if map_level != "street" else []),
            (t("col_events"), [f"{int(v):,}" for v in areas["events"]]),
            (t("chain_col_on_time_rate"), ["—" if pd.isna(v) else f"{v:.1%}" for v in areas["on_time_rate"]]),
            (t("col_open_overdue"), [f"{int(v):,}" for v in areas["open_overdue"]]),
        ],
    )
    records = area_records(shapes, with_tips(areas.assign(color=colors), tips)[["area_id", "color", *TIP_COLUMNS]])
    if not child_level:  # outline the chosen area among its siblings
        records["color"] = [
            c if a == area_id else [c[0], c[1], c[2], 70]
            for a, c in zip(records["area_id"], records["color"], strict=True)
        ]
    extent = shapes if len(shapes) else all_shapes
    parent_level = AREA_LEVELS[AREA_LEVELS.index(map_level) - 1]
    parent = area_shapes(store, parent_level)
    parent = parent[parent["area_id"] == map_parent] if map_parent else parent
    marks = [outline_layer(parent)] if len(parent) else []
    if map_level != "grid" and len(shapes):  # streets and communities by name
        marks.append(label_layer(label_points(shapes, area_names(store, map_level).reindex(shapes["area_id"]))))
    view, scale = view_and_scale(extent, MAP_HEIGHT, width)
    layers = [area_layer(records, layer_id="chain-areas"), *marks, *scale]
    return deck_spec(deck(layers, view)), list(chips), center


def render_funnel(store: Store, flt: EventFilter, now: datetime) -> None:
    """How many events reach each stage, and where the others wait, drop or skip."""
    stage_labels = stage_names()
    funnel = cached_answer(chain.funnel, store, flt, now)
    f1, f2 = st.columns([2, 3])
    cached_chart(funnel_figure, funnel, stage_labels, container=f1, key="chain_funnel_chart")
    shares = chain.funnel_table(funnel)  # the cached funnel's shares (8 rows): no second query
    with f2:
        shown_shares(shares.assign(stage=lambda d: d["stage"].map(stage_labels)))
    st.caption(t("chain_funnel_note"))


def shown_shares(shares: pd.DataFrame) -> None:
    """The funnel's shares table; a dash (and a note saying why) where a share does not exist."""
    col.dataframe(
        shares,
        hide_index=True,
        width="stretch",
        key="chain_funnel_table",
        column_config={
            "stage": col.text(t("chain_col_stage")),
            "reached": col.count(t("chain_col_reached")),
            "of_all": col.percent(t("chain_col_of_all")),
            "to_next": col.percent(t("chain_col_to_next")),
            "waiting_share": col.percent(t("chain_col_waiting"), "chain_help_waiting"),
            "dropped_share": col.percent(t("chain_col_dropped"), "chain_help_dropped"),
            "skipped_share": col.percent(t("chain_col_skipped"), "chain_help_skipped"),
        },
    )
    if shares[[c for c in SHARE_COLUMNS if c in shares]].isna().any(axis=None):
        st.caption(t("num_missing_share"))


def render_durations(store: Store, flt: EventFilter, now: datetime) -> None:
    """Median or P90 hours of each step per department, category or source."""
    d1, d2 = st.columns([3, 1])
    by_options = ["department", "category", "source"]
    by = d1.radio(
        t("chain_durations_by"),
        by_options,
        horizontal=True,
        key="chain_by",
        format_func={"department": t("department"), "category": t("category"), "source": t("source")}.get,
    )
    stat = d2.radio(
        t("chain_durations_stat"),
        ["p50", "p90"],
        horizontal=True,
        key="chain_stat",
        format_func={"p50": t("chain_median"), "p90": "P90"}.get,
    )
    durations = cached_answer(chain.stage_durations, store, flt, now, by)
    if by == "source":
        names = source_names(durations["group_key"].dropna())
    else:
        names = department_names(store) if by == "department" else category_names(store)
    long = durations_long(durations, pd.Series(names, dtype=object))
    step_labels = {s: t(f"chain_step_{s}") for s in STEPS}
    if len(long):
        cached_chart(
            durations_heatmap, long, step_labels, value=stat, hover=t("chain_hours"), key="chain_durations_chart"
        )
    st.caption(t("chain_durations_note"))
    with st.expander(t("chain_durations_table")):
        col.dataframe(
            long.assign(step=long["step"].map(step_labels))[["name", "step", "n", "p50", "p90"]],
            hide_index=True,
            width="stretch",
            key="chain_durations_table",
            column_config={
                "name": col.text(t(by if by != "source" else "source")),
                "step": col.text(t("chain_col_step")),
                "n": col.count(t("chain_col_timed")),
                "p50": col.number(t("chain_col_p50"), "%.2f"),
                "p90": col.number(t("chain_col_p90"), "%.2f"),
            },
        )


with st.spinner(t("chain_computing"), show_time=True):
    render()
