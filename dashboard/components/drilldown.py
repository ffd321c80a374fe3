"""Supervision drill-down (区 → 街道 → 社区 → 网格) kept in the URL, over the levels the store has.

The address says where the user is: ``?level=community&area=110199003002`` is that
community, showing its grids. No ``level`` is the whole district. A store may hold any
subset of the levels (only grids, communities and grids, ...): the drill-down starts at
the coarsest level present, each step goes to the next finer level present, and the
breadcrumb shows only levels that exist. An address that does not name an existing area
of a present level (a stale link, Back leaving ``?level=street`` alone) opens the
district and is cleaned, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard.components import url_state as url
from dashboard.components.cached import cached_answer
from dashboard.i18n import name_column, t
from dashboard.safe_text import md
from data.store import Store
from queries import EventFilter
from queries.answers import lookups

DRILL_LEVELS: tuple[str, ...] = lookups.DRILL_LEVELS
"""The levels an event carries, coarse to fine (the district is everything)."""


@dataclass(frozen=True)
class Drill:
    """Where the drill-down stands: ``level`` and ``area_id`` (None for the district), the
    chain of ``(level, area_id)`` from the top down to it, and the levels the store has."""

    level: str
    area_id: str | None
    path: tuple[tuple[str, str], ...]
    levels: tuple[str, ...] = DRILL_LEVELS
    ignored: bool = False
    """The address named an area that does not exist (it was dropped)."""

    @property
    def child_level(self) -> str | None:
        """The next finer level present, listed under the current area (None at the finest)."""
        if self.level == "district":
            return self.levels[0] if self.levels else None
        finer = self.levels[self.levels.index(self.level) + 1 :] if self.level in self.levels else ()
        return finer[0] if finer else None

    @property
    def parent(self) -> tuple[str, str] | None:
        """``(level, area_id)`` of the enclosing area present in the store (None: the district)."""
        return self.path[-2] if len(self.path) >= 2 else None

    def scope(self, flt: EventFilter) -> EventFilter:
        """``flt`` restricted to the current area (replacing the sidebar's street choice)."""
        return scope_to(flt, self.level, self.area_id)

    def map_target(self, flt: EventFilter) -> tuple[str, str | None, EventFilter] | None:
        """``(level, parent_id, filter)`` of the areas to map and rank: the areas one level
        down, or at the finest level the current area among its siblings; None when the
        store has no street, community or grid at all."""
        if self.child_level:
            return self.child_level, self.area_id, self.scope(flt)
        if self.area_id is None:
            return None
        parent = self.parent
        if parent is None:  # no enclosing area stored: every area of the level
            return self.level, None, flt
        return self.level, parent[1], scope_to(flt, *parent)


def scope_to(flt: EventFilter, level: str, area_id: str | None) -> EventFilter:
    """``flt`` restricted to one area of ``level`` (unchanged for the district)."""
    if area_id is None or level == "district":
        return flt
    if level == "street":
        return replace(flt, street_ids=(area_id,))
    if level == "community":
        return replace(flt, street_ids=(), community_ids=(area_id,))
    return replace(flt, street_ids=(), grid_ids=(area_id,))


def area_table(store: Store) -> pd.DataFrame:
    """Every street, community and grid with its parent and names (through the kit's cache)."""
    return cached_answer(lookups.drill_areas, store)


def present_levels(store: Store) -> tuple[str, ...]:
    """Street, community, grid: those the store has at least one area of, coarse to fine."""
    have = set(area_table(store)["level"])
    return tuple(lv for lv in DRILL_LEVELS if lv in have)


def read_drill(store: Store) -> Drill:
    """The drill-down position from the URL (the district when absent or invalid; an
    invalid ``level``/``area`` pair is removed from the address)."""
    levels = present_levels(store)
    named = url.has("level") or url.has("area")
    level, area_id = url.get_choice("level", levels), url.get_text("area")
    areas = area_table(store).set_index("area_id")
    if level is None or area_id is None or area_id not in areas.index or areas.loc[area_id, "level"] != level:
        if named:
            url.drop("level", "area")
        return Drill("district", None, (), levels, ignored=area_id is not None)
    path: list[tuple[str, str]] = []
    node: str | None = area_id
    while node is not None and node in areas.index and node not in {a for _, a in path}:
        path.append((str(areas.loc[node, "level"]), node))
        parent = areas.loc[node, "parent_id"]
        node = None if pd.isna(parent) else str(parent)
    return Drill(level, area_id, tuple(reversed(path)), levels)


def go_to(level: str, area_id: str | None) -> None:
    """Move the drill-down (and the URL) to ``area_id`` of ``level``; the district when None."""
    # One change of the address for both keys: each change is a browser history entry, and
    # Back must land on a whole place (never ``?level=street`` without its area).
    if area_id is None or level == "district":
        url.set_now({"level": None, "area": None})
    else:
        url.set_now({"level": level, "area": area_id})


def area_name(store: Store, area_id: str) -> str:
    """The area's name in the current language (its id when unnamed)."""
    areas = area_table(store).set_index("area_id")
    if area_id not in areas.index:
        return area_id
    name = areas.loc[area_id, name_column()]
    return str(name) if isinstance(name, str) and name else area_id


def render_breadcrumb(store: Store, drill: Drill, *, key_prefix: str) -> None:
    """区 › 街道 › 社区 › 网格 as buttons; each goes back up to that level."""
    steps = [("district", None, t("chain_district_all"))] + [(lv, a, area_name(store, a)) for lv, a in drill.path]
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for i, (lv, area, label) in enumerate(steps):
            current = i == len(steps) - 1
            # button labels are Markdown: an imported name is shown as text (issue 9)
            text = t("chain_breadcrumb_step", level=t(f"level_{lv}"), name=md(label)) if lv != "district" else label
            if st.button(
                ("› " if i else "") + text,
                key=f"{key_prefix}_crumb_{i}",
                disabled=current,
                type="tertiary" if current else "secondary",
                help=t("chain_breadcrumb_help"),
            ):
                go_to(lv, area)
                st.rerun()
