"""The store's areas, ready for point-in-polygon assignment at every level.

Events carry ``grid_id``, ``community_id`` and ``street_id``. A point is placed in the
finest level the store has (by :func:`geo.assign_points_to_areas`); coarser ids follow
the ``parent_id`` chain, and only where the chain is missing are they found by their
own polygons. A store may hold any subset of the levels (e.g. only grids).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from data.contracts import AREA_LEVELS
from geo.areas import assign_points_to_areas

EVENT_LEVELS: tuple[str, ...] = ("grid", "community", "street")
"""Levels stored on events, fine to coarse."""


@dataclass
class AreaIndex:
    """Polygons per level, plus each area's parent and level."""

    polygons: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """level -> (area ids, shapely polygons)."""
    parent: dict[str, str] = field(default_factory=dict)
    level_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store) -> AreaIndex:
        """Load every level's polygons with the named query ``area_shapes``."""
        index = cls()
        for level in AREA_LEVELS:
            shapes = store.fetch("area_shapes", level=level)
            if not len(shapes):
                continue
            ids = shapes["area_id"].astype(str).to_numpy(dtype=object)
            geoms = shapely.from_wkb([bytes(b) for b in shapes["wkb"]])
            index.polygons[level] = (ids, geoms)
            index.level_of.update(dict.fromkeys(ids, level))
            parents = shapes["parent_id"]
            index.parent.update({a: p for a, p in zip(ids, parents, strict=True) if isinstance(p, str) and p})
        return index

    @property
    def empty(self) -> bool:
        """True when the store has no areas (then no point is rejected as outside)."""
        return not self.polygons

    def describe(self) -> str:
        """Counts per level, e.g. ``"1500 grid, 80 community"``."""
        return ", ".join(f"{len(v[0])} {lv}" for lv, v in self.polygons.items())

    def assign(self, lng: np.ndarray, lat: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Area ids per event level for each point, and whether any area covers it.

        Parameters
        ----------
        lng, lat : WGS-84 degrees

        Returns
        -------
        (ids, inside)
            ``ids[level]`` is an object array (None where no area of that level
            covers the point); ``inside`` is True where some area of any level covers
            it (all True when the store has no areas).
        """
        lng = np.asarray(lng, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        n = len(lng)
        out = {lv: np.full(n, None, dtype=object) for lv in EVENT_LEVELS}
        if self.empty:
            return out, np.ones(n, dtype=bool)
        for i, level in enumerate(EVENT_LEVELS):
            if level not in self.polygons:
                continue
            todo = np.flatnonzero(pd.isna(out[level]))
            if len(todo):
                ids, geoms = self.polygons[level]
                out[level][todo] = assign_points_to_areas(lng[todo], lat[todo], geoms, ids)
            # coarser levels from the parent chain
            current = out[level]
            for coarser in EVENT_LEVELS[i + 1:]:
                parent = pd.Series(current).map(self.parent).to_numpy(dtype=object)
                is_level = pd.Series(parent).map(self.level_of).to_numpy(dtype=object) == coarser
                fill = is_level & pd.isna(out[coarser])
                out[coarser][fill] = parent[fill]
                current = np.where(is_level, parent, None)
        inside = np.zeros(n, dtype=bool)
        for lv in EVENT_LEVELS:
            inside |= ~pd.isna(out[lv])
        if "district" in self.polygons and not inside.all():
            todo = np.flatnonzero(~inside)
            ids, geoms = self.polygons["district"]
            inside[todo] = ~pd.isna(assign_points_to_areas(lng[todo], lat[todo], geoms, ids))
        return out, inside


__all__ = ["EVENT_LEVELS", "AreaIndex"]
