"""Emerging hot spot analysis: Gi* per time slice, Mann-Kendall on each unit's z-series.

Follows ArcGIS's *Emerging Hot Spot Analysis* (its seventeen categories), with one
simplification stated up front: the neighbourhood is spatial only (Gi* of each slice on
its own), where ArcGIS's space-time cube may also include earlier slices. Everything is
vectorised over slices and units: one sparse product gives every slice's Gi*, and the
Mann-Kendall score is built from ``T (T - 1) / 2`` array comparisons.

Rules (``T`` slices; a unit is *hot* in a slice when ``z > 0`` and its FDR-adjusted
p-value is at most ``1 - confidence``, *cold* likewise with ``z < 0``; "≥ 90 %" means
``hot slices >= 0.9 T``; the trend is Mann-Kendall on the unit's Gi* z-scores,
significant when ``p <= trend_alpha``). The final slice decides the family: a unit hot
in the final slice gets a hot category, cold in the final slice a cold one, neither a
historical category or no pattern. Within the hot family, first match wins:

========================  ==================================================================
new_hot                   hot in the final slice and in no earlier slice
consecutive_hot           one unbroken run of >= 2 hot slices ending at the final slice, never
                          hot before the run, and < 90 % hot
intensifying_hot          >= 90 % hot including the final slice, significant upward trend
persistent_hot            >= 90 % hot including the final slice, no significant trend
diminishing_hot           >= 90 % hot including the final slice, significant downward trend
oscillating_hot           hot in the final slice, < 90 % hot, cold in some earlier slice
sporadic_hot              hot in the final slice, < 90 % hot, on and off, never cold
historical_hot            not hot in the final slice (nor cold), but >= 90 % hot
========================  ==================================================================

The cold categories mirror these with hot and cold swapped and the trend reversed
(``intensifying_cold``: a significant *downward* trend of z). ``no_pattern``: none of the
above. A unit hot only in the final run counts as new or consecutive even when it was
cold before (ArcGIS's definitions of those two do not mention cold slices); R's
``sfdep`` deviates from ArcGIS for sporadic, intensifying and historical and is not
followed here. A unit without neighbours (an island) has no Gi* (NaN z and p in every
slice, left out of the per-slice FDR), no trend, and the category ``no_neighbours``
(:data:`geo.hotspots.NO_NEIGHBOURS`), never hot or cold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .hotspots import (
    NO_NEIGHBOURS,
    _check_values,
    _gi_star_moments,
    _p_from_z,
    benjamini_hochberg,
    is_significant,
)
from .weights import SpatialWeights

__all__ = [
    "EMERGING_CATEGORIES",
    "MIN_SLICES",
    "EmergingResult",
    "MannKendall",
    "TooFewSlices",
    "classify_emerging",
    "emerging_hotspots",
    "mann_kendall",
]

MIN_SLICES = 4
"""Fewest time slices an emerging analysis accepts (Mann-Kendall needs a series)."""


class TooFewSlices(ValueError):  # noqa: N818 - names the condition, as StoreUnavailable does
    """The window holds fewer than :data:`MIN_SLICES` whole slices: no trend can be tested.

    Its own class so that a page can say exactly this and nothing else: a plain
    ``ValueError`` (e.g. H3 weights over cells of mixed resolutions) is another failure.
    """

    def __init__(self, n_slices: int, slice_days: int, needed: int = MIN_SLICES) -> None:
        super().__init__(f"the window holds {n_slices} slices of {slice_days} days; at least {needed} are needed")
        self.n_slices, self.slice_days, self.needed = n_slices, slice_days, needed


_KINDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")

EMERGING_CATEGORIES: tuple[str, ...] = (
    *(f"{k}_hot" for k in _KINDS),
    *(f"{k}_cold" for k in _KINDS),
    "no_pattern",
)
"""The seventeen categories: eight hot, eight cold, and no pattern."""


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test of each column (pymannkendall's ``original_test``).

    Attributes
    ----------
    s : Mann-Kendall score ``sum_{a<b} sign(x_b - x_a)``
    var_s : variance of ``s`` with the tie correction
    z : continuity-corrected normal score
    p : two-sided p-value
    tau : Kendall's tau ``s / (T (T - 1) / 2)``
    """

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray


