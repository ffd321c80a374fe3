"""The overdue backlog: every open overdue case as of now, whatever its report date.

The chain page's in-range list shows the overdue cases among events *reported* in the chosen
window; a leader also needs the whole backlog the departments carry today. Counts per
department and age bucket (time past the close deadline) come from ``overdue_backlog.sql``,
the oldest cases from ``overdue_backlog_cases.sql``; the filter's lists (category, source,
department, street …) apply, its dates do not. "Open overdue" is the KPIs' definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data.store import Store
from queries.filters import LIST_FIELDS, EventFilter

__all__ = ["AGE_BUCKETS", "BACKLOG_LIMIT", "Backlog", "overdue_backlog"]

AGE_BUCKETS: tuple[str, ...] = ("lt_1d", "d1_3", "d3_7", "d7_30", "gt_30d")
"""Age buckets by time past the close deadline, youngest first: < 1 day, 1-3 days, 3-7 days,
7-30 days, 30 days or more (a bound belongs to the older bucket)."""

BACKLOG_LIMIT = 200
"""Backlog cases listed at most (the counts are complete)."""


@dataclass(frozen=True)
class Backlog:
    """The backlog as of ``as_of``: ``by_department`` (one row per department: ``department``,
    ``department_zh``, ``department_en``, a count column per :data:`AGE_BUCKETS` bucket,
    ``total`` and ``max_hours_overdue``; most cases first), ``buckets`` (cases per bucket, in
    bucket order) and ``cases`` (the most overdue, at most the limit)."""

    as_of: datetime
    by_department: pd.DataFrame
    buckets: pd.Series
    cases: pd.DataFrame

    @property
    def total(self) -> int:
        """Open overdue cases in the backlog."""
        return int(self.buckets.sum())


def _lists(flt: EventFilter) -> dict[str, object]:
    params = flt.params()
    return {k: params[k] for k in LIST_FIELDS}


def overdue_backlog(store: Store, flt: EventFilter, now: datetime, limit: int = BACKLOG_LIMIT) -> Backlog:
    """Every open overdue event as of ``now`` matching ``flt``'s lists (its dates ignored):
    counts per department and age bucket, and the ``limit`` most overdue cases."""
    params = {**_lists(flt), "now": now}
    counts = store.fetch("overdue_backlog", **params)
    cases = store.fetch("overdue_backlog_cases", **params, limit=int(limit))
    key = counts["department"].fillna("")
    wide = (
        counts.assign(department=key)
        .pivot_table(index="department", columns="bucket", values="cases", aggfunc="sum", fill_value=0)
        .reindex(columns=list(AGE_BUCKETS), fill_value=0)
        .astype("int64")
    )
    wide.columns.name = None
    names = counts.assign(department=key).drop_duplicates("department").set_index("department")
    oldest = counts.assign(department=key).groupby("department")["max_hours_overdue"].max()
    by_department = wide.assign(
        total=wide.sum(axis=1),
        max_hours_overdue=oldest.reindex(wide.index),
        department_zh=names["department_zh"].reindex(wide.index),
        department_en=names["department_en"].reindex(wide.index),
    ).reset_index()
    by_department["department"] = by_department["department"].replace("", None)
    by_department = by_department.sort_values(["total", "department"], ascending=[False, True], kind="stable")
    columns = ["department", "department_zh", "department_en", *AGE_BUCKETS, "total", "max_hours_overdue"]
    buckets = wide.sum(axis=0).reindex(list(AGE_BUCKETS), fill_value=0).astype("int64")
    return Backlog(now, by_department[columns].reset_index(drop=True), buckets, cases)
