"""The seeded demo city: a district that looks and behaves like a real one.

Same ``seed`` and ``end_date``, same city. Sizes trade realism for speed:
``small`` for tests (seconds), ``default`` for the demo (~300k events), ``1m`` and ``10m``
for benchmarks (events scale; geography and sensors stay the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import shapely

from data.contracts import STAGES, column_names
from data.store import Store

from .catalog import categories_frame, departments_frame
from .events import PlantedPattern, build_events
from .geometry import build_areas
from .placement import place_points
from .sensors import (
    alarm_events,
    alarms,
    build_readings,
    build_sensors,
    reading_window,
)


@dataclass(frozen=True)
class CitySize:
    """Sizes of one demo-city preset."""

    events: int
    sensors: int
    reading_days: int
    event_log: bool


SIZES: dict[str, CitySize] = {
    "small": CitySize(events=40_000, sensors=80, reading_days=21, event_log=True),
    "default": CitySize(events=300_000, sensors=1_000, reading_days=90, event_log=True),
    "1m": CitySize(events=1_000_000, sensors=1_000, reading_days=90, event_log=True),
    "10m": CitySize(events=10_000_000, sensors=1_000, reading_days=90, event_log=False),
}
"""Presets; the 10m city skips the event log (80M rows) to stay within a benchmark's time."""

N_DAYS = 365
"""Days of events, ending at ``end_date``."""


@dataclass
class City:
    """All tables of a generated city, as DataFrames following data/contracts.py."""

    areas: pd.DataFrame
    events: pd.DataFrame
    event_log: pd.DataFrame
    sensors: pd.DataFrame
    readings: pd.DataFrame
    categories: pd.DataFrame
    departments: pd.DataFrame
    truth: pd.DataFrame
    meta: dict[str, str]


def default_end_date() -> date:
    """Yesterday: the demo's year of events ends with the last full day."""
    return date.today() - timedelta(days=1)


def build_event_log(events: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The append-only transition log (全程留痕) implied by the events' stage times."""
    parts = []
    actor_by_stage = {"registered": "指挥中心", "verified": "网格员", "closed": "指挥中心"}
    for stage in STAGES[:-1]:
        at = events[f"{stage}_at"]
        mask = at.notna().to_numpy()
        sub = events.loc[mask]
        if stage == "reported":
            actor = sub["source"].map(
                {"patrol": "网格员", "hotline": "12345热线", "app": "市民", "sensor": "物联平台", "video": "视频识别"}
            )
        elif stage == "dispatched":
            actor = pd.Series(np.where(sub["auto_dispatched"], "自动派单", "指挥中心"), index=sub.index)
        elif stage in ("responded", "resolved"):
            actor = sub["department"]
        else:
            actor = pd.Series(actor_by_stage[stage], index=sub.index)
        note = np.where(sub["reopened"] & (stage == "resolved"), "核查不通过，返工", None)
        parts.append(
            pd.DataFrame(
                {
                    "event_id": sub["event_id"].to_numpy(),
                    "stage": stage,
                    "at": at[mask].to_numpy(),
                    "actor": actor.to_numpy(),
                    "note": note,
                }
            )
        )
    rated = events[events["satisfaction"].notna()]
    rated_at = rated["closed_at"] + pd.to_timedelta(rng.exponential(8, len(rated)), unit="h")
    parts.append(
        pd.DataFrame(
            {
                "event_id": rated["event_id"].to_numpy(),
                "stage": "rated",
                "at": rated_at.to_numpy(),
                "actor": "市民",
                "note": ("满意度 " + rated["satisfaction"].astype(str)).to_numpy(),
            }
        )
    )
    return pd.concat(parts, ignore_index=True)


def generate_city(
    size: str = "default",
    seed: int = 42,
    end_date: date | None = None,
    uniform: bool = False,
    progress: Callable[[str], None] | None = None,
) -> City:
    """Generate a demo city.

    Parameters
    ----------
    size : ``small`` | ``default`` | ``1m`` | ``10m`` (see :data:`SIZES`)
    seed : random seed; with the same ``end_date`` the city is identical
    end_date : last day of events (default: yesterday)
    uniform : spatially uniform event intensity and no planted patterns (null model for
        testing hotspot false-positive rates)
    progress : called with a short label as each part starts
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    spec = SIZES[size]
    step = progress or (lambda _label: None)
    end_date = end_date or default_end_date()
    first_day = end_date - timedelta(days=N_DAYS - 1)
    now = datetime.combine(end_date + timedelta(days=1), datetime.min.time())
    rng = np.random.default_rng(seed)

    step("areas")
    areas = build_areas(seed)
    grids = areas[areas["level"] == "grid"].reset_index(drop=True)
    district = areas.loc[areas["level"] == "district", "geom"].iloc[0]

    step("sensors")
    sensors = build_sensors(rng, grids, spec.sensors)
    first_hour, n_hours = reading_window(now, spec.reading_days)
    readings = build_readings(rng, sensors, first_hour, n_hours)
    extra = alarm_events(rng, alarms(readings, sensors), sensors)

    step("events")
    events, patterns = build_events(
        rng, grids, district, spec.events - len(extra), first_day, N_DAYS, now, uniform=uniform, extra=extra
    )
    step("placement")
    placed = place_points(events["lon"].to_numpy(), events["lat"].to_numpy(), areas)
    events = pd.concat([events, placed], axis=1)
    sensor_place = place_points(sensors["lon"].to_numpy(), sensors["lat"].to_numpy(), areas)
    sensors = pd.concat([sensors, sensor_place[["h3", "grid_id"]]], axis=1)

    step("event log")
    log = build_event_log(events, rng) if spec.event_log else pd.DataFrame(columns=column_names("event_log"))
    truth = pd.DataFrame([asdict(p) for p in patterns], columns=[f for f in PlantedPattern.__dataclass_fields__])
    truth = truth.rename(columns={"lng": "lon"}).drop(columns="theme")
    meta = {
        "demo_seed": str(seed),
        "demo_size": size,
        "demo_end_date": end_date.isoformat(),
        "demo_uniform": str(uniform).lower(),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
    }
    return City(
        areas=areas,
        events=events[column_names("events")],
        event_log=log,
        sensors=sensors[column_names("sensors")],
        readings=readings,
        categories=categories_frame(),
        departments=departments_frame(),
        truth=truth,
        meta=meta,
    )


def load_city(store: Store, city: City, progress: Callable[[str, int], None] | None = None) -> None:
    """Replace the store's contents with ``city`` (bulk loads through ``insert_frame``)."""
    step = progress or (lambda _label, _n: None)
    tables = ["event_log", "readings", "events", "sensors", "areas", "categories", "departments", "demo_truth"]
    store.clear(tables)
    frames = {
        "departments": city.departments,
        "categories": city.categories,
        "areas": city.areas.assign(geom=shapely.to_wkb(city.areas["geom"].to_numpy())),
        "sensors": city.sensors,
        "readings": city.readings,
        "events": city.events,
        "event_log": city.event_log,
        "demo_truth": city.truth,
    }
    for table, frame in frames.items():
        step(table, len(frame))
        if len(frame):
            store.insert_frame(table, frame)
    for key, value in city.meta.items():
        store.set_meta(key, value)
    store.checkpoint()
