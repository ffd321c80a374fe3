"""Which reader serves a file: its suffix names a format (:data:`FORMATS`), the format a
reader (:data:`READERS`). A new format is one reader module and one line in each table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from data.ingest.readers.base import FormatReader, ReadError
from data.ingest.readers.csv_reader import CsvReader
from data.ingest.readers.excel_reader import ExcelReader
from data.ingest.readers.parquet_reader import ParquetReader
from data.ingest.readers.vector_reader import VectorReader

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".ods": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".pq": "parquet",
}
"""File suffix -> reader."""

READERS: dict[str, Callable[[], FormatReader]] = {
    "csv": CsvReader,
    "xlsx": ExcelReader,
    "geojson": VectorReader,
    "gpkg": VectorReader,
    "shapefile": VectorReader,
    "parquet": ParquetReader,
}
"""Format (a value of :data:`FORMATS`) -> the reader class that opens it."""


def detect_format(path: Path | str) -> str:
    """Return the reader for ``path`` from its suffix (``csv``, ``xlsx``, ``geojson`` …).

    Raises
    ------
    ReadError
        The suffix is not one GridScope reads.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ReadError(
            f"cannot read {Path(path).name!r}: unknown file type {suffix or '(none)'}; "
            f"use CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or (Geo)Parquet"
        )
    return FORMATS[suffix]


def new_reader(fmt: str) -> FormatReader:
    """A fresh reader for format ``fmt`` (one reader object per opened file)."""
    return READERS[fmt]()
