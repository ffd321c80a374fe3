"""The filter every dashboard query accepts, turned into bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

SUPPORTED_FIRST_DAY = date(1900, 1, 1)
"""Earliest day a filter can start on: every page computes with its window (pandas
timestamps end at 1677 and 2262, Python dates at 1 and 9999), so windows are clamped
into ``SUPPORTED_FIRST_DAY .. SUPPORTED_LAST_DAY`` with room for "previous period" and
"last year" arithmetic on either side. Events outside it (only a store written without
the importer can hold them) are never in any window."""
SUPPORTED_LAST_DAY = date(2199, 12, 31)
"""Last day a filter can end on (see :data:`SUPPORTED_FIRST_DAY`)."""
_START = datetime.combine(SUPPORTED_FIRST_DAY, time.min)
_END = datetime.combine(SUPPORTED_LAST_DAY + timedelta(days=1), time.min)


def clamp_day(day: date) -> date:
    """``day`` moved into the supported range (see :data:`SUPPORTED_FIRST_DAY`)."""
    if isinstance(day, datetime):
        day = day.date()
    return min(max(day, SUPPORTED_FIRST_DAY), SUPPORTED_LAST_DAY)


def _clamp(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):  # a date: midnight of it
        moment = datetime.combine(moment, time.min)
    return min(max(moment.replace(tzinfo=None), _START), _END)


def _as_list(values: Sequence[str] | None) -> list[str] | None:
    """Empty selections mean "all": they bind as NULL, which the SQL reads as no filter."""
    return list(values) if values else None


LIST_FIELDS: tuple[str, ...] = ("categories", "sources", "departments", "street_ids", "community_ids", "grid_ids")
"""The optional list filters of :class:`EventFilter` (each binds as a text array or NULL)."""


@dataclass(frozen=True)
class EventFilter:
    """Which events a query looks at: ``start <= reported_at < end`` plus optional lists.

    Every list is optional; ``None`` or empty means no restriction on that column.
    """

    start: datetime
    end: datetime
    categories: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())
    departments: tuple[str, ...] = field(default=())
    street_ids: tuple[str, ...] = field(default=())
    community_ids: tuple[str, ...] = field(default=())
    grid_ids: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # Never raise on a window: clamp it into the supported range, and an inverted one
        # (end before start) becomes empty at its start.
        start, end = _clamp(self.start), _clamp(self.end)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", max(start, end))
        # NUL cannot be stored in PostgreSQL text, so such a value matches nothing anywhere;
        # both backends refuse it here, with the same message (tests/queries/test_hostile_filters.py).
        for name in LIST_FIELDS:
            for value in getattr(self, name):
                if "\x00" in str(value):
                    raise ValueError(f"filter {name}: values cannot contain NUL (\\x00) characters")

    @classmethod
    def for_dates(cls, first: date, last: date, **lists: Sequence[str]) -> EventFilter:
        """Build a filter covering whole days ``first`` .. ``last`` inclusive (clamped, see
        :data:`SUPPORTED_FIRST_DAY`; given the wrong way round, the days are swapped)."""
        first, last = sorted((clamp_day(first), clamp_day(last)))
        start = datetime.combine(first, time.min)
        end = datetime.combine(last + timedelta(days=1), time.min)
        return cls(start, end, **{k: tuple(v or ()) for k, v in lists.items()})

    @property
    def length(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start

    def previous(self) -> EventFilter:
        """The window of the same length right before this one, same lists (it starts no
        earlier than :data:`SUPPORTED_FIRST_DAY`, so it may be shorter)."""
        start = self.start - min(self.length, self.start - _START)
        return replace(self, start=start, end=self.start)

    def params(self) -> dict[str, object]:
        """Bound parameters for ``{{event_filter}}`` (see ``sql/_fragments``)."""
        return {
            "start": self.start,
            "end": self.end,
            "categories": _as_list(self.categories),
            "sources": _as_list(self.sources),
            "departments": _as_list(self.departments),
            "street_ids": _as_list(self.street_ids),
            "community_ids": _as_list(self.community_ids),
            "grid_ids": _as_list(self.grid_ids),
        }
