"""Parquet and GeoParquet files, streamed by row batches; columns of any type become text.

GeoParquet's ``geo`` metadata names the geometry column (WKB) and its CRS (PROJJSON);
that column becomes the chunks' point coordinates, not a text column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from data.ingest.readers.base import Chunk, SourceInfo, point_xy


class ParquetReader:
    """A Parquet file; a GeoParquet file's geometry as points (events) or features (areas)."""

    def __init__(self) -> None:
        self.path = Path()
        self.geo_column: str | None = None
        """The GeoParquet primary geometry column; None for plain Parquet."""

    def open(self, path: Path, fmt: str, *, sheet: str | int = 0) -> SourceInfo:
        """Read the schema and metadata (row count, geometry column, CRS); no rows."""
        self.path = path
        pf = pq.ParquetFile(path)
        meta = pf.schema_arrow.metadata or {}
        columns = list(pf.schema_arrow.names)
        crs = None
        if b"geo" in meta:
            geo = json.loads(meta[b"geo"])
            primary = geo.get("primary_column", "geometry")
            info = geo.get("columns", {}).get(primary, {})
            crs = _crs_from_projjson(info.get("crs", "OGC:CRS84"))
            self.geo_column = primary
            columns = [c for c in columns if c != primary]
        return SourceInfo(path, fmt, columns, crs=crs, geometry=self.geo_column is not None, rows=pf.metadata.num_rows)

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the row batches of ``size`` rows as text, the geometry as point coordinates."""
        pf = pq.ParquetFile(self.path)
        start = 0
        geo_col = self.geo_column
        for batch in pf.iter_batches(batch_size=size):
            table = pa.Table.from_batches([batch])
            x = y = None
            if geo_col is not None:
                wkb = table.column(geo_col).to_numpy(zero_copy_only=False)
                x, y = point_xy(shapely.from_wkb(wkb, on_invalid="ignore"))
                table = table.drop_columns([geo_col])
            table = pa.table({c: _as_text(table.column(c)) for c in table.column_names})
            n = table.num_rows
            yield Chunk(table, np.arange(start + 1, start + n + 1, dtype=np.int64), x, y)
            start += n

    def features(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The attributes as text and the shapely geometries (the file read whole)."""
        geo_col = self.geo_column
        assert geo_col is not None
        pf = pq.read_table(self.path)
        geoms = shapely.from_wkb(pf.column(geo_col).to_numpy(zero_copy_only=False), on_invalid="ignore")
        attrs = pa.table({c: _as_text(pf.column(c)) for c in pf.column_names if c != geo_col}).to_pandas()
        return attrs, geoms


def _as_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    if pa.types.is_timestamp(col.type):
        return pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.chunked_array([pa.array([None if v is None else str(v) for v in col.to_pylist()], pa.string())])


def _crs_from_projjson(crs: object) -> str | None:
    from pyproj import CRS

    if crs is None:
        return None
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:
        return None
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.to_wkt()
