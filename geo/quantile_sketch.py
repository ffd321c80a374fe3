"""A mergeable quantile sketch with a relative-error guarantee (DDSketch's log buckets).

A value ``v > 0`` falls in bucket ``k = ceil(ln v / ln γ)`` with ``γ = (1 + α) / (1 - α)``;
the bucket's representative ``2 γ^k / (γ + 1)`` is within ``α`` (relative) of every value in
it. Negative values mirror the positive buckets below :data:`ZERO_KEY`, zero (and
``|v| <`` :data:`TINY`) has its own key, so keys sort as their values do. Counts per key add
up, so sketches of hours, sensors or cells merge by summing ``n`` per key.

A quantile with linear interpolation (``percentile_cont``) read from merged counts
interpolates the representatives of the two ranks around the position, so it is within
``α`` of the exact ``percentile_cont`` of the same values (both ranks are, and interpolation
keeps a relative bound). With :data:`ALPHA` = 0.01 the error is at most 1 %.
"""

from __future__ import annotations

import math

import numpy as np

ALPHA = 0.01
"""Relative error of every representative (1 %)."""
GAMMA = (1 + ALPHA) / (1 - ALPHA)
"""Ratio between consecutive bucket bounds."""
TINY = 1e-9
"""Values with ``|v| < TINY`` count as zero."""
ZERO_KEY = -60_000
"""Key of zero; positive keys lie above it, negative ones below :data:`NEGATIVE_BASE`."""
NEGATIVE_BASE = -100_000
"""A negative value ``v`` has key ``NEGATIVE_BASE - k(|v|)``."""
POSITIVE_FLOOR = -50_000
"""Keys at or above this are positive values."""


def bucket_keys(values: np.ndarray) -> np.ndarray:
    """The sketch key (int64) of each value."""
    v = np.asarray(values, dtype=np.float64)
    mag = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(np.log(np.where(mag < TINY, 1.0, mag)) / math.log(GAMMA)).astype(np.int64)
    return np.where(mag < TINY, ZERO_KEY, np.where(v > 0, k, NEGATIVE_BASE - k)).astype(np.int64)


def key_values(keys: np.ndarray) -> np.ndarray:
    """The representative value of each key."""
    k = np.asarray(keys, dtype=np.int64)
    pos = 2.0 * np.power(GAMMA, np.where(k >= POSITIVE_FLOOR, k, 0).astype(np.float64)) / (GAMMA + 1)
    neg = -2.0 * np.power(GAMMA, np.where(k <= NEGATIVE_BASE + 50_000, NEGATIVE_BASE - k, 0).astype(np.float64))
    neg /= GAMMA + 1
    return np.where(k >= POSITIVE_FLOOR, pos, np.where(k == ZERO_KEY, 0.0, neg))


def sketch_quantile(keys: np.ndarray, counts: np.ndarray, q: float) -> float:
    """``percentile_cont(q)`` estimated from merged ``(key, count)`` pairs (``nan`` when empty)."""
    k = np.asarray(keys, dtype=np.int64)
    n = np.asarray(counts, dtype=np.int64)
    order = np.argsort(k, kind="stable")
    k, n = k[order], n[order]
    total = int(n.sum())
    if total == 0:
        return math.nan
    pos = q * (total - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    cum = np.cumsum(n)
    values = key_values(k)
    v_lo = float(values[np.searchsorted(cum, lo, side="right")])
    v_hi = float(values[np.searchsorted(cum, hi, side="right")])
    return v_lo + (pos - lo) * (v_hi - v_lo)
