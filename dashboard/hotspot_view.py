"""Colours, legend entries and exports for hotspot results (frames in, data out; no widgets).

Colours follow the conventions analysts know: ArcGIS's red/blue Gi* bins, GeoDa's LISA
map (HH red, LL blue, HL pink, LH light blue) and warm/cool families for the emerging
categories.
"""

from __future__ import annotations

import json

import h3
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from data.exports import csv_bytes
from geo.emerging import EMERGING_CATEGORIES
from geo.hotspots import HOTSPOT_CLASSES, MORAN_LABELS, NO_NEIGHBOURS

NOT_SIGNIFICANT = [210, 210, 210, 70]
"""Fill of units without a finding: light and translucent, so the extent stays visible."""

NO_NEIGHBOURS_FILL = [255, 255, 255, 0]
"""Units without neighbours have no statistic: drawn empty (only the outline shows)."""

CLASS_COLORS: dict[str, list[int]] = {
    "hot_99": [177, 0, 38, 220],
    "hot_95": [227, 26, 28, 210],
    "hot_90": [253, 141, 60, 200],
    "not_significant": NOT_SIGNIFICANT,
    "cold_90": [158, 202, 225, 200],
    "cold_95": [66, 146, 198, 210],
    "cold_99": [8, 69, 148, 220],
    "HH": [215, 25, 28, 215],
    "LH": [171, 217, 233, 210],
    "LL": [44, 123, 182, 215],
    "HL": [253, 174, 97, 210],
    "ns": NOT_SIGNIFICANT,
    "new_hot": [255, 0, 255, 210],
    "consecutive_hot": [230, 97, 1, 210],
    "intensifying_hot": [165, 0, 38, 225],
    "persistent_hot": [215, 48, 39, 215],
    "diminishing_hot": [244, 109, 67, 205],
    "sporadic_hot": [253, 174, 97, 200],
    "oscillating_hot": [254, 224, 144, 210],
    "historical_hot": [191, 129, 45, 200],
    "new_cold": [0, 200, 200, 210],
    "consecutive_cold": [94, 60, 153, 210],
    "intensifying_cold": [49, 54, 149, 225],
    "persistent_cold": [69, 117, 180, 215],
    "diminishing_cold": [116, 173, 209, 205],
    "sporadic_cold": [171, 217, 233, 200],
    "oscillating_cold": [224, 243, 248, 210],
    "historical_cold": [53, 151, 143, 200],
    "no_pattern": NOT_SIGNIFICANT,
    NO_NEIGHBOURS: NO_NEIGHBOURS_FILL,
}
"""RGBA fill of every label any method returns."""

LABELS_BY_METHOD: dict[str, tuple[str, ...]] = {
    "gi_star": (*HOTSPOT_CLASSES, NO_NEIGHBOURS),
    "local_moran": (*MORAN_LABELS, NO_NEIGHBOURS),
    "emerging": (*EMERGING_CATEGORIES, NO_NEIGHBOURS),
}
"""Labels each method can return, in legend order (units without neighbours last)."""


def label_colors(labels: pd.Series) -> list[list[int]]:
    """RGBA fill per label."""
    return [CLASS_COLORS.get(str(lb), NOT_SIGNIFICANT) for lb in labels]


def legend_entries(method: str, present: pd.Series) -> list[tuple[str, list[int], int]]:
    """``(label, colour, count)`` for the labels of ``method`` that occur, in legend order."""
    counts = present.value_counts()
    return [(lb, CLASS_COLORS[lb], int(counts[lb])) for lb in LABELS_BY_METHOD[method] if lb in counts.index]


def _cell_polygon(hex_id: str) -> dict:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(hex_id)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def result_geojson(table: pd.DataFrame, wkb: dict[str, bytes], *, unit: str) -> str:
    """The result table as a GeoJSON FeatureCollection (H3 hexagons or area polygons, WGS-84)."""
    props = table.drop(columns=[c for c in ("cell",) if c in table.columns])
    records = json.loads(props.to_json(orient="records", force_ascii=False))
    features = []
    for rec in records:
        uid = rec["unit_id"]
        if unit == "h3":
            geom = _cell_polygon(uid)
        else:
            geom = shapely.geometry.mapping(shapely.from_wkb(wkb[uid])) if uid in wkb else None
            geom = json.loads(json.dumps(geom)) if geom else None
        features.append({"type": "Feature", "geometry": geom, "properties": rec})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def result_csv(table: pd.DataFrame, label_names: dict[str, str]) -> bytes:
    """The result table as CSV for spreadsheets (:func:`data.exports.csv_bytes`: formula
    cells neutralised, UTF-8 with a BOM so Excel opens Chinese intact)."""
    out = table.drop(columns=[c for c in ("cell",) if c in table.columns]).copy()
    out.insert(out.columns.get_loc("label") + 1, "label_text", out["label"].map(label_names).fillna(out["label"]))
    return csv_bytes(out)


def ranked(table: pd.DataFrame, limit: int = 50) -> pd.DataFrame:
    """The strongest ``limit`` units by rank (significant hot spots first): the rank column
    sorted alone, then those rows taken (the table has a dozen tooltip columns)."""
    if not table.index.is_unique:
        return table.sort_values("rank").head(limit)
    return table.loc[table["rank"].sort_values().head(limit).index]


def fmt_p(p: np.ndarray | pd.Series) -> list[str]:
    """p-values for tooltips: 3 decimals, '<0.001' below, '—' where undefined (no neighbours)."""
    return ["—" if np.isnan(v) else "<0.001" if v < 0.001 else f"{v:.3f}" for v in np.asarray(p, dtype=float)]


def fmt_stat(values: np.ndarray | pd.Series, decimals: int = 2) -> list[str]:
    """Statistics for tooltips, '—' where undefined (a unit without neighbours has no Gi*)."""
    return ["—" if np.isnan(v) else f"{v:.{decimals}f}" for v in np.asarray(values, dtype=float)]


def selection_layer_h3(hex_id: str) -> pdk.Layer:
    """A thick dark outline around the selected H3 cell."""
    return pdk.Layer(
        "H3HexagonLayer",
        data=pd.DataFrame({"hex": [hex_id]}),
        id="hs-selected",
        get_hexagon="hex",
        filled=False,
        stroked=True,
        extruded=False,
        get_line_color=[20, 20, 20, 255],
        line_width_min_pixels=3,
        pickable=False,
    )


def selection_layer_area(shapes: pd.DataFrame, area_id: str) -> pdk.Layer:
    """A thick dark outline around the selected area."""
    from dashboard.layers import polygons_to_paths

    paths = polygons_to_paths(shapes.loc[shapes["area_id"] == area_id, "wkb"])
    return pdk.Layer(
        "PathLayer",
        data=pd.DataFrame({"path": paths}),
        id="hs-selected",
        get_path="path",
        get_color=[20, 20, 20, 255],
        width_min_pixels=3,
        get_width=3,
        width_units='"pixels"',
        pickable=False,
    )
