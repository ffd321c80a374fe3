"""Sidebar filters shared by every page: date range, category, source, street."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.components.cached import cached_answer
from dashboard.components.names import lookups, name_map, source_names
from dashboard.i18n import t
from data.contracts import SOURCES
from data.store import Store
from queries import EventFilter
from queries.answers import lookups as answers
from queries.filters import clamp_day


def last_day(flt: EventFilter) -> date:
    """The last day ``flt`` covers (its end is exclusive: the next midnight)."""
    return (flt.end - timedelta(days=1)).date()


def data_window(store: Store) -> tuple[date, date]:
    """First and last day with events (today when the store is empty), clamped to the days
    a filter supports (:data:`queries.filters.SUPPORTED_FIRST_DAY` ..), so a store holding
    a year-1 or year-9999 event still offers a range every page can compute with."""
    days = cached_answer(answers.event_days, store)
    if days is None:
        today = clamp_day(date.today())
        return today, today
    return days


def _day(value: object) -> date:
    """A date from what a widget or session state holds (datetime, timestamp, date)."""
    if isinstance(value, date):  # datetime and pd.Timestamp are dates too
        return value.date() if isinstance(value, datetime) else value
    return pd.Timestamp(value).date()


def _within(days: object, first: date, last: date, default: tuple[date, date]) -> tuple[date, date]:
    """A (start, end) pair of days inside ``first .. last`` (anything else: ``default``)."""
    if not isinstance(days, (tuple, list)) or len(days) != 2 or not all(isinstance(d, date) for d in days):
        return default
    lo, hi = sorted(min(max(_day(d), first), last) for d in days)
    return lo, hi


def render_filters(store: Store, *, departments: bool = False, key_prefix: str = "f") -> EventFilter:
    """Draw the sidebar filters and return the :class:`EventFilter` they describe.

    The default window is the last 30 days that have data; selections persist across
    pages through session state (same keys on every page).
    """
    tables = lookups(store)
    first, last = data_window(store)
    st.sidebar.subheader(t("filters"))
    default = (max(first, last - timedelta(days=29)), last)
    # A kept selection may lie outside this store's window (another store, a URL, an
    # import since): st.date_input raises on a value outside min/max, so clamp it first.
    kept = _within(st.session_state.get(f"{key_prefix}_dates"), first, last, default)
    st.session_state[f"{key_prefix}_dates"] = kept
    picked = st.sidebar.date_input(
        t("date_range"),
        value=kept,
        min_value=first,
        max_value=last,
        key=f"{key_prefix}_dates_widget",
    )
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        st.session_state[f"{key_prefix}_dates"] = _within(picked, first, last, default)
    start, end = st.session_state[f"{key_prefix}_dates"]

    cats = name_map(tables["categories"])
    streets = name_map(tables["streets"], "area_id")
    categories = st.sidebar.multiselect(
        t("category"), list(cats), format_func=cats.get, key=f"{key_prefix}_categories", placeholder=t("all")
    )
    # Labels are looked up now, not inside format_func: it may be called outside the run.
    source_labels = source_names()
    sources = st.sidebar.multiselect(
        t("source"), list(SOURCES), format_func=source_labels.get, key=f"{key_prefix}_sources", placeholder=t("all")
    )
    # A store without streets (e.g. grids only) has no street to filter by: no empty box.
    street_ids = (
        st.sidebar.multiselect(
            t("street"), list(streets), format_func=streets.get, key=f"{key_prefix}_streets", placeholder=t("all")
        )
        if streets
        else []
    )
    dept_codes: list[str] = []
    if departments:
        depts = name_map(tables["departments"])
        dept_codes = st.sidebar.multiselect(
            t("department"), list(depts), format_func=depts.get, key=f"{key_prefix}_departments", placeholder=t("all")
        )
    return EventFilter.for_dates(
        start, end, categories=categories, sources=sources, street_ids=street_ids, departments=dept_codes
    )
