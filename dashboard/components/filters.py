"""Sidebar filters shared by every page: date range, category, source, street."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.i18n import name_column, t
from data.contracts import SOURCES
from queries import EventFilter, Store


@st.cache_data(ttl=60, show_spinner=False)
def _lookups(_store: Store, store_key: str) -> dict[str, pd.DataFrame]:
    return {
        "categories": _store.fetch("list_categories"),
        "departments": _store.fetch("list_departments"),
        "streets": _store.fetch("list_areas", level="street"),
        "range": _store.fetch("event_date_range"),
    }


def lookups(store: Store) -> dict[str, pd.DataFrame]:
    """Category, department and street tables plus the event date range (cached 60 s)."""
    return _lookups(store, f"{store.dialect}:{id(store)}")


def _label_map(frame: pd.DataFrame, key: str) -> dict[str, str]:
    return dict(zip(frame[key], frame[name_column()], strict=True))


def data_window(store: Store) -> tuple[date, date]:
    """First and last day with events (today when the store is empty)."""
    rng = lookups(store)["range"].iloc[0]
    if pd.isna(rng["last_reported"]):
        today = date.today()
        return today, today
    return rng["first_reported"].date(), rng["last_reported"].date()


def render_filters(store: Store, *, departments: bool = False, key_prefix: str = "f") -> EventFilter:
    """Draw the sidebar filters and return the :class:`EventFilter` they describe.

    The default window is the last 30 days that have data; selections persist across
    pages through session state (same keys on every page).
    """
    tables = lookups(store)
    first, last = data_window(store)
    st.sidebar.subheader(t("filters"))
    default = (max(first, last - timedelta(days=29)), last)
    picked = st.sidebar.date_input(
        t("date_range"), value=st.session_state.get(f"{key_prefix}_dates", default),
        min_value=first, max_value=last, key=f"{key_prefix}_dates_widget",
    )
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        st.session_state[f"{key_prefix}_dates"] = (picked[0], picked[1])
    start, end = st.session_state.get(f"{key_prefix}_dates", default)

    cats = _label_map(tables["categories"], "code")
    streets = _label_map(tables["streets"], "area_id")
    categories = st.sidebar.multiselect(t("category"), list(cats), format_func=cats.get,
                                        key=f"{key_prefix}_categories", placeholder=t("all"))
    # Labels are looked up now, not inside format_func: it may be called outside the run.
    source_labels = {s: t(f"source_{s}") for s in SOURCES}
    sources = st.sidebar.multiselect(t("source"), list(SOURCES), format_func=source_labels.get,
                                     key=f"{key_prefix}_sources", placeholder=t("all"))
    street_ids = st.sidebar.multiselect(t("street"), list(streets), format_func=streets.get,
                                        key=f"{key_prefix}_streets", placeholder=t("all"))
    dept_codes: list[str] = []
    if departments:
        depts = _label_map(tables["departments"], "code")
        dept_codes = st.sidebar.multiselect(t("department"), list(depts), format_func=depts.get,
                                            key=f"{key_prefix}_departments", placeholder=t("all"))
    return EventFilter.for_dates(start, end, categories=categories, sources=sources,
                                 street_ids=street_ids, departments=dept_codes)
