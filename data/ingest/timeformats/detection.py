"""Detecting a time column's format from a sample of its values.

A column's values are tried against every candidate format on a sample of its distinct
values (:func:`detect_format`); the format that reads the most values inside the
plausible window wins. When a column reads as well month-first as day-first (every
value has both fields ≤ 12) the choice is the user's: :class:`AmbiguousDateOrderError`
says so instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data.ingest.timeformats.formats import NUMERIC_FORMATS, TimeFormat, pattern_guard
from data.ingest.timeformats.window import TimeWindow

SAMPLE_VALUES = 2000
"""Distinct values of a column the candidates are scored on."""

AMBIGUITY_SHARE = 0.98
"""Month-first and day-first both read at least this share of what the better one reads:
the few values that tell them apart may be typos, so the column counts as ambiguous."""


class AmbiguousDateOrderError(ValueError):
    """A column reads equally well month-first and day-first; the user must say which."""

    def __init__(self, field_name: str, column: str, orders: Sequence[str], examples: Sequence[str]) -> None:
        self.field = field_name
        self.column = column
        self.orders = tuple(orders)
        self.examples = tuple(examples)
        shown = ", ".join(repr(e) for e in self.examples)
        super().__init__(
            f"the times in column {column!r} ({field_name}) read both month-first and day-first "
            f"(e.g. {shown}), so which day they mean is unknown; say it in the mapping: "
            f'date_order = "mdy" (month first, as in US exports) or "dmy" (day first), '
            f'or give this column\'s format, e.g. [time_format] {field_name} = "%d/%m/%Y %H:%M"'
            " (command line: --date-order mdy|dmy; import page: choose the date order)"
        )


def _candidates(date_order: str | None) -> list[TimeFormat]:
    """Every built-in format, most common first (ties go to the earlier one)."""
    # plain seconds before %.f: both read "14:05:00", and only the plain one has polars' fast path
    iso_times = [" %H:%M:%S", "T%H:%M:%S", " %H:%M:%S%.f", "T%H:%M:%S%.f", " %H:%M", "T%H:%M"]
    out: list[str] = []
    for t in iso_times:
        out += [f"%Y-%m-%d{t}%#z", f"%Y-%m-%d{t}"]
    out.append("%Y-%m-%d")
    for sep in ("/", "."):
        out += [
            f"%Y{sep}%m{sep}%d %H:%M:%S",
            f"%Y{sep}%m{sep}%d %H:%M:%S%.f",
            f"%Y{sep}%m{sep}%d %H:%M",
            f"%Y{sep}%m{sep}%d",
        ]
    times = [" %I:%M:%S %p", " %I:%M:%S%.f %p", " %I:%M %p", " %H:%M:%S", " %H:%M:%S%.f", " %H:%M", ""]
    orders = {"mdy": "%m{s}%d{s}%Y", "dmy": "%d{s}%m{s}%Y"}
    for year in ("%Y", "%y"):
        for sep in ("/", "-", "."):
            for t in times:
                for tpl in orders.values():
                    out.append(tpl.replace("%Y", year).format(s=sep) + t)
    if date_order == "ymd":  # two-digit year first only when the user says so
        out += [f"%y{sep}%m{sep}%d{t}" for sep in ("/", "-", ".") for t in times]
    out += [f"%Y年%m月%d日{t}" for t in (" %H时%M分%S秒", " %H时%M分", " %H点%M分", " %H:%M:%S", " %H:%M", "")]
    out += ["%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M", "%Y%m%d"]
    for d in ("%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%d-%b-%y"):
        out += [d + t for t in (" %H:%M:%S", " %H:%M", "")]
    formats = [TimeFormat.from_spec(p, "detected") for p in out] + [TimeFormat(n) for n in NUMERIC_FORMATS]
    if date_order in ("mdy", "dmy"):
        formats = [f for f in formats if f.order != ("dmy" if date_order == "mdy" else "mdy")]
    elif date_order == "ymd":
        formats = [f for f in formats if f.order not in ("mdy", "dmy")]
    return formats


def sample_values(values: pl.Series, n: int = SAMPLE_VALUES) -> pl.Series:
    """Up to ``n`` distinct non-empty values spread evenly through ``values``."""
    values = values.cast(pl.String).drop_nulls()
    if len(values) > 20 * n:  # thin out first: unique() on a whole chunk costs more
        values = values.gather(np.linspace(0, len(values) - 1, 20 * n).astype(np.int64))
    values = values.unique(maintain_order=True)
    if len(values) > n:
        values = values.gather(np.linspace(0, len(values) - 1, n).astype(np.int64))
    return values


@dataclass
class _Score:
    fmt: TimeFormat
    parsed: int
    inside: int
    index: int
    midnight: bool = False
    values: pl.Series | None = field(default=None, repr=False)


def detect_format(
    values: pl.Series,
    *,
    timezone: str = "Asia/Shanghai",
    window: TimeWindow | None = None,
    date_order: str | None = None,
    preferred: Sequence[str] = (),
    field_name: str = "",
    column: str = "",
) -> TimeFormat | None:
    """The format that reads the most of ``values`` inside ``window`` (None: no format reads any).

    Parameters
    ----------
    values : a column's text (a sample is taken, see :func:`sample_values`)
    timezone : zone for values with an offset
    window : plausible times (default :data:`DEFAULT_WINDOW`); separates Excel days, epoch
        seconds, epoch milliseconds and compact digits, which all look like numbers
    date_order : the user's ``mdy``/``dmy``/``ymd`` for dates written with numbers
    preferred : the mapping's own patterns, tried first and winning ties
    field_name, column : for the message of :class:`AmbiguousDateOrderError`

    Raises
    ------
    AmbiguousDateOrderError
        Month-first and day-first read the sample (almost) equally well and no
        ``date_order`` says which.

    Examples
    --------
    >>> detect_format(pl.Series(["1/1/20 0:05", "4/13/20 13:50"])).pattern
    '%m/%d/%y %H:%M'
    """
    window = window or TimeWindow.from_spec(None, timezone)
    sample = sample_values(values)
    if not len(sample):
        return None
    cands = [TimeFormat.from_spec(p, "mapping") for p in preferred] + _candidates(date_order)
    # the shapes of the values (digits as 9): a handful of strings that rule out most candidates
    # without a polars call each
    shapes = sample.str.replace_all(r"\d", "9").unique().to_list()
    scores: list[_Score] = []
    for i, fmt in enumerate(cands):
        if not fmt.numeric:
            guard = pattern_guard(fmt.pattern)
            if guard is not None and not any(re.match(guard, shape) for shape in shapes):
                continue
        parsed = fmt.parse(sample, timezone, exact=True)
        n = len(parsed) - parsed.null_count()
        if not n:
            continue
        inside = int(((parsed >= window.start) & (parsed <= window.end)).sum())
        if fmt.numeric and not inside:
            continue  # any number is some Excel day or epoch second: only plausible ones count
        scores.append(_Score(fmt, n, inside, i, values=parsed))
    if not scores:
        return None
    key = lambda s: (s.inside, s.parsed, s.fmt.source == "mapping", -s.index)  # noqa: E731
    best = max(scores, key=key)
    if best.fmt.order in ("mdy", "dmy") and best.fmt.source != "mapping" and date_order is None:
        other = "dmy" if best.fmt.order == "mdy" else "mdy"
        rivals = [s for s in scores if s.fmt.order == other]
        rival = max(rivals, key=key) if rivals else None
        if (
            rival is not None
            and rival.inside >= AMBIGUITY_SHARE * best.inside
            and rival.parsed >= AMBIGUITY_SHARE * best.parsed
        ):
            both = best.values.is_not_null() & rival.values.is_not_null()
            examples = sample.filter(both).head(3).to_list()
            raise AmbiguousDateOrderError(
                field_name or values.name, column or values.name, sorted((best.fmt.order, other)), examples
            )
    fmt = best.fmt
    if not fmt.date_only and best.values is not None:
        got = best.values.drop_nulls()
        midnight = len(got) > 0 and bool((got.dt.truncate("1d") == got).all())
        whole_days = fmt.pattern == "excel" or not fmt.numeric
        if midnight and whole_days:
            fmt = TimeFormat(fmt.pattern, fmt.order, fmt.source, True)
    return fmt
