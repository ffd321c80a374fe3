"""Event search and record (事件查询与档案), internal pages only: find an event by its id or a
text fragment, and open its whole chain with its stage times against the SLA.

The address carries the open record (``?id=``) and the search text (``?q=``); both are read
through :mod:`dashboard.components.url_state` (an id that is too long or unprintable is
refused with a message, an unknown one says so), and reach SQL only as bound parameters.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.components import columns as col
from dashboard.components import url_state as url
from dashboard.components.cached import cached_answer
from dashboard.components.names import department_names, source_names, stage_names
from dashboard.i18n import current_language, t
from dashboard.safe_text import md
from dashboard.state import data_now, get_store
from data.store import Store
from queries.answers.search import SEARCH_LIMIT, EventRecord, SlaCheck, event_record, search_events

CHAIN_PAGE = "dashboard/pages/chain.py"
_SEARCH_KEY = "event_q"
_SEEDED = "event_q_seeded"


def render() -> None:
    """The page: the search box and its results, then the record the address names."""
    store = get_store()
    now = data_now()
    st.title(t("evt_title"))
    st.caption(t("evt_caption"))
    if not st.session_state.get(_SEEDED):
        st.session_state[_SEEDED] = True
        st.session_state[_SEARCH_KEY] = url.get_text("q") or ""
    text = st.text_input(t("evt_search"), key=_SEARCH_KEY, placeholder=t("evt_search_placeholder"), max_chars=100)
    if text.strip():
        render_results(store, text)
    elif "q" in st.query_params:
        del st.query_params["q"]
    if url.has("id"):
        event_id = url.get_text("id")
        if event_id is None:
            st.error(t("evt_bad_id"))
        else:
            render_record(store, event_id, now)


def render_results(store: Store, text: str) -> None:
    """The events found for ``text``; selecting a row opens its record."""
    if st.query_params.get("q") != text.strip():
        st.query_params["q"] = text.strip()
    try:
        found = cached_answer(search_events, store, text, SEARCH_LIMIT)
    except ValueError as exc:
        st.error(t("evt_bad_query", error=str(exc)))
        return
    if found.empty:
        st.info(t("evt_no_results", q=md(text.strip())))
        return
    st.caption(t("evt_results_one") if len(found) == 1 else t("evt_results", n=len(found), limit=SEARCH_LIMIT))
    suffix = current_language()
    listing = pd.DataFrame(
        {
            "event_id": found["event_id"],
            "reported_at": found["reported_at"],
            "category": found[f"category_{suffix}"].fillna(found["category"]),
            "status": found["status"].map(stage_names()).fillna(found["status"]),
            "street": found[f"street_{suffix}"].fillna(found["street_id"]).fillna("—"),
            "grid": found[f"grid_{suffix}"].fillna(found["grid_id"]).fillna("—"),
            "description": found["description"].fillna("—"),
        }
    )
    picked = st.dataframe(
        listing,
        hide_index=True,
        width="stretch",
        key="event_results",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "event_id": col.text(t("evt_col_id")),
            "reported_at": col.when(t("evt_col_reported")),
            "category": col.text(t("category")),
            "status": col.text(t("evt_col_status")),
            "street": col.text(t("level_street")),
            "grid": col.text(t("level_grid")),
            "description": col.text(t("evt_col_description")),
        },
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:
        chosen = str(listing["event_id"].iloc[rows[0]])
        if st.query_params.get("id") != chosen:
            st.query_params["id"] = chosen
            st.rerun()


def _name(event: dict[str, object], field: str) -> str:
    value = event.get(f"{field}_{current_language()}") or event.get(f"{field}_zh") or event.get(f"{field}_id")
    return md(value) if value else "—"


def render_record(store: Store, event_id: str, now: datetime) -> None:
    """The record of ``event_id``: its fields, its deadlines and its whole chain."""
    record = cached_answer(event_record, store, event_id, now)
    if record is None:
        st.warning(t("evt_not_found", id=md(event_id)))
        return
    event = record.event
    st.subheader(t("evt_record", id=md(event["event_id"])))
    status = str(event["status"])
    category = md(event.get(f"category_{current_language()}") or event["category"])
    sla = t("evt_sla_hours", respond=float(event["sla_response_h"] or 0), close=float(event["sla_close_h"] or 0))
    if event.get("sla_assumed"):
        sla += " " + t("evt_sla_assumed")
    area = " › ".join(_name(event, lv) for lv in ("street", "community", "grid"))
    lines = [
        (t("evt_field_category"), category),
        (t("evt_field_department"), _name(event, "department") if event.get("department") else "—"),
        (t("evt_field_source"), source_names().get(str(event["source"]), md(event["source"]))),
        (t("evt_field_status"), stage_names().get(status, md(status))),
        (t("evt_field_area"), area),
        (t("evt_field_sla"), sla),
        (t("evt_field_rating"), "—" if event.get("satisfaction") is None else f"{int(event['satisfaction'])} / 5"),
        (t("evt_field_reopened"), t("evt_yes") if event.get("reopened") else t("evt_no")),
    ]
    sep = "：" if current_language() == "zh" else ": "
    st.markdown("  \n".join(f"**{label}**{sep}{value}" for label, value in lines))
    if event.get("description"):
        st.markdown(f"**{t('evt_col_description')}**{sep}{md(event['description'])}")
    if event.get("street_id"):
        st.page_link(
            CHAIN_PAGE,
            label=t("evt_go_chain"),
            icon=":material/account_tree:",
            query_params={"level": "street", "area": str(event["street_id"])},
        )
    render_sla(record)
    render_history(record, department_names(store))


DASH = "—"  # shown for a value that does not exist (never "None")


def _when(value: object) -> str:
    return DASH if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _sla_row(check: SlaCheck) -> dict[str, object]:
    return {
        "kind": t(f"evt_sla_{check.kind}"),
        "due": _when(check.due),
        "done": _when(check.done),
        "state": t(f"evt_state_{check.state}"),
        "hours": DASH if check.hours is None else f"{check.hours:,.1f}",
    }


def render_sla(record: EventRecord) -> None:
    """The response and close deadlines: due, done, on time or late by how much."""
    st.markdown(f"**{t('evt_sla_title', as_of=f'{record.as_of:%Y-%m-%d %H:%M}')}**")
    st.dataframe(
        pd.DataFrame([_sla_row(c) for c in record.sla]),
        hide_index=True,
        width="stretch",
        key="event_sla",
        column_config={
            "kind": col.text(t("evt_sla_col_kind")),
            "due": col.text(t("evt_sla_col_due")),
            "done": col.text(t("evt_sla_col_done")),
            "state": col.text(t("evt_sla_col_state")),
            "hours": col.text(t("evt_sla_col_hours")),
        },
    )


def render_history(record: EventRecord, departments: dict[str, str]) -> None:
    """Every stage with its time, hours since the report, actor (a department code by its
    name) and note."""
    st.markdown(f"**{t('evt_history_title')}**")
    st.caption(t("evt_history_from_log") if record.from_log else t("evt_history_from_stages"))
    history = record.history
    st.dataframe(
        pd.DataFrame(
            {
                "stage": history["stage"].map(stage_names()).fillna(history["stage"]),
                "at": history["at"],
                "since": history["hours_since_report"],
                "actor": [departments.get(a, a) if isinstance(a, str) and a else DASH for a in history["actor"]],
                "note": [n if isinstance(n, str) and n else DASH for n in history["note"]],
            }
        ),
        hide_index=True,
        width="stretch",
        key="event_history",
        column_config={
            "stage": col.text(t("evt_col_stage")),
            "at": col.when(t("evt_col_at")),
            "since": col.number(t("evt_col_since"), "%.1f"),
            "actor": col.text(t("evt_col_actor")),
            "note": col.text(t("evt_col_note")),
        },
    )


render()
