"""The chain page's whole overdue backlog (any report date): cases per department and age
bucket, and the most overdue cases with a link to each event's record.

The answers come from :func:`queries.answers.backlog.overdue_backlog`; the filter's lists
apply, its dates do not (the in-range list below it on the page covers the chosen period).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard.components import columns as col
from dashboard.components.cached import cached_answer
from dashboard.components.names import stage_names
from dashboard.i18n import current_language, name_column, t
from data.store import Store
from queries import EventFilter
from queries.answers.backlog import AGE_BUCKETS, BACKLOG_LIMIT, overdue_backlog

EVENT_PATH = "event"
"""The event page's address (its ``url_path``), relative to the app."""


def record_url(event_id: object) -> str:
    """The relative address of ``event_id``'s record on the event page (language kept)."""
    return f"{EVENT_PATH}?{urlencode({'id': str(event_id), 'lang': current_language()})}"


def with_record_links(frame: pd.DataFrame, id_column: str = "event_id") -> pd.DataFrame:
    """``frame`` with a ``record`` column linking each row's event to its record (for display;
    leave it out of downloads)."""
    return frame.assign(record=[record_url(e) for e in frame[id_column]])


def record_link_column() -> st.column_config.LinkColumn:
    """The column config of :func:`with_record_links`' ``record`` column."""
    return st.column_config.LinkColumn(t("evt_col_open"), display_text=t("evt_open"), width="small")


def render_backlog(store: Store, flt: EventFilter, now: datetime) -> None:
    """The backlog's total, a department × age-bucket table and the most overdue cases."""
    backlog = cached_answer(overdue_backlog, store, flt, now, BACKLOG_LIMIT)
    st.markdown(f"**{t('bkl_title')}**")
    if backlog.total == 0:
        st.caption(t("bkl_none"))
        return
    st.caption(t("bkl_caption", n=backlog.total, as_of=f"{now:%Y-%m-%d %H:%M}"))
    suffix = "zh" if name_column().endswith("zh") else "en"
    table = backlog.by_department
    shown = pd.DataFrame(
        {
            "department": table[f"department_{suffix}"].fillna(table["department"]).fillna("—"),
            **{b: table[b] for b in AGE_BUCKETS},
            "total": table["total"],
            "oldest_days": table["max_hours_overdue"] / 24,
        }
    )
    buckets = {b: col.count(t(f"bkl_bucket_{b}")) for b in AGE_BUCKETS}
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="backlog_departments",
        column_config={
            "department": col.text(t("department")),
            **buckets,
            "total": col.count(t("bkl_col_total")),
            "oldest_days": col.number(t("bkl_col_oldest"), "%.1f"),
        },
    )
    cases = backlog.cases
    with st.expander(t("bkl_cases", shown=len(cases))):
        listing = pd.DataFrame(
            {
                "event_id": cases["event_id"],
                "bucket": cases["bucket"].map({b: t(f"bkl_bucket_{b}") for b in AGE_BUCKETS}),
                "overdue_hours": cases["hours_overdue"],  # not "hours_overdue": the in-range list has that
                "category": cases[f"category_{suffix}"].fillna(cases["category"]),
                "department": cases[f"department_{suffix}"].fillna(cases["department"]),
                "stage": cases["stage"].map(stage_names()),
                "street": cases[f"street_{suffix}"].fillna(cases["street_id"]),
                "reported_at": cases["reported_at"],
            }
        )
        st.dataframe(
            with_record_links(listing),
            hide_index=True,
            width="stretch",
            height=320,
            key="backlog_cases",
            column_config={
                "event_id": col.text(t("chain_col_event")),
                "bucket": col.text(t("bkl_col_bucket")),
                "overdue_hours": col.number(t("chain_col_hours_overdue"), "%.1f"),
                "category": col.text(t("category")),
                "department": col.text(t("department")),
                "stage": col.text(t("chain_col_stage_now")),
                "street": col.text(t("level_street")),
                "reported_at": col.when(t("chain_col_reported")),
                "record": record_link_column(),
            },
        )