def mann_kendall(series: np.ndarray) -> MannKendall:
    """Mann-Kendall trend test along axis 0 of a ``(T, n)`` array, all columns at once.

    Equal to ``pymannkendall.original_test`` column by column (``s``, ``var_s``, ``z``,
    ``p``; ``tests/geo/test_emerging.py``).

    Examples
    --------
    >>> mk = mann_kendall(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [4.0, 1.0]]))
    >>> mk.s.tolist(), mk.z.round(3).tolist()
    ([6.0, -5.0], [1.698, -1.445])
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    t, n = x.shape
    s = np.zeros(n)
    for a in range(t - 1):
        s += np.sign(x[a + 1 :] - x[a]).sum(axis=0)
    # Tie correction: sizes of groups of equal values in each column.
    srt = np.sort(x, axis=0)
    starts = np.ones_like(srt, dtype=bool)
    starts[1:] = srt[1:] != srt[:-1]
    group = np.cumsum(starts, axis=0) - 1 + np.arange(n) * t
    sizes = np.bincount(group.ravel(), minlength=n * t).reshape(n, t).astype(np.float64)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var_s = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
    z = np.nan_to_num(z)
    p = 2 * (1 - stats.norm.cdf(np.abs(z)))
    tau = s / (0.5 * t * (t - 1)) if t > 1 else np.zeros(n)
    return MannKendall(s=s, var_s=var_s, z=z, p=p, tau=tau)


def classify_emerging(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: np.ndarray,
    trend_p: np.ndarray,
    *,
    trend_alpha: float = 0.05,
) -> np.ndarray:
    """Emerging hot spot category of each unit from its hot/cold slices and z-trend.

    Parameters
    ----------
    hot, cold : (T, n) bool, significant hot / cold in each slice (never both)
    trend_z, trend_p : (n,) Mann-Kendall z and p of each unit's Gi* z-series
    trend_alpha : significance level of the trend

    Returns
    -------
    (n,) object array of names from ``EMERGING_CATEGORIES`` (rules in the module docstring).

    Examples
    --------
    >>> hot = np.array([[0], [0], [0], [1]], dtype=bool)
    >>> classify_emerging(hot, ~hot & False, np.zeros(1), np.ones(1)).tolist()
    ['new_hot']
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    if hot.shape != cold.shape or hot.ndim != 2:
        raise ValueError("hot and cold must both be (T, n) boolean arrays")
    if (hot & cold).any():
        raise ValueError("a unit cannot be hot and cold in the same slice")
    up = (np.asarray(trend_p) <= trend_alpha) & (np.asarray(trend_z) > 0)
    down = (np.asarray(trend_p) <= trend_alpha) & (np.asarray(trend_z) < 0)
    out = np.full(hot.shape[1], "no_pattern", dtype=object)
    hot_kind = _family(hot, cold, up, down)
    cold_kind = _family(cold, hot, down, up)
    is_hot = hot_kind != ""
    is_cold = ~is_hot & (cold_kind != "")
    out[is_hot] = [f"{k}_hot" for k in hot_kind[is_hot]]
    out[is_cold] = [f"{k}_cold" for k in cold_kind[is_cold]]
    return out


