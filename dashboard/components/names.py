"""Code → name maps in the page's language: categories, departments, streets, sources, stages.

Names are looked up when the page runs (a ``format_func`` may be called outside the run,
when the language is unknown), from the store's lookup tables read through the page
kit's cache.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.components.cached import cached_answer
from dashboard.i18n import name_column, t
from data.contracts import SOURCES, STAGES
from data.store import Store
from queries.answers import lookups as answers


def lookups(store: Store) -> dict[str, pd.DataFrame]:
    """The category, department and street tables (through the kit's cache: one look-up, a
    page asks for them several times a run)."""
    return cached_answer(_tables, store)


def _tables(store: Store) -> dict[str, pd.DataFrame]:
    return {
        "categories": answers.categories(store),
        "departments": answers.departments(store),
        "streets": answers.areas(store, "street"),
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
