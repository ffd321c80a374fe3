"""The public map by street or community: a pydeck deck for the app (offline, as the internal
maps) and an inline SVG for the static site, both from the published GeoJSON.

Withheld areas are grey with dark diagonal stripes (a pattern, not only a colour) and the key
says "少于 10 件，不予公开"; every figure on the map is also in the table under it.

The deck is built here with pydeck alone, not with the internal maps' builders
(``dashboard.layers``, ``dashboard.map_marks``): those import the ``geo`` package, whose
statistics (scipy, polars) would cost the public app's first visit over a second of imports
for one view-fitting formula.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from dashboard.map_text import label_layer
from dashboard.public.figures import WITHHELD_FILL, WITHHELD_STRIPE, CountClass, class_colour
from dashboard.public.text import count_text, tr, unit_name

PHONE_MAP_WIDTH = 350
"""The map's width until the browser says (a 390 px phone less the page's margins)."""

EMPTY_STYLE_URL = "/app/static/empty-style.json"
"""The app's own MapLibre style with no sources (as the internal maps: nothing fetched from outside)."""

MAP_HEIGHT = 420
"""The map's height in a phone's column (a 390 px screen: the map and the page around it)."""

WIDE_MAP_HEIGHT = 600
"""The map's height in a wide column (a desktop's 784 px): most of a 1440x900 screen."""

WIDE_MAP_WIDTH = 784
"""The public page's column on a desktop (820 px less its padding): the map's width there."""

WIDE_FROM = 600
"""Columns at least this wide get the tall map."""


def map_height(width: int) -> int:
    """The map's height for a column ``width`` pixels wide."""
    return WIDE_MAP_HEIGHT if width >= WIDE_FROM else MAP_HEIGHT


def fit_view(
    bounds: tuple[float, float, float, float], width: float, height: float, padding: float = 16
) -> pdk.ViewState:
    """The web-Mercator view (deck.gl's 512-px tiles) showing all of ``bounds`` in ``width`` x
    ``height`` pixels with ``padding`` free on every side (as ``geo.viewport.fit_bounds``).

    >>> v = fit_view((116.375, 39.870, 116.549, 39.988), 358, 520)
    >>> round(v.zoom, 2), round(v.longitude, 3), round(v.latitude, 3)
    (10.36, 116.462, 39.929)
    """
    minx, miny, maxx, maxy = bounds

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y0, y1 = merc_y(miny), merc_y(maxy)
    unit = 512 / (2 * math.pi)
    room_w, room_h = max(width - 2 * padding, 1.0), max(height - 2 * padding, 1.0)
    span_w, span_h = max(math.radians(maxx) - math.radians(minx), 1e-9), max(y1 - y0, 1e-9)
    zoom = min(max(math.log2(min(room_w / (span_w * unit), room_h / (span_h * unit))), 3.0), 16.0)
    latitude = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    return pdk.ViewState(longitude=(minx + maxx) / 2, latitude=latitude, zoom=zoom, pitch=0)


def _rgb(css: str) -> list[int]:
    return [int(css[i : i + 2], 16) for i in (1, 3, 5)] + [235]


def geometries(frame: pd.DataFrame) -> np.ndarray:
    """Shapely geometries of the units' GeoJSON (``None`` where a unit has none)."""
    texts = frame["geojson"].where(frame["geojson"].notna(), None).tolist()
    return np.array([shapely.from_geojson(t) if t else None for t in texts], dtype=object)


def hatch_lines(geoms: np.ndarray, spacing: float) -> list[list[list[float]]]:
    """Diagonal stripes (45°) ``spacing`` degrees apart, clipped to each geometry, as paths."""
    paths: list[list[list[float]]] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        span = (x1 - x0) + (y1 - y0)
        offsets = np.arange(-span, span, spacing)
        lines = shapely.linestrings([[(x0 + o, y0), (x0 + o + span, y0 + span)] for o in offsets])
        for part in shapely.get_parts(shapely.intersection(lines, geom)):
            if isinstance(part, shapely.LineString) and not part.is_empty:
                paths.append(np.round(shapely.get_coordinates(part), 6).tolist())
            elif not part.is_empty:
                for sub in shapely.get_parts(part):
                    if isinstance(sub, shapely.LineString):
                        paths.append(np.round(shapely.get_coordinates(sub), 6).tolist())
    return paths


def _label(row: pd.Series, lang: str) -> str:
    if pd.isna(row.get("received")):
        return f"{unit_name(row, lang)}\n{tr('pub_not_published', lang)}"
    return f"{unit_name(row, lang)}\n{count_text(row['received'])}"


