"""Code → name maps in the page's language: categories, departments, streets, sources, stages.

Names are looked up when the page runs (a ``format_func`` may be called outside the run,
when the language is unknown), from the store's lookup tables read through the page
kit's cache.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.components.cached import cached_fetch
from dashboard.i18n import name_column, t
from data.contracts import SOURCES, STAGES
from data.store import Store


def lookups(store: Store) -> dict[str, pd.DataFrame]:
    """Category, department and street tables plus the event date range (cached)."""
    return {
        "categories": cached_fetch(store, "list_categories"),
        "departments": cached_fetch(store, "list_departments"),
        "streets": cached_fetch(store, "list_areas", level="street"),
        "range": cached_fetch(store, "event_date_range"),
    }


def name_map(frame: pd.DataFrame, key: str = "code") -> dict[str, str]:
    """``{frame[key]: name}`` with the name column of the current language."""
    return dict(zip(frame[key], frame[name_column()], strict=True))


def category_names(store: Store) -> dict[str, str]:
    """Category code → name."""
    return name_map(lookups(store)["categories"])


def department_names(store: Store) -> dict[str, str]:
    """Department code → name."""
    return name_map(lookups(store)["departments"])


def street_names(store: Store) -> dict[str, str]:
    """Street id → name."""
    return name_map(lookups(store)["streets"], "area_id")


def source_names(sources: Iterable[str] = SOURCES) -> dict[str, str]:
    """Source code → its label (every source, or those of ``sources``)."""
    return {s: t(f"source_{s}") for s in sources}


def stage_names() -> dict[str, str]:
    """Chain stage → its label."""
    return {s: t(f"stage_{s}") for s in STAGES}

