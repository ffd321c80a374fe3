"""Widgets of the import page: column mapping with suggestions, CRS picker, the report."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.i18n import current_language, t, t_count
from dashboard.safe_text import md
from data.contracts import AREA_LEVELS, DEFAULT_SLA_HOURS
from data.exports import csv_bytes
from data.ingest import ImportReport
from data.ingest.batches import unfinished_batches
from data.ingest.mappings import (
    FIELDS,
    REQUIRED,
    TIME_FIELDS,
    Mapping,
    MappingError,
    detect_mapping,
    list_mappings,
    load_mapping,
    parse_mapping,
    suggest_columns,
)
from data.ingest.reasons import reason_zh, warning_zh
from data.ingest.statuses import STATUS_FINDINGS
from data.ingest.timeformats import DATE_ORDERS, AmbiguousDateOrderError
from queries import StoreUnavailable

CRS_CHOICES = ("wgs84", "gcj02", "bd09", "epsg")
_NONE = "\u2014"


def save_upload(upload, key_prefix: str) -> Path:
    """Write an uploaded file to this session's temporary folder (once) and return its path."""
    folder = st.session_state.setdefault(f"{key_prefix}_dir", tempfile.mkdtemp(prefix="gridscope-import-"))
    # The user's own file name (messages and the report show it), in a folder per upload.
    name = upload.name.replace("/", "_").replace("\\", "_").replace("\x00", "_").lstrip(".") or "upload"
    path = Path(folder) / upload.file_id / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.getbuffer())
    return path


def render_mapping_form(columns: list[str], table: str, key_prefix: str) -> Mapping:
    """Pick a preset (or upload a TOML mapping), then adjust the column of every field."""
    st.subheader(t("import_mapping"))
    presets = list_mappings(table)
    detected = detect_mapping(columns, table).name
    left, right = st.columns([1, 2])
    titles = {n: f"{n} · {_title(n)}" for n in presets}  # now: format_func may run outside the run
    preset = left.selectbox(
        t("import_mapping_preset"),
        presets,
        index=presets.index(detected),
        key=f"{key_prefix}_preset",
        format_func=titles.get,
    )
    upload = right.file_uploader(t("import_mapping_file"), type=["toml"], key=f"{key_prefix}_mapping_file")
    base = load_mapping(preset)
    if upload is not None:
        try:
            base = parse_mapping(upload.getvalue().decode("utf-8"), name=Path(upload.name).stem)
        except (MappingError, UnicodeDecodeError) as exc:
            st.error(t("import_failed", detail=md(exc)))
    if base.table != table:
        st.error(t("import_failed", detail=md(f"mapping {base.name!r} is for {base.table}")))
        base = load_mapping(detected)
    resolved = base.resolve(columns)
    suggested = {field: col for col, field in suggest_columns(columns, base).items()}
    st.caption(t("import_mapping_help"))
    if suggested:
        st.caption(
            t(
                "import_suggested",
                pairs=_sep().join(f"{md(c)} → {t('import_field_' + f)}" for f, c in suggested.items()),
            )
        )
    options = [_NONE, *columns]
    chosen: dict[str, str | None] = {}
    grid = st.columns(4)
    for i, field in enumerate(FIELDS[table]):
        default = resolved.get(field) or suggested.get(field)
        label = t(f"import_field_{field}") + (" *" if field in REQUIRED[table] else "")
        pick = grid[i % 4].selectbox(
            label,
            options,
            index=options.index(default) if default in options else 0,
            key=f"{key_prefix}_{base.name}_{field}",
        )
        chosen[field] = None if pick == _NONE else pick
    mapping = base.with_columns(chosen)
    if mapping.status_note_rules and chosen.get("status_note"):
        sep = _sep()
        listed = [
            f"“{md(r.pattern)}”" + ("" if r.status == "cancelled" else f" → {t('import_note_rule_closed')}")
            for r in mapping.status_note_rules
        ]
        st.caption(
            t_count(
                "import_note_rules",
                len(listed),
                column=md(chosen["status_note"]),
                n=len(listed),
                rules=sep.join(listed),
            )
        )
    if TIME_FIELDS[table]:
        mapping = render_date_order(mapping, key_prefix)
    missing = mapping.missing_required(columns)
    if table == "events" and st.session_state.get(f"{key_prefix}_geometry"):
        missing = [f for f in missing if f not in ("lon", "lat")]
    if missing:
        st.warning(t("import_missing_required", fields=_sep().join(t(f"import_field_{f}") for f in missing)))
    st.download_button(
        t("import_mapping_download"),
        mapping.to_toml().encode("utf-8"),
        file_name=f"{mapping.name}.toml",
        mime="application/toml",
        key=f"{key_prefix}_mapping_dl",
    )
    return mapping


