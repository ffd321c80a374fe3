"""What every map of the dashboard shares: tooltips, legend chips, the fitted view, the
orientation marks, the deck and reading a click.

Tooltips are a fixed template over per-object text fields (``tip``, ``tip_k1``/``tip_v1`` …):
Streamlit HTML-escapes every ``{field}`` value of a pydeck ``html`` tooltip (1.67,
``DeckGlJsonChart``), so names from data are shown as text, and the template itself holds no
data at all. The tooltip box sits in the map's upper left corner (not at the pointer; the zoom
buttons are on the right), so it never runs past the map's edge, also on a phone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import h3
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard.components.cached import cached_answer
from dashboard.i18n import name_column
from dashboard.layers import PHONE_MAP_WIDTH, from_wkb, make_deck, view_for
from dashboard.map_marks import scale_bar_layers
from dashboard.state import current_settings
from geo.areas import assign_points_to_areas
from geo.viewport import View
from queries.answers import lookups

TIP_LINES = 6
"""Lines under a tooltip's title; every pickable object has all of them (empty ones take no room)."""

TIP_COLUMNS = ["tip", *[f"tip_{kv}{i}" for i in range(1, TIP_LINES + 1) for kv in "kv"]]
"""The tooltip fields of a map object: the title, then a label and a value per line."""

TOOLTIP_HTML = '<div style="font-weight:600;margin-bottom:2px">{tip}</div>' + "".join(
    f'<div><span style="color:#c9ced6">{{tip_k{i}}}</span>{{tip_v{i}}}</div>' for i in range(1, TIP_LINES + 1)
)
"""The one template of every map: only ``{field}`` slots, no data."""

TOOLTIP_STYLE = {
    "backgroundColor": "rgba(30, 34, 42, 0.92)",
    "color": "#ffffff",
    "fontSize": "13px",
    "lineHeight": "1.4",
    "padding": "6px 9px",
    "borderRadius": "4px",
    "maxWidth": "min(280px, calc(100% - 24px))",
    "whiteSpace": "normal",
    "overflowWrap": "anywhere",
    "transform": "none",
    "top": "8px",
    "left": "8px",
    "right": "auto",
}
"""Inside the map's upper left corner whatever the pointer's position (deck.gl sets the box's
position as a transform before applying this style, so ``transform: none`` pins it)."""


def tooltips(title: pd.Series, lines: Sequence[tuple[str, pd.Series | Sequence[str]]]) -> pd.DataFrame:
    """The tooltip fields (:data:`TIP_COLUMNS`) per row: ``title`` as the heading, then a
    ``label: value`` line per entry of ``lines`` (values already formatted; a list is taken in
    row order); missing values show as "—". At most :data:`TIP_LINES` lines."""
    if len(lines) > TIP_LINES:
        raise ValueError(f"a tooltip has at most {TIP_LINES} lines")
    fields: dict[str, Any] = {"tip": title.astype(object).where(title.notna(), "—").astype(str).to_numpy()}
    for i in range(1, TIP_LINES + 1):
        if i <= len(lines):
            label, values = lines[i - 1]
            column = values if isinstance(values, pd.Series) else pd.Series(list(values), index=title.index)
            column = pd.Series(column.to_numpy(), index=title.index, dtype=object)
            fields[f"tip_k{i}"] = f"{label}: "
            fields[f"tip_v{i}"] = column.where(column.notna(), "—").astype(str).to_numpy()
        else:
            fields[f"tip_k{i}"] = ""
            fields[f"tip_v{i}"] = ""
    return pd.DataFrame(fields, index=title.index)  # made at once (adding columns one by one is slow)


