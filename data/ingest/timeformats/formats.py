"""A time column's format (:class:`TimeFormat`): a ``strptime`` pattern or a numeric
format name, and how it reads a column (vectorised, polars).

Two-digit years (``%y``, as chrono reads them): 00-69 → 2000-2069, 70-99 → 1970-1999.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

import polars as pl

DATE_ORDERS: tuple[str, ...] = ("mdy", "dmy", "ymd")
"""Values of a mapping's ``date_order``: month first (US), day first, year first."""

NUMERIC_FORMATS: tuple[str, ...] = ("excel", "epoch_s", "epoch_ms")
"""Format names for numbers: Excel serial days (1900 system), Unix seconds, Unix milliseconds."""

_EXCEL_EPOCH = datetime(1899, 12, 30)
_UNIX = datetime(1970, 1, 1)
_MS_MIN = int((datetime(1, 1, 2) - _UNIX).total_seconds() * 1000)
_MS_MAX = int((datetime(9999, 12, 30) - _UNIX).total_seconds() * 1000)


class TimeSettingError(ValueError):
    """A time format or window in a mapping is malformed; ``str()`` says what to write."""


_EXPAND = {"%F": "%Y-%m-%d", "%T": "%H:%M:%S", "%D": "%m/%d/%y", "%R": "%H:%M"}
_NUMERIC_TOKENS = {"%Y", "%y", "%m", "%d", "%H", "%I", "%M", "%S", "%e", "%j", "%f"}
_TOKEN_RE = {
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%j": r"\d{1,3}",
    "%f": r"\d{1,9}",
    "%.f": r"(?:\.\d{1,9})?",
    "%p": r"(?i:am|pm)",
    "%b": r"[A-Za-z]{3}",
    "%h": r"[A-Za-z]{3}",
    "%B": r"[A-Za-z]{3,9}",
    "%a": r"[A-Za-z]{3}",
    "%A": r"[A-Za-z]{6,9}",
    "%e": r"\s?\d{1,2}",
    "%#z": r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)",
    "%z": r"[+-]\d{2}:?\d{2}",
    "%:z": r"[+-]\d{2}:\d{2}",
    "%%": "%",
}
_TOKENS = re.compile(r"%[.#:]?[A-Za-z%]")
_TIME_TOKENS = ("%H", "%I", "%M", "%S", "%T", "%R")


def _glued(pattern: str) -> bool:
    """True when two numeric fields touch (``%Y%m%d``): their widths need the regex guard."""
    for short, full in _EXPAND.items():
        pattern = pattern.replace(short, full)
    return any(f"{a}{b}" in pattern for a in _NUMERIC_TOKENS for b in _NUMERIC_TOKENS)


def pattern_guard(pattern: str) -> str | None:
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
                    i + 1 < len(tokens) and not parts[i + 1] and tokens[i + 1] in _NUMERIC_TOKENS
                )
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
        if not any(t in expanded for t in ("%Y", "%y")) or not any(
            t in expanded for t in ("%m", "%b", "%B", "%h", "%j")
        ):
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
        guard = pattern_guard(self.pattern) if (exact or _glued(self.pattern)) else None
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
            "excel": ["Excel serial days"],
            "epoch_s": ["Unix epoch seconds (UTC)"],
            "epoch_ms": ["Unix epoch milliseconds (UTC)"],
        }.get(self.pattern, [])
        notes += {"mdy": ["month first"], "dmy": ["day first"], "ymd": ["year first"], "name": ["month by name"]}.get(
            self.order or "", []
        )
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
