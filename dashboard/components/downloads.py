"""Downloads for every page (issue 16): localised headers and labels, the filters, dates and
method inside the file, a file name that says what it holds, CSV and Excel.

A page builds its export frame with the headers and labels the user reads (the same
``t()`` strings as its table) and calls :func:`download_buttons`; the cells are neutralised
against spreadsheet formulas by :mod:`data.exports` in both formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.auth import can, current_user
from dashboard.auth.trail import export_callback
from dashboard.components.filters import last_day
from dashboard.components.names import category_names, department_names, source_names, street_names
from dashboard.i18n import t
from data.exports import csv_bytes, xlsx_bytes
from data.store import Store
from queries import EventFilter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(page: str, flt: EventFilter, what: str = "", suffix: str = "csv") -> str:
    """``gridscope_<page>[_<what>]_<first day>_<last day>.<suffix>`` (ASCII, sortable).

    Examples
    --------
    >>> file_name("hotspots", EventFilter(datetime(2026, 6, 1), datetime(2026, 7, 1)), "gi_star")
    'gridscope_hotspots_gi_star_2026-06-01_2026-06-30.csv'
    """
    parts = ["gridscope", page, *([what] if what else []), f"{flt.start:%Y-%m-%d}", f"{last_day(flt):%Y-%m-%d}"]
    return "_".join(p.replace(" ", "-") for p in parts) + f".{suffix}"


def _chosen(values: Sequence[str], names: Mapping[str, str]) -> str:
    return t("num_list_sep").join(names.get(v, v) for v in values) if values else t("all")


def filter_notes(
    store: Store, flt: EventFilter, page_title: str, details: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """What a download holds, as (label, value) rows in the page's language: the page, the
    dates, every list filter (``全部``/"All" when not set), then ``details`` (method, unit,
    thresholds ...) and when it was exported."""
    streets = street_names(store)
    rows = [
        (t("export_page"), page_title),
        (t("date_range"), f"{flt.start:%Y-%m-%d} – {last_day(flt):%Y-%m-%d}"),
        (t("category"), _chosen(flt.categories, category_names(store))),
        (t("source"), _chosen(flt.sources, source_names())),
        (t("department"), _chosen(flt.departments, department_names(store))),
        (t("street"), _chosen(flt.street_ids, streets)),
    ]
    if flt.community_ids:
        rows.append((t("level_community"), _chosen(flt.community_ids, {})))
    if flt.grid_ids:
        rows.append((t("level_grid"), _chosen(flt.grid_ids, {})))
    rows += list(details)
    rows.append((t("export_made"), f"{datetime.now():%Y-%m-%d %H:%M}"))
    return rows


def localised(
    frame: pd.DataFrame, headers: Mapping[str, str], values: Mapping[str, Mapping[str, str]] = {}
) -> pd.DataFrame:
    """``frame``'s columns in ``headers`` (in that order; others dropped), with the codes of
    the ``values`` columns replaced by their names (unknown codes kept)."""
    out = frame[[c for c in headers if c in frame.columns]].copy()
    for column, names in values.items():
        if column in out.columns:
            out[column] = out[column].map(lambda v, n=names: n.get(v, v))
    return out.rename(columns=dict(headers))


def download_buttons(
    frame: pd.DataFrame,
    notes: Sequence[tuple[str, str]],
    *,
    name: str,
    key: str,
    label: str,
    columns: Sequence[object] | None = None,
) -> None:
    """A CSV and an Excel download of ``frame`` (already :func:`localised`) with ``notes``
    (:func:`filter_notes`) as comment rows / a second sheet; ``name`` is the CSV file name
    (:func:`file_name`). ``columns``: two ``st.columns`` cells to put them in. A click is an
    ``export`` row of the audit trail with the file, its rows and ``notes``. Nothing is shown
    (and no file is made or sent) for a role that may not export."""
    if not can(current_user(), "export"):
        return
    left, right = columns if columns is not None else st.columns(2)
    xlsx_name = name.rsplit(".", 1)[0] + ".xlsx"
    # The files are made when clicked (in a thread of their own), not on every rerun: an Excel
    # file of the hotspot ranking took ~1-3 s per rerun. Labels are resolved here, in the run.
    sheets = {"sheet": t("export_sheet_data"), "notes_sheet": t("export_sheet_about")}
    notes = list(notes)
    left.download_button(  # type: ignore[union-attr]
        t("export_csv", what=label),
        lambda: csv_bytes(frame, notes),
        file_name=name,
        mime="text/csv",
        key=f"{key}_csv",
        on_click=export_callback,
        args=(f"{key}_csv", name, len(frame), list(notes)),
    )
    right.download_button(  # type: ignore[union-attr]
        t("export_xlsx", what=label),
        lambda: xlsx_bytes(frame, notes, **sheets),
        file_name=xlsx_name,
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click=export_callback,
        args=(f"{key}_xlsx", xlsx_name, len(frame), list(notes)),
    )
