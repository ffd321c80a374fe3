"""PolygonIndex gives the same answer as geo.areas.covering_polygon_index (the STRtree reference)."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.areas import covering_polygon_index
from geo.polygon_index import PolygonIndex


def _irregular_tiling(seed: int, n: int = 12) -> np.ndarray:
    """Voronoi cells of random seeds clipped to a box: a tiling with shared edges."""
    rng = np.random.default_rng(seed)
    pts = shapely.multipoints(rng.uniform(0, 1, (n, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=shapely.box(-1, -1, 2, 2)))
    return shapely.intersection(cells, shapely.box(0, 0, 1, 1))


def _points(polys: np.ndarray, seed: int, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vertices = shapely.get_coordinates(polys)
    lng = np.r_[rng.uniform(-0.1, 1.1, n), vertices[:, 0], np.nan, 0.5]
    lat = np.r_[rng.uniform(-0.1, 1.1, n), vertices[:, 1], 0.5, np.inf]
    # midpoints of edges: on a shared boundary
    mid = (vertices[1:] + vertices[:-1]) / 2
    return np.r_[lng, mid[:, 0]], np.r_[lat, mid[:, 1]]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40))
def test_equal_to_the_strtree_reference_on_tilings(seed, n):
    polys = _irregular_tiling(seed, n)
    lng, lat = _points(polys, seed)
    np.testing.assert_array_equal(PolygonIndex(polys).covering(lng, lat), covering_polygon_index(lng, lat, polys))


def test_overlaps_holes_and_multipolygons():
    ring = shapely.box(0, 0, 1, 1).difference(shapely.box(0.3, 0.3, 0.6, 0.6))
    polys = np.array([
        ring,
        shapely.box(0.2, 0.2, 0.7, 0.7),  # overlaps the ring and fills its hole
        shapely.MultiPolygon([shapely.box(2, 2, 3, 3), shapely.box(4, 4, 5, 5)]),
        shapely.box(0.5, 0.5, 0.55, 0.55),  # tiny, inside the hole
    ], dtype=object)
    lng, lat = _points(polys, 1, 20_000)
    lng, lat = np.r_[lng * 5, lng], np.r_[lat * 5, lat]
    np.testing.assert_array_equal(PolygonIndex(polys).covering(lng, lat), covering_polygon_index(lng, lat, polys))


def test_empty_index_and_no_points():
    assert PolygonIndex(np.array([], dtype=object)).covering([0.5], [0.5]).tolist() == [-1]
    assert PolygonIndex(_irregular_tiling(3)).covering([], []).tolist() == []
