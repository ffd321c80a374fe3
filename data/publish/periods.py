"""Publication cut-off and the calendar of published periods (months and ISO weeks).

The cut-off (``through_date``, the last published day) is
``min(--through, last report day in the store - lag_days)``: the lag counts back from the
newest report the store holds, not from today, so a store that stopped receiving data is
still held back by the lag at its end. Nothing reported after ``through_date`` is counted,
and events reported on or before it are judged as of the end of ``through_date``
(``through_end``): a stage reached later is not published either.

Periods run from the one holding the first report day to the one holding ``through_date``;
the last month and the last week end at ``through_date`` (``period_end`` is then before
the calendar end of the period): the latest figures are "so far", and both calendars cover
exactly the same days, which the secondary suppression relies on (:func:`time_segments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

GRAINS: tuple[str, ...] = ("month", "week")
"""Period kinds of ``pub_stats.period``."""


@dataclass(frozen=True)
class Period:
    """One published period: ``start <= day <= end`` (``end`` capped at ``through_date``)."""

    grain: str
    start: date
    end: date
    label: str

    @property
    def natural_end(self) -> date:
        """Last day of the calendar month or ISO week (may be after ``end``)."""
        return next_start(self.grain, self.start) - timedelta(days=1)


def through_date(last_day: date, lag_days: int, through: date | None = None) -> date:
    """The last published day: ``min(through, last_day - lag_days)``.

    >>> through_date(date(2026, 6, 30), 7), through_date(date(2026, 6, 30), 7, date(2026, 5, 31))
    (datetime.date(2026, 6, 23), datetime.date(2026, 5, 31))
    """
    if lag_days < 0:
        raise ValueError(f"the publication lag must be 0 or more days, got {lag_days}")
    cut = last_day - timedelta(days=lag_days)
    return min(cut, through) if through is not None else cut


def end_of_day(day: date) -> datetime:
    """Midnight after ``day``: the exclusive end of the published window."""
    return datetime.combine(day + timedelta(days=1), time.min)


def period_start(grain: str, day: date) -> date:
    """First day of the month or ISO week (Monday) holding ``day``."""
    if grain == "month":
        return day.replace(day=1)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    raise ValueError(f"unknown period grain {grain!r}; expected one of {GRAINS}")


def next_start(grain: str, start: date) -> date:
    """First day of the period after the one starting ``start``."""
    if grain == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=7)


def label(grain: str, start: date) -> str:
    """``2026-11`` for a month, ``2026-W47`` (ISO year and week) for a week."""
    if grain == "month":
        return f"{start.year:04d}-{start.month:02d}"
    iso = start.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def periods(grain: str, first_day: date, last_day: date) -> list[Period]:
    """Every period of ``grain`` from the one holding ``first_day`` to the one holding
    ``last_day``, the last one ending at ``last_day``."""
    out: list[Period] = []
    start = period_start(grain, first_day)
    while start <= last_day:
        nxt = next_start(grain, start)
        out.append(Period(grain, start, min(nxt - timedelta(days=1), last_day), label(grain, start)))
        start = nxt
    return out


def time_segments(starts: list[date]) -> list[int]:
    """Segment number of each period start: the timeline is cut at every month start that is
    also a Monday (the only days both calendars start a period on).

    Inside one segment the months and the weeks cover the same days, so "sum of the months =
    sum of the weeks" is the one exact relation between the two tables there; the secondary
    suppression keeps it from revealing a single withheld value.
    """
    cuts = sorted({s for s in starts if s.day == 1 and s.weekday() == 0})
    return [sum(1 for c in cuts if c <= s) for s in starts]
