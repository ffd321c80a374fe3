"""The filter every dashboard query accepts, turned into bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta


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
        # NUL cannot be stored in PostgreSQL text, so such a value matches nothing anywhere;
        # both backends refuse it here, with the same message (tests/queries/test_hostile_filters.py).
        for name in LIST_FIELDS:
            for value in getattr(self, name):
                if "\x00" in str(value):
                    raise ValueError(f"filter {name}: values cannot contain NUL (\\x00) characters")

    @classmethod
    def for_dates(cls, first: date, last: date, **lists: Sequence[str]) -> EventFilter:
        """Build a filter covering whole days ``first`` .. ``last`` inclusive."""
        start = datetime.combine(first, time.min)
        end = datetime.combine(last + timedelta(days=1), time.min)
        return cls(start, end, **{k: tuple(v or ()) for k, v in lists.items()})

    @property
    def length(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start

    def previous(self) -> EventFilter:
        """The window of the same length right before this one, same lists."""
        return replace(self, start=self.start - self.length, end=self.start)

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