def render_date_order(mapping: Mapping, key_prefix: str) -> Mapping:
    """Date order for dates like 03/04/2024 (detected unless chosen); returns the mapping with it."""
    orders = ["auto", *DATE_ORDERS]
    labels = {o: t(f"import_date_order_{o}") for o in orders}
    current = mapping.date_order or "auto"
    pick = st.selectbox(
        t("import_date_order"),
        orders,
        index=orders.index(current),
        format_func=labels.get,
        help=t("import_date_order_help"),
        key=f"{key_prefix}_{mapping.name}_date_order",
    )
    return replace(mapping, date_order=None if pick == "auto" else pick)


def import_error_text(exc: Exception) -> str:
    """An import's refusal in the page's language (an ambiguous date order has its own text)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, AmbiguousDateOrderError) else exc
    if isinstance(cause, AmbiguousDateOrderError):
        return t(
            "import_ambiguous_dates",
            column=md(cause.column),
            field=t(f"import_field_{cause.field}"),
            examples=_sep().join(md(e) for e in cause.examples),
        )
    return t("import_failed", detail=md(exc))


def _time_text(info: dict) -> str:
    """One time column's detected format in the page's language."""
    if info.get("ambiguous"):
        return t("import_time_ambiguous")
    if not info.get("pattern"):
        return t("import_time_unknown")
    notes = []
    pattern = str(info["pattern"])
    if pattern in ("excel", "epoch_s", "epoch_ms"):
        notes.append(t(f"import_time_{pattern}"))
    if info.get("order") in ("mdy", "dmy", "ymd", "name"):
        notes.append(t(f"import_time_order_{info['order']}"))
    if info.get("two_digit_year"):
        notes.append(t("import_time_two_digit_year"))
    if info.get("zoned") and not pattern.startswith("epoch"):
        notes.append(t("import_time_zoned"))
    if info.get("date_only"):
        notes.append(t("import_time_date_only"))
    notes.append(t("import_time_mapping" if info.get("source") == "mapping" else "import_time_detected"))
    if info.get("order_source") == "mapping":
        notes.append(t("import_time_order_from_mapping"))
    sep = "，" if current_language() == "zh" else ", "
    return t("import_time_line", pattern=md(pattern), notes=sep.join(notes))


def _title(name: str) -> str:
    m = load_mapping(name)
    return m.title_zh if current_language() == "zh" else m.title


def render_crs_picker(declared: str | None, key_prefix: str) -> str:
    """WGS-84, GCJ-02, BD-09 or an EPSG code; defaults to what the file declares."""
    default = "wgs84"
    code = ""
    if declared and declared.upper() not in ("EPSG:4326", "OGC:CRS84", "WGS84"):
        default, code = "epsg", declared.upper().removeprefix("EPSG:")
    left, right = st.columns([2, 1])
    labels = {c: t(f"import_crs_{c}") for c in CRS_CHOICES}
    choice = left.radio(
        t("import_crs"),
        CRS_CHOICES,
        index=CRS_CHOICES.index(default),
        horizontal=True,
        format_func=labels.get,
        key=f"{key_prefix}_crs",
    )
    if choice != "epsg":
        return choice
    code = right.text_input(t("import_epsg_code"), value=code or "4547", key=f"{key_prefix}_epsg")
    return f"EPSG:{code.strip().upper().removeprefix('EPSG:')}"


def render_level_picker(key_prefix: str) -> str:
    """Level for area files without a level column."""
    labels = {lv: t(f"level_{lv}") for lv in AREA_LEVELS}
    return st.selectbox(
        t("import_level"),
        AREA_LEVELS,
        index=AREA_LEVELS.index("grid"),
        format_func=labels.get,
        key=f"{key_prefix}_level",
    )


def _sep() -> str:
    """The list separator of the page's language."""
    return "、" if current_language() == "zh" else ", "


