"""Small random cities for the publishing tests, and an independent reference of the counts.

A city: a district of a few streets with a few communities each, categories in two or three
departments, events with random sources, report times over ~10 weeks, outcomes (open, closed
on time or late, closed without a close time, cancelled) and ratings; some events have no
street or no community (imported data does). ``reference_counts`` recounts them with pandas
and h3, without any code of data/publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import h3
import numpy as np
import pandas as pd
import shapely

from data.contracts import SOURCES
from data.publish.aggregate import COUNTS

START = datetime(2026, 3, 2)  # a Monday
DEPARTMENTS = ("dept_a", "dept_b", "dept_c")
CATEGORIES = ("cat_1", "cat_2", "cat_3", "cat_4", "cat_5")


@dataclass(frozen=True)
class RandomCity:
    """Frames ready for ``insert_frame`` (areas with WKB geometry)."""

    areas: pd.DataFrame
    categories: pd.DataFrame
    departments: pd.DataFrame
    events: pd.DataFrame


def random_city(seed: int, n_events: int, n_streets: int, max_communities: int, days: int = 70) -> RandomCity:
    """A reproducible random city (see the module docstring)."""
    rng = np.random.default_rng(seed)
    lon0, lat0 = 116.40, 39.90
    areas = [("d1", "district", None, "测试区", "Test District", shapely.box(lon0, lat0, lon0 + 0.1, lat0 + 0.1))]
    streets, communities = [], []
    for s in range(n_streets):
        sid = f"s{s}"
        streets.append(sid)
        x = lon0 + 0.1 * s / n_streets
        areas.append(
            (sid, "street", "d1", f"街道{s}", f"Street {s}", shapely.box(x, lat0, x + 0.1 / n_streets, lat0 + 0.1))
        )
        for c in range(int(rng.integers(1, max_communities + 1))):
            cid = f"{sid}c{c}"
            communities.append((cid, sid))
            y = lat0 + 0.01 * c
            areas.append(
                (cid, "community", sid, f"社区{cid}", f"Community {cid}", shapely.box(x, y, x + 0.01, y + 0.01))
            )
    area_frame = pd.DataFrame(areas, columns=["area_id", "level", "parent_id", "name_zh", "name_en", "geom"])
    area_frame["geom"] = shapely.to_wkb(area_frame["geom"].to_numpy())
    dept_of = {c: DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))] for c in CATEGORIES}
    cats = pd.DataFrame(
        {
            "code": list(CATEGORIES),
            "name_zh": [f"类{c}" for c in CATEGORIES],
            "name_en": [f"Cat {c}" for c in CATEGORIES],
            "department": [dept_of[c] for c in CATEGORIES],
            "sla_response_h": 2.0,
            "sla_close_h": 24.0,
            "sla_assumed": False,
        }
    )
    depts = pd.DataFrame({"code": list(DEPARTMENTS), "name_zh": list(DEPARTMENTS), "name_en": list(DEPARTMENTS)})
    n = n_events
    comm_idx = rng.integers(0, len(communities), n)
    street_id = np.array([communities[i][1] for i in comm_idx], dtype=object)
    community_id = np.array([communities[i][0] for i in comm_idx], dtype=object)
    no_comm = rng.random(n) < 0.05
    community_id[no_comm] = None
    no_street = rng.random(n) < 0.03
    street_id[no_street] = None
    community_id[no_street] = None
    # points clustered on a few spots so that some H3 cells hold many events
    spots = rng.uniform([lon0, lat0], [lon0 + 0.1, lat0 + 0.1], size=(4, 2))
    pick = rng.integers(0, 4, n)
    lon = spots[pick, 0] + rng.normal(0, 0.004, n)
    lat = spots[pick, 1] + rng.normal(0, 0.004, n)
    cells = [h3.str_to_int(h3.latlng_to_cell(la, lo, 12)) for la, lo in zip(lat, lon, strict=True)]
    reported = pd.Timestamp(START) + pd.to_timedelta(rng.integers(0, days * 86400, n), unit="s")
    hours = rng.exponential(20.0, n)
    closed_at = reported + pd.to_timedelta(np.round(hours * 3600), unit="s")
    outcome = rng.choice(["closed", "rated", "open", "cancelled", "untimed"], p=[0.35, 0.35, 0.15, 0.1, 0.05], size=n)
    status = np.where(outcome == "untimed", "closed", np.where(outcome == "open", "responded", outcome))
    closed_col = pd.Series(closed_at).where(~np.isin(outcome, ["open", "untimed"]))
    sat = pd.array(rng.integers(1, 6, n), dtype="Int32")
    sat[outcome != "rated"] = pd.NA
    events = pd.DataFrame(
        {
            "event_id": [f"EV{seed}-{i:05d}" for i in range(n)],
            "source": rng.choice(list(SOURCES), p=[0.4, 0.3, 0.2, 0.05, 0.05], size=n),
            "category": rng.choice(list(CATEGORIES), size=n),
            "description": [f"secret description {i} 门牌 {i}号" for i in range(n)],
            "lon": lon,
            "lat": lat,
            "h3": np.array(cells, dtype=np.int64),
            "grid_id": None,
            "community_id": community_id,
            "street_id": street_id,
            "department": None,
            "priority": 3,
            "status": status,
            "reported_at": reported.astype("datetime64[us]"),
            "registered_at": reported.astype("datetime64[us]"),
            "dispatched_at": pd.NaT,
            "responded_at": (reported + pd.Timedelta(minutes=30)).astype("datetime64[us]"),
            "resolved_at": pd.NaT,
            "verified_at": pd.NaT,
            "closed_at": closed_col.astype("datetime64[us]").to_numpy(),
            "satisfaction": sat,
            "reopened": False,
            "sensor_id": None,
            "respond_due_at": (reported + pd.Timedelta(hours=2)).astype("datetime64[us]"),
            "close_due_at": (reported + pd.Timedelta(hours=24)).astype("datetime64[us]"),
        }
    )
    events["dispatched_at"] = events["dispatched_at"].astype("datetime64[us]")
    events["resolved_at"] = events["resolved_at"].astype("datetime64[us]")
    events["verified_at"] = events["verified_at"].astype("datetime64[us]")
    return RandomCity(area_frame, cats, depts, events)


def load_random_city(store, city: RandomCity) -> None:
    """Replace ``store``'s events, areas, categories and departments with ``city``."""
    store.clear(["event_log", "events", "areas", "categories", "departments"])
    store.insert_frame("departments", city.departments)
    store.insert_frame("categories", city.categories)
    store.insert_frame("areas", city.areas)
    if len(city.events):
        store.insert_frame("events", city.events)


