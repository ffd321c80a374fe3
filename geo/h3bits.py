"""H3 parents as two int64 masks: ``parent = (cell & keep) | set``.

The same bit layout as ``cells_to_parents`` and the SQL ``h3_parent`` of both stores: the
resolution field (bits 52-55) is replaced by ``res`` and every digit finer than ``res`` is set to
7. As two constants it can be written in any engine that has 64-bit AND/OR (Spark SQL, DuckDB,
PostgreSQL) without an H3 library; ``tests/geo/test_h3bits.py`` holds it equal to
``h3.cell_to_parent``.
"""

from __future__ import annotations

import numpy as np

_RES_SHIFT = 52
_INT64 = 1 << 64


def _signed(value: int) -> int:
    """``value`` (an unsigned 64-bit pattern) as a signed int64."""
    value %= _INT64
    return value - _INT64 if value >= 1 << 63 else value


def parent_masks(res: int) -> tuple[int, int]:
    """The ``(keep, set)`` int64 masks of the parent at ``res``: ``(cell & keep) | set``."""
    if not 0 <= res <= 15:
        raise ValueError(f"H3 resolution must be 0..15, got {res}")
    keep = ~(15 << _RES_SHIFT)
    set_bits = (res << _RES_SHIFT) | ((1 << (3 * (15 - res))) - 1)
    return _signed(keep), _signed(set_bits)


def parents(cells: np.ndarray, res: int) -> np.ndarray:
    """The parent at ``res`` of each int64 cell, through :func:`parent_masks`."""
    keep, set_bits = parent_masks(res)
    return (np.asarray(cells, dtype=np.int64) & np.int64(keep)) | np.int64(set_bits)
