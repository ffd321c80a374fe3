"""Spatial weights: H3 k-ring against h3-py's grid_disk, queen against libpysal's Queen."""

from __future__ import annotations

import warnings

import h3
import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from libpysal.weights import Queen

from geo.weights import SpatialWeights, h3_extent_cells, h3_kring_weights, queen_weights

DISTRICT = shapely.Polygon([(116.30, 39.85), (116.36, 39.86), (116.35, 39.91), (116.31, 39.90)])


def _neighbour_sets(w: SpatialWeights) -> dict:
    m = w.neighbours
    return {w.ids[i]: set(w.ids[m.indices[m.indptr[i] : m.indptr[i + 1]]]) for i in range(w.n)}


@pytest.mark.parametrize(("res", "k"), [(9, 1), (9, 2), (10, 1)])
def test_kring_equals_h3_grid_disk(res: int, k: int) -> None:
    cells = h3_extent_cells([DISTRICT], res)
    w = h3_kring_weights(cells, k)
    extent = set(cells.tolist())
    expected = {
        c: {h3.str_to_int(x) for x in h3.grid_disk(h3.int_to_str(int(c)), k)} & extent - {int(c)}
        for c in cells.tolist()
    }
    assert _neighbour_sets(w) == expected
    assert (w.neighbours != w.neighbours.T).nnz == 0
    assert w.cardinalities.max() == 3 * k * (k + 1)


def test_extent_is_centres_inside_plus_event_cells() -> None:
    res = 9
    outside = h3.str_to_int(h3.latlng_to_cell(39.80, 116.20, res))
    cells = h3_extent_cells([DISTRICT], res, event_cells=[outside])
    assert outside in set(cells.tolist())
    inside = cells[cells != outside]
    centres = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in inside])
    assert shapely.contains_xy(DISTRICT, centres[:, 1], centres[:, 0]).all()
    # Every cell around the district whose centre lies inside is in the extent.
    ring = {h3.str_to_int(x) for c in inside for x in h3.grid_disk(h3.int_to_str(int(c)), 2)}
    for c in ring - set(cells.tolist()):
        lat, lng = h3.cell_to_latlng(h3.int_to_str(c))
        assert not shapely.contains_xy(DISTRICT, lng, lat)
    assert len(h3_extent_cells([], 9)) == 0


def _voronoi_cells(n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    pts = shapely.multipoints(rng.random((n, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=shapely.box(-1, -1, 2, 2)))
    return list(shapely.intersection(cells, shapely.box(0, 0, 1, 1)))


@pytest.mark.parametrize(
    "polys",
    [
        [shapely.box(x, y, x + 1, y + 1) for x in range(5) for y in range(4)],
        _voronoi_cells(60, 3),
    ],
    ids=["boxes", "voronoi"],
)
def test_queen_equals_libpysal(polys: list) -> None:
    ids = [f"a{i:03d}" for i in range(len(polys))]
    w = queen_weights(polys, ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = Queen.from_iterable(polys, ids=ids)
    assert _neighbour_sets(w) == {k: set(v) for k, v in ref.neighbors.items()}


def test_queen_on_demo_grids(small_city) -> None:
    grids = small_city.areas[small_city.areas["level"] == "grid"]
    w = queen_weights(list(grids["geom"]), grids["area_id"].to_numpy())
    ref = Queen.from_iterable(list(grids["geom"]), ids=list(grids["area_id"]))
    assert _neighbour_sets(w) == {k: set(v) for k, v in ref.neighbors.items()}
    assert w.cardinalities.min() >= 1  # the grids tile the district: no islands


def test_matrix_transforms_and_align() -> None:
    chain = sp.diags_array([np.ones(3), np.ones(3)], offsets=[-1, 1])
    w = SpatialWeights.from_sparse(chain, ids=["a", "b", "c", "d"])
    star = w.matrix(self_weight=1.0).toarray()
    np.testing.assert_array_equal(star.diagonal(), 1.0)
    np.testing.assert_allclose(w.matrix(self_weight=1.0, transform="R").toarray().sum(axis=1), 1.0)
    np.testing.assert_allclose(w.matrix(transform="r").toarray()[1], [0.5, 0, 0.5, 0])
    assert w.align(["d", "a", "zz"], [4, 1, 9]).tolist() == [1.0, 0.0, 0.0, 4.0]
    with pytest.raises(ValueError, match="'B'"):
        w.matrix(transform="D")
    with pytest.raises(ValueError, match="self-links"):
        SpatialWeights(np.arange(2), sp.csr_array(np.eye(2)))
    with pytest.raises(ValueError, match="k must be"):
        h3_kring_weights([1], 0)


def test_kring_on_unsorted_repeated_cells_with_islands_equals_grid_disk_and_libpysal() -> None:
    """The vectorised build (grid_disk + hash lookup) on messy input, against both libraries."""
    from libpysal.graph import Graph

    cells = h3_extent_cells([DISTRICT], 9)
    far = [h3.str_to_int(h3.latlng_to_cell(40.5 + 0.05 * i, 117.5, 9)) for i in range(3)]
    messy = np.random.default_rng(0).permutation(np.r_[cells, cells[:40], far])
    w = h3_kring_weights(messy)
    assert w.ids.tolist() == sorted(set(messy.tolist()))
    got = _neighbour_sets(w)
    extent = set(w.ids.tolist())
    for c in w.ids.tolist():
        assert got[c] == {h3.str_to_int(x) for x in h3.grid_disk(h3.int_to_str(c), 1)} & extent - {c}
    assert all(got[c] == set() for c in far)
    graph = Graph.build_h3([h3.int_to_str(int(c)) for c in cells], order=1, weight="binary")
    adj = graph.adjacency[graph.adjacency > 0]
    ref: dict[int, set[int]] = {int(c): set() for c in cells}
    for a, b in adj.index:
        if a != b:
            ref[h3.str_to_int(a)].add(h3.str_to_int(b))
    assert {c: got[c] for c in ref} == ref


def test_kring_rejects_what_is_not_one_resolution_of_h3_cells() -> None:
    c = h3.str_to_int(h3.latlng_to_cell(39.9, 116.4, 9))
    with pytest.raises(ValueError, match="one resolution"):
        h3_kring_weights([c, h3.str_to_int(h3.latlng_to_cell(39.9, 116.4, 8))])
    broken = c | (0x7 << 18)  # digit 7 at resolution 9 (bits 18-20): no such child
    assert not h3.is_valid_cell(h3.int_to_str(broken))
    with pytest.raises(ValueError, match="not valid H3 cells"):
        h3_kring_weights([c, broken])
