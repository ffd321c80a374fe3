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
"""

from __future__ import annotations

import numpy as np
import shapely

_BINS_PER_EXTENT = 8.0
_MAX_BINS = 4_000_000


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
        n = len(self.polygons)
        if n == 0:
            self._empty = True
            return
        self._empty = False
        bounds = shapely.bounds(self.polygons)
        bounds = np.where(np.isnan(bounds), 0.0, bounds)
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
        # bins ~1/8 of the median polygon extent, within a bounded number of bins
        extent = float(np.median(np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])))
        span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        size = max(extent / _BINS_PER_EXTENT, np.sqrt(span_x * span_y / _MAX_BINS), 1e-9)
        self._x0, self._y0, self._size = x0, y0, size
        self._nx = int(np.floor(span_x / size)) + 1
        self._ny = int(np.floor(span_y / size)) + 1
        ix0 = np.floor((bounds[:, 0] - x0) / size).astype(np.int64)
        ix1 = np.minimum(np.floor((bounds[:, 2] - x0) / size).astype(np.int64), self._nx - 1)
        iy0 = np.floor((bounds[:, 1] - y0) / size).astype(np.int64)
        iy1 = np.minimum(np.floor((bounds[:, 3] - y0) / size).astype(np.int64), self._ny - 1)
        wx, wy = ix1 - ix0 + 1, iy1 - iy0 + 1
        count = wx * wy
        poly = np.repeat(np.arange(n), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        bx = ix0[poly] + k % wx[poly]
        by = iy0[poly] + k // wx[poly]
        bins = by * self._nx + bx
        order = np.lexsort((poly, bins))
        bins, poly, bx, by = bins[order], poly[order], bx[order], by[order]
        self._bin_poly = poly
        self._bin_start = np.searchsorted(bins, np.arange(self._nx * self._ny + 1))
        # bins whose (closed) box lies in the interior of one polygon and meets no other
        pad = size * 1e-6
        boxes = shapely.box(x0 + bx * size - pad, y0 + by * size - pad,
                            x0 + (bx + 1) * size + pad, y0 + (by + 1) * size + pad)
        holds = shapely.contains_properly(self.polygons[poly], boxes)
        meets = holds | shapely.intersects(self.polygons[poly], boxes)
        meeting = np.bincount(bins, weights=meets, minlength=self._nx * self._ny)
        self._sole = np.full(self._nx * self._ny, -1, dtype=np.int64)
        sole = holds & (meeting[bins] == 1)
        self._sole[bins[sole]] = poly[sole]

    def covering(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Smallest index of a polygon covering each point (interior or boundary); -1 if none."""
        lng = np.asarray(lng, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        out = np.full(len(lng), -1, dtype=np.int64)
        if self._empty or not len(lng):
            return out
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
        return out


__all__ = ["PolygonIndex"]