def public_deck(
    frame: pd.DataFrame,
    classes: list[CountClass],
    lang: str,
    *,
    labels: bool,
    label_size: int = 13,
    width: int = PHONE_MAP_WIDTH,
    height: int = MAP_HEIGHT,
) -> pdk.Deck | None:
    """The deck of ``frame`` (:func:`queries.answers.public.area_figures`) fitted to a map of
    ``width`` x ``height`` pixels: areas coloured by class, withheld ones grey and striped,
    names and counts written on the areas when ``labels``; ``None`` when no unit has a geometry."""
    geoms = geometries(frame)
    has = np.array([g is not None and not g.is_empty for g in geoms])
    if not has.any():
        return None
    frame, geoms = frame[has].reset_index(drop=True), geoms[has]
    parts, index = shapely.get_parts(geoms, return_index=True)
    colours = [class_colour(v, classes) for v in frame["received"]]
    fill = [_rgb(c) if c else _rgb(WITHHELD_FILL) for c in colours]
    tips = [_label(r, lang).replace("\n", "：" if lang == "zh" else ": ") for _, r in frame.iterrows()]
    polys = pd.DataFrame(
        {
            "polygon": [np.round(shapely.get_coordinates(shapely.get_exterior_ring(p)), 6).tolist() for p in parts],
            "color": [fill[i] for i in index],
            "tip": [tips[i] for i in index],
        }
    )
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    withheld = geoms[[c is None for c in colours]]
    stripes = hatch_lines(withheld, spacing=max(x1 - x0, y1 - y0) / 90)
    layers = [
        pdk.Layer(
            "PolygonLayer",
            data=polys,
            id="pub-areas",
            get_polygon="polygon",
            get_fill_color="color",
            stroked=True,
            get_line_color=[80, 80, 80, 160],
            line_width_min_pixels=0.8,
            pickable=True,
            opacity=0.9,
            auto_highlight=True,
        )
    ]
    if stripes:
        layers.append(
            pdk.Layer(
                "PathLayer",
                data=pd.DataFrame({"path": stripes}),
                id="pub-withheld-stripes",
                get_path="path",
                get_color=_rgb(WITHHELD_STRIPE),
                width_units='"pixels"',
                get_width=1.5,
                width_min_pixels=1.5,
                pickable=False,
            )
        )
    rings = shapely.get_exterior_ring(shapely.get_parts(shapely.union_all(geoms)))
    layers.append(
        pdk.Layer(
            "PathLayer",
            data=pd.DataFrame({"path": [np.round(shapely.get_coordinates(r), 6).tolist() for r in rings]}),
            id="pub-outline",
            get_path="path",
            get_color=[40, 40, 40, 230],
            get_width=2.5,
            width_units='"pixels"',
            width_min_pixels=2.5,
            pickable=False,
        )
    )
    if labels:
        points = shapely.point_on_surface(geoms)
        names = pd.DataFrame(
            {
                "lon": shapely.get_x(points).round(6),
                "lat": shapely.get_y(points).round(6),
                "name": [_label(r, lang) for _, r in frame.iterrows()],
            }
        )
        layers.append(label_layer(names, "pub-labels", label_size))
    return pdk.Deck(
        layers=layers,
        initial_view_state=fit_view((x0, y0, x1, y1), width, height),
        map_provider="mapbox",
        map_style=EMPTY_STYLE_URL,
        tooltip={"html": "{tip}", "style": {"fontSize": "16px"}},
    )


def svg_map(frame: pd.DataFrame, classes: list[CountClass], lang: str, *, title: str, labels: bool) -> str:
    """The same map as an inline SVG (static site): one path per unit with its name and figure
    as a ``<title>``, withheld units filled with a striped pattern; text escaped."""
    geoms = geometries(frame)
    keep = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not keep:
        return ""
    x0, y0, x1, y1 = shapely.total_bounds(geoms[keep])
    mid = np.radians((y0 + y1) / 2)
    sx = np.cos(mid)
    width = 600.0
    scale = width / max((x1 - x0) * sx, 1e-9)
    height = max((y1 - y0) * scale, 1.0)

    def project(coords: np.ndarray) -> str:
        xs = (coords[:, 0] - x0) * sx * scale
        ys = (y1 - coords[:, 1]) * scale
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True)) + "Z"

    paths, texts = [], []
    for i in keep:
        row = frame.iloc[i]
        colour = class_colour(row["received"], classes)
        fill = colour or "url(#pub-hatch)"
        rings = []
        for part in shapely.get_parts(geoms[i]):
            rings.append(project(shapely.get_coordinates(part.exterior)))
            rings.extend(project(shapely.get_coordinates(r)) for r in part.interiors)
        tip = html.escape(_label(row, lang).replace("\n", ": "))
        paths.append(
            f'<path d="{"".join(rings)}" fill="{fill}" stroke="#333" stroke-width="1" fill-rule="evenodd">'
            f"<title>{tip}</title></path>"
        )
        if labels:
            p = geoms[i].point_on_surface()
            x, y = (p.x - x0) * sx * scale, (y1 - p.y) * scale
            name, value = (html.escape(s) for s in _label(row, lang).split("\n"))
            texts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" class="pub-svg-label">'
                f'<tspan x="{x:.1f}" dy="-0.2em">{name}</tspan><tspan x="{x:.1f}" dy="1.2em">{value}</tspan></text>'
            )
    pattern = (
        '<defs><pattern id="pub-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{WITHHELD_FILL}"/>'
        f'<rect width="2.5" height="8" fill="{WITHHELD_STRIPE}"/></pattern></defs>'
    )
    return (
        f'<svg class="pub-svg-map" viewBox="-4 -4 {width + 8:.0f} {height + 8:.0f}" role="img" '
        f'aria-label="{html.escape(title)}" xmlns="http://www.w3.org/2000/svg">{pattern}'
        f"{''.join(paths)}{''.join(texts)}</svg>"
    )
