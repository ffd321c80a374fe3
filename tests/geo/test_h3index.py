"""Vectorised H3 indexing and the SQL parent derivation equal h3-py."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from geo import cells_to_parents, cells_to_strings, points_to_cells, strings_to_cells
from queries import DuckDBStore


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(11)
    lat = rng.uniform(-85, 85, 2_000)
    lng = rng.uniform(-180, 180, 2_000)
    return lat, lng


@pytest.mark.parametrize("res", [0, 7, 9, 12, 15])
def test_points_to_cells_equals_h3(sample, res):
    lat, lng = sample
    cells = points_to_cells(lat, lng, res)
    expected = [h3.str_to_int(h3.latlng_to_cell(a, b, res)) for a, b in zip(lat, lng, strict=True)]
    assert cells.tolist() == expected


def test_numpy_parents_equal_h3(sample):
    lat, lng = sample
    cells = points_to_cells(lat, lng, 15)
    for res in range(16):
        expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in cells[:300]]
        assert cells_to_parents(cells[:300], res).tolist() == expected


def test_sql_parents_equal_h3_for_every_resolution(sample):
    lat, lng = sample
    cells = points_to_cells(lat, lng, 15)[:300]
    store = DuckDBStore(":memory:")
    rows = store.sql(
        "SELECT c, r, h3_parent(c, r) AS p FROM unnest($1::BIGINT[]) t(c), range(0, 16) s(r) ORDER BY c, r",
        [cells.tolist()],
    )
    expected = [
        h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), int(r)))
        for c, r in zip(rows["c"], rows["r"], strict=True)
    ]
    assert rows["p"].tolist() == expected
    assert len(rows) == 300 * 16


def test_string_round_trip(sample):
    cells = points_to_cells(*sample, 9)
    strings = cells_to_strings(cells)
    assert strings[:5] == [h3.int_to_str(int(c)) for c in cells[:5]]
    assert (strings_to_cells(strings) == cells).all()


def test_bad_resolution_is_refused():
    with pytest.raises(ValueError, match="0..15"):
        points_to_cells(np.array([0.0]), np.array([0.0]), 16)
