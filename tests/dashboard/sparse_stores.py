"""DuckDB files holding a district with only some area levels, built through the real importer.

The block district of ``tests/importer/conftest.py`` (8 square grids, 4 communities, 2
streets, 1 district) is written as a GeoJSON with only the chosen levels; each area's
``parent_id`` is its nearest ancestor among the levels present (a city without
communities files its grids under streets), as an export of such a city would. 480
events over May-June 2026 (native columns, closures, departments, sources) are then
imported as CSV. Nothing is written by hand into the store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.ingest import import_areas, import_events
from queries import DuckDBStore
from tests.importer.conftest import CATEGORIES, DEPARTMENTS, area_frame, inside_points

EVENT_LEVELS = ("street", "community", "grid")
SUBSETS: tuple[tuple[str, ...], ...] = (
    *[(lv,) for lv in EVENT_LEVELS],
    *combinations(EVENT_LEVELS, 2),
    ("district",),
    (),
)
"""Every single level, every pair, the district alone and no areas at all."""
N_EVENTS = 480
FIRST = datetime(2026, 5, 1, 8, 0)


def subset_id(levels: tuple[str, ...]) -> str:
    """A readable test id: ``grid``, ``street+community``, ``district``, ``none``."""
    return "+".join(levels) or "none"


def sparse_area_frame(levels: tuple[str, ...], keep_parents: bool = False):
    """The district's areas of ``levels`` only, each parent re-pointed to the nearest present
    ancestor (``keep_parents``: as in the full file, naming areas that are left out)."""
    if keep_parents:
        return area_frame(levels)
    full = area_frame()
    parent = {a: p for a, p in zip(full["area_id"], full["parent_id"], strict=True) if isinstance(p, str)}
    level_of = dict(zip(full["area_id"], full["level"], strict=True))
    frame = full[full["level"].isin(levels)].copy()

    def nearest(area: str) -> str | None:
        node = parent.get(area)
        while node is not None and level_of[node] not in levels:
            node = parent.get(node)
        return node

    frame["parent_id"] = [nearest(a) for a in frame["area_id"]]
    return frame


def events_csv(path: Path, n: int = N_EVENTS, seed: int = 11) -> Path:
    """``n`` events inside the district as a native-column CSV (a quarter still open)."""
    rng = np.random.default_rng(seed)
    lng, lat = inside_points(n, seed)
    rows = []
    for k in range(n):
        reported = FIRST + timedelta(minutes=int(rng.integers(0, 60 * 24 * 60)))
        dispatched = reported + timedelta(minutes=int(rng.integers(5, 120)))
        responded = dispatched + timedelta(minutes=int(rng.integers(5, 600)))
        closed = responded + timedelta(minutes=int(rng.integers(30, 60 * 72))) if k % 4 else None
        rows.append(
            {
                "event_id": f"E{k:05d}",
                "source": ("patrol", "hotline", "app")[k % 3],
                "category": CATEGORIES[k % 3],
                "department": DEPARTMENTS[(k // 3) % 3],
                "lon": f"{lng[k]:.7f}",
                "lat": f"{lat[k]:.7f}",
                "reported_at": f"{reported:%Y-%m-%d %H:%M:%S}",
                "dispatched_at": f"{dispatched:%Y-%m-%d %H:%M:%S}",
                "responded_at": f"{responded:%Y-%m-%d %H:%M:%S}",
                "closed_at": f"{closed:%Y-%m-%d %H:%M:%S}" if closed else "",
                "satisfaction": str(int(rng.integers(1, 6))) if closed else "",
            }
        )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def fill_store(store, folder: Path, levels: tuple[str, ...], keep_parents: bool = False) -> None:
    """Import the areas of ``levels`` and the events into ``store`` (any backend) from files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if levels:
        areas = folder / "areas.geojson"
        sparse_area_frame(levels, keep_parents).to_file(areas, driver="GeoJSON")
        report = import_areas(store, areas)
        assert report.reconciled and report.rejected == 0, report.lines()
    report = import_events(store, events_csv(folder / "events.csv"))
    assert report.reconciled and report.inserted == N_EVENTS, report.lines()
    store.checkpoint()


def build_store(folder: Path, levels: tuple[str, ...], keep_parents: bool = False) -> Path:
    """A closed DuckDB file with the areas of ``levels`` and the events, imported; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gridscope.duckdb"
    store = DuckDBStore(db)
    try:
        fill_store(store, folder, levels, keep_parents)
    finally:
        store.close()
    return db


ALL_LEVELS = ("district", "street", "community", "grid")


@pytest.fixture(scope="session")
def area_store(tmp_path_factory) -> Callable[[tuple[str, ...]], Path]:
    """``area_store(levels)``: the DuckDB file of that subset, built once per session.

    Pages only read it (nothing on the tested paths writes), so tests share each file.
    """
    built: dict[tuple[str, ...], Path] = {}

    def get(levels: tuple[str, ...]) -> Path:
        if levels not in built:
            built[levels] = build_store(tmp_path_factory.mktemp(subset_id(levels).replace("+", "-")), levels)
        return built[levels]

    return get
