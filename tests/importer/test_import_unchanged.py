"""A re-import skips the rows stored as they are (data/ingest/unchanged.py) and stores exactly
what checking every row stores: the same counts, rejects and events, on both backends."""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import import_areas, import_categories, import_events
from queries.duckdb_store import DuckDBStore
from tests.importer.conftest import area_frame, empty_store, planted_events, text_frame, write_areas

HEADERS = {
    "event_id": "编号",
    "reported_at": "上报时间",
    "closed_at": "结案时间",
    "category": "事件类型",
    "department": "处置部门",
    "lon": "经度",
    "lat": "纬度",
    "description": "描述",
}


def events_file(path, frame: pd.DataFrame | None = None):
    """The planted events as a zh-headed CSV (24 good rows, 9 planted rejects)."""
    (text_frame(planted_events(), HEADERS) if frame is None else frame).to_csv(path, index=False)
    return path


def stored(store) -> pd.DataFrame:
    """Every stored event with every column, by id (trusted test SQL)."""
    return store.sql("SELECT * EXCLUDE (geom) FROM events ORDER BY event_id").set_index("event_id")


def counts(report) -> tuple:
    return report.inserted, report.updated, report.unchanged, report.rejected, dict(report.reasons)


def with_areas(store, tmp_path):
    assert import_areas(store, write_areas(tmp_path / "areas.geojson")).rejected == 0
    return store


def test_a_reimport_skips_the_stored_rows_and_checking_them_finds_nothing_to_change(district, tmp_path):
    path = events_file(tmp_path / "events.csv")
    first = import_events(district, path)
    before = district.sql("SELECT event_id, source_hash FROM events ORDER BY event_id")
    assert first.inserted == 24 and first.skipped == 0 and before["source_hash"].notna().all()
    again = import_events(district, path)
    # EV0001 is in the file twice (the second copy is rejected): checked, not skipped
    assert counts(again) == (0, 0, 24, first.rejected, dict(first.reasons))
    assert again.skipped == 23 and again.reconciled
    assert any("not checked again" in line for line in again.lines())
    # checking every row of the same file finds every stored row as it would store it
    full = import_events(district, path, check_all=True)
    assert counts(full) == (0, 0, 24, first.rejected, dict(first.reasons)) and full.skipped == 0
    after = district.sql("SELECT event_id, source_hash FROM events ORDER BY event_id")
    pd.testing.assert_frame_equal(before, after)


def test_skipping_stores_what_checking_every_row_stores(tmp_path):
    """The same imports into two stores, one skipping and one checking every row: equal
    counts and equal events after each (chunks of 7 rows: duplicates across chunks)."""
    skip, check = (with_areas(DuckDBStore(":memory:"), tmp_path) for _ in range(2))
    frame = text_frame(planted_events(), HEADERS)
    changed = frame.copy()
    changed.loc[changed["编号"] == "EV0002", "描述"] = "corrected text"
    changed.loc[changed["编号"] == "EV0003", "事件类型"] = frame.loc[frame["编号"] == "EV0004", "事件类型"].iloc[0]
    late_copy = changed[changed["编号"] == "EV0005"].assign(描述="a later copy")  # duplicate id in a later chunk
    changed = pd.concat([changed, late_copy, changed.iloc[[0]].assign(编号="NEW1")], ignore_index=True)
    respaced = frame.assign(描述=" " + frame["描述"].fillna("") + "  ")  # trimmed: the same values
    files = [frame, frame, changed, changed, respaced, respaced, frame]
    for k, content in enumerate(files):
        path = events_file(tmp_path / f"events_{k}.csv", content)
        a = import_events(skip, path, chunk_rows=7)
        b = import_events(check, path, chunk_rows=7, check_all=True)
        assert counts(a) == counts(b), (k, a.lines(), b.lines())
        pd.testing.assert_frame_equal(stored(skip), stored(check))
    # the re-imports of an unchanged file skipped; the changed file's first import did not skip
    # its changed rows, and the same values from another text are unchanged, not updated
    assert counts(b)[1] == 0


def test_new_areas_or_a_changed_catalog_match_nothing_stored(district, tmp_path):
    path = events_file(tmp_path / "events.csv")
    import_events(district, path)
    assert import_events(district, path).skipped == 23
    # a district whose grids moved: every row is checked again (and re-assigned the same way)
    moved = area_frame()
    moved["geometry"] = moved.translate(xoff=1e-9)
    moved.to_file(tmp_path / "moved.geojson", driver="GeoJSON")
    import_areas(district, tmp_path / "moved.geojson")
    again = import_events(district, path)
    assert again.skipped == 0 and (again.inserted, again.updated) == (0, 0)
    assert import_events(district, path).skipped == 23
    # a category given another default department: rows without a department are checked
    cats = district.fetch("list_categories")
    code = str(cats["code"].iloc[0])
    deps = district.fetch("list_departments")
    other = next(str(d) for d in deps["code"] if d != cats["department"].iloc[0])
    hours = {
        "sla_response_h": [float(cats["sla_response_h"].iloc[0])],
        "sla_close_h": [float(cats["sla_close_h"].iloc[0])],
    }
    pd.DataFrame({"code": [code], "name_zh": [code], "department": [other], **hours}).to_csv(
        tmp_path / "cats.csv", index=False
    )
    import_categories(district, tmp_path / "cats.csv")
    after = import_events(district, path)
    full = import_events(district, path, check_all=True)
    assert (full.inserted, full.updated) == (0, 0), full.lines()
    assert after.skipped < 23 and after.updated > 0


@pytest.mark.postgis
def test_event_source_hashes_are_equal_on_both_backends(tmp_path, _pg_import_dsn):
    """The same file into DuckDB and PostGIS: the same ids and hashes."""
    from queries.postgis_store import PostGISStore

    pg = PostGISStore(_pg_import_dsn)
    empty_store(pg)
    duck = DuckDBStore(":memory:")
    path = events_file(tmp_path / "events.csv")
    for s in (duck, pg):
        with_areas(s, tmp_path)
        assert import_events(s, path).inserted == 24
    ids = "\x1f".join(["EV0001", "EV0007", "BAD01", "nope", "EV0023"])
    got = [s.fetch("event_source_hashes", ids=ids).sort_values("event_id").reset_index(drop=True) for s in (duck, pg)]
    assert got[0]["event_id"].tolist() == ["EV0001", "EV0007", "EV0023"]
    pd.testing.assert_frame_equal(got[0], got[1], check_dtype=False)
    pg.close()


@pytest.mark.parametrize("ids", ["", "\x1f", "E1\x1fE2"])
def test_event_source_hashes_of_unknown_ids_is_empty(district, ids):
    assert district.fetch("event_source_hashes", ids=ids).empty
