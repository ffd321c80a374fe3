"""An opened file (:class:`Source`): the checks every format shares, then its reader.

The reader's library errors become one :class:`ReadError` sentence, on opening and
part-way through reading, whatever the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from data.ingest.readers.base import (
    CHUNK_ROWS,
    Chunk,
    FeatureReader,
    ReadError,
    SourceInfo,
    short_error,
)
from data.ingest.readers.registry import detect_format, new_reader


class Source:
    """An opened file: :attr:`info`, :meth:`preview` and :meth:`chunks`."""

    info: SourceInfo

    def __init__(self, path: Path | str, *, sheet: str | int | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ReadError(f"no such file: {self.path}")
        if self.path.stat().st_size == 0:
            raise ReadError(f"{self.path.name!r} is empty")
        fmt = detect_format(self.path)
        self.reader = new_reader(fmt)
        try:
            self.info = self.reader.open(self.path, fmt, sheet=0 if sheet is None else sheet)
        except ReadError:
            raise
        except Exception as exc:  # any library error on opening means: unreadable
            raise ReadError(f"cannot read {self.path.name!r} as {fmt.upper()}: {short_error(exc)}") from exc
        if not self.info.columns and not self.info.geometry:
            raise ReadError(f"{self.path.name!r} has no columns")

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows as text, with their row numbers as the index."""
        for chunk in self.chunks(max(n, 1)):
            frame = chunk.table.to_pandas()
            frame.index = pd.Index(chunk.rows, name="row")
            if chunk.x is not None:
                frame["_x"], frame["_y"] = chunk.x, chunk.y
            return frame.head(n)
        return pd.DataFrame(columns=self.info.columns)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        """Yield the file in chunks of about ``size`` rows.

        Raises
        ------
        ReadError
            The file turns out unreadable part-way (e.g. bytes that are not its encoding).
        """
        try:
            yield from self.reader.chunks(size)
        except ReadError:
            raise
        except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
            raise ReadError(f"cannot read {self.path.name!r} beyond this point: {short_error(exc)}") from exc


def open_source(path: Path | str, *, sheet: str | int | None = None) -> Source:
    """Open a file for import: detects format and encoding, reads the header.

    Parameters
    ----------
    path : the file; the suffix picks the reader (see :data:`~data.ingest.readers.FORMATS`)
    sheet : XLSX sheet name or index (default: the first)

    Raises
    ------
    ReadError
        Missing, empty, unknown type, or not readable as its type.
    """
    return Source(path, sheet=sheet)


def read_areas(path: Path | str) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """Read a polygon file: attributes as text, shapely geometries, and the declared CRS.

    Raises
    ------
    ReadError
        Not a geometry format, unreadable, or without any polygon.
    """
    src = open_source(path)
    if not src.info.geometry:
        raise ReadError(f"{Path(path).name!r} has no geometry: areas need GeoJSON, GeoPackage, Shapefile or GeoParquet")
    assert isinstance(src.reader, FeatureReader)
    attrs, geoms = src.reader.features()
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, [3, 6]).any():
        raise ReadError(f"{Path(path).name!r} has no polygons")
    return attrs, np.asarray(geoms, dtype=object), src.info.crs
