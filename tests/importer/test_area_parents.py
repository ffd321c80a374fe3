"""Areas files whose parent codes do not fit the levels they hold (issue 9), on both stores.

A street + grid file whose grids still name the communities it leaves out was stored "as
given": 0 of 480 events got a street id. A file with several levels and no parent column
stored no parent at all. Now a missing, unknown or left-out parent is found by location
(the coarser area of the file containing the child), the report counts parents from the
file and by location, and a parent of a wrong level or one that does not contain its child
is a rejected feature with its reason. Expected ids come from the events' coordinates by
arithmetic on the block layout (``expected_areas``); the stores are filled by the real
importer (``tests/dashboard/sparse_stores.py``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import DryRunStore, import_areas, import_events
from data.ingest.area_parents import SKIPS_LEVEL, WARNINGS_ZH
from data.ingest.reasons import reason_zh
from tests.dashboard.sparse_stores import (
    N_EVENTS,
    SUBSETS,
    events_csv,
    fill_store,
    sparse_area_frame,
    subset_id,
)
from tests.importer.conftest import (
    area_frame,
    expected_areas,
    rejects_of,
    stored_events,
)

EVENT_IDS = ("grid_id", "community_id", "street_id")


def expected_events(store, levels: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(stored ids, ids by arithmetic on the coordinates, null for the levels left out)."""
    got = stored_events(store)
    want = pd.DataFrame([expected_areas(x, y) for x, y in zip(got["lon"], got["lat"], strict=True)], index=got.index)
    for col in EVENT_IDS:
        if col.removesuffix("_id") not in levels:
            want[col] = None
    return (got[list(EVENT_IDS)].astype(object).fillna("-"), want[list(EVENT_IDS)].astype(object).fillna("-"))


def stored_parents(store) -> dict[str, str | None]:
    frame = store.sql("SELECT area_id, parent_id FROM areas ORDER BY area_id")
    return {a: (None if pd.isna(p) else p) for a, p in zip(frame["area_id"], frame["parent_id"], strict=True)}


def true_parents(levels: tuple[str, ...]) -> dict[str, str | None]:
    """Each area's nearest ancestor among ``levels`` (what location must find)."""
    frame = sparse_area_frame(levels)
    return {a: (p if isinstance(p, str) else None) for a, p in zip(frame["area_id"], frame["parent_id"], strict=True)}


def test_street_and_grid_file_naming_left_out_communities(store, tmp_path):
    """The measured case: every event now has its street (0 of 480 before), and the report says
    the grids' parents were taken by location."""
    fill_store(store, tmp_path, ("street", "grid"), keep_parents=True)
    got, want = expected_events(store, ("street", "grid"))
    assert len(got) == N_EVENTS and want["street_id"].ne("-").all()
    pd.testing.assert_frame_equal(got, want)
    assert stored_parents(store) == true_parents(("street", "grid"))  # grids under streets, streets at the top
    report = import_areas(DryRunStore(store), tmp_path / "areas.geojson")
    assert (report.parents_from_file, report.parents_by_location, report.parents_top) == (0, 8, 2)
    assert report.warnings == {
        "parent code names no area of the file (left out or rejected): parent taken by location": 8,
        "parent code names no area of the file (left out or rejected) and no coarser area contains it: "
        "stored without a parent": 2,
    }
    assert (
        "  parents: 0 from the file, 8 by location (the coarser area containing each), 2 at the top" in report.lines()
    )


def test_three_levels_without_a_parent_column(store, tmp_path):
    path = tmp_path / "areas.geojson"
    area_frame(("street", "community", "grid")).drop(columns=["parent_id"]).to_file(path, driver="GeoJSON")
    report = import_areas(store, path)
    assert report.reconciled and report.rejected == 0 and report.stored == 14
    assert (report.parents_from_file, report.parents_by_location, report.parents_top) == (0, 12, 2)
    assert stored_parents(store) == true_parents(("street", "community", "grid"))
    import_events(store, events_csv(tmp_path / "events.csv"))
    got, want = expected_events(store, ("street", "community", "grid"))
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("parents", ["dangling", "none"])
@pytest.mark.parametrize("levels", [s for s in SUBSETS if s], ids=[subset_id(s) for s in SUBSETS if s])
def test_every_subset_of_levels_gets_every_event_id_right(store, tmp_path, levels, parents):
    """Parents naming the left-out levels, or no parent column at all: each event carries the
    ids of every level present, computed from its coordinates."""
    frame = area_frame(levels)
    if parents == "none":
        frame = frame.drop(columns=["parent_id"])
    frame.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    report = import_areas(store, tmp_path / "areas.geojson")
    assert report.reconciled and report.rejected == 0
    assert stored_parents(store) == true_parents(levels)
    import_events(store, events_csv(tmp_path / "events.csv"))
    got, want = expected_events(store, levels)
    pd.testing.assert_frame_equal(got, want)


def test_a_full_file_takes_every_parent_from_the_file(store, tmp_path):
    fill_store(store, tmp_path, ("district", "street", "community", "grid"))
    report = import_areas(DryRunStore(store), tmp_path / "areas.geojson")
    assert (report.parents_from_file, report.parents_by_location, report.parents_top) == (14, 0, 1)
    assert not report.warnings
    got, want = expected_events(store, ("district", "street", "community", "grid"))
    pd.testing.assert_frame_equal(got, want)


