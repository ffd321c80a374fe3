"""Published figures from the protected counts: rounding, rates and the NULLs.

Counts are rounded (when ``rounding_base`` > 0) after suppression, half up to the nearest
multiple of the base, and never below the smallest multiple of the base that is at least k
(so a published count is never under k, also when k is not a multiple of the base). Rates
are the ratio of the exact counts when rounding is off and of the *rounded* counts when it is
on (an exact rate over a rounded count would give the exact count back: 0.9787 is 46/47
behind a published 45), then rounded to 4 decimals (0.01 percentage point); median days to
close to 2 decimals.
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


def _rate(num: pd.Series, den: pd.Series, ok: pd.Series, base: int, k: int) -> pd.Series:
    """``num / den`` to :data:`RATE_DECIMALS` where ``ok``; with rounding on, the ratio of the
    rounded counts, so the rate tells no more than rounded counts do."""
    num, den = num.astype("Int64"), den.astype("Int64")
    if base > 0:
        num, den = round_counts(num, base, k), round_counts(den, base, k)
    value = (num.astype("Float64") / den.where(den > 0).astype("Float64")).round(RATE_DECIMALS)
    return value.where(ok & (den > 0)).astype("Float64")


def figures(frame: pd.DataFrame, withheld: pd.Series, closed_hidden: np.ndarray, k: int, base: int) -> pd.DataFrame:
    """The published value columns of ``pub_stats`` for ``frame``'s counts.

    A withheld row shows no value at all; otherwise ``received`` is shown, ``closed`` when it
    is at least k and not ``closed_hidden`` (withheld so that no relation gives a hidden closed count
    away: :func:`~data.publish.suppress.closed_withheld`), and each rate only when both its
    numerator and its denominator are at least k, so that no rate times a published count
    gives a withheld one: the closure rate (closed over events minus cancelled) only where
    ``closed`` is published, the on-time rate (closed on time over closed with a close time
    plus open overdue) where at least k closed on time, the satisfaction rate (ratings 4-5
    over ratings) where at least k were satisfied. The median is shown when at least k were
    closed with a close time (it gives no count).
    """
    shown = withheld.isna()
    closed_ok = shown & ~pd.Series(closed_hidden, index=frame.index) & (frame["closed"] >= k)
    received = frame["events"].astype("Int64").where(shown)
    closed = frame["closed"].astype("Int64").where(closed_ok)
    not_cancelled = frame["events"] - frame["cancelled"]
    on_time_den = frame["closed"] - frame["closed_untimed"] + frame["open_overdue"]
    timed_closed = frame["closed"] - frame["closed_untimed"]
    median = (frame["median_close_s"] / 86400.0).round(DAYS_DECIMALS)
    on_time_ok = shown & (on_time_den >= k) & (frame["closed_on_time"] >= k)
    satisfaction_ok = shown & (frame["rated"] >= k) & (frame["satisfied"] >= k)
    return pd.DataFrame(
        {
            "received": round_counts(received, base, k),
            "closed": round_counts(closed, base, k),
            "closure_rate": _rate(frame["closed"], not_cancelled, closed_ok & (not_cancelled >= k), base, k),
            "on_time_rate": _rate(frame["closed_on_time"], on_time_den, on_time_ok, base, k),
            "median_days_to_close": median.where(shown & (timed_closed >= k)).astype("Float64"),
            "satisfaction_rate": _rate(frame["satisfied"], frame["rated"], satisfaction_ok, base, k),
            "withheld": withheld,
        },
        index=frame.index,
    )