def _family(sig: np.ndarray, other: np.ndarray, stronger: np.ndarray, weaker: np.ndarray) -> np.ndarray:
    """Category kind (without suffix) for one family, "" where it does not apply.

    ``sig`` is the family's own significance (hot for the hot family), ``other`` the
    opposite one, ``stronger``/``weaker`` the significant trends that intensify/diminish it.
    """
    t = sig.shape[0]
    n_sig = sig.sum(axis=0)
    final = sig[-1]
    many = n_sig * 10 >= 9 * t
    run = np.cumprod(sig[::-1], axis=0).sum(axis=0)
    other_before = other[:-1].any(axis=0)
    kind = np.full(sig.shape[1], "", dtype=object)
    rules = [
        (final & (n_sig == 1), "new"),
        (final & ~many & (run >= 2) & (run == n_sig), "consecutive"),
        (final & many & stronger, "intensifying"),
        (final & many & weaker, "diminishing"),
        (final & many, "persistent"),
        (final & other_before, "oscillating"),
        (final, "sporadic"),
        (~final & ~other[-1] & many, "historical"),
    ]
    for mask, name in reversed(rules):  # first match wins: apply the last rule first
        kind[mask] = name
    return kind


@dataclass(frozen=True)
class EmergingResult:
    """Per-slice Gi* and the emerging category of every unit.

    Attributes
    ----------
    z : (T, n) Gi* z-score of each slice (NaN for units without neighbours)
    p_adjusted : (T, n) p-values after per-slice Benjamini-Hochberg (raw when ``fdr=False``)
    hot, cold : (T, n) significant hot / cold at ``confidence``
    trend : Mann-Kendall of each unit's z-series (NaN for units without neighbours)
    categories : (n,) names from ``EMERGING_CATEGORIES``, or ``NO_NEIGHBOURS``
    """

    z: np.ndarray
    p_adjusted: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    trend: MannKendall
    categories: np.ndarray


def emerging_hotspots(
    counts: np.ndarray,
    weights: SpatialWeights,
    *,
    transform: str = "B",
    confidence: float = 0.90,
    fdr: bool = True,
    trend_alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spot analysis of a ``(T, n)`` series of counts (slices in time order).

    Parameters
    ----------
    counts : (T, n) value of each unit (``weights.ids`` order) in each time slice; 0 where
        nothing happened
    weights : neighbours of the analysed extent
    transform : Gi* weights transform, ``"B"`` (default) or ``"R"``
    confidence : confidence for a slice to count as hot or cold (0.90, as ArcGIS's bins)
    fdr : Benjamini-Hochberg within each slice
    trend_alpha : significance level of the Mann-Kendall trend

    Returns
    -------
    EmergingResult

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> w = SpatialWeights.from_sparse(sp.diags_array([np.ones(9), np.ones(9)], offsets=[-1, 1]))
    >>> counts = np.ones((12, 10))
    >>> counts[-1, :3] = 30
    >>> emerging_hotspots(counts, w, fdr=False).categories[:4].tolist()
    ['new_hot', 'new_hot', 'no_pattern', 'no_pattern']
    """
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError(f"counts must be (T, n), got shape {y.shape}")
    _check_values(y[0] if len(y) else np.zeros(weights.n), weights)
    if not np.isfinite(y).all():
        raise ValueError("counts must be finite")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    island = weights.cardinalities == 0
    wstar = weights.matrix(self_weight=1.0, transform=transform)
    z = _gi_star_moments(y.T, wstar)[3].T
    z[:, island] = np.nan
    p = _p_from_z(z, "two-sided")
    if fdr:
        p = np.vstack([benjamini_hochberg(row) for row in p]) if len(p) else p
    sig = is_significant(p, 1.0 - confidence)
    hot, cold = sig & (z > 0), sig & (z < 0)
    mk = mann_kendall(np.where(island, 0.0, z))
    trend = MannKendall(*(np.where(island, np.nan, a) for a in (mk.s, mk.var_s, mk.z, mk.p, mk.tau)))
    cats = classify_emerging(hot, cold, trend.z, trend.p, trend_alpha=trend_alpha)
    cats[island] = NO_NEIGHBOURS
    return EmergingResult(z=z, p_adjusted=p, hot=hot, cold=cold, trend=trend, categories=cats)
