"""The plausible window of a mapping's ``time_window``: times a row may hold.

Each bound is a date or time (ISO), ``now``, or an offset from now (``+1d``, ``-30d``,
``+12h``, ``+2w``), within :data:`WINDOW_LIMITS` (the days the dashboard can show).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data.ingest.timeformats.formats import TimeSettingError

DEFAULT_WINDOW: tuple[str, str] = ("1990-01-01", "+1d")
"""Plausible times, as in a mapping's ``time_window``: from 1990-01-01 to one day after now."""

WINDOW_LIMITS: tuple[datetime, datetime] = (datetime(1900, 1, 1), datetime(2200, 1, 1))
"""Outer bounds of any ``time_window``: the days the dashboard can show
(``queries.filters.SUPPORTED_FIRST_DAY`` .. ``SUPPORTED_LAST_DAY``); a row outside them
would be stored but never seen."""

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
    def from_spec(
        cls, spec: Sequence[object] | None = None, timezone: str = "Asia/Shanghai", now: datetime | None = None
    ) -> TimeWindow:
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
                f"dashboard can show; got {start:%Y-%m-%d} … {end:%Y-%m-%d}"
            )
        return cls(start, end)

    def label(self) -> str:
        """``1990-01-01 00:00 … 2026-12-02 09:15``."""
        return f"{self.start:%Y-%m-%d %H:%M} … {self.end:%Y-%m-%d %H:%M}"
