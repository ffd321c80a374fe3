"""The store's areas, ready for point-in-polygon assignment at every level.

Events carry ``grid_id``, ``community_id`` and ``street_id``. A point goes to the finest
level the store has (:class:`geo.polygon_index.PolygonIndex`, equal to
:func:`geo.covering_polygon_index`; polygons sorted by id, so the boundary rule of
:mod:`geo.areas` holds); its coarser ids follow the ``parent_id`` chain,
looked up once per area, not per point (the importer decides each parent, by location
where the file's code is missing or names no area: :mod:`data.ingest.area_parents`; a chain
step that does not go to a coarser level ends the chain). Points no polygon of that level covers are
tried against the next coarser level, and finally the district (for the "outside every
area" check). A store may hold any subset of the levels (e.g. only grids).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import polars as pl
import shapely

from data.contracts import AREA_LEVELS
from data.store import Store
from geo.polygon_index import PolygonIndex

EVENT_LEVELS: tuple[str, ...] = ("grid", "community", "street")
"""Levels stored on events, fine to coarse."""
_DEPTH = {level: k for k, level in enumerate(AREA_LEVELS)}


@dataclass
class _Level:
    polygons: PolygonIndex
    """shapely polygons sorted by area id, indexed for point queries."""
    lineage: dict[str, pl.Series]
    """event level -> id of that level for each polygon (itself or an ancestor; null if none)."""


def _fingerprint(areas: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    order = np.argsort(areas["area_id"].astype(str).to_numpy(), kind="stable")
    wkb = shapely.to_wkb(areas["geom"].to_numpy()[order], hex=False) if len(areas) else []
    for i, shape in zip(order, wkb, strict=True):
        row = areas.iloc[i]
        parent = row["parent_id"] if isinstance(row["parent_id"], str) else ""
        digest.update(f"{row['area_id']}\x1f{row['level']}\x1f{parent}\x1f".encode())
        digest.update(shape if shape is not None else b"")
    return digest.hexdigest()


@dataclass
class AreaIndex:
    """Polygons per level with each polygon's ancestry."""

    levels: dict[str, _Level] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""
    """SHA-256 of the areas indexed (ids, levels, parents, shapes): equal for equal areas."""

    @classmethod
    def from_store(cls, store: Store) -> AreaIndex:
        """Load every level's polygons with the named query ``area_shapes``."""
        frames = []
        for level in AREA_LEVELS:
            frame = store.fetch("area_shapes", level=level)
            if len(frame):
                frames.append(
                    pd.DataFrame(
                        {
                            "area_id": frame["area_id"].astype(str).to_numpy(dtype=object),
                            "level": level,
                            "parent_id": frame["parent_id"].to_numpy(dtype=object),
                            "geom": shapely.from_wkb([bytes(b) for b in frame["wkb"].to_numpy()]),
                        }
                    )
                )
        return cls.from_frame(
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=["area_id", "level", "parent_id", "geom"])
        )

    @classmethod
    def from_frame(cls, areas: pd.DataFrame) -> AreaIndex:
        """Index an ``areas`` table (``area_id, level, parent_id, geom`` as shapely)."""
        level_of = dict(zip(areas["area_id"], areas["level"], strict=True))
        parent = {a: p for a, p in zip(areas["area_id"], areas["parent_id"], strict=True) if isinstance(p, str) and p}
        index = cls(fingerprint=_fingerprint(areas))
        for level in AREA_LEVELS:
            rows = areas[areas["level"] == level]
            if not len(rows):
                continue
            ids = rows["area_id"].astype(str).to_numpy(dtype=object)
            order = np.argsort(ids.astype(str), kind="stable")
            ids, polys = ids[order], rows["geom"].to_numpy()[order]
            lineage = {lv: [None] * len(ids) for lv in EVENT_LEVELS}
            for i, area in enumerate(ids):
                # each step must go to a coarser level: a grid filed under a grid (a store written
                # before the importer checked parents) would otherwise give its events the other grid
                node, depth = area, len(AREA_LEVELS)
                while node is not None and node in level_of and _DEPTH[level_of[node]] < depth:
                    depth = _DEPTH[level_of[node]]
                    if level_of[node] in lineage:
                        lineage[level_of[node]][i] = node
                    node = parent.get(node)
            index.levels[level] = _Level(
                PolygonIndex(polys), {lv: pl.Series(lv, v, dtype=pl.String) for lv, v in lineage.items()}
            )
            index.counts[level] = len(ids)
        return index

    @property
    def empty(self) -> bool:
        """True when the store has no areas (then no point is rejected as outside)."""
        return not self.levels

    def describe(self) -> str:
        """Counts per level, e.g. ``"1500 grid, 80 community"``."""
        return ", ".join(f"{n} {lv}" for lv, n in self.counts.items())

    def assign(self, lng: np.ndarray, lat: np.ndarray) -> tuple[dict[str, pl.Series], np.ndarray]:
        """Area ids per event level for each point, and whether any area covers it.

        Parameters
        ----------
        lng, lat : WGS-84 degrees

        Returns
        -------
        (ids, inside)
            ``ids[level]`` is a string Series (null where no area of that level applies);
            ``inside`` is True where an area of any level covers the point (all True when
            the store has no areas).
        """
        lng = np.asarray(lng, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        n = len(lng)
        nulls = {lv: pl.Series(lv, [None] * n, dtype=pl.String) for lv in EVENT_LEVELS}
        if self.empty:
            return nulls, np.ones(n, dtype=bool)
        out = nulls
        inside = np.zeros(n, dtype=bool)
        todo = np.arange(n)
        for level in (*EVENT_LEVELS, "district"):
            if level not in self.levels or not len(todo):
                continue
            idx = self.levels[level].polygons.covering(lng[todo], lat[todo])
            found = idx >= 0
            hit = todo[found]
            inside[hit] = True
            if level != "district" and len(hit):
                for lv, ids in self.levels[level].lineage.items():
                    out[lv] = out[lv].scatter(hit, ids.gather(idx[found]))
            todo = todo[~found]
        return out, inside


__all__ = ["EVENT_LEVELS", "AreaIndex"]
