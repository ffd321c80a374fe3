"""The overview's counts: events per H3 cell or area for the count map, and the daily
trend beside the previous period of the same length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data.store import Store
from geo.h3index import cells_to_strings
from queries.filters import EventFilter

__all__ = ["DailyTrend", "daily_trend", "events_by_area", "events_by_cell", "fill_days"]


def events_by_cell(store: Store, flt: EventFilter, now: datetime, res: int) -> pd.DataFrame:
    """Filtered events per H3 cell of resolution ``res`` (``cell``, ``hex``, ``events``,
    ``closed``, ``open_overdue`` as of ``now``); cells without events are left out."""
    counts = store.fetch("count_events_by_cell", **flt.params(), res=int(res), now=now)
    counts["hex"] = pd.Series(cells_to_strings(counts["cell"].to_numpy()), index=counts.index, dtype=object)
    return counts


def events_by_area(store: Store, flt: EventFilter, now: datetime, level: str) -> pd.DataFrame:
    """Filtered events per area of ``level`` (``area_id``, names, ``events``, ``closed``,
    ``open_overdue`` as of ``now``)."""
    return store.fetch("count_events_by_area", **flt.params(), level=level, now=now)


def fill_days(frame: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Daily ``events`` for every day in [start, end), zeros where the frame has none."""
    days = pd.date_range(start, pd.Timestamp(end) - pd.Timedelta(days=1), freq="D")
    counts = frame.assign(day=pd.to_datetime(frame["day"])).set_index("day")["events"]
    return pd.DataFrame({"day": days, "events": counts.reindex(days, fill_value=0).to_numpy()})


@dataclass(frozen=True)
class DailyTrend:
    """Events per day (``day``, ``events``; zeros filled) of the window and the one before."""

    current: pd.DataFrame
    previous: pd.DataFrame


def daily_trend(store: Store, flt: EventFilter) -> DailyTrend:
    """Daily counts of ``flt``'s window and of the same-length window right before it."""
    before = flt.previous()
    trend = store.fetch("daily_trend", **flt.params(), prev_start=before.start)
    return DailyTrend(
        fill_days(trend[trend["period"] == "current"], flt.start, flt.end),
        fill_days(trend[trend["period"] == "previous"], before.start, flt.start),
    )
