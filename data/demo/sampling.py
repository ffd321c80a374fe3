"""Vectorised sampling helpers shared by the demo-city generators."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import shapely

HOUR_PROFILE = np.array(
    [
        0.15,
        0.1,
        0.08,
        0.07,
        0.08,
        0.15,
        0.4,
        0.8,
        1.3,
        1.6,
        1.7,
        1.6,
        1.2,
        1.1,
        1.5,
        1.6,
        1.5,
        1.3,
        1.0,
        0.9,
        0.8,
        0.6,
        0.4,
        0.25,
    ]
)
"""Relative event intensity by hour of day (patrols and office hours dominate)."""

WEEKDAY_PROFILE = np.array([1.05, 1.05, 1.0, 1.0, 1.0, 0.82, 0.78])
"""Relative intensity Monday..Sunday."""


def points_in_polygons(
    rng: np.random.Generator, polygons: np.ndarray, which: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random point inside ``polygons[which[i]]`` for each ``i`` (rejection sampling)."""
    bounds = shapely.bounds(polygons)
    x = np.empty(len(which))
    y = np.empty(len(which))
    todo = np.arange(len(which))
    while len(todo):
        b = bounds[which[todo]]
        cx = rng.uniform(b[:, 0], b[:, 2])
        cy = rng.uniform(b[:, 1], b[:, 3])
        inside = shapely.contains_xy(polygons[which[todo]], cx, cy)
        x[todo[inside]], y[todo[inside]] = cx[inside], cy[inside]
        todo = todo[~inside]
    return x, y


def day_weights(first_day: date, n_days: int) -> np.ndarray:
    """Relative daily intensity: summer peak, weekly rhythm, slight growth over the year."""
    days = np.array([first_day + timedelta(days=i) for i in range(n_days)])
    doy = np.array([d.timetuple().tm_yday for d in days])
    dow = np.array([d.weekday() for d in days])
    season = 1 + 0.22 * np.sin(2 * np.pi * (doy - 110) / 365.25)
    growth = 1 + 0.08 * np.arange(n_days) / max(n_days, 1)
    return season * WEEKDAY_PROFILE[dow] * growth


def timestamps(rng: np.random.Generator, first_day: date, day_index: np.ndarray) -> np.ndarray:
    """``datetime64[s]`` times on the given days with the daily rhythm of :data:`HOUR_PROFILE`."""
    hours = rng.choice(24, size=len(day_index), p=HOUR_PROFILE / HOUR_PROFILE.sum())
    seconds = day_index.astype(np.int64) * 86_400 + hours * 3_600 + rng.integers(0, 3_600, len(day_index))
    return np.datetime64(datetime.combine(first_day, datetime.min.time()), "s") + seconds.astype("timedelta64[s]")
