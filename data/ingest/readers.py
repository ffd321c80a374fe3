"""Read the files districts have: CSV (UTF-8, BOM, GBK/GB18030), XLSX, GeoJSON, GeoPackage,
zipped Shapefile, Parquet and GeoParquet, as chunks of text columns.

Every reader yields :class:`Chunk` objects: the file's columns as Arrow strings (the
importer parses them, so one validator serves every format and can quote the raw
value), the 1-based data row number of each row, the point coordinates of geometry
formats, and the records the parser could not split into the header's columns.

Large CSV and Parquet files stream (pyarrow's incremental readers), so memory stays
bounded by the chunk size; the other formats are read whole (XLSX is limited to ~1M
rows, vector formats to what GDAL loads).

CSV parsing runs single-threaded on purpose: only then does pyarrow report the line
number of a malformed record, which the reject table needs.

Bytes that are not valid in the file's encoding (a UTF-8 file with a stray Latin-1 byte,
a GBK file cut mid-character) do not stop the import: each bad byte sequence becomes
:data:`INVALID_TEXT` in its cell, and validation rejects that row with a reason
(``data.ingest.validate``), the same on both stores.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

CHUNK_ROWS = 250_000
"""Default rows per chunk: ~100-200 MB of working memory for a 20-column file."""

FORMATS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx", ".ods": "xlsx",
    ".geojson": "geojson", ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile", ".shp": "shapefile",
    ".parquet": "parquet", ".geoparquet": "parquet", ".pq": "parquet",
}
"""File suffix -> reader."""

INVALID_TEXT = "\ufdd0"
"""Stands in a cell for bytes not valid in the file's encoding: a Unicode noncharacter,
which real text never holds; rows with it are rejected, never stored."""

_SAMPLE_BYTES = 1 << 20
_BLOCK_BYTES = 4 << 20
"""CSV parse block: larger blocks are no faster but hold ~10x their size in memory."""


class ReadError(ValueError):
    """The file cannot be read at all; ``str()`` is one sentence a user can act on."""


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return INVALID_TEXT, exc.end


codecs.register_error("gridscope-invalid", _mark_invalid)


class _Transcoded(io.RawIOBase):
    """A file's bytes decoded from ``encoding`` and re-encoded as UTF-8 for pyarrow
    (whose own transcoding stops at the first invalid byte); invalid bytes become
    :data:`INVALID_TEXT`."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._raw = path.open("rb")
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="gridscope-invalid")
        self._buf = bytearray()
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001 - a writable buffer
        while len(self._buf) < len(b) and not self._eof:
            data = self._raw.read(1 << 20)
            self._eof = not data
            self._buf += self._decoder.decode(data, final=self._eof).encode("utf-8")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        del self._buf[:n]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _utf8_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Binary columns as UTF-8 strings; a cell with invalid bytes gets :data:`INVALID_TEXT`."""
    cols = []
    for col in batch.columns:
        try:
            cols.append(col.cast(pa.string()))
        except pa.ArrowInvalid:  # rare: decode this column cell by cell
            cols.append(pa.array([None if v is None else v.decode("utf-8", "gridscope-invalid")
                                  for v in col.to_pylist()], pa.string()))
    return pa.RecordBatch.from_arrays(cols, schema=schema)


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


def detect_encoding(sample: bytes) -> str:
    """Return the encoding of CSV bytes: ``utf-8-sig``, ``utf-8``, ``gbk`` or ``gb18030``.

    A sample cut in the middle of a character is fine. GBK is reported when the bytes
    are valid GBK; GB18030 (its superset) otherwise.

    Raises
    ------
    ReadError
        The bytes are not text in any of these encodings (e.g. a binary file).

    Examples
    --------
    >>> detect_encoding("事件编号".encode("gbk")), detect_encoding("事件编号".encode())
    ('gbk', 'utf-8')
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in sample:
        raise ReadError("the file is not text (it contains NUL bytes): is it really a CSV?")
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
        except UnicodeDecodeError:
            if enc == "utf-8" and _mostly_utf8(sample):
                return enc  # a few stray bytes in UTF-8 text: those rows are rejected, not re-read as GBK
            continue
        return enc
    raise ReadError("cannot detect the text encoding: expected UTF-8, GBK or GB18030")


def _mostly_utf8(sample: bytes) -> bool:
    """True when valid multi-byte UTF-8 characters outnumber invalid sequences 100 to 1.

    GBK text read as UTF-8 is mostly invalid (only ~1 in 7 of its characters happens to
    form a valid sequence), so this tells a UTF-8 export with a stray Latin-1 byte from a
    GBK file, which would otherwise be decoded as GBK: every Chinese character wrong.
    """
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=False)
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", "ignore")) - bad
    return bad > 0 and wide >= 100 * bad


def _dedupe(names: list[str]) -> list[str]:
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


