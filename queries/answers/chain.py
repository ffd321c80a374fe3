"""The governance chain's answers: SLA compliance, the funnel, stage durations, overdue
cases, rankings and sources compared (each as of ``min(flt.end, now)``), the categories
whose SLA is assumed, and the per-category SLA edit.

The dashboard may read PostGIS as the SELECT-only ``gridscope_reader`` role; an edit there
raises :class:`~data.store.StoreReadOnly`, which the page turns into a message.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd

from data.store import Store, StoreReadOnly
from queries.filters import EventFilter

__all__ = [
    "OVERDUE_LIMIT",
    "READ_ONLY_SQLSTATES",
    "SHARE_COLUMNS",
    "area_ranking",
    "assumed_sla_categories",
    "department_ranking",
    "funnel",
    "funnel_shares",
    "funnel_table",
    "overdue_by_department",
    "overdue_cases",
    "set_category_sla",
    "sla_compliance",
    "source_comparison",
    "stage_durations",
]

OVERDUE_LIMIT = 200
"""Open overdue cases listed at most."""


def _as_of(flt: EventFilter, now: datetime) -> dict[str, object]:
    return {**flt.params(), "now": now}


def sla_compliance(store: Store, flt: EventFilter, now: datetime) -> pd.DataFrame:
    """Per category: its SLA hours and the filtered events' response and closure counts and rates."""
    return store.fetch("sla_compliance", **_as_of(flt, now))


def funnel(store: Store, flt: EventFilter, now: datetime) -> pd.DataFrame:
    """Events that reached each stage of the chain, with those waiting, dropped and skipped."""
    return store.fetch("chain_funnel", **_as_of(flt, now))


SHARE_COLUMNS: tuple[str, ...] = ("of_all", "to_next", "waiting_share", "dropped_share", "skipped_share")
"""The rate columns of :func:`funnel_table` (fractions; NaN where a stage has no next step)."""


def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """Per stage: reached, share of all events, conversion to the next stage, and the shares
    of the events reaching it still open there (waiting), ended there (dropped) and gone on
    without a time for the next stage (skipped). NaN where there is no next step."""
    reached = funnel["reached"].astype(float).to_numpy()
    first = reached[0] if len(reached) and reached[0] else np.nan
    nxt = np.r_[reached[1:], np.nan]
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "stage": funnel["stage"].to_numpy(),
                "reached": funnel["reached"].to_numpy(),
                "of_all": reached / first,
                "to_next": np.where(reached > 0, nxt / reached, np.nan),
                "waiting_share": np.where(reached > 0, funnel["waiting"].astype(float) / reached, np.nan),
                "dropped_share": np.where(reached > 0, funnel["dropped"].astype(float) / reached, np.nan),
                "skipped_share": np.where(reached > 0, funnel["skipped"].astype(float) / reached, np.nan),
            }
        )


def funnel_shares(store: Store, flt: EventFilter, now: datetime) -> pd.DataFrame:
    """:func:`funnel_table` of :func:`funnel` (the shares the chain page shows)."""
    return funnel_table(funnel(store, flt, now))


def stage_durations(store: Store, flt: EventFilter, now: datetime, by: str) -> pd.DataFrame:
    """P50/P90 hours of each step per ``group_key`` of ``by`` (department, category, source)."""
    return store.fetch("stage_durations", **_as_of(flt, now), by=by)


def overdue_by_department(store: Store, flt: EventFilter, now: datetime) -> pd.DataFrame:
    """Open overdue events per department."""
    return store.fetch("overdue_by_department", **_as_of(flt, now))


def overdue_cases(store: Store, flt: EventFilter, now: datetime, limit: int = OVERDUE_LIMIT) -> pd.DataFrame:
    """The ``limit`` most overdue open events with category, department, stage and areas."""
    return store.fetch("overdue_cases", **_as_of(flt, now), limit=limit)


def department_ranking(store: Store, flt: EventFilter, now: datetime, min_events: int) -> pd.DataFrame:
    """Departments with their counts and rates; those with at least ``min_events`` events ranked."""
    return store.fetch("department_ranking", **_as_of(flt, now), min_events=min_events)


def area_ranking(
    store: Store, flt: EventFilter, now: datetime, level: str, parent_id: str | None, min_events: int
) -> pd.DataFrame:
    """Every area of ``level`` (under ``parent_id``; all when ``None``) with its counts and
    rates, zero without events; only areas with at least ``min_events`` events get a rank."""
    return store.fetch("area_ranking", **_as_of(flt, now), level=level, parent_id=parent_id, min_events=min_events)


def source_comparison(store: Store, flt: EventFilter, now: datetime) -> pd.DataFrame:
    """Per source (patrol, hotline, app, sensor, video): events, share, median hours, chain rates."""
    return store.fetch("source_comparison", **_as_of(flt, now))


def assumed_sla_categories(store: Store, flt: EventFilter) -> pd.DataFrame:
    """Categories of ``flt``'s events whose SLA is the import's default, with their events."""
    return store.fetch("assumed_sla_categories", **flt.params())


READ_ONLY_SQLSTATES: dict[str, str] = {
    "42501": "insufficient_privilege",
    "25006": "read_only_sql_transaction",
}
"""PostgreSQL error codes that mean "this role may not write"."""

MAX_SLA_HOURS = 24 * 365
"""Largest SLA accepted (a year); anything longer is a typing mistake."""


def set_category_sla(store: Store, code: str, *, response_h: float, close_h: float) -> None:
    """Set the response and close SLA (hours) of category ``code``.

    Parameters
    ----------
    store : the store to write to
    code : ``categories.code``
    response_h, close_h : new SLA hours; both positive, ``response_h <= close_h``

    Raises
    ------
    ValueError
        When the hours are not finite, not positive, above :data:`MAX_SLA_HOURS`, or the
        response SLA exceeds the close SLA.
    KeyError
        When no category has ``code``.
    StoreReadOnly
        When the store's role may not write (the dashboard's PostGIS reader).
    """
    response_h, close_h = float(response_h), float(close_h)
    for name, value in (("response", response_h), ("close", close_h)):
        if not math.isfinite(value) or value <= 0 or value > MAX_SLA_HOURS:
            raise ValueError(f"the {name} SLA must be a number of hours in (0, {MAX_SLA_HOURS}], got {value}")
    if response_h > close_h:
        raise ValueError(f"the response SLA ({response_h} h) cannot be longer than the close SLA ({close_h} h)")
    known = store.fetch("list_categories")["code"]
    if code not in set(known):
        raise KeyError(f"no category {code!r}")
    try:
        store.execute("update_category_sla", code=code, sla_response_h=response_h, sla_close_h=close_h)
        store.execute("refresh_event_deadlines", category=code)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) in READ_ONLY_SQLSTATES or "read-only" in str(exc):
            raise StoreReadOnly(
                f"this connection may not change the SLA of {code!r}: {str(exc).splitlines()[0]}"
            ) from exc
        raise
