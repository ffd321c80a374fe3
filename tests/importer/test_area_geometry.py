"""Area geometries are validated before anything is written; an areas import is one transaction.

Issue 9: a polygon at ±1e308 passed the check, then the confirmed import wrote the areas
and failed in the polygon index (``cannot convert float NaN to integer``), after which
every events import failed. The files here are GeoJSON written by hand (as a GIS export
would write them): the block district's eight grids plus one broken feature.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from data.ingest import DryRunStore, import_areas, import_events
from data.ingest.area_parents import NOT_IN_FILE_TOP
from data.ingest.batches import list_batches
from tests.importer.conftest import (
    CELL,
    X0,
    Y0,
    area_frame,
    expected_areas,
    inside_points,
    rejects_of,
    stored_events,
    write_areas,
)

BOW_TIE = [[X0, Y0], [X0 + CELL, Y0 + CELL], [X0 + CELL, Y0], [X0, Y0 + CELL], [X0, Y0]]
"""A grid's corners in the wrong order: the ring crosses itself in the middle (a figure 8)."""

BROKEN: dict[str, tuple[dict | None, str, str]] = {
    "at ±1e308": (
        {
            "type": "Polygon",
            "coordinates": [[[-1e308, -1e308], [1e308, -1e308], [1e308, 1e308], [-1e308, 1e308], [-1e308, -1e308]]],
        },
        "geometry out of range",
        "longitude -1e+308",
    ),
    "latitude 96": (
        {
            "type": "Polygon",
            "coordinates": [[[116.30, 95.99], [116.31, 95.99], [116.31, 96.0], [116.30, 96.0], [116.30, 95.99]]],
        },
        "geometry out of range",
        "latitude 95.99",
    ),
    "bow-tie": ({"type": "Polygon", "coordinates": [BOW_TIE]}, "invalid polygon", "Self-intersection"),
    "empty": ({"type": "Polygon", "coordinates": []}, "empty geometry", "feature 3"),
    "zero area": (
        {
            "type": "Polygon",
            "coordinates": [[[X0, Y0], [X0 + CELL, Y0 + CELL], [X0 + 2 * CELL, Y0 + 2 * CELL], [X0, Y0]]],
        },
        "polygon has no area",
        "feature 3",
    ),
}


def grids_with(path: Path, geometry: dict | None, position: int = 2, area_id: str = "BAD") -> Path:
    """The eight grids as GeoJSON with one extra feature (``geometry``) at ``position`` (0-based)."""
    features = json.loads(area_frame(("grid",)).to_json())["features"]
    bad = {
        "type": "Feature",
        "properties": {
            "area_id": area_id,
            "level": "grid",
            "parent_id": None,
            "name_zh": "坏网格",
            "name_en": "Broken",
        },
        "geometry": geometry,
    }
    features.insert(position, bad)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _summary(report) -> tuple:
    return (
        report.rows_read,
        report.stored,
        report.rejected,
        dict(report.reasons),
        report.reassigned,
        report.outside_new_areas,
    )


