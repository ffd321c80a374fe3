"""Vector geometry files through GDAL (pyogrio): GeoJSON, GeoPackage, (zipped) Shapefile.

Read whole (as much as GDAL loads): the attributes as text, the geometries kept for
area imports, and the point coordinates for event imports.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from data.ingest.readers.base import (
    Chunk,
    ReadError,
    SourceInfo,
    dedupe_columns,
    frame_chunks,
    point_xy,
)


class VectorReader:
    """One layer of a vector file: attributes, geometries and their points."""

    def __init__(self) -> None:
        self.frame: pd.DataFrame | None = None
        self.geoms: np.ndarray | None = None
        self.xy: tuple[np.ndarray, np.ndarray] | None = None

    def open(self, path: Path, fmt: str, *, sheet: str | int = 0) -> SourceInfo:
        """Read the file whole; the CRS is the one the file declares."""
        import pyogrio

        if fmt == "shapefile" and path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
            raise ReadError(f"{path.name!r} is not a zip archive")
        gdf = pyogrio.read_dataframe(path)
        attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        attrs.columns = dedupe_columns([str(c) for c in attrs.columns])
        self.frame = attrs.astype("str").where(attrs.notna(), None)
        if fmt == "geojson" and b"\\u0000" in path.read_bytes():
            _restore_nul(path, self.frame)
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        self.geoms = geoms
        self.xy = point_xy(geoms)
        crs = gdf.crs.to_string() if gdf.crs is not None else None
        return SourceInfo(path, fmt, list(attrs.columns), crs=crs, geometry=True, rows=len(gdf))

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the features in chunks of ``size``, with their point coordinates."""
        assert self.frame is not None
        return frame_chunks(self.frame, size, self.xy)

    def features(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The attributes as text and the shapely geometries, one row per feature."""
        assert self.frame is not None and self.geoms is not None
        return self.frame.reset_index(drop=True), self.geoms


def _restore_nul(path: Path, frame: pd.DataFrame) -> None:
    """Put back the text after a NUL (``\\u0000``) that GDAL cut off, so validation rejects
    those features instead of storing a shortened value (GeoJSON features in file order)."""
    features = json.loads(path.read_text(encoding="utf-8")).get("features") or []
    for i, feature in enumerate(features[: len(frame)]):
        for key, value in ((feature or {}).get("properties") or {}).items():
            if isinstance(value, str) and "\x00" in value and key in frame.columns:
                frame.iat[i, frame.columns.get_loc(key)] = value
