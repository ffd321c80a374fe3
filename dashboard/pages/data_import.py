"""Import data (导入数据): upload, preview, map columns, choose the CRS, check, confirm."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard.auth import allowed, require
from dashboard.auth.trail import audit
from dashboard.components.cached import invalidate
from dashboard.components.import_form import (
    render_crs_picker,
    render_level_picker,
    render_mapping_form,
    save_upload,
)
from dashboard.components.import_report import import_error_text, render_report, render_unfinished_batches
from dashboard.i18n import t, t_count
from dashboard.safe_text import md
from dashboard.state import get_store, get_writer_store
from data.ingest import (
    DryRunStore,
    ImportFileError,
    ImportReport,
    import_areas,
    import_categories,
    import_events,
    import_readings,
)
from data.ingest.readers import ReadError, open_source, read_areas
from data.store import Store
from queries.answers.lookups import import_rejects

KEY = "imp"
IMPORTERS = {
    "events": import_events,
    "areas": import_areas,
    "readings": import_readings,
    "categories": import_categories,
}


@dataclass(frozen=True)
class Opened:
    """What the page knows of the uploaded file before importing it."""

    columns: list[str]
    preview: pd.DataFrame
    declared_crs: str | None
    info: str


def render() -> None:
    """The page (administrators only): the kind and the file, its preview, the column
    mapping, check, then import."""
    require("import", page="import")
    store = get_store()
    st.title(t("import_title"))
    st.caption(t("import_intro"))
    render_unfinished_batches(store)
    kind, upload = render_upload()
    if upload is None:
        return
    path = save_upload(upload, KEY)
    try:
        opened = open_file(path, kind)
    except ReadError as exc:
        st.error(t("import_failed", detail=md(exc)))
        return
    st.caption(opened.info)
    with st.expander(t("import_preview"), expanded=True):
        st.dataframe(opened.preview, key=f"{KEY}_preview")
    options, settings_key = render_settings(opened, kind, path)
    render_check_and_import(store, kind, path, options, settings_key)


def render_upload() -> tuple[str, UploadedFile | None]:
    """The kind of data and the file uploader for it."""
    kind = (
        st.segmented_control(
            t("import_kind"),
            list(IMPORTERS),
            default="events",
            key=f"{KEY}_kind",
            format_func=lambda k: t(f"import_kind_{k}"),
        )
        or "events"
    )
    types = ["geojson", "json", "gpkg", "zip", "parquet"]
    if kind != "areas":
        types = ["csv", "txt", "tsv", "xlsx", "xls", *types]
    if kind == "categories":  # a table: no geometry formats
        types = ["csv", "txt", "tsv", "xlsx", "xls"]
        st.caption(t("import_categories_help"))
    upload_label = {"areas": "import_upload_areas", "categories": "import_upload_categories"}.get(kind, "import_upload")
    return kind, st.file_uploader(t(upload_label), type=types, key=f"{KEY}_file_{kind}")


def open_file(path: Path, kind: str) -> Opened:
    """The file's columns, first rows, declared CRS and a line describing it (raises ``ReadError``)."""
    if kind == "areas":
        attrs, _, declared = read_areas(path)
        columns = list(attrs.columns)
        info = t(
            "import_file_info",
            format="vector",
            encoding="—",
            rows=t_count("import_rows", len(attrs), n=f"{len(attrs):,}"),
            columns=len(columns),
            crs=md(declared) if declared else t("import_unknown"),
        )
        return Opened(columns, attrs.head(20), declared, info)
    src = open_source(path)
    columns, declared = src.info.columns, src.info.crs
    st.session_state[f"{KEY}_geometry"] = src.info.geometry
    info = t(
        "import_file_info",
        format=md(src.info.format),
        encoding=md(src.info.encoding or "—"),
        rows=t_count("import_rows", src.info.rows, n=f"{src.info.rows:,}")
        if src.info.rows is not None
        else t("import_rows_unknown"),
        columns=len(columns),
        crs=md(declared) if declared else t("import_unknown"),
    )
    return Opened(columns, src.preview(20), declared, info)


