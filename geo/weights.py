"""Spatial weights for hotspot statistics: H3 k-ring neighbours and polygon contiguity.

A :class:`SpatialWeights` holds the units of the *analysed extent* in row order and a
binary, symmetric neighbour matrix without self-links. The statistics add the self
weight where they need it (Gi* puts 1 on the diagonal, like ``esda`` does for binary
weights) and apply their own transform (binary or row-standardised).

The extent (why zeros matter)
-----------------------------
Hotspot statistics compare a unit with the whole study area, so the study area must be
the district (or the selected streets), not only the units that happen to have events:
a cell without events is a real observation with value 0. For H3 the extent is built by
:func:`h3_extent_cells`: every cell of resolution ``res`` whose *centre* lies inside the
area polygons (h3's ``polygon_to_cells`` rule), plus every cell that holds at least one
event (cells on the boundary whose centre falls just outside), so no event is dropped.
For areas the extent is every area of the chosen level inside the selection.

Neighbour construction is vectorised: ``polars-h3``'s ``grid_disk`` for all cells at
once, then one hash lookup (``pandas.Index.get_indexer``) to keep the neighbours inside
the extent. For 50k res-10 cells that takes about 30-35 ms of wall time when a core is
free (``grid_disk`` alone ~13 ms; ~45 ms of CPU time in all threads) and several times
that while the shared 2-core machine is busy (170 ms at load 7; an audit measured 454 ms).
See the "H3 k-ring weights" row of
``docs/BENCHMARKS.md`` (``bench/bench_hotspots.py --only weights``), beside libpysal's
``Graph.build_h3``; ``tests/geo/test_weights.py`` holds the result equal to
``h3.grid_disk`` and to libpysal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import polars_h3 as plh3
import scipy.sparse as sp

__all__ = [
    "SpatialWeights",
    "h3_extent_cells",
    "h3_kring_weights",
    "queen_weights",
]


@dataclass(frozen=True)
class SpatialWeights:
    """Units in row order and their binary neighbour matrix (no self-links).

    Parameters
    ----------
    ids : array of unit ids (int64 H3 cells or area ids), one per row
    neighbours : ``scipy.sparse.csr_array`` of shape (n, n); 1.0 where two units are
        neighbours, symmetric, empty diagonal
    kind : short description, e.g. ``"h3 k-ring k=1"`` or ``"queen"``
    """

    ids: np.ndarray
    neighbours: sp.csr_array
    kind: str = ""

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.neighbours.shape != (n, n):
            raise ValueError(f"neighbour matrix is {self.neighbours.shape}, expected ({n}, {n})")
        if self.neighbours.diagonal().any():
            raise ValueError("neighbour matrix must not contain self-links; statistics add them")

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.ids)

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours of each unit (self excluded)."""
        return np.diff(self.neighbours.indptr)

    @classmethod
    def from_sparse(
        cls, matrix: sp.sparray | sp.spmatrix, ids: Sequence | None = None, kind: str = ""
    ) -> SpatialWeights:
        """Build weights from any square sparse matrix (non-zero = neighbour; diagonal dropped)."""
        m = sp.csr_array(matrix, dtype=np.float64)
        m.setdiag(0)
        m.eliminate_zeros()
        m.data[:] = 1.0
        m.sort_indices()
        idx = np.arange(m.shape[0]) if ids is None else np.asarray(ids)
        return cls(idx, m, kind)

    def align(self, ids: Sequence | np.ndarray, values: npt.ArrayLike, fill: float = 0.0) -> np.ndarray:
        """Put ``values`` given for ``ids`` into row order; units without a value get ``fill``.

        Ids that are not in the extent are ignored (the caller decides the extent).

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> w = SpatialWeights.from_sparse(sp.csr_array((3, 3)), ids=["a", "b", "c"])
        >>> w.align(["c", "a", "x"], [5, 2, 9]).tolist()
        [2.0, 0.0, 5.0]
        """
        pos = pd.Index(self.ids).get_indexer(pd.Index(ids))
        vals = np.asarray(values, dtype=np.float64)
        out = np.full(self.n, fill, dtype=np.float64)
        keep = pos >= 0
        out[pos[keep]] = vals[keep]
        return out

    def matrix(self, *, self_weight: float = 0.0, transform: str = "B") -> sp.csr_array:
        """The weight matrix a statistic uses: optional self weight, then a transform.

        Parameters
        ----------
        self_weight : weight put on the diagonal (1.0 for Gi*, 0.0 for Local Moran)
        transform : ``"B"`` binary (as is) or ``"R"`` row-standardised (rows sum to 1;
            rows without any weight stay zero)
        """
        transform = _check_transform(transform)
        m = self.neighbours
        if self_weight:
            m = (m + sp.diags_array(np.full(self.n, float(self_weight)), format="csr")).tocsr()
            m.sort_indices()
        if transform == "R":
            rs = np.asarray(m.sum(axis=1)).ravel()
            scale = np.divide(1.0, rs, out=np.zeros_like(rs), where=rs > 0)
            m = sp.csr_array(sp.diags_array(scale) @ m)
            m.sort_indices()
        return m


def _check_transform(transform: str) -> str:
    t = str(transform).upper()
    if t not in ("B", "R"):
        raise ValueError(
            f"transform={transform!r} is not supported; choose one of 'B' (binary), 'R' (row-standardised)"
        )
    return t


