"""Import events, areas and sensor readings from users' files into a store, losing nothing.

Every input row ends either in the store or in ``import_rejects`` (row number, raw
content, reason), so ``rows read = stored + rejected`` always holds and the report says
so. Events are upserted by ``event_id``: importing the same file twice adds nothing, a
corrected file updates the rows that changed. A file that cannot be read at all (wrong
format, empty, no mapped columns) raises :class:`ImportFileError` before anything is written.

Pipeline per chunk (:data:`data.ingest.readers.CHUNK_ROWS` rows, so memory stays bounded):
read text → mapping → validation (:mod:`data.ingest.validate`) → WGS-84 (:mod:`geo.crs`) → H3
cell at :data:`~data.contracts.FINE_H3_RES` and grid/community/street by point in
polygon against the store's areas → new categories/departments → upsert → rejects.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import shapely

from data.contracts import AREA_LEVELS, DEFAULT_SLA_HOURS, FINE_H3_RES, column_names
from data.ingest.area_geometry import REPAIRED_WARNING, check_area_geometries
from data.ingest.area_parents import resolve_parents
from data.ingest.areas_index import EVENT_LEVELS, AreaIndex
from data.ingest.batches import BatchLog, earlier_batch, file_identity, plural
from data.ingest.catalog import Catalog
from data.ingest.mappings import (
    TIME_FIELDS,
    Mapping,
    MappingError,
    detect_mapping,
    load_mapping,
)
from data.ingest.pipeline import Writer, prefetch
from data.ingest.readers import (
    CHUNK_ROWS,
    Chunk,
    ReadError,
    Source,
    open_source,
    read_areas,
)
from data.ingest.timeformats import AmbiguousDateOrderError
from data.ingest.validate import (
    STATUS_FINDINGS,
    Checked,
    DuplicateTracker,
    TimeParser,
    check_events,
    check_readings,
    count_statuses,
    fields_frame,
    reject_unstorable,
    storable,
)
from geo.crs import normalize_crs
from geo.h3index import points_to_cells

Progress = Callable[[int, int | None], None]
"""``progress(rows_done, rows_total_or_None)``, called after each chunk."""


class ImportFileError(ValueError):
    """The import could not start (nothing was written); ``str()`` says what to fix."""


@dataclass
class ImportReport:
    """What an import did; ``rows_read == stored + rejected`` when :attr:`reconciled`."""

    table: str
    file: str
    batch_id: str
    format: str = ""
    encoding: str | None = None
    crs: str = "wgs84"
    mapping: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    """Area features folded into an earlier feature with the same id (areas only)."""
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    new_categories: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    assumed_sla: Counter = field(default_factory=Counter)
    """Category code -> rows of this file whose category's SLA is assumed (the defaults)."""
    statuses: Counter = field(default_factory=Counter)
    """Status findings (:data:`data.ingest.validate.STATUS_FINDINGS` key + value) -> rows, e.g.
    ``unmapped: Pending Review``, ``not resolved: Duplicate (Closed)``, ``closed, no time: Closed``,
    ``by notes: Case Transferred`` (a closed row re-classified by that ``[status_note_rules]`` rule)."""
    new_sensors: int = 0
    reassigned: int = 0
    outside_new_areas: int = 0
    parents_from_file: int = 0
    """Areas whose parent is the file's ``parent_id`` (areas only, :mod:`data.ingest.area_parents`)."""
    parents_by_location: int = 0
    """Areas whose parent was missing, unknown or skipped a level: the coarser area containing them."""
    parents_top: int = 0
    """Areas stored without a parent: no coarser area of the file contains them."""
    time_formats: dict[str, dict] = field(default_factory=dict)
    """Time field -> its column and format (:meth:`data.ingest.validate.TimeParser.summary`): what
    was detected on a sample of the file (or given by the mapping), e.g. ``%m/%d/%y %H:%M``."""
    time_window: str = ""
    """Plausible times of this import (rows outside were rejected), e.g. ``1990-01-01 00:00 … 2026-12-02 09:15``."""
    error: str | None = None
    completes: str | None = None
    """The earlier batch of the same file this import completed (see :mod:`data.ingest.batches`):
    ``"<batch id> (interrupted after 3 chunks, 6,000 rows read)"``; None for a new batch."""
    seconds: float = 0.0
    dry_run: bool = False
    """A check only: nothing was written; "stored" means "would be stored"."""

    def time_lines(self) -> list[str]:
        """The format of each time column and the plausible window (empty for areas)."""
        if not self.time_formats:
            return []
        out = [f"  times (plausible {self.time_window}):" if self.time_window else "  times:"]
        out += [f"    {name} <- {info.get('column')!r}: {info.get('text')}" for name, info in self.time_formats.items()]
        day_only = [n for n, info in self.time_formats.items() if info.get("date_only")]
        if day_only:
            out.append(f"    date only: {', '.join(day_only)} (a close on the day of the report is not 'before' it)")
        return out

    def sla_lines(self) -> list[str]:
        """The categories of this file whose SLA is assumed, most rows first (empty when none)."""
        if not self.assumed_sla:
            return []
        response_h, close_h = DEFAULT_SLA_HOURS
        top = self.assumed_sla.most_common()
        more = f" … (+{len(top) - 20:,} more)" if len(top) > 20 else ""
        return [f"  assumed SLA ({response_h:g} h response / {close_h:g} h close) for "
                f"{plural(len(top), 'category', 'categories')} ({plural(sum(self.assumed_sla.values()), 'row')}): "
                + ", ".join(f"{c} ({n:,})" for c, n in top[:20]) + more,
                "    set the real hours: gridscope import categories FILE (code, name, department, hours)"]

    def status_lines(self) -> list[str]:
        """Status values left unmapped, closures that are no resolution (by status or by the
        status notes' rules), closed rows without a time."""
        out = []
        for finding, text in STATUS_FINDINGS.items():
            found = [(k.partition(": ")[2], n) for k, n in self.statuses.most_common() if k.startswith(finding + ": ")]
            if found:
                if finding == "by notes" and "status_note" in self.columns:
                    text = text.replace("status notes", f"status notes (column {self.columns['status_note']!r})", 1)
                out.append(f"  {text} ({plural(sum(n for _, n in found), 'row')}): "
                           + ", ".join(f"'{v}' ({n:,})" for v, n in found[:30])
                           + (f" … (+{len(found) - 30:,} more)" if len(found) > 30 else ""))
        return out

    @property
    def stored(self) -> int:
        """Rows now in the store from this file (new + updated + unchanged + merged)."""
        return self.inserted + self.updated + self.unchanged + self.merged

    @property
    def reconciled(self) -> bool:
        """True when every row read is either stored or rejected."""
        return self.rows_read == self.stored + self.rejected

    def to_dict(self) -> dict:
        """Plain-JSON form (for ``meta`` and the page)."""
        out = asdict(self)
        out["reasons"] = dict(self.reasons)
        out["warnings"] = dict(self.warnings)
        out["assumed_sla"] = dict(self.assumed_sla)
        out["statuses"] = dict(self.statuses)
        out["stored"] = self.stored
        out["reconciled"] = self.reconciled
        return out

    def lines(self) -> list[str]:
        """A printable reconciliation, one fact per line (English; pages translate)."""
        out = [
            f"{self.file}: {self.format}{f' ({self.encoding})' if self.encoding else ''}, "
            f"mapping {self.mapping}" + (f", coordinates {self.crs}" if self.crs else ""),
            f"rows read {self.rows_read:,} = stored {self.stored:,} + rejected {self.rejected:,}"
            f"  [{'OK' if self.reconciled else 'MISMATCH'}]",
            ("  check only, nothing written: " if self.dry_run else "  stored: ")
            + f"{self.inserted:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged"
            + (f", {self.merged:,} merged into another feature of the same area" if self.merged else ""),
        ]
        out += self.time_lines()
        out += [f"  rejected {n:,}: {reason}" for reason, n in self.reasons.most_common()]
        out += [f"  warning ({plural(n, 'row')}): {w}" for w, n in self.warnings.most_common(10)]
        for label, names in (("categories", self.new_categories), ("departments", self.new_departments)):
            if names:
                more = f" … (+{len(names) - 12:,} more)" if len(names) > 12 else ""
                out.append(f"  new {label} ({len(names):,}): {', '.join(names[:12])}{more}")
        out += self.sla_lines() + self.status_lines()
        if self.new_sensors:
            out.append(f"  new sensors: {self.new_sensors:,}")
        if self.table == "areas":
            out.append(f"  parents: {self.parents_from_file:,} from the file, {self.parents_by_location:,} by location "
                       f"(the coarser area containing each), {self.parents_top:,} at the top")
            out.append(f"  events re-assigned: {self.reassigned:,}; outside every area: {self.outside_new_areas:,}")
        if self.error:
            out.append(f"  STOPPED: {self.error}")
        if self.completes:
            out.append(f"  completes batch {self.completes}")
        out.append(f"  batch {self.batch_id}, {self.seconds:.1f} s")
        return out


