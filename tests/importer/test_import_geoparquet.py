"""GeoParquet (points and polygons) and plain Parquet with typed columns."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data.ingest import import_areas, import_events
from data.ingest.readers import open_source
from tests.importer.conftest import (
    area_frame,
    check_planted_import,
    planted_events,
    stored_events,
)
from tests.importer.test_import_geojson import point_frame


def test_geoparquet_points(district, tmp_path):
    planted = planted_events()
    path = tmp_path / "events.parquet"
    point_frame(planted).to_parquet(path)
    src = open_source(path)
    assert src.info.geometry and src.info.crs == "EPSG:4326"
    report = import_events(district, path)
    assert report.format == "parquet" and report.crs == "wgs84"
    check_planted_import(district, report, planted)


def test_geoparquet_streams_in_chunks(district, tmp_path):
    planted = planted_events(n_good=60)
    path = tmp_path / "events.parquet"
    point_frame(planted).to_parquet(path, row_group_size=7)
    seen = []
    report = import_events(district, path, chunk_rows=10, progress=lambda done, total: seen.append((done, total)))
    check_planted_import(district, report, planted)
    assert len(seen) > 5 and seen[-1] == (len(planted.frame), len(planted.frame))


def test_plain_parquet_with_typed_columns(duck, tmp_path):
    planted = planted_events(n_good=10)
    good = planted.good
    frame = pd.DataFrame(
        {
            "event_id": good["event_id"].to_numpy(),
            "reported_at": pd.to_datetime(list(good["reported_at"])),  # a timestamp column
            "category": good["category"].to_numpy(),
            "lon": good["lon"].astype(float).to_numpy(),  # float columns
            "lat": good["lat"].astype(float).to_numpy(),
            "satisfaction": pd.array([None if pd.isna(v) else int(v) for v in good["satisfaction"]], dtype="Int64"),
        }
    ).drop_duplicates("event_id")
    frame.to_parquet(tmp_path / "e.parquet")
    report = import_events(duck, tmp_path / "e.parquet")
    assert report.reconciled and report.rejected == 0 and report.inserted == len(frame)
    got = stored_events(duck).loc[frame["event_id"]]
    np.testing.assert_allclose(got["lon"], frame["lon"], rtol=0, atol=1e-12)
    assert (pd.to_datetime(got["reported_at"]).to_numpy() == frame["reported_at"].to_numpy()).all()
    assert [None if pd.isna(v) else int(v) for v in got["satisfaction"]] == [
        None if pd.isna(v) else int(v) for v in frame["satisfaction"]
    ]


def test_geoparquet_areas(store, tmp_path):
    areas = area_frame()
    areas.to_parquet(tmp_path / "areas.parquet")
    report = import_areas(store, tmp_path / "areas.parquet")
    assert report.reconciled and report.inserted == len(areas)
    got = store.fetch("area_shapes", level="community").set_index("area_id")
    want = areas[areas.level == "community"].set_index("area_id")
    geoms = shapely.from_wkb([bytes(b) for b in got.loc[want.index, "wkb"]])
    assert shapely.equals(geoms, want.geometry.to_numpy()).all()


def test_geoparquet_in_a_declared_projected_crs(duck, tmp_path):
    planted = planted_events(n_good=8)
    gdf = point_frame(planted)
    gdf = gdf[gdf.geometry.notna()].to_crs(3857)
    gdf.to_parquet(tmp_path / "m.parquet")
    report = import_events(duck, tmp_path / "m.parquet")
    assert report.crs == "EPSG:3857"
    got = stored_events(duck)
    want = gpd.GeoDataFrame(gdf.drop_duplicates("event_id")).set_index("event_id").to_crs(4326)
    want = want.loc[[i for i in want.index if i in got.index]]
    assert len(want) >= 8
    np.testing.assert_allclose(got.loc[want.index, "lon"], want.geometry.x, atol=1e-9)
    np.testing.assert_allclose(got.loc[want.index, "lat"], want.geometry.y, atol=1e-9)
