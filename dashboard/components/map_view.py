"""The count map: events per H3 cell (res 7-10) or per area level, over grid outlines."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.i18n import name_column, t
from dashboard.layers import (
    PALETTE,
    area_layer,
    area_records,
    color_bins,
    grid_outline_layer,
    h3_layer,
    make_deck,
    view_for,
)
from dashboard.state import current_settings
from data.contracts import AREA_LEVELS
from geo import cells_to_strings
from queries import EventFilter, Store

UNITS = ("h3", "street", "community", "grid")


@st.cache_resource(show_spinner=False, ttl=600)
def _shapes(_store: Store, store_key: str, level: str) -> pd.DataFrame:
    return _store.fetch("area_shapes", level=level)


def area_shapes(store: Store, level: str) -> pd.DataFrame:
    """Area ids, names and WKB of one level (cached for ten minutes)."""
    return _shapes(store, f"{store.dialect}:{id(store)}", level)


def available_levels(store: Store) -> list[str]:
    """Area levels (street, community, grid) that have at least one area."""
    return [lv for lv in AREA_LEVELS[1:] if len(area_shapes(store, lv))]


def _tip(name: pd.Series, frame: pd.DataFrame) -> pd.Series:
    return ("<b>" + name.astype(str) + "</b><br/>" + t("tip_events") + ": " + frame["events"].astype(str)
            + "<br/>" + t("tip_closed") + ": " + frame["closed"].astype(str)
            + "<br/>" + t("tip_overdue") + ": " + frame["open_overdue"].astype(str))


def _legend(edges: list[float], colors: list[list[int]]) -> None:
    if len(edges) < 2:
        return
    n = len(edges) - 1
    scale = (len(PALETTE) - 1) / max(n - 1, 1)
    chips = "".join(
        f'<span style="display:inline-block;margin-right:10px"><span style="display:inline-block;width:14px;'
        f'height:14px;background:rgb{tuple(PALETTE[int(round(i * scale))])};vertical-align:middle;'
        f'border:1px solid #999"></span> {edges[i]:,.0f}–{edges[i + 1]:,.0f}</span>'
        for i in range(n)
    )
    st.markdown(f'<div style="font-size:0.85rem">{t("legend_events")}: {chips}</div>', unsafe_allow_html=True)


def render_count_map(store: Store, flt: EventFilter, now: datetime, *, key_prefix: str) -> pd.DataFrame:
    """Draw the unit switch, the map and its legend; return the counts shown."""
    levels = available_levels(store)
    units = ["h3", *levels]
    c1, c2 = st.columns([3, 2])
    labels = {u: t("unit_h3") if u == "h3" else t(f"level_{u}") for u in units}
    unit = c1.radio(t("map_unit"), units, horizontal=True, key=f"{key_prefix}_unit", format_func=labels.get)
    res = c2.select_slider(t("h3_resolution"), options=[7, 8, 9, 10], value=9, key=f"{key_prefix}_res",
                           disabled=unit != "h3")
    outline = area_shapes(store, levels[-1]) if levels else pd.DataFrame(columns=["area_id", "wkb"])
    layers = [grid_outline_layer(outline)] if len(outline) else []
    if unit == "h3":
        counts = store.fetch("count_events_by_cell", **flt.params(), res=int(res), now=now)
        counts["hex"] = pd.Series(cells_to_strings(counts["cell"].to_numpy()), index=counts.index, dtype=object)
        colors, edges = color_bins(counts["events"])
        counts["color"] = colors
        counts["tip"] = _tip(t("tip_cell") + " " + counts["hex"].astype(str), counts)
        layers.insert(0, h3_layer(counts[["hex", "color", "tip"]], layer_id=f"{key_prefix}-h3"))
    else:
        counts = store.fetch("count_events_by_area", **flt.params(), level=unit, now=now)
        colors, edges = color_bins(counts["events"])
        counts["color"] = colors
        counts["tip"] = _tip(counts[name_column()], counts)
        records = area_records(area_shapes(store, unit), counts[["area_id", "color", "tip"]])
        layers.insert(0, area_layer(records, layer_id=f"{key_prefix}-areas"))
    view_key = f"{key_prefix}_view"
    if view_key not in st.session_state and len(outline):
        st.session_state[view_key] = view_for(outline)
    view = st.session_state.get(view_key) or view_for(outline, hexes=counts["hex"] if unit == "h3" else None)
    st.pydeck_chart(make_deck(layers, view, current_settings().tile_url), height=520, key=f"{key_prefix}-map")
    _legend(edges, colors)
    return counts
