"""The count map: events per H3 cell (res 7-10) or per area level, over grid outlines."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.components.cached import cached_answer
from dashboard.components.map_kit import (
    deck,
    kept_view,
    range_chips,
    render_legend,
    tooltips,
)
from dashboard.i18n import name_column, t
from dashboard.layers import (
    PALETTE,
    area_layer,
    area_records,
    color_bins,
    grid_outline_layer,
    h3_layer,
)
from data.contracts import AREA_LEVELS
from data.store import Store
from queries import EventFilter
from queries.answers import lookups
from queries.answers.counts import events_by_area, events_by_cell

UNITS = ("h3", "street", "community", "grid")


def area_shapes(store: Store, level: str) -> pd.DataFrame:
    """Area ids, names and WKB of one level (through the page kit's cache)."""
    return cached_answer(lookups.area_shapes, store, level)


def available_levels(store: Store) -> list[str]:
    """Area levels (street, community, grid) that have at least one area."""
    return [lv for lv in AREA_LEVELS[1:] if len(area_shapes(store, lv))]


def count_tips(name: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Tooltips of a count map: the unit's name, its events, closed and open overdue."""
    return tooltips(
        name,
        [
            (t("tip_events"), frame["events"]),
            (t("tip_closed"), frame["closed"]),
            (t("tip_overdue"), frame["open_overdue"]),
        ],
    )


def _legend(edges: list[float], colors: list[list[int]]) -> None:
    if len(edges) < 2:
        return
    n = len(edges) - 1
    scale = (len(PALETTE) - 1) / max(n - 1, 1)
    chips = range_chips(edges, [f"rgb{tuple(PALETTE[int(round(i * scale))])}" for i in range(n)])
    render_legend(t("legend_events"), chips)


def render_count_map(store: Store, flt: EventFilter, now: datetime, *, key_prefix: str) -> pd.DataFrame:
    """Draw the unit switch, the map and its legend; return the counts shown."""
    levels = available_levels(store)
    units = ["h3", *levels]
    c1, c2 = st.columns([3, 2])
    labels = {u: t("unit_h3") if u == "h3" else t(f"level_{u}") for u in units}
    unit = c1.radio(t("map_unit"), units, horizontal=True, key=f"{key_prefix}_unit", format_func=labels.get)
    res = c2.select_slider(
        t("h3_resolution"), options=[7, 8, 9, 10], value=9, key=f"{key_prefix}_res", disabled=unit != "h3"
    )
    outline = area_shapes(store, levels[-1]) if levels else pd.DataFrame(columns=["area_id", "wkb"])
    layers = [grid_outline_layer(outline)] if len(outline) else []
    if unit == "h3":
        counts = events_by_cell(store, flt, now, int(res))
        colors, edges = color_bins(counts["events"])
        counts["color"] = colors
        counts["tip"] = count_tips(t("tip_cell") + " " + counts["hex"].astype(str), counts)
        layers.insert(0, h3_layer(counts[["hex", "color", "tip"]], layer_id=f"{key_prefix}-h3"))
    else:
        counts = events_by_area(store, flt, now, unit)
        colors, edges = color_bins(counts["events"])
        counts["color"] = colors
        counts["tip"] = count_tips(counts[name_column()], counts)
        records = area_records(area_shapes(store, unit), counts[["area_id", "color", "tip"]])
        layers.insert(0, area_layer(records, layer_id=f"{key_prefix}-areas"))
    view = kept_view(f"{key_prefix}_view", outline, hexes=counts["hex"] if unit == "h3" else None)
    st.pydeck_chart(deck(layers, view), height=520, key=f"{key_prefix}-map")
    _legend(edges, colors)
    return counts
