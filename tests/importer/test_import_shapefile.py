"""Zipped Shapefile: points and polygons in a projected CRS (CGCS2000 3-degree Gauss-Krüger,
EPSG:4548), short DBF field names read through a mapping file the user wrote."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from data.ingest import import_areas, import_events
from tests.importer.conftest import (
    area_frame,
    check_planted_import,
    expected_areas,
    planted_events,
    stored_events,
    text_frame,
)

SHORT = {
    "event_id": "id",
    "reported_at": "rep_time",
    "closed_at": "cls_time",
    "category": "cat",
    "department": "dept",
    "satisfaction": "sat",
    "lon": "x",
    "lat": "y",
}
MAPPING = """
title = "our GIS export"
table = "events"
[columns]
event_id = ["id"]
reported_at = ["rep_time"]
closed_at = ["cls_time"]
category = ["cat"]
department = ["dept"]
satisfaction = ["sat"]
lon = ["x"]
lat = ["y"]
"""
TO_GK = Transformer.from_crs(4326, 4548, always_xy=True)


def zip_shapefile(frame: gpd.GeoDataFrame, folder, name: str):
    shp = folder / f"{name}.shp"
    frame.to_file(shp, driver="ESRI Shapefile", encoding="utf-8")
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob(f"{name}.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
                part.unlink()
    return archive


def test_zipped_shapefile_points_in_gauss_kruger(district, tmp_path):
    planted = planted_events()
    frame = text_frame(planted, SHORT)
    x = pd.to_numeric(frame["x"], errors="coerce")
    y = pd.to_numeric(frame["y"], errors="coerce")
    has = x.notna() & y.notna() & (y.abs() <= 90)
    ex, ny = TO_GK.transform(x[has].to_numpy(), y[has].to_numpy())
    geoms = np.full(len(frame), None, dtype=object)
    geoms[has.to_numpy()] = shapely.points(ex, ny)
    # the latitude-out-of-range row: a point with an easting the projection cannot invert
    bad_lat = (y.abs() > 90).to_numpy()
    geoms[bad_lat] = shapely.points([9e9], [4e6])
    frame.loc[has | bad_lat, ["x", "y"]] = None
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:4548")
    archive = zip_shapefile(gdf, tmp_path, "events")
    mapping = tmp_path / "gis.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    report = import_events(district, archive, mapping=mapping)
    assert report.format == "shapefile" and report.crs == "EPSG:4548" and report.mapping == "gis"
    planted.expected = {
        r: ("coordinates not convertible" if why == "latitude out of range" else why)
        for r, why in planted.expected.items()
    }
    check_planted_import(district, report, planted, lonlat_atol=1e-8)


def test_zipped_shapefile_areas_in_gauss_kruger(store, tmp_path):
    areas = area_frame().to_crs(4548)
    archive = zip_shapefile(areas.rename(columns={"parent_id": "parent"}), tmp_path, "areas")
    report = import_areas(store, archive)
    assert report.reconciled and report.inserted == len(areas) and report.crs == "EPSG:4548"
    grids = store.fetch("area_shapes", level="grid").set_index("area_id")
    want = area_frame().set_index("area_id")
    for area_id, row in grids.iterrows():
        got = shapely.from_wkb(bytes(row["wkb"]))
        assert got.hausdorff_distance(want.loc[area_id, "geometry"]) < 1e-8
        assert row["parent_id"] == want.loc[area_id, "parent_id"]
    # events imported afterwards land in the right areas
    pts = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "reported_at": "2026-05-01 09:00",
            "category": "c",
            "lon": [116.305, 116.335],
            "lat": [39.905, 39.915],
        }
    )
    pts.to_csv(tmp_path / "e.csv", index=False)
    import_events(store, tmp_path / "e.csv")
    got = stored_events(store)
    assert got.loc["a", "grid_id"] == expected_areas(116.305, 39.905)["grid_id"]
    assert got.loc["b", "street_id"] == expected_areas(116.335, 39.915)["street_id"]
