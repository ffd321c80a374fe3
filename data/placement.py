"""Place points in the store's geography: fine H3 cell plus grid, community and street ids.

Used by the demo city and by every importer, so both follow one rule (geo.areas).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import assign_points_to_areas, points_to_cells

from .contracts import AREA_LEVELS, FINE_H3_RES


def place_points(lon: np.ndarray, lat: np.ndarray, areas: pd.DataFrame) -> pd.DataFrame:
    """Return ``h3, grid_id, community_id, street_id`` for each point.

    Points are assigned to the finest area level present in ``areas`` (columns
    ``area_id, level, parent_id, geom`` with shapely geometries); coarser ids follow the
    ``parent_id`` chain. Levels that do not exist stay ``None`` (e.g. a district that
    imported only its grids). Points outside every area get ``None`` everywhere.
    """
    out = pd.DataFrame({"h3": points_to_cells(lat, lon, FINE_H3_RES)})
    for level in ("grid", "community", "street"):
        out[f"{level}_id"] = None
    present = [lv for lv in AREA_LEVELS[1:] if (areas["level"] == lv).any()]
    if not present:
        return out
    finest = present[-1]
    leaf = areas[areas["level"] == finest]
    ids = assign_points_to_areas(lon, lat, leaf["geom"].to_numpy(), leaf["area_id"].to_numpy())
    out[f"{finest}_id"] = ids
    parent = areas.set_index("area_id")["parent_id"]
    level_of = areas.set_index("area_id")["level"]
    current = pd.Series(ids)
    for _ in range(3):
        current = current.map(parent)
        lv = current.map(level_of)
        for level in ("community", "street"):
            mask = (lv == level).to_numpy()
            if mask.any():
                out.loc[mask, f"{level}_id"] = current[mask].to_numpy()
    return out
