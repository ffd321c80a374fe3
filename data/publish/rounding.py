"""Published figures from the protected counts: rounding, rates and the NULLs.

Counts are rounded (when ``rounding_base`` > 0) after suppression, half up to the nearest
multiple of the base, and never below the smallest multiple of the base that is at least k
(so a published count is never under k, also when k is not a multiple of the base). Rates
are computed from the exact counts, then rounded to 4 decimals (0.01 percentage point);
median days to close to 2 decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATE_DECIMALS = 4
DAYS_DECIMALS = 2


def round_counts(values: pd.Series, base: int, k: int) -> pd.Series:
    """``values`` rounded half up to ``base`` (0: unchanged), floored at the first multiple
    of ``base`` that is at least ``k``; NULLs stay NULL.

    >>> round_counts(pd.Series([10, 12, 13, 7, None], dtype="Int64"), 5, 7).tolist()
    [10, 10, 15, 10, <NA>]
    """
    if base <= 0:
        return values
    floor = -(-k // base) * base
    rounded = np.floor(values.astype("Float64") / base + 0.5) * base
    return rounded.clip(lower=floor).astype("Int64")


def _rate(num: pd.Series, den: pd.Series, ok: pd.Series) -> pd.Series:
    value = (num / den.where(den > 0)).round(RATE_DECIMALS)
    return value.where(ok & (den > 0)).astype("Float64")


def figures(frame: pd.DataFrame, withheld: pd.Series, k: int, base: int) -> pd.DataFrame:
    """The published value columns of ``pub_stats`` for ``frame``'s counts.

    A withheld row shows no value at all; otherwise ``received`` is shown, ``closed`` when it
    is at least k, and each rate (and the median) only when its denominator is at least k:
    closure rate over events minus cancelled, on-time rate over closed with a close time plus
    open overdue, satisfaction rate over rated, median over closed with a close time.
    """
    shown = withheld.isna()
    received = frame["events"].astype("Int64").where(shown)
    closed = frame["closed"].astype("Int64").where(shown & (frame["closed"] >= k))
    not_cancelled = frame["events"] - frame["cancelled"]
    on_time_den = frame["closed"] - frame["closed_untimed"] + frame["open_overdue"]
    timed_closed = frame["closed"] - frame["closed_untimed"]
    median = (frame["median_close_s"] / 86400.0).round(DAYS_DECIMALS)
    return pd.DataFrame(
        {
            "received": round_counts(received, base, k),
            "closed": round_counts(closed, base, k),
            "closure_rate": _rate(frame["closed"], not_cancelled, shown & (not_cancelled >= k)),
            "on_time_rate": _rate(frame["closed_on_time"], on_time_den, shown & (on_time_den >= k)),
            "median_days_to_close": median.where(shown & (timed_closed >= k)).astype("Float64"),
            "satisfaction_rate": _rate(frame["satisfied"], frame["rated"], shown & (frame["rated"] >= k)),
            "withheld": withheld,
        },
        index=frame.index,
    )