class DryRunStore:
    """Wraps a store for a check-only import: reads go to the store, writes are counted, not made.

    Rejected rows are kept in :attr:`rejects` (up to ``keep`` of them) for a page to show.
    Every written row counts as new (whether it would update an existing row is not known
    without writing).
    """

    def __init__(self, store, keep: int = 500) -> None:
        self.store = store
        self.dialect = store.dialect
        self.keep = keep
        self.rejects: list[pd.DataFrame] = []
        self._kept = 0

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Read from the wrapped store."""
        return self.store.fetch(name, **params)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Count rows; keep the first rejects."""
        if table == "import_rejects" and self._kept < self.keep:
            self.rejects.append(frame.head(self.keep - self._kept))
            self._kept += len(self.rejects[-1])
        return len(frame)

    def upsert_frame(self, table: str, frame: pd.DataFrame, keys: list[str], *, update: bool = True) -> dict[str, int]:
        """Count every row as new."""
        return {"inserted": len(frame), "updated": 0, "unchanged": 0}

    def execute(self, name: str, **params: object) -> None:
        """Do nothing."""

    def transaction(self) -> contextlib.AbstractContextManager[DryRunStore]:
        """Nothing is written, so nothing to commit."""
        return contextlib.nullcontext(self)

    def set_meta(self, key: str, value: str) -> None:
        """Do nothing."""

    def rejected_rows(self) -> pd.DataFrame:
        """The kept rejects: ``row_number, reason, raw``."""
        if not self.rejects:
            return pd.DataFrame(columns=["row_number", "reason", "raw"])
        return pd.concat(self.rejects, ignore_index=True)[["row_number", "reason", "raw"]]


