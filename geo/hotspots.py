"""Local hotspot statistics: Getis-Ord Gi* with FDR-corrected classes, and the rules shared
with Local Moran's I (:mod:`geo.moran`): labels, significance, FDR, permutation p.

Both are sparse-matrix implementations of what ``esda`` computes
(``esda.G_Local(star=True)``, ``esda.Moran_Local``) and are held equal to it within
1e-9 on the same weights (``tests/geo/test_hotspots.py``). They are faster because the
analytical part is one sparse product and the permutation part is blocked numpy (see
``geo/_permutation.py``) instead of a per-unit loop.

Differences from esda, on purpose:

* ``p_norm`` and ``p_sim`` are two-sided by default (``alternative="two-sided"``): a
  unit is a 95 % hot spot when ``z > 0`` and ``p <= 0.05``, i.e. ``z > 1.96`` as in ArcGIS.
  ``alternative="directed"`` returns esda's one-tailed values (``p_two_sided / 2``).
* Gi* uses binary weights by default (``transform="B"``, the classical Getis-Ord form that
  ArcGIS reports); esda's default is row-standardised (``"R"``), available here too.
* Input without variation (all values equal, e.g. no events at all) gives ``z = 0`` and
  ``p = 1`` everywhere instead of NaN: no unit can stand out.
* Classes are corrected for multiple testing with Benjamini-Hochberg (``fdr=True``).
  Note that a pseudo p-value is at least ``1 / (permutations + 1)`` (twice that
  two-sided): with thousands of units, FDR needs thousands of permutations.
* Ties in permutation counts: a random statistic equal to the observed one (frequent
  with small integer counts) counts as "at least as extreme" in *both* tails, even when
  rounding puts it a hair off; esda's fold leaves ties out of the lower tail (an
  all-zero neighbourhood among 67 % zeros gets ``p_sim = 0.002`` instead of about 0.08,
  a value equal to the mean gets ``1 / (P + 1)`` instead of 1). See
  :func:`geo._permutation.folded_p`.
* Islands (units without neighbours) have no local statistic: their ``z`` (Gi*), p-values
  and quadrant (Local Moran) are undefined (NaN, quadrant 0), they are left out of the
  FDR correction and labelled :data:`NO_NEIGHBOURS`, never significant. esda gives them
  the smallest pseudo p-value and a class.
* One significance rule everywhere (:func:`is_significant`): ``p <= alpha`` with a
  1e-12 allowance for rounding (a BH-adjusted ``0.05000000000000001`` is 0.05).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._permutation import count_extremes, draw_permuted_ids, folded_p
from .weights import SpatialWeights

__all__ = [
    "ALTERNATIVES",
    "CONFIDENCE_LEVELS",
    "HOTSPOT_CLASSES",
    "MORAN_LABELS",
    "NO_NEIGHBOURS",
    "GiStarResult",
    "benjamini_hochberg",
    "is_significant",
    "getis_ord_gi_star",
]

ALTERNATIVES: tuple[str, ...] = ("two-sided", "directed")
"""Accepted ``alternative`` values: two-sided p, or esda's one-tailed (folded) p."""

CONFIDENCE_LEVELS: tuple[float, ...] = (0.90, 0.95, 0.99)
"""Confidence levels of the hot/cold classes; bin ``±1, ±2, ±3`` in that order."""

HOTSPOT_CLASSES: tuple[str, ...] = (
    "hot_99",
    "hot_95",
    "hot_90",
    "not_significant",
    "cold_90",
    "cold_95",
    "cold_99",
)
"""Gi* class labels in legend order (bin 3 .. -3)."""

MORAN_LABELS: tuple[str, ...] = ("HH", "LH", "LL", "HL", "ns")
"""Local Moran labels: quadrants 1-4 (esda's PySAL numbering), then not significant."""

NO_NEIGHBOURS = "no_neighbours"
"""Label of a unit without neighbours (an island) in every method: no local statistic."""

_P_ROUNDING = 1e-12
"""Allowance for rounding in ``p <= alpha`` (BH's ``p * m / rank`` is rarely exact)."""


