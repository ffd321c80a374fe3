"""``pub_units``: the district, its streets and communities (names and simplified outlines)
and the H3 cells at the published resolution that hold any published event.

Cell outlines come from h3 (the hexagon's corners); area outlines from the store, simplified.
Grids (网格) are never published: they are small enough to point at a few households.
"""

from __future__ import annotations

import json

import h3
import pandas as pd
import shapely

from data.store import Store

COLUMNS: tuple[str, ...] = ("level", "unit_id", "parent_id", "name_zh", "name_en", "res", "geojson")
"""Columns of ``pub_units``."""


def cell_geojson(cell: str) -> str:
    """The cell's hexagon as GeoJSON Polygon text (lon/lat, ring closed, 6 decimals)."""
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def area_geojson(wkb: object, tolerance: float) -> str | None:
    """An area outline (WKB) simplified by ``tolerance`` degrees (topology kept) as GeoJSON
    text with coordinates to 6 decimals (~0.1 m)."""
    if wkb is None or (isinstance(wkb, float) and wkb != wkb):
        return None
    geom = shapely.simplify(shapely.from_wkb(bytes(wkb)), tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 1e-6)
    return str(shapely.to_geojson(geom))


def load_units(store: Store, cells: list[str], res: int, tolerance: float) -> tuple[pd.DataFrame, dict[str, str]]:
    """The ``pub_units`` frame and the name of the district (``district_zh``/``district_en``).

    Streets hang under ``'district'``; a community under its street (``'district'`` when its
    street is unknown); cells under ``'district'`` (they cross street boundaries).
    """
    areas = store.fetch("publish_areas")
    areas["geojson"] = [area_geojson(w, tolerance) for w in areas["wkb"]]
    district = areas[areas["level"] == "district"].head(1)
    names = {"district_zh": "本区", "district_en": "District"}
    rows: list[tuple[object, ...]] = []
    if len(district):
        d = district.iloc[0]
        names = {"district_zh": str(d["name_zh"]), "district_en": str(d["name_en"] or d["name_zh"])}
        rows.append(("district", "district", None, names["district_zh"], names["district_en"], None, d["geojson"]))
    else:
        rows.append(("district", "district", None, names["district_zh"], names["district_en"], None, None))
    streets = areas[areas["level"] == "street"]
    street_ids = set(streets["area_id"])
    for r in streets.itertuples():
        rows.append(("street", r.area_id, "district", r.name_zh, r.name_en or r.name_zh, None, r.geojson))
    for r in areas[areas["level"] == "community"].itertuples():
        parent = r.parent_id if r.parent_id in street_ids else "district"
        rows.append(("community", r.area_id, parent, r.name_zh, r.name_en or r.name_zh, None, r.geojson))
    for cell in sorted(cells):
        rows.append(("cell", cell, "district", None, None, res, cell_geojson(cell)))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["res"] = frame["res"].astype("Int32")
    return frame, names