def new_batch_id(table: str, path: Path | str) -> str:
    """A batch id naming the table, file and time (unique per import)."""
    return f"{table}:{Path(path).name}:{datetime.now():%Y%m%d-%H%M%S-%f}"


def _resolve_mapping(mapping: Mapping | str | Path | None, columns: list[str], table: str) -> Mapping:
    if mapping is None:
        return detect_mapping(columns, table)
    if not isinstance(mapping, Mapping):
        try:
            mapping = load_mapping(mapping)
        except MappingError as exc:
            raise ImportFileError(str(exc)) from exc
    if mapping.table != table:
        raise ImportFileError(f"mapping {mapping.name!r} is for {mapping.table}, not {table}")
    return mapping


def _preflight(src: Source, mapping: Mapping, geometry_ok: bool) -> dict[str, str]:
    """Check that the mapping finds what the import needs; return ``{field: column}``."""
    resolved = mapping.resolve(src.info.columns)
    if not resolved and not (geometry_ok and src.info.geometry):
        raise ImportFileError(
            f"no column of {src.path.name!r} matches mapping {mapping.name!r} "
            f"(file columns: {', '.join(src.info.columns[:15])}); choose another mapping or write one"
        )
    missing = mapping.missing_required(src.info.columns)
    if geometry_ok and src.info.geometry:
        missing = [f for f in missing if f not in ("lon", "lat")]
    if missing:
        hints = "; ".join(f"{f} (e.g. {' / '.join(mapping.columns.get(f, (f,))[:3])})" for f in missing)
        raise ImportFileError(
            f"{src.path.name!r} has no column for required field(s) {hints} under mapping {mapping.name!r}; "
            f"file columns: {', '.join(src.info.columns[:20])}"
        )
    return resolved


def _effective_crs(crs: str | None, src: Source) -> str:
    if crs:
        try:
            return normalize_crs(crs)
        except ValueError as exc:
            raise ImportFileError(str(exc)) from exc
    if src.info.crs:
        try:
            return normalize_crs(src.info.crs)
        except ValueError:
            from pyproj import CRS

            epsg = CRS.from_user_input(src.info.crs).to_epsg()
            if epsg:
                return normalize_crs(f"EPSG:{epsg}")
            raise ImportFileError("the file's coordinate system is not an EPSG code; give --crs") from None
    return "wgs84"


def _first_chunk(src: Source, size: int):
    """Iterator over chunks whose first chunk has been read already (errors before writing)."""
    it = src.chunks(size)
    try:
        first = next(it, None)
    except ReadError as exc:
        raise ImportFileError(str(exc)) from exc
    if first is None or (first.table.num_rows == 0 and not first.bad_rows):
        raise ImportFileError(f"{src.path.name!r} has no data rows")

    return _Chunks(first, it)


class _Chunks:
    """The chunks of a file, the first one read already (:attr:`first`, e.g. for a sample)."""

    def __init__(self, first: Chunk, rest) -> None:
        self.first, self._rest = first, rest

    def __iter__(self):
        yield self.first
        yield from self._rest


SAMPLE_ROWS = 50_000
"""Rows the time formats are detected on (the first chunk when it is at least this long)."""


def _detect_times(src: Source, chunks: _Chunks, mapping: Mapping, resolved: dict[str, str],
                  report: ImportReport) -> TimeParser:
    """Fix each time column's format from a sample of the file, before anything is written.

    Raises :class:`ImportFileError` when a column reads both month-first and day-first and
    the mapping does not say which (nothing written).
    """
    times = TimeParser.for_mapping(mapping, resolved)
    fields = {f: c for f, c in resolved.items() if f in TIME_FIELDS[mapping.table]}
    sample = chunks.first
    if fields and sample.table.num_rows < SAMPLE_ROWS:
        with contextlib.suppress(ReadError):  # a short first chunk (small chunk_rows): read a longer sample
            sample = next(iter(src.chunks(SAMPLE_ROWS)), sample)
    if fields:
        frame = fields_frame(sample, mapping, fields)
        for name in fields:
            try:
                if name in frame.columns and frame.get_column(name).null_count() < frame.height:
                    times.detect(name, frame.get_column(name))
            except AmbiguousDateOrderError as exc:
                raise ImportFileError(str(exc)) from exc
    report.time_formats = times.summary()
    assert times.window is not None
    report.time_window = times.window.label()
    return times


class _Rejects:
    """Collects rejected rows of a chunk for ``import_rejects`` (counted at once, written by ``writer``)."""

    def __init__(self, store, batch_id: str, report: ImportReport, writer: Writer | None = None) -> None:
        self.store, self.batch_id, self.report, self.writer = store, batch_id, report, writer

    def write(self, chunk: Chunk, checked: pl.DataFrame | None) -> None:
        """Write the chunk's rejects now (or through the writer, when there is one)."""
        frame = self.frame(chunk, checked)
        if frame is None:
            return
        if self.writer is None:
            self.store.insert_frame("import_rejects", frame)
        else:
            self.writer.submit(self.store.insert_frame, "import_rejects", frame)

    def frame(self, chunk: Chunk, checked: pl.DataFrame | None) -> pd.DataFrame | None:
        """The chunk's rejected rows for ``import_rejects`` (counted in the report), or None."""
        rows: list[int] = []
        reasons: list[str] = []
        raws: list[str] = []
        for row, text in chunk.bad_rows:
            rows.append(row)
            reasons.append("unreadable line: the number of fields differs from the header")
            raws.append(storable(text[:4000]))
        if checked is not None:
            bad = checked.filter(pl.col("reason").is_not_null()).select("_pos", "_row", "reason")
            if bad.height:
                rows += bad.get_column("_row").to_list()
                reasons += bad.get_column("reason").to_list()
                raws += [storable(r[:4000]) for r in chunk.raw(bad.get_column("_pos").to_numpy())]
        if not rows:
            return None
        self.report.rejected += len(rows)
        self.report.reasons.update(r.partition(": ")[0] for r in reasons)
        return pd.DataFrame({"batch_id": self.batch_id, "row_number": np.asarray(rows, dtype=np.int64),
                             "reason": [storable(r) for r in reasons], "raw": raws})


