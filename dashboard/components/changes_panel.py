"""The overview's "what changed" panel (变化速览): the biggest movers by category and street,
new and intensifying hot spots, and unusual days, each a link to the page that explains it.

The answers come from :mod:`queries.answers.changes` (the same services the trends and
hotspot pages use, through the kit's cache); the links carry the filters in the address
(``start``, ``end``, ``cat``, ``src``, ``street``, ``dept``), so the page opens on the same view.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.components.cached import cached_answer
from dashboard.components.filters import data_window, last_day
from dashboard.components.names import category_names, street_names
from dashboard.i18n import name_column, t
from dashboard.safe_text import md
from data.store import Store
from queries import EventFilter
from queries.answers import changes

HOTSPOTS_PAGE = "dashboard/pages/hotspots.py"
TRENDS_PAGE = "dashboard/pages/trends.py"
CHAIN_PAGE = "dashboard/pages/chain.py"
SHOWN = 5
"""Items per list."""


def filter_params(flt: EventFilter, **override: str) -> dict[str, str]:
    """The address parameters of ``flt`` (as every page reads them), with ``override`` on top;
    empty values left out."""
    params = {
        "start": flt.start.date().isoformat(),
        "end": last_day(flt).isoformat(),
        "cat": ",".join(flt.categories),
        "src": ",".join(flt.sources),
        "street": ",".join(flt.street_ids),
        "dept": ",".join(flt.departments),
        **override,
    }
    return {k: v for k, v in params.items() if v}


def _mover_label(name: str, row: pd.Series) -> str:
    pct = "" if row["change_pct"] is None or pd.isna(row["change_pct"]) else t("chg_mover_pct", value=row["change_pct"])
    return t(
        "chg_mover_item",
        name=md(name),
        change=int(row["change"]),
        previous=int(row["previous"]),
        current=int(row["current"]),
        pct=pct,
    )


def render_movers(store: Store, flt: EventFilter, dim: str, min_count: int) -> None:
    """The categories (linking to the trends page for that category) or streets (to the
    chain page drilled into that street) whose counts changed most."""
    st.markdown(f"**{t(f'chg_movers_{dim}')}**")
    frame = cached_answer(changes.movers, store, flt, dim, min_count=min_count, limit=SHOWN)
    if frame.empty:
        st.caption(t("chg_no_movers"))
        return
    names = category_names(store) if dim == "category" else street_names(store)
    for _, row in frame.iterrows():
        key = str(row["key"])
        label = _mover_label(names.get(key) or key, row)
        icon = ":material/trending_up:" if row["change"] > 0 else ":material/trending_down:"
        if dim == "category":
            params = filter_params(flt, cat=key)
            st.page_link(TRENDS_PAGE, label=label, icon=icon, query_params=params, width="stretch")
        else:
            params = filter_params(flt, level="street", area=key)
            st.page_link(CHAIN_PAGE, label=label, icon=icon, query_params=params, width="stretch")


def render_hotspots(store: Store, flt: EventFilter) -> None:
    """New and intensifying hot-spot grids of the emerging analysis, each linking to the
    hotspot page with that grid selected."""
    st.markdown(f"**{t('chg_hotspots')}**")
    found = cached_answer(changes.new_hotspots, store, flt, limit=SHOWN)
    if found.reason:
        st.caption(t(f"chg_hotspots_{'too_short' if found.reason == 'too_few_slices' else 'no_areas'}"))
        return
    if found.table.empty:
        st.caption(t("chg_no_hotspots"))
        return
    method = {"method": "emerging", "unit": changes.HOTSPOT_UNIT, "slice": "week"}
    name = name_column()
    for _, row in found.table.iterrows():
        label = t(
            "chg_hotspot_item",
            name=md(row[name] if isinstance(row[name], str) and row[name] else row["unit_id"]),
            label=t(f"hotspots_label_{row['label']}"),
            events=int(row["events"]),
        )
        params = filter_params(flt, **method, sel=str(row["unit_id"]))
        st.page_link(HOTSPOTS_PAGE, label=label, icon=":material/local_fire_department:", query_params=params)
    total = int(found.table.attrs.get("total", len(found.table)))
    if total > len(found.table):
        st.page_link(
            HOTSPOTS_PAGE,
            label=t("chg_hotspots_more", n=total),
            icon=":material/arrow_forward:",
            query_params=filter_params(flt, **method),
        )


def render_days(store: Store, flt: EventFilter, first_day: date) -> None:
    """Days outside the trends page's anomaly band, linking to the trends page."""
    st.markdown(f"**{t('chg_days')}**")
    days = cached_answer(changes.unusual_days, store, flt, first_day)
    if days.empty:
        st.caption(t("chg_no_days"))
        return
    cats = category_names(store)
    for _, row in days.head(SHOWN).iterrows():
        driver = row["driver"]
        driver_text = t("chg_day_driver", name=md(cats.get(driver, driver))) if isinstance(driver, str) else ""
        label = t(
            "chg_day_item",
            day=pd.Timestamp(row["day"]).date().isoformat(),
            observed=float(row["observed"]),
            expected=float(row["expected"]),
            direction=t("chg_day_high" if row["anomaly"] > 0 else "chg_day_low"),
            driver=driver_text,
        )
        icon = ":material/north_east:" if row["anomaly"] > 0 else ":material/south_east:"
        st.page_link(TRENDS_PAGE, label=label, icon=icon, query_params=filter_params(flt))


def render_changes(store: Store, flt: EventFilter, *, min_count: int = changes.MIN_MOVER_COUNT) -> None:
    """The panel: a caption naming both periods, then movers, hot spots and unusual days."""
    before = flt.previous()
    st.subheader(t("chg_title"))
    st.caption(
        t(
            "chg_caption",
            start=flt.start.date(),
            end=last_day(flt),
            prev_start=before.start.date(),
            prev_end=last_day(before),
            min=min_count,
        )
    )
    first_day, _ = data_window(store)
    # two by two: a link's label is one line, four columns would cut it at 1440 px
    top = st.columns(2)
    with top[0]:
        render_movers(store, flt, "category", min_count)
    with top[1]:
        render_movers(store, flt, "street", min_count)
    bottom = st.columns(2)
    with bottom[0]:
        render_hotspots(store, flt)
    with bottom[1]:
        render_days(store, flt, first_day)