def h3_extent_cells(polygons: Iterable, res: int, *, event_cells: npt.ArrayLike | None = None) -> np.ndarray:
    """Return the H3 cells (sorted int64) that make up the analysed extent.

    Parameters
    ----------
    polygons : shapely (multi)polygons in WGS-84 lng/lat: the district, or the selected areas
    res : H3 resolution
    event_cells : cells at ``res`` that hold events; they join the extent even when their
        centre lies outside every polygon, so no event is lost

    Returns
    -------
    Sorted unique int64 cells: centre-in-polygon cells (h3 ``polygon_to_cells``) plus
    ``event_cells``.

    Examples
    --------
    >>> import shapely
    >>> cells = h3_extent_cells([shapely.box(116.39, 39.90, 116.40, 39.91)], 9)
    >>> len(cells) > 0 and bool((cells[1:] > cells[:-1]).all())
    True
    """
    if not 0 <= res <= 15:
        raise ValueError(f"H3 resolution must be 0..15, got {res}")
    found: list[np.ndarray] = []
    for poly in polygons:
        if poly is None or poly.is_empty:
            continue
        strs = h3.geo_to_cells(poly, res)
        found.append(np.fromiter((h3.str_to_int(c) for c in strs), dtype=np.int64, count=len(strs)))
    if event_cells is not None:
        found.append(np.asarray(event_cells, dtype=np.int64))
    if not found:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def h3_kring_weights(cells: npt.ArrayLike, k: int = 1) -> SpatialWeights:
    """Binary k-ring neighbours of H3 cells, restricted to the given cells.

    Two cells are neighbours when their grid distance is between 1 and ``k`` (the
    ``grid_disk`` of radius ``k`` without the cell itself); Gi* then adds the cell
    itself with weight 1, so its neighbourhood is the full disk.

    Parameters
    ----------
    cells : int64 H3 cells of one resolution: the extent (see :func:`h3_extent_cells`)
    k : ring radius, >= 1

    Returns
    -------
    :class:`SpatialWeights` with ``ids`` = the cells sorted ascending.

    Examples
    --------
    >>> import h3
    >>> c = h3.str_to_int(h3.latlng_to_cell(39.9, 116.4, 9))
    >>> ring = [h3.str_to_int(x) for x in h3.grid_disk(h3.int_to_str(c), 1)]
    >>> w = h3_kring_weights(ring, k=1)
    >>> int(w.cardinalities[list(w.ids).index(c)])
    6
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    ids = np.unique(np.asarray(cells, dtype=np.int64))
    n = len(ids)
    if n == 0:
        return SpatialWeights(ids, sp.csr_array((0, 0), dtype=np.float64), f"h3 k-ring k={k}")
    resolutions = np.unique((ids >> 52) & 0xF)
    if len(resolutions) > 1:
        raise ValueError(f"H3 cells of one resolution expected, got resolutions {resolutions.tolist()}")
    disks = pl.select(plh3.grid_disk(pl.lit(pl.Series("c", ids.astype(np.uint64))), k).alias("d"))["d"]
    flat = disks.explode()
    if flat.null_count():  # not an H3 cell: grid_disk gives null (and floats after explode)
        broken = (disks.is_null() | disks.list.eval(pl.element().is_null()).list.any()).to_numpy()
        raise ValueError(f"not valid H3 cells: {ids[broken][:5].tolist()}")
    lengths = disks.list.len().to_numpy()
    nb = flat.to_numpy().view(np.int64)  # uint64 -> int64: H3 cells fit in 63 bits
    src = np.repeat(np.arange(n), lengths)
    pos = pd.Index(ids).get_indexer(pd.Index(nb))  # a hash lookup: ~1.5x faster than searchsorted here
    keep = (pos >= 0) & (pos != src)
    rows, cols = src[keep], pos[keep]
    # rows are already grouped (np.repeat over sorted ids): build CSR directly.
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    m = sp.csr_array((np.ones(len(rows)), cols, indptr), shape=(n, n))
    m.sort_indices()
    return SpatialWeights(ids, m, f"h3 k-ring k={k}")


def queen_weights(polygons: Sequence, ids: npt.ArrayLike) -> SpatialWeights:
    """Queen contiguity (shared edge or vertex) between polygons, via ``libpysal``.

    Parameters
    ----------
    polygons : shapely (multi)polygons, one per area
    ids : area ids, same length and order; the result keeps this order

    Returns
    -------
    :class:`SpatialWeights` of the areas; an area touching no other has no neighbours.

    Examples
    --------
    >>> import shapely
    >>> boxes = [shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2), shapely.box(5, 5, 6, 6)]
    >>> queen_weights(boxes, ["a", "b", "c"]).cardinalities.tolist()
    [1, 1, 0]
    """
    # heavy imports, only where needed
    import geopandas as gpd
    from libpysal.graph import Graph

    area_ids = np.asarray(ids)
    n = len(area_ids)
    if n != len(polygons):
        raise ValueError(f"{len(polygons)} polygons but {n} ids")
    if n == 0:
        return SpatialWeights(area_ids, sp.csr_array((0, 0), dtype=np.float64), "queen")
    graph = Graph.build_contiguity(gpd.GeoSeries(list(polygons), index=pd.RangeIndex(n)), rook=False)
    adj = graph.adjacency
    heads = adj.index.get_level_values(0).to_numpy()
    tails = adj.index.get_level_values(1).to_numpy()
    keep = (adj.to_numpy() != 0) & (heads != tails)
    m = sp.csr_array((np.ones(int(keep.sum())), (heads[keep], tails[keep])), shape=(n, n))
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return SpatialWeights(area_ids, m, "queen")
