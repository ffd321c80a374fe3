"""Point-in-polygon for many points against one fixed set of polygons, built once.

:func:`geo.areas.covering_polygon_index` builds an STRtree and a GEOS point per input
point on every call; creating the points alone is most of its time on a million points.
:class:`PolygonIndex` instead bins the polygons' bounding boxes on a regular grid once
(bins ~1/8 of a typical polygon). A bin that lies in the interior of one polygon and
meets no other polygon answers its points directly (most points, for tiling
polygons); elsewhere the candidates are the polygons listed in the point's bin (pure
numpy) and one vectorised ``shapely.intersects_xy`` call decides. Same answer as
``covering_polygon_index`` (``tests/geo/test_polygon_index.py``): the smallest index
of a polygon covering the point (boundary included), -1 when none.

Hostile input (issue 9): the grid is built from polygons with finite bounds within
:data:`_MAX_ABS` only, and its size is bounded in both directions, so no bound can
overflow the bin arithmetic. A polygon beyond that, or one so much larger than the
others that it would fill more than :data:`_MAX_WIDE_BINS` bins, is tested against every
point instead; empty polygons, and polygons with NaN or infinite coordinates, cover nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

import numpy as np
import shapely

_BINS_PER_EXTENT = 8.0
_MAX_BINS = 4_000_000
_MAX_SIDE = 100_000
"""Bins along one axis at most (so a long, thin set of polygons stays within ~_MAX_BINS)."""
_MAX_ABS = 1e150
"""Polygons with a coordinate beyond this are not binned (spans and products stay finite)."""
_MAX_WIDE_BINS = _MAX_BINS // 16
"""A polygon that would fill more bins than this is tested against every point instead."""


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block. Building the bins makes ~100k shapely
    boxes, which hold no reference cycles, but their allocation triggers collections that
    walk every live object of the process: most of the build's time in an importer with
    pandas, polars and a database driver loaded (py-spy)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PolygonIndex:
    """Polygons binned by bounding box for repeated point queries.

    Parameters
    ----------
    polygons : shapely (multi)polygons; the index of a polygon is its position here
        (sort them by area id to get the boundary rule of :mod:`geo.areas`)

    Examples
    --------
    >>> import shapely
    >>> idx = PolygonIndex([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> idx.covering([0.5, 1.0, 3.0], [0.5, 0.5, 0.5]).tolist()
    [0, 0, -1]
    """

    def __init__(self, polygons: np.ndarray) -> None:
        self.polygons = np.asarray(polygons, dtype=object)
        shapely.prepare(self.polygons)
        bounds = shapely.bounds(self.polygons).reshape(-1, 4)
        usable = ~(shapely.is_missing(self.polygons) | shapely.is_empty(self.polygons))
        # bounds skip NaN vertices: look at every vertex
        coords, owner = shapely.get_coordinates(self.polygons, return_index=True)
        usable[owner[~np.isfinite(coords).all(axis=1)]] = False
        usable &= np.isfinite(bounds).all(axis=1)
        binned = usable & (np.abs(bounds) <= _MAX_ABS).all(axis=1)
        self._empty = not binned.any()
        if not self._empty:
            with _collector_paused():
                binned = self._build(bounds, binned)
        self._wide = np.flatnonzero(usable & ~binned)  # tested against every point, in index order

    def _build(self, bounds: np.ndarray, binned: np.ndarray) -> np.ndarray:
        """Bin the polygons marked ``binned``; return the mask of those actually binned."""
        b = bounds[binned]
        x0, y0 = b[:, 0].min(), b[:, 1].min()
        x1, y1 = b[:, 2].max(), b[:, 3].max()
        # bins ~1/8 of the median polygon extent, within a bounded number of bins
        extent = float(np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])))
        span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        size = max(
            extent / _BINS_PER_EXTENT, np.sqrt(span_x * span_y / _MAX_BINS), max(span_x, span_y) / _MAX_SIDE, 1e-9
        )
        nx = int(np.floor(span_x / size)) + 1
        ny = int(np.floor(span_y / size)) + 1
        with np.errstate(over="ignore", invalid="ignore"):  # unbinnable polygons give inf/NaN here
            ix0 = np.floor((bounds[:, 0] - x0) / size)
            ix1 = np.floor((bounds[:, 2] - x0) / size)
            iy0 = np.floor((bounds[:, 1] - y0) / size)
            iy1 = np.floor((bounds[:, 3] - y0) / size)
            filled = (np.minimum(ix1, nx - 1) - ix0 + 1) * (np.minimum(iy1, ny - 1) - iy0 + 1)
        binned = binned & (filled <= _MAX_WIDE_BINS)
        if not binned.any():  # every polygon is "wide": no grid
            self._empty = True
            return binned
        idx = np.flatnonzero(binned)
        ix0, iy0 = ix0[idx].astype(np.int64), iy0[idx].astype(np.int64)
        ix1 = np.minimum(ix1[idx].astype(np.int64), nx - 1)
        iy1 = np.minimum(iy1[idx].astype(np.int64), ny - 1)
        self._x0, self._y0, self._size, self._nx, self._ny = x0, y0, size, nx, ny
        wx, wy = ix1 - ix0 + 1, iy1 - iy0 + 1
        count = wx * wy
        rank = np.repeat(np.arange(len(idx)), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        bx = ix0[rank] + k % wx[rank]
        by = iy0[rank] + k // wx[rank]
        poly = idx[rank]
        bins = by * nx + bx
        order = np.lexsort((poly, bins))
        bins, poly, bx, by = bins[order], poly[order], bx[order], by[order]
        self._bin_poly = poly
        self._bin_start = np.searchsorted(bins, np.arange(nx * ny + 1))
        # bins whose (closed) box lies in the interior of one polygon and meets no other
        pad = size * 1e-6
        boxes = shapely.box(
            x0 + bx * size - pad, y0 + by * size - pad, x0 + (bx + 1) * size + pad, y0 + (by + 1) * size + pad
        )
        holds = shapely.contains_properly(self.polygons[poly], boxes)
        meets = holds | shapely.intersects(self.polygons[poly], boxes)
        meeting = np.bincount(bins, weights=meets, minlength=nx * ny)
        self._sole = np.full(nx * ny, -1, dtype=np.int64)
        sole = holds & (meeting[bins] == 1)
        self._sole[bins[sole]] = poly[sole]
        return binned

    def covering(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Smallest index of a polygon covering each point (interior or boundary); -1 if none."""
        lng = np.asarray(lng, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        out = np.full(len(lng), -1, dtype=np.int64)
        if not len(lng):
            return out
        if not self._empty:
            self._covering_binned(lng, lat, out)
        if len(self._wide):
            finite = np.flatnonzero(np.isfinite(lng) & np.isfinite(lat))
            for w in self._wide:  # ascending: a smaller index found earlier stays
                hit = finite[shapely.intersects_xy(self.polygons[w], lng[finite], lat[finite])]
                hit = hit[(out[hit] < 0) | (out[hit] > w)]
                out[hit] = w
        return out

    def _covering_binned(self, lng: np.ndarray, lat: np.ndarray, out: np.ndarray) -> None:
        """Fill ``out`` with the answer of the binned polygons."""
        fx = (lng - self._x0) / self._size
        fy = (lat - self._y0) / self._size
        ok = np.isfinite(fx) & np.isfinite(fy) & (fx >= 0) & (fy >= 0) & (fx < self._nx) & (fy < self._ny)
        pts = np.flatnonzero(ok)
        b = np.floor(fy[pts]).astype(np.int64) * self._nx + np.floor(fx[pts]).astype(np.int64)
        sole = self._sole[b]
        direct = sole >= 0
        out[pts[direct]] = sole[direct]
        pts, b = pts[~direct], b[~direct]
        start, stop = self._bin_start[b], self._bin_start[b + 1]
        count = stop - start
        pair_pt = np.repeat(pts, count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        pair_poly = self._bin_poly[np.repeat(start, count) + k]
        hit = shapely.intersects_xy(self.polygons[pair_poly], lng[pair_pt], lat[pair_pt])
        pair_pt, pair_poly = pair_pt[hit], pair_poly[hit]
        if len(pair_pt):
            # pairs are ordered by point, then polygon index within a bin: first per point wins
            first = np.r_[True, pair_pt[1:] != pair_pt[:-1]]
            out[pair_pt[first]] = pair_poly[first]


__all__ = ["PolygonIndex"]
