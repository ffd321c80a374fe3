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

import re

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


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for spreadsheets: neutralised cells, RFC 4180 quoting, CRLF line
    ends, UTF-8 with a BOM (so Excel opens Chinese text intact), no index column."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


__all__ = ["FORMULA_TRIGGERS", "csv_bytes", "neutralise_cell", "neutralise_frame"]
