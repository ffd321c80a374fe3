"""The import page's report: what was stored, rejected and assumed, in the page's language; the
import's refusal text and the list of unfinished imports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.auth.trail import export_callback
from dashboard.components.import_form import list_separator
from dashboard.i18n import current_language, t, t_count
from dashboard.safe_text import md
from data.contracts import DEFAULT_SLA_HOURS
from data.exports import csv_bytes
from data.ingest import ImportReport
from data.ingest.batches import unfinished_batches
from data.ingest.mappings import (
    FIELDS,
)
from data.ingest.reasons import reason_zh, warning_zh
from data.ingest.statuses import STATUS_FINDINGS
from data.ingest.timeformats import AmbiguousDateOrderError
from queries import StoreUnavailable


def import_error_text(exc: Exception) -> str:
    """An import's refusal in the page's language (an ambiguous date order has its own text)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, AmbiguousDateOrderError) else exc
    if isinstance(cause, AmbiguousDateOrderError):
        return t(
            "import_ambiguous_dates",
            column=md(cause.column),
            field=t(f"import_field_{cause.field}"),
            examples=list_separator().join(md(e) for e in cause.examples),
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


def render_sla_and_statuses(report: ImportReport) -> None:
    """The categories of the file with an assumed SLA, and the status values worth a look
    (unmapped, closed without a resolution or a time, open with a close time), each with its rows;
    closures the status notes re-classified are listed by the rule that matched."""
    sep = list_separator()
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
        if report.skipped:
            st.caption(t("import_skipped", n=f"{report.skipped:,}"))
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
        st.caption(t("import_new_categories", names=list_separator().join(md(c) for c in report.new_categories[:30])))
    if report.new_departments:
        st.caption(t("import_new_departments", names=list_separator().join(md(d) for d in report.new_departments[:30])))
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
        name = f"rejects-{Path(report.file).stem}.csv"
        st.download_button(
            t("import_download_rejects"),
            csv_bytes(shown),
            file_name=name,
            mime="text/csv",
            key=f"{key_prefix}_rejects_dl",
            on_click=export_callback,
            args=("import_rejects", name, len(shown), [("batch_id", report.batch_id)]),
        )