class Source:
    """An opened file: :attr:`info`, :meth:`preview` and :meth:`chunks`."""

    def __init__(self, path: Path | str, *, sheet: str | int | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ReadError(f"no such file: {self.path}")
        if self.path.stat().st_size == 0:
            raise ReadError(f"{self.path.name!r} is empty")
        fmt = detect_format(self.path)
        self._sheet = 0 if sheet is None else sheet
        self._frame: pd.DataFrame | None = None
        self._xy: tuple[np.ndarray, np.ndarray] | None = None
        self._geo_meta: dict | None = None
        try:
            self.info = getattr(self, f"_open_{'geo' if fmt in ('geojson', 'gpkg', 'shapefile') else fmt}")(fmt)
        except ReadError:
            raise
        except Exception as exc:  # any library error on opening means: unreadable
            raise ReadError(f"cannot read {self.path.name!r} as {fmt.upper()}: {_short(exc)}") from exc
        if not self.info.columns and not self.info.geometry:
            raise ReadError(f"{self.path.name!r} has no columns")

    # -- opening ---------------------------------------------------------------------------
    def _open_csv(self, fmt: str) -> SourceInfo:
        with self.path.open("rb") as fh:
            sample = fh.read(_SAMPLE_BYTES)
        encoding = detect_encoding(sample)
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        if not first.strip():
            raise ReadError(f"{self.path.name!r} has no header line")
        delimiter = max([",", "\t", ";", "|"], key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        return SourceInfo(self.path, fmt, _dedupe(header), encoding=encoding, delimiter=delimiter)

    def _open_xlsx(self, fmt: str) -> SourceInfo:
        frame = pd.read_excel(self.path, sheet_name=self._sheet, engine="calamine", dtype=str)
        frame.columns = _dedupe([str(c) for c in frame.columns])
        self._frame = frame
        return SourceInfo(self.path, fmt, list(frame.columns), rows=len(frame))

    def _open_geo(self, fmt: str) -> SourceInfo:
        import pyogrio

        if fmt == "shapefile" and self.path.suffix.lower() == ".zip" and not zipfile.is_zipfile(self.path):
            raise ReadError(f"{self.path.name!r} is not a zip archive")
        gdf = pyogrio.read_dataframe(self.path)
        attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        attrs.columns = _dedupe([str(c) for c in attrs.columns])
        self._frame = attrs.astype("str").where(attrs.notna(), None)
        if fmt == "geojson" and b"\\u0000" in self.path.read_bytes():
            _restore_nul(self.path, self._frame)
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        self._geoms = geoms
        self._xy = _point_xy(geoms)
        crs = gdf.crs.to_string() if gdf.crs is not None else None
        return SourceInfo(self.path, fmt, list(attrs.columns), crs=crs, geometry=True, rows=len(gdf))

    def _open_parquet(self, fmt: str) -> SourceInfo:
        pf = pq.ParquetFile(self.path)
        meta = pf.schema_arrow.metadata or {}
        columns = list(pf.schema_arrow.names)
        crs = None
        if b"geo" in meta:
            geo = json.loads(meta[b"geo"])
            primary = geo.get("primary_column", "geometry")
            info = geo.get("columns", {}).get(primary, {})
            crs = _crs_from_projjson(info.get("crs", "OGC:CRS84"))
            self._geo_meta = {"column": primary}
            columns = [c for c in columns if c != primary]
        return SourceInfo(
            self.path, fmt, columns, crs=crs, geometry=self._geo_meta is not None, rows=pf.metadata.num_rows
        )

    # -- reading ---------------------------------------------------------------------------
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
        reader = getattr(self, f"_chunks_{'frame' if self._frame is not None else self.info.format}")
        try:
            yield from reader(size)
        except ReadError:
            raise
        except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
            raise ReadError(f"cannot read {self.path.name!r} beyond this point: {_short(exc)}") from exc

    def _chunks_frame(self, size: int) -> Iterator[Chunk]:
        frame = self._frame
        assert frame is not None
        for start in range(0, max(len(frame), 1), size):
            part = frame.iloc[start:start + size]
            table = pa.Table.from_pandas(part.astype(object).where(part.notna(), None), preserve_index=False)
            table = table.cast(pa.schema([pa.field(c, pa.string()) for c in table.column_names]))
            rows = np.arange(start + 1, start + len(part) + 1, dtype=np.int64)
            x = y = None
            if self._xy is not None:
                x, y = self._xy[0][start:start + size], self._xy[1][start:start + size]
            yield Chunk(table, rows, x, y)

    def _chunks_csv(self, size: int) -> Iterator[Chunk]:
        info = self.info
        bad: list[tuple[int, str]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            # physical line number; the header is line 1, so the data row is one less
            bad.append((int(row.number) - 1 if row.number is not None else -1, row.text))
            return "skip"

        # UTF-8 is read as bytes and validated per cell (as fast as pyarrow's own check);
        # GBK/GB18030 is transcoded here, marking invalid bytes instead of stopping
        utf8 = info.encoding in ("utf-8", "utf-8-sig")
        reader = pacsv.open_csv(
            self.path if utf8 else _Transcoded(self.path, "gb18030"),
            read_options=pacsv.ReadOptions(
                column_names=info.columns, skip_rows=1, use_threads=False,
                block_size=_BLOCK_BYTES, encoding="utf8",
            ),
            parse_options=pacsv.ParseOptions(delimiter=info.delimiter, invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.binary() if utf8 else pa.string() for c in info.columns},
                strings_can_be_null=True, quoted_strings_can_be_null=False,
            ),
        )
        schema = pa.schema([pa.field(c, pa.string()) for c in info.columns])
        good = 0  # good rows yielded so far
        bad_seen: list[int] = []  # sorted data row numbers of malformed records so far
        pending: list[pa.RecordBatch] = []
        pending_rows = 0

        def flush(limit: int | None = None) -> Chunk:
            """The pending rows (at most ``limit``) as a chunk; the rest stays pending."""
            nonlocal good, pending, pending_rows
            table = pa.Table.from_batches(pending, schema=schema)
            rest = None
            if limit is not None and table.num_rows > limit:  # a parse block holds more than a chunk
                table, rest = table.slice(0, limit), table.slice(limit)
            n = table.num_rows
            new_bad = sorted(b for b in bad if b[0] >= 0)
            bad.clear()
            bad_seen.extend(r for r, _ in new_bad)
            bad_seen.sort()
            rows = _number_rows(good, n, np.asarray(bad_seen, dtype=np.int64))
            good += n
            pending = rest.to_batches() if rest is not None else []
            pending_rows = rest.num_rows if rest is not None else 0
            return Chunk(table, rows, bad_rows=new_bad)

        for batch in reader:
            pending.append(_utf8_batch(batch, schema) if utf8 else batch)
            pending_rows += batch.num_rows
            while pending_rows >= size:
                yield flush(size)
        if pending or bad:
            yield flush()

    def _chunks_parquet(self, size: int) -> Iterator[Chunk]:
        pf = pq.ParquetFile(self.path)
        start = 0
        geo_col = self._geo_meta["column"] if self._geo_meta else None
        for batch in pf.iter_batches(batch_size=size):
            table = pa.Table.from_batches([batch])
            x = y = None
            if geo_col is not None:
                wkb = table.column(geo_col).to_numpy(zero_copy_only=False)
                x, y = _point_xy(shapely.from_wkb(wkb, on_invalid="ignore"))
                table = table.drop_columns([geo_col])
            table = pa.table({c: _as_text(table.column(c)) for c in table.column_names})
            n = table.num_rows
            yield Chunk(table, np.arange(start + 1, start + n + 1, dtype=np.int64), x, y)
            start += n


def _restore_nul(path: Path, frame: pd.DataFrame) -> None:
    """Put back the text after a NUL (``\\u0000``) that GDAL cut off, so validation rejects
    those features instead of storing a shortened value (GeoJSON features in file order)."""
    features = json.loads(path.read_text(encoding="utf-8")).get("features") or []
    for i, feature in enumerate(features[:len(frame)]):
        for key, value in ((feature or {}).get("properties") or {}).items():
            if isinstance(value, str) and "\x00" in value and key in frame.columns:
                frame.iat[i, frame.columns.get_loc(key)] = value


def _number_rows(good_before: int, n: int, bad_rows: np.ndarray) -> np.ndarray:
    """Data row numbers of ``n`` good rows after ``good_before`` good ones, skipping bad rows.

    The k-th good row (1-based) has row number r where r - #bad(<= r) = k; solved with a
    sorted array of the malformed records' row numbers.
    """
    k = np.arange(good_before + 1, good_before + n + 1, dtype=np.int64)
    if not len(bad_rows):
        return k
    # bad row b shifts every good row whose rank k >= b - (index of b) ...
    thresholds = bad_rows - np.arange(len(bad_rows))
    return k + np.searchsorted(thresholds, k, side="right")


def _as_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    if pa.types.is_timestamp(col.type):
        return pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
    try:
        return pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.chunked_array([pa.array([None if v is None else str(v) for v in col.to_pylist()], pa.string())])


def _point_xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of point geometries; NaN for missing or non-point geometries."""
    geoms = np.asarray(geoms, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[is_point] = shapely.get_x(geoms[is_point])
    y[is_point] = shapely.get_y(geoms[is_point])
    return x, y


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


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def open_source(path: Path | str, *, sheet: str | int | None = None) -> Source:
    """Open a file for import: detects format and encoding, reads the header.

    Parameters
    ----------
    path : the file; the suffix picks the reader (see :data:`FORMATS`)
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
    if src._frame is not None:
        attrs, geoms = src._frame.reset_index(drop=True), src._geoms
    else:
        pf = pq.read_table(src.path)
        geo_col = src._geo_meta["column"]
        geoms = shapely.from_wkb(pf.column(geo_col).to_numpy(zero_copy_only=False), on_invalid="ignore")
        attrs = pa.table({c: _as_text(pf.column(c)) for c in pf.column_names if c != geo_col}).to_pandas()
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, [3, 6]).any():
        raise ReadError(f"{Path(path).name!r} has no polygons")
    return attrs, np.asarray(geoms, dtype=object), src.info.crs


__all__ = [
    "CHUNK_ROWS",
    "FORMATS",
    "INVALID_TEXT",
    "Chunk",
    "ReadError",
    "Source",
    "SourceInfo",
    "detect_encoding",
    "detect_format",
    "open_source",
    "read_areas",
]
