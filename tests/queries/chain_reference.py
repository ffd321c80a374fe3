"""Independent pandas versions of the chain figures (no SQL), for the query tests.

Definitions restated from the issue and the SQL headers, computed row by row in pandas:
as-of time = min(window end, now); a stage counts when its time is before the as-of
time (in the funnel: or a later stage's, or the event is closed); on time = at or before the
deadline; open overdue = not closed at the as-of time and past the close deadline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from queries import EventFilter

STEPS = {
    "register": ("reported_at", "registered_at"),
    "dispatch": ("registered_at", "dispatched_at"),
    "respond": ("dispatched_at", "responded_at"),
    "resolve": ("responded_at", "resolved_at"),
    "verify": ("resolved_at", "verified_at"),
    "close": ("verified_at", "closed_at"),
    "to_respond": ("reported_at", "responded_at"),
    "to_close": ("reported_at", "closed_at"),
}

LIST_COLUMNS = {
    "categories": "category",
    "sources": "source",
    "departments": "department",
    "street_ids": "street_id",
    "community_ids": "community_id",
    "grid_ids": "grid_id",
}


def with_deadlines(events: pd.DataFrame, categories: pd.DataFrame) -> pd.DataFrame:
    """Events with their response and close deadlines from the category SLAs."""
    sla = categories.set_index("code")
    ev = events.copy()
    ev["response_deadline"] = ev["reported_at"] + pd.to_timedelta(ev["category"].map(sla["sla_response_h"]), unit="h")
    ev["close_deadline"] = ev["reported_at"] + pd.to_timedelta(ev["category"].map(sla["sla_close_h"]), unit="h")
    return ev


def select(ev: pd.DataFrame, flt: EventFilter) -> pd.DataFrame:
    """Rows of ``ev`` the filter keeps."""
    m = (ev["reported_at"] >= pd.Timestamp(flt.start)) & (ev["reported_at"] < pd.Timestamp(flt.end))
    for name, col in LIST_COLUMNS.items():
        values = getattr(flt, name)
        if values:
            m &= ev[col].isin(values)
    return ev[m]


def before(series: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """True where the timestamp exists and is before ``as_of``."""
    return series.notna() & (series < as_of)


def hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Duration in hours, counted in whole seconds (floor) as the SQL does."""
    return np.floor((later - earlier).dt.total_seconds()) / 3600.0


def counts(ev: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    """The chain counts and rates of one group of events."""
    closed = before(ev["closed_at"], as_of)
    responded = before(ev["responded_at"], as_of)
    on_time = closed & (ev["closed_at"] <= ev["close_deadline"])
    overdue = ~closed & (ev["close_deadline"] < as_of)
    r_on_time = responded & (ev["responded_at"] <= ev["response_deadline"])
    r_overdue = ~responded & ~closed & (ev["response_deadline"] < as_of)
    reopened = closed & ev["reopened"].fillna(False).astype(bool)
    rated = closed & ev["satisfaction"].notna()
    satisfied = rated & (ev["satisfaction"].fillna(0) >= 4)
    to_close = hours(ev["closed_at"], ev["reported_at"])[closed]
    out = {
        "events": len(ev),
        "closed": int(closed.sum()),
        "closed_on_time": int(on_time.sum()),
        "open_overdue": int(overdue.sum()),
        "responded": int(responded.sum()),
        "responded_on_time": int(r_on_time.sum()),
        "response_overdue": int(r_overdue.sum()),
        "reopened_cases": int(reopened.sum()),
        "rated": int(rated.sum()),
        "satisfied": int(satisfied.sum()),
        "median_close_h": float(np.median(to_close)) if len(to_close) else np.nan,
    }
    out["closure_rate"] = out["closed"] / out["events"] if out["events"] else np.nan
    due = out["closed"] + out["open_overdue"]
    out["on_time_rate"] = out["closed_on_time"] / due if due else np.nan
    r_due = out["responded"] + out["response_overdue"]
    out["response_on_time_rate"] = out["responded_on_time"] / r_due if r_due else np.nan
    out["reopen_rate"] = out["reopened_cases"] / out["closed"] if out["closed"] else np.nan
    out["satisfaction_rate"] = out["satisfied"] / out["rated"] if out["rated"] else np.nan
    return out


def durations(ev: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    """n, median and p90 of every step (both stamps present, later one before as_of)."""
    out: dict[str, float] = {}
    for step, (a, b) in STEPS.items():
        ok = ev[a].notna() & before(ev[b], as_of)
        h = hours(ev.loc[ok, b], ev.loc[ok, a]).to_numpy()
        out[f"{step}_n"] = len(h)
        out[f"{step}_p50"] = float(np.percentile(h, 50)) if len(h) else np.nan
        out[f"{step}_p90"] = float(np.percentile(h, 90)) if len(h) else np.nan
    return out


def funnel(ev: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """reached / waiting / dropped / skipped per stage.

    A stage is reached when its time or any later stage's time is before ``as_of``, or the
    event is closed (a close time before ``as_of`` or status closed/rated without one),
    unless cancelled: a cancelled event's close time is no closure.
    """
    stamps = [
        "reported_at",
        "registered_at",
        "dispatched_at",
        "responded_at",
        "resolved_at",
        "verified_at",
        "closed_at",
    ]
    status = ev["status"] if "status" in ev else pd.Series("", index=ev.index)
    cancelled = status.eq("cancelled")
    untimed = ev["closed_at"].isna() & status.isin(["closed", "rated"])
    timed = [before(ev[c], as_of) for c in stamps]
    timed[6] = timed[6] & ~cancelled
    closed = (timed[6] | untimed) & ~cancelled
    ended = before(ev["closed_at"], as_of) | untimed | cancelled
    reached = [closed]
    for k in range(5, -1, -1):  # walk back: a later stage implies the earlier ones
        reached.insert(0, timed[k] | reached[0])
    reached.append(closed & ev["satisfaction"].notna())
    rows = []
    names = ["reported", "registered", "dispatched", "responded", "resolved", "verified", "closed", "rated"]
    for k, name in enumerate(names):
        waiting = dropped = skipped = np.nan
        if k < 7:
            stop = reached[k] & ~reached[k + 1]
            waiting, dropped = int((stop & ~ended).sum()), int((stop & ended).sum())
        if k < 6:
            skipped = int((reached[k + 1] & ~timed[k + 1]).sum())
        rows.append((k + 1, name, int(reached[k].sum()), waiting, dropped, skipped))
    return pd.DataFrame(rows, columns=["stage_no", "stage", "reached", "waiting", "dropped", "skipped"])


def as_of(flt: EventFilter, now) -> pd.Timestamp:
    return min(pd.Timestamp(flt.end), pd.Timestamp(now))