def _labels() -> dict[str, str]:
    """Field -> its label on the page (for the field names in reasons and warnings)."""
    return {f: t(f"import_field_{f}") for fields in FIELDS.values() for f in fields}


def _reason(text: str) -> str:
    """A stored reject reason in the page's language (data/ingest/validate.py DETAILS)."""
    return reason_zh(text, _labels()) if current_language() == "zh" else text


def _warning(text: str) -> str:
    """A report warning in the page's language (data/ingest/validate.py WARNINGS)."""
    return warning_zh(text, _labels()) if current_language() == "zh" else text


def _rows(n: int) -> str:
    """``"7 行"`` / ``"7 rows"`` / ``"1 row"``."""
    return t_count("import_rows", n, n=f"{n:,}")


def _item(name: str, n: int) -> str:
    """A listed value with its rows: ``"名称（7 行）"`` / ``"name (7 rows)"``."""
    return t_count("import_item_rows", n, name=name, n=f"{n:,}")


_STATUS_KEYS = {
    "unmapped": "import_status_unmapped",
    "not resolved": "import_status_not_resolved",
    "closed, no time": "import_status_closed_no_time",
    "open, close time": "import_status_open_close_time",
    "by notes": "import_status_by_notes",
}
"""Page text of each :data:`data.ingest.validate.STATUS_FINDINGS` key."""


def render_sla_and_statuses(report: ImportReport) -> None:
    """The categories of the file with an assumed SLA, and the status values worth a look
    (unmapped, closed without a resolution or a time, open with a close time), each with its rows;
    closures the status notes re-classified are listed by the rule that matched."""
    sep = _sep()
    if report.assumed_sla:
        top = report.assumed_sla.most_common()
        names = sep.join(_item(md(c), n) for c, n in top[:20]) + (f" … (+{len(top) - 20:,})" if len(top) > 20 else "")
        response_h, close_h = DEFAULT_SLA_HOURS
        st.warning(
            t_count(
                "import_assumed_sla",
                len(top),
                n=len(top),
                rows=_rows(sum(report.assumed_sla.values())),
                names=names,
                response=response_h,
                close=close_h,
            ),
            icon=":material/schedule:",
        )
    lines = []
    for finding in STATUS_FINDINGS:
        found = [(k.partition(": ")[2], n) for k, n in report.statuses.most_common() if k.startswith(finding + ": ")]
        if found:
            values = sep.join(_item(f"“{md(v)}”", n) for v, n in found[:30]) + (" …" if len(found) > 30 else "")
            finding_text = t(_STATUS_KEYS[finding], column=md(report.columns.get("status_note", "")))
            lines.append(
                "- "
                + t("import_status_line", finding=finding_text, rows=_rows(sum(n for _, n in found)), values=values)
            )
    if lines:
        st.markdown(f"**{t('import_statuses')}**")
        st.markdown("\n".join(lines))


def render_unfinished_batches(store) -> None:
    """A warning naming the imports that were interrupted or failed (data/batches.py)."""
    try:
        unfinished = unfinished_batches(store)
    except StoreUnavailable as exc:  # e.g. a PostGIS database not upgraded yet (gridscope db init)
        st.caption(t("import_batches_unavailable", detail=md(exc)))
        return
    if not unfinished:
        return
    lines = [
        t(
            "import_unfinished_line",
            batch=md(b.batch_id),
            kind=t(f"import_kind_{b.kind}"),
            file=md(b.file_name),
            state=t(f"import_batch_{b.status}"),
            chunks=f"{b.chunks:,}",
            rows=f"{b.rows_stored:,}",
            started=f"{b.started_at:%Y-%m-%d %H:%M}",
        )
        for b in unfinished[:10]
    ]
    st.warning(
        t("import_unfinished", n=len(unfinished)) + "\n\n" + "\n".join(f"- {line}" for line in lines),
        icon=":material/history:",
    )


