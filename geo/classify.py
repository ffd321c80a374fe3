"""Classing values for choropleth maps: natural breaks for counts and levels, a diverging
scale around a reference for rates, and the class ranges a legend shows.

Pure numpy: values in, class indices and ranges out. Colours are the dashboard's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MAX_UNIQUE = 1_000
"""Natural breaks run on the distinct values (weighted by how often each occurs); above this
many distinct values they are first pooled into this many equal-count groups."""


@dataclass(frozen=True)
class Classes:
    """Each value's class (``index``: 0 = lowest, -1 where the value is missing) and, per class,
    the smallest and largest value in it (``lows``/``highs``: ranges that never overlap)."""

    index: npt.NDArray[np.int64]
    lows: list[float]
    highs: list[float]

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.lows)


def class_count(values: npt.ArrayLike, k_max: int = 7) -> int:
    """Classes worth drawing: at most ``k_max``, no more than the distinct values, and no more
    than half the units (10 streets get 5 classes, not 8)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return 0
    return int(max(1, min(k_max, len(np.unique(v)), len(v) // 2)))


def _fisher_jenks(x: np.ndarray, w: np.ndarray, k: int) -> list[int]:
    """Exact Fisher-Jenks on sorted distinct ``x`` with weights ``w``: the index of the last
    value of each class (the class upper bounds), minimising the within-class sum of squares."""
    n = len(x)
    cw = np.r_[0.0, np.cumsum(w)]
    cx = np.r_[0.0, np.cumsum(w * x)]
    cxx = np.r_[0.0, np.cumsum(w * x * x)]

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # sum of squares of x[i..j] (inclusive), i a vector
        sw, sx, sxx = cw[j + 1] - cw[i], cx[j + 1] - cx[i], cxx[j + 1] - cxx[i]
        return np.asarray(sxx - sx * sx / sw)

    cost = np.full((k, n), np.inf)
    back = np.zeros((k, n), dtype=np.int64)
    cost[0] = cxx[1:] - cx[1:] ** 2 / cw[1:]  # one class x[0..j]
    for c in range(1, k):
        for j in range(c, n):
            starts = np.arange(c, j + 1)  # the last class is x[start..j]
            total = cost[c - 1, starts - 1] + ssd(starts, j)
            best = int(np.argmin(total))
            cost[c, j], back[c, j] = total[best], starts[best]
    ends, j = [n - 1], n - 1
    for c in range(k - 1, 0, -1):
        j = int(back[c, j]) - 1
        ends.append(j)
    return ends[::-1]


def natural_breaks(values: npt.ArrayLike, k: int) -> np.ndarray:
    """Upper bounds of ``k`` Jenks natural-breaks classes (exact Fisher-Jenks, as mapclassify's
    ``FisherJenks``); fewer when there are fewer distinct values. NaNs are ignored.

    >>> natural_breaks([1, 1, 2, 2, 3, 20, 21, 22, 100], 3).tolist()
    [3.0, 22.0, 100.0]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v) or k < 1:
        return np.array([], dtype=float)
    x, w = np.unique(v, return_counts=True)
    x, w = x.astype(float), w.astype(float)
    if len(x) > MAX_UNIQUE:  # pool into equal-count groups (their weighted means), keep group maxima as bounds
        groups = np.array_split(np.arange(len(x)), MAX_UNIQUE)
        maxima = np.array([x[g[-1]] for g in groups])
        gw = np.array([w[g].sum() for g in groups])
        gx = np.array([(x[g] * w[g]).sum() for g in groups]) / gw
        ends = _fisher_jenks(gx, gw, min(k, len(gx)))
        return maxima[ends]
    k = min(k, len(x))
    return x[_fisher_jenks(x, w, k)]


def classify(values: npt.ArrayLike, bounds: npt.ArrayLike) -> Classes:
    """Class of each value given the classes' upper ``bounds`` (a value equal to a bound is in
    that bound's class); the legend ranges are the smallest and largest value in each class.
    Empty classes are dropped, so ``lows``/``highs`` list only classes that hold values."""
    v = np.asarray(values, dtype=float)
    b = np.asarray(bounds, dtype=float)
    ok = np.isfinite(v)
    raw = np.full(len(v), -1, dtype=np.int64)
    if len(b):
        raw[ok] = np.minimum(np.searchsorted(b, v[ok], side="left"), len(b) - 1)
    used = np.unique(raw[raw >= 0])
    remap = np.full(max(len(b), 1), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    index = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
    lows = [float(v[index == c].min()) for c in range(len(used))]
    highs = [float(v[index == c].max()) for c in range(len(used))]
    return Classes(index.astype(np.int64), lows, highs)


def natural_classes(values: npt.ArrayLike, k_max: int = 7) -> Classes:
    """:func:`classify` by :func:`natural_breaks` with :func:`class_count` classes."""
    return classify(values, natural_breaks(values, class_count(values, k_max)))


NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


def nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``raw`` (> 0).

    >>> nice_step(0.0037), nice_step(3.0), nice_step(0.02)
    (0.005, 5.0, 0.02)
    """
    exp = np.floor(np.log10(raw))
    for m in NICE_STEPS:
        step = float(m * 10**exp)
        if step >= raw * (1 - 1e-12):
            return float(round(step, 12))
    return float(round(10 ** (exp + 1), 12))


@dataclass(frozen=True)
class Diverging:
    """Values classed by their distance from ``center`` in steps of ``step``: ``index`` from
    ``-half`` (far below) to ``+half`` (far above), 0 within half a step of the centre;
    ``missing`` marks values that have none (their index is 0 but means nothing)."""

    index: npt.NDArray[np.int64]
    missing: npt.NDArray[np.bool_]
    center: float
    step: float
    half: int


def diverging_classes(values: npt.ArrayLike, center: float, *, min_step: float, half: int = 3) -> Diverging:
    """Class ``values`` on a diverging scale around ``center`` (a target, or the parent area's
    value): the step is a nice number, at least ``min_step`` (so a spread of one percentage point
    is not painted from dark red to dark green), and large enough that the farthest value falls
    in the outermost class; ``2 * half + 1`` classes.

    >>> d = diverging_classes([0.860, 0.873, 0.886], 0.873, min_step=0.01)
    >>> d.step, d.index.tolist()
    (0.01, [-1, 0, 1])
    """
    v = np.asarray(values, dtype=float)
    missing = ~np.isfinite(v)
    dev = np.abs(v[~missing] - center)
    spread = float(dev.max()) if len(dev) else 0.0
    step = nice_step(max(min_step, spread / (half + 0.5) if spread else min_step))
    idx = np.zeros(len(v), dtype=np.int64)
    idx[~missing] = np.clip(np.round((v[~missing] - center) / step), -half, half).astype(np.int64)
    return Diverging(idx, missing, float(center), step, half)
