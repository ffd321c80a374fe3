"""Events of the demo city: where and when they happen, and how they move through the chain.

Background events follow the grids' population with a stable per-grid factor; planted
patterns (recorded in the ``truth`` table) add or remove events in disks with a known
time profile so tests can check that the statistics recover them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import shapely

from data.contracts import STAGE_COLUMNS

from .catalog import CATEGORIES, DEPARTMENTS, DESCRIPTIONS
from .geometry import (
    M_PER_DEG_LAT,
    M_PER_DEG_LNG,
    lnglat_to_metres,
    metres_to_lnglat,
)
from .sampling import day_weights, points_in_polygons, timestamps


@dataclass(frozen=True)
class PlantedPattern:
    """A planted hot or cold spot: a disk whose extra intensity changes linearly in time.

    ``multiplier_*`` is the added intensity in units of the district's mean background
    density (events per m² per day); a negative value thins the background instead
    (``-0.9`` removes 90 % of background events in the disk).
    """

    pattern: str
    lng: float
    lat: float
    radius_m: float
    start_day: int
    end_day: int
    multiplier_start: float
    multiplier_end: float
    theme: str


PATTERN_SPECS: list[tuple[str, float, int | None, float, float, str]] = [
    # pattern, radius (m), first day (None = day 0; negative = days before the end),
    # multiplier at start, at end, theme category. Strong enough that each disk is hot in
    # (almost) every weekly slice of the small city, so emerging categories are testable.
    ("cold", 1_000.0, None, -0.95, -0.95, ""),
    ("persistent", 600.0, None, 8.0, 8.0, "street_vending"),
    ("intensifying", 600.0, None, 4.0, 16.0, "garbage"),
    ("diminishing", 600.0, None, 16.0, 4.0, "illegal_parking"),
    ("new", 600.0, -7, 16.0, 16.0, "noise"),
]
"""The planted patterns of every demo city (emerging-hot-spot vocabulary)."""


def plant_patterns(rng: np.random.Generator, grids: pd.DataFrame, n_days: int) -> list[PlantedPattern]:
    """Choose well-separated places for the planted patterns (the cold spot near the centre)."""
    cent = shapely.get_coordinates(shapely.centroid(grids["geom"].to_numpy()))
    x, y = lnglat_to_metres(cent[:, 0], cent[:, 1])
    r = np.hypot(x, y)
    chosen: list[tuple[float, float]] = []
    out = []
    for name, radius, first, m0, m1, theme in PATTERN_SPECS:
        ring = (r < 1_500) if name == "cold" else (r > 1_800) & (r < 4_200)
        if name == "new":  # a quiet place: busy places are sometimes hot already
            ring &= grids["population"].to_numpy() < np.median(grids["population"].to_numpy())
        candidates = np.flatnonzero(ring)
        rng.shuffle(candidates)
        for i in candidates:
            if all(np.hypot(x[i] - cx, y[i] - cy) > 2_600 for cx, cy in chosen):
                chosen.append((x[i], y[i]))
                lng, lat = metres_to_lnglat(x[i], y[i])
                start = 0 if first is None else n_days + first
                out.append(PlantedPattern(name, float(lng), float(lat), radius, start, n_days - 1, m0, m1, theme))
                break
    return out


def _in_disk(x: np.ndarray, y: np.ndarray, p: PlantedPattern) -> np.ndarray:
    px, py = lnglat_to_metres(p.lng, p.lat)
    return np.hypot(x - px, y - py) <= p.radius_m


def _locations(
    rng: np.random.Generator,
    grids: pd.DataFrame,
    district: shapely.Geometry,
    patterns: list[PlantedPattern],
    n_events: int,
    n_days: int,
    first_day: date,
    uniform: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return lng, lat, day index and the pattern index (-1 = background) of every event."""
    polys = grids["geom"].to_numpy()
    w_day = day_weights(first_day, n_days)
    if uniform:
        which = rng.choice(len(polys), n_events, p=shapely.area(polys) / shapely.area(polys).sum())
        lng, lat = points_in_polygons(rng, polys, which)
        days = rng.choice(n_days, n_events, p=w_day / w_day.sum())
        return lng, lat, days, np.full(n_events, -1)

    factor = np.exp(rng.normal(0, 0.35, len(polys)))
    w_grid = grids["population"].to_numpy() * factor
    n_bg = int(n_events * 0.9)
    which = rng.choice(len(polys), int(n_bg * 1.03), p=w_grid / w_grid.sum())
    lng, lat = points_in_polygons(rng, polys, which)
    x, y = lnglat_to_metres(lng, lat)
    keep = np.ones(len(lng), bool)
    for p in patterns:
        if p.multiplier_start < 0:
            keep &= ~(_in_disk(x, y, p) & (rng.uniform(size=len(x)) < -p.multiplier_start))
    lng, lat = lng[keep][:n_bg], lat[keep][:n_bg]
    days = rng.choice(n_days, len(lng), p=w_day / w_day.sum())
    origin = np.full(len(lng), -1)

    # Mean background density per m² per day sets the scale of the planted extras.
    density = n_bg / (district.area * M_PER_DEG_LNG * M_PER_DEG_LAT) / n_days
    parts = [(lng, lat, days, origin)]
    for k, p in enumerate(patterns):
        if p.multiplier_start < 0:
            continue
        span = np.arange(p.start_day, p.end_day + 1)
        frac = (span - p.start_day) / max(p.end_day - p.start_day, 1)
        mult = p.multiplier_start + (p.multiplier_end - p.multiplier_start) * frac
        rate = mult * density * np.pi * p.radius_m**2 * w_day[span] / w_day.mean()
        counts = rng.poisson(rate)
        d = np.repeat(span, counts)
        rr = p.radius_m * np.sqrt(rng.uniform(size=len(d)))
        th = rng.uniform(0, 2 * np.pi, len(d))
        px, py = lnglat_to_metres(p.lng, p.lat)
        plng, plat = metres_to_lnglat(px + rr * np.cos(th), py + rr * np.sin(th))
        inside = shapely.contains_xy(district, plng, plat)
        parts.append((plng[inside], plat[inside], d[inside], np.full(inside.sum(), k)))
    return tuple(np.concatenate(a) for a in zip(*parts, strict=True))  # type: ignore[return-value]


