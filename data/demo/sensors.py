"""IoT sensors of the demo city, their hourly readings, and the alarms that become events."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from .catalog import SENSOR_KINDS
from .sampling import points_in_polygons


def build_sensors(rng: np.random.Generator, grids: pd.DataFrame, n_sensors: int) -> pd.DataFrame:
    """Sensors placed in grids in proportion to population (h3 and grid assigned by the loader)."""
    shares = np.array([k[4] for k in SENSOR_KINDS])
    kind_idx = rng.choice(len(SENSOR_KINDS), n_sensors, p=shares / shares.sum())
    pop = grids["population"].to_numpy().astype(float)
    which = rng.choice(len(grids), n_sensors, p=pop / pop.sum())
    lng, lat = points_in_polygons(rng, grids["geom"].to_numpy(), which)
    return pd.DataFrame(
        {
            "sensor_id": [f"{SENSOR_KINDS[k][0][:2].upper()}{i:05d}" for i, k in enumerate(kind_idx, 1)],
            "kind": [SENSOR_KINDS[k][0] for k in kind_idx],
            "unit": [SENSOR_KINDS[k][1] for k in kind_idx],
            "lon": lng,
            "lat": lat,
            "threshold": [SENSOR_KINDS[k][2] for k in kind_idx],
        }
    )


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    noise = rng.normal(0, sigma, n)
    out = np.empty(n)
    acc = 0.0
    for i in range(n):  # n is the number of hours or days (<= a few thousand), not points
        acc = phi * acc + noise[i]
        out[i] = acc
    return out


def build_readings(rng: np.random.Generator, sensors: pd.DataFrame, first_hour: datetime, n_hours: int) -> pd.DataFrame:
    """Hourly readings: regional pollution episodes, diurnal noise, rain storms, manhole faults."""
    hours = np.arange(n_hours)
    hod = (first_hour.hour + hours) % 24
    smog = np.exp(_ar1(rng, n_hours, 0.985, 0.09))  # shared regional air-quality episodes
    rain = np.zeros(n_hours)
    for start in rng.choice(n_hours - 12, max(1, n_hours // 240), replace=False):
        rain[start : start + rng.integers(3, 10)] = rng.uniform(0.6, 1.4)
    values = np.empty((len(sensors), n_hours))
    for i, (kind, thr) in enumerate(zip(sensors["kind"], sensors["threshold"], strict=True)):
        if kind == "pm25":
            base = 32 * rng.uniform(0.8, 1.25) * smog * (1 + 0.2 * np.cos(2 * np.pi * (hod - 21) / 24))
            values[i] = base * np.exp(rng.normal(0, 0.15, n_hours))
        elif kind == "noise":
            day = np.where((hod >= 7) & (hod < 22), 58, 46) * rng.uniform(0.95, 1.05)
            values[i] = day + rng.normal(0, 2.5, n_hours)
            for s in rng.choice(n_hours - 4, rng.poisson(n_hours / 400), replace=False):
                values[i, s : s + 3] += rng.uniform(14, 22)  # night construction, loud events
        elif kind == "water_level":
            low = rng.uniform(0.5, 1.8)  # low-lying sensors flood first
            values[i] = np.clip(rng.normal(2, 1, n_hours) + 24 * low * rain, 0, None)
        else:
            values[i] = np.abs(rng.normal(1.0, 0.6, n_hours))
            for s in rng.choice(n_hours - 6, rng.poisson(n_hours / 1500), replace=False):
                values[i, s : s + rng.integers(2, 6)] = rng.uniform(thr + 3, 40)
    ts = np.datetime64(first_hour, "s") + (hours * 3600).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "sensor_id": np.repeat(sensors["sensor_id"].to_numpy(), n_hours),
            "ts": pd.Series(np.tile(ts, len(sensors)), dtype="datetime64[us]"),
            "value": np.round(values.ravel(), 2),
        }
    )


def alarms(readings: pd.DataFrame, sensors: pd.DataFrame) -> pd.DataFrame:
    """First reading of every run of threshold exceedances, per sensor (one alarm per run)."""
    thr = readings["sensor_id"].map(sensors.set_index("sensor_id")["threshold"])
    over = (readings["value"] > thr).to_numpy()
    same = np.r_[False, readings["sensor_id"].to_numpy()[1:] == readings["sensor_id"].to_numpy()[:-1]]
    starts = over & ~(same & np.r_[False, over[:-1]])
    return readings.loc[starts, ["sensor_id", "ts", "value"]].reset_index(drop=True)


EVENT_SHARE = {"pm25": 0.08, "noise": 0.6, "water_level": 0.9, "manhole": 0.95}
"""Share of alarms the command centre turns into events: a regional smog episode trips
every PM2.5 sensor at once but becomes a few cases, while a lifted manhole cover always does."""


def alarm_events(rng: np.random.Generator, alarm_rows: pd.DataFrame, sensors: pd.DataFrame) -> pd.DataFrame:
    """Events created from alarms (the rest are screened out by the command centre)."""
    kinds = {k[0]: k[3] for k in SENSOR_KINDS}
    a = alarm_rows.merge(sensors[["sensor_id", "kind", "lon", "lat"]], on="sensor_id")
    a = a[rng.uniform(size=len(a)) < a["kind"].map(EVENT_SHARE).to_numpy()]
    delay = rng.uniform(60, 600, len(a)).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "source": "sensor",
            "category": a["kind"].map(kinds).to_numpy(),
            "description": [f"传感器{s}告警：读数{v}" for s, v in zip(a["sensor_id"], a["value"], strict=True)],
            "lon": a["lon"].to_numpy(),
            "lat": a["lat"].to_numpy(),
            "reported_at": (a["ts"].to_numpy() + delay).astype("datetime64[us]"),
            "sensor_id": a["sensor_id"].to_numpy(),
        }
    )


def reading_window(now: datetime, days: int) -> tuple[datetime, int]:
    """First whole hour and number of hours of a ``days``-long window ending at ``now``."""
    end = now.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(days=days), days * 24
