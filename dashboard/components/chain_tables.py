"""The governance-chain page's tables: open overdue cases, rankings of departments and areas, and
sources compared (the page: :mod:`dashboard.pages.chain`)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.chain_view import (
    bar_figure,
    source_figure,
)
from dashboard.charts import cached_chart
from dashboard.components import columns as col
from dashboard.components.backlog_panel import record_link_column, with_record_links
from dashboard.components.cached import cached_answer
from dashboard.components.downloads import download_buttons, file_name, filter_notes, localised
from dashboard.components.names import (
    department_names,
    source_names,
    stage_names,
)
from dashboard.i18n import name_column, t
from data.store import Store
from queries import EventFilter
from queries.answers import chain, lookups
from queries.answers.chain import OVERDUE_LIMIT

RANK_FIELDS = [
    "rank",
    "events",
    "closure_rate",
    "on_time_rate",
    "response_on_time_rate",
    "reopen_rate",
    "satisfaction_rate",
    "median_close_h",
    "open_overdue",
]


def area_labels(store: Store, areas: pd.DataFrame, level: str) -> pd.Series:
    """What a ranking calls each area (``area_id`` and the name columns of ``areas``): its
    name, and for a grid the part that tells it apart first, then its community
    ("第3网格 · 青年路新村社区": grid names that repeat their community's name all read the same
    when a narrow column cuts them). The id where there is no name."""
    name_col = name_column()
    own = areas[name_col].where(areas[name_col].notna(), areas["area_id"]).astype(str)
    parent_level = {"grid": "community"}.get(level)  # a community's name says which it is
    if parent_level is None or "area_id" not in areas:
        return own
    parents = cached_answer(lookups.areas, store, parent_level)
    up = cached_answer(lookups.areas, store, level).set_index("area_id")["parent_id"]
    parent_names = dict(zip(parents["area_id"], parents[name_col].fillna(parents["area_id"]), strict=True))
    out = []
    for area_id, name in zip(areas["area_id"], own, strict=True):
        parent = parent_names.get(up.get(area_id), "")
        short = name[len(parent) :].strip(" ·-") if parent and name.startswith(parent) else name
        out.append(f"{short or name} · {parent}" if parent else name)
    return pd.Series(out, index=areas.index, dtype=object)


def render_overdue(store: Store, flt: EventFilter, now: datetime) -> None:
    """Open overdue cases per department and the longest overdue, with a CSV download."""
    by_dept = cached_answer(chain.overdue_by_department, store, flt, now)
    cases = cached_answer(chain.overdue_cases, store, flt, now, OVERDUE_LIMIT)
    n_overdue = int(by_dept["open_overdue"].sum())
    st.markdown(t("chain_overdue_total", n=n_overdue, shown=min(n_overdue, OVERDUE_LIMIT)))
    o1, o2 = st.columns([2, 3])
    with o1:
        if len(by_dept):
            dept_names = department_names(store)
            cached_chart(
                bar_figure,
                [dept_names.get(d, d or "—") for d in by_dept["department"]],
                by_dept["open_overdue"],
                x_title=t("col_open_overdue"),
                key="chain_overdue_chart",
            )
    with o2:
        suffix = "zh" if name_column().endswith("zh") else "en"
        listing = pd.DataFrame(
            {
                "event_id": cases["event_id"],
                "hours_overdue": cases["hours_overdue"],
                "category": cases[f"category_{suffix}"],
                "department": cases[f"department_{suffix}"],
                "stage": cases["stage"].map(stage_names()),
                "grid": cases[f"grid_{suffix}"].fillna(cases["grid_id"]),
                "street": cases[f"street_{suffix}"].fillna(cases["street_id"]),
                "reported_at": cases["reported_at"],
            }
        )
        col.dataframe(
            with_record_links(listing),  # a link to each event's record (not in the CSV)
            hide_index=True,
            width="stretch",
            height=420,
            key="chain_overdue_table",
            column_config={
                "event_id": col.text(t("chain_col_event")),
                "hours_overdue": col.number(t("chain_col_hours_overdue"), "%.1f"),
                "category": col.text(t("category")),
                "department": col.text(t("department")),
                "stage": col.text(t("chain_col_stage_now")),
                "grid": col.text(t("level_grid")),
                "street": col.text(t("level_street")),
                "reported_at": col.when(t("chain_col_reported")),
                "record": record_link_column(),
            },
        )
        # the table's own CSV download is off (config.toml): these neutralise formula cells
        headers = {
            "event_id": t("chain_col_event"),
            "hours_overdue": t("chain_col_hours_overdue"),
            "category": t("category"),
            "department": t("department"),
            "stage": t("chain_col_stage_now"),
            "grid": t("level_grid"),
            "street": t("level_street"),
            "reported_at": t("chain_col_reported"),
        }
        download_buttons(
            localised(listing, headers),
            filter_notes(store, flt, t("chain_title"), [(t("chain_as_of"), f"{now:%Y-%m-%d %H:%M}")]),
            name=file_name("chain", flt, "overdue"),
            key="chain_overdue",
            label=t("chain_download_overdue_what"),
        )


def render_rankings(
    store: Store, flt: EventFilter, now: datetime, min_events: int, areas: tuple[str, pd.DataFrame] | None
) -> None:
    """Departments ranked, and the areas of the drill-down's map level."""
    ranking = cached_answer(chain.department_ranking, store, flt, now, min_events)
    ranking = ranking.assign(
        department_name=ranking["department"].map(department_names(store)).fillna(ranking["department"])
    )
    st.markdown(f"**{t('chain_dept_ranking')}**")
    col.dataframe(
        ranking[["department_name", *RANK_FIELDS]],
        hide_index=True,
        width="stretch",
        key="chain_dept_table",
        column_config={"department_name": col.name(t("department")), **col.rate_columns()},
    )
    unranked = ranking["rank"].isna().any()
    if areas is not None:
        map_level, area_table = areas
        st.markdown(f"**{t('chain_area_ranking', level=t(f'level_{map_level}'))}**")
        col.dataframe(
            area_table[["area_name", *RANK_FIELDS]],
            hide_index=True,
            width="stretch",
            key="chain_area_table",
            column_config={
                "area_name": col.name(t(f"level_{map_level}"), "num_area_name_help"),
                **col.rate_columns(),
            },
        )
        unranked = unranked or area_table["rank"].isna().any()
    st.caption(t("chain_ranking_note", n=min_events))
    if unranked:
        st.caption(t("num_missing_rank", min=min_events))


def render_sources(store: Store, flt: EventFilter, now: datetime) -> None:
    """Sources compared: share of events, hours to respond and close, rates."""
    sources = cached_answer(chain.source_comparison, store, flt, now)
    source_labels = source_names(sources["source"])
    if len(sources):
        cached_chart(
            source_figure,
            sources,
            source_labels,
            {
                "share": t("chain_col_share"),
                "respond": t("chain_col_median_respond_h"),
                "close": t("chain_col_median_close_h"),
                "hours": t("chain_hours"),
            },
            key="chain_sources_chart",
        )
    col.dataframe(
        sources.assign(source=sources["source"].map(source_labels))[
            [
                "source",
                "events",
                "share",
                "median_respond_h",
                "median_close_h",
                "response_on_time_rate",
                "on_time_rate",
                "satisfaction_rate",
            ]
        ],
        hide_index=True,
        width="stretch",
        key="chain_sources_table",
        column_config={
            "source": col.text(t("source")),
            "share": col.percent(t("chain_col_share")),
            "median_respond_h": col.number(t("chain_col_median_respond_h"), "%.2f"),
            **col.rate_columns(),
        },
    )
