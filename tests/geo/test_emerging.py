"""Emerging hot spots: Mann-Kendall against pymannkendall, one constructed series per category."""

from __future__ import annotations

import h3
import numpy as np
import pymannkendall as pmk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.emerging import (
    EMERGING_CATEGORIES,
    classify_emerging,
    emerging_hotspots,
    mann_kendall,
)
from geo.weights import h3_kring_weights


@settings(max_examples=50, deadline=None)
@given(t=st.integers(3, 40), seed=st.integers(0, 2**32 - 1), ties=st.booleans())
def test_mann_kendall_equals_pymannkendall(t: int, seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, (t, 5)).astype(float) if ties else rng.normal(size=(t, 5)).cumsum(axis=0)
    ours = mann_kendall(x)
    for j in range(x.shape[1]):
        ref = pmk.original_test(x[:, j])
        assert ours.s[j] == ref.s
        assert ours.var_s[j] == pytest.approx(ref.var_s, rel=1e-12)
        assert ours.z[j] == pytest.approx(ref.z, rel=1e-12, abs=1e-12)
        assert ours.p[j] == pytest.approx(ref.p, rel=1e-9, abs=1e-12)
        assert ours.tau[j] == pytest.approx(ref.Tau, rel=1e-12)


# One 20-slice series per category: H hot, C cold, . neither; trend +/-/0 of the z-series.
SERIES: dict[str, tuple[str, str]] = {
    "new_hot": ("...................H", "+"),
    "consecutive_hot": (".................HHH", "+"),
    "intensifying_hot": ("HHHHHHHHHHHHHHHHHHHH", "+"),
    "persistent_hot": ("HHHHHHHHHHHHHHHHHHHH", "0"),
    "diminishing_hot": ("HHHHHHHHHHHHHHHHHHHH", "-"),
    "sporadic_hot": ("...H...H....H......H", "0"),
    "oscillating_hot": ("..C..H...H.........H", "0"),
    "historical_hot": ("HHHHHHHHHHHHHHHHHHH.", "-"),
    "new_cold": ("...................C", "-"),
    "consecutive_cold": (".................CCC", "-"),
    "intensifying_cold": ("CCCCCCCCCCCCCCCCCCCC", "-"),
    "persistent_cold": ("CCCCCCCCCCCCCCCCCCCC", "0"),
    "diminishing_cold": ("CCCCCCCCCCCCCCCCCCCC", "+"),
    "sporadic_cold": ("...C...C....C......C", "0"),
    "oscillating_cold": ("..H..C...C.........C", "0"),
    "historical_cold": ("CCCCCCCCCCCCCCCCCCC.", "+"),
    "no_pattern": ("..H..C....H.....C...", "0"),
}


def test_every_category_has_a_series() -> None:
    assert sorted(SERIES) == sorted(EMERGING_CATEGORIES)
    assert len(EMERGING_CATEGORIES) == 17


@pytest.mark.parametrize("category", list(SERIES))
def test_classify_constructed_series(category: str) -> None:
    pattern, trend = SERIES[category]
    hot = np.array([c == "H" for c in pattern])[:, None]
    cold = np.array([c == "C" for c in pattern])[:, None]
    z = {"+": 3.0, "-": -3.0, "0": 0.2}[trend]
    p = 0.001 if trend != "0" else 0.8
    assert classify_emerging(hot, cold, np.array([z]), np.array([p])).tolist() == [category]


def test_classify_boundaries() -> None:
    """90 % is inclusive; a broken final run is sporadic; the final slice decides the family."""

    def one(pattern: str, z: float = 0.0, p: float = 1.0) -> str:
        hot = np.array([c == "H" for c in pattern])[:, None]
        cold = np.array([c == "C" for c in pattern])[:, None]
        return classify_emerging(hot, cold, np.array([z]), np.array([p]))[0]

    assert one("H" * 18 + ".H") == "persistent_hot"  # 19/20 = 95 %
    assert one("H" * 9 + "." * 2 + "H" * 9) == "persistent_hot"  # 18/20 = 90 % exactly
    assert one("H" * 8 + "." * 3 + "H" * 9) == "sporadic_hot"  # 17/20 = 85 %, broken run
    assert one("." * 10 + "H" * 10) == "consecutive_hot"
    assert one("C" * 17 + "..H") == "new_hot"  # hot only at the end, even if cold before
    assert one("H" * 19 + "C") == "new_cold"
    assert one("H" * 19 + "C", z=-3.0, p=0.01) == "new_cold"
    with pytest.raises(ValueError, match="hot and cold"):
        classify_emerging(np.ones((3, 1), bool), np.ones((3, 1), bool), np.zeros(1), np.ones(1))


# End to end: counts on real H3 cells whose Gi* and trend produce each category.
_CENTRE = h3.latlng_to_cell(39.9, 116.4, 9)
_CELLS = np.array([h3.str_to_int(c) for c in h3.grid_disk(_CENTRE, 6)], dtype=np.int64)
_CLUSTER = {h3.str_to_int(c) for c in h3.grid_disk(_CENTRE, 1)}


def _counts(category: str) -> tuple[np.ndarray, int, object]:
    """20 weekly slices: fixed background (mean ~10), the centre disk set per slice."""
    pattern, trend = SERIES[category]
    w = h3_kring_weights(_CELLS)
    background = np.random.default_rng(0).poisson(10, w.n).astype(float)
    in_cluster = np.isin(w.ids, list(_CLUSTER))
    t = len(pattern)
    ramp = np.arange(t) / (t - 1)
    step = {"+": ramp, "-": ramp[::-1], "0": np.zeros(t)}[trend]
    hot_level = 22 + 16 * step if pattern.count("H") == t else np.full(t, 28.0)
    cold_level = 4.0 * step if pattern.count("C") == t else np.zeros(t)
    counts = np.tile(background, (t, 1))
    for s, c in enumerate(pattern):
        counts[s, in_cluster] = {"H": hot_level[s], "C": cold_level[s], ".": 10.0}[c]
    centre = int(np.flatnonzero(w.ids == h3.str_to_int(_CENTRE))[0])
    return counts, centre, w


@pytest.mark.parametrize("category", list(SERIES))
def test_emerging_end_to_end(category: str) -> None:
    counts, centre, w = _counts(category)
    res = emerging_hotspots(counts, w)
    assert res.categories[centre] == category
    pattern = SERIES[category][0]
    np.testing.assert_array_equal(res.hot[:, centre], [c == "H" for c in pattern])
    np.testing.assert_array_equal(res.cold[:, centre], [c == "C" for c in pattern])


def test_emerging_validates_input() -> None:
    w = h3_kring_weights(_CELLS)
    with pytest.raises(ValueError, match=r"\(T, n\)"):
        emerging_hotspots(np.ones(w.n), w)
    with pytest.raises(ValueError, match="confidence"):
        emerging_hotspots(np.ones((3, w.n)), w, confidence=90)
    flat = emerging_hotspots(np.zeros((5, w.n)), w)
    assert set(flat.categories) == {"no_pattern"}
