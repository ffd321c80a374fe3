"""Overview KPIs: counts from ``kpi_summary`` turned into rates, with the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data.store import Store
from queries.filters import EventFilter


@dataclass(frozen=True)
class Kpis:
    """KPI values of one period; rates are ``None`` when their denominator is zero."""

    events: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    open_overdue: int
    cancelled: int = 0
    """Events closed without a resolution (status 'cancelled'): in ``events`` only."""
    closed_untimed: int = 0
    """Events closed without a close time: closed in the closure rate, not in the on-time rate."""


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def overview_kpis(store: Store, flt: EventFilter, now: datetime) -> dict[str, Kpis]:
    """KPIs for ``flt``'s window (``current``) and the same-length window before (``previous``).

    closure rate (结案率) = closed / (events - cancelled); on-time closure rate (按期处置率) =
    closed within SLA / (closed with a close time + open overdue); satisfaction rate (满意率)
    = ratings 4-5 / ratings; all as of each period's end. Cancelled events (closed without a
    resolution) count only among the events; events closed without a close time count as
    closed but are neither on time nor overdue (see ``queries/sql/kpi_summary.sql``).
    """
    rows = store.fetch("kpi_summary", **flt.params(), prev_start=flt.previous().start, now=now)
    out = {}
    for r in rows.to_dict("records"):
        n = {
            k: int(r[k])
            for k in (
                "events",
                "closed",
                "cancelled",
                "closed_on_time",
                "closed_untimed",
                "open_overdue",
                "satisfied",
                "rated",
            )
        }
        out[str(r["period"])] = Kpis(
            events=n["events"],
            closure_rate=_ratio(n["closed"], n["events"] - n["cancelled"]),
            on_time_rate=_ratio(n["closed_on_time"], n["closed"] - n["closed_untimed"] + n["open_overdue"]),
            satisfaction_rate=_ratio(n["satisfied"], n["rated"]),
            open_overdue=n["open_overdue"],
            cancelled=n["cancelled"],
            closed_untimed=n["closed_untimed"],
        )
    return out
