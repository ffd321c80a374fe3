"""The count map: events per H3 cell (res 7-10) or per area level, over grid outlines."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard.components.cached import cached_answer, cached_payload
from dashboard.components.deck_spec import DeckSpec, LayerJSON, deck_spec, layer_json
from dashboard.components.map_kit import (
    TIP_COLUMNS,
    area_names,
    area_places,
    cell_places,
    deck,
    map_width,
    render_legend,
    tooltips,
    view_and_scale,
    with_tips,
)
from dashboard.i18n import name_column, t
from dashboard.layers import area_layer, area_records, grid_outline_layer, h3_layer
from dashboard.map_colors import count_colors
from dashboard.map_marks import label_points, outline_layer
from dashboard.map_text import label_layer
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
    return cached_answer(_levels, store)


def _levels(store: Store) -> list[str]:
    return [lv for lv in AREA_LEVELS[1:] if len(lookups.area_shapes(store, lv))]


MAP_HEIGHT = 520


def count_tips(name: pd.Series, frame: pd.DataFrame, places: pd.Series) -> pd.DataFrame:
    """Tooltips of a count map: the unit's name, where it lies, its events, closed and open overdue."""
    lines = [(t("tip_place"), places)] if (places != "").any() else []
    return tooltips(
        name,
        [
            *lines,
            (t("tip_events"), frame["events"].map("{:,}".format)),
            (t("tip_closed"), frame["closed"].map("{:,}".format)),
            (t("tip_overdue"), frame["open_overdue"].map("{:,}".format)),
        ],
    )


def orientation_layers(store: Store, levels: list[str], label_level: str) -> list[pdk.Layer]:
    """Grid outlines, the district outline drawn heavy and the names of ``label_level``'s areas."""
    layers: list[pdk.Layer] = []
    if levels:
        layers.append(grid_outline_layer(area_shapes(store, levels[-1])))
    district = area_shapes(store, "district")
    if len(district):
        layers.append(outline_layer(district))
    if label_level in levels:
        shapes = area_shapes(store, label_level)
        layers.append(label_layer(label_points(shapes, area_names(store, label_level).reindex(shapes["area_id"]))))
    return layers


def orientation_json(store: Store, levels: list[str], label_level: str) -> list[LayerJSON]:
    """:func:`orientation_layers` serialised, once per data version, levels and language for
    every map of every session (they do not change with the filters)."""
    return cached_payload(_orientation_json, store, tuple(levels), label_level)


def _orientation_json(store: Store, levels: tuple[str, ...], label_level: str) -> list[LayerJSON]:
    return [layer_json(layer) for layer in orientation_layers(store, list(levels), label_level)]


def render_count_map(store: Store, flt: EventFilter, now: datetime, *, key_prefix: str) -> None:
    """Draw the unit switch, the map and its legend (the map itself built once per
    filter, unit, width and language for every session: :func:`count_map`)."""
    levels = available_levels(store)
    units = ["h3", *levels]
    c1, c2 = st.columns([3, 2])
    labels = {u: t("unit_h3") if u == "h3" else t(f"level_{u}") for u in units}
    unit = c1.radio(t("map_unit"), units, horizontal=True, key=f"{key_prefix}_unit", format_func=labels.get)
    res = c2.select_slider(
        t("h3_resolution"), options=[7, 8, 9, 10], value=9, key=f"{key_prefix}_res", disabled=unit != "h3"
    )
    width = map_width(f"{key_prefix}_view")
    spec, chips = cached_payload(count_map, store, flt, now, str(unit), int(res), width, key_prefix)
    st.pydeck_chart(spec, height=MAP_HEIGHT, key=f"{key_prefix}-map")
    if chips:
        render_legend(t("map_legend_counts", metric=t("legend_events")), chips)
    st.caption(t("map_outline_note"))


def count_map(
    store: Store, flt: EventFilter, now: datetime, unit: str, res: int, width: int, key_prefix: str
) -> tuple[DeckSpec, list[tuple[str, str]]]:
    """The count map of ``unit`` (``h3`` at ``res``, or an area level) as a deck spec, and its
    legend chips; draws nothing (cached by :func:`render_count_map`)."""
    levels = available_levels(store)
    outline = area_shapes(store, levels[-1]) if levels else pd.DataFrame(columns=["area_id", "wkb"])
    if unit == "h3":
        counts = events_by_cell(store, flt, now, int(res))
        colors, chips = count_colors(counts["events"])
        counts["color"] = colors
        title = t("tip_cell") + " " + counts["hex"].astype(str)
        counts = with_tips(counts, count_tips(title, counts, cell_places(store, counts["hex"])))
        main = h3_layer(counts[["hex", "color", *TIP_COLUMNS]], layer_id=f"{key_prefix}-h3")
    else:
        counts = events_by_area(store, flt, now, unit)
        colors, chips = count_colors(counts["events"])
        counts["color"] = colors
        names = counts[name_column()].fillna(counts["area_id"]).astype(str)
        counts = with_tips(counts, count_tips(names, counts, area_places(store, unit, counts["area_id"])))
        records = area_records(area_shapes(store, unit), counts[["area_id", "color", *TIP_COLUMNS]])
        main = area_layer(records, layer_id=f"{key_prefix}-areas")
    label_level = "community" if unit == "community" else "street"
    view, marks = view_and_scale(outline, MAP_HEIGHT, width, hexes=counts["hex"] if unit == "h3" else None)
    layers = [main, *orientation_json(store, levels, label_level), *marks]
    return deck_spec(deck(layers, view)), list(chips)
