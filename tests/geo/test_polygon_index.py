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
    polys = np.array(
        [
            ring,
            shapely.box(0.2, 0.2, 0.7, 0.7),  # overlaps the ring and fills its hole
            shapely.MultiPolygon([shapely.box(2, 2, 3, 3), shapely.box(4, 4, 5, 5)]),
            shapely.box(0.5, 0.5, 0.55, 0.55),  # tiny, inside the hole
        ],
        dtype=object,
    )
    lng, lat = _points(polys, 1, 20_000)
    lng, lat = np.r_[lng * 5, lng], np.r_[lat * 5, lat]
    np.testing.assert_array_equal(PolygonIndex(polys).covering(lng, lat), covering_polygon_index(lng, lat, polys))


def test_empty_index_and_no_points():
    assert PolygonIndex(np.array([], dtype=object)).covering([0.5], [0.5]).tolist() == [-1]
    assert PolygonIndex(_irregular_tiling(3)).covering([], []).tolist() == []


def _nan_polygon() -> shapely.Polygon:
    with np.errstate(invalid="ignore"):
        return shapely.Polygon([(0, 0), (np.nan, 0), (1, 1)])


HUGE = shapely.Polygon([(-1e308, -1e308), (1e308, -1e308), (1e308, 1e308), (-1e308, 1e308)])
"""A polygon at ±1e308 (issue 9): its span overflows to inf and the bin count to NaN."""


def test_huge_non_finite_and_empty_polygons_do_not_break_the_index():
    pts_lng = [0.5, 1.5, 1e200, np.nan, 5.0, 0.5]
    pts_lat = [0.5, 0.5, 0.0, 0.0, 5.0, np.inf]
    polys = np.array(
        [
            shapely.box(0, 0, 1, 1),
            HUGE,
            shapely.box(1, 0, 2, 1),
            _nan_polygon(),
            shapely.from_wkt("POLYGON EMPTY"),
            None,
        ],
        dtype=object,
    )
    # the huge polygon covers every finite point; a smaller index still wins
    assert PolygonIndex(polys).covering(pts_lng, pts_lat).tolist() == [0, 1, 1, -1, 1, -1]
    last = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), _nan_polygon(), HUGE], dtype=object)
    assert PolygonIndex(last).covering(pts_lng, pts_lat).tolist() == [0, 1, 3, -1, 3, -1]
    # NaN vertices, empty and missing polygons cover nothing, even alone
    alone = np.array([_nan_polygon(), shapely.from_wkt("POLYGON EMPTY"), None], dtype=object)
    assert PolygonIndex(alone).covering([0.5, 0.9], [0.5, 0.1]).tolist() == [-1, -1]
    assert PolygonIndex(np.array([HUGE], dtype=object)).covering([0.5, -3e300], [0.5, 7.0]).tolist() == [0, 0]


def test_a_long_thin_set_of_polygons_stays_within_the_bin_budget():
    """2,000 tiny squares along a 1e6 line: bins of 1/8 of their size would be 1.6e13 bins."""
    xs = np.linspace(0, 1e6, 2000)
    polys = shapely.box(xs, 0, xs + 1e-6, 1e-6)
    lng = np.r_[xs + 5e-7, xs + 2e-6]
    lat = np.full(len(lng), 5e-7)
    idx = PolygonIndex(polys)
    np.testing.assert_array_equal(idx.covering(lng, lat), covering_polygon_index(lng, lat, polys))
    assert idx.covering(lng, lat).tolist() == list(range(2000)) + [-1] * 2000


def test_one_polygon_far_larger_than_the_rest_is_tested_directly():
    """A district outline beside a thousand small grids still gives the reference answer."""
    polys = np.r_[_irregular_tiling(5, 1000), np.array([shapely.box(-500, -500, 500, 500)], dtype=object)]
    lng, lat = _points(polys[:-1], 5, 5000)
    lng, lat = np.r_[lng, 300.0, -400.0], np.r_[lat, 2.0, 499.0]
    np.testing.assert_array_equal(PolygonIndex(polys).covering(lng, lat), covering_polygon_index(lng, lat, polys))
