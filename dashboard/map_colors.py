"""Colours of the choropleths and their legend chips: sequential natural-breaks classes for
counts and levels, a diverging scale around a reference for rates (classes from :mod:`geo.classify`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.classify import diverging_classes, natural_classes

SEQUENTIAL = [
    [255, 255, 204],
    [255, 237, 160],
    [254, 217, 118],
    [254, 178, 76],
    [253, 141, 60],
    [252, 78, 42],
    [227, 26, 28],
    [177, 0, 38],
]
"""ColorBrewer YlOrRd 8: light = few, dark = many."""

DIVERGING = [
    [178, 24, 43],
    [239, 138, 98],
    [253, 219, 199],
    [240, 240, 240],
    [209, 229, 240],
    [103, 169, 207],
    [33, 102, 172],
]
"""ColorBrewer RdBu 7 with a grey centre: red below the reference, blue above (colour-blind safe)."""

MISSING = [200, 200, 200, 90]
"""Fill of a unit without a value (a rate with nothing to divide by)."""


def css(rgb: list[int]) -> str:
    """``rgb(r,g,b)`` of a colour."""
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"


def _pick(k: int) -> list[list[int]]:
    """``k`` colours spread over :data:`SEQUENTIAL` (lightest and darkest included)."""
    if k <= 1:
        return [SEQUENTIAL[len(SEQUENTIAL) // 2]]
    return [SEQUENTIAL[i] for i in np.linspace(0, len(SEQUENTIAL) - 1, k).round().astype(int)]


def _range_text(low: float, high: float, fmt: str) -> str:
    return fmt.format(low) if fmt.format(low) == fmt.format(high) else f"{fmt.format(low)}–{fmt.format(high)}"


def count_colors(
    values: pd.Series, *, fmt: str = "{:,.0f}", k_max: int = 7, alpha: int = 190
) -> tuple[list[list[int]], list[tuple[str, str]]]:
    """RGBA per value by natural-breaks class, and the legend chips ``(css, "low–high")`` with
    the smallest and largest value of each class (ranges never overlap; no more classes than
    distinct values or half the units)."""
    v = values.to_numpy(dtype=float)
    classes = natural_classes(v, k_max)
    palette = _pick(classes.k)
    colors = [palette[i] + [alpha] if i >= 0 else list(MISSING) for i in classes.index]
    chips = [(css(palette[c]), _range_text(classes.lows[c], classes.highs[c], fmt)) for c in range(classes.k)]
    return colors, chips


def rate_colors(
    values: pd.Series, center: float, *, higher_is_better: bool = True, min_step: float = 0.01, alpha: int = 200
) -> tuple[list[list[int]], list[tuple[str, str]], float]:
    """RGBA per rate on a diverging scale around ``center`` (the parent area's value or a target):
    red = worse, blue = better, grey within half a step; the legend chips name each class by its
    distance from the centre in percentage points. Returns the colours, the chips and the step."""
    v = values.to_numpy(dtype=float)
    d = diverging_classes(v, center, min_step=min_step)
    palette = DIVERGING if higher_is_better else DIVERGING[::-1]
    colors = [
        list(MISSING) if miss else palette[i + d.half] + [alpha] for i, miss in zip(d.index, d.missing, strict=True)
    ]
    chips = []
    for i in range(-d.half, d.half + 1):
        lo, hi = (abs(i) - 0.5) * d.step * 100, (abs(i) + 0.5) * d.step * 100
        sign = "−" if i < 0 else "+"
        if i == 0:
            text = f"±{hi:g}"
        elif abs(i) == d.half:
            text = f"{sign}{lo:g}+"
        else:
            text = f"{sign}{lo:g}…{hi:g}"
        chips.append((css(palette[i + d.half]), text))
    return colors, chips, d.step
