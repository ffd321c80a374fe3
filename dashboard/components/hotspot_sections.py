"""The hotspot page's result sections: the ranking of the strongest units with the result's
downloads, and the selected unit's weekly events and event list (the page: :mod:`dashboard.pages.hotspots`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.auth import can, current_user
from dashboard.auth.trail import export_callback
from dashboard.charts import show_chart
from dashboard.components import columns as col
from dashboard.components import numbers as num
from dashboard.components.downloads import download_buttons, file_name, filter_notes, localised
from dashboard.components.hotspot_state import (
    Controls,
)
from dashboard.components.map_kit import (
    TIP_COLUMNS,
)
from dashboard.components.names import category_names, department_names
from dashboard.hotspot_view import (
    ranked,
    result_geojson,
)
from dashboard.i18n import t
from dashboard.safe_text import md
from data.store import Store
from geo.periods import periods
from queries import EventFilter
from queries.answers.hotspots import (
    EVENT_LIMIT,
    HotspotAnalysis,
    unit_events,
)


def render_ranking(
    store: Store,
    flt: EventFilter,
    analysis: HotspotAnalysis,
    table: pd.DataFrame,
    names: pd.Series,
    label_text: dict[str, str],
    controls: Controls,
) -> pd.DataFrame:
    """The strongest units and the result's CSV and GeoJSON downloads; returns the units shown."""
    st.subheader(t("hotspots_ranking"))
    top = ranked(table)
    col.dataframe(
        pd.DataFrame(
            {
                "rank": top["rank"],
                "unit": names.loc[top.index],
                "events": top["events"],
                "stat": top["z"].round(3),
                "p": top["p_adjusted"],
                "label": top["label"].map(label_text),
            }
        ),
        hide_index=True,
        width="stretch",
        height=360,
        key="hs_table",
        column_config={
            "rank": col.count(t("hotspots_col_rank"), width="small"),
            "unit": col.name(t("hotspots_col_unit")),
            "events": col.count(t("col_events"), width="small"),
            "stat": col.number(t(f"hotspots_stat_{controls.method}"), "%.3f", width="small"),
            "p": col.p_value(t("hotspots_col_p")),
            "label": col.text(t("hotspots_label")),
        },
    )
    export = table.drop(columns=["color", *TIP_COLUMNS])
    stat = t(f"hotspots_stat_{controls.method}")
    shown = localised(
        export.assign(name=names.loc[export.index].to_numpy(), label_text=export["label"].map(label_text)),
        {
            "rank": t("hotspots_col_rank"),
            "unit_id": t("export_unit_id"),
            "name": t("export_unit_name"),
            "events": t("col_events"),
            "z": stat,
            "p_value": t("export_p_raw"),
            "p_adjusted": t("export_p_adjusted"),
            "label_text": t("hotspots_label"),
            "label": t("export_label_code"),
        },
    )
    notes = filter_notes(
        store,
        flt,
        t("hotspots_title"),
        [
            (t("export_method"), t(f"hotspots_method_{controls.method}")),
            (
                t("export_unit"),
                f"{t('unit_h3')} r{controls.res}" if controls.unit == "h3" else t(f"level_{controls.unit}"),
            ),
            (t("hotspots_confidence"), f"{controls.confidence:.0%}"),
            (t("hotspots_fdr"), t("export_on") if controls.fdr else t("export_off")),
        ],
    )
    d1, d2, d3 = st.columns(3)
    download_buttons(
        shown,
        notes,
        name=file_name("hotspots", flt, controls.method),
        key="hs_export",
        label=t("hotspots_export_what"),
        columns=(d1, d3),
    )
    if not can(current_user(), "export"):
        return top
    d2.download_button(
        t("hotspots_download_geojson"),
        lambda: result_geojson(export, analysis.wkb, unit=controls.unit),  # made on click, not per rerun
        file_name="hotspots.geojson",
        mime="application/geo+json",
        key="hs_geojson",
        on_click=export_callback,
        args=("hs_geojson", "hotspots.geojson", len(export), list(notes)),
    )
    return top


def render_unit(
    store: Store,
    flt: EventFilter,
    row: pd.Series,
    selected: str,
    name: str,
    label_text: dict[str, str],
    controls: Controls,
    side: DeltaGenerator,
) -> None:
    """The selected unit: its weekly events (in ``side``) and the list of its events."""
    if controls.unit == "h3":
        found = unit_events(store, flt, "h3", selected, res=controls.res, cell=int(row["cell"]), limit=EVENT_LIMIT)
    else:
        found = unit_events(store, flt, controls.unit, selected, limit=EVENT_LIMIT)
    ev, series = found.events, found.weekly
    with side:
        st.markdown(
            f"**{md(name)}** · {label_text.get(row['label'], row['label'])} · {t('tip_events')}: {int(row['events']):,}"
        )
        weeks = periods(flt.start, flt.end, "week").set_index("bucket")
        clipped = [bool(weeks["partial"].get(pd.Timestamp(w), False)) for w in series["week"]]
        ticks = [num.period_label(w, "week") for w in series["week"]]
        fig = go.Figure(
            go.Bar(
                x=ticks,
                y=series["events"],
                marker_color="#c0392b",
                marker_pattern_shape=["/" if c else "" for c in clipped],
                customdata=[
                    num.span(weeks["first"].get(pd.Timestamp(w), w), weeks["end"].get(pd.Timestamp(w), w))
                    for w in series["week"]
                ],
                hovertemplate="%{x} (%{customdata}): %{y:,}<extra></extra>",
            )
        )
        fig.update_layout(
            height=220,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis_title=t("hotspots_week"),
            yaxis_title=t("trend_y"),
        )
        fig.update_xaxes(type="category")
        show_chart(fig, width="stretch", key="hs_weekly")
        if any(clipped):
            st.caption(t("hotspots_partial_week"))
    st.subheader(t("hotspots_events", n=min(len(ev), EVENT_LIMIT), total=int(row["events"])))
    cats, depts = category_names(store), department_names(store)
    col.dataframe(
        pd.DataFrame(
            {
                "time": ev["reported_at"],
                "category": ev["category"].map(cats).fillna(ev["category"]),
                "status": [t(f"stage_{s}") for s in ev["status"]],
                "department": ev["department"].map(depts),
                "description": ev["description"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="hs_events",
        column_config={
            "time": col.when(t("hotspots_col_time")),
            "category": col.text(t("category")),
            "status": col.text(t("hotspots_col_status")),
            "department": col.text(t("department")),
            "description": col.text(t("hotspots_col_description")),
        },
    )
