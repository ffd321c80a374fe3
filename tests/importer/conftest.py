"""Fixtures of the import tests: an empty store per backend and a tiny district built in code.

The district is a 4 x 2 block of square grids (0.01 degrees each) near Beijing; two grids
form a community, a row of communities a street, all of it the district. A point's
expected areas are computed here by arithmetic (floor of the offset / cell size), not by
the code under test. Every test gets a fresh store: DuckDB in memory, or the session's
throwaway PostGIS database emptied first.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data.contracts import TABLES
from data.ingest import import_areas
from queries.duckdb_store import DuckDBStore

X0, Y0, CELL = 116.30, 39.90, 0.01
"""South-west corner of the district and the grid size in degrees."""
NX, NY = 4, 2

BACKENDS = ["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)]
"""Import tests run on both stores."""


def area_frame(levels: tuple[str, ...] = ("district", "street", "community", "grid")) -> gpd.GeoDataFrame:
    """The district's areas (only ``levels``), WGS-84, with codes, parents and names."""
    rows = []
    if "district" in levels:
        rows.append(
            ("D", "district", None, "示范区", "Demo district", shapely.box(X0, Y0, X0 + NX * CELL, Y0 + NY * CELL))
        )
    for j in range(NY):
        if "street" in levels:
            rows.append(
                (
                    f"S{j}",
                    "street",
                    "D",
                    f"街道{j}",
                    f"Street {j}",
                    shapely.box(X0, Y0 + j * CELL, X0 + NX * CELL, Y0 + (j + 1) * CELL),
                )
            )
        for c in range(NX // 2):
            if "community" in levels:
                rows.append(
                    (
                        f"C{j}{c}",
                        "community",
                        f"S{j}",
                        f"社区{j}{c}",
                        f"Community {j}{c}",
                        shapely.box(X0 + 2 * c * CELL, Y0 + j * CELL, X0 + (2 * c + 2) * CELL, Y0 + (j + 1) * CELL),
                    )
                )
            for i in (2 * c, 2 * c + 1):
                if "grid" in levels:
                    rows.append(
                        (
                            f"G{j}{i}",
                            "grid",
                            f"C{j}{c}",
                            f"网格{j}{i}",
                            f"Grid {j}{i}",
                            shapely.box(X0 + i * CELL, Y0 + j * CELL, X0 + (i + 1) * CELL, Y0 + (j + 1) * CELL),
                        )
                    )
    frame = pd.DataFrame(rows, columns=["area_id", "level", "parent_id", "name_zh", "name_en", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def expected_areas(lng: float, lat: float) -> dict[str, str | None]:
    """grid/community/street ids of a point, by arithmetic on the block layout."""
    i = math.floor((lng - X0) / CELL)
    j = math.floor((lat - Y0) / CELL)
    if not (0 <= i < NX and 0 <= j < NY):
        return {"grid_id": None, "community_id": None, "street_id": None}
    return {"grid_id": f"G{j}{i}", "community_id": f"C{j}{i // 2}", "street_id": f"S{j}"}


def inside_points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``n`` WGS-84 points inside the district, at least 1e-4 degrees from any grid edge."""
    rng = np.random.default_rng(seed)
    i = rng.integers(0, NX, n)
    j = rng.integers(0, NY, n)
    return X0 + (i + rng.uniform(0.01, 0.99, n)) * CELL, Y0 + (j + rng.uniform(0.01, 0.99, n)) * CELL


def empty_store(store) -> None:
    """Delete every row of every table (the session's PostGIS database between tests)."""
    store.clear([t for t in TABLES] + ["demo_truth", "import_batches"])


@pytest.fixture(scope="session")
def _pg_import_dsn() -> Iterator[str]:
    from tests.queries.conftest import create_test_database, drop_test_database

    dsn = create_test_database()
    yield dsn
    drop_test_database(dsn)


@pytest.fixture(params=BACKENDS)
def store(request) -> Iterator[object]:
    """An empty store (DuckDB in memory, or the session's PostGIS database emptied)."""
    if request.param == "duckdb":
        s = DuckDBStore(":memory:")
        yield s
        s.close()
        return
    from queries.postgis_store import PostGISStore

    s = PostGISStore(request.getfixturevalue("_pg_import_dsn"))
    empty_store(s)
    yield s
    s.close()


@pytest.fixture
def duck() -> Iterator[DuckDBStore]:
    """An empty in-memory DuckDB store (for tests that need only one backend)."""
    s = DuckDBStore(":memory:")
    yield s
    s.close()


def write_areas(path: Path, levels: tuple[str, ...] = ("district", "street", "community", "grid")) -> Path:
    """Write the district's areas as GeoJSON and return the path."""
    area_frame(levels).to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def district(store, tmp_path) -> object:
    """``store`` holding the block district (all four levels), imported from GeoJSON."""
    report = import_areas(store, write_areas(tmp_path / "areas.geojson"))
    assert report.reconciled and report.rejected == 0
    return store


def rejects_of(store, batch_id: str) -> dict[int, str]:
    """``{row_number: reason head}`` of a batch."""
    frame = store.fetch("import_rejects_page", batch_id=batch_id, limit=10**6)
    return {int(r): reason.partition(": ")[0] for r, reason in zip(frame["row_number"], frame["reason"], strict=True)}


def stored_events(store) -> pd.DataFrame:
    """Every stored event, by id, with the columns tests compare (trusted test SQL)."""
    return store.sql(
        "SELECT event_id, source, category, description, lon, lat, h3, grid_id, community_id, street_id, "
        "department, status, reported_at, closed_at, satisfaction FROM events ORDER BY event_id"
    ).set_index("event_id")


CATEGORIES = ("占道经营", "垃圾堆放", "道路破损")
DEPARTMENTS = ("城管执法队", "环卫所", "市政养护")


@dataclass
class Planted:
    """Events with known problems: logical fields, and the reject reason expected per row."""

    frame: pd.DataFrame
    """One row per input row; times are datetimes (or text for broken ones), lon/lat floats or text."""
    expected: dict[int, str]
    """Data row number (1-based) -> expected reject reason head."""

    @property
    def good(self) -> pd.DataFrame:
        """The rows that must be stored (row number as index, 1-based)."""
        frame = self.frame.copy()
        frame.index = np.arange(1, len(frame) + 1)
        return frame.drop(index=list(self.expected))


def planted_events(n_good: int = 24, seed: int = 3) -> Planted:
    """``n_good`` valid events inside the district plus one row per reject reason."""
    rng = np.random.default_rng(seed)
    lng, lat = inside_points(n_good, seed)
    start = datetime(2026, 5, 1, 8, 0, 0)
    rows = []
    for k in range(n_good):
        reported = start + timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)))
        closed = reported + timedelta(minutes=int(rng.integers(5, 60 * 48))) if k % 4 else None
        rows.append(
            {
                "event_id": f"EV{k:04d}",
                "reported_at": reported,
                "closed_at": closed,
                "category": CATEGORIES[k % 3],
                "department": DEPARTMENTS[k % 3] if k % 5 else None,
                "lon": float(lng[k]),
                "lat": float(lat[k]),
                "satisfaction": (k % 5) + 1 if closed else None,
                "description": f"描述 {k}, 含逗号",
            }
        )
    base = dict(rows[0])
    bad = [
        ("unparseable time", {"event_id": "BAD01", "reported_at": "2026-13-45 10:00:00"}),
        ("missing coordinates", {"event_id": "BAD02", "lon": None}),
        ("latitude out of range", {"event_id": "BAD03", "lat": 95.5}),
        ("outside every area", {"event_id": "BAD04", "lon": X0 - 0.05, "lat": Y0 - 0.05}),
        ("closed before reported", {"event_id": "BAD05", "closed_at": base["reported_at"] - timedelta(hours=3)}),
        ("duplicate id in the file", {"event_id": "EV0001", "description": "second copy"}),
        ("missing id", {"event_id": None}),
        ("coordinates not numbers", {"event_id": "BAD08", "lon": "116.3x"}),
        ("missing category", {"event_id": "BAD09", "category": None}),
    ]
    expected = {}
    for k, (reason, change) in enumerate(bad):
        pos = min(3 + 3 * k, len(rows))  # interleave with the good rows
        rows.insert(pos, {**base, **change})
        expected[pos + 1] = reason
    return Planted(pd.DataFrame(rows, dtype=object), expected)


def format_time(value: object, fmt: str) -> object:
    """A datetime formatted with ``fmt``; broken text and None pass through."""
    if value is None or value is pd.NaT:
        return None
    return value.strftime(fmt) if isinstance(value, datetime) else value


def text_frame(
    planted: Planted,
    headers: dict[str, str],
    time_fmt: str = "%Y-%m-%d %H:%M:%S",
    convert: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """The planted events as a file would hold them: renamed columns, formatted times,
    and numeric coordinates converted by ``convert`` (e.g. WGS-84 -> GCJ-02)."""
    frame = planted.frame.copy()
    for col in ("reported_at", "closed_at"):
        frame[col] = [format_time(v, time_fmt) for v in frame[col]]
    if convert is not None:
        numeric = frame["lon"].map(lambda v: isinstance(v, float)) & frame["lat"].map(lambda v: isinstance(v, float))
        x, y = convert(frame.loc[numeric, "lon"].to_numpy(float), frame.loc[numeric, "lat"].to_numpy(float))
        frame.loc[numeric, "lon"], frame.loc[numeric, "lat"] = x, y
    frame["lon"] = [f"{v:.9f}" if isinstance(v, float) else v for v in frame["lon"]]
    frame["lat"] = [f"{v:.9f}" if isinstance(v, float) else v for v in frame["lat"]]
    frame["satisfaction"] = [None if pd.isna(v) else str(int(v)) for v in frame["satisfaction"]]
    return frame[list(headers)].rename(columns=headers)


def check_planted_import(store, report, planted: Planted, *, lonlat_atol: float = 1e-7) -> None:
    """Assert counts, reject reasons per row, and every stored event's values."""
    import h3

    from data.contracts import FINE_H3_RES

    assert report.reconciled, report.lines()
    assert report.rows_read == len(planted.frame)
    assert report.rejected == len(planted.expected)
    assert report.inserted == len(planted.good)
    assert rejects_of(store, report.batch_id) == planted.expected
    events = stored_events(store)
    good = planted.good.set_index("event_id")
    assert sorted(events.index) == sorted(good.index)
    np.testing.assert_allclose(events.loc[good.index, "lon"], good["lon"].astype(float), rtol=0, atol=lonlat_atol)
    np.testing.assert_allclose(events.loc[good.index, "lat"], good["lat"].astype(float), rtol=0, atol=lonlat_atol)
    for event_id, row in good.iterrows():
        got = events.loc[event_id]
        assert {k: got[k] for k in ("grid_id", "community_id", "street_id")} == expected_areas(row["lon"], row["lat"])
        assert got["h3"] == h3.str_to_int(h3.latlng_to_cell(got["lat"], got["lon"], FINE_H3_RES))
        assert pd.Timestamp(got["reported_at"]) == pd.Timestamp(row["reported_at"])
        if row["closed_at"] is None or pd.isna(row["closed_at"]):
            assert pd.isna(got["closed_at"])
        else:
            assert pd.Timestamp(got["closed_at"]) == pd.Timestamp(row["closed_at"])


@pytest.fixture(scope="session")
def areas_file(tmp_path_factory) -> Path:
    """The block district's areas as a GeoJSON file (written once per session)."""
    return write_areas(tmp_path_factory.mktemp("areas") / "areas.geojson")


def kill_import_after(script: str, args: list[str], rows: int) -> None:
    """Run ``script`` (a ``python -c`` import that prints ``rows N`` after each chunk) with
    ``args`` and SIGKILL it once it has written ``rows`` rows: an import killed part-way."""
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stdout or ():
            assert line.startswith("rows "), line
            if int(line.split()[1]) >= rows:
                break
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
