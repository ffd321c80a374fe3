"""Import a table of event categories with their SLA hours (``gridscope import categories FILE``).

One row per category: code, Chinese and English name, responsible department, hours to
respond and hours to close (CSV or XLSX; English or Chinese headers through the
``categories`` preset). Every row is validated and either stored or rejected with a reason
in ``import_rejects``, as for events:

- ``missing id`` (no code), ``missing SLA`` (no response or close hours),
  ``SLA not a number``, ``SLA out of range`` (hours must be in (0, 8760]),
  ``close SLA shorter than response SLA``, ``duplicate id in the file`` (the first row wins).

A row matches a stored category by code, else by its Chinese or English name (a store
filled by an events import often has the names as codes): the stored code is kept, so
events keep their category. Categories are upserted (unchanged rows are left alone) and
their ``sla_assumed`` flag cleared; a department the store does not know is created with
the value as code and name and listed in the report; a new category without a department
gets ``unassigned``. Afterwards every event's stored deadlines are recomputed
(``refresh_event_deadlines``), so on-time rates and overdue counts follow at once. The
writes (departments, categories, deadlines, rejects, the report) are one transaction
(``store.transaction()``): all of them, or nothing when one fails. A check
(:class:`~data.ingest.dry_run.DryRunStore`) writes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from data.ingest.bookkeeping import remember
from data.ingest.catalog import UNASSIGNED, Catalog
from data.ingest.dry_run import DryRunStore
from data.ingest.mappings import Mapping
from data.ingest.opening import open_import
from data.ingest.readers import CHUNK_ROWS, ReadError, Source
from data.ingest.rejects import Rejects, reject
from data.ingest.report import ImportReport, Progress
from data.ingest.validate import DuplicateTracker, fields_frame, reject_unstorable
from data.store import Store

MAX_SLA_HOURS = 24 * 365
"""Longest SLA accepted (a year), as on the chain page's SLA edit."""

_HOURS = ("sla_response_h", "sla_close_h")


def _check(frame: pl.DataFrame) -> pl.DataFrame:
    """Parse the hours and set ``reason`` for rows that cannot be stored (first problem wins)."""
    for col in ("code", *_HOURS):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    frame = reject_unstorable(frame.with_columns(pl.lit(None, dtype=pl.String).alias("reason")))
    num = {c: pl.col(c).str.replace(r"(?i)\s*(h|hours?|小时)$", "").cast(pl.Float64, strict=False) for c in _HOURS}
    frame = frame.with_columns(num[c].alias(f"_{c}") for c in _HOURS)
    expr = (
        pl.when(pl.col("reason").is_not_null())
        .then(pl.col("reason"))
        .when(pl.col("code").is_null())
        .then(pl.lit("missing id"))
    )
    for c in _HOURS:
        expr = expr.when(pl.col(c).is_null()).then(pl.lit(f"missing SLA: {c}"))
    for c in _HOURS:
        expr = expr.when(pl.col(f"_{c}").is_null() | pl.col(f"_{c}").is_nan()).then(
            pl.lit(f"SLA not a number: {c} = '") + pl.col(c).str.slice(0, 40) + pl.lit("'")
        )
    for c in _HOURS:
        v = pl.col(f"_{c}")
        expr = expr.when(~v.is_finite() | (v <= 0) | (v > MAX_SLA_HOURS)).then(
            pl.lit(f"SLA out of range: {c} = ")
            + pl.col(c).str.slice(0, 40)
            + pl.lit(f" (hours must be more than 0 and at most {MAX_SLA_HOURS})")
        )
    expr = expr.when(pl.col("_sla_close_h") < pl.col("_sla_response_h")).then(
        pl.lit("close SLA shorter than response SLA: ")
        + pl.col("_sla_close_h").cast(pl.String)
        + pl.lit(" h < ")
        + pl.col("_sla_response_h").cast(pl.String)
        + pl.lit(" h")
    )
    frame = frame.with_columns(expr.otherwise(None).alias("reason"))
    return frame.drop(*_HOURS).rename({f"_{c}": c for c in _HOURS})


def _stored_code(frame: pl.DataFrame, known: dict[str, str], catalog: Catalog) -> pl.DataFrame:
    """``_code``: the stored category a row updates (by code, else by name) or its own code."""
    names = catalog.categories

    def find(code: str | None, zh: str | None, en: str | None) -> str | None:
        if code is None:
            return None
        if code in known:
            return code
        for name in (zh, en):
            if name:
                hit = names.get(name) or names.get(name.strip().lower())
                if hit is not None:
                    return hit
        return code

    zh = frame.get_column("name_zh").to_list() if "name_zh" in frame.columns else [None] * frame.height
    en = frame.get_column("name_en").to_list() if "name_en" in frame.columns else [None] * frame.height
    codes = [find(c, a, b) for c, a, b in zip(frame.get_column("code").to_list(), zh, en, strict=True)]
    return frame.with_columns(pl.Series("_code", codes, dtype=pl.String))