def _reject(frame: pl.DataFrame, mask: np.ndarray, messages: np.ndarray | str) -> pl.DataFrame:
    """Set ``reason`` where ``mask`` (and no reason yet)."""
    if isinstance(messages, str):
        msg = pl.lit(messages)
    else:
        msg = pl.Series("m", np.where(mask, messages, None).tolist(), dtype=pl.String)
    return frame.with_columns(
        pl.when(pl.col("reason").is_null() & pl.Series(mask)).then(msg).otherwise(pl.col("reason")).alias("reason")
    )


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    return frame.to_pandas(use_pyarrow_extension_array=True)


def _open_import(source, mapping, crs, chunk_rows: int, batch_id: str | None, table: str, *,
                 geometry_ok: bool):
    """Open the file, resolve the mapping and CRS, read the first chunk and start the report.

    Raises :class:`ImportFileError` (nothing written) when the file cannot be read or the
    mapping finds no usable columns.
    """
    try:
        src = source if isinstance(source, Source) else open_source(source)
    except ReadError as exc:
        raise ImportFileError(str(exc)) from exc
    mapping = _resolve_mapping(mapping, src.info.columns, table)
    resolved = _preflight(src, mapping, geometry_ok=geometry_ok)
    crs = _effective_crs(crs, src)
    chunks = _first_chunk(src, chunk_rows)
    report = ImportReport(
        table, src.path.name, batch_id or new_batch_id(table, src.path), src.info.format,
        src.info.encoding, crs, mapping.name, resolved,
    )
    return src, mapping, resolved, crs, chunks, report


def _begin_batch(store, report: ImportReport, path: Path, explicit_id: bool) -> BatchLog:
    """Record the batch as running before anything is written; completes the newest
    interrupted or failed batch of the same file (its id, its rejects re-written)."""
    ident = file_identity(path)
    earlier = earlier_batch(store, report.table, ident, report.batch_id if explicit_id else None)
    attempts = 1
    if earlier is not None:
        if earlier.status == "running":
            raise ImportFileError(
                f"{path.name!r} is being imported right now as batch {earlier.batch_id} (process {earlier.pid} "
                f"on {earlier.host}); wait until it has finished")
        if earlier.unfinished:
            report.completes = (f"{earlier.batch_id} ({earlier.status} after {earlier.chunks:,} chunks, "
                                f"{earlier.rows_read:,} rows read)")
        report.batch_id, attempts = earlier.batch_id, earlier.attempts + 1
        store.execute("delete_import_rejects", batch_id=earlier.batch_id)
    log = BatchLog(store, report.batch_id, report.table, ident, attempts)
    log.start()
    return log


def _end_batch(log: BatchLog, report: ImportReport, chunks: int | None = None) -> None:
    """``finished``, or ``stopped`` when reading broke off part-way."""
    log.finish("stopped" if report.error else "finished", report.rows_read, report.stored, report.rejected,
               error=report.error, chunks=chunks)


def _fail_batch(log: BatchLog, exc: BaseException) -> None:
    """Mark the batch failed (best effort: the store may be what failed)."""
    with contextlib.suppress(Exception):
        log.fail(f"{type(exc).__name__}: {exc}")