def _events_file(path: Path, n: int = 40) -> Path:
    lng, lat = inside_points(n, seed=11)
    pd.DataFrame(
        {
            "event_id": [f"E{k:03d}" for k in range(n)],
            "reported_at": "2026-05-01 08:00:00",
            "category": "c",
            "lon": lng,
            "lat": lat,
        }
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_feature_is_rejected_by_check_and_confirm_alike(store, tmp_path, case):
    geometry, reason, detail = BROKEN[case]
    path = grids_with(tmp_path / "grids.geojson", geometry)
    events = _events_file(tmp_path / "e.csv")
    assert import_events(store, events).inserted == 40  # events first: the areas import re-assigns them
    dry = DryRunStore(store)
    check = import_areas(dry, path)
    confirm = import_areas(store, path)
    assert _summary(check) == _summary(confirm) == (9, 8, 1, {reason: 1}, 40, 0)
    assert confirm.reconciled and check.dry_run and not confirm.dry_run
    rejected = store.fetch("import_rejects_page", batch_id=confirm.batch_id, limit=10)
    assert rejected["row_number"].tolist() == [3]  # the feature number, 1-based
    assert rejected["reason"][0].startswith(f"{reason}: feature 3")
    assert detail in rejected["reason"][0]
    assert dry.rejected_rows()["reason"].tolist() == rejected["reason"].tolist()
    assert sorted(store.fetch("area_shapes", level="grid")["area_id"]) == sorted(area_frame(("grid",))["area_id"])
    # the store still works: events are placed in the eight grids
    got = stored_events(store)
    assert got["grid_id"].tolist() == [expected_areas(r.lon, r.lat)["grid_id"] for r in got.itertuples()]
    again = import_events(store, events)
    assert again.error is None and again.unchanged == 40


def test_repairable_polygons_are_repaired_and_said_so(store, tmp_path):
    """A spike (a ring that doubles back on itself) and overlapping parts of one multipolygon are
    digitising slips make_valid repairs without changing the covered area: stored, with a warning."""
    x1, y1 = X0 + CELL, Y0 + CELL
    spike = {
        "type": "Polygon",
        "coordinates": [
            [
                [X0, Y0],
                [x1, Y0],
                [x1, y1],
                [X0 + CELL / 2, y1],
                [X0 + CELL / 2, y1 + CELL / 2],
                [X0 + CELL / 2, y1],
                [X0, y1],
                [X0, Y0],
            ]
        ],
    }
    path = grids_with(tmp_path / "spike.geojson", spike, area_id="SPIKE")
    report = import_areas(store, path)
    assert (report.rows_read, report.stored, report.rejected) == (9, 9, 0)
    assert report.warnings == {
        "invalid polygons repaired (make_valid, area kept within 1 %)": 1,
        NOT_IN_FILE_TOP: 8,
    }  # the grids name communities the file leaves out
    got = store.fetch("area_shapes", level="grid").set_index("area_id")
    fixed = shapely.from_wkb(bytes(got.loc["SPIKE", "wkb"]))
    assert fixed.is_valid and fixed.area == pytest.approx(CELL * CELL, rel=1e-9)


def test_a_failed_areas_import_changes_nothing(store, tmp_path):
    """The import stops after the areas and rejects were written (the progress callback raises,
    as a cancelled page run does): areas, events' area ids, rejects and the report stay as they were."""
    import_areas(store, write_areas(tmp_path / "all.geojson"))
    import_events(store, _events_file(tmp_path / "e.csv"))
    before_events = stored_events(store)
    before_areas = {lv: store.fetch("area_shapes", level=lv) for lv in ("district", "street", "community", "grid")}
    before_counts = store.table_counts()
    before_meta = store.get_meta("import:last:areas")
    path = grids_with(tmp_path / "grids.geojson", BROKEN["bow-tie"][0])

    def stop(done, total):
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        import_areas(store, path, progress=stop)
    after = store.table_counts()
    assert after.pop("import_batches") == before_counts.pop("import_batches") + 1  # the attempt is on record
    assert after == before_counts
    [failed] = [b for b in list_batches(store) if b.kind == "areas" and b.file_name == "grids.geojson"]
    assert (failed.status, failed.error, failed.rows_stored) == ("failed", "RuntimeError: cancelled", 0)
    pd.testing.assert_frame_equal(stored_events(store), before_events)
    for lv, frame in before_areas.items():
        pd.testing.assert_frame_equal(store.fetch("area_shapes", level=lv), frame)
    assert store.get_meta("import:last:areas") == before_meta
    # and the same file imports completely afterwards, completing the failed batch
    report = import_areas(store, path)
    assert (report.stored, report.rejected) == (8, 1)
    assert report.batch_id == failed.batch_id and report.completes.startswith(f"{failed.batch_id} (failed after")
    [done] = list_batches(store, batch_id=failed.batch_id)
    assert (done.status, done.attempts, done.rows_read, done.rows_stored, done.rows_rejected) == (
        "finished",
        2,
        9,
        8,
        1,
    )
    assert rejects_of(store, report.batch_id) == {3: "invalid polygon"}
    assert stored_events(store)["community_id"].isna().all()


def test_projected_coordinates_that_do_not_convert_are_rejected():
    """Gauss-Krüger metres at 1e308 become NaN in WGS-84: rejected, the good grid converted."""
    from data.ingest.area_geometry import check_area_geometries

    geoms = np.array(
        [shapely.box(1e308, 1e308, 1.1e308, 1.1e308), shapely.box(500_000, 4_400_000, 501_000, 4_401_000)], dtype=object
    )
    out, reasons, repaired = check_area_geometries(geoms, "EPSG:4548", np.array([4, 5]))
    assert reasons[0] == (
        "geometry out of range: feature 4: vertex 1 is not a finite number (nan, nan) after conversion from EPSG:4548"
    )
    assert reasons[1] is None and out[0] is None and repaired == 0
    lng, lat = shapely.get_coordinates(out[1]).T
    assert ((lng > 116.9) & (lng < 117.1) & (lat > 39.6) & (lat < 39.8)).all()


def test_household_counts_a_store_cannot_hold_are_left_empty_with_a_warning(store, tmp_path):
    """``1e400`` and ``3000000000`` households stopped the import (OverflowError, TypeError);
    ``12.6`` was rounded and ``-5`` stored, silently."""
    features = json.loads(area_frame(("grid",)).to_json())["features"]
    for feature, value in zip(features, ["1e400", "3000000000", "12.6", "-5", "abc", "320", "0", None], strict=True):
        feature["properties"]["households"] = value
    path = tmp_path / "hh.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report = import_areas(store, path)
    assert (report.stored, report.rejected) == (8, 0)
    got = store.sql("SELECT area_id, households FROM areas ORDER BY area_id").set_index("area_id")["households"]
    expected = dict(
        zip([f["properties"]["area_id"] for f in features], [None, None, None, None, None, 320, 0, None], strict=True)
    )
    assert {k: (None if pd.isna(v) else int(v)) for k, v in got.items()} == expected
    limit = "0-2147483647"
    assert {w: n for w, n in report.warnings.items() if w.startswith("households")} == {
        f"households '{v}' is not a whole number {limit}: left empty": 1
        for v in ("1e400", "3000000000", "12.6", "-5", "abc")
    }


def test_a_store_already_holding_a_polygon_at_1e308_still_imports_events(store, tmp_path):
    """Written by the version before the check: events imports failed on it ever after."""
    import_areas(store, write_areas(tmp_path / "grids.geojson", ("grid",)))
    huge = shapely.Polygon([(-1e308, -1e308), (1e308, -1e308), (1e308, 1e308), (-1e308, 1e308)])
    store.upsert_frame(
        "areas",
        pd.DataFrame(
            {
                "area_id": ["ZZZ"],
                "level": ["grid"],
                "parent_id": [None],
                "name_zh": ["坏"],
                "name_en": [None],
                "households": [None],
                "population": [None],
                "geom": [shapely.to_wkb(huge)],
            }
        ),
        ["area_id"],
    )
    report = import_events(store, _events_file(tmp_path / "e.csv"))
    assert (report.stored, report.rejected, report.error) == (40, 0, None)
    got = stored_events(store)
    # the grids win (smaller ids); the huge polygon covers nothing they do not
    assert got["grid_id"].tolist() == [expected_areas(r.lon, r.lat)["grid_id"] for r in got.itertuples()]
