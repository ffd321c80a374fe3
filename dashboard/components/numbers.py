"""One formatting policy for numbers users read (issue 16): every page, table, metric and export.

* a missing value is :data:`MISSING` (a dash), never ``None``/``nan``; the page says why in
  a caption (e.g. below the minimum count for a rank);
* a signed change never reads ``-0.0``: it is rounded first, and a change that rounds to
  zero has no sign;
* one precision per column (percentages with one decimal, counts without, hours with one);
* p-values with three decimals, ``<0.001`` below that.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from dashboard.i18n import t

MISSING = "—"
"""What a missing value shows."""


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def count(value: object) -> str:
    """A whole number with thousands separators (``1,234``), or :data:`MISSING`."""
    return MISSING if _missing(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def decimal(value: object, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators, or :data:`MISSING`."""
    if _missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"  # type: ignore[arg-type]
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def percent(value: object, digits: int = 1) -> str:
    """A rate (0..1) as a percentage with ``digits`` decimals (``86.0%``), or :data:`MISSING`."""
    return MISSING if _missing(value) else f"{decimal(100 * float(value), digits)}%"  # type: ignore[arg-type]


def signed(value: object, digits: int = 1) -> str:
    """A change with its sign (``+1.2``, ``-0.4``); one that rounds to zero is ``0.0`` (no
    ``-0.0``, no ``+0.0``); :data:`MISSING` when unknown.

    Examples
    --------
    >>> signed(-0.04), signed(0.05), signed(-1.25, 1), signed(float("nan"))
    ('0.0', '+0.1', '-1.2', '—')
    """
    if _missing(value):
        return MISSING
    rounded = round(float(value), digits)  # type: ignore[arg-type]
    if rounded == 0:
        return f"{0:.{digits}f}"
    return f"{rounded:+,.{digits}f}"


def signed_percent(value: object, digits: int = 1) -> str:
    """A relative change (``0.052`` → ``+5.2%``), no ``-0.0%``; :data:`MISSING` when unknown."""
    return MISSING if _missing(value) else f"{signed(100 * float(value), digits)}%"  # type: ignore[arg-type]


def p_value(value: object) -> str:
    """A p-value: three decimals, ``<0.001`` below; :data:`MISSING` where undefined.

    Examples
    --------
    >>> p_value(0.00004), p_value(0.0123), p_value(None)
    ('<0.001', '0.012', '—')
    """
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    return "<0.001" if v < 0.001 else f"{v:.3f}"


FORMATTERS: dict[str, Callable[[object], str]] = {
    "count": count,
    "percent": percent,
    "p": p_value,
    "%.1f": lambda v: decimal(v, 1),
    "%.2f": lambda v: decimal(v, 2),
    "%.3f": lambda v: decimal(v, 3),
    "%d": count,
}
"""Column formats of :mod:`dashboard.components.columns` → the formatter of one cell."""


def period_label(bucket: object, grain: str) -> str:
    """A trend bucket's tick label: the day (``2026-06-03``), the ISO week (``2026-W23`` /
    ``2026年第23周``) or the month (``2026-10`` / ``2026年10月``)."""
    ts = pd.Timestamp(bucket)  # type: ignore[arg-type]
    if grain == "week":
        year, week, _ = ts.isocalendar()
        return t("num_week_label", year=year, week=week, week2=f"{week:02d}")
    if grain == "month":
        return t("num_month_label", year=ts.year, month=ts.month, month2=f"{ts.month:02d}")
    return f"{ts:%Y-%m-%d}"


def span(first: datetime | pd.Timestamp, end: datetime | pd.Timestamp) -> str:
    """The days ``[first, end)`` as text: ``2026-06-03`` for one day, else ``2026-06-03 – 2026-06-07``."""
    a, b = pd.Timestamp(first), pd.Timestamp(end) - pd.Timedelta(days=1)
    return f"{a:%Y-%m-%d}" if a >= b else f"{a:%Y-%m-%d} – {b:%Y-%m-%d}"


__all__ = [
    "FORMATTERS",
    "MISSING",
    "count",
    "decimal",
    "p_value",
    "percent",
    "period_label",
    "signed",
    "signed_percent",
    "span",
]
