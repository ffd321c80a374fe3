"""geo.classify: natural breaks against an exhaustive search, class ranges, diverging steps."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geo.classify import (
    class_count,
    classify,
    diverging_classes,
    natural_breaks,
    natural_classes,
    nice_step,
)


def _ssd(x: np.ndarray, bounds: np.ndarray) -> float:
    idx = np.searchsorted(bounds, x, side="left")
    return float(sum(((x[idx == c] - x[idx == c].mean()) ** 2).sum() for c in range(len(bounds)) if (idx == c).any()))


def _best_ssd(x: np.ndarray, k: int) -> float:
    """The smallest within-class sum of squares over every split of the distinct values into k classes."""
    u = np.unique(x)
    best = np.inf
    for cuts in itertools.combinations(range(1, len(u)), k - 1):
        bounds = np.array([part[-1] for part in np.split(u, cuts)])
        best = min(best, _ssd(x, bounds))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_natural_breaks_minimise_the_within_class_sum_of_squares(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 40, rng.integers(4, 12)).astype(float)
    k = int(rng.integers(1, min(5, len(np.unique(x))) + 1))
    bounds = natural_breaks(x, k)
    assert len(bounds) == k and bounds[-1] == x.max()
    assert _ssd(x, bounds) == pytest.approx(_best_ssd(x, k), abs=1e-9)


def test_planted_hot_cells_get_their_own_top_class():
    # 1,500 quiet cells (0-9 events) and five planted hot spots with 150-214: quantile classes
    # put the hot spots in a 23-214 class; natural breaks keep them apart.
    rng = np.random.default_rng(7)
    counts = np.r_[rng.poisson(3, 1500), [150, 170, 190, 200, 214]].astype(float)
    classes = natural_classes(counts, 7)
    hot_classes = set(classes.index[counts >= 150])
    assert not hot_classes & set(classes.index[counts < 150])  # no quiet cell shares a class with a hot one
    assert classes.highs[-1] == 214 and min(classes.lows[c] for c in hot_classes) == 150
    assert classes.highs[min(hot_classes) - 1] < 20  # the class below them ends among the quiet cells


def test_class_ranges_never_overlap_and_cover_the_values():
    counts = [1, 2, 3, 4, 4, 5, 6, 9, 12, 30]
    classes = natural_classes(counts, 4)
    assert classes.k == 4
    for c in range(classes.k - 1):
        assert classes.lows[c] <= classes.highs[c] < classes.lows[c + 1]  # 1-4, 5-6 … never 1-4, 4-6
    assert classes.lows[0] == 1 and classes.highs[-1] == 30
    assert (classes.index >= 0).all()


def test_class_count_fits_the_units():
    assert class_count(np.arange(10), 8) == 5  # 10 streets: 5 classes, not 8
    assert class_count([3, 3, 3, 5, 5], 7) == 2  # two distinct values
    assert class_count(np.arange(1500), 7) == 7
    assert class_count([np.nan, np.nan], 7) == 0
    assert class_count([4.0], 7) == 1


def test_classify_missing_values_and_empty_classes():
    classes = classify([1.0, np.nan, 10.0], [2.0, 5.0, 10.0])
    assert classes.index.tolist() == [0, -1, 1]  # the empty 2-5 class is dropped
    assert classes.lows == [1.0, 10.0] and classes.highs == [1.0, 10.0]
    assert natural_breaks([], 3).size == 0


def test_many_distinct_values_are_pooled_first():
    rng = np.random.default_rng(3)
    x = rng.normal(50, 10, 5000)
    bounds = natural_breaks(x, 5)
    assert len(bounds) == 5 and bounds[-1] == x.max()
    assert np.all(np.diff(bounds) > 0)


def test_nice_step():
    assert nice_step(0.0037) == 0.005
    assert nice_step(0.011) == 0.02
    assert nice_step(0.01) == 0.01
    assert nice_step(7) == 10


def test_a_narrow_spread_of_rates_stays_near_the_centre():
    # the chain map's 86.0 %-88.6 % around the district's 87.3 %: one step either side, not the ends
    d = diverging_classes([0.860, 0.866, 0.873, 0.880, 0.886], 0.873, min_step=0.01)
    assert d.step == 0.01 and d.half == 3
    assert d.index.tolist() == [-1, -1, 0, 1, 1]


def test_a_wide_spread_reaches_the_outer_classes():
    d = diverging_classes([0.50, 0.80, 0.90, np.nan], 0.80, min_step=0.01)
    assert d.step == 0.1  # 0.30 / 3.5 = 0.086 -> 0.1
    assert d.index.tolist()[:3] == [-3, 0, 1]
    assert d.missing.tolist() == [False, False, False, True]