def render_settings(opened: Opened, kind: str, path: Path) -> tuple[dict, str]:
    """Column mapping, CRS and (areas) level; returns the importer's options and their key."""
    mapping = render_mapping_form(opened.columns, kind, f"{KEY}_{kind}")
    crs = None if kind == "categories" else render_crs_picker(opened.declared_crs, f"{KEY}_{kind}")
    options = {"mapping": mapping} if kind == "categories" else {"mapping": mapping, "crs": crs}
    if kind == "areas":
        options["level"] = render_level_picker(f"{KEY}_{kind}")
    settings_key = hashlib.sha256(f"{path}|{mapping.to_toml()}|{crs}|{options.get('level')}".encode()).hexdigest()
    return options, settings_key


def render_check_and_import(store: Store, kind: str, path: Path, options: dict, settings_key: str) -> None:
    """The check (a dry run) and import buttons, and the report of the last of them."""
    left, right = st.columns(2)
    if left.button(t("import_check"), type="secondary", key=f"{KEY}_check_btn", width="stretch"):
        _check(store, kind, path, options, settings_key)
    checked = st.session_state.get(f"{KEY}_checked")
    ready = checked is not None and checked[0] == settings_key
    if right.button(t("import_confirm"), type="primary", disabled=not ready, key=f"{KEY}_confirm_btn", width="stretch"):
        _import(store, kind, path, options, settings_key)
    done = st.session_state.get(f"{KEY}_done")
    if done is not None and done[0] == settings_key:
        render_report(done[1], done[2], key_prefix=f"{KEY}_done")
        st.page_link("dashboard/pages/overview.py", label=t("import_go_overview"), icon=":material/dashboard:")
    elif checked is not None:
        if not ready:
            st.info(t("import_check_first"))
        render_report(checked[1], checked[2], key_prefix=f"{KEY}_check")


def _check(store: Store, kind: str, path: Path, options: dict, settings_key: str) -> None:
    if not allowed("import", page="import"):
        return
    dry = DryRunStore(store)
    try:
        with st.spinner(t("import_checking")):
            report = IMPORTERS[kind](dry, path, **options)
        st.session_state[f"{KEY}_checked"] = (settings_key, report, dry.rejected_rows())
        st.session_state.pop(f"{KEY}_done", None)
    except (ImportFileError, ValueError) as exc:
        st.session_state.pop(f"{KEY}_checked", None)
        st.error(import_error_text(exc))


def _import(store: Store, kind: str, path: Path, options: dict, settings_key: str) -> None:
    """Import the file into the writer store (``get_writer_store``: never the PostGIS reader's
    connection); refused, with the store unchanged, for a role that may not import."""
    if not allowed("import", page="import"):
        return
    bar = st.progress(0.0, text=t("import_importing"))

    def progress(done: int, total: int | None) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.5, text=f"{t('import_importing')} {done:,}")

    try:
        writer = get_writer_store()
        report = IMPORTERS[kind](writer, path, progress=progress, **options)
        audit_import(kind, path, report)
        rejects = import_rejects(writer, report.batch_id, limit=1000)
        st.session_state[f"{KEY}_done"] = (settings_key, report, rejects)
        st.session_state.pop(f"{KEY}_checked", None)
        invalidate()  # every page reads the new data
    except (ImportFileError, ValueError) as exc:
        audit("import", page="import", outcome="refused", kind=kind, file=path.name, error=str(exc))
        st.error(import_error_text(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. a read-only database role: say so on the page
        audit("import", page="import", outcome="failed", kind=kind, file=path.name, error=type(exc).__name__)
        st.error(t("import_failed", detail=md(f"{type(exc).__name__}: {exc}")))
    bar.empty()


def audit_import(kind: str, path: Path, report: ImportReport) -> None:
    """The import's row of the audit trail: the batch, kind and file and what became of its rows."""
    audit(
        "import",
        page="import",
        outcome="done",
        batch_id=report.batch_id,
        kind=kind,
        file=path.name,
        rows_read=report.rows_read,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
    )


render()
