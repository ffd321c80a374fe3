"""Governance chain (治理链条): where the chain is slow and who is late, with a three-level
drill-down (区 → 街道 → 社区 → 网格) kept in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.chain_view import (
    STEPS,
    area_tips,
    bar_figure,
    durations_heatmap,
    durations_long,
    funnel_figure,
    funnel_table,
    legend_html,
    metric_colors,
    shares_shown,
    source_figure,
)
from dashboard.components.cached import cached_fetch, clear_cached
from dashboard.components.drilldown import (
    area_name,
    go_to,
    read_drill,
    render_breadcrumb,
)
from dashboard.components.filters import lookups, render_filters
from dashboard.components.map_view import area_shapes
from dashboard.components.sla_notice import render_assumed_sla_notice
from dashboard.i18n import name_column, t
from dashboard.layers import area_layer, area_records, make_deck, view_for
from dashboard.safe_text import md
from dashboard.state import current_settings, data_now, get_store
from data.contracts import STAGES
from data.exports import csv_bytes
from queries import StoreReadOnly
from queries.answers.chain import set_category_sla

OVERDUE_LIMIT = 200

store = get_store()
tables = lookups(store)
flt = render_filters(store, departments=True)
now = data_now()
drill = read_drill(store)
scoped = drill.scope(flt)
params = {**scoped.params(), "now": now}
name_col = name_column()
cat_names = dict(zip(tables["categories"]["code"], tables["categories"][name_col], strict=True))
dept_names = dict(zip(tables["departments"]["code"], tables["departments"][name_col], strict=True))
stage_labels = {s: t(f"stage_{s}") for s in STAGES}
step_labels = {s: t(f"chain_step_{s}") for s in STEPS}

st.title(t("chain_title"))
last_day = (flt.end - pd.Timedelta(days=1)).date()
st.caption(t("chain_caption", start=flt.start.date(), end=last_day, as_of=f"{min(flt.end, now):%Y-%m-%d %H:%M}"))
render_breadcrumb(store, drill, key_prefix="chain")
render_assumed_sla_notice(store, scoped, editor_below=True)  # the SLA tab below edits them
if drill.ignored:
    st.info(t("chain_url_area_unknown"))


def pct(label: str, help_key: str | None = None) -> st.column_config.NumberColumn:
    """A rate column shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent", help=t(help_key) if help_key else None)


RATE_COLUMNS = {
    "closure_rate": pct(t("chain_col_closure_rate"), "kpi_help_closure"),
    "on_time_rate": pct(t("chain_col_on_time_rate"), "kpi_help_on_time"),
    "response_on_time_rate": pct(t("chain_col_response_on_time_rate"), "chain_help_response_on_time"),
    "reopen_rate": pct(t("chain_col_reopen_rate"), "chain_help_reopen"),
    "satisfaction_rate": pct(t("chain_col_satisfaction_rate"), "kpi_help_satisfaction"),
    "median_close_h": st.column_config.NumberColumn(t("chain_col_median_close_h"), format="%.1f"),
    "events": st.column_config.NumberColumn(t("col_events"), format="%d"),
    "open_overdue": st.column_config.NumberColumn(t("col_open_overdue"), format="%d"),
    "rank": st.column_config.NumberColumn(t("chain_col_rank"), format="%d", help=t("chain_help_rank")),
}
RANK_FIELDS = ["rank", "events", "closure_rate", "on_time_rate", "response_on_time_rate", "reopen_rate",
               "satisfaction_rate", "median_close_h", "open_overdue"]

# --- drill-down: map and ranking of the areas one level down -------------------------------
c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
metrics = ["on_time_rate", "events", "open_overdue"]
metric = c1.radio(t("chain_map_metric"), metrics, horizontal=True, key="chain_metric",
                  format_func={m: t(f"chain_metric_{m}") for m in metrics}.get)
min_events = int(c2.number_input(t("chain_min_events"), min_value=1, max_value=10_000, value=10, step=5,
                                 key="chain_min_events", help=t("chain_min_events_help")))
target = drill.map_target(flt)
area_table: pd.DataFrame | None = None
if target is None:  # no street, community or grid in the store: nothing to drill into
    st.info(t("chain_no_areas"))
