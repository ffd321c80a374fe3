"""Sidebar filters shared by every page: date range, category, source, street (department).

One mechanism for every page: the values live in session state under keys that are the same
on every page (so they survive a page switch, even through a page without filters), and the
page's address carries them (``start``, ``end``, ``cat``, ``src``, ``street``, ``dept``; lists
comma-separated), so a copied link reproduces the view. A parameter the user brings (a link,
an edit, browser Back) wins over the session; one the app wrote itself does not (see
:func:`dashboard.components.url_state.changed`). Values that are not offered are ignored.

Multiselect options are codes with ``format_func`` names: a language switch keeps the choice
and shows it in the new language.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.components import url_state as url
from dashboard.components.cached import cached_answer
from dashboard.components.names import lookups, name_map, source_names
from dashboard.i18n import t
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


FILTER_PARAMS: dict[str, str] = {
    "cat": "f_categories",
    "src": "f_sources",
    "street": "f_streets",
    "dept": "f_departments",
}
"""Address parameter → the multiselect's session-state key (the same on every page)."""
DATES_KEY = "f_dates"
"""The chosen (start, end) days; the date widget has a key of its own (:data:`DATES_WIDGET`)."""
DATES_WIDGET = "f_dates_widget"


def kept_key(key: str) -> str:
    """Where a filter's value is kept between pages (a widget's own key is dropped by
    Streamlit on a page that does not draw it)."""
    return f"{key}_kept"


def address_picks(options: dict[str, Collection[str]], first: date, last: date) -> dict[str, object]:
    """The filter values the address brings this run: ``{session key: value}`` for each
    parameter that differs from what the app last wrote.

    An absent parameter counts (as "all") only when the address carries dates, as every
    address this app writes does; a bare address (a page opened from the menu, which drops
    the parameters) keeps the session's filters. ``options``: parameter → allowed values.
    """
    picks: dict[str, object] = {}
    if url.changed("start") or url.changed("end"):
        start, end = url.get_day("start", first, last), url.get_day("end", first, last)
        if start and end and start <= end:
            picks[DATES_KEY] = (start, end)
    dated = url.has("start") or url.has("end")
    for param, allowed in options.items():
        if not url.changed(param):
            continue
        if url.has(param):
            picks[FILTER_PARAMS[param]] = url.get_members(param, allowed) or []
        elif dated:
            picks[FILTER_PARAMS[param]] = []
    return picks


def _choice(key: str, allowed: Collection[str], picks: dict[str, object]) -> list[str]:
    """The multiselect's value this run: from the address, else the widget's, else the kept
    one; only offered codes, in order."""
    if key in picks:
        value = picks[key]
    elif key in st.session_state:
        value = st.session_state[key]
    else:
        value = st.session_state.get(kept_key(key), [])
    codes = value if isinstance(value, (list, tuple)) else []
    return [c for c in codes if c in allowed]


def _multiselect(label: str, names: dict[str, str], key: str, picks: dict[str, object]) -> list[str]:
    """A sidebar multiselect of codes shown by name, its value set before it is drawn (and kept)."""
    st.session_state[key] = _choice(key, names, picks)
    picked = st.sidebar.multiselect(label, list(names), format_func=names.get, key=key, placeholder=t("all"))
    st.session_state[kept_key(key)] = list(picked)
    return list(picked)


def _dates(first: date, last: date, picks: dict[str, object]) -> tuple[date, date]:
    """The date range widget; returns the (start, end) days chosen (kept under :data:`DATES_KEY`)."""
    default = (max(first, last - timedelta(days=29)), last)
    widget = st.session_state.get(DATES_WIDGET)
    half_picked = isinstance(widget, (tuple, list)) and len(widget) == 1  # one day clicked so far
    if DATES_KEY in picks:
        value = picks[DATES_KEY]
    elif isinstance(widget, (tuple, list)) and len(widget) == 2:
        value = widget  # the widget's latest value (the user's pick, or the kept range)
    else:
        value = st.session_state.get(DATES_KEY)
    # A kept selection may lie outside this store's window (another store, a URL, an
    # import since): st.date_input raises on a value outside min/max, so clamp it first.
    kept = _within(value, first, last, default)
    st.session_state[DATES_KEY] = kept
    # The widget keeps its own state on its page (its value= only counts when it is new):
    # set it to the kept range before it is drawn, except while a range is half picked.
    if DATES_KEY in picks or not half_picked:
        st.session_state[DATES_WIDGET] = kept
    st.sidebar.date_input(t("date_range"), min_value=first, max_value=last, key=DATES_WIDGET)
    return kept


def render_filters(store: Store, *, departments: bool = False) -> EventFilter:
    """Draw the sidebar filters, stage them for the page's address and return the
    :class:`EventFilter` they describe.

    The default window is the last 30 days that have data; selections persist across pages
    (same keys on every page, kept while a page without filters is open) and are in the URL
    of every page. ``departments`` adds the department filter (its ``dept`` parameter).
    """
    tables = lookups(store)
    first, last = data_window(store)
    cats = name_map(tables["categories"])
    streets = name_map(tables["streets"], "area_id")
    depts = name_map(tables["departments"]) if departments else {}
    # Labels are looked up now, not inside format_func: it may be called outside the run.
    source_labels = source_names()
    options: dict[str, Collection[str]] = {"cat": cats, "src": source_labels, "street": streets}
    if departments:
        options["dept"] = depts
    picks = address_picks(options, first, last)

    st.sidebar.subheader(t("filters"))
    start, end = _dates(first, last, picks)
    categories = _multiselect(t("category"), cats, FILTER_PARAMS["cat"], picks)
    sources = _multiselect(t("source"), source_labels, FILTER_PARAMS["src"], picks)
    # A store without streets (e.g. grids only) has no street to filter by: no empty box.
    street_ids = _multiselect(t("street"), streets, FILTER_PARAMS["street"], picks) if streets else []
    dept_codes = _multiselect(t("department"), depts, FILTER_PARAMS["dept"], picks) if departments else []
    flt = EventFilter.for_dates(
        start, end, categories=categories, sources=sources, street_ids=street_ids, departments=dept_codes
    )
    stage_filters(flt, departments=departments)
    return flt


def filter_params(flt: EventFilter, *, departments: bool = True) -> dict[str, str | None]:
    """The address parameters that describe ``flt`` (``None``: not in the address)."""
    return {
        "start": flt.start.date().isoformat(),
        "end": last_day(flt).isoformat(),
        "cat": ",".join(flt.categories) or None,
        "src": ",".join(flt.sources) or None,
        "street": ",".join(flt.street_ids) or None,
        "dept": (",".join(flt.departments) or None) if departments else None,
    }


def stage_filters(flt: EventFilter, *, departments: bool = True) -> None:
    """Stage ``flt`` for the address written at the end of the run (a page without the
    department filter leaves ``dept`` out)."""
    url.stage(filter_params(flt, departments=departments))
