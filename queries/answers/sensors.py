"""The sensors page's answers: readings per sensor and per H3 cell or grid, a sensor's or a
cell's hourly series with its threshold, alarms and the events they became.

The reading queries look at the window and the selected streets only (readings have no
category, source or department); the chain tables look at the events from sensors.

When the store holds readings rollups (``gridscope rollup readings --load``) and the window
is day-aligned (the page's date filter always is), the reading statistics and series come
from them (``*_rollup`` queries): the same counts, means, maxima and exceedances; the 95th
percentile from merged sketches, within 1 % (``geo/quantile_sketch.py``); a sensor's series
as hourly means. Alarms are found in the raw readings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from data.store import Store
from geo.h3index import cells_to_strings
from queries.answers.chain import funnel, stage_durations
from queries.filters import EventFilter

__all__ = [
    "ALARM_LIMIT",
    "KINDS",
    "METRICS",
    "Readings",
    "SensorChain",
    "alarm_summary",
    "alarms",
    "cell_series",
    "from_rollups",
    "reading_unit",
    "sensor_chain",
    "sensor_filter",
    "sensor_series",
    "sensor_stats",
    "unit_stats",
]

KINDS: tuple[str, ...] = ("pm25", "noise", "water_level", "manhole")
"""Sensor kinds the page offers."""
METRICS: tuple[str, ...] = ("exceedances", "mean_value", "p95_value", "max_value")
"""Reading statistics per sensor and unit."""
ROLLUP_RES: tuple[int, ...] = (7, 8, 9, 10, 12)
"""H3 resolutions the readings rollups hold."""
ALARM_LIMIT = 300
"""Alarms listed at most."""


def _day_aligned(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def from_rollups(store: Store, flt: EventFilter) -> bool:
    """True when the reading statistics of ``flt``'s window come from the rollup tables: the
    store holds rollups and the window starts and ends at midnight."""
    if not (_day_aligned(flt.start) and _day_aligned(flt.end)):
        return False
    return bool(int(store.fetch("reading_rollups_present")["present"].iloc[0]))


def _query(store: Store, flt: EventFilter, name: str) -> str:
    """``name`` or its rollup twin (:func:`from_rollups`)."""
    return f"{name}_rollup" if from_rollups(store, flt) else name


def _window(flt: EventFilter) -> dict[str, object]:
    """Bound parameters of the reading queries: the window and the selected streets."""
    return {"start": flt.start, "end": flt.end, "street_ids": list(flt.street_ids) or None}


def sensor_filter(flt: EventFilter) -> EventFilter:
    """``flt`` narrowed to the events reported by sensors."""
    return replace(flt, sources=("sensor",))


def sensor_stats(store: Store, flt: EventFilter, kind: str) -> pd.DataFrame:
    """One row per sensor of ``kind`` in the selected streets: position, grid, unit and the
    window's reading statistics (:data:`METRICS`)."""
    return store.fetch(_query(store, flt, "sensor_stats"), **_window(flt), kind=kind)


def reading_unit(sensors: pd.DataFrame) -> str:
    """The unit the readings of :func:`sensor_stats` are in ("" without sensors)."""
    return str(sensors["unit"].iloc[0]) if len(sensors) else ""


def unit_stats(store: Store, flt: EventFilter, kind: str, unit: str, res: int = 8) -> pd.DataFrame:
    """Reading statistics of ``kind`` per H3 cell of ``res`` (``unit="h3"``: ``cell``, ``hex``)
    or per grid (``unit="grid"``: ``area_id``, names), with ``unit_id`` (hex or area id)."""
    if unit == "h3":
        stats = store.fetch(_query(store, flt, "sensor_stats_by_cell"), **_window(flt), kind=kind, res=res)
        stats["hex"] = pd.Series(cells_to_strings(stats["cell"].to_numpy()), index=stats.index, dtype=object)
        stats["unit_id"] = stats["hex"]
        return stats
    if unit != "grid":
        raise ValueError(f"unit must be 'h3' or 'grid', got {unit!r}")
    stats = store.fetch(_query(store, flt, "sensor_stats_by_grid"), **_window(flt), kind=kind)
    stats["unit_id"] = stats["area_id"]
    return stats


@dataclass(frozen=True)
class Readings:
    """An hourly series (``ts`` and values) and the alarm threshold drawn across it
    (``None`` without readings)."""

    frame: pd.DataFrame
    threshold: float | None


def sensor_series(store: Store, flt: EventFilter, sensor_id: str) -> Readings:
    """Hourly ``value`` of one sensor in the window, with its threshold."""
    series = store.fetch(_query(store, flt, "sensor_series"), sensor_id=sensor_id, start=flt.start, end=flt.end)
    return Readings(series, float(series["threshold"].iloc[0]) if len(series) else None)


def cell_series(store: Store, flt: EventFilter, kind: str, res: int, cell: int) -> Readings:
    """Hourly ``mean_value`` and ``max_value`` of the ``kind`` sensors in one H3 cell, with
    the lowest threshold among them."""
    name = _query(store, flt, "sensor_cell_series") if res in ROLLUP_RES else "sensor_cell_series"
    series = store.fetch(name, kind=kind, res=res, cell=int(cell), start=flt.start, end=flt.end)
    return Readings(series, float(series["threshold"].min()) if len(series) else None)


def alarm_summary(store: Store, flt: EventFilter, now: datetime, kind: str | None = None) -> pd.DataFrame:
    """Per sensor kind (all kinds when ``kind`` is ``None``): sensors alarmed, alarms, how many
    became events and their share, median response and close hours, on-time rate."""
    return store.fetch("sensor_alarm_summary", **_window(flt), kind=kind, now=now)


def alarms(store: Store, flt: EventFilter, kind: str, now: datetime, limit: int = ALARM_LIMIT) -> pd.DataFrame:
    """The window's alarms of ``kind`` (at most ``limit``) with the event each became."""
    return store.fetch("sensor_alarms", **_window(flt), kind=kind, now=now, limit=limit)


@dataclass(frozen=True)
class SensorChain:
    """The chain funnel and the stage durations by category of the events from sensors."""

    funnel: pd.DataFrame
    durations: pd.DataFrame


def sensor_chain(store: Store, flt: EventFilter, now: datetime) -> SensorChain:
    """How the events reported by sensors (:func:`sensor_filter`) moved through the chain."""
    events = sensor_filter(flt)
    return SensorChain(funnel(store, events, now), stage_durations(store, events, now, by="category"))
