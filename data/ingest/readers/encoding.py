"""Text encodings of CSV files: UTF-8 (with or without BOM), GBK and GB18030.

Bytes that are not valid in the file's encoding (a UTF-8 file with a stray Latin-1 byte,
a GBK file cut mid-character) do not stop the import: each bad byte sequence becomes
:data:`~data.ingest.readers.base.INVALID_TEXT` in its cell (the ``gridscope-invalid``
codec error handler registered here), and validation rejects that row with a reason
(``data.ingest.validate``), the same on both stores.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pyarrow as pa

from data.ingest.readers.base import INVALID_TEXT, ReadError


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return INVALID_TEXT, exc.end


codecs.register_error("gridscope-invalid", _mark_invalid)


class Transcoded(io.RawIOBase):
    """A file's bytes decoded from ``encoding`` and re-encoded as UTF-8 for pyarrow
    (whose own transcoding stops at the first invalid byte); invalid bytes become
    :data:`INVALID_TEXT`."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._raw = path.open("rb")
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="gridscope-invalid")
        self._buf = bytearray()
        self._eof = False

    def readable(self) -> bool:
        """Always True: a read-only stream."""
        return True

    def readinto(self, b) -> int:  # noqa: ANN001 - a writable buffer
        """Fill ``b`` with the next UTF-8 bytes; 0 at the end of the file."""
        while len(self._buf) < len(b) and not self._eof:
            data = self._raw.read(1 << 20)
            self._eof = not data
            self._buf += self._decoder.decode(data, final=self._eof).encode("utf-8")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        del self._buf[:n]
        return n

    def close(self) -> None:
        """Close the underlying file."""
        self._raw.close()
        super().close()


def utf8_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Binary columns as UTF-8 strings; a cell with invalid bytes gets :data:`INVALID_TEXT`."""
    cols = []
    for col in batch.columns:
        try:
            cols.append(col.cast(pa.string()))
        except pa.ArrowInvalid:  # rare: decode this column cell by cell
            cols.append(
                pa.array(
                    [None if v is None else v.decode("utf-8", "gridscope-invalid") for v in col.to_pylist()],
                    pa.string(),
                )
            )
    return pa.RecordBatch.from_arrays(cols, schema=schema)


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
