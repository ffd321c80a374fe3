"""The brief's test city: the small demo city plus what imported data look like and a year
before it, so the same week last year has data.

- every 37th closed event is cancelled, every 53rd (from the 6th) closed without a close time;
- every 10th event is copied 52 weeks earlier (new ids ``LY…``, no sensor), so the city spans
  two years and 2026-W26 has a 2025-W26 to compare with.

Built once per session into an in-memory DuckDB store (read only for the tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
import pytest

from data.demo import City, load_city
from queries import DuckDBStore

NOW = datetime(2026, 7, 1)
"""The brief tests' "now": the day after the small city's last day."""
WEEK = "2026-W26"
"""The week most tests report (2026-06-22 .. 2026-06-28)."""
STREET = "110199002"
"""A street of the small city."""
TIME_COLUMNS = (
    "reported_at",
    "registered_at",
    "dispatched_at",
    "responded_at",
    "resolved_at",
    "verified_at",
    "closed_at",
    "respond_due_at",
    "close_due_at",
)


def brief_city_from(city: City) -> City:
    """``city`` with cancelled and untimed closures and a thinned copy one year earlier."""
    events = city.events.copy()
    closed = events.index[events["closed_at"].notna()]
    events.loc[closed[::37], "status"] = "cancelled"
    events.loc[closed[5::53], "closed_at"] = pd.NaT
    early = events.iloc[::10].copy()
    early["event_id"] = "LY" + early["event_id"]
    for col in TIME_COLUMNS:
        early[col] = early[col] - timedelta(weeks=52)
    early["sensor_id"] = None
    return replace(city, events=pd.concat([events, early], ignore_index=True))


@pytest.fixture(scope="session")
def brief_city(small_city: City) -> City:
    """See the module docstring."""
    return brief_city_from(small_city)


@pytest.fixture(scope="session")
def brief_store(brief_city: City) -> Iterator[DuckDBStore]:
    """In-memory DuckDB store holding :func:`brief_city`. Read only."""
    store = DuckDBStore(":memory:")
    load_city(store, brief_city)
    yield store
    store.close()
