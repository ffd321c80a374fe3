"""Opening an import: the source, its mapping, CRS, first chunk and time formats, before any write.

Everything here runs before the store is touched, so a file that cannot be imported at all
(unreadable, empty, no mapped columns, an ambiguous date order) raises
:class:`ImportFileError` with nothing written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from data.ingest.mappings import (
    TIME_FIELDS,
    Mapping,
    MappingError,
    detect_mapping,
    load_mapping,
)
from data.ingest.readers import Chunk, ReadError, Source, open_source
from data.ingest.report import ImportReport
from data.ingest.timeformats import AmbiguousDateOrderError
from data.ingest.validate import TimeParser, fields_frame
from geo.crs import normalize_crs


class ImportFileError(ValueError):
    """The import could not start (nothing was written); ``str()`` says what to fix."""


def new_batch_id(table: str, path: Path | str) -> str:
    """A batch id naming the table, file and time (unique per import)."""
    return f"{table}:{Path(path).name}:{datetime.now():%Y%m%d-%H%M%S-%f}"


def resolve_mapping(mapping: Mapping | str | Path | None, columns: list[str], table: str) -> Mapping:
    """The mapping to import with: ``mapping`` (loaded if a name or file), else the preset
    matching the most ``columns``; :class:`ImportFileError` if it is for another table."""
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


def _first_chunk(src: Source, size: int) -> _Chunks:
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

    def __init__(self, first: Chunk, rest: Iterator[Chunk]) -> None:
        self.first, self._rest = first, rest

    def __iter__(self) -> Iterator[Chunk]:
        yield self.first
        yield from self._rest


SAMPLE_ROWS = 50_000
"""Rows the time formats are detected on (the first chunk when it is at least this long)."""


def detect_times(
    src: Source, chunks: _Chunks, mapping: Mapping, resolved: dict[str, str], report: ImportReport
) -> TimeParser:
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


def open_import(
    source: Path | str | Source,
    mapping: Mapping | str | Path | None,
    crs: str | None,
    chunk_rows: int,
    batch_id: str | None,
    table: str,
    *,
    geometry_ok: bool,
) -> tuple[Source, Mapping, dict[str, str], str, _Chunks, ImportReport]:
    """Open the file, resolve the mapping and CRS, read the first chunk and start the report.

    Raises :class:`ImportFileError` (nothing written) when the file cannot be read or the
    mapping finds no usable columns.
    """
    try:
        src = source if isinstance(source, Source) else open_source(source)
    except ReadError as exc:
        raise ImportFileError(str(exc)) from exc
    mapping = resolve_mapping(mapping, src.info.columns, table)
    resolved = _preflight(src, mapping, geometry_ok=geometry_ok)
    crs = _effective_crs(crs, src)
    chunks = _first_chunk(src, chunk_rows)
    report = ImportReport(
        table,
        src.path.name,
        batch_id or new_batch_id(table, src.path),
        src.info.format,
        src.info.encoding,
        crs,
        mapping.name,
        resolved,
    )
    return src, mapping, resolved, crs, chunks, report


__all__ = [
    "SAMPLE_ROWS",
    "ImportFileError",
    "detect_times",
    "new_batch_id",
    "open_import",
    "resolve_mapping",
]