def _hours(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    return median * np.exp(rng.normal(0, sigma, len(median)))


def lifecycle(
    rng: np.random.Generator, reported: np.ndarray, category: np.ndarray, source: np.ndarray, now: datetime
) -> pd.DataFrame:
    """Stage timestamps, department, status, satisfaction and reopen flags for events.

    Departments differ in speed (``DEPARTMENTS``); satisfaction falls with delay relative
    to the category's close SLA; stages later than ``now`` are not reached yet.
    """
    n = len(reported)
    cat_index = {c[0]: i for i, c in enumerate(CATEGORIES)}
    ci = np.array([cat_index[c] for c in category])
    dept_codes = np.array([c[3] for c in CATEGORIES])[ci]
    reassign = rng.uniform(size=n) < 0.05
    dept_codes = np.where(reassign, "street_office", dept_codes)
    speed = dict((d[0], d[3]) for d in DEPARTMENTS)
    sp = np.array([speed[d] for d in dept_codes])
    sla_resp = np.array([c[4] for c in CATEGORIES], dtype=float)[ci]
    sla_close = np.array([c[5] for c in CATEGORIES], dtype=float)[ci]

    h = {}
    h["registered"] = rng.exponential(np.where(source == "hotline", 0.08, 0.2), n)
    auto = rng.uniform(size=n) < np.where(source == "hotline", 0.35, 0.75)
    h["dispatched"] = np.where(auto, rng.uniform(0.002, 0.02, n), rng.exponential(0.45, n))
    h["responded"] = _hours(rng, 0.32 * sla_resp * sp, 0.75)
    h["resolved"] = _hours(rng, 0.38 * sla_close * sp, 0.7)
    h["verified"] = rng.exponential(1.2, n)
    h["closed"] = rng.exponential(0.6, n)
    reopened = rng.uniform(size=n) < 0.025 + 0.02 * (sp > 1.2)
    h["resolved"] = h["resolved"] + np.where(reopened, _hours(rng, np.full(n, 18.0), 0.5), 0)
    stuck = rng.uniform(size=n) < 0.004 * sp  # cases that stall after response
    h["resolved"] = np.where(stuck, np.inf, h["resolved"])

    out = pd.DataFrame({"department": dept_codes, "reopened": reopened})
    rep = reported.astype("datetime64[us]")
    out["respond_due_at"] = rep + (sla_resp * 3.6e9).astype("timedelta64[us]")
    out["close_due_at"] = rep + (sla_close * 3.6e9).astype("timedelta64[us]")
    t = reported.astype("datetime64[s]")
    now64 = np.datetime64(now, "s")
    reached = np.ones(n, bool)
    status = np.full(n, "reported", dtype=object)
    for stage, col in zip(
        ("registered", "dispatched", "responded", "resolved", "verified", "closed"), STAGE_COLUMNS[1:], strict=True
    ):
        finite = np.isfinite(h[stage])
        t = t + np.where(finite, h[stage] * 3600, 0).astype("timedelta64[s]")
        reached &= finite & (t <= now64)
        out[col] = pd.Series(np.where(reached, t, np.datetime64("NaT")), dtype="datetime64[us]")
        status = np.where(reached, stage, status)
    closed = reached
    delay = (out["closed_at"].to_numpy() - reported).astype("timedelta64[s]").astype(float) / 3600 / sla_close
    p_sat = 0.97 - 0.3 * np.clip(np.nan_to_num(delay) - 0.6, 0, 2) - 0.25 * reopened
    rated = closed & (rng.uniform(size=n) < 0.72)
    satisfied = rng.uniform(size=n) < p_sat
    score = np.where(satisfied, np.where(rng.uniform(size=n) < 0.65, 5, 4), rng.integers(1, 4, n))
    out["satisfaction"] = pd.array(np.where(rated, score, 0), dtype="Int64")
    out.loc[~rated, "satisfaction"] = pd.NA
    out["status"] = np.where(rated, "rated", status)
    out["auto_dispatched"] = auto
    return out


def build_events(
    rng: np.random.Generator,
    grids: pd.DataFrame,
    district: shapely.Geometry,
    n_events: int,
    first_day: date,
    n_days: int,
    now: datetime,
    uniform: bool = False,
    extra: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[PlantedPattern]]:
    """Return events (without H3 and areas, which the loader assigns) and the planted truth.

    ``extra`` holds already-placed events (sensor alarms) with ``source, category,
    description, lon, lat, reported_at, sensor_id``; they go through the same lifecycle.
    """
    patterns = [] if uniform else plant_patterns(rng, grids, n_days)
    lng, lat, days, origin = _locations(rng, grids, district, patterns, n_events, n_days, first_day, uniform)
    n = len(lng)
    share = np.array([c[6] for c in CATEGORIES])
    codes = np.array([c[0] for c in CATEGORIES])
    category = codes[rng.choice(len(codes), n, p=share / share.sum())]
    themes = np.array([p.theme for p in patterns] + [""])
    themed = (origin >= 0) & (rng.uniform(size=n) < 0.7)
    category = np.where(themed, themes[origin], category)
    video_ok = np.isin(category, [c[0] for c in CATEGORIES if c[7]])
    u = rng.uniform(size=n)
    source = np.where(u < 0.42, "patrol", np.where(u < 0.75, "hotline", np.where(u < 0.92, "app", "video")))
    source = np.where((source == "video") & ~video_ok, "patrol", source)
    pick = rng.integers(0, 3, n)
    events = pd.DataFrame(
        {
            "source": source,
            "category": category,
            "description": [DESCRIPTIONS[c][k] for c, k in zip(category, pick, strict=True)],
            "lon": lng,
            "lat": lat,
            "reported_at": pd.Series(timestamps(rng, first_day, days), dtype="datetime64[us]"),
            "sensor_id": None,
        }
    )
    if extra is not None and len(extra):
        events = pd.concat([events, extra[events.columns]], ignore_index=True)
    events = events.sort_values("reported_at", kind="stable").reset_index(drop=True)
    n = len(events)
    events.insert(0, "event_id", [f"EV{i:08d}" for i in range(1, n + 1)])
    events.insert(7, "priority", rng.choice([1, 2, 3], n, p=[0.1, 0.3, 0.6]).astype(np.int32))
    stages = lifecycle(
        rng, events["reported_at"].to_numpy(), events["category"].to_numpy(), events["source"].to_numpy(), now
    )
    return pd.concat([events, stages], axis=1), patterns
