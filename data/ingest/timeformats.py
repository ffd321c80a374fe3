"""Time columns of users' files: one format per column, detected from a sample, then applied.

A column's values are tried against every candidate format on a sample of its distinct
values (:func:`detect_format`); the format that reads the most values inside the
plausible window wins and is then applied to the whole column (:meth:`TimeFormat.parse`,
vectorised): a row that does not match it is unparseable, never re-guessed with another
format. Candidates: ISO and other year-first dates (``-``, ``/``, ``.``), month-first and
day-first dates with four- or two-digit years (``1/1/20 0:05``), 12-hour clocks, offsets
(``Z``, ``+08:00``: converted to the mapping's time zone), Chinese dates
(``2024年3月5日 14时05分``), compact digits (``20240305140500``), month names
(``05-Mar-2024``), Excel serial days, and Unix epoch seconds or milliseconds.

When a column reads as well month-first as day-first (every value has both fields ≤ 12)
the choice is the user's (``date_order`` in the mapping, or a format for the column):
:class:`AmbiguousDateOrderError` says so instead of guessing.

Two-digit years (``%y``, as chrono reads them): 00-69 → 2000-2069, 70-99 → 1970-1999.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

DATE_ORDERS: tuple[str, ...] = ("mdy", "dmy", "ymd")
"""Values of a mapping's ``date_order``: month first (US), day first, year first."""

NUMERIC_FORMATS: tuple[str, ...] = ("excel", "epoch_s", "epoch_ms")
"""Format names for numbers: Excel serial days (1900 system), Unix seconds, Unix milliseconds."""

DEFAULT_WINDOW: tuple[str, str] = ("1990-01-01", "+1d")
"""Plausible times, as in a mapping's ``time_window``: from 1990-01-01 to one day after now."""

WINDOW_LIMITS: tuple[datetime, datetime] = (datetime(1900, 1, 1), datetime(2200, 1, 1))
"""Outer bounds of any ``time_window``: the days the dashboard can show
(``queries.filters.SUPPORTED_FIRST_DAY`` .. ``SUPPORTED_LAST_DAY``); a row outside them
would be stored but never seen."""

SAMPLE_VALUES = 2000
"""Distinct values of a column the candidates are scored on."""

AMBIGUITY_SHARE = 0.98
"""Month-first and day-first both read at least this share of what the better one reads:
the few values that tell them apart may be typos, so the column counts as ambiguous."""

_EXCEL_EPOCH = datetime(1899, 12, 30)
_UNIX = datetime(1970, 1, 1)
_MS_MIN = int((datetime(1, 1, 2) - _UNIX).total_seconds() * 1000)
_MS_MAX = int((datetime(9999, 12, 30) - _UNIX).total_seconds() * 1000)


class TimeSettingError(ValueError):
    """A time format or window in a mapping is malformed; ``str()`` says what to write."""


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


# --- the plausible window ------------------------------------------------------------------

_RELATIVE = re.compile(r"^(now)?\s*([+-])\s*(\d+)\s*([dhw])$|^now$")


def _now(timezone: str) -> datetime:
    try:
        return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().replace(microsecond=0)


def _bound(spec: object, now: datetime, what: str) -> datetime:
    if isinstance(spec, datetime):
        return spec.replace(tzinfo=None)
    if isinstance(spec, date):
        return datetime(spec.year, spec.month, spec.day)
    text = str(spec).strip().lower()
    m = _RELATIVE.match(text)
    if m:
        if text == "now":
            return now
        sign = 1 if m.group(2) == "+" else -1
        unit = {"d": timedelta(days=1), "h": timedelta(hours=1), "w": timedelta(weeks=1)}[m.group(4)]
        return now + sign * int(m.group(3)) * unit
    try:
        return datetime.fromisoformat(str(spec).strip()).replace(tzinfo=None)
    except ValueError:
        raise TimeSettingError(
            f"time_window {what} {spec!r} is not a date (1990-01-01), a time (2024-03-05 08:00), "
            "'now', or an offset from now ('+1d', '-30d', '+12h', '+2w')"
        ) from None


