"""CSV (and ``.txt``/``.tsv``) files: encoding and delimiter detected, streamed in chunks.

pyarrow's incremental reader keeps memory bounded by the chunk size. Parsing runs
single-threaded on purpose: only then does pyarrow report the line number of a
malformed record, which the reject table needs.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from data.ingest.readers.base import Chunk, ReadError, SourceInfo, dedupe_columns
from data.ingest.readers.encoding import Transcoded, detect_encoding, utf8_batch

_SAMPLE_BYTES = 1 << 20
_BLOCK_BYTES = 4 << 20
"""CSV parse block: larger blocks are no faster but hold ~10x their size in memory."""


class CsvReader:
    """A delimited text file (``,``, tab, ``;`` or ``|``), in UTF-8, GBK or GB18030."""

    def __init__(self) -> None:
        self.path = Path()
        self.info: SourceInfo | None = None

    def open(self, path: Path, fmt: str, *, sheet: str | int = 0) -> SourceInfo:
        """Detect the encoding and the delimiter, and read the header line."""
        self.path = path
        with path.open("rb") as fh:
            sample = fh.read(_SAMPLE_BYTES)
        encoding = detect_encoding(sample)
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        if not first.strip():
            raise ReadError(f"{path.name!r} has no header line")
        delimiter = max([",", "\t", ";", "|"], key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        self.info = SourceInfo(path, fmt, dedupe_columns(header), encoding=encoding, delimiter=delimiter)
        return self.info

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the rows in chunks of ``size`` (the last may be shorter), malformed records apart."""
        info = self.info
        assert info is not None
        bad: list[tuple[int, str]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            # physical line number; the header is line 1, so the data row is one less
            bad.append((int(row.number) - 1 if row.number is not None else -1, row.text))
            return "skip"

        # UTF-8 is read as bytes and validated per cell (as fast as pyarrow's own check);
        # GBK/GB18030 is transcoded here, marking invalid bytes instead of stopping
        utf8 = info.encoding in ("utf-8", "utf-8-sig")
        reader = pacsv.open_csv(
            self.path if utf8 else Transcoded(self.path, "gb18030"),
            read_options=pacsv.ReadOptions(
                column_names=info.columns,
                skip_rows=1,
                use_threads=False,
                block_size=_BLOCK_BYTES,
                encoding="utf8",
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=info.delimiter, invalid_row_handler=on_invalid, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.binary() if utf8 else pa.string() for c in info.columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
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
            pending.append(utf8_batch(batch, schema) if utf8 else batch)
            pending_rows += batch.num_rows
            while pending_rows >= size:
                yield flush(size)
        if pending or bad:
            yield flush()


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
