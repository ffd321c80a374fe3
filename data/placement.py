"""Place points in the store's geography: fine H3 cell plus grid, community and street ids.

Used by the demo city and by every importer, so both follow one rule (geo.areas).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import points_to_cells
from geo.polygon_index import PolygonIndex

from .contracts import AREA_LEVELS, FINE_H3_RES


def place_points(lon: np.ndarray, lat: np.ndarray, areas: pd.DataFrame) -> pd.DataFrame:
    """Return ``h3, grid_id, community_id, street_id`` for each point.

    Points are assigned to the finest area level present in ``areas`` (columns
    ``area_id, level, parent_id, geom`` with shapely geometries); coarser ids follow the
    ``parent_id`` chain. Levels that do not exist stay ``None`` (e.g. a district that
    imported only its grids). Points outside every area get ``None`` everywhere.
    """
    out = pd.DataFrame({"h3": points_to_cells(lat, lon, FINE_H3_RES)})
    present = [lv for lv in AREA_LEVELS[1:] if (areas["level"] == lv).any()]
    columns = {f"{lv}_id": np.full(len(lon), None, dtype=object) for lv in ("grid", "community", "street")}
    if present:
        leaf = areas[areas["level"] == present[-1]].sort_values("area_id")
        idx = PolygonIndex(leaf["geom"].to_numpy()).covering(lon, lat)
        found = idx >= 0
        # Ancestors of each leaf area, looked up once per area rather than per point.
        lineage = _ancestors(areas, leaf["area_id"].to_numpy())
        for level, ids in lineage.items():
            columns[f"{level}_id"][found] = ids[idx[found]]
    for name, values in columns.items():
        out[name] = values
    return out


def _ancestors(areas: pd.DataFrame, leaf_ids: np.ndarray) -> dict[str, np.ndarray]:
    """For each leaf id, its own id and its ancestors' ids keyed by level."""
    parent = areas.set_index("area_id")["parent_id"].to_dict()
    level = areas.set_index("area_id")["level"].to_dict()
    out = {lv: np.full(len(leaf_ids), None, dtype=object) for lv in ("grid", "community", "street")}
    for i, area in enumerate(leaf_ids):
        node = area
        while node is not None and node in level:
            if level[node] in out:
                out[level[node]][i] = node
            node = parent.get(node)
    return out
