"""GeoJSON: events as points (native column names) and areas as polygons with levels."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data.ingest import ImportFileError, import_areas, import_events
from tests.importer.conftest import (
    area_frame,
    check_planted_import,
    expected_areas,
    inside_points,
    planted_events,
    stored_events,
    text_frame,
    write_areas,
)

NATIVE = {
    c: c for c in ("event_id", "reported_at", "closed_at", "category", "department", "satisfaction", "lon", "lat")
}


def point_frame(planted, crs: str = "EPSG:4326", convert=None) -> gpd.GeoDataFrame:
    """Planted events as point features; rows without numeric coordinates keep them as text."""
    frame = text_frame(planted, NATIVE, convert=convert)
    x = pd.to_numeric(frame["lon"], errors="coerce")
    y = pd.to_numeric(frame["lat"], errors="coerce")
    has = x.notna() & y.notna()
    geoms = np.where(has, shapely.points(x.fillna(0), y.fillna(0)), None)
    frame.loc[has, ["lon", "lat"]] = None
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs)


def test_geojson_points(district, tmp_path):
    planted = planted_events()
    path = tmp_path / "events.geojson"
    point_frame(planted).to_file(path, driver="GeoJSON")
    report = import_events(district, path)
    assert report.format == "geojson" and report.crs == "wgs84" and report.mapping == "native"
    check_planted_import(district, report, planted)


def test_areas_with_all_levels(store, tmp_path):
    report = import_areas(store, write_areas(tmp_path / "a.geojson"))
    expected = area_frame()
    assert report.reconciled and report.inserted == len(expected)
    for level in ("district", "street", "community", "grid"):
        got = store.fetch("area_shapes", level=level).set_index("area_id")
        want = expected[expected.level == level].set_index("area_id")
        assert sorted(got.index) == sorted(want.index)
        assert got.loc[want.index, "parent_id"].fillna("").tolist() == want["parent_id"].fillna("").tolist()
        assert got.loc[want.index, "name_zh"].tolist() == want["name_zh"].tolist()
        geoms = shapely.from_wkb([bytes(b) for b in got.loc[want.index, "wkb"]])
        assert shapely.equals(geoms, want.geometry.to_numpy()).all()


def test_only_grids_and_events_reassigned_when_areas_change(store, tmp_path):
    lng, lat = inside_points(30, seed=5)
    events = pd.DataFrame(
        {
            "event_id": [f"E{k}" for k in range(30)],
            "reported_at": "2026-05-01 08:00:00",
            "category": "c",
            "lon": lng,
            "lat": lat,
        }
    )
    events.to_csv(tmp_path / "e.csv", index=False)
    # events first, with no areas at all: stored without area ids
    first = import_events(store, tmp_path / "e.csv")
    assert first.inserted == 30 and first.rejected == 0
    assert stored_events(store)["grid_id"].isna().all()
    # then a grids-only file: every event gets its grid, communities and streets stay empty
    grids = area_frame(("grid",)).drop(columns=["parent_id", "level"])
    grids.to_file(tmp_path / "grids.geojson", driver="GeoJSON")
    report = import_areas(store, tmp_path / "grids.geojson", level="grid")
    assert report.reassigned == 30 and report.outside_new_areas == 0
    got = stored_events(store)
    for _event_id, row in got.iterrows():
        assert row["grid_id"] == expected_areas(row["lon"], row["lat"])["grid_id"]
    assert got["community_id"].isna().all() and got["street_id"].isna().all()
    assert store.fetch("area_shapes", level="community").empty
    # the full hierarchy replaces the grids-only areas: parents now fill community and street
    import_areas(store, write_areas(tmp_path / "all.geojson"))
    got = stored_events(store)
    for _event_id, row in got.iterrows():
        assert {k: row[k] for k in ("grid_id", "community_id", "street_id")} == expected_areas(row["lon"], row["lat"])
    # communities only (a district without grids): grid_id cleared, community from polygons
    import_areas(store, write_areas(tmp_path / "comm.geojson", ("community",)))
    got = stored_events(store)
    assert got["grid_id"].isna().all()
    assert got["community_id"].tolist() == [expected_areas(r.lon, r.lat)["community_id"] for r in got.itertuples()]
    assert set(store.sql("SELECT DISTINCT level FROM areas")["level"]) == {"community"}


def test_area_rejects_and_merging(store, tmp_path):
    frame = area_frame(("grid",))
    extra = gpd.GeoDataFrame(
        {
            "area_id": ["G00", None, "L1", "X1"],
            "level": ["grid", "grid", "grid", "block"],
            "parent_id": [None] * 4,
            "name_zh": ["网格00b", "无编号", "线", "块"],
            "name_en": [None] * 4,
        },
        geometry=[
            shapely.box(116.30, 39.89, 116.31, 39.90),
            shapely.box(0, 0, 1, 1),
            shapely.LineString([(116.3, 39.9), (116.31, 39.91)]),
            shapely.box(0, 0, 1, 1),
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "grids.geojson"
    pd.concat([frame, extra], ignore_index=True).pipe(gpd.GeoDataFrame, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    report = import_areas(store, path)
    assert report.reconciled and report.rows_read == len(frame) + 4
    assert report.merged == 1 and report.rejected == 3
    assert dict(report.reasons) == {"missing id": 1, "not a polygon": 1, "unknown level": 1}
    got = store.fetch("area_shapes", level="grid").set_index("area_id")
    g00 = shapely.from_wkb(bytes(got.loc["G00", "wkb"]))
    assert g00.area == pytest.approx(2 * 0.01 * 0.01)


def test_a_file_without_polygons_changes_nothing(district, tmp_path):
    before = district.table_counts()
    pts = gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[shapely.Point(116.3, 39.9)], crs="EPSG:4326")
    pts.to_file(tmp_path / "p.geojson", driver="GeoJSON")
    with pytest.raises(ImportFileError, match="no polygons"):
        import_areas(district, tmp_path / "p.geojson")
    assert district.table_counts() == before
