"""审计日志 / Audit trail (administrators only): who did what and when, filtered by dates,
user and action, a page of rows at a time, and the filtered rows as CSV.

The filters and the page number live in the address (``?from=&to=&actor=&action=&p=``), read
through :mod:`dashboard.components.url_state`; a value that is not valid says so and falls
back to the default. The rows come from :mod:`data.audit` (named queries, bound parameters),
uncached: the trail is read as it is now.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.auth import require, role_label
from dashboard.auth.trail import audit_store, export_callback
from dashboard.components import columns as col
from dashboard.components import url_state as url
from dashboard.i18n import t, t_count
from dashboard.safe_text import md
from data.audit import ACTIONS, audit_actors, count_audit, list_audit, parse_details
from data.audit_spool import spooled_count
from data.exports import csv_bytes
from data.store import Store

# (comments, not docstrings: Streamlit's magic would write a bare string of a page script)
PAGE_SIZE = 50  # rows per page of the table
EXPORT_LIMIT = 10_000  # most rows in the CSV download (the newest)
DEFAULT_DAYS = 30  # the default date range: the last 30 days up to today

FIRST_DAY = date(2000, 1, 1)
_ANY = ""


@dataclass(frozen=True)
class AuditFilters:
    """What the page shows: days ``first``..``last`` (inclusive), one user, one action."""

    first: date
    last: date
    actor: str | None
    action: str | None

    @property
    def query(self) -> dict[str, object]:
        """The :func:`data.audit.list_audit` filters (``until`` is the day after ``last``)."""
        return {
            "since": datetime.combine(self.first, datetime.min.time()),
            "until": datetime.combine(self.last + timedelta(days=1), datetime.min.time()),
            "actor": self.actor,
            "action": self.action,
        }


def action_label(action: object) -> str:
    """An action's name in the page's language (an unknown code as it is)."""
    return t(f"audit_action_{action}") if action in ACTIONS else str(action)


def render() -> None:
    """The page: refusal for anyone without ``view_audit``; filters, the table, the download."""
    require("view_audit", page="audit")
    store = audit_store()
    st.title(t("audit_title"))
    st.caption(t("audit_intro"))
    st.caption(t("audit_note_postgis" if store.dialect == "postgis" else "audit_note_duckdb"))
    if (path := store.read_only_file()) and (waiting := spooled_count(path)):
        st.info(t_count("audit_spooled", waiting, n=f"{waiting:,}"), icon=":material/hourglass_top:")
    filters = pick_filters(store)
    total = count_audit(store, **filters.query)  # type: ignore[arg-type]
    if not total:
        st.info(t("audit_empty"))
        url.stage({"p": None})
        return
    render_table(store, filters, total)
    render_download(store, filters, total)


def _seed(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def pick_filters(store: Store) -> AuditFilters:
    """Date range, user and action pickers, seeded from the address on the first run."""
    today = datetime.now().date()
    wrong: list[str] = []
    first = url.get_day("from", FIRST_DAY, today)
    last = url.get_day("to", FIRST_DAY, today)
    if (url.has("from") and first is None) or (url.has("to") and last is None) or (first and last and first > last):
        wrong.append(t("audit_dates"))
        first = last = None
    actors = audit_actors(store)
    actor = url.get_text("actor", 200)
    if url.has("actor") and actor not in actors:
        wrong.append(t("audit_actor"))
        actor = None
    action = url.get_choice("action", ACTIONS)
    if url.has("action") and action is None:
        wrong.append(t("audit_action"))
    if wrong and "audit_dates" not in st.session_state:
        st.warning(t("audit_bad_address", names=md("、".join(wrong))))
    _seed("audit_dates", (first or today - timedelta(days=DEFAULT_DAYS - 1), last or today))
    _seed("audit_actor", actor or _ANY)
    _seed("audit_action", action or _ANY)
    if st.session_state["audit_actor"] not in ("", *actors):
        st.session_state["audit_actor"] = _ANY
    c1, c2, c3 = st.columns([2, 2, 1])
    picked = c1.date_input(t("audit_dates"), min_value=FIRST_DAY, max_value=today, key="audit_dates")
    days = list(picked) if isinstance(picked, list | tuple) else [picked]
    lo, hi = (days[0], days[-1]) if days else (today, today)
    # labels made now: a format_func may run outside the run (tests), where the language is unknown
    who_names = {_ANY: t("audit_any"), **{a: a for a in actors}}
    what_names = {_ANY: t("audit_any"), **{a: action_label(a) for a in ACTIONS}}
    who = c2.selectbox(t("audit_actor"), list(who_names), key="audit_actor", format_func=who_names.get)
    what = c3.selectbox(t("audit_action"), list(what_names), key="audit_action", format_func=what_names.get)
    url.stage({"from": f"{lo:%Y-%m-%d}", "to": f"{hi:%Y-%m-%d}", "actor": who or None, "action": what or None})
    return AuditFilters(lo, hi, who or None, what or None)


PAGE_TITLES = {
    "home": "nav_overview",
    "hotspots": "nav_hotspots",
    "chain": "nav_chain",
    "trends": "nav_trends",
    "sensors": "nav_sensors",
    "event": "nav_event",
    "weekly": "nav_weekly",
    "import": "import_nav",
    "audit": "nav_audit",
    "users": "nav_users",
    "sign-in": "audit_page_sign_in",
}  # url path -> the navigation title's key


def page_label(page: object) -> str:
    """A page's title in the page's language (its url path when unknown, ``""`` for none)."""
    if not isinstance(page, str):
        return ""
    return t(PAGE_TITLES[page]) if page in PAGE_TITLES else page


def details_text(details: object) -> str:
    """Stored details as one readable line: ``key: value · …`` (nested values as JSON)."""
    if not isinstance(details, str) or not details:
        return ""
    value = parse_details(details)
    if not value:
        return details
    return " · ".join(
        f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
        for k, v in value.items()
    )


def localised(rows: pd.DataFrame, *, readable: bool = True) -> pd.DataFrame:
    """Audit rows as the page shows them: names in the page's language, details as a line
    (``readable``) or as the stored JSON (the CSV)."""
    out = pd.DataFrame(
        {
            t("audit_col_seq"): rows["seq"].astype("int64"),
            t("audit_col_at"): pd.to_datetime(rows["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            t("audit_col_actor"): rows["actor"].astype(str),
            t("audit_col_role"): [role_label(r) if isinstance(r, str) else "" for r in rows["role"]],
            t("audit_col_action"): [action_label(a) for a in rows["action"]],
            t("audit_col_page"): [page_label(p) for p in rows["page"]],
            t("audit_col_details"): [
                details_text(d) if readable else d if isinstance(d, str) else "" for d in rows["details"]
            ],
        }
    )
    return out


def render_table(store: Store, filters: AuditFilters, total: int) -> None:
    """One page of rows, newest first, and the page picker."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    wanted = url.get_int("p", range(1, pages + 1)) if url.has("p") else 1
    _seed("audit_page", wanted or 1)
    if st.session_state.get("_audit_filters", repr(filters)) != repr(filters):
        st.session_state["audit_page"] = 1  # other filters: back to the first page
    st.session_state["_audit_filters"] = repr(filters)
    if st.session_state["audit_page"] > pages:
        st.session_state["audit_page"] = pages
    page = 1
    if pages > 1:
        picker, _ = st.columns([1, 4])
        page = int(
            picker.number_input(t("audit_page_no", pages=pages), min_value=1, max_value=pages, step=1, key="audit_page")
        )
    offset = (page - 1) * PAGE_SIZE
    rows = list_audit(store, **filters.query, limit=PAGE_SIZE, offset=offset)  # type: ignore[arg-type]
    st.caption(t_count("audit_rows", total, n=f"{total:,}", first=offset + 1, last=offset + len(rows)))
    shown = localised(rows)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(len(shown), 20) * 35 + 38,  # up to 20 rows without scrolling the table
        key="audit_table",
        column_config={
            t("audit_col_seq"): col.count(t("audit_col_seq")),
            t("audit_col_details"): col.text(t("audit_col_details"), width="large"),
        },
    )
    url.stage({"p": str(page) if page > 1 else None})


