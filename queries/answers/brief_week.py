"""ISO weeks for the weekly brief: parse ``2026-W47``, cut the week, find the last complete one.

A week runs from Monday 00:00 to the next Monday 00:00 in the wall-clock time the events are
stored in (the district's time zone: the importer converts times with an offset to the
mapping's ``timezone``, ``Asia/Shanghai`` by default), the same cut as the trends page's
weekly buckets (``date_trunc('week', ...)``, ISO weeks start on Monday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

__all__ = ["BadWeek", "IsoWeek", "last_complete_week", "weeks_back_to"]

_PATTERN = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")
_FIRST_YEAR, _LAST_YEAR = 1901, 2199
"""Years a brief may name (inside the days an :class:`~queries.filters.EventFilter` supports,
with a year before for the comparison)."""


class BadWeek(ValueError):  # noqa: N818 - names the condition, as TooFewSlices does
    """A week label that is not an ISO week (``2026-W99``, ``2026-47``, ``W47``)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"not an ISO week: {text!r} ({reason}); write it as YYYY-Www, e.g. 2026-W47")
        self.text = text
        self.reason = reason


def _weeks_in(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week (``year``, ``week`` 1-52/53)."""

    year: int
    week: int

    def __post_init__(self) -> None:
        if not _FIRST_YEAR <= self.year <= _LAST_YEAR:
            raise BadWeek(f"{self.year}-W{self.week:02d}", f"year outside {_FIRST_YEAR}-{_LAST_YEAR}")
        last = _weeks_in(self.year)
        if not 1 <= self.week <= last:
            raise BadWeek(f"{self.year}-W{self.week:02d}", f"{self.year} has weeks 1-{last}")

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``2026-W47`` (also ``2026W47``, ``2026-w7``) as a week; :class:`BadWeek` otherwise.

        >>> IsoWeek.parse("2026-W47").monday
        datetime.date(2026, 11, 16)
        """
        m = _PATTERN.match(str(text))
        if not m:
            raise BadWeek(str(text), "expected YYYY-Www")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        """The ISO week ``day`` (or a datetime's day) falls in."""
        if isinstance(day, datetime):
            day = day.date()
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        """``YYYY-Www``."""
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        """The week's last day."""
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00."""
        return datetime.combine(self.monday, time.min)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 (exclusive)."""
        return self.start + timedelta(days=7)

    def shifted(self, weeks: int) -> IsoWeek:
        """The week ``weeks`` later (earlier when negative)."""
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def previous(self) -> IsoWeek:
        """The week before."""
        return self.shifted(-1)

    def last_year(self) -> IsoWeek:
        """The week 52 weeks earlier: the same weekdays a year before, as the trends page's
        "same period last year" (usually the same week number; after a 53-week year one off)."""
        return self.shifted(-52)

    def __str__(self) -> str:
        return self.label


def last_complete_week(reference: datetime) -> IsoWeek:
    """The last ISO week that ended at or before ``reference``: the week before the one
    ``reference`` falls in.

    >>> last_complete_week(datetime(2026, 6, 30, 23, 8)).label
    '2026-W26'
    >>> last_complete_week(datetime(2026, 6, 29, 0, 0)).label
    '2026-W26'
    """
    return IsoWeek.containing(reference).previous()


def weeks_back_to(last: IsoWeek, first_day: date | None, limit: int = 520) -> list[IsoWeek]:
    """``last`` and the weeks before it back to the week holding ``first_day``, newest first,
    at most ``limit`` (only ``last`` when ``first_day`` is ``None`` or after it): the weeks a
    brief can be picked for.

    >>> [w.label for w in weeks_back_to(IsoWeek(2026, 2), date(2025, 12, 24))]
    ['2026-W02', '2026-W01', '2025-W52']
    """
    if first_day is None:
        return [last]
    first_monday = first_day - timedelta(days=first_day.weekday())
    count = max(1, min(limit, (last.monday - first_monday).days // 7 + 1))
    weeks = [last]
    for _ in range(count - 1):
        if weeks[-1].monday.year <= _FIRST_YEAR:
            break
        weeks.append(weeks[-1].previous())
    return weeks
