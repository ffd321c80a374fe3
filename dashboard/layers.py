"""pydeck layer builders: grid outlines, H3 choropleths, area choropleths, and the deck.

Maps work offline: the style is served by the app itself (``static/``, Streamlit static
serving): an empty style unless ``GRIDSCOPE_TILE_URL`` names intranet raster tiles; grid
outlines are drawn as the base layer either way.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from geo.viewport import fit_bounds

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def from_wkb(wkb: pd.Series) -> np.ndarray:
    """Shapely geometries from WKB as drivers return it (bytes, bytearray or memoryview)."""
    return shapely.from_wkb(np.array([bytes(b) for b in wkb], dtype=object))


def polygons_to_paths(wkb: pd.Series) -> list[list[list[float]]]:
    """Exterior rings of (multi)polygons as coordinate lists, parts expanded."""
    geoms = shapely.get_parts(from_wkb(wkb))
    return [np.round(shapely.get_coordinates(shapely.get_exterior_ring(g)), 6).tolist() for g in geoms]


def records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict(orient="records")`` (the same values: numbers as Python numbers), made
    column by column (pandas boxes every value on its own: ~3x slower for a map's cells)."""
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        if frame[name].dtype == object:
            values = [v.item() if isinstance(v, np.generic) else v for v in values]
        columns.append(values)
    names = [str(c) if not isinstance(c, str) else c for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def area_records(shapes: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """One row per polygon part with ``polygon`` coordinates joined to ``values`` by area_id."""
    geoms = from_wkb(shapes["wkb"])
    parts, index = shapely.get_parts(geoms, return_index=True)
    coords = [np.round(shapely.get_coordinates(shapely.get_exterior_ring(g)), 6).tolist() for g in parts]
    frame = pd.DataFrame({"area_id": shapes["area_id"].to_numpy()[index], "polygon": coords})
    return frame.merge(values, on="area_id", how="left")


def grid_outline_layer(shapes: pd.DataFrame, layer_id: str = "grid-outlines") -> pdk.Layer:
    """Thin grey outlines of the grids: the map's base layer when there is no basemap."""
    return pdk.Layer(
        "PathLayer",
        data=pd.DataFrame({"path": polygons_to_paths(shapes["wkb"])}),
        id=layer_id,
        get_path="path",
        get_color=[90, 90, 90, 120],
        width_min_pixels=0.6,
        width_units='"pixels"',
        get_width=0.6,
        pickable=False,
    )


def h3_layer(frame: pd.DataFrame, layer_id: str = "h3-cells", opacity: float = 0.85) -> pdk.Layer:
    """Flat H3 choropleth; ``frame`` has ``hex`` (cell as string), ``color`` and ``tip``."""
    return pdk.Layer(
        "H3HexagonLayer",
        data=records(frame),
        id=layer_id,
        get_hexagon="hex",
        get_fill_color="color",
        extruded=False,
        stroked=True,
        get_line_color=[255, 255, 255, 80],
        line_width_min_pixels=0.3,
        pickable=True,
        opacity=opacity,
        auto_highlight=True,
    )


def area_layer(frame: pd.DataFrame, layer_id: str = "areas", opacity: float = 0.85) -> pdk.Layer:
    """Area choropleth; ``frame`` has ``polygon``, ``color`` and ``tip`` per polygon part."""
    return pdk.Layer(
        "PolygonLayer",
        data=records(frame),
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="color",
        stroked=True,
        get_line_color=[80, 80, 80, 160],
        line_width_min_pixels=0.8,
        pickable=True,
        opacity=opacity,
        auto_highlight=True,
    )


DEFAULT_VIEW = {"longitude": 104.0, "latitude": 35.0, "zoom": 3.0}
"""Mainland China: the view when there is nothing (no area, no cell) to centre on."""

PHONE_MAP_WIDTH = 350
"""Map width in pixels assumed until the browser reports the real one: a 390 px phone less
the page's margins, so the first drawing already shows the whole extent on a phone."""


def data_bounds(shapes: pd.DataFrame, hexes: pd.Series | None = None) -> tuple[float, float, float, float] | None:
    """Bounds (min lon, min lat, max lon, max lat) of ``shapes``, else of the H3 cells
    ``hexes`` (their outlines), else ``None``."""
    geoms = from_wkb(shapes["wkb"]) if len(shapes) else np.array([], dtype=object)
    if not len(geoms) and hexes is not None and len(hexes):
        ring = np.array([pt for h in hexes for pt in h3.cell_to_boundary(h)], dtype=float)
        geoms = shapely.points(ring[:, 1], ring[:, 0])
    bounds = shapely.total_bounds(geoms) if len(geoms) else np.full(4, np.nan)
    return tuple(float(b) for b in bounds) if np.isfinite(bounds).all() else None  # type: ignore[return-value]


def view_for(
    shapes: pd.DataFrame, hexes: pd.Series | None = None, *, width: float = PHONE_MAP_WIDTH, height: float = 520
) -> pdk.ViewState:
    """The view that shows all of ``shapes`` (else the H3 cells ``hexes``, else
    :data:`DEFAULT_VIEW`) in a map of ``width`` x ``height`` pixels (:func:`geo.viewport.fit_bounds`)."""
    bounds = data_bounds(shapes, hexes)
    if bounds is None:
        return pdk.ViewState(**DEFAULT_VIEW, pitch=0)
    v = fit_bounds(bounds, width, height)
    return pdk.ViewState(longitude=v.longitude, latitude=v.latitude, zoom=v.zoom, pitch=0)


EMPTY_STYLE_URL = "/app/static/empty-style.json"
"""A MapLibre style with no sources: without it Streamlit substitutes a Carto style (online)."""


def basemap_style(tile_url: str) -> str:
    """URL of the MapLibre style to use: intranet raster tiles if configured, else none."""
    if not tile_url:
        return EMPTY_STYLE_URL
    style = {
        "version": 8,
        "sources": {"tiles": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
        "layers": [{"id": "tiles", "type": "raster", "source": "tiles"}],
    }
    name = f"basemap-{hashlib.sha1(tile_url.encode()).hexdigest()[:10]}.json"
    path = STATIC_DIR / name
    if not path.exists():
        path.write_text(json.dumps(style), encoding="utf-8")
    return f"/app/static/{name}"


def make_deck(
    layers: list[pdk.Layer], view: pdk.ViewState, tile_url: str = "", tooltip: dict | None = None
) -> pdk.Deck:
    """A deck with no external basemap unless a tile URL is configured; ``tooltip`` is pydeck's
    (``{"html": template, "style": {...}}``), ``{tip}`` in plain style when not given."""
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider="mapbox",
        map_style=basemap_style(tile_url),
        tooltip=tooltip or {"html": "{tip}", "style": {"fontSize": "13px"}},
    )