def import_events(
    store,
    source: Path | str | Source,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import an events file into ``store``.

    Parameters
    ----------
    store : a :class:`data.store.Store`
    source : path of the file (or an opened :class:`~data.ingest.readers.Source`)
    mapping : a :class:`~data.ingest.mappings.Mapping`, a preset name, a mapping file, or None
        to pick the preset that matches the most columns
    crs : coordinate system of the coordinates (``wgs84``, ``gcj02``, ``bd09``,
        ``EPSG:nnnn``); default: the file's declared CRS, else WGS-84
    batch_id : id for ``import_rejects`` (default: table, file name and time)
    progress : called with (rows done, total or None) after each chunk
    chunk_rows : rows per chunk

    Returns
    -------
    ImportReport
        Counts, reject reasons and warnings; ``report.error`` is set if reading stopped
        part-way (the rows before were imported and counted).

    Raises
    ------
    ImportFileError
        The file cannot be read, is empty, or the mapping finds no usable columns;
        nothing was written.
    """
    t0 = time.perf_counter()
    src, mapping, resolved, crs, chunks, report = _open_import(
        source, mapping, crs, chunk_rows, batch_id, "events", geometry_ok=True)
    areas = AreaIndex.from_store(store)
    catalog = Catalog.from_store(store)
    times = _detect_times(src, chunks, mapping, resolved, report)
    dups = DuplicateTracker()
    log = _begin_batch(store, report, src.path, explicit_id=batch_id is not None)
    writer = Writer()
    rejects = _Rejects(store, report.batch_id, report)
    contract = column_names("events")
    committed = {"chunks": 0, "stored": 0}  # updated in the writer thread only
    # Into an empty events table every stored row is new (in-file duplicates are rejected
    # above), so chunks go straight in by bulk insert instead of the change-aware upsert.
    empty_table = int(store.fetch("event_date_range")["events"].iloc[0]) == 0

    def counted(counts: dict[str, int]) -> None:
        report.inserted += counts["inserted"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]

    def write(frame: pd.DataFrame | None, rejected: pd.DataFrame | None, rows_read: int,
              rows_rejected: int) -> dict[str, int]:
        """One chunk's writes, in the writer thread, as one transaction: its events, its
        rejects and the batch's counts (so after a kill the batch says what is stored)."""
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        with store.transaction():
            if frame is not None:
                if empty_table:
                    counts["inserted"] = store.insert_frame("events", frame)
                else:
                    counts = store.upsert_frame("events", frame, ["event_id"])
            if rejected is not None:
                store.insert_frame("import_rejects", rejected)
            stored = committed["stored"] + sum(counts.values())
            log.committed(committed["chunks"] + 1, rows_read, stored, rows_rejected)
        committed["chunks"] += 1
        committed["stored"] = stored
        return counts

    try:
        for chunk in prefetch(chunks):
            report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
            checked = _events_chunk(chunk, mapping, resolved, crs, times, areas, dups, report)
            good = checked.filter(pl.col("reason").is_null())
            frame = None
            if good.height:
                count_statuses(good, report.statuses)
                good = catalog.apply(store, good, report)
                cols = [c for c in contract if c in good.columns and c != "geom"]
                frame = _to_pandas(good.select(cols))
            rejected = rejects.frame(chunk, checked)
            writer.submit(write, frame, rejected, report.rows_read, report.rejected, done=counted)
            del checked, good, frame, rejected
            if progress:
                progress(report.rows_read, src.info.rows)
        writer.drain()
    except ReadError as exc:
        writer.drain()
        report.error = str(exc)
    except BaseException as exc:  # marked failed: re-running the file completes the batch
        writer.close(raise_errors=False)
        _fail_batch(log, exc)
        raise
    finally:
        writer.close(raise_errors=sys.exc_info()[0] is None)
    try:
        if report.stored:  # the new rows' SLA deadlines (every on-time and overdue count reads them)
            store.execute("refresh_event_deadlines", category=None)
    except BaseException as exc:  # failed, not 'running': re-running the file completes it
        _fail_batch(log, exc)
        raise
    report.time_formats = times.summary()  # with columns first seen after the sample
    report.seconds = time.perf_counter() - t0
    _end_batch(log, report, committed["chunks"])
    _remember(store, report)
    return report


def _events_chunk(
    chunk: Chunk, mapping: Mapping, resolved: dict[str, str], crs: str, times: TimeParser,
    areas: AreaIndex, dups: DuplicateTracker, report: ImportReport,
) -> pl.DataFrame:
    """Validate one chunk, add H3 and areas, mark in-file duplicates; ``reason`` null = store."""
    checked: Checked = check_events(fields_frame(chunk, mapping, resolved), mapping, crs, times)
    report.warnings.update(checked.warnings)
    frame = checked.frame
    ok = frame.get_column("reason").is_null().to_numpy()
    n = frame.height
    h3 = np.zeros(n, dtype=np.int64)
    ids = {lv: pl.Series(lv, [None] * n, dtype=pl.String) for lv in EVENT_LEVELS}
    if ok.any():
        pos = np.flatnonzero(ok)
        lon = frame.get_column("lon").to_numpy()[pos]
        lat = frame.get_column("lat").to_numpy()[pos]
        h3[pos] = points_to_cells(lat, lon, FINE_H3_RES)
        assigned, inside = areas.assign(lon, lat)
        for lv in ids:
            ids[lv] = ids[lv].scatter(pos, assigned[lv]) if len(pos) < n else assigned[lv]
        if not inside.all():
            out = pos[~inside]
            outside = np.zeros(n, dtype=bool)
            outside[out] = True
            msg = np.full(n, None, dtype=object)
            msg[out] = [f"outside every area: {x:.6f}, {y:.6f}" for x, y in zip(lon[~inside], lat[~inside], strict=True)]
            frame = _reject(frame, outside, msg)
    frame = frame.with_columns(pl.Series("h3", h3), *(ids[lv].alias(f"{lv}_id") for lv in ids))
    ok = frame.get_column("reason").is_null().to_numpy()
    first = dups.mark(frame.select("event_id"), frame.get_column("_row").to_numpy(), ok)
    dup = first > 0
    if dup.any():
        frame = _reject(frame, dup, np.char.add("duplicate id in the file: first at row ", first.astype(str)))
    return frame


def _remember(store, report: ImportReport) -> None:
    """Keep the report in ``meta`` (``import:last:<table>`` and ``import:<batch_id>``)."""
    report.dry_run = isinstance(store, DryRunStore)
    text = json.dumps(report.to_dict(), ensure_ascii=False, default=str)
    store.set_meta(f"import:{report.batch_id}", text)
    store.set_meta(f"import:last:{report.table}", text)


def import_readings(
    store,
    source: Path | str | Source,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import sensor readings; upsert by ``(sensor_id, ts)``.

    Readings of a sensor unknown to the store are rejected unless the row gives the
    sensor's position (lon/lat), in which case the sensor is created (kind, unit and
    threshold from columns or the mapping's defaults) with its H3 cell and grid.
    Parameters and errors as :func:`import_events`.
    """
    t0 = time.perf_counter()
    src, mapping, resolved, crs, chunks, report = _open_import(
        source, mapping, crs, chunk_rows, batch_id, "readings", geometry_ok=False)
    known = set(store.fetch("sensor_points")["sensor_id"].astype(str))
    areas = AreaIndex.from_store(store)
    times = _detect_times(src, chunks, mapping, resolved, report)
    dups = DuplicateTracker()
    log = _begin_batch(store, report, src.path, explicit_id=batch_id is not None)
    rejects = _Rejects(store, report.batch_id, report)
    n_chunks = 0
    try:
        for chunk in chunks:
            report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
            checked = check_readings(fields_frame(chunk, mapping, resolved), mapping, crs, times)
            report.warnings.update(checked.warnings)
            frame = checked.frame
            # one transaction per chunk: new sensors, readings, rejects and the batch's counts
            with store.transaction():
                frame = _new_sensors(store, frame, known, areas, mapping, report)
                ok = frame.get_column("reason").is_null().to_numpy()
                first = dups.mark(frame.select("sensor_id", "ts"), frame.get_column("_row").to_numpy(), ok)
                if (first > 0).any():
                    frame = _reject(frame, first > 0, np.char.add("duplicate id in the file: sensor and time first at row ", first.astype(str)))
                good = frame.filter(pl.col("reason").is_null()).select("sensor_id", "ts", "value")
                if good.height:
                    counts = store.upsert_frame("readings", _to_pandas(good), ["sensor_id", "ts"])
                    report.inserted += counts["inserted"]
                    report.updated += counts["updated"]
                    report.unchanged += counts["unchanged"]
                rejects.write(chunk, frame)
                log.committed(n_chunks + 1, report.rows_read, report.stored, report.rejected)
            n_chunks += 1
            if progress:
                progress(report.rows_read, src.info.rows)
    except ReadError as exc:
        report.error = str(exc)
    except BaseException as exc:
        _fail_batch(log, exc)
        raise
    report.time_formats = times.summary()  # with columns first seen after the sample
    report.seconds = time.perf_counter() - t0
    _end_batch(log, report, n_chunks)
    _remember(store, report)
    return report


def _new_sensors(store, frame: pl.DataFrame, known: set[str], areas: AreaIndex, mapping: Mapping,
                 report: ImportReport) -> pl.DataFrame:
    """Create sensors first seen with a position; reject readings of unknown sensors."""
    ok = frame.get_column("reason").is_null()
    sensor = frame.get_column("sensor_id")
    unknown = ok & ~sensor.is_in(list(known))
    has_pos = ("lon" in frame.columns) and frame.get_column("lon").is_not_null() & frame.get_column("lat").is_not_null()
    creatable = unknown & has_pos if "lon" in frame.columns else unknown & False
    if creatable.any():
        new = frame.filter(creatable).unique("sensor_id", keep="first", maintain_order=True)
        lon, lat = new.get_column("lon").to_numpy(), new.get_column("lat").to_numpy()
        assigned, _ = areas.assign(lon, lat)

        def col(name: str, default: str) -> pl.Series:
            if name in new.columns:
                return new.get_column(name).cast(pl.String).fill_null(mapping.defaults.get(name, default))
            return pl.Series(name, [mapping.defaults.get(name, default)] * new.height)

        threshold = col("threshold", "0").cast(pl.Float64, strict=False).fill_null(0.0)
        sensors = pl.DataFrame({
            "sensor_id": new.get_column("sensor_id"), "kind": col("kind", "pm25"), "unit": col("unit", ""),
            "lon": lon, "lat": lat, "h3": points_to_cells(lat, lon, FINE_H3_RES),
            "grid_id": assigned["grid"], "threshold": threshold,
        })
        counts = store.upsert_frame("sensors", _to_pandas(sensors), ["sensor_id"], update=False)
        report.new_sensors += counts["inserted"]
        known.update(sensors.get_column("sensor_id").to_list())
    still = (frame.get_column("reason").is_null() & ~frame.get_column("sensor_id").is_in(list(known))).to_numpy()
    return _reject(frame, still, "unknown sensor: not in the store and the row has no lon/lat")


def import_areas(
    store,
    source: Path | str,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    level: str | None = None,
) -> ImportReport:
    """Replace the store's areas with the polygons of a file; re-assign events and sensors.

    Features sharing an ``area_id`` are merged into one (multi)polygon. Without a level
    column every area gets ``level`` (default ``grid``): a district may have only
    grids, or only communities. Events keep their rows; their grid/community/street ids
    are recomputed against the new areas (events outside all of them get none, and the
    report counts them).

    Every feature's geometry is checked before anything is written (empty, coordinates
    out of range after the CRS conversion, invalid: :mod:`data.ingest.area_geometry`); a bad
    feature is a rejected row naming its feature number. The import is one transaction
    (``store.transaction()``): areas, re-assigned events and sensors, rejects and the
    report commit together, or nothing changes. A check-only import
    (:class:`DryRunStore`) runs the same checks and counts the same re-assignment.

    Raises
    ------
    ImportFileError
        Not a polygon file, unreadable, no id column, or no valid polygon; nothing written.
    """
    t0 = time.perf_counter()
    if level is not None and level not in AREA_LEVELS:
        raise ImportFileError(f"level must be one of {', '.join(AREA_LEVELS)}, got {level!r}")
    try:
        attrs, geoms, file_crs = read_areas(source)
        src_cols = list(attrs.columns)
    except ReadError as exc:
        raise ImportFileError(str(exc)) from exc
    mapping = _resolve_mapping(mapping, src_cols, "areas")
    resolved = mapping.resolve(src_cols)
    if "area_id" not in resolved:
        raise ImportFileError(
            f"{Path(source).name!r} has no area id column under mapping {mapping.name!r} "
            f"(file columns: {', '.join(src_cols[:20])}); write a mapping with area_id = [\"<column>\"]"
        )
    try:
        crs_name = normalize_crs(crs) if crs else (normalize_crs(file_crs) if file_crs and _is_epsg(file_crs) else "wgs84")
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc
    report = ImportReport("areas", Path(source).name, batch_id or new_batch_id("areas", source), "vector",
                          None, crs_name, mapping.name, resolved)
    report.rows_read = len(attrs)
    import pyarrow as pa

    chunk = Chunk(pa.Table.from_pandas(attrs.astype(object).where(attrs.notna(), None), preserve_index=False)
                  .cast(pa.schema([pa.field(c, pa.string()) for c in attrs.columns])),
                  np.arange(1, len(attrs) + 1, dtype=np.int64))
    frame = reject_unstorable(fields_frame(chunk, mapping, resolved).with_columns(pl.lit(None, dtype=pl.String).alias("reason")))
    if "level" not in frame.columns:
        lv = level or mapping.defaults.get("level", "grid")
        frame = frame.with_columns(pl.lit(lv).alias("level"))
        report.warnings[f"no level column: every area stored as '{lv}'"] += frame.height
    elif level:
        frame = frame.with_columns(pl.col("level").fill_null(level))
    geoms = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(geoms)
    frame = frame.with_columns(
        pl.when(pl.col("reason").is_not_null()).then(pl.col("reason"))
        .when(pl.col("area_id").is_null()).then(pl.lit("missing id"))
        .when(~pl.Series(np.isin(kinds, [3, 6]))).then(pl.lit("not a polygon"))
        .when(~pl.col("level").is_in(list(AREA_LEVELS)))
        .then(pl.lit("unknown level: '") + pl.col("level").fill_null("") + pl.lit(f"' (use {', '.join(AREA_LEVELS)})"))
        .otherwise(None).alias("reason")
    )
    ok = frame.get_column("reason").is_null().to_numpy()
    wgs, why, repaired = check_area_geometries(geoms[ok], crs_name, chunk.rows[ok])
    reasons = frame.get_column("reason").to_numpy().astype(object)
    reasons[ok] = why
    frame = frame.with_columns(pl.Series("reason", reasons.tolist(), dtype=pl.String))
    if repaired:
        report.warnings[REPAIRED_WARNING] += repaired
    keep = np.equal(why, None)
    good = frame.filter(pl.col("reason").is_null()).to_pandas()
    good["geom"] = wgs[keep]
    merged = _merge_areas(good, report) if len(good) else good
    if len(merged):
        frame, good, merged = _check_parents(frame, good, merged, report)
    if not len(merged):
        _Rejects(store, report.batch_id, report).frame(chunk, frame)  # counts the reasons
        raise ImportFileError(f"{Path(source).name!r} has no usable polygon (reasons: {dict(report.reasons)})")
    report.merged = len(good) - len(merged)
    # built before anything is written, so the check fails where the import would
    index = AreaIndex.from_frame(pd.DataFrame({
        "area_id": merged["area_id"], "level": merged["level"],
        "parent_id": merged["parent_id"], "geom": shapely.from_wkb(merged["geom"].to_numpy()),
    }))
    log = _begin_batch(store, report, Path(source), explicit_id=batch_id is not None)  # committed first: a trace
    rejected = _Rejects(store, report.batch_id, report).frame(chunk, frame)
    try:
        with store.transaction():
            stats = store.upsert_frame("areas", merged, ["area_id"])
            store.execute("delete_areas_except", keep=merged["area_id"].tolist())
            report.inserted, report.updated, report.unchanged = stats["inserted"], stats["updated"], stats["unchanged"]
            if rejected is not None:
                store.insert_frame("import_rejects", rejected)
            reassign_areas(store, report, areas=index)
            if progress:
                progress(report.rows_read, report.rows_read)
            report.seconds = time.perf_counter() - t0
            _end_batch(log, report, chunks=1)
            _remember(store, report)
    except BaseException as exc:  # nothing of it was stored; the batch says so
        _fail_batch(log, exc)
        raise
    return report


def _is_epsg(text: str) -> bool:
    try:
        normalize_crs(text)
    except ValueError:
        return False
    return True


def _merge_areas(good: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """One row per area_id: geometries of repeated ids unioned, first attributes kept."""
    cols = [c for c in column_names("areas") if c in good.columns and c != "geom"]
    first = good.drop_duplicates("area_id", keep="first").set_index("area_id")
    counts = good["area_id"].value_counts()
    geom = first["geom"].copy()
    for area_id in counts.index[counts > 1]:
        geom[area_id] = shapely.union_all(good.loc[good["area_id"] == area_id, "geom"].to_numpy())
    if (counts > 1).any():
        report.warnings[f"{int((counts > 1).sum())} area ids had several features: merged"] += int(counts[counts > 1].sum())
    out = first.reset_index()[cols].copy()
    if "name_zh" not in out.columns or out["name_zh"].isna().any():
        fallback = out["name_en"] if "name_en" in out.columns else out["area_id"]
        out["name_zh"] = (out["name_zh"] if "name_zh" in out.columns else fallback).fillna(fallback).fillna(out["area_id"])
    for c in ("households", "population"):
        if c in out.columns:
            out[c] = _count_column(out[c], c, report)
    out["geom"] = shapely.to_wkb(geom.loc[out["area_id"]].to_numpy())
    return out


def _check_parents(frame: pl.DataFrame, good: pd.DataFrame, merged: pd.DataFrame,
                   report: ImportReport) -> tuple[pl.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Decide each area's parent (:func:`data.ingest.area_parents.resolve_parents`): rejected areas
    leave ``good``/``merged`` and get their reason on every feature of theirs in ``frame``."""
    first_row = good.drop_duplicates("area_id").set_index("area_id")["_row"]
    parents = resolve_parents(
        merged["area_id"].to_numpy(dtype=object), merged["level"].to_numpy(dtype=object),
        merged["parent_id"].to_numpy(dtype=object) if "parent_id" in merged.columns else None,
        shapely.from_wkb(merged["geom"].to_numpy()), first_row.loc[merged["area_id"]].to_numpy())
    report.parents_from_file += parents.from_file
    report.parents_by_location += parents.by_location
    report.parents_top += parents.top
    report.warnings.update(parents.warnings)
    merged = merged.assign(parent_id=parents.parent_id)
    bad = np.not_equal(parents.reasons, None)
    if bad.any():
        why = dict(zip(merged["area_id"].to_numpy()[bad], parents.reasons[bad], strict=True))
        reason = pl.col("area_id").replace_strict(why, default=None, return_dtype=pl.String)
        frame = frame.with_columns(pl.coalesce(pl.col("reason"), reason).alias("reason"))
        good = good[~good["area_id"].isin(list(why))]
        merged = merged[~bad].reset_index(drop=True)
    return frame, good, merged


_MAX_COUNT = 2_147_483_647
"""Largest households/population value (the columns are 32-bit integers on both stores)."""


def _count_column(text: pd.Series, name: str, report: ImportReport) -> pd.Series:
    """A whole number 0..:data:`_MAX_COUNT` per area, else empty with a warning (a value like
    ``1e400`` or ``3000000000`` used to stop the import; ``12.6`` was rounded, ``abc`` dropped)."""
    num = pd.to_numeric(text, errors="coerce").astype(float)
    ok = np.isfinite(num) & (num == np.round(num)) & (num >= 0) & (num <= _MAX_COUNT)
    bad = text.notna() & ~ok
    for value, n in text[bad].astype(str).value_counts().head(5).items():
        report.warnings[f"{name} '{value[:40]}' is not a whole number 0-{_MAX_COUNT}: left empty"] += int(n)
    rest = int(bad.sum()) - int(text[bad].astype(str).value_counts().head(5).sum())
    if rest > 0:
        report.warnings[f"{name}: {rest} more values not whole numbers 0-{_MAX_COUNT}: left empty"] += rest
    return pd.Series(np.where(ok, num, np.nan), index=text.index).astype("Int32")


def reassign_areas(store, report: ImportReport | None = None, areas: AreaIndex | None = None) -> int:
    """Recompute grid/community/street of every event and the grid of every sensor.

    Against ``areas`` (default: the store's). Only rows whose ids change are written, so
    a check-only store (:class:`DryRunStore`) counts the same. Returns events changed.
    """
    areas = AreaIndex.from_store(store) if areas is None else areas
    points = store.fetch("event_points")
    changed = 0
    if len(points):
        assigned, inside = areas.assign(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
        diff = _changed(points, {f"{lv}_id": assigned[lv] for lv in EVENT_LEVELS})
        if diff.any():
            store.upsert_frame("events", pd.DataFrame({
                "event_id": points["event_id"].astype(str).to_numpy()[diff],
                **{f"{lv}_id": assigned[lv].filter(pl.Series(diff)).to_pandas(use_pyarrow_extension_array=True)
                   for lv in EVENT_LEVELS},
            }), ["event_id"])
        changed = int(diff.sum())
        if report is not None:
            report.reassigned = changed
            report.outside_new_areas = int((~inside).sum())
    sensors = store.fetch("sensor_points")
    if len(sensors):
        assigned, _ = areas.assign(sensors["lon"].to_numpy(float), sensors["lat"].to_numpy(float))
        diff = _changed(sensors, {"grid_id": assigned["grid"]})
        if diff.any():
            store.upsert_frame("sensors", pd.DataFrame({
                "sensor_id": sensors["sensor_id"].astype(str).to_numpy()[diff],
                "grid_id": assigned["grid"].filter(pl.Series(diff)).to_pandas(use_pyarrow_extension_array=True),
            }), ["sensor_id"])
    return changed


def _changed(stored: pd.DataFrame, new: dict[str, pl.Series]) -> np.ndarray:
    """Rows where any of the ``new`` id columns differs from ``stored`` (null-aware)."""
    diff = np.zeros(len(stored), dtype=bool)
    for col, values in new.items():
        old = stored[col].astype(object).where(stored[col].notna(), None).to_numpy()
        diff |= old != np.asarray(values.to_list(), dtype=object)
    return diff


__all__ = [
    "DryRunStore",
    "ImportFileError",
    "ImportReport",
    "Progress",
    "import_areas",
    "import_events",
    "import_readings",
    "new_batch_id",
    "reassign_areas",
]