REF_COUNTS: tuple[str, ...] = COUNTS
"""The counts :func:`reference_counts` recounts with pandas (the overview's KPI definitions):
the columns the published layer carries to its protection step."""


def _outcomes(ev: pd.DataFrame, as_of: pd.Series) -> pd.DataFrame:
    """Per event, judged as of ``as_of``: cancelled, closed (by then, or closed without a close
    time), closed on time, open past the deadline, rated and satisfied, as 0/1 columns."""
    cancelled = ev["status"] == "cancelled"
    untimed = ev["status"].isin(["closed", "rated"]) & ev["closed_at"].isna()
    timed = ~cancelled & ~untimed
    closed_by = timed & ev["closed_at"].notna() & (ev["closed_at"] < as_of)
    closed = untimed | closed_by
    return pd.DataFrame(
        {
            "events": 1,
            "cancelled": cancelled.astype(int),
            "closed": closed.astype(int),
            "closed_untimed": untimed.astype(int),
            "closed_on_time": (closed_by & (ev["closed_at"] <= ev["close_due_at"])).astype(int),
            "open_overdue": (timed & ~closed_by & (ev["close_due_at"] < as_of)).astype(int),
            "rated": (closed & ev["satisfaction"].notna()).astype(int),
            "satisfied": (closed & (ev["satisfaction"].fillna(0) >= 4)).astype(int),
        },
        index=ev.index,
    )


def reference_counts(city: RandomCity, through: datetime, res: int, sensitive: tuple[str, ...]) -> pd.DataFrame:
    """The KPI counts per period × unit × (group, source) recounted with pandas, each period
    judged as of its end capped at ``through``: columns ``period, period_start, level,
    unit_id, category_group, source`` and :data:`REF_COUNTS`."""
    ev = city.events[city.events["reported_at"] < through].copy()
    dept = dict(zip(city.categories["code"], city.categories["department"], strict=True))
    ev["sens"] = ev["category"].isin(sensitive)
    ev["grp"] = np.where(ev["sens"], ev["category"], ev["category"].map(dept))
    ev["cell"] = [h3.cell_to_parent(h3.int_to_str(int(c)), res) for c in ev["h3"]]
    ev["district"] = "district"
    key = ["period", "period_start", "level", "unit_id", "category_group", "source"]
    rows = []
    for period, freq in (("month", "MS"), ("week", "W-MON")):
        if freq == "MS":
            start_ts = ev["reported_at"].dt.to_period("M").dt.start_time
            end_ts = start_ts + pd.offsets.MonthBegin(1)
        else:
            start_ts = (ev["reported_at"] - pd.to_timedelta(ev["reported_at"].dt.weekday, unit="D")).dt.normalize()
            end_ts = start_ts + pd.Timedelta(days=7)
        as_of = end_ts.where(end_ts < pd.Timestamp(through), pd.Timestamp(through))
        counted = pd.concat([ev, _outcomes(ev, as_of)], axis=1)
        counted["ps"] = start_ts.dt.date
        for level, col in (
            ("district", "district"),
            ("street", "street_id"),
            ("community", "community_id"),
            ("cell", "cell"),
        ):
            base = counted[counted[col].notna()]
            plain = base[~base["sens"]]
            for cg_col, src_col, frame in (
                (None, None, plain),
                ("grp", None, base),
                (None, "source", plain),
            ):
                keys = ["ps", col] + [c for c in (cg_col, src_col) if c]
                g = frame.groupby(keys)[list(REF_COUNTS)].sum().reset_index()
                g = g.rename(columns={"ps": "period_start", col: "unit_id"})
                g["category_group"] = g[cg_col] if cg_col else "all"
                g["source"] = g[src_col] if src_col else "all"
                g["period"], g["level"] = period, level
                rows.append(g[[*key, *REF_COUNTS]])
    return pd.concat(rows, ignore_index=True)
