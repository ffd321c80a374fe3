"""Hotspot analysis of the filtered events: store queries in, one result table out.

Composes the named queries (counts per unit, per unit and time slice, area shapes) with
the statistics in :mod:`geo` (Gi*, Local Moran, emerging hot spots). The analysed extent
is the district, or the selected areas when the filter names grids, communities or
streets (the finest given): for H3 every cell whose centre lies inside plus every cell
holding an event, zeros included (see :mod:`geo.weights`); for areas every area of the
level inside the selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from data.contracts import AREA_LEVELS
from data.store import Store
from geo.emerging import MIN_SLICES, TooFewSlices, emerging_hotspots
from geo.h3index import cells_to_strings
from geo.hotspots import NO_NEIGHBOURS, getis_ord_gi_star
from geo.moran import local_moran
from geo.weights import SpatialWeights, h3_extent_cells, h3_kring_weights, queen_weights
from queries.answers.kept import kept_fetch
from queries.filters import EventFilter

METHODS: tuple[str, ...] = ("gi_star", "local_moran", "emerging")
"""Statistics the analysis offers."""

H3_RESOLUTIONS: tuple[int, ...] = (7, 8, 9, 10)
"""H3 resolutions offered for the analysis (res 9 ≈ one 300-500-household grid)."""

AREA_UNITS: tuple[str, ...] = tuple(lv for lv in AREA_LEVELS if lv != "district")
"""Area levels offered as units (street, community, grid)."""


@dataclass(frozen=True)
class HotspotRequest:
    """What to analyse: the event filter, the unit, the method and its settings.

    ``unit`` is ``"h3"`` (with ``res``) or an area level from :data:`AREA_UNITS`.
    """

    flt: EventFilter
    unit: str = "h3"
    res: int = 9
    method: str = "gi_star"
    confidence: float = 0.95
    fdr: bool = True
    k: int = 1
    permutations: int = 999
    slice_days: int = 7
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r}; choose one of {list(METHODS)}")
        if self.unit != "h3" and self.unit not in AREA_UNITS:
            raise ValueError(f"unit={self.unit!r}; choose 'h3' or one of {list(AREA_UNITS)}")
        if self.unit == "h3" and self.res not in H3_RESOLUTIONS:
            raise ValueError(f"res={self.res}; choose one of {list(H3_RESOLUTIONS)}")


@dataclass(frozen=True)
class HotspotAnalysis:
    """Result of :func:`analyse_hotspots`.

    ``table`` has one row per unit of the extent: ``unit_id`` (H3 hex string or area id),
    ``name_zh``/``name_en`` (areas), ``events``, ``value`` (what the statistic saw: events
    per cell for H3, events per km² for areas), ``z`` (Gi* z, Local Moran's I, or the
    trend z for emerging), ``p_value``, ``p_adjusted``, ``label`` (class, cluster type or
    emerging category), ``significant`` and ``rank`` (1 = strongest hot spot).
    ``wkb`` maps area ids to geometry (areas only). ``n_slices`` is set for emerging.
    """

    request: HotspotRequest
    table: pd.DataFrame
    wkb: dict[str, bytes] = field(default_factory=dict)
    n_slices: int = 0


def _geoms(wkb: pd.Series) -> list:
    """Shapely geometries from WKB (DuckDB returns bytearray, psycopg bytes/memoryview)."""
    return list(shapely.from_wkb(np.array([bytes(b) for b in wkb], dtype=object)))


def _areas_km2(polygons: list) -> np.ndarray:
    """Geodesic area of each polygon in km² (WGS-84 ellipsoid)."""
    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(p)[0]) for p in polygons]) / 1e6


@lru_cache(maxsize=16)
def _areas_km2_of(wkb: tuple[bytes, ...]) -> np.ndarray:
    """:func:`_areas_km2` of the areas' WKB, kept while the shapes stay the same (~0.3 s for
    1,500 grids, asked on every hotspot analysis of areas)."""
    areas = _areas_km2(list(shapely.from_wkb(np.array(wkb, dtype=object))))
    areas.setflags(write=False)
    return areas


def _selected_polygons(store: Store, flt: EventFilter) -> list:
    """Polygons of the finest selected areas, or of the district when nothing is selected."""
    for level, ids in (("grid", flt.grid_ids), ("community", flt.community_ids), ("street", flt.street_ids)):
        if ids:
            shapes = kept_fetch(store, "area_shapes", level=level)
            shapes = shapes[shapes["area_id"].isin(ids)]
            return _geoms(shapes["wkb"])
    shapes = kept_fetch(store, "area_shapes", level="district")
    return _geoms(shapes["wkb"])


def _areas_in_selection(store: Store, level: str, flt: EventFilter) -> pd.DataFrame:
    """Areas of ``level`` inside the selected streets/communities/grids (all when none)."""
    shapes = kept_fetch(store, "area_shapes", level=level)
    selected = set(flt.street_ids) | set(flt.community_ids) | set(flt.grid_ids)
    if not selected:
        return shapes
    chain = {lv: kept_fetch(store, "list_areas", level=lv)[["area_id", "parent_id"]] for lv in ("grid", "community")}
    parent = pd.concat(chain.values()).set_index("area_id")["parent_id"].to_dict()

    def ancestors(a: str) -> set[str]:
        out = {a}
        while a in parent and parent[a] is not None:
            a = parent[a]
            out.add(a)
        return out

    keep = [bool(ancestors(a) & selected) for a in shapes["area_id"]]
    return shapes[np.asarray(keep, dtype=bool)]


def _extent(store: Store, req: HotspotRequest, counts: pd.DataFrame) -> tuple[SpatialWeights, pd.DataFrame]:
    """Weights of the analysed extent, and the areas' names/shapes (empty frame for H3)."""
    if req.unit == "h3":
        event_cells = counts["cell"].to_numpy(dtype=np.int64) if len(counts) else np.empty(0, np.int64)
        cells = h3_extent_cells(_selected_polygons(store, req.flt), req.res, event_cells=event_cells)
        return h3_kring_weights(cells, req.k), pd.DataFrame()
    areas = _areas_in_selection(store, req.unit, req.flt).reset_index(drop=True)
    return _queen(tuple(areas["area_id"]), tuple(bytes(b) for b in areas["wkb"])), areas