else:
    map_level, map_parent, map_scope = target
    areas = cached_fetch(store, "area_ranking", **{**map_scope.params(), "now": now}, level=map_level,
                         parent_id=map_parent, min_events=min_events)
    choices = areas.sort_values(["events", "area_id"], ascending=[False, True])
    labels = dict(zip(choices["area_id"], choices[name_col].fillna(choices["area_id"]), strict=True))
    if drill.child_level:
        picked = c3.selectbox(t("chain_drill_into", level=t(f"level_{drill.child_level}").lower()), list(labels),
                              index=None, format_func=labels.get, placeholder=t("chain_drill_placeholder"),
                              key=f"chain_drill_{drill.area_id or 'district'}")
        if picked:
            go_to(drill.child_level, picked)
            st.rerun()

    all_shapes = area_shapes(store, map_level)
    shapes = all_shapes[all_shapes["area_id"].isin(areas["area_id"])]
    colors, edges, palette = metric_colors(areas[metric], higher_is_better=metric == "on_time_rate")
    values = areas.assign(color=colors, tip=area_tips(areas, name_col, {
        "events": t("col_events"), "on_time_rate": t("chain_col_on_time_rate"), "open_overdue": t("col_open_overdue")}))
    layer_id = "chain-areas"
    records = area_records(shapes, values[["area_id", "color", "tip"]])
    if not drill.child_level:  # outline the chosen area among its siblings
        records["color"] = [c if a == drill.area_id else [c[0], c[1], c[2], 70]
                            for a, c in zip(records["area_id"], records["color"], strict=True)]
    layers = [area_layer(records, layer_id=layer_id)]
    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("chain_map_title", level=t(f"level_{map_level}").lower()))
        event = st.pydeck_chart(make_deck(layers, view_for(shapes if len(shapes) else all_shapes),
                                          current_settings().tile_url),
                                height=460, key=f"chain_map_{drill.area_id or 'district'}", on_select="rerun",
                                selection_mode="single-object")
        clicked = ((event or {}).get("selection", {}).get("objects", {}).get(layer_id) or [None])[0]
        if clicked and drill.child_level and clicked.get("area_id") in labels:
            go_to(drill.child_level, clicked["area_id"])
            st.rerun()
        st.markdown(legend_html(t(f"chain_metric_{metric}"), edges, palette,
                                "{:.1%}" if metric == "on_time_rate" else "{:,.0f}"), unsafe_allow_html=True)
        st.caption(t("chain_map_hint") if drill.child_level else t("chain_map_grid_hint"))
    area_table = areas.assign(area_name=areas[name_col].fillna(areas["area_id"]))
    with right:
        st.subheader(t("chain_area_ranking", level=t(f"level_{map_level}")))
        st.dataframe(area_table[["area_name", "rank", "events", "on_time_rate", "open_overdue"]], hide_index=True,
                     width="stretch", height=460, key="chain_area_compact",
                     column_config={"area_name": st.column_config.TextColumn(t(f"level_{map_level}")),
                                    **RATE_COLUMNS})
        if areas.empty:  # e.g. an areas file whose grids name communities it left out
            st.info(t("chain_no_children", level=t(f"level_{map_level}")))

kpi = cached_fetch(store, "sla_compliance", **params)
total = int(kpi["events"].sum())
if total == 0:
    st.info(t("no_data"))

tabs = st.tabs([t("chain_tab_funnel"), t("chain_tab_durations"), t("chain_tab_sla"), t("chain_tab_overdue"),
                t("chain_tab_ranking"), t("chain_tab_sources")])

# --- funnel ------------------------------------------------------------------------------------
with tabs[0]:
    funnel = cached_fetch(store, "chain_funnel", **params)
    f1, f2 = st.columns([2, 3])
    f1.plotly_chart(funnel_figure(funnel, stage_labels), width="stretch", key="chain_funnel_chart")
    shares = funnel_table(funnel).assign(stage=lambda d: d["stage"].map(stage_labels))
    f2.dataframe(shares_shown(shares), hide_index=True, width="stretch", key="chain_funnel_table", column_config={
        "stage": st.column_config.TextColumn(t("chain_col_stage")),
        "reached": st.column_config.NumberColumn(t("chain_col_reached"), format="%d"),
        "of_all": pct(t("chain_col_of_all")),
        "to_next": pct(t("chain_col_to_next")),
        "waiting_share": pct(t("chain_col_waiting"), "chain_help_waiting"),
        "dropped_share": pct(t("chain_col_dropped"), "chain_help_dropped"),
        "skipped_share": pct(t("chain_col_skipped"), "chain_help_skipped"),
    })
    st.caption(t("chain_funnel_note"))