def _edited(tmp_path, **parents: str) -> object:
    frame = area_frame()
    for area, parent in parents.items():
        frame.loc[frame["area_id"] == area, "parent_id"] = parent
    frame.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    return tmp_path / "areas.geojson"


def test_a_parent_of_a_wrong_level_is_rejected_with_its_reason(store, tmp_path):
    """A grid filed under a grid, a street under a community: rejected, with the reason in both
    languages; the other areas are stored, the events in the rejected grid go to its community."""
    report = import_areas(store, _edited(tmp_path, G00="G01", S1="C00"))
    assert report.reconciled and report.rejected == 2
    frame = store.fetch("import_rejects_page", batch_id=report.batch_id, limit=100)
    rows = dict(zip(frame["row_number"].astype(int), frame["reason"], strict=True))
    feature = {a: k + 1 for k, a in enumerate(area_frame()["area_id"])}
    assert rows == {
        feature["G00"]: f"parent of a wrong level: feature {feature['G00']}: grid 'G00' names parent 'G01', a grid "
        "(a grid's parent is a district, street or community)",
        feature["S1"]: f"parent of a wrong level: feature {feature['S1']}: street 'S1' names parent 'C00', "
        "a community (a street's parent is a district)",
    }
    assert reason_zh(rows[feature["G00"]]).startswith(f"上级区域层级错误：feature {feature['G00']}: grid")
    parents = stored_parents(store)
    assert "G00" not in parents and "S1" not in parents
    # S1's communities and grids: their parent S1 was rejected, so the district (by location)
    assert parents["C10"] == "D" and parents["G10"] == "C10"
    assert (
        report.warnings["parent code names no area of the file (left out or rejected): parent taken by location"] == 2
    )
    import_events(store, events_csv(tmp_path / "events.csv"))
    got = stored_events(store)
    for _, row in got.iterrows():
        want = expected_areas(row["lon"], row["lat"])
        if want["grid_id"] == "G00":
            want["grid_id"] = None
        if want["street_id"] == "S1":
            want["street_id"] = None
        assert {k: (None if pd.isna(row[k]) else row[k]) for k in EVENT_IDS} == want


def test_a_parent_that_does_not_contain_its_child_is_rejected(store, tmp_path):
    report = import_areas(store, _edited(tmp_path, G00="C01", C11="S0"))
    assert report.rejected == 2
    reasons = sorted(store.fetch("import_rejects_page", batch_id=report.batch_id, limit=100)["reason"])
    feature = {a: k + 1 for k, a in enumerate(area_frame()["area_id"])}
    assert reasons == sorted(
        [
            f"parent contradicts location: feature {feature['C11']}: community 'C11' names parent 'S0', "
            "which covers 0% of it; by location its parent is 'S1'",
            f"parent contradicts location: feature {feature['G00']}: grid 'G00' names parent 'C01', "
            "which covers 0% of it; by location its parent is 'C00'",
        ]
    )
    assert reason_zh(reasons[0]).startswith("上级区域与位置不符：")
    assert set(rejects_of(store, report.batch_id).values()) == {"parent contradicts location"}


def test_a_parent_that_skips_a_level_takes_the_finer_area_by_location(store, tmp_path):
    """G00 filed under its street S0 while the file has C00 (inside S0) containing it: C00."""
    report = import_areas(store, _edited(tmp_path, G00="S0"))
    assert report.rejected == 0 and report.warnings == {SKIPS_LEVEL: 1}
    assert (report.parents_from_file, report.parents_by_location) == (13, 1)
    assert stored_parents(store)["G00"] == "C00"
    # under a street that does not hold its community: rejected
    report = import_areas(store, _edited(tmp_path, G00="S1"))
    assert report.rejected == 1


def test_parent_warnings_have_chinese_text():
    from data.ingest import area_parents

    for name in ("NOT_IN_FILE", "NOT_IN_FILE_TOP", "SKIPS_LEVEL"):
        assert WARNINGS_ZH[getattr(area_parents, name)]


def test_a_stored_chain_that_does_not_go_coarser_ends_there():
    """Stores written before the importer checked parents may hold a grid filed under a grid:
    its events keep their own grid (before: the parent grid's id) and no community from it."""
    from data.ingest.areas_index import AreaIndex
    from tests.importer.conftest import inside_points

    frame = area_frame()
    frame.loc[frame["area_id"] == "G00", "parent_id"] = "G01"
    index = AreaIndex.from_frame(frame.rename(columns={"geometry": "geom"}))
    lng, lat = inside_points(200, seed=4)
    ids, inside = index.assign(lng, lat)
    assert inside.all()
    for k, (x, y) in enumerate(zip(lng, lat, strict=True)):
        want = expected_areas(x, y)
        if want["grid_id"] == "G00":  # the chain ends at G00: community and street not from G01's
            want = {"grid_id": "G00", "community_id": None, "street_id": None}
        assert {f"{lv}_id": ids[lv][k] for lv in ("grid", "community", "street")} == want