def render_report(report: ImportReport, rejects: pd.DataFrame, key_prefix: str) -> None:
    """Reconciliation, reasons, notes and the rejected rows of a check or an import."""
    st.subheader(t("import_check_title") if report.dry_run else t("import_done_title"))
    if report.completes:
        st.info(t("import_completes_check" if report.dry_run else "import_completes", batch=md(report.completes)))
    cols = st.columns(3)
    cols[0].metric(t("import_rows_read"), f"{report.rows_read:,}", border=True)
    cols[1].metric(t("import_would_store") if report.dry_run else t("import_stored"), f"{report.stored:,}", border=True)
    cols[2].metric(t("import_rejected"), f"{report.rejected:,}", border=True)
    fmt = {"read": f"{report.rows_read:,}", "stored": f"{report.stored:,}", "rejected": f"{report.rejected:,}"}
    if report.reconciled:
        st.success(t("import_reconciled", **fmt))
    else:
        st.error(t("import_not_reconciled", **fmt))
    if not report.dry_run:
        st.caption(
            t(
                "import_breakdown",
                new=f"{report.inserted:,}",
                updated=f"{report.updated:,}",
                unchanged=f"{report.unchanged + report.merged:,}",
            )
        )
    if report.error:
        st.error(t("import_stopped", error=md(report.error)))
    if report.table == "areas" and not report.dry_run:
        st.info(t("import_reassigned", n=f"{report.reassigned:,}", outside=f"{report.outside_new_areas:,}"))
    if report.table == "areas":
        st.caption(
            t(
                "import_parents",
                file=f"{report.parents_from_file:,}",
                located=f"{report.parents_by_location:,}",
                top=f"{report.parents_top:,}",
            )
        )
    if report.new_categories:
        st.caption(t("import_new_categories", names=_sep().join(md(c) for c in report.new_categories[:30])))
    if report.new_departments:
        st.caption(t("import_new_departments", names=_sep().join(md(d) for d in report.new_departments[:30])))
    if report.table == "categories" and not report.dry_run and report.stored:
        st.info(t("import_categories_refreshed"))
    render_sla_and_statuses(report)
    if report.time_formats:
        st.markdown(f"**{t('import_time_formats')}**")
        st.markdown(
            "\n".join(
                "- "
                + t(
                    "import_count_line",
                    text=f"{t(f'import_field_{name}')} ← {md(info.get('column'))}",
                    n=_time_text(info),
                )
                for name, info in report.time_formats.items()
            )
        )
        if report.time_window:
            st.caption(t("import_time_window", window=report.time_window))
    if report.reasons:
        st.markdown(f"**{t('import_reasons')}**")
        st.markdown(
            "\n".join(
                "- " + t("import_count_line", text=md(_reason(r)), n=f"{n:,}") for r, n in report.reasons.most_common()
            )
        )
    if report.warnings:
        st.markdown(f"**{t('import_warnings')}**")
        st.markdown(
            "\n".join(
                "- " + t("import_count_line", text=md(_warning(w)), n=f"{n:,}")
                for w, n in report.warnings.most_common(20)
            )
        )
    if len(rejects):
        st.markdown(f"**{t('import_rejected_rows')}**")
        shown = pd.DataFrame(
            {
                t("import_row"): rejects["row_number"].astype(int),
                t("import_reason"): [_reason(r) for r in rejects["reason"]],
                t("import_raw"): rejects["raw"],
            }
        )
        st.dataframe(shown, hide_index=True, key=f"{key_prefix}_rejects")
        st.download_button(
            t("import_download_rejects"),
            csv_bytes(shown),
            file_name=f"rejects-{Path(report.file).stem}.csv",
            mime="text/csv",
            key=f"{key_prefix}_rejects_dl",
        )