def with_tips(frame: pd.DataFrame, tips: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the tooltip fields ``tips`` (same index) as columns, replacing any old ones."""
    return pd.concat([frame.drop(columns=[c for c in TIP_COLUMNS if c in frame.columns]), tips], axis=1)


def legend_html(title: str, chips: Iterable[tuple[str, str]], *, gap: int = 10, testid: str | None = None) -> str:
    """A legend line: ``title:`` then a colour chip and its text per ``(css colour, text)``."""
    body = "".join(
        f'<span style="display:inline-block;margin-right:{gap}px;white-space:nowrap"><span style="display:inline-block;'
        f'width:14px;height:14px;background:{css};vertical-align:middle;border:1px solid #999"></span> {text}</span>'
        for css, text in chips
    )
    attr = f' data-testid="{testid}"' if testid else ""
    return f'<div style="font-size:0.85rem"{attr}>{title}: {body}</div>'


def render_legend(title: str, chips: Iterable[tuple[str, str]], *, gap: int = 10, testid: str | None = None) -> None:
    """Draw :func:`legend_html` (the app's own HTML: titles and texts are the app's labels)."""
    st.markdown(legend_html(title, chips, gap=gap, testid=testid), unsafe_allow_html=True)


_WIDTH_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const host = parentElement.host || parentElement;
  let last = -1;
  const report = () => {
    const w = Math.round(host.getBoundingClientRect().width / 10) * 10;
    if (w > 0 && w !== last) { last = w; setStateValue('width', w); }
  };
  const observer = new ResizeObserver(report);
  observer.observe(host);
  report();
  return () => observer.disconnect();
}
"""

_width_probe = st.components.v2.component("gridscope_map_width", js=_WIDTH_JS)
"""An invisible element that reports the width of the column it sits in (to 10 px)."""


def map_width(key: str) -> int:
    """Pixel width of the column the next element is drawn in, as the browser reports it;
    :data:`~dashboard.layers.PHONE_MAP_WIDTH` until it has (and in AppTest)."""
    try:
        result = _width_probe(key=f"{key}_px", on_width_change=lambda: None)
    except Exception:  # noqa: BLE001 - no component runtime (AppTest): the phone-safe width
        return PHONE_MAP_WIDTH
    width = getattr(result, "width", None) if result is not None else None
    return int(width) if isinstance(width, int | float) and width > 0 else PHONE_MAP_WIDTH


def fitted_view(
    key: str, extent: pd.DataFrame, height: int, hexes: pd.Series | None = None
) -> tuple[pdk.ViewState, list[pdk.Layer]]:
    """The view that shows all of ``extent``'s areas (else the cells ``hexes``) in this map's
    width (:func:`map_width`, so call it right before the map, in the map's column) and
    ``height`` (the same view on every rerun at the same size), and the scale bar for it."""
    return view_and_scale(extent, height, map_width(key), hexes)


def view_and_scale(
    extent: pd.DataFrame, height: int, width: int, hexes: pd.Series | None = None
) -> tuple[pdk.ViewState, list[pdk.Layer]]:
    """:func:`fitted_view` for a known ``width`` (draws nothing: for cached map builders)."""
    view = view_for(extent, hexes, width=width, height=height)
    if view.zoom < 5:  # nothing to fit (the default view of the whole country)
        return view, []
    marks = scale_bar_layers(View(view.longitude, view.latitude, view.zoom), float(width), float(height), "{length}")
    return view, marks


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    """The deck of ``layers`` over the configured basemap (none unless intranet tiles are set),
    with the shared tooltip."""
    return make_deck(layers, view, current_settings().tile_url, tooltip={"html": TOOLTIP_HTML, "style": TOOLTIP_STYLE})


def clicked_object(event: Any, layer_id: str) -> dict | None:
    """The object of ``layer_id`` picked on a ``st.pydeck_chart(on_select=...)`` map, if any."""
    return ((event or {}).get("selection", {}).get("objects", {}).get(layer_id) or [None])[0]


def area_names(store: Any, level: str) -> pd.Series:
    """Names of the areas of ``level`` in the page's language (the id where there is none), by id."""
    shapes = cached_answer(lookups.area_shapes, store, level)
    return pd.Series(shapes[name_column()].fillna(shapes["area_id"]).astype(str).to_numpy(), index=shapes["area_id"])


def area_places(store: Any, level: str, area_ids: pd.Series) -> pd.Series:
    """Where each area of ``level`` lies: "street · community" for a grid, the street for a
    community, "" for a street (same index as ``area_ids``)."""
    out = pd.Series("", index=area_ids.index, dtype=object)
    if level not in ("community", "grid"):
        return out
    parents = {
        lv: cached_answer(lookups.area_shapes, store, lv).set_index("area_id")["parent_id"]
        for lv in ("grid", "community")
    }
    community = area_ids if level == "community" else area_ids.map(parents["grid"])
    street = community.map(parents["community"])
    street_name = street.map(area_names(store, "street"))
    if level == "community":
        return street_name.fillna("").astype(str)
    both = (
        street_name.fillna("").astype(str)
        + " · "
        + community.map(area_names(store, "community")).fillna("").astype(str)
    )
    return both.str.strip(" ·")


_CELL_AREAS: dict[tuple[str, str], dict[str, str | None]] = {}
"""The area of ``level`` each H3 cell's centre lies in, by (store key, level), filled as cells are asked for."""


def _cell_areas(store: Any, level: str, shapes: pd.DataFrame, hexes: pd.Series) -> list[str | None]:
    """Area id (of ``level``, from ``shapes``) of each cell of ``hexes``; cells placed before on
    this data version are not placed again."""
    key = (store.cache_key(), level)
    if key not in _CELL_AREAS:
        for old in [k for k in _CELL_AREAS if k[1] == level]:  # an older data version
            del _CELL_AREAS[old]
        _CELL_AREAS[key] = {}
    known = _CELL_AREAS[key]
    new = [h for h in dict.fromkeys(hexes) if h not in known]
    if new:
        centres = np.array([h3.cell_to_latlng(h) for h in new], dtype=float)
        ids = assign_points_to_areas(
            centres[:, 1], centres[:, 0], from_wkb(shapes["wkb"]), shapes["area_id"].to_numpy()
        )
        known.update(zip(new, (None if pd.isna(i) else i for i in ids), strict=True))
    return [known[h] for h in hexes]


def cell_places(store: Any, hexes: pd.Series) -> pd.Series:
    """Where each H3 cell's centre lies: "street · community" (or the finest level the store has),
    "" outside every area (same index as ``hexes``)."""
    out = pd.Series("", index=hexes.index, dtype=object)
    for level in ("community", "street"):
        shapes = cached_answer(lookups.area_shapes, store, level)
        if not len(shapes) or not len(hexes):
            continue
        found = pd.Series(_cell_areas(store, level, shapes, hexes), index=hexes.index, dtype=object)
        if level == "community":
            names = area_places(store, "community", found.dropna())
            community = found.dropna().map(area_names(store, "community"))
            text = (names + " · " + community).str.strip(" ·")
        else:
            text = found.dropna().map(area_names(store, "street"))
        return text.reindex(hexes.index).fillna("").astype(str)
    return out
