"""The chain page's SLA tab: compliance per category and the per-category SLA edit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.auth import allowed, can, current_user
from dashboard.auth.trail import audit
from dashboard.components import columns as col
from dashboard.components.cached import invalidate
from dashboard.i18n import t
from dashboard.safe_text import md
from dashboard.state import get_writer_store
from data.store import Store, StoreReadOnly
from queries.answers.chain import set_category_sla


def render_sla_tab(store: Store, kpi: pd.DataFrame, cat_names: dict[str, str]) -> None:
    """SLA compliance per category, then a form that changes one category's SLA hours.

    A saved edit clears the page kit's cache (every figure reads the new SLA) and is
    confirmed after the rerun; a read-only store or an invalid value is said on the page.
    The edit form is there only for a role that may edit SLAs (``edit_sla``).
    """
    sla = kpi.assign(name=kpi["code"].map(cat_names).fillna(kpi["code"]))
    st.dataframe(
        sla[
            ["name", "sla_response_h", "sla_close_h", "events", "response_on_time_rate", "on_time_rate", "open_overdue"]
        ],
        hide_index=True,
        width="stretch",
        key="chain_sla_table",
        column_config={
            "name": col.text(t("category")),
            "sla_response_h": col.number(t("chain_col_sla_response"), "%.1f h"),
            "sla_close_h": col.number(t("chain_col_sla_close"), "%.1f h"),
            **col.rate_columns(),
        },
    )
    if not can(current_user(), "edit_sla"):
        return
    st.markdown(f"**{t('chain_sla_edit')}**")
    saved = st.session_state.pop("chain_sla_saved", None)
    if saved:
        st.success(saved)
    e1, e2 = st.columns([2, 3])
    code = e1.selectbox(t("category"), list(sla["code"]), format_func=cat_names.get, key="chain_sla_code")
    current = sla.set_index("code").loc[code]
    with e2.form("chain_sla_form", border=False):
        n1, n2, n3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        response_h = n1.number_input(
            t("chain_col_sla_response"),
            min_value=0.1,
            max_value=8760.0,
            step=0.5,
            value=float(current["sla_response_h"]),
            key=f"chain_sla_resp_{code}",
        )
        close_h = n2.number_input(
            t("chain_col_sla_close"),
            min_value=0.1,
            max_value=8760.0,
            step=1.0,
            value=float(current["sla_close_h"]),
            key=f"chain_sla_close_{code}",
        )
        submitted = n3.form_submit_button(t("chain_sla_save"), type="primary")
    if submitted:
        save_sla(
            code, response_h, close_h, cat_names, old=(float(current["sla_response_h"]), float(current["sla_close_h"]))
        )
    st.caption(t("chain_sla_note"))


def save_sla(
    code: str,
    response_h: float,
    close_h: float,
    cat_names: dict[str, str],
    old: tuple[float, float] | None = None,
) -> None:
    """Save category ``code``'s SLA through the writer store (never a reader connection);
    refused, store unchanged, for a role without ``edit_sla``: checked here, in the handler,
    not only by hiding the form. A saved change is a ``sla_change`` row of the audit trail
    with the ``old`` (response, close) hours and the new ones."""
    if not allowed("edit_sla", page="chain"):
        return
    try:
        set_category_sla(get_writer_store(), code, response_h=response_h, close_h=close_h)
    except StoreReadOnly:
        st.error(t("chain_sla_read_only"))
    except ValueError as exc:
        st.error(t("chain_sla_invalid", detail=md(exc)))
    else:
        audit(
            "sla_change",
            page="chain",
            category=code,
            old={"response_h": old[0], "close_h": old[1]} if old else None,
            new={"response_h": float(response_h), "close_h": float(close_h)},
        )
        invalidate()
        st.session_state["chain_sla_saved"] = t(
            "chain_sla_saved", category=md(cat_names.get(code, code)), response=response_h, close=close_h
        )
        st.rerun()
