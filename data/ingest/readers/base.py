"""What every reader shares: the :class:`Chunk` it yields, the :class:`SourceInfo` it
learns on opening, the :class:`FormatReader` protocol it implements, and its errors.

A reader returns the file's columns as Arrow strings (the importer parses them, so one
validator serves every format and can quote the raw value), the 1-based data row number
of each row, the point coordinates of geometry formats, and the records the parser
could not split into the header's columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

CHUNK_ROWS = 250_000
"""Default rows per chunk: ~100-200 MB of working memory for a 20-column file."""

INVALID_TEXT = "\ufdd0"
"""Stands in a cell for bytes not valid in the file's encoding: a Unicode noncharacter,
which real text never holds; rows with it are rejected, never stored."""


class ReadError(ValueError):
    """The file cannot be read at all; ``str()`` is one sentence a user can act on."""


@dataclass
class Chunk:
    """A slice of a source file.

    Attributes
    ----------
    table : the file's columns as Arrow ``string`` arrays (null = empty)
    rows : int64 data row number of each row (1 = first row after the header)
    x, y : point coordinates from the file's geometry (geometry formats), else None
    bad_rows : ``(row number, raw text)`` of records that could not be parsed
    """

    table: pa.Table
    rows: np.ndarray
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    bad_rows: list[tuple[int, str]] = field(default_factory=list)

    def raw(self, index: np.ndarray) -> list[str]:
        """The raw content of rows ``index`` (positions in this chunk), as CSV text."""
        index = np.asarray(index, dtype=np.int64)
        part = self.table.take(pa.array(index))
        cols = [part.column(i).to_pylist() for i in range(part.num_columns)]
        out = []
        for k, i in enumerate(index):
            values = ["" if c[k] is None else c[k] for c in cols]
            if self.x is not None:
                values.append(f"POINT ({self.x[i]} {self.y[i]})")
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(values)
            out.append(buf.getvalue())
        return out


@dataclass
class SourceInfo:
    """What was learned about a file on opening it."""

    path: Path
    format: str
    columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    crs: str | None = None
    """CRS declared by the file (geometry formats), as ``EPSG:nnnn`` or WKT; None if unknown."""
    geometry: bool = False
    rows: int | None = None
    """Row count when known without reading the file (XLSX, vector formats, Parquet)."""


class FormatReader(Protocol):
    """One file format: :meth:`open` reads what a file says about itself, :meth:`chunks` its rows.

    A reader object serves one file: :meth:`open` is called once, then :meth:`chunks`
    any number of times. Library errors may escape both (the caller words them).
    """

    def open(self, path: Path, fmt: str, *, sheet: str | int = 0) -> SourceInfo:
        """Read the header (and, for formats read whole, the file): what :class:`SourceInfo` holds."""
        ...

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the file in chunks of about ``size`` rows."""
        ...


@runtime_checkable
class FeatureReader(FormatReader, Protocol):
    """A reader of a geometry format, which can also hand over its features whole (areas)."""

    def features(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The attributes as text and the shapely geometries, one row per feature."""
        ...


def dedupe_columns(names: list[str]) -> list[str]:
    """Column names made unique and non-empty (``a``, ``a.1``; ``column_3`` for a blank)."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def frame_chunks(frame: pd.DataFrame, size: int, xy: tuple[np.ndarray, np.ndarray] | None = None) -> Iterator[Chunk]:
    """Chunks of a frame read whole (XLSX, vector formats), with the points ``xy`` if any."""
    for start in range(0, max(len(frame), 1), size):
        part = frame.iloc[start : start + size]
        table = pa.Table.from_pandas(part.astype(object).where(part.notna(), None), preserve_index=False)
        table = table.cast(pa.schema([pa.field(c, pa.string()) for c in table.column_names]))
        rows = np.arange(start + 1, start + len(part) + 1, dtype=np.int64)
        x = y = None
        if xy is not None:
            x, y = xy[0][start : start + size], xy[1][start : start + size]
        yield Chunk(table, rows, x, y)


def point_xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of point geometries; NaN for missing or non-point geometries."""
    geoms = np.asarray(geoms, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[is_point] = shapely.get_x(geoms[is_point])
    y[is_point] = shapely.get_y(geoms[is_point])
    return x, y


def short_error(exc: Exception) -> str:
    """The first line of a library's error message (at most 300 characters)."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