# --- stage durations ------------------------------------------------------------------------------
with tabs[1]:
    d1, d2 = st.columns([3, 1])
    by_options = ["department", "category", "source"]
    by = d1.radio(t("chain_durations_by"), by_options, horizontal=True, key="chain_by",
                  format_func={"department": t("department"), "category": t("category"), "source": t("source")}.get)
    stat = d2.radio(t("chain_durations_stat"), ["p50", "p90"], horizontal=True, key="chain_stat",
                    format_func={"p50": t("chain_median"), "p90": "P90"}.get)
    durations = cached_fetch(store, "stage_durations", **params, by=by)
    names = {"department": dept_names, "category": cat_names,
             "source": {s: t(f"source_{s}") for s in durations["group_key"].dropna()}}[by]
    long = durations_long(durations, pd.Series(names, dtype=object))
    if len(long):
        st.plotly_chart(durations_heatmap(long, step_labels, value=stat, hover=t("chain_hours")), width="stretch",
                        key="chain_durations_chart")
    st.caption(t("chain_durations_note"))
    with st.expander(t("chain_durations_table")):
        st.dataframe(long.assign(step=long["step"].map(step_labels))[["name", "step", "n", "p50", "p90"]],
                     hide_index=True, width="stretch", key="chain_durations_table", column_config={
                         "name": st.column_config.TextColumn(t(by if by != "source" else "source")),
                         "step": st.column_config.TextColumn(t("chain_col_step")),
                         "n": st.column_config.NumberColumn(t("chain_col_timed"), format="%d"),
                         "p50": st.column_config.NumberColumn(t("chain_col_p50"), format="%.2f"),
                         "p90": st.column_config.NumberColumn(t("chain_col_p90"), format="%.2f"),
                     })

# --- SLA compliance and the SLA edit ------------------------------------------------------------------
with tabs[2]:
    sla = kpi.assign(name=kpi["code"].map(cat_names).fillna(kpi["code"]))
    st.dataframe(sla[["name", "sla_response_h", "sla_close_h", "events", "response_on_time_rate", "on_time_rate",
                      "open_overdue"]], hide_index=True, width="stretch", key="chain_sla_table", column_config={
        "name": st.column_config.TextColumn(t("category")),
        "sla_response_h": st.column_config.NumberColumn(t("chain_col_sla_response"), format="%.1f h"),
        "sla_close_h": st.column_config.NumberColumn(t("chain_col_sla_close"), format="%.1f h"),
        **RATE_COLUMNS,
    })
    st.markdown(f"**{t('chain_sla_edit')}**")
    saved = st.session_state.pop("chain_sla_saved", None)
    if saved:
        st.success(saved)
    e1, e2 = st.columns([2, 3])
    code = e1.selectbox(t("category"), list(sla["code"]), format_func=cat_names.get, key="chain_sla_code")
    current = sla.set_index("code").loc[code]
    with e2.form("chain_sla_form", border=False):
        n1, n2, n3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        response_h = n1.number_input(t("chain_col_sla_response"), min_value=0.1, max_value=8760.0, step=0.5,
                                     value=float(current["sla_response_h"]), key=f"chain_sla_resp_{code}")
        close_h = n2.number_input(t("chain_col_sla_close"), min_value=0.1, max_value=8760.0, step=1.0,
                                  value=float(current["sla_close_h"]), key=f"chain_sla_close_{code}")
        submitted = n3.form_submit_button(t("chain_sla_save"), type="primary")
    if submitted:
        try:
            set_category_sla(store, code, response_h=response_h, close_h=close_h)
        except StoreReadOnly:
            st.error(t("chain_sla_read_only"))
        except ValueError as exc:
            st.error(t("chain_sla_invalid", detail=md(exc)))
        else:
            clear_cached()
            st.session_state["chain_sla_saved"] = t("chain_sla_saved", category=md(cat_names.get(code, code)),
                                                    response=response_h, close=close_h)
            st.rerun()
    st.caption(t("chain_sla_note"))

