"""Names drawn on a map: a deck.gl TextLayer with CJK fonts and a white halo.

Its own module, with nothing but pandas and pydeck, so that the public app (which keeps the
internal map code and its scientific imports out of its first start) draws names the same way
as the internal maps (:mod:`dashboard.map_marks`)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

FONT = '"Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"'
"""A quoted constant (pydeck turns bare strings into expressions): the CJK fonts found on
Debian, macOS and Windows."""


def label_layer(points: pd.DataFrame, layer_id: str = "area-labels", size: int = 12) -> pdk.Layer:
    """Area names (``points``: lon, lat, name) as dark text with a white halo, never picked
    (the tooltip belongs to the areas)."""
    return pdk.Layer(
        "TextLayer",
        data=points[["lon", "lat", "name"]],
        id=layer_id,
        get_position=["lon", "lat"],
        get_text="name",
        get_size=size,
        size_units='"pixels"',
        get_color=[25, 25, 25, 235],
        character_set='"auto"',
        font_family=FONT,
        font_weight=600,
        font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
        outline_width=4,
        outline_color=[255, 255, 255, 230],
        get_text_anchor='"middle"',
        get_alignment_baseline='"center"',
        pickable=False,
    )
