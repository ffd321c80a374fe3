"""Import an events file: validate each chunk, place it on the H3 grid and the areas, upsert it.

Events are upserted by ``event_id``: importing the same file twice adds nothing, a corrected
file updates the rows that changed. Per chunk (:data:`data.ingest.readers.CHUNK_ROWS` rows,
so memory stays bounded): read text → mapping → validation (:mod:`data.ingest.validate`) →
WGS-84 (:mod:`geo.crs`) → H3 cell at :data:`~data.contracts.FINE_H3_RES` and grid /
community / street by point in polygon against the store's areas → new categories and
departments → upsert → rejects. Reading, validation and writes overlap
(:mod:`data.ingest.pipeline`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from data.contracts import FINE_H3_RES, column_names
from data.ingest import unchanged
from data.ingest.areas_index import EVENT_LEVELS, AreaIndex
from data.ingest.bookkeeping import begin_batch, chunk_writes, end_batch, fail_batch, hash_in_background, remember
from data.ingest.catalog import Catalog, with_deadlines
from data.ingest.mappings import Mapping
from data.ingest.opening import detect_times, open_import
from data.ingest.pipeline import Writer, bulk_loading, expected_rows, prefetch
from data.ingest.readers import CHUNK_ROWS, Chunk, Source
from data.ingest.rejects import Rejects, reject, to_pandas
from data.ingest.report import ImportReport, Progress
from data.ingest.validate import (
    Checked,
    DuplicateTracker,
    TimeParser,
    check_events,
    count_statuses,
    fields_frame,
)
from data.store import Store
from geo.h3index import points_to_cells


def import_events(
    store: Store,
    source: Path | str | Source,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    check_all: bool = False,
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
    check_all : validate every row, also those found stored as they are
        (:mod:`data.ingest.unchanged`; by default those are counted unchanged and skipped)

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
    src, mapping, resolved, crs, chunks, report = open_import(
        source, mapping, crs, chunk_rows, batch_id, "events", geometry_ok=True
    )
    identity = hash_in_background(src.path)  # while the areas and the catalog load
    areas = AreaIndex.from_store(store)
    catalog = Catalog.from_store(store)
    times = detect_times(src, chunks, mapping, resolved, report)
    dups = DuplicateTracker()
    log = begin_batch(store, report, src.path, explicit_id=batch_id is not None, ident=identity)
    writer = Writer()
    rejects = Rejects(store, report.batch_id, report)
    contract = [*column_names("events"), "source_hash"]
    committed = {"chunks": 0, "stored": 0}  # updated in the writer thread only
    # Into an empty events table every stored row is new (in-file duplicates are rejected
    # above), so chunks go straight in by bulk insert instead of the change-aware upsert,
    # and no row can be found stored as it is (data/ingest/unchanged.py).
    empty_table = int(store.fetch("event_date_range")["events"].iloc[0]) == 0

    def counted(counts: dict[str, int]) -> None:
        report.inserted += counts["inserted"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]

    def write(
        frame: pd.DataFrame | None,
        rejected: pd.DataFrame | None,
        rows_read: int,
        rows_rejected: int,
        skipped: int,
    ) -> dict[str, int]:
        """One chunk's writes, in the writer thread, as one transaction: its events, its
        rejects and the batch's counts (so after a kill the batch says what is stored);
        ``skipped`` rows were found stored as they are."""
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        with store.transaction():
            if frame is not None:
                if empty_table:
                    counts["inserted"] = store.insert_frame("events", frame)
                else:
                    counts = store.upsert_frame("events", frame, ["event_id"])
            counts["unchanged"] += skipped
            if rejected is not None:
                store.insert_frame("import_rejects", rejected)
            stored = committed["stored"] + sum(counts.values())
            log.committed(committed["chunks"] + 1, rows_read, stored, rows_rejected)
        committed["chunks"] += 1
        committed["stored"] = stored
        return counts

    # PostGIS: a large file into a small table builds the secondary indexes once, after the
    # last chunk, instead of maintaining them per row (queries/postgis_load.py); DuckDB
    # writes on one thread meanwhile (DuckDBStore.bulk_load)
    with bulk_loading(store, "events", expected_rows(src.info.rows, src.path)), chunk_writes(writer, log, report):
        lookup = not check_all and not empty_table
        for chunk, fields, stored in prefetch(_prepared(chunks, mapping, resolved, store if lookup else None)):
            report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
            before = unchanged.salt(mapping, resolved, crs, times, areas)
            hashes = unchanged.row_hashes(fields, before)
            skipped = 0
            if stored is not None and unchanged.times_settled(fields, times):
                same = unchanged.find_unchanged(fields, stored, hashes, catalog, dups)
                if skipped := int(same.sum()):
                    fields, hashes = fields.filter(pl.Series(~same)), hashes[~same]
            report.skipped += skipped
            checked = _events_chunk(fields, mapping, crs, times, areas, dups, report)
            if (after := unchanged.salt(mapping, resolved, crs, times, areas)) != before:
                hashes = unchanged.row_hashes(fields, after)  # a time format fixed in this chunk
            good = checked.filter(pl.col("reason").is_null())
            frame = None
            if good.height:
                count_statuses(good, report.statuses)
                good = with_deadlines(catalog.apply(store, good, report), catalog.sla_hours)
                by_pos = np.zeros(chunk.table.num_rows, dtype=np.int64)
                by_pos[fields.get_column("_pos").to_numpy()] = hashes
                row_hash = by_pos[good.get_column("_pos").to_numpy()]
                good = good.with_columns(
                    pl.Series(
                        "source_hash",
                        unchanged.source_hashes(row_hash, good.get_column("category"), good.get_column("department")),
                    )
                )
                cols = [c for c in contract if c in good.columns and c != "geom"]
                frame = to_pandas(good.select(cols))
            rejected = rejects.frame(chunk, checked)
            writer.submit(write, frame, rejected, report.rows_read, report.rejected, skipped, done=counted)
            del checked, good, frame, rejected
            if progress:
                progress(report.rows_read, src.info.rows)
    try:
        if report.inserted or report.updated:  # the rows' SLA deadlines (every on-time and overdue count reads them)
            store.execute("refresh_event_deadlines", category=None)
    except BaseException as exc:  # failed, not 'running': re-running the file completes it
        fail_batch(log, exc)
        raise
    report.time_formats = times.summary()  # with columns first seen after the sample
    report.seconds = time.perf_counter() - t0
    end_batch(log, report, committed["chunks"])
    remember(store, report)
    return report


def _prepared(
    chunks: Iterable[Chunk], mapping: Mapping, resolved: dict[str, str], store: Store | None
) -> Iterator[tuple[Chunk, pl.DataFrame, pl.DataFrame | None]]:
    """Each chunk with its fields and, when ``store`` is given, the stored hashes of its ids:
    made in the reading thread (:func:`prefetch`), beside the validation of the chunk before.
    An id an earlier chunk of this file writes meanwhile is in the duplicate tracker, so an
    answer read before that write commits never skips a row (:mod:`data.ingest.unchanged`)."""
    for chunk in chunks:
        fields = fields_frame(chunk, mapping, resolved)
        yield chunk, fields, unchanged.stored_rows(store, fields) if store is not None else None


def _events_chunk(
    fields: pl.DataFrame,
    mapping: Mapping,
    crs: str,
    times: TimeParser,
    areas: AreaIndex,
    dups: DuplicateTracker,
    report: ImportReport,
) -> pl.DataFrame:
    """Validate one chunk's fields, add H3 and areas, mark in-file duplicates; ``reason`` null = store."""
    checked: Checked = check_events(fields, mapping, crs, times)
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
            msg = [f"outside every area: {x:.6f}, {y:.6f}" for x, y in zip(lon[~inside], lat[~inside], strict=True)]
            frame = reject(frame, outside, np.asarray(msg, dtype=object))
    frame = frame.with_columns(pl.Series("h3", h3), *(ids[lv].alias(f"{lv}_id") for lv in ids))
    ok = frame.get_column("reason").is_null().to_numpy()
    first = dups.mark(frame.select("event_id"), frame.get_column("_row").to_numpy(), ok)
    dup = first > 0
    if dup.any():
        frame = reject(frame, dup, [f"duplicate id in the file: first at row {r}" for r in first[dup]])
    return frame


__all__ = ["import_events"]
