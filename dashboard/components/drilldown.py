"""Three-level supervision drill-down (区 → 街道 → 社区 → 网格) kept in the URL.

The address says where the user is: ``?level=community&area=110199003002`` is that
community, showing its grids. No ``level`` is the whole district. Values that do not name
an existing area of that level are ignored (back to the district), never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard.i18n import name_column, t
from data.contracts import AREA_LEVELS
from queries import EventFilter, Store

CHILD_LEVEL: dict[str, str | None] = {"district": "street", "street": "community", "community": "grid", "grid": None}
"""The level shown inside each level (a grid has none)."""


@dataclass(frozen=True)
class Drill:
    """Where the drill-down stands: ``level`` and ``area_id`` (None for the district) and
    the chain of ``(level, area_id)`` from the top down to it."""

    level: str
    area_id: str | None
    path: tuple[tuple[str, str], ...]

    @property
    def child_level(self) -> str | None:
        """The level listed under the current area (``None`` at a grid)."""
        return CHILD_LEVEL[self.level]

    def scope(self, flt: EventFilter) -> EventFilter:
        """``flt`` restricted to the current area (replacing the sidebar's street choice)."""
        if self.level == "street":
            return replace(flt, street_ids=(self.area_id,))
        if self.level == "community":
            return replace(flt, street_ids=(), community_ids=(self.area_id,))
        if self.level == "grid":
            return replace(flt, street_ids=(), grid_ids=(self.area_id,))
        return flt


@st.cache_data(ttl=300, show_spinner=False)
def _areas(_store: Store, store_key: str) -> pd.DataFrame:
    return pd.concat([_store.fetch("list_areas", level=lv).assign(level=lv) for lv in AREA_LEVELS[1:]],
                     ignore_index=True)


def area_table(store: Store) -> pd.DataFrame:
    """Every street, community and grid with its parent and names (cached 5 minutes)."""
    return _areas(store, f"{store.dialect}:{id(store)}")


def read_drill(store: Store) -> Drill:
    """The drill-down position from the URL (the district when absent or invalid)."""
    level, area_id = st.query_params.get("level"), st.query_params.get("area")
    areas = area_table(store).set_index("area_id")
    if level not in AREA_LEVELS[1:] or area_id not in areas.index or areas.loc[area_id, "level"] != level:
        return Drill("district", None, ())
    path: list[tuple[str, str]] = []
    node: str | None = area_id
    while node is not None and node in areas.index:
        path.append((str(areas.loc[node, "level"]), node))
        parent = areas.loc[node, "parent_id"]
        node = None if pd.isna(parent) else str(parent)
    return Drill(level, area_id, tuple(reversed(path)))


def go_to(level: str, area_id: str | None) -> None:
    """Move the drill-down (and the URL) to ``area_id`` of ``level``; the district when None."""
    if area_id is None or level == "district":
        for key in ("level", "area"):
            if key in st.query_params:
                del st.query_params[key]
    else:
        st.query_params["level"] = level
        st.query_params["area"] = area_id


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
            text = f"{t('level_' + lv)}: {label}" if lv != "district" else label
            if st.button(("› " if i else "") + text, key=f"{key_prefix}_crumb_{i}", disabled=current,
                         type="tertiary" if current else "secondary", help=t("chain_breadcrumb_help")):
                go_to(lv, area)
                st.rerun()