@dataclass(frozen=True)
class TimeWindow:
    """Times a row may hold: ``start <= t <= end`` (naive, in the mapping's time zone)."""

    start: datetime
    end: datetime

    @classmethod
    def from_spec(cls, spec: Sequence[object] | None = None, timezone: str = "Asia/Shanghai",
                  now: datetime | None = None) -> TimeWindow:
        """The window a mapping's ``time_window`` describes (default :data:`DEFAULT_WINDOW`).

        Each bound is a date or time (ISO), ``now``, or an offset from now (``+1d``,
        ``-30d``, ``+12h``, ``+2w``); "now" is the current time in ``timezone``.

        Raises
        ------
        TimeSettingError
            Not two bounds, a bound that cannot be read, or start after end.

        Examples
        --------
        >>> w = TimeWindow.from_spec(["2020-01-01", "+1d"], now=datetime(2024, 3, 5, 12, 0))
        >>> (w.start.isoformat(), w.end.isoformat())
        ('2020-01-01T00:00:00', '2024-03-06T12:00:00')
        """
        spec = DEFAULT_WINDOW if spec is None else spec
        if isinstance(spec, (str, bytes)) or len(spec) != 2:
            raise TimeSettingError(f'time_window must be two bounds, e.g. ["1990-01-01", "+1d"], got {spec!r}')
        now = now or _now(timezone)
        start, end = _bound(spec[0], now, "start"), _bound(spec[1], now, "end")
        if start > end:
            raise TimeSettingError(f"time_window starts after it ends: {start:%Y-%m-%d %H:%M} > {end:%Y-%m-%d %H:%M}")
        lo, hi = WINDOW_LIMITS
        if start < lo or end > hi:
            raise TimeSettingError(
                f"time_window must lie within {lo:%Y-%m-%d} … {hi - timedelta(days=1):%Y-%m-%d}, the days the "
                f"dashboard can show; got {start:%Y-%m-%d} … {end:%Y-%m-%d}")
        return cls(start, end)

    def label(self) -> str:
        """``1990-01-01 00:00 … 2026-12-02 09:15``."""
        return f"{self.start:%Y-%m-%d %H:%M} … {self.end:%Y-%m-%d %H:%M}"


# --- formats -------------------------------------------------------------------------------

_EXPAND = {"%F": "%Y-%m-%d", "%T": "%H:%M:%S", "%D": "%m/%d/%y", "%R": "%H:%M"}
_NUMERIC_TOKENS = {"%Y", "%y", "%m", "%d", "%H", "%I", "%M", "%S", "%e", "%j", "%f"}
_TOKEN_RE = {
    "%Y": r"\d{4}", "%y": r"\d{2}", "%j": r"\d{1,3}", "%f": r"\d{1,9}", "%.f": r"(?:\.\d{1,9})?",
    "%p": r"(?i:am|pm)", "%b": r"[A-Za-z]{3}", "%h": r"[A-Za-z]{3}", "%B": r"[A-Za-z]{3,9}",
    "%a": r"[A-Za-z]{3}", "%A": r"[A-Za-z]{6,9}", "%e": r"\s?\d{1,2}",
    "%#z": r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)", "%z": r"[+-]\d{2}:?\d{2}", "%:z": r"[+-]\d{2}:\d{2}", "%%": "%",
}
_TOKENS = re.compile(r"%[.#:]?[A-Za-z%]")
_TIME_TOKENS = ("%H", "%I", "%M", "%S", "%T", "%R")


def _glued(pattern: str) -> bool:
    """True when two numeric fields touch (``%Y%m%d``): their widths need the regex guard."""
    for short, full in _EXPAND.items():
        pattern = pattern.replace(short, full)
    return any(f"{a}{b}" in pattern for a in _NUMERIC_TOKENS for b in _NUMERIC_TOKENS)


def _guard(pattern: str) -> str | None:
    """A regex matching exactly the text ``pattern`` describes (None: a token we do not know).

    chrono (behind polars' ``strptime``) reads ``%Y`` from any number of digits, so
    ``%m/%d/%Y`` alone would read ``1/1/20`` as the year 20: the guard holds the digit counts.
    """
    for short, full in _EXPAND.items():
        pattern = pattern.replace(short, full)
    parts = _TOKENS.split(pattern)
    tokens = _TOKENS.findall(pattern)
    out = ["^"]
    for i, literal in enumerate(parts):
        out.append(r"\s*".join(re.escape(chunk) for chunk in re.split(r"\s+", literal)))
        if i < len(tokens):
            tok = tokens[i]
            if tok in _TOKEN_RE:
                out.append(_TOKEN_RE[tok])
            elif tok in _NUMERIC_TOKENS:
                # two fields with nothing between (20240305) are fixed-width
                glued = (not literal and i > 0 and tokens[i - 1] in _NUMERIC_TOKENS) or (
                    i + 1 < len(tokens) and not parts[i + 1] and tokens[i + 1] in _NUMERIC_TOKENS)
                out.append(r"\d{2}" if glued else r"\d{1,2}")
            else:
                return None
    out.append("$")
    return "".join(out)


