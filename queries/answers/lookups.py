"""The tables pages name things by: categories, departments, areas and their shapes, the days
the store has events for, and an import's rejected rows."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from data.contracts import AREA_LEVELS
from data.store import Store
from queries.filters import clamp_day

__all__ = [
    "DRILL_LEVELS",
    "area_shapes",
    "areas",
    "categories",
    "departments",
    "drill_areas",
    "event_days",
    "import_rejects",
]

DRILL_LEVELS: tuple[str, ...] = tuple(lv for lv in AREA_LEVELS if lv != "district")
"""Area levels below the district (street, community, grid), coarse to fine."""


def categories(store: Store) -> pd.DataFrame:
    """Every category with its names, department and SLA hours (``list_categories``)."""
    return store.fetch("list_categories")


def departments(store: Store) -> pd.DataFrame:
    """Every department with its names (``list_departments``)."""
    return store.fetch("list_departments")


def areas(store: Store, level: str) -> pd.DataFrame:
    """Areas of ``level`` with parent, names, households and population (no geometry)."""
    return store.fetch("list_areas", level=level)


def drill_areas(store: Store) -> pd.DataFrame:
    """Every street, community and grid (:data:`DRILL_LEVELS`) with a ``level`` column."""
    return pd.concat([areas(store, lv).assign(level=lv) for lv in DRILL_LEVELS], ignore_index=True)


def area_shapes(store: Store, level: str) -> pd.DataFrame:
    """Area ids, names and WKB geometry of one level."""
    return store.fetch("area_shapes", level=level)


def _day(value: date | np.datetime64 | str) -> date:
    """A date from what the store returned (datetime, pandas or numpy timestamp, date)."""
    if isinstance(value, date):  # datetime and pd.Timestamp are dates too
        return value.date() if isinstance(value, datetime) else value
    return pd.Timestamp(value).date()


def event_days(store: Store) -> tuple[date, date] | None:
    """First and last day with events, clamped to the days a filter supports
    (:data:`queries.filters.SUPPORTED_FIRST_DAY` ..), so a store holding a year-1 or
    year-9999 event still offers a range every page can compute with; ``None`` when the
    store has no events."""
    rng = store.fetch("event_date_range").iloc[0]
    if pd.isna(rng["last_reported"]) or pd.isna(rng["first_reported"]):
        return None
    return clamp_day(_day(rng["first_reported"])), clamp_day(_day(rng["last_reported"]))


def import_rejects(store: Store, batch_id: str, limit: int = 1000) -> pd.DataFrame:
    """The first ``limit`` rejected rows of import batch ``batch_id`` with their reasons."""
    return store.fetch("import_rejects_page", batch_id=batch_id, limit=limit)
