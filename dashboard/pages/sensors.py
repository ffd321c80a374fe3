"""IoT sensors (物联感知): readings per H3 cell or grid, a sensor's or cell's hourly series
against its threshold, and how alarms became events and moved through the chain."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.chain_view import STEPS, durations_long
from dashboard.charts import show_chart
from dashboard.components import columns as col
from dashboard.components.cached import cached_answer
from dashboard.components.filters import last_day, render_filters
from dashboard.components.map_kit import (
    TIP_COLUMNS,
    area_places,
    cell_places,
    clicked_object,
    deck,
    fitted_view,
    render_legend,
    tooltips,
    with_tips,
)
from dashboard.components.map_view import area_shapes, available_levels, orientation_layers
from dashboard.components.names import category_names, stage_names
from dashboard.components.sla_notice import render_assumed_sla_notice
from dashboard.i18n import name_column, t, t_count
from dashboard.layers import area_layer, area_records, h3_layer
from dashboard.map_colors import count_colors
from dashboard.safe_text import html_text, md
from dashboard.sensor_view import sensor_point_layer, series_figure
from dashboard.state import data_now, get_store
from data.store import Store
from queries import EventFilter
from queries.answers import sensors as answers
from queries.answers.chain import funnel_table
from queries.answers.sensors import KINDS, METRICS


@dataclass(frozen=True)
class MapView:
    """What the map shows (kind, unit, resolution, metric, the sensors and the units' statistics)
    and what was clicked on it."""

    kind: str
    unit: str
    res: int
    metric: str
    sensors: pd.DataFrame
    stats: pd.DataFrame
    reading_unit: str
    clicked_unit: str | None
    clicked_sensor: str | None


def render() -> None:
    """The page: the readings map beside the units table, a series, alarms, the sensor chain."""
    store = get_store()
    # Alarms come from readings, before any event exists: an event's category or source
    # cannot select them (filtering by the linked events' category would drop the alarms
    # that became no event and show 100 % "became events"; every sensor event's source is
    # "sensor"). The selections stay for the other pages; here they are set aside, and said so.
    chosen = render_filters(store)
    flt = replace(chosen, categories=(), sources=())
    if chosen.categories or chosen.sources:
        st.sidebar.caption(t("sensors_filters_unused"))
    now = data_now()
    st.title(t("sensors_title"))
    st.caption(t("sensors_caption", start=flt.start.date(), end=last_day(flt)))
    view = render_map(store, flt)
    render_series(store, flt, view)
    render_alarms(store, flt, now, view.kind)
    render_sensor_chain(store, flt, now)
    st.caption(t("sensors_note"))


def _kind_labels() -> dict[str, str]:
    return {k: t(f"sensors_kind_{k}") for k in KINDS}


def _fmt(v: float) -> str:
    return "—" if pd.isna(v) else f"{v:,.1f}"


def render_map(store: Store, flt: EventFilter) -> MapView:
    """Controls, the map of readings per cell or grid with the sensors on top, the units table."""
    c1, c2, c3, c4 = st.columns([3, 2, 2, 3], vertical_alignment="bottom")
    kind = c1.radio(t("sensors_kind"), KINDS, horizontal=True, key="sensors_kind", format_func=_kind_labels().get)
    units = ["h3", "grid"] if "grid" in available_levels(store) else ["h3"]  # grids only if the store has them
    if st.session_state.get("sensors_unit") not in units:
        st.session_state.pop("sensors_unit", None)
    unit = c2.radio(
        t("map_unit"),
        units,
        horizontal=True,
        key="sensors_unit",
        format_func={"h3": t("unit_h3"), "grid": t("level_grid")}.get,
    )
    res = int(
        c3.select_slider(t("h3_resolution"), options=[7, 8, 9, 10], value=8, key="sensors_res", disabled=unit != "h3")
    )
    metric = c4.radio(
        t("sensors_metric"),
        METRICS,
        horizontal=True,
        key="sensors_metric",
        format_func={m: t(f"sensors_metric_{m}") for m in METRICS}.get,
    )
    sensors = cached_answer(answers.sensor_stats, store, flt, kind)
    unit_label = answers.reading_unit(sensors)
    stats = cached_answer(answers.unit_stats, store, flt, kind, unit, res)
    names = stats["hex"] if unit == "h3" else stats[name_column()].fillna(stats["area_id"]).astype(str)
    colors, chips = count_colors(stats[metric], fmt="{:,.0f}" if metric == "exceedances" else "{:,.1f}")
    places = cell_places(store, stats["hex"]) if unit == "h3" else area_places(store, "grid", stats["area_id"])
    stats = with_tips(
        stats.assign(color=colors),
        tooltips(
            names,
            [
                (t("tip_place"), places),
                (t("sensors_sensors"), stats["sensors"]),
                (t("sensors_metric_mean_value"), stats["mean_value"].map(_fmt).astype(str) + " " + unit_label),
                (t("sensors_metric_p95_value"), stats["p95_value"].map(_fmt)),
                (t("sensors_metric_max_value"), stats["max_value"].map(_fmt)),
                (t("sensors_metric_exceedances"), stats["exceedances"]),
            ],
        ),
    )
    outline = area_shapes(store, "grid")
    layer_id = "sensors-units"
    if unit == "h3":
        main = h3_layer(stats[["hex", "color", "unit_id", *TIP_COLUMNS]], layer_id=layer_id)
    else:
        main = area_layer(
            area_records(
                outline[outline["area_id"].isin(stats["area_id"])], stats[["area_id", "color", "unit_id", *TIP_COLUMNS]]
            ),
            layer_id=layer_id,
        )
    points = with_tips(
        sensors,
        tooltips(
            sensors["sensor_id"],
            [
                (t("sensors_metric_exceedances"), sensors["exceedances"]),
                (t("sensors_metric_max_value"), sensors["max_value"].map(_fmt)),
            ],
        ),
    )
    layers = [main, *orientation_layers(store, available_levels(store), "street"), sensor_point_layer(points)]
    left, right = st.columns([3, 2])
    with left:
        view, marks = fitted_view("sensors_view", outline, 480, hexes=stats["hex"] if unit == "h3" else None)
        event = st.pydeck_chart(
            deck([*layers, *marks], view),
            height=480,
            key="sensors_map",
            on_select="rerun",
            selection_mode="single-object",
        )
        clicked_unit = (clicked_object(event, layer_id) or {}).get("unit_id")
        clicked_sensor = (clicked_object(event, "sensor-points") or {}).get("sensor_id")
        if chips:
            render_legend(t("map_legend_counts", metric=t(f"sensors_metric_{metric}")), chips)
            st.caption(t("sensors_dots_note"))
    with right:
        st.subheader(t("sensors_units_title"))
        col.dataframe(
            pd.DataFrame(
                {
                    "unit": names,
                    "sensors": stats["sensors"],
                    "exceedances": stats["exceedances"],
                    "mean_value": stats["mean_value"],
                    "p95_value": stats["p95_value"],
                    "max_value": stats["max_value"],
                }
            ),
            hide_index=True,
            width="stretch",
            height=440,
            key="sensors_units_table",
            column_config={
                "unit": col.text(t("unit_h3") if unit == "h3" else t("level_grid"), width="medium"),
                "sensors": col.count(t("sensors_sensors"), width="small"),
                "exceedances": col.count(t("sensors_metric_exceedances"), width="small"),
                "mean_value": col.number(t("sensors_metric_mean_value"), "%.1f", width="small"),
                "p95_value": col.number(t("sensors_metric_p95_value"), "%.1f", width="small"),
                "max_value": col.number(t("sensors_metric_max_value"), "%.1f", width="small"),
            },
        )
    if stats.empty:
        st.info(t("sensors_no_readings"))
    return MapView(kind, unit, res, metric, sensors, stats, unit_label, clicked_unit, clicked_sensor)


def _follow_click(view: MapView) -> None:
    """A clicked cell shows that cell's series, a clicked sensor (or grid) a sensor's."""
    kind, unit = view.kind, view.unit
    if view.clicked_unit and unit == "h3" and view.clicked_unit != st.session_state.get("sensors_last_unit"):
        st.session_state["sensors_last_unit"] = view.clicked_unit
        st.session_state["sensors_series_mode"] = "cell"
        st.session_state["sensors_cell"] = view.clicked_unit
    if view.clicked_sensor and view.clicked_sensor != st.session_state.get("sensors_last_sensor"):
        st.session_state["sensors_last_sensor"] = view.clicked_sensor
        st.session_state["sensors_series_mode"] = "sensor"
        st.session_state[f"sensors_sensor_{kind}"] = view.clicked_sensor
    if view.clicked_unit and unit == "grid" and view.clicked_unit != st.session_state.get("sensors_last_unit"):
        st.session_state["sensors_last_unit"] = view.clicked_unit
        in_grid = view.sensors[view.sensors["grid_id"] == view.clicked_unit]
        if len(in_grid):
            st.session_state["sensors_series_mode"] = "sensor"
            st.session_state[f"sensors_sensor_{kind}"] = in_grid["sensor_id"].iloc[0]


def render_series(store: Store, flt: EventFilter, view: MapView) -> None:
    """The hourly series of a sensor, or of a cell's sensors, against the threshold."""
    st.subheader(t("sensors_series_title"))
    modes = ["sensor", "cell"] if view.unit == "h3" else ["sensor"]
    s1, s2 = st.columns([1, 3])
    _follow_click(view)
    if st.session_state.get("sensors_series_mode") not in modes:
        st.session_state["sensors_series_mode"] = "sensor"
    mode = s1.radio(
        t("sensors_series_of"),
        modes,
        key="sensors_series_mode",
        format_func={"sensor": t("sensors_series_sensor"), "cell": t("sensors_series_cell")}.get,
    )
    labels = {
        "value": t("sensors_value"),
        "over": t("sensors_over"),
        "threshold": t("sensors_threshold"),
        "extra": t("sensors_cell_max"),
        "y": html_text(view.reading_unit),
    }
    sensors, stats = view.sensors, view.stats
    if mode == "sensor":
        options = list(sensors["sensor_id"])
        key = f"sensors_sensor_{view.kind}"
        if st.session_state.get(key) not in options:
            st.session_state.pop(key, None)
        text = dict(
            zip(
                sensors["sensor_id"],
                sensors["sensor_id"]
                + " · "
                + t("sensors_metric_exceedances")
                + " "
                + sensors["exceedances"].astype(str),
                strict=True,
            )
        )
        chosen = s2.selectbox(t("sensors_pick_sensor"), options, key=key, format_func=text.get) if options else None
        if chosen:
            series = cached_answer(answers.sensor_series, store, flt, chosen)
            show_chart(
                series_figure(series.frame, value="value", threshold=series.threshold, labels=labels),
                width="stretch",
                key="sensors_series_chart",
            )
    else:
        options = list(stats.sort_values(view.metric, ascending=False)["hex"])
        if st.session_state.get("sensors_cell") not in options:
            st.session_state.pop("sensors_cell", None)
        chosen = s2.selectbox(t("sensors_pick_cell"), options, key="sensors_cell") if options else None
        if chosen:
            cell = int(stats.set_index("hex").loc[chosen, "cell"])
            series = cached_answer(answers.cell_series, store, flt, view.kind, view.res, cell)
            show_chart(
                series_figure(
                    series.frame,
                    value="mean_value",
                    extra="max_value",
                    threshold=series.threshold,
                    labels={**labels, "value": t("sensors_cell_mean")},
                ),
                width="stretch",
                key="sensors_series_chart",
            )


def alarms_readable(store: Store, flt: EventFilter) -> bool:
    """Whether the window's alarms can be found: they come from the raw readings, so a store
    that serves the window from its rollups (``gridscope rollup readings --load``) without
    raw readings in it has none to show (not "no alarms")."""
    if not answers.from_rollups(store, flt):
        return True
    return bool(int(store.fetch("readings_present", start=flt.start, end=flt.end)["present"].iloc[0]))


def render_alarms(store: Store, flt: EventFilter, now: datetime, kind: str) -> None:
    """Alarms per kind and the events they became, then the list of this kind's alarms."""
    st.subheader(t("sensors_alarms_title"))
    if not cached_answer(alarms_readable, store, flt):
        st.warning(t("sensors_alarms_need_readings"))
        return
    kind_labels = _kind_labels()
    summary = cached_answer(answers.alarm_summary, store, flt, now)
    if summary.empty:
        st.info(t("sensors_no_alarms"))
    else:
        cols = st.columns(len(summary))
        for column, row in zip(cols, summary.itertuples(), strict=True):
            column.metric(
                t("sensors_alarm_label", kind=kind_labels.get(row.kind) or md(row.kind)),
                f"{row.alarms:,}",
                t_count("sensors_alarm_delta", int(row.to_events), events=row.to_events, share=row.event_share),
                delta_color="off",
                delta_arrow="off",
                border=True,
                help=t("sensors_alarm_help"),
            )
        col.dataframe(
            summary.assign(kind=summary["kind"].map(kind_labels).fillna(summary["kind"]))[
                [
                    "kind",
                    "sensors_alarmed",
                    "alarms",
                    "to_events",
                    "event_share",
                    "median_respond_h",
                    "median_close_h",
                    "on_time_rate",
                ]
            ],
            hide_index=True,
            width="stretch",
            key="sensors_summary_table",
            column_config={
                "kind": col.text(t("sensors_kind")),
                "sensors_alarmed": col.count(t("sensors_sensors_alarmed")),
                "alarms": col.count(t("sensors_alarms")),
                "to_events": col.count(t("sensors_to_events")),
                "event_share": col.percent(t("sensors_event_share")),
                "median_respond_h": col.number(t("chain_col_median_respond_h"), "%.2f"),
                "median_close_h": col.number(t("chain_col_median_close_h"), "%.1f"),
                "on_time_rate": col.percent(t("chain_col_on_time_rate")),
            },
        )
        render_assumed_sla_notice(store, answers.sensor_filter(flt))

    alarms = cached_answer(answers.alarms, store, flt, kind, now)
    with st.expander(t("sensors_alarm_list", kind=kind_labels[kind], n=len(alarms)), expanded=False):
        col.dataframe(
            pd.DataFrame(
                {
                    "ts": alarms["ts"],
                    "sensor_id": alarms["sensor_id"],
                    "value": alarms["value"],
                    "threshold": alarms["threshold"],
                    "event_id": alarms["event_id"],
                    "respond_h": alarms["respond_h"],
                    "close_h": alarms["close_h"],
                }
            ),
            hide_index=True,
            width="stretch",
            key="sensors_alarm_table",
            column_config={
                "ts": col.when(t("sensors_alarm_time")),
                "sensor_id": col.text(t("sensors_sensor")),
                "value": col.number(t("sensors_value"), "%.1f"),
                "threshold": col.number(t("sensors_threshold"), "%.1f"),
                "event_id": col.text(t("sensors_event")),
                "respond_h": col.number(t("sensors_respond_h"), "%.2f"),
                "close_h": col.number(t("sensors_close_h"), "%.1f"),
            },
        )


def render_sensor_chain(store: Store, flt: EventFilter, now: datetime) -> None:
    """How the events reported by sensors moved through the chain: stages and median hours."""
    st.markdown(f"**{t('sensors_chain_title')}**")
    chain = cached_answer(answers.sensor_chain, store, flt, now)
    k1, k2 = st.columns([2, 3])
    with k1:
        col.dataframe(
            funnel_table(chain.funnel).assign(stage=lambda d: d["stage"].map(stage_names()))[
                ["stage", "reached", "waiting_share"]
            ],
            hide_index=True,
            width="stretch",
            key="sensors_funnel_table",
            column_config={
                "stage": col.text(t("chain_col_stage")),
                "reached": col.count(t("chain_col_reached")),
                "waiting_share": col.percent(t("chain_col_waiting")),
            },
        )
    long = durations_long(chain.durations, pd.Series(category_names(store), dtype=object))
    steps = {s: t(f"chain_step_{s}") for s in STEPS}
    wide = (
        long[long["step"].isin(["to_respond", "to_close"])]
        .pivot_table(index="name", columns="step", values="p50", sort=False)
        .reindex(columns=["to_respond", "to_close"])
    )
    with k2:
        col.dataframe(
            wide.reset_index().rename(columns={"name": "category"}),
            hide_index=True,
            width="stretch",
            key="sensors_durations_table",
            column_config={
                "category": col.text(t("category")),
                "to_respond": col.number(steps["to_respond"] + " P50", "%.2f"),
                "to_close": col.number(steps["to_close"] + " P50", "%.1f"),
            },
        )


with st.spinner(t("sensors_computing"), show_time=True):
    render()