@dataclass(frozen=True)
class TimeFormat:
    """One column's time format: a ``strptime`` pattern or one of :data:`NUMERIC_FORMATS`.

    Attributes
    ----------
    pattern : chrono/strftime pattern (``%m/%d/%y %H:%M``), ``excel``, ``epoch_s`` or ``epoch_ms``
    order : ``mdy``, ``dmy`` or ``ymd`` for dates written with numbers; ``name`` for month
        names; None for numbers
    source : ``detected`` (from the sample) or ``mapping`` (the user's)
    date_only : the values carry no time of day (no time in the pattern, whole Excel days,
        or every sampled time at 00:00)
    """

    pattern: str
    order: str | None = None
    source: str = "detected"
    date_only: bool = False

    @classmethod
    def from_spec(cls, spec: str, source: str = "mapping") -> TimeFormat:
        """A format a mapping names (a pattern with ``%`` fields, or a numeric format name).

        Raises
        ------
        TimeSettingError
            No date field in the pattern, or an unknown name.
        """
        text = str(spec).strip()
        if text.lower() in NUMERIC_FORMATS:
            return cls(text.lower(), None, source)
        expanded = text
        for short, full in _EXPAND.items():
            expanded = expanded.replace(short, full)
        if not any(t in expanded for t in ("%Y", "%y")) or not any(t in expanded for t in ("%m", "%b", "%B", "%h", "%j")):
            raise TimeSettingError(
                f"time format {text!r} has no year and month (use %Y or %y, and %m or %b; e.g. '%d/%m/%Y %H:%M'), "
                f"or name one of {', '.join(NUMERIC_FORMATS)}"
            )
        return cls(text, _order_of(expanded), source, not any(t in expanded for t in _TIME_TOKENS))

    @property
    def numeric(self) -> bool:
        """Excel serial days or Unix epoch numbers."""
        return self.pattern in NUMERIC_FORMATS

    @property
    def zoned(self) -> bool:
        """The values carry an offset (converted to the mapping's time zone)."""
        return self.pattern.startswith("epoch") or any(t in self.pattern for t in ("%z", "%#z", "%:z"))

    @property
    def two_digit_year(self) -> bool:
        """The year is written with two digits (``%y``)."""
        return "%y" in self.pattern or "%D" in self.pattern

    def parse(self, text: pl.Series, timezone: str, *, exact: bool = False) -> pl.Series:
        """``text`` read with this format as ``Datetime("us")`` (null: empty or not this format).

        ``exact`` checks every value's shape with a regex (digit counts, fields present),
        as detection does on its sample; without it only what could change a value is
        checked (a four-digit ``%Y``), which keeps a whole column's parse at chrono's speed.
        """
        text = text.cast(pl.String)
        if self.numeric:
            return self._parse_number(text, timezone)
        if self.zoned:
            parsed = text.str.strptime(pl.Datetime("us", "UTC"), self.pattern, strict=False)
            parsed = parsed.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
        else:
            parsed = text.str.strptime(pl.Datetime("us"), self.pattern, strict=False)
        guard = _guard(self.pattern) if (exact or _glued(self.pattern)) else None
        if guard is not None:
            ok = text.str.contains(guard)
        elif "%Y" in self.pattern or "%F" in self.pattern:
            # chrono's only leniency that changes a value: %Y of 1-3 digits (1/1/20 -> the year 20);
            # a cheap check on the result instead of a regex over every row (2-3x the parse)
            ok = parsed.dt.year() >= 1000
        else:
            return parsed.alias(text.name)
        return pl.select(pl.when(ok).then(parsed).otherwise(None)).to_series().alias(text.name)

    def _parse_number(self, text: pl.Series, timezone: str) -> pl.Series:
        ok = text.str.contains(r"^-?\d+$" if self.pattern == "epoch_ms" else r"^-?\d+(?:\.\d+)?$")
        num = pl.select(pl.when(ok).then(text).otherwise(None)).to_series().cast(pl.Float64, strict=False)
        if self.pattern == "excel":
            # whole milliseconds: float days carry ~1 µs of noise (45356.58680555555)
            ms = (num * 86_400_000).round(0)
            base, zoned = _EXCEL_EPOCH, False
        else:
            ms = (num * 1000).round(0) if self.pattern == "epoch_s" else num
            base, zoned = _UNIX, True
        total = ms + int((base - _UNIX).total_seconds() * 1000)  # ms since 1970
        # only years 1-9999 (what a datetime holds); the window rejects most of them anyway
        total = pl.select(pl.when(total.is_between(_MS_MIN, _MS_MAX)).then(total)).to_series()
        out = total.cast(pl.Int64).cast(pl.Datetime("ms")).cast(pl.Datetime("us"))
        if zoned:
            out = out.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.replace_time_zone(None)
        return out.alias(text.name)

    def describe(self) -> str:
        """One line in English: the pattern and what it means (``month first, two-digit year``)."""
        notes = {
            "excel": ["Excel serial days"], "epoch_s": ["Unix epoch seconds (UTC)"],
            "epoch_ms": ["Unix epoch milliseconds (UTC)"],
        }.get(self.pattern, [])
        notes += {"mdy": ["month first"], "dmy": ["day first"], "ymd": ["year first"], "name": ["month by name"]}.get(
            self.order or "", [])
        if self.two_digit_year:
            notes.append("two-digit year (00-69 → 20xx, 70-99 → 19xx)")
        if self.zoned and not self.pattern.startswith("epoch"):
            notes.append("with offset, converted to the mapping's time zone")
        if self.date_only:
            notes.append("date only")
        notes.append("from the mapping" if self.source == "mapping" else "detected")
        return f"{self.pattern} ({', '.join(notes)})"

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form (for the report and the page)."""
        out: dict[str, object] = asdict(self)
        out.update(numeric=self.numeric, zoned=self.zoned, two_digit_year=self.two_digit_year)
        return out


def _order_of(pattern: str) -> str | None:
    """``mdy``/``dmy``/``ymd`` from the order of the fields in ``pattern`` (``name`` for %b)."""
    if any(t in pattern for t in ("%b", "%B", "%h")):
        return "name"
    pos = {k: pattern.find(t) for k, t in (("y", "%Y"), ("m", "%m"), ("d", "%d"))}
    if pos["y"] < 0:
        pos["y"] = pattern.find("%y")
    if min(pos.values()) < 0:
        return None
    return "".join(sorted(pos, key=pos.get))


def _candidates(date_order: str | None) -> list[TimeFormat]:
    """Every built-in format, most common first (ties go to the earlier one)."""
    # plain seconds before %.f: both read "14:05:00", and only the plain one has polars' fast path
    iso_times = [" %H:%M:%S", "T%H:%M:%S", " %H:%M:%S%.f", "T%H:%M:%S%.f", " %H:%M", "T%H:%M"]
    out: list[str] = []
    for t in iso_times:
        out += [f"%Y-%m-%d{t}%#z", f"%Y-%m-%d{t}"]
    out.append("%Y-%m-%d")
    for sep in ("/", "."):
        out += [f"%Y{sep}%m{sep}%d %H:%M:%S", f"%Y{sep}%m{sep}%d %H:%M:%S%.f", f"%Y{sep}%m{sep}%d %H:%M",
                f"%Y{sep}%m{sep}%d"]
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


def detect_format(values: pl.Series, *, timezone: str = "Asia/Shanghai", window: TimeWindow | None = None,
                  date_order: str | None = None, preferred: Sequence[str] = (), field_name: str = "",
                  column: str = "") -> TimeFormat | None:
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
            guard = _guard(fmt.pattern)
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
        if rival is not None and rival.inside >= AMBIGUITY_SHARE * best.inside and rival.parsed >= AMBIGUITY_SHARE * best.parsed:
            both = best.values.is_not_null() & rival.values.is_not_null()
            examples = sample.filter(both).head(3).to_list()
            raise AmbiguousDateOrderError(field_name or values.name, column or values.name,
                                      sorted((best.fmt.order, other)), examples)
    fmt = best.fmt
    if not fmt.date_only and best.values is not None:
        got = best.values.drop_nulls()
        midnight = len(got) > 0 and bool((got.dt.truncate("1d") == got).all())
        whole_days = fmt.pattern == "excel" or not fmt.numeric
        if midnight and whole_days:
            fmt = TimeFormat(fmt.pattern, fmt.order, fmt.source, True)
    return fmt


__all__ = [
    "AMBIGUITY_SHARE",
    "DATE_ORDERS",
    "DEFAULT_WINDOW",
    "NUMERIC_FORMATS",
    "SAMPLE_VALUES",
    "WINDOW_LIMITS",
    "AmbiguousDateOrderError",
    "TimeFormat",
    "TimeSettingError",
    "TimeWindow",
    "detect_format",
    "sample_values",
]