def render_download(store: Store, filters: AuditFilters, total: int) -> None:
    """The filtered rows (the newest :data:`EXPORT_LIMIT`) as CSV with the filters on top;
    the download itself is an ``export`` row of the trail."""
    if total > EXPORT_LIMIT:
        st.caption(t("audit_download_more", n=f"{EXPORT_LIMIT:,}"))
    rows = localised(list_audit(store, **filters.query, limit=EXPORT_LIMIT), readable=False)  # type: ignore[arg-type]
    notes = [
        (t("export_page"), t("audit_export_about")),
        (t("audit_dates"), f"{filters.first:%Y-%m-%d} – {filters.last:%Y-%m-%d}"),
        (t("audit_actor"), filters.actor or t("audit_any")),
        (t("audit_action"), action_label(filters.action) if filters.action else t("audit_any")),
        (t("export_made"), f"{datetime.now():%Y-%m-%d %H:%M}"),
    ]
    name = f"gridscope_audit_{filters.first:%Y-%m-%d}_{filters.last:%Y-%m-%d}.csv"
    st.download_button(
        t("audit_download", n=f"{EXPORT_LIMIT:,}"),
        csv_bytes(rows, notes),
        file_name=name,
        mime="text/csv",
        key="audit_csv",
        icon=":material/download:",
        on_click=export_callback,
        args=("audit_csv", name, len(rows), notes),
    )


render()
