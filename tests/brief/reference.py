"""Independent pandas versions of the brief's figures (README "Definitions"), no SQL.

as_of = min(period end, now); cancelled events count among the events only; a closure
without a close time is closed (closure, satisfaction, reopen rates) but never on time or
overdue; open overdue = not cancelled, not untimed, not closed at as_of, past close_due_at.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd


def street_of_grid(areas: pd.DataFrame) -> pd.Series:
    """grid id -> street id."""
    parent = areas.set_index("area_id")["parent_id"]
    grids = areas.loc[areas["level"] == "grid", "area_id"]
    return pd.Series(grids.map(parent).map(parent).to_numpy(), index=grids.to_numpy())


def window(events: pd.DataFrame, start: datetime, end: datetime, street: str | None = None) -> pd.DataFrame:
    """Events reported in [start, end), of one street when given."""
    m = (events["reported_at"] >= start) & (events["reported_at"] < end)
    if street:
        m &= events["street_id"] == street
    return events[m]


def flags(ev: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """Per event: cancelled, untimed, closed, on_time, overdue, rated, satisfied, reopened."""
    cancelled = ev["status"].eq("cancelled")
    untimed = ev["closed_at"].isna() & ev["status"].isin(["closed", "rated"]) & ~cancelled
    closed_timed = ev["closed_at"].notna() & (ev["closed_at"] < as_of) & ~cancelled
    closed = closed_timed | untimed
    on_time = closed_timed & (ev["closed_at"] <= ev["close_due_at"])
    overdue = ~cancelled & ~untimed & ~closed_timed & (ev["close_due_at"] < as_of)
    rated = closed & ev["satisfaction"].notna()
    satisfied = rated & (ev["satisfaction"].fillna(0) >= 4)
    return pd.DataFrame(
        {
            "cancelled": cancelled,
            "untimed": untimed,
            "closed": closed,
            "closed_timed": closed_timed,
            "on_time": on_time,
            "overdue": overdue,
            "rated": rated,
            "satisfied": satisfied,
            "reopened": closed & ev["reopened"].astype(bool),
        },
        index=ev.index,
    )


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def kpis(ev: pd.DataFrame, as_of: datetime) -> dict[str, float | int | None]:
    """events, closure rate, on-time closure rate, satisfaction rate, open overdue."""
    f = flags(ev, as_of)
    return {
        "events": len(ev),
        "closure_rate": _ratio(f["closed"].sum(), len(ev) - f["cancelled"].sum()),
        "on_time_rate": _ratio(f["on_time"].sum(), f["closed_timed"].sum() + f["overdue"].sum()),
        "satisfaction_rate": _ratio(f["satisfied"].sum(), f["rated"].sum()),
        "open_overdue": int(f["overdue"].sum()),
    }


def overdue(ev: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """Open overdue events at ``as_of`` with ``hours_overdue``, most overdue first (ties by id)."""
    out = ev[flags(ev, as_of)["overdue"]].copy()
    out["hours_overdue"] = (pd.Timestamp(as_of) - out["close_due_at"]).dt.total_seconds() / 3600
    return out.sort_values(["hours_overdue", "event_id"], ascending=[False, True], kind="stable")


def departments(ev: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """Per department: events, on-time, closure, satisfaction and reopen rates, median hours to close."""
    f = flags(ev, as_of)
    rows = {}
    for dept, idx in ev.groupby("department").groups.items():
        g, fg = ev.loc[idx], f.loc[idx]
        secs = np.floor(
            (g.loc[fg["closed_timed"], "closed_at"] - g.loc[fg["closed_timed"], "reported_at"]).dt.total_seconds()
        )
        rows[dept] = {
            "events": len(g),
            "on_time_rate": _ratio(fg["on_time"].sum(), fg["closed_timed"].sum() + fg["overdue"].sum()),
            "closure_rate": _ratio(fg["closed"].sum(), len(g) - fg["cancelled"].sum()),
            "satisfaction_rate": _ratio(fg["satisfied"].sum(), fg["rated"].sum()),
            "reopen_rate": _ratio(fg["reopened"].sum(), fg["closed"].sum()),
            "median_close_h": float(np.median(secs)) / 3600 if len(secs) else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def alarms(
    readings: pd.DataFrame,
    sensors: pd.DataFrame,
    events: pd.DataFrame,
    start: datetime,
    end: datetime,
    as_of: datetime,
    streets: pd.Series,
    street: str | None = None,
) -> dict[str, int]:
    """Alarms in [start, end) (first reading above threshold in an hour whose previous hour had
    none), how many became events (the sensor's first event within a day, before its next
    alarm) and how many of those closed on time by ``as_of``."""
    s = sensors.assign(street_id=sensors["grid_id"].map(streets))
    if street:
        s = s[s["street_id"] == street]
    r = readings.merge(s[["sensor_id", "threshold"]], on="sensor_id")
    r = r[(r["ts"] >= start - timedelta(hours=1)) & (r["ts"] < end) & (r["value"] > r["threshold"])]
    r = r.assign(hr=r["ts"].dt.floor("h"))
    firsts = r.sort_values("ts").groupby(["sensor_id", "hr"], as_index=False)["ts"].first()
    seen = set(zip(firsts["sensor_id"], firsts["hr"], strict=True))
    start_mask = [
        (sid, hr - timedelta(hours=1)) not in seen for sid, hr in zip(firsts["sensor_id"], firsts["hr"], strict=True)
    ]
    a = firsts[np.array(start_mask, dtype=bool) & (firsts["ts"] >= start)].sort_values(["sensor_id", "ts"])
    a = a.assign(next_ts=a.groupby("sensor_id")["ts"].shift(-1))
    ev = events[events["sensor_id"].notna()].sort_values(["reported_at", "event_id"])
    to_events = on_time = 0
    for row in a.itertuples():
        limit = row.ts + timedelta(days=1) if pd.isna(row.next_ts) else min(row.ts + timedelta(days=1), row.next_ts)
        m = ev[(ev["sensor_id"] == row.sensor_id) & (ev["reported_at"] >= row.ts) & (ev["reported_at"] < limit)]
        if len(m):
            to_events += 1
            first = m.iloc[0]
            on_time += bool(
                first["status"] != "cancelled"
                and pd.notna(first["closed_at"])
                and first["closed_at"] < as_of
                and first["closed_at"] <= first["close_due_at"]
            )
    return {"alarms": len(a), "to_events": to_events, "closed_on_time": on_time}
