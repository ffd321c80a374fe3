"""The overview's top areas by events, at whichever level a store has.

A store may hold any subset of the area levels (only grids, communities and grids, ...):
the overview ranks the coarsest level present. Streets come from ``street_ranking``
(which PostGIS answers from its daily rollup); communities and grids from
``area_ranking``, whose counts and rates follow the same definitions.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from data.store import Store
from queries.filters import EventFilter

COLUMNS = ["area_id", "name_zh", "name_en", "events", "closed", "closure_rate", "on_time_rate", "open_overdue"]


def top_areas(store: Store, flt: EventFilter, now: datetime, level: str, limit: int = 10) -> pd.DataFrame:
    """The ``limit`` areas of ``level`` (street, community or grid) with the most filtered
    events (ties by area id), with closure rate, on-time rate and open overdue as of
    ``min(flt.end, now)``; areas without events are left out."""
    if level == "street":
        rows = store.fetch("street_ranking", **flt.params(), now=now, limit=limit)
        return rows.rename(columns={"street_id": "area_id"})[COLUMNS].reset_index(drop=True)
    if level not in ("community", "grid"):
        raise ValueError(f"level must be street, community or grid, got {level!r}")
    rows = store.fetch("area_ranking", **flt.params(), now=now, level=level, parent_id=None, min_events=1)
    rows = rows[rows["events"] > 0].sort_values(["events", "area_id"], ascending=[False, True], kind="stable")
    return rows.head(limit)[COLUMNS].reset_index(drop=True)


__all__ = ["COLUMNS", "top_areas"]
