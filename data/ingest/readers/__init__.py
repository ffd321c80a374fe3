"""Read the files districts have: CSV (UTF-8, BOM, GBK/GB18030), XLSX, GeoJSON, GeoPackage,
zipped Shapefile, Parquet and GeoParquet, as chunks of text columns.

Every reader yields :class:`Chunk` objects: the file's columns as Arrow strings (the
importer parses them, so one validator serves every format and can quote the raw
value), the 1-based data row number of each row, the point coordinates of geometry
formats, and the records the parser could not split into the header's columns.

One reader per format behind the :class:`~data.ingest.readers.base.FormatReader`
protocol (``csv_reader``, ``excel_reader``, ``vector_reader``, ``parquet_reader``),
chosen by :data:`FORMATS` and :data:`~data.ingest.readers.registry.READERS`;
:class:`Source` (``source``) holds what every format shares.

Large CSV and Parquet files stream (pyarrow's incremental readers), so memory stays
bounded by the chunk size; the other formats are read whole (XLSX is limited to ~1M
rows, vector formats to what GDAL loads).

Bytes that are not valid in the file's encoding do not stop the import: each bad byte
sequence becomes :data:`INVALID_TEXT` in its cell, and validation rejects that row with
a reason (``data.ingest.validate``), the same on both stores (``encoding``).
"""

from __future__ import annotations

from data.ingest.readers.base import (
    CHUNK_ROWS,
    INVALID_TEXT,
    Chunk,
    FeatureReader,
    FormatReader,
    ReadError,
    SourceInfo,
)
from data.ingest.readers.encoding import detect_encoding
from data.ingest.readers.registry import FORMATS, READERS, detect_format
from data.ingest.readers.source import Source, open_source, read_areas

__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "INVALID_TEXT",
    "READERS",
    "Chunk",
    "FeatureReader",
    "FormatReader",
    "ReadError",
    "Source",
    "SourceInfo",
    "detect_encoding",
    "detect_format",
    "open_source",
    "read_areas",
]
