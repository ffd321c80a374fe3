"""geo.h3bits: the two-mask parent equals h3.cell_to_parent and geo.h3index."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from geo.h3bits import parent_masks, parents
from geo.h3index import cells_to_parents, points_to_cells


@pytest.mark.parametrize("res", [0, 5, 7, 8, 9, 10, 11, 12])
def test_parents_equal_h3(res: int) -> None:
    rng = np.random.default_rng(res)
    lat, lng = rng.uniform(-80, 80, 500), rng.uniform(-179, 179, 500)
    cells = points_to_cells(lat, lng, 12)
    expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in cells]
    assert parents(cells, res).tolist() == expected
    assert parents(cells, res).tolist() == cells_to_parents(cells, res).tolist()


def test_masks_are_int64() -> None:
    for res in range(16):
        keep, set_bits = parent_masks(res)
        assert -(2**63) <= keep < 2**63 and -(2**63) <= set_bits < 2**63
    with pytest.raises(ValueError):
        parent_masks(16)
