"""Buckets of a trend window clipped to the chosen days, and counts per bucket.

A week or month chart of 3-30 June counts the events of 3-30 June, not of the whole weeks
or months those days touch: its first and last buckets are clipped to the window and
marked ``partial``. A comparison window (the previous period, last year) is the current
window moved back by a fixed number of days, so it is counted in the current window's
buckets moved back by the same shift: bucket ``i`` of every series covers the same number
of days, and the three totals do not depend on the grain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from geo.trends import bucket_starts

__all__ = ["period_counts", "periods"]


def _floor(days: pd.Series, grain: str) -> pd.Series:
    """The start of each day's ``grain`` bucket (weeks start on Monday)."""
    days = days.dt.normalize()
    if grain == "week":
        return days - pd.to_timedelta(days.dt.dayofweek, unit="D")
    if grain == "month":
        return days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return days


def periods(start: datetime, end: datetime, grain: str) -> pd.DataFrame:
    """Every ``grain`` bucket touching ``[start, end)``, clipped to it.

    Returns ``bucket`` (the bucket's own start: its label), ``first`` (its first day inside
    the window), ``end`` (the day after its last day inside), ``days`` (days inside) and
    ``partial`` (True when the window covers only part of the bucket).

    Examples
    --------
    >>> p = periods(datetime(2026, 6, 3), datetime(2026, 6, 17), "week")
    >>> p["days"].tolist(), p["partial"].tolist()
    ([5, 7, 2], [True, False, True])
    """
    found = bucket_starts(start.date(), end.date(), grain)
    # the bucket after the last one: the second bucket of a month from its start
    after = bucket_starts(found[-1], found[-1] + timedelta(days=32), grain)[1:2] if found else []
    starts = pd.DatetimeIndex(pd.to_datetime(found)).as_unit("ns")
    nexts = pd.DatetimeIndex(pd.to_datetime([*found[1:], *after])).as_unit("ns")
    first = starts.where(starts >= pd.Timestamp(start), pd.Timestamp(start))
    stop = nexts.where(nexts <= pd.Timestamp(end), pd.Timestamp(end))
    days = (stop - first).days
    return pd.DataFrame(
        {
            "bucket": starts,
            "first": first,
            "end": stop,
            "days": np.asarray(days, dtype=int),
            "partial": np.asarray((first != starts) | (stop != nexts), dtype=bool),
        }
    )


def period_counts(
    daily: pd.DataFrame, start: datetime, end: datetime, grain: str, shift: timedelta = timedelta(0)
) -> pd.DataFrame:
    """Counts per bucket of the window ``[start, end)`` of a series moved back by ``shift``.

    Parameters
    ----------
    daily : counts per day (``bucket`` = the day, ``events``) covering ``[start - shift,
        end - shift)``; other days are ignored
    start, end : the current window (its buckets are the rows)
    grain : ``day`` | ``week`` | ``month``
    shift : how far back the counted series lies (0 for the current window)

    Returns
    -------
    One row per bucket of :func:`periods` ``(start, end, grain)`` with ``bucket`` (the
    current bucket's start), ``index`` (0-based), ``first``/``end`` (the counted series'
    own dates: the clipped bucket moved back by ``shift``), ``days``, ``partial`` and
    ``events`` (zeros filled).

    Examples
    --------
    >>> daily = pd.DataFrame({"bucket": pd.to_datetime(["2026-05-27", "2026-06-01"]), "events": [2, 3]})
    >>> out = period_counts(daily, datetime(2026, 6, 3), datetime(2026, 6, 10), "week", timedelta(days=7))
    >>> out["events"].tolist(), str(out["first"].iloc[0].date())
    ([2, 3], '2026-05-27')
    """
    out = periods(start, end, grain)
    days = pd.to_datetime(daily["bucket"]) + shift
    inside = (days >= pd.Timestamp(start)) & (days < pd.Timestamp(end))
    counts = daily["events"][inside].groupby(_floor(days[inside], grain)).sum()
    out["first"] = out["first"] - shift
    out["end"] = out["end"] - shift
    out.insert(1, "index", np.arange(len(out)))
    out["events"] = counts.reindex(out["bucket"], fill_value=0).to_numpy()
    return out
