"""A warning on pages whose on-time rates, overdue counts and rankings rest on assumed SLAs."""

from __future__ import annotations

import streamlit as st

from dashboard.components.cached import cached_answer
from dashboard.i18n import current_language, name_column, t, t_count
from dashboard.safe_text import md
from data.contracts import DEFAULT_SLA_HOURS
from data.store import Store
from queries import EventFilter
from queries.answers.chain import assumed_sla_categories

SHOWN = 8
"""Categories named in the warning; the rest are counted."""


def render_assumed_sla_notice(store: Store, flt: EventFilter, *, editor_below: bool = False) -> int:
    """Name the categories of ``flt``'s events whose SLA is assumed (the import's defaults).

    ``editor_below``: the page itself has the SLA editor (the chain page), so the notice
    points there rather than to another page. Shows nothing when there are none; returns
    how many there are.
    """
    cats = cached_answer(assumed_sla_categories, store, flt)
    if cats.empty:
        return 0
    names = cats[name_column()].fillna(cats["code"]).astype(str)
    items = [
        t_count("sla_assumed_item", int(e), name=md(n), events=f"{int(e):,}")
        for n, e in zip(names.head(SHOWN), cats["events"].head(SHOWN), strict=True)
    ]
    text = ("、" if current_language() == "zh" else ", ").join(items)
    if len(cats) > SHOWN:
        text += " " + t("sla_assumed_more", more=len(cats) - SHOWN)
    response_h, close_h = DEFAULT_SLA_HOURS
    fix = t("sla_assumed_fix_chain" if editor_below else "sla_assumed_fix")
    st.warning(
        t_count("sla_assumed_notice", len(cats), n=len(cats), names=text, response=response_h, close=close_h, fix=fix),
        icon=":material/schedule:",
    )
    return len(cats)
