"""Server-side area assignment (``assign_event_areas``) equals ``geo.assign_points_to_areas``
on both backends, including points exactly on shared edges and vertices.

The rule (geo/areas.py): a point belongs to every grid covering it (interior or
boundary); on a boundary shared by several grids the smallest area_id in byte order wins;
outside every grid it gets NULL.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.areas import assign_points_to_areas
from queries.duckdb_store import DuckDBStore
from queries.postgis_store import PostGISStore

pytestmark = pytest.mark.postgis


def _hand_made_areas() -> pd.DataFrame:
    """A 3x3 block of unit squares and two triangles sharing a diagonal, with ids whose
    byte order differs from their natural order ("G10" < "G9", "Gb" > "GZ", Chinese)."""
    ids = ["G9", "G10", "GZ", "Gb", "G1", "网格2", "网格10", "g0", "G_"]
    squares = [shapely.box(116 + i % 3, 39 + i // 3, 117 + i % 3, 40 + i // 3) for i in range(9)]
    tri_ids = ["T2", "T10"]
    tris = [shapely.Polygon([(120, 39), (121, 39), (121, 40)]), shapely.Polygon([(120, 39), (121, 40), (120, 40)])]
    grid = pd.DataFrame({"area_id": ids + tri_ids, "geom": squares + tris})
    grid["parent_id"] = np.where(grid["area_id"].str.startswith("T"), "C2", "C1")
    grid["level"] = "grid"
    parents = pd.DataFrame(
        {
            "area_id": ["C1", "C2", "S1"],
            "level": ["community", "community", "street"],
            "parent_id": ["S1", "S1", None],
            "geom": [shapely.box(116, 39, 119, 42), shapely.box(120, 39, 121, 40), shapely.box(116, 39, 121, 42)],
        }
    )
    areas = pd.concat([grid, parents], ignore_index=True)
    areas["name_zh"] = areas["area_id"]
    return areas


def _hand_made_points() -> tuple[np.ndarray, np.ndarray]:
    """Centres, edge midpoints, every vertex (4-way corners), outer edges, outside, diagonal."""
    xs, ys = np.meshgrid(np.arange(116, 119.01, 0.5), np.arange(39, 42.01, 0.5))
    lng = np.r_[xs.ravel(), 115.5, 119.5, 120.5, 120.25, 120.75, 120, 121, 121, 120.5, 122]
    lat = np.r_[ys.ravel(), 39.5, 41.0, 39.5, 39.25, 39.75, 39, 39, 40, 39.0, 39.5]
    return lng, lat


def _demo_points(city, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random points over the demo district, every vertex of its grid polygons (each shared
    by two or three grids, exact coordinates) and the midpoint of every edge (on the shared
    edge up to rounding: both engines and shapely still agree on all of them)."""
    grids = city.areas[city.areas.level == "grid"]
    rings = [shapely.get_coordinates(shapely.get_exterior_ring(g)) for g in grids["geom"]]
    mids = np.vstack([(r[:-1] + r[1:]) / 2 for r in rings])
    coords = np.unique(np.vstack([shapely.get_coordinates(grids["geom"].to_numpy()), mids]), axis=0)
    xmin, ymin, xmax, ymax = shapely.total_bounds(grids["geom"].to_numpy())
    n = 5_000
    lng = np.r_[rng.uniform(xmin - 0.01, xmax + 0.01, n), coords[:, 0]]
    lat = np.r_[rng.uniform(ymin - 0.01, ymax + 0.01, n), coords[:, 1]]
    return lng, lat


def _events(lng: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    n = len(lng)
    return pd.DataFrame(
        {
            "event_id": [f"P{i:07d}" for i in range(n)],
            "source": "app",
            "category": "C01",
            "lon": lng,
            "lat": lat,
            "h3": 0,
            "status": "reported",
            "reported_at": datetime(2026, 1, 1),
        }
    )


def _assign_on(store, areas: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    store.insert_frame("areas", areas.assign(geom=shapely.to_wkb(areas["geom"].to_numpy())))
    store.insert_frame("events", events)
    store.execute("assign_event_areas")
    return store.sql("SELECT event_id, grid_id, community_id, street_id FROM events ORDER BY event_id")


def _expected(areas: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    grids = areas[areas.level == "grid"]
    grid = assign_points_to_areas(events["lon"], events["lat"], grids["geom"].to_numpy(), grids["area_id"].to_numpy())
    parent = dict(zip(areas["area_id"], areas["parent_id"], strict=True))
    community = [parent.get(g) if g is not None else None for g in grid]
    street = [parent.get(c) if c is not None else None for c in community]
    return pd.DataFrame(
        {"event_id": events["event_id"], "grid_id": grid, "community_id": community, "street_id": street}
    )


def _as_lists(frame: pd.DataFrame) -> dict[str, list]:
    return {
        c: [None if pd.isna(v) else v for v in frame[c]] for c in ("event_id", "grid_id", "community_id", "street_id")
    }


@pytest.mark.parametrize("case", ["hand_made", "demo_city"])
def test_sql_assignment_equals_python(case, make_pg_database, small_city):
    if case == "hand_made":
        areas = _hand_made_areas()
        lng, lat = _hand_made_points()
    else:
        areas = small_city.areas
        lng, lat = _demo_points(small_city, np.random.default_rng(11))
    events = _events(lng, lat)
    want = _as_lists(_expected(areas, events))
    assert sum(g is None for g in want["grid_id"]) > 0  # some points fall outside every grid
    duck = DuckDBStore(":memory:")
    pg = PostGISStore(make_pg_database())
    try:
        for store in (duck, pg):
            assert _as_lists(_assign_on(store, areas, events)) == want, store.dialect
    finally:
        duck.close()
        pg.close()


def test_boundary_rule_on_hand_made_grid():
    """The expectations themselves, spelled out for the shared corner of four squares."""
    areas = _hand_made_areas()
    got = _expected(areas, _events(np.array([117.0, 117.5, 120.5]), np.array([40.0, 40.0, 39.5])))
    # (117, 40) is the corner of G9, G10, Gb and G1; (117.5, 40) the edge of G10 and G1;
    # (120.5, 39.5) the diagonal of T2 and T10. Byte order: "G1" < "G10" < "G9" < "Gb", "T10" < "T2".
    assert got["grid_id"].tolist() == ["G1", "G1", "T10"]


def test_grids_filed_under_streets_get_the_street_not_a_community(make_pg_database):
    """A store without communities (issue 9: the importer files grids under their street): the
    grid's parent is the street id, never a community id; events outside every grid stay NULL."""
    areas = _hand_made_areas()
    areas = (
        areas[areas.level != "community"]
        .assign(parent_id=lambda a: np.where(a["level"] == "grid", "S1", None))
        .reset_index(drop=True)
    )
    lng, lat = _hand_made_points()
    events = _events(lng, lat)
    grids = areas[areas.level == "grid"]
    grid = assign_points_to_areas(events["lon"], events["lat"], grids["geom"].to_numpy(), grids["area_id"].to_numpy())
    want = {
        "event_id": events["event_id"].tolist(),
        "grid_id": list(grid),
        "community_id": [None] * len(grid),
        "street_id": ["S1" if g is not None else None for g in grid],
    }
    duck = DuckDBStore(":memory:")
    pg = PostGISStore(make_pg_database())
    try:
        for store in (duck, pg):
            assert _as_lists(_assign_on(store, areas, events)) == want, store.dialect
    finally:
        duck.close()
        pg.close()
