"""Point-to-area assignment: equal to a geopandas spatial join, with the boundary rule."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import assign_points_to_areas


def _voronoi(n: int, seed: int):
    rng = np.random.default_rng(seed)
    box = shapely.box(0, 0, 10, 10)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, 10, (n, 2))), extend_to=box))
    return shapely.intersection(cells, box)


def test_equals_geopandas_sjoin_inside_polygons():
    polys = _voronoi(200, 1)
    ids = np.array([f"a{i:03d}" for i in range(len(polys))])
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-1, 11, 20_000), rng.uniform(-1, 11, 20_000)
    got = assign_points_to_areas(x, y, polys, ids)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
    joined = gpd.sjoin(pts, gpd.GeoDataFrame({"id": ids}, geometry=polys), predicate="within", how="left")
    expected = joined.groupby(level=0)["id"].min().reindex(range(len(x)))
    strictly_inside = expected.notna().to_numpy()
    assert (got[strictly_inside] == expected[strictly_inside].to_numpy()).all()
    outside = ~shapely.intersects_xy(shapely.box(0, 0, 10, 10), x, y)
    assert all(v is None for v in got[outside])


def test_shared_boundary_goes_to_smallest_id():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    top = shapely.box(0, 1, 2, 2)
    got = assign_points_to_areas(
        [1.0, 1.0, 0.5, 1.5, 1.0], [0.5, 1.0, 1.0, 0.5, 3.0], [left, right, top], ["m", "k", "z"]
    )
    # edge left|right -> k; vertex of all three -> k; edge left|top -> m; inside right -> k; outside
    assert got.tolist() == ["k", "k", "m", "k", None]