@lru_cache(maxsize=16)
def _queen(ids: tuple[str, ...], wkb: tuple[bytes, ...]) -> SpatialWeights:
    """Queen weights of the areas, kept while ids and shapes stay the same (~0.4 s for 1,500 grids)."""
    return queen_weights(list(shapely.from_wkb(np.array(wkb, dtype=object))), np.asarray(ids))


def _counts(store: Store, req: HotspotRequest, flt: EventFilter) -> pd.DataFrame:
    now = {"now": flt.end}
    if req.unit == "h3":
        return store.fetch("count_events_by_cell", **flt.params(), **now, res=req.res)[["cell", "events"]]
    frame = store.fetch("count_events_by_area", **flt.params(), **now, level=req.unit)
    return frame[["area_id", "events"]]


def analyse_hotspots(store: Store, req: HotspotRequest) -> HotspotAnalysis:
    """Run the requested hotspot analysis on the filtered events.

    Raises :class:`geo.emerging.TooFewSlices` (a ``ValueError``) when an emerging analysis
    has fewer than :data:`MIN_SLICES` whole slices in the window.
    """
    key = "cell" if req.unit == "h3" else "area_id"
    counts = _counts(store, req, req.flt)
    weights, areas = _extent(store, req, counts)
    events = weights.align(counts[key].to_numpy(), counts["events"].to_numpy())
    # H3 cells of one resolution have (nearly) equal areas: counts compare directly.
    # Areas differ in size: compare densities, or large grids would look "hot" under
    # uniform intensity (8.5 % of grids flagged on the uniform demo city with counts).
    size = np.ones(weights.n) if req.unit == "h3" else _areas_km2_of(tuple(bytes(b) for b in areas["wkb"]))
    y = events / size
    n_slices = 0
    if req.method == "gi_star":
        gi = getis_ord_gi_star(y, weights, fdr=req.fdr)
        label = gi.classes(req.confidence)
        z, p, p_adj = gi.z, gi.p_value, gi.p_adjusted
    elif req.method == "local_moran":
        lisa = local_moran(y, weights, permutations=req.permutations, seed=req.seed, fdr=req.fdr)
        label = lisa.labels(1.0 - req.confidence)
        z, p, p_adj = lisa.i, lisa.p_value, lisa.p_adjusted
    else:
        n_slices = int(req.flt.length / timedelta(days=req.slice_days))
        if n_slices < MIN_SLICES:
            raise TooFewSlices(n_slices, req.slice_days)
        matrix = slice_matrix(store, req, weights, n_slices) / size
        em = emerging_hotspots(matrix, weights, confidence=0.90, fdr=req.fdr)
        label, z, p = em.categories, em.trend.z, em.trend.p
        p_adj = p
    if req.unit == "h3":
        table = pd.DataFrame({"unit_id": cells_to_strings(weights.ids), "cell": weights.ids})
        wkb: dict[str, bytes] = {}
    else:
        table = areas[["area_id", "name_zh", "name_en"]].rename(columns={"area_id": "unit_id"})
        wkb = {a: bytes(b) for a, b in zip(areas["area_id"], areas["wkb"], strict=True)}
    table = table.assign(events=events.astype(np.int64), value=y, z=z, p_value=p, p_adjusted=p_adj, label=label)
    table["significant"] = ~table["label"].isin(["not_significant", "ns", "no_pattern", NO_NEIGHBOURS])
    table["rank"] = _rank(table, req.method)
    return HotspotAnalysis(req, table, wkb, n_slices)