def import_categories(
    store: Store,
    source: Path | str | Source,
    mapping: Mapping | str | Path | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import a categories file into ``store``: validate, upsert, refresh the events' deadlines.

    Parameters
    ----------
    store : a :class:`data.store.Store` (or a :class:`~data.ingest.dry_run.DryRunStore` to check)
    source : path of a CSV/XLSX file (or an opened :class:`~data.ingest.readers.Source`)
    mapping : a mapping for table ``categories``, a preset name or file; default ``categories``
    batch_id : id for ``import_rejects`` (default: table, file name and time)
    progress : called with (rows done, total or None) after each chunk

    Returns
    -------
    ImportReport
        ``table == "categories"``; inserted/updated/unchanged count categories; rejected
        rows with reasons; ``new_departments`` lists the departments created.

    Raises
    ------
    ImportFileError
        The file cannot be read or has no code / hours columns; nothing was written.
    """
    t0 = time.perf_counter()
    src, mapping, resolved, _crs, chunks, report = open_import(
        source, mapping, None, chunk_rows, batch_id, "categories", geometry_ok=False
    )
    report.crs = ""
    catalog = Catalog.from_store(store)
    stored = store.fetch("list_categories")
    known = {str(c): row for c, row in zip(stored["code"], stored.itertuples(index=False), strict=True)}
    dups = DuplicateTracker()
    rejects = Rejects(store, report.batch_id, report)
    good: list[pl.DataFrame] = []
    rejected: list[pd.DataFrame] = []
    try:
        for chunk in chunks:
            report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
            frame = _stored_code(_check(fields_frame(chunk, mapping, resolved)), known, catalog)
            ok = frame.get_column("reason").is_null().to_numpy()
            first = dups.mark(frame.select("_code"), frame.get_column("_row").to_numpy(), ok)
            if (first > 0).any():
                frame = reject(
                    frame, first > 0, np.char.add("duplicate id in the file: first at row ", first.astype(str))
                )
            bad = rejects.frame(chunk, frame)  # written with the categories, below
            if bad is not None:
                rejected.append(bad)
            good.append(frame.filter(pl.col("reason").is_null()))
            if progress:
                progress(report.rows_read, src.info.rows)
    except ReadError as exc:
        report.error = str(exc)
    rows = pl.concat(good, how="diagonal_relaxed") if good else pl.DataFrame()
    # one transaction: new departments, categories, deadlines, rejects and the report commit
    # together (a failure after the departments used to leave them behind)
    with store.transaction():
        if rows.height:
            frame = _category_rows(rows, known, catalog, store, report)
            counts = store.upsert_frame("categories", frame, ["code"])
            report.inserted, report.updated, report.unchanged = (
                counts["inserted"],
                counts["updated"],
                counts["unchanged"],
            )
            report.new_categories = sorted(set(frame["code"]) - set(known))
            if not isinstance(store, DryRunStore):
                store.execute("refresh_event_deadlines", category=None)
        for bad in rejected:
            store.insert_frame("import_rejects", bad)
        report.seconds = time.perf_counter() - t0
        remember(store, report)
    return report


def _category_rows(
    rows: pl.DataFrame, known: dict, catalog: Catalog, store: Store, report: ImportReport
) -> pd.DataFrame:
    """The ``categories`` rows to upsert (names and department filled), creating new departments."""
    out = []
    new_deps: dict[str, tuple[str, str, str]] = {}
    col = {
        c: rows.get_column(c).to_list() if c in rows.columns else [None] * rows.height
        for c in ("name_zh", "name_en", "department")
    }
    for i, (code, resp, close) in enumerate(
        zip(
            rows.get_column("_code").to_list(),
            rows.get_column("sla_response_h").to_list(),
            rows.get_column("sla_close_h").to_list(),
            strict=True,
        )
    ):
        old = known.get(code)
        zh = col["name_zh"][i] or (old.name_zh if old is not None else None) or col["name_en"][i] or code
        en = col["name_en"][i] or (old.name_en if old is not None else None) or col["name_zh"][i] or code
        dep_text = col["department"][i]
        if dep_text:
            dep = catalog.departments.get(dep_text) or catalog.departments.get(dep_text.strip().lower())
            if dep is None:
                dep = dep_text
                new_deps.setdefault(dep, (dep, dep, dep))
        elif old is not None:
            dep = old.department
        else:
            dep = UNASSIGNED[0]
            report.warnings[f"no department: new category stored with department '{dep}'"] += 1
            if dep not in catalog.departments:
                new_deps.setdefault(dep, UNASSIGNED)
        if code != rows.get_column("code")[i]:
            report.warnings["matched a stored category by name: the stored code is kept"] += 1
        out.append((code, zh, en, dep, float(resp), float(close), False))
    if new_deps:
        store.upsert_frame(
            "departments",
            pd.DataFrame(list(new_deps.values()), columns=["code", "name_zh", "name_en"]),
            ["code"],
            update=False,
        )
        report.new_departments = sorted(new_deps)
    return pd.DataFrame(
        out, columns=["code", "name_zh", "name_en", "department", "sla_response_h", "sla_close_h", "sla_assumed"]
    )


__all__ = ["MAX_SLA_HOURS", "import_categories"]