def is_significant(p: np.ndarray, alpha: float) -> np.ndarray:
    """The one significance rule of every class and label: ``p <= alpha`` (+1e-12); NaN never.

    Examples
    --------
    >>> is_significant(np.array([0.05, 0.05000000000001, 0.0500001, np.nan]), 0.05).tolist()
    [True, True, False, False]
    """
    p = np.asarray(p, dtype=np.float64)
    return np.nan_to_num(p, nan=np.inf) <= alpha + _P_ROUNDING


def _check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative={alternative!r} is not supported; choose one of {list(ALTERNATIVES)}")
    return alternative


def _check_values(values: np.ndarray, weights: SpatialWeights) -> np.ndarray:
    y = np.asarray(values, dtype=np.float64).ravel()
    if len(y) != weights.n:
        raise ValueError(f"{len(y)} values but {weights.n} units in the weights")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite (use 0 for units without events)")
    return y


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    A unit is significant at false discovery rate ``alpha`` exactly when its adjusted
    value is ``<= alpha`` (the step-up rule), so one adjustment serves every confidence
    level. NaN stays NaN and is not counted as a test.

    Examples
    --------
    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return out


def _bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS-style Gi_Bin: ±3/±2/±1 for p <= 0.01/0.05/0.10 with the sign of z, else 0."""
    level = np.zeros(len(z), dtype=np.int8)
    for b, conf in enumerate(CONFIDENCE_LEVELS, start=1):
        level[is_significant(p, 1.0 - conf)] = b
    return (level * np.sign(np.nan_to_num(z))).astype(np.int8)


def _level_of(confidence: float) -> int:
    for b, conf in enumerate(CONFIDENCE_LEVELS, start=1):
        if abs(conf - confidence) < 1e-9:
            return b
    raise ValueError(f"confidence={confidence!r} is not supported; choose one of {list(CONFIDENCE_LEVELS)}")


@dataclass(frozen=True)
class GiStarResult:
    """Getis-Ord Gi* of every unit (esda vocabulary: ``Gs, EGs, VGs, Zs, p_norm, p_sim``).

    Attributes
    ----------
    g, expected_g, variance_g : statistic, its expectation and variance under randomisation
    z : analytical z-score (NaN for a unit without neighbours)
    p_norm : p-value of ``z`` under the normal approximation (two-sided unless directed)
    p_sim : pseudo p-value from conditional permutations, ``None`` when ``permutations == 0``
    p_value : the p the classes use: ``p_sim`` when permutations ran, else ``p_norm``
    p_adjusted : ``p_value`` after Benjamini-Hochberg when ``fdr``, else ``p_value``
    bins : int8 ``-3 .. 3``: cold/hot at 99/95/90 % confidence (sign of ``z``), 0 = not significant
    no_neighbours : bool, units without neighbours (their p-values are NaN, bin 0)
    """

    g: np.ndarray
    expected_g: np.ndarray
    variance_g: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray | None
    p_value: np.ndarray
    p_adjusted: np.ndarray
    bins: np.ndarray
    permutations: int
    fdr: bool
    alternative: str
    transform: str
    no_neighbours: np.ndarray

    def classes(self, confidence: float = 0.90) -> np.ndarray:
        """Class label of each unit (``HOTSPOT_CLASSES``; ``NO_NEIGHBOURS`` for islands).

        Bins below ``confidence`` are hidden (class 0)."""
        level = _level_of(confidence)
        bins = np.where(np.abs(self.bins) >= level, self.bins, 0)
        out = np.asarray(HOTSPOT_CLASSES, dtype=object)[3 - bins]
        out[self.no_neighbours] = NO_NEIGHBOURS
        return out


def _gi_star_moments(y: np.ndarray, wstar) -> tuple[np.ndarray, ...]:
    """Gi* statistic, expectation, variance and z for columns of ``y`` (n, T) (esda's formulas).

    Columns without variation get ``z = 0``.
    """
    n = y.shape[0]
    total = y.sum(axis=0)
    mean = total / n
    var = (y**2).sum(axis=0) / n - mean**2
    card = np.asarray(wstar.sum(axis=1)).ravel()[:, None]
    flat = np.ptp(y, axis=0) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (wstar @ y) / total
        eg = np.broadcast_to(card / n, g.shape)
        vg = card * (n - card) / (n - 1) / n**2 * (var / mean**2)
        z = (g - eg) / np.sqrt(vg)
    z = np.where(flat[None, :] | ~np.isfinite(z), 0.0, z)
    return g, eg, vg, z


def _p_from_z(z: np.ndarray, alternative: str) -> np.ndarray:
    one = stats.norm.sf(np.abs(z))
    return one if alternative == "directed" else np.minimum(2.0 * one, 1.0)


def getis_ord_gi_star(
    values: np.ndarray,
    weights: SpatialWeights,
    *,
    transform: str = "B",
    permutations: int = 0,
    seed: int | None = None,
    fdr: bool = True,
    alternative: str = "two-sided",
) -> GiStarResult:
    """Getis-Ord Gi* hot and cold spots with optional permutation inference and FDR.

    Gi* of unit ``i`` is the share of the total that falls in its neighbourhood including
    itself: ``G_i = sum_j w_ij y_j / sum_j y_j`` with ``w_ii = 1``. Its z-score uses the
    moments under random relabelling (esda's ``G_Local`` formulas); with binary weights
    it equals ArcGIS's Gi* z-score.

    Parameters
    ----------
    values : (n,) counts or rates in ``weights.ids`` order (0 for units without events)
    weights : neighbours of the analysed extent (:mod:`geo.weights`)
    transform : ``"B"`` binary (default) or ``"R"`` row-standardised, after adding self
    permutations : conditional permutations for ``p_sim`` (0 = analytical only)
    seed : seed of ``np.random.default_rng`` for the permutations
    fdr : correct ``p_value`` with Benjamini-Hochberg before classing
    alternative : ``"two-sided"`` or ``"directed"`` (esda's one-tailed p)

    Returns
    -------
    GiStarResult

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> chain = sp.diags_array([np.ones(4), np.ones(4)], offsets=[-1, 1])
    >>> w = SpatialWeights.from_sparse(chain)
    >>> r = getis_ord_gi_star(np.array([0, 0, 1, 9, 8]), w)
    >>> r.z.round(2).tolist()
    [-1.46, -1.99, -0.16, 1.46, 1.99]
    """
    alternative = _check_alternative(alternative)
    y = _check_values(values, weights)
    if permutations < 0:
        raise ValueError(f"permutations must be >= 0, got {permutations}")
    island = weights.cardinalities == 0
    wstar = weights.matrix(self_weight=1.0, transform=transform)
    g, eg, vg, z = (a[:, 0] for a in _gi_star_moments(y[:, None], wstar))
    z = np.where(island, np.nan, z)
    p_norm = _p_from_z(z, alternative)
    p_sim = None
    if permutations and np.ptp(y) > 0:
        other = wstar.copy()
        other.setdiag(0)
        other.eliminate_zeros()
        ids = draw_permuted_ids(len(y), int(np.diff(other.indptr).max(initial=0)), permutations, seed)
        ge, le = count_extremes(y, other, other @ y, ids, np.full(len(y), np.sign(y.sum())))
        p_sim = _permutation_p(ge, le, permutations, alternative)
    elif permutations:
        p_sim = np.ones(len(y))
    if p_sim is not None:
        p_sim = np.where(island, np.nan, p_sim)
    p_value = p_norm if p_sim is None else p_sim
    p_adj = benjamini_hochberg(p_value) if fdr else p_value
    return GiStarResult(
        g=g,
        expected_g=np.ascontiguousarray(eg),
        variance_g=vg,
        z=z,
        p_norm=p_norm,
        p_sim=p_sim,
        p_value=p_value,
        p_adjusted=p_adj,
        bins=_bins(z, p_adj),
        permutations=permutations,
        fdr=fdr,
        alternative=alternative,
        transform=transform.upper(),
        no_neighbours=island,
    )


def _permutation_p(ge: np.ndarray, le: np.ndarray, permutations: int, alternative: str) -> np.ndarray:
    """Folded pseudo p-value, doubled (capped at 1) for the two-sided alternative."""
    p = folded_p(ge, le, permutations)
    return np.minimum(2.0 * p, 1.0) if alternative == "two-sided" else p
