"""What orients a reader on a map without a basemap: area names drawn on the map (CJK
through a TextLayer with an ``auto`` character set), the district outline drawn heavier, and a
scale bar in ground units (a line of a round length, so it stays true when the map is zoomed)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import shapely

from dashboard.layers import from_wkb, polygons_to_paths
from dashboard.map_text import FONT
from geo.viewport import View, pixel_to_lnglat, scale_bar_length


def label_points(shapes: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """One point inside each area (``point_on_surface``) with its ``name``: where its label goes."""
    points = shapely.point_on_surface(from_wkb(shapes["wkb"]))
    return pd.DataFrame(
        {
            "lon": shapely.get_x(points).round(6),
            "lat": shapely.get_y(points).round(6),
            "name": names.fillna(shapes["area_id"]).astype(str).to_numpy(),
        }
    )


def outline_layer(shapes: pd.DataFrame, layer_id: str = "district-outline", width: float = 2.5) -> pdk.Layer:
    """The outer boundary (the district, or the area drilled into) as a heavy dark line."""
    return pdk.Layer(
        "PathLayer",
        data=pd.DataFrame({"path": polygons_to_paths(shapes["wkb"])}),
        id=layer_id,
        get_path="path",
        get_color=[40, 40, 40, 230],
        get_width=width,
        width_units='"pixels"',
        width_min_pixels=width,
        pickable=False,
    )


def scale_bar_layers(view: View, width: float, height: float, label: str, max_pixels: float = 100) -> list[pdk.Layer]:
    """A scale bar in the lower left of a ``width`` x ``height`` map showing ``view``: a line of a
    round ground length (1, 2 or 5 × 10ⁿ m, at most ``max_pixels`` long) and its length as text
    (``label``: a format with ``{length}``, e.g. "{length}")."""
    metres, pixels = scale_bar_length(view.latitude, view.zoom, max_pixels)
    x0, y0 = 16.0, height - 18.0
    start = pixel_to_lnglat(view, x0, y0, width, height)
    end = pixel_to_lnglat(view, x0 + pixels, y0, width, height)
    tick = 5 / (2**view.zoom * 512 / 360)  # 5 px in degrees of latitude (near enough for a tick)
    path = [[start[0], start[1] + tick], [start[0], start[1]], [end[0], start[1]], [end[0], start[1] + tick]]
    text = label.format(length=f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m")
    return [
        pdk.Layer(
            "PathLayer",
            data=pd.DataFrame({"path": [path]}),
            id="scale-bar",
            get_path="path",
            get_color=[20, 20, 20, 255],
            get_width=2,
            width_units='"pixels"',
            pickable=False,
        ),
        pdk.Layer(
            "TextLayer",
            data=pd.DataFrame({"lon": [(start[0] + end[0]) / 2], "lat": [start[1]], "name": [text]}),
            id="scale-bar-text",
            get_position=["lon", "lat"],
            get_text="name",
            get_size=11,
            size_units='"pixels"',
            get_color=[20, 20, 20, 255],
            character_set='"auto"',
            font_family=FONT,
            get_text_anchor='"middle"',
            get_alignment_baseline='"bottom"',
            get_pixel_offset=[0, -4],
            font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
            outline_width=4,
            outline_color=[255, 255, 255, 230],
            pickable=False,
        ),
    ]