# --- open overdue cases -----------------------------------------------------------------------------
with tabs[3]:
    by_dept = cached_fetch(store, "overdue_by_department", **params)
    cases = cached_fetch(store, "overdue_cases", **params, limit=OVERDUE_LIMIT)
    n_overdue = int(by_dept["open_overdue"].sum())
    st.markdown(t("chain_overdue_total", n=n_overdue, shown=min(n_overdue, OVERDUE_LIMIT)))
    o1, o2 = st.columns([2, 3])
    with o1:
        if len(by_dept):
            st.plotly_chart(bar_figure([dept_names.get(d, d or "—") for d in by_dept["department"]],
                                       by_dept["open_overdue"], x_title=t("col_open_overdue")),
                            width="stretch", key="chain_overdue_chart")
    with o2:
        suffix = "zh" if name_col.endswith("zh") else "en"
        listing = pd.DataFrame({
            "event_id": cases["event_id"],
            "hours_overdue": cases["hours_overdue"],
            "category": cases[f"category_{suffix}"],
            "department": cases[f"department_{suffix}"],
            "stage": cases["stage"].map(stage_labels),
            "grid": cases[f"grid_{suffix}"].fillna(cases["grid_id"]),
            "street": cases[f"street_{suffix}"].fillna(cases["street_id"]),
            "reported_at": cases["reported_at"],
        })
        st.dataframe(listing, hide_index=True, width="stretch", height=420, key="chain_overdue_table", column_config={
            "event_id": st.column_config.TextColumn(t("chain_col_event")),
            "hours_overdue": st.column_config.NumberColumn(t("chain_col_hours_overdue"), format="%.1f"),
            "category": st.column_config.TextColumn(t("category")),
            "department": st.column_config.TextColumn(t("department")),
            "stage": st.column_config.TextColumn(t("chain_col_stage_now")),
            "grid": st.column_config.TextColumn(t("level_grid")),
            "street": st.column_config.TextColumn(t("level_street")),
            "reported_at": st.column_config.DatetimeColumn(t("chain_col_reported"), format="YYYY-MM-DD HH:mm"),
        })
        # the table's own CSV download is off (config.toml): this one neutralises formula cells
        st.download_button(t("chain_download_overdue"), csv_bytes(listing), file_name="overdue-cases.csv",
                           mime="text/csv", key="chain_overdue_csv")

# --- department ranking ----------------------------------------------------------------------------
with tabs[4]:
    ranking = cached_fetch(store, "department_ranking", **params, min_events=min_events)
    ranking = ranking.assign(department_name=ranking["department"].map(dept_names).fillna(ranking["department"]))
    st.markdown(f"**{t('chain_dept_ranking')}**")
    st.dataframe(ranking[["department_name", *RANK_FIELDS]], hide_index=True, width="stretch", key="chain_dept_table",
                 column_config={"department_name": st.column_config.TextColumn(t("department")), **RATE_COLUMNS})
    if area_table is not None:
        st.markdown(f"**{t('chain_area_ranking', level=t(f'level_{map_level}'))}**")
        st.dataframe(area_table[["area_name", *RANK_FIELDS]], hide_index=True, width="stretch",
                     key="chain_area_table",
                     column_config={"area_name": st.column_config.TextColumn(t(f"level_{map_level}")), **RATE_COLUMNS})
    st.caption(t("chain_ranking_note", n=min_events))

# --- sources compared --------------------------------------------------------------------------------
with tabs[5]:
    sources = cached_fetch(store, "source_comparison", **params)
    source_labels = {s: t(f"source_{s}") for s in sources["source"]}
    if len(sources):
        st.plotly_chart(source_figure(sources, source_labels, {
            "share": t("chain_col_share"), "respond": t("chain_col_median_respond_h"),
            "close": t("chain_col_median_close_h"), "hours": t("chain_hours")}),
            width="stretch", key="chain_sources_chart")
    st.dataframe(sources.assign(source=sources["source"].map(source_labels))[
        ["source", "events", "share", "median_respond_h", "median_close_h", "response_on_time_rate", "on_time_rate",
         "satisfaction_rate"]], hide_index=True, width="stretch", key="chain_sources_table", column_config={
        "source": st.column_config.TextColumn(t("source")),
        "share": pct(t("chain_col_share")),
        "median_respond_h": st.column_config.NumberColumn(t("chain_col_median_respond_h"), format="%.2f"),
        **RATE_COLUMNS,
    })

if drill.area_id:
    st.caption(t("chain_scope_note", area=md(area_name(store, drill.area_id))))
