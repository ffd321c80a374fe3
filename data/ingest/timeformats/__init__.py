"""Time columns of users' files: one format per column, detected from a sample, then applied.

A column's values are tried against every candidate format on a sample of its distinct
values (:func:`detect_format`, ``detection``); the format that reads the most values
inside the plausible window (:class:`TimeWindow`, ``window``) wins and is then applied
to the whole column (:meth:`TimeFormat.parse`, ``formats``, vectorised): a row that
does not match it is unparseable, never re-guessed with another format. Candidates: ISO
and other year-first dates (``-``, ``/``, ``.``), month-first and day-first dates with
four- or two-digit years (``1/1/20 0:05``), 12-hour clocks, offsets (``Z``, ``+08:00``:
converted to the mapping's time zone), Chinese dates (``2024年3月5日 14时05分``), compact
digits (``20240305140500``), month names (``05-Mar-2024``), Excel serial days, and Unix
epoch seconds or milliseconds. :class:`TimeParser` (``columns``) keeps one format per
column of an import.

When a column reads as well month-first as day-first (every value has both fields ≤ 12)
the choice is the user's (``date_order`` in the mapping, or a format for the column):
:class:`AmbiguousDateOrderError` says so instead of guessing.

Two-digit years (``%y``, as chrono reads them): 00-69 → 2000-2069, 70-99 → 1970-1999.
"""

from __future__ import annotations

from data.ingest.timeformats.columns import TimeParser
from data.ingest.timeformats.detection import (
    AMBIGUITY_SHARE,
    SAMPLE_VALUES,
    AmbiguousDateOrderError,
    detect_format,
    sample_values,
)
from data.ingest.timeformats.formats import (
    DATE_ORDERS,
    NUMERIC_FORMATS,
    TimeFormat,
    TimeSettingError,
)
from data.ingest.timeformats.window import DEFAULT_WINDOW, WINDOW_LIMITS, TimeWindow

__all__ = [
    "AMBIGUITY_SHARE",
    "DATE_ORDERS",
    "DEFAULT_WINDOW",
    "NUMERIC_FORMATS",
    "SAMPLE_VALUES",
    "WINDOW_LIMITS",
    "AmbiguousDateOrderError",
    "TimeFormat",
    "TimeParser",
    "TimeSettingError",
    "TimeWindow",
    "detect_format",
    "sample_values",
]
