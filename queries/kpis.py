"""Overview KPIs: counts from ``kpi_summary`` turned into rates, with the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .filters import EventFilter
from .store import Store


@dataclass(frozen=True)
class Kpis:
    """KPI values of one period; rates are ``None`` when their denominator is zero."""

    events: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    open_overdue: int


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def overview_kpis(store: Store, flt: EventFilter, now: datetime) -> dict[str, Kpis]:
    """KPIs for ``flt``'s window (``current``) and the same-length window before (``previous``).

    closure rate = closed / events; on-time closure rate (按期处置率) = closed within SLA /
    (closed + open overdue); satisfaction rate (满意率) = ratings 4-5 / ratings; all as of
    each period's end (see ``queries/sql/kpi_summary.sql``).
    """
    rows = store.fetch("kpi_summary", **flt.params(), prev_start=flt.previous().start, now=now)
    out = {}
    for r in rows.itertuples():
        out[r.period] = Kpis(
            events=int(r.events),
            closure_rate=_ratio(int(r.closed), int(r.events)),
            on_time_rate=_ratio(int(r.closed_on_time), int(r.closed) + int(r.open_overdue)),
            satisfaction_rate=_ratio(int(r.satisfied), int(r.rated)),
            open_overdue=int(r.open_overdue),
        )
    return out
