"""IoT sensors (物联感知): readings per H3 cell or grid, a sensor's or cell's hourly series
against its threshold, and how alarms became events and moved through the chain."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.chain_view import STEPS, durations_long, funnel_table, shares_shown
from dashboard.components.cached import cached_fetch
from dashboard.components.filters import render_filters
from dashboard.components.map_view import area_shapes, available_levels
from dashboard.components.names import lookups
from dashboard.components.sla_notice import render_assumed_sla_notice
from dashboard.i18n import name_column, t, t_count
from dashboard.layers import (
    area_layer,
    area_records,
    color_bins,
    grid_outline_layer,
    h3_layer,
    make_deck,
    view_for,
)
from dashboard.safe_text import html_text, md
from dashboard.sensor_view import sensor_point_layer, series_figure
from dashboard.state import current_settings, data_now, get_store
from data.contracts import STAGES
from geo import cells_to_strings

KINDS = ("pm25", "noise", "water_level", "manhole")
METRICS = ("exceedances", "mean_value", "p95_value", "max_value")
ALARM_LIMIT = 300

store = get_store()
tables = lookups(store)
flt = render_filters(store)
now = data_now()
name_col = name_column()
cat_names = dict(zip(tables["categories"]["code"], tables["categories"][name_col], strict=True))
kind_labels = {k: t(f"sensors_kind_{k}") for k in KINDS}
window = {"start": flt.start, "end": flt.end, "street_ids": list(flt.street_ids) or None}

st.title(t("sensors_title"))
last_day = (flt.end - pd.Timedelta(days=1)).date()
st.caption(t("sensors_caption", start=flt.start.date(), end=last_day))

# --- the map: readings per cell or grid ------------------------------------------------------------------
c1, c2, c3, c4 = st.columns([3, 2, 2, 3], vertical_alignment="bottom")
kind = c1.radio(t("sensors_kind"), KINDS, horizontal=True, key="sensors_kind", format_func=kind_labels.get)
units = ["h3", "grid"] if "grid" in available_levels(store) else ["h3"]  # grids only if the store has them
if st.session_state.get("sensors_unit") not in units:
    st.session_state.pop("sensors_unit", None)
unit = c2.radio(t("map_unit"), units, horizontal=True, key="sensors_unit",
                format_func={"h3": t("unit_h3"), "grid": t("level_grid")}.get)
res = int(c3.select_slider(t("h3_resolution"), options=[7, 8, 9, 10], value=8, key="sensors_res",
                           disabled=unit != "h3"))
metric = c4.radio(t("sensors_metric"), METRICS, horizontal=True, key="sensors_metric",
                  format_func={m: t(f"sensors_metric_{m}") for m in METRICS}.get)
params = {**window, "kind": kind}
sensors = cached_fetch(store, "sensor_stats", **params)
unit_label = sensors["unit"].iloc[0] if len(sensors) else ""
if unit == "h3":
    stats = cached_fetch(store, "sensor_stats_by_cell", **params, res=res)
    stats["hex"] = pd.Series(cells_to_strings(stats["cell"].to_numpy()), index=stats.index, dtype=object)
    stats["unit_id"] = stats["hex"]
    names = stats["hex"]
else:
    stats = cached_fetch(store, "sensor_stats_by_grid", **params)
    stats["unit_id"] = stats["area_id"]
    names = stats[name_col].fillna(stats["area_id"]).astype(str)


def _fmt(v: float) -> str:
    return "—" if pd.isna(v) else f"{v:,.1f}"


colors, edges = color_bins(stats[metric]) if len(stats) else ([], [])
stats = stats.assign(color=colors, tip=(
    "<b>" + names + "</b><br/>" + t("sensors_sensors") + ": " + stats["sensors"].astype(str)
    + "<br/>" + t("sensors_metric_mean_value") + ": " + stats["mean_value"].map(_fmt).astype(str) + " " + unit_label
    + "<br/>" + t("sensors_metric_p95_value") + ": " + stats["p95_value"].map(_fmt).astype(str)
    + "<br/>" + t("sensors_metric_max_value") + ": " + stats["max_value"].map(_fmt).astype(str)
    + "<br/>" + t("sensors_metric_exceedances") + ": " + stats["exceedances"].astype(str)))
outline = area_shapes(store, "grid")
layer_id = "sensors-units"
if unit == "h3":
    main = h3_layer(stats[["hex", "color", "tip", "unit_id"]], layer_id=layer_id)
else:
    shapes = area_shapes(store, "grid")
    main = area_layer(area_records(shapes[shapes["area_id"].isin(stats["area_id"])],
                                   stats[["area_id", "color", "tip", "unit_id"]]), layer_id=layer_id)
points = sensors.assign(tip="<b>" + sensors["sensor_id"] + "</b><br/>" + t("sensors_metric_exceedances") + ": "
                        + sensors["exceedances"].astype(str) + "<br/>" + t("sensors_metric_max_value") + ": "
                        + sensors["max_value"].map(_fmt).astype(str))
layers = [main, *([grid_outline_layer(outline)] if len(outline) else []), sensor_point_layer(points)]
left, right = st.columns([3, 2])
with left:
    if "sensors_view" not in st.session_state and len(outline):
        st.session_state["sensors_view"] = view_for(outline)
    event = st.pydeck_chart(make_deck(layers, st.session_state.get("sensors_view")
                                      or view_for(outline, hexes=stats["hex"] if unit == "h3" else None),
                                      current_settings().tile_url),
                            height=480, key="sensors_map", on_select="rerun", selection_mode="single-object")
    objects = (event or {}).get("selection", {}).get("objects", {})
    clicked_unit = (objects.get(layer_id) or [{}])[0].get("unit_id")
    clicked_sensor = (objects.get("sensor-points") or [{}])[0].get("sensor_id")
    if edges:
        st.caption(t("sensors_legend", metric=t(f"sensors_metric_{metric}"), low=f"{edges[0]:,.1f}",
                     high=f"{edges[-1]:,.1f}"))
with right:
    st.subheader(t("sensors_units_title"))
    st.dataframe(pd.DataFrame({"unit": names, "sensors": stats["sensors"], "exceedances": stats["exceedances"],
                               "mean_value": stats["mean_value"], "p95_value": stats["p95_value"],
                               "max_value": stats["max_value"]}),
                 hide_index=True, width="stretch", height=440, key="sensors_units_table", column_config={
                     "unit": st.column_config.TextColumn(t("unit_h3") if unit == "h3" else t("level_grid")),
                     "sensors": st.column_config.NumberColumn(t("sensors_sensors"), format="%d"),
                     "exceedances": st.column_config.NumberColumn(t("sensors_metric_exceedances"), format="%d"),
                     "mean_value": st.column_config.NumberColumn(t("sensors_metric_mean_value"), format="%.1f"),
                     "p95_value": st.column_config.NumberColumn(t("sensors_metric_p95_value"), format="%.1f"),
                     "max_value": st.column_config.NumberColumn(t("sensors_metric_max_value"), format="%.1f"),
                 })
if stats.empty:
    st.info(t("sensors_no_readings"))

# --- hourly series of a sensor or a cell ------------------------------------------------------------------
st.subheader(t("sensors_series_title"))
modes = ["sensor", "cell"] if unit == "h3" else ["sensor"]
s1, s2 = st.columns([1, 3])
if clicked_unit and unit == "h3" and clicked_unit != st.session_state.get("sensors_last_unit"):
    st.session_state["sensors_last_unit"] = clicked_unit
    st.session_state["sensors_series_mode"] = "cell"
    st.session_state["sensors_cell"] = clicked_unit
if clicked_sensor and clicked_sensor != st.session_state.get("sensors_last_sensor"):
    st.session_state["sensors_last_sensor"] = clicked_sensor
    st.session_state["sensors_series_mode"] = "sensor"
    st.session_state[f"sensors_sensor_{kind}"] = clicked_sensor
if clicked_unit and unit == "grid" and clicked_unit != st.session_state.get("sensors_last_unit"):
    st.session_state["sensors_last_unit"] = clicked_unit
    in_grid = sensors[sensors["grid_id"] == clicked_unit]
    if len(in_grid):
        st.session_state["sensors_series_mode"] = "sensor"
        st.session_state[f"sensors_sensor_{kind}"] = in_grid["sensor_id"].iloc[0]
if st.session_state.get("sensors_series_mode") not in modes:
    st.session_state["sensors_series_mode"] = "sensor"
mode = s1.radio(t("sensors_series_of"), modes, key="sensors_series_mode",
                format_func={"sensor": t("sensors_series_sensor"), "cell": t("sensors_series_cell")}.get)
labels = {"value": t("sensors_value"), "over": t("sensors_over"), "threshold": t("sensors_threshold"),
          "extra": t("sensors_cell_max"), "y": html_text(unit_label)}
if mode == "sensor":
    options = list(sensors["sensor_id"])
    key = f"sensors_sensor_{kind}"
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    text = dict(zip(sensors["sensor_id"], sensors["sensor_id"] + " · " + t("sensors_metric_exceedances") + " "
                    + sensors["exceedances"].astype(str), strict=True))
    chosen = s2.selectbox(t("sensors_pick_sensor"), options, key=key, format_func=text.get) if options else None
    if chosen:
        series = cached_fetch(store, "sensor_series", sensor_id=chosen, start=flt.start, end=flt.end)
        threshold = float(series["threshold"].iloc[0]) if len(series) else None
        st.plotly_chart(series_figure(series, value="value", threshold=threshold, labels=labels), width="stretch",
                        key="sensors_series_chart")
else:
    options = list(stats.sort_values(metric, ascending=False)["hex"])
    if st.session_state.get("sensors_cell") not in options:
        st.session_state.pop("sensors_cell", None)
    chosen = s2.selectbox(t("sensors_pick_cell"), options, key="sensors_cell") if options else None
    if chosen:
        cell = int(stats.set_index("hex").loc[chosen, "cell"])
        series = cached_fetch(store, "sensor_cell_series", kind=kind, res=res, cell=cell, start=flt.start, end=flt.end)
        threshold = float(series["threshold"].min()) if len(series) else None
        st.plotly_chart(series_figure(series, value="mean_value", extra="max_value", threshold=threshold,
                                      labels={**labels, "value": t("sensors_cell_mean")}),
                        width="stretch", key="sensors_series_chart")

# --- alarms and the events they became --------------------------------------------------------------------
st.subheader(t("sensors_alarms_title"))
summary = cached_fetch(store, "sensor_alarm_summary", **window, kind=None, now=now)
if summary.empty:
    st.info(t("sensors_no_alarms"))
else:
    cols = st.columns(len(summary))
    for col, row in zip(cols, summary.itertuples(), strict=True):
        col.metric(t("sensors_alarm_label", kind=kind_labels.get(row.kind) or md(row.kind)), f"{row.alarms:,}",
                   t_count("sensors_alarm_delta", int(row.to_events), events=row.to_events, share=row.event_share),
                   delta_color="off", delta_arrow="off", border=True, help=t("sensors_alarm_help"))
    st.dataframe(summary.assign(kind=summary["kind"].map(kind_labels).fillna(summary["kind"]))[
        ["kind", "sensors_alarmed", "alarms", "to_events", "event_share", "median_respond_h", "median_close_h",
         "on_time_rate"]], hide_index=True, width="stretch", key="sensors_summary_table", column_config={
        "kind": st.column_config.TextColumn(t("sensors_kind")),
        "sensors_alarmed": st.column_config.NumberColumn(t("sensors_sensors_alarmed"), format="%d"),
        "alarms": st.column_config.NumberColumn(t("sensors_alarms"), format="%d"),
        "to_events": st.column_config.NumberColumn(t("sensors_to_events"), format="%d"),
        "event_share": st.column_config.NumberColumn(t("sensors_event_share"), format="percent"),
        "median_respond_h": st.column_config.NumberColumn(t("chain_col_median_respond_h"), format="%.2f"),
        "median_close_h": st.column_config.NumberColumn(t("chain_col_median_close_h"), format="%.1f"),
        "on_time_rate": st.column_config.NumberColumn(t("chain_col_on_time_rate"), format="percent"),
    })
    render_assumed_sla_notice(store, replace(flt, sources=("sensor",)))

alarms = cached_fetch(store, "sensor_alarms", **window, kind=kind, now=now, limit=ALARM_LIMIT)
with st.expander(t("sensors_alarm_list", kind=kind_labels[kind], n=len(alarms)), expanded=False):
    st.dataframe(pd.DataFrame({
        "ts": alarms["ts"], "sensor_id": alarms["sensor_id"], "value": alarms["value"],
        "threshold": alarms["threshold"], "event_id": alarms["event_id"], "respond_h": alarms["respond_h"],
        "close_h": alarms["close_h"]}), hide_index=True, width="stretch", key="sensors_alarm_table", column_config={
        "ts": st.column_config.DatetimeColumn(t("sensors_alarm_time"), format="YYYY-MM-DD HH:mm"),
        "sensor_id": st.column_config.TextColumn(t("sensors_sensor")),
        "value": st.column_config.NumberColumn(t("sensors_value"), format="%.1f"),
        "threshold": st.column_config.NumberColumn(t("sensors_threshold"), format="%.1f"),
        "event_id": st.column_config.TextColumn(t("sensors_event")),
        "respond_h": st.column_config.NumberColumn(t("sensors_respond_h"), format="%.2f"),
        "close_h": st.column_config.NumberColumn(t("sensors_close_h"), format="%.1f"),
    })

st.markdown(f"**{t('sensors_chain_title')}**")
sensor_events = {**replace(flt, sources=("sensor",)).params(), "now": now}
funnel = cached_fetch(store, "chain_funnel", **sensor_events)
durations = cached_fetch(store, "stage_durations", **sensor_events, by="category")
k1, k2 = st.columns([2, 3])
stage_labels = {s: t(f"stage_{s}") for s in STAGES}
k1.dataframe(shares_shown(funnel_table(funnel).assign(stage=lambda d: d["stage"].map(stage_labels))[
    ["stage", "reached", "waiting_share"]]), hide_index=True, width="stretch", key="sensors_funnel_table",
    column_config={"stage": st.column_config.TextColumn(t("chain_col_stage")),
                   "reached": st.column_config.NumberColumn(t("chain_col_reached"), format="%d"),
                   "waiting_share": st.column_config.NumberColumn(t("chain_col_waiting"), format="percent")})
long = durations_long(durations, pd.Series(cat_names, dtype=object))
steps = {s: t(f"chain_step_{s}") for s in STEPS}
wide = long[long["step"].isin(["to_respond", "to_close"])].pivot_table(
    index="name", columns="step", values="p50", sort=False).reindex(columns=["to_respond", "to_close"])
k2.dataframe(wide.reset_index().rename(columns={"name": "category"}), hide_index=True, width="stretch",
             key="sensors_durations_table", column_config={
                 "category": st.column_config.TextColumn(t("category")),
                 "to_respond": st.column_config.NumberColumn(steps["to_respond"] + " P50", format="%.2f"),
                 "to_close": st.column_config.NumberColumn(steps["to_close"] + " P50", format="%.1f"),
             })
st.caption(t("sensors_note"))
