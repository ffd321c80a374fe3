"""Local Moran's I (LISA): clusters (HH, LL) and outliers (HL, LH) of a value over its neighbours.

A sparse-matrix implementation of ``esda.Moran_Local``, held equal to it within 1e-9 on the
same weights (``tests/geo/test_hotspots.py``); its differences from esda on purpose (two-sided
p by default, ties in both tails, islands without a statistic, one significance rule, FDR)
are those of :mod:`geo.hotspots`, whose significance rule, labels and FDR correction it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._permutation import count_extremes, draw_permuted_ids
from .hotspots import (
    MORAN_LABELS,
    NO_NEIGHBOURS,
    _check_alternative,
    _check_values,
    _p_from_z,
    _permutation_p,
    benjamini_hochberg,
    is_significant,
)
from .weights import SpatialWeights

__all__ = ["LocalMoranResult", "local_moran"]


@dataclass(frozen=True)
class LocalMoranResult:
    """Local Moran's I of every unit (esda vocabulary: ``Is, q, p_sim, EI, VI``).

    Attributes
    ----------
    i : local Moran's I, ``(n - 1) z_i lag_i / sum z^2``
    z : standardised values ``(y - mean) / std`` (population std, as esda)
    lag : spatial lag of ``z``
    quadrant : 1 HH, 2 LH, 3 LL, 4 HL (esda's PySAL numbering; value first, lag second);
        0 for a unit without neighbours
    expected_i, variance_i : moments under total randomisation (Anselin 1995, esda ``EI, VI``)
    p_norm : normal-approximation p from those moments
    p_sim : conditional-permutation pseudo p-value, ``None`` when ``permutations == 0``
    p_value : ``p_sim`` when permutations ran, else ``p_norm``
    p_adjusted : Benjamini-Hochberg adjusted ``p_value`` when ``fdr``, else ``p_value``
    no_neighbours : bool, units without neighbours (p-values NaN, quadrant 0)
    """

    i: np.ndarray
    z: np.ndarray
    lag: np.ndarray
    quadrant: np.ndarray
    expected_i: np.ndarray
    variance_i: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray | None
    p_value: np.ndarray
    p_adjusted: np.ndarray
    permutations: int
    fdr: bool
    alternative: str
    no_neighbours: np.ndarray

    def labels(self, alpha: float = 0.05) -> np.ndarray:
        """``HH``/``LH``/``LL``/``HL`` where significant at ``alpha`` (:func:`is_significant`), else ``ns``.

        Units without neighbours are ``NO_NEIGHBOURS``.
        """
        names = np.asarray(MORAN_LABELS, dtype=object)
        out = np.where(is_significant(self.p_adjusted, alpha), names[self.quadrant - 1], "ns").astype(object)
        out[self.no_neighbours] = NO_NEIGHBOURS
        return out


def local_moran(
    values: np.ndarray,
    weights: SpatialWeights,
    *,
    permutations: int = 999,
    seed: int | None = None,
    transform: str = "R",
    fdr: bool = True,
    alternative: str = "two-sided",
) -> LocalMoranResult:
    """Local Moran's I (LISA) with conditional-permutation inference and four cluster types.

    HH and LL are clusters (a high or low unit among similar neighbours); HL and LH are
    outliers (a high unit among low neighbours, a low unit among high ones).

    Parameters
    ----------
    values : (n,) values in ``weights.ids`` order
    weights : neighbours of the analysed extent
    permutations : conditional permutations for ``p_sim`` (0 = analytical ``p_norm``)
    seed : seed of ``np.random.default_rng``
    transform : ``"R"`` row-standardised (default, as esda) or ``"B"``
    fdr : Benjamini-Hochberg on ``p_value``
    alternative : ``"two-sided"`` or ``"directed"`` (esda's one-tailed ``p_sim``)

    Returns
    -------
    LocalMoranResult

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> chain = sp.diags_array([np.ones(5), np.ones(5)], offsets=[-1, 1])
    >>> r = local_moran(np.array([9, 8, 9, 1, 0, 1.]), SpatialWeights.from_sparse(chain), seed=1)
    >>> r.quadrant.tolist()
    [1, 1, 4, 3, 3, 3]
    """
    alternative = _check_alternative(alternative)
    y = _check_values(values, weights)
    n = len(y)
    if permutations < 0:
        raise ValueError(f"permutations must be >= 0, got {permutations}")
    island = weights.cardinalities == 0
    w = weights.matrix(transform=transform)
    sd = y.std()
    z = (y - y.mean()) / sd if sd > 0 else np.zeros(n)
    lag = w @ z
    den = (z * z).sum()
    moran_i = (n - 1) * z * lag / den if den > 0 else np.zeros(n)
    quadrant = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3)).astype(np.int8)
    quadrant[island] = 0
    ei, vi = _moran_moments(z, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_norm = (moran_i - ei) / np.sqrt(vi)
    p_norm = _p_from_z(np.nan_to_num(z_norm), alternative) if den > 0 else np.ones(n)
    p_sim = None
    if permutations and den > 0:
        ids = draw_permuted_ids(n, int(np.diff(w.indptr).max(initial=0)), permutations, seed)
        # A value equal to the mean (z = 0 up to rounding) has I = 0 whatever the lag:
        # its statistic ties with every draw (direction 0), so p = 1.
        direction = np.where(np.abs(z) > 1e-9, np.sign(z), 0.0)
        ge, le = count_extremes(z, w, lag, ids, direction)
        p_sim = _permutation_p(ge, le, permutations, alternative)
    elif permutations:
        p_sim = np.ones(n)
    p_norm = np.where(island, np.nan, p_norm)
    if p_sim is not None:
        p_sim = np.where(island, np.nan, p_sim)
    p_value = p_norm if p_sim is None else p_sim
    return LocalMoranResult(
        i=moran_i,
        z=z,
        lag=lag,
        quadrant=quadrant,
        expected_i=ei,
        variance_i=vi,
        p_norm=p_norm,
        p_sim=p_sim,
        p_value=p_value,
        p_adjusted=benjamini_hochberg(p_value) if fdr else p_value,
        permutations=permutations,
        fdr=fdr,
        alternative=alternative,
        no_neighbours=island,
    )


def _moran_moments(z: np.ndarray, w) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of local I under total randomisation (esda ``EI``, ``VI``)."""
    n = len(z)
    m2 = (z * z).sum() / n
    if m2 == 0 or n < 3:
        return np.zeros(n), np.zeros(n)
    wi = np.asarray(w.sum(axis=1)).ravel()
    wi2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    b2 = ((z**4).sum() / n) / m2**2
    n1 = n - 1
    ei = -wi / n1
    vi = wi2 * (n - b2) / n1 + (wi**2 - wi2) * (2 * b2 - n) / (n1 * (n - 2)) - (wi / n1) ** 2
    return ei, vi