def _rank(table: pd.DataFrame, method: str) -> np.ndarray:
    """1 = strongest hot spot: significant hot/HH first, by z (or I, or trend z), then events."""
    hot = table["label"].astype(str).str.contains("hot") | (table["label"] == "HH")
    order = (
        table.assign(_hot=~(hot & table["significant"]), _z=-table["z"], _e=-table["events"])
        .sort_values(["_hot", "_z", "_e", "unit_id"], kind="stable")
        .index
    )
    rank = np.empty(len(table), dtype=np.int64)
    rank[order] = np.arange(1, len(table) + 1)
    return rank


def slice_matrix(store: Store, req: HotspotRequest, weights: SpatialWeights, n_slices: int) -> np.ndarray:
    """``(n_slices, n)`` counts per slice (oldest first) from the slice queries.

    Slices are counted back from the window's end; the oldest partial slice is left out.
    """
    flt = replace(req.flt, start=req.flt.end - n_slices * timedelta(days=req.slice_days))
    if req.unit == "h3":
        frame = store.fetch("count_events_by_cell_slice", **flt.params(), res=req.res, slice_days=req.slice_days)
        ids = frame["cell"].to_numpy(dtype=np.int64)
    else:
        frame = store.fetch("count_events_by_area_slice", **flt.params(), level=req.unit, slice_days=req.slice_days)
        ids = frame["area_id"].to_numpy()
    out = np.zeros((n_slices, weights.n))
    pos = pd.Index(weights.ids).get_indexer(pd.Index(ids))
    age = frame["age_slice"].to_numpy(dtype=np.int64)
    ok = (pos >= 0) & (age >= 0) & (age < n_slices)
    np.add.at(out, (n_slices - 1 - age[ok], pos[ok]), frame["events"].to_numpy(dtype=np.float64)[ok])
    return out


EVENT_LIMIT = 200
"""Events of the selected unit listed at most."""


@dataclass(frozen=True)
class UnitEvents:
    """The selected unit's events (newest first, at most the limit) and its weekly counts
    (``week``: Monday, ``events``; every week touching the window, zeros filled)."""

    events: pd.DataFrame
    weekly: pd.DataFrame


def weekly_series(frame: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """``week`` (Monday) and ``events`` for every ISO week touching [start, end), zeros filled."""
    first = (pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())).normalize()
    weeks = pd.date_range(first, pd.Timestamp(end) - pd.Timedelta(seconds=1), freq="7D")
    counts = frame.assign(week=pd.to_datetime(frame["week"])).set_index("week")["events"]
    return pd.DataFrame({"week": weeks, "events": counts.reindex(weeks, fill_value=0).to_numpy()})


def unit_events(
    store: Store,
    flt: EventFilter,
    unit: str,
    unit_id: str,
    *,
    res: int = 9,
    cell: int | None = None,
    limit: int = EVENT_LIMIT,
) -> UnitEvents:
    """Filtered events of one analysed unit: an H3 cell (``unit="h3"``, ``res`` and ``cell``,
    the cell's integer id) or an area (``unit`` its level, ``unit_id`` its id)."""
    if unit == "h3":
        if cell is None:
            raise ValueError("an H3 unit needs its cell")
        params: dict[str, object] = {"res": int(res), "cell": int(cell)}
        events = store.fetch("list_cell_events", **flt.params(), **params, limit=limit)
        weekly = store.fetch("weekly_cell_events", **flt.params(), **params)
    else:
        params = {"level": unit, "area_id": unit_id}
        events = store.fetch("list_area_events", **flt.params(), **params, limit=limit)
        weekly = store.fetch("weekly_area_events", **flt.params(), **params)
    return UnitEvents(events, weekly_series(weekly, flt.start, flt.end))
