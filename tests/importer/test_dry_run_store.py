"""``DryRunStore`` is a complete ``Store``: every protocol member, reads from the wrapped
store, and nothing written to it by a check-only import or by any write or upkeep call.
Both backends."""

from __future__ import annotations

import inspect
import json

import pandas as pd
import pytest

from data.ingest import DryRunStore, import_areas, import_events, import_readings
from data.store import Store
from queries.duckdb_store import DuckDBStore
from tests.importer.conftest import area_frame, inside_points
from tests.importer.test_import_readings import readings_frame


def _protocol_members() -> list[str]:
    """Names the Store protocol declares: attributes, properties and methods."""
    names = set(Store.__annotations__)
    names |= {n for n, v in vars(Store).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))}
    return sorted(names)


def _events_file(path, n: int = 20, prefix: str = "E"):
    lng, lat = inside_points(n, seed=11)
    pd.DataFrame(
        {
            "事件编号": [f"{prefix}{k:03d}" for k in range(n)],
            "上报时间": "2026-05-01 08:00:00",
            "事件类型": ["" if k == 3 else "占道经营" for k in range(n)],  # one rejected row
            "经度": lng.round(7),
            "纬度": lat.round(7),
        }
    ).to_csv(path, index=False)
    return path


def _readings_file(path):
    readings_frame().to_csv(path, index=False, encoding="gbk")
    return path


def _state(store: Store) -> tuple:
    """What an import could change: row counts, the import reports in meta, the events."""
    reports = store.fetch("list_import_batches", kind=None, sha256=None, batch_id=None, limit=1000)
    events = store.sql("SELECT event_id, grid_id, community_id, street_id FROM events ORDER BY event_id")
    return (
        store.table_counts(),
        store.get_meta("import:last:events"),
        store.get_meta("import:last:readings"),
        store.get_meta("import:last:areas"),
        len(reports),
        events,
    )


def _assert_same(before: tuple, after: tuple) -> None:
    assert before[:5] == after[:5]
    pd.testing.assert_frame_equal(before[5], after[5])


@pytest.mark.parametrize("name", _protocol_members())
def test_every_store_member_is_on_the_dry_run_store(duck, name):
    declared = inspect.getattr_static(Store, name, None)
    dry = DryRunStore(duck)
    if name in Store.__annotations__ and declared is None:  # a data attribute
        assert getattr(dry, name) == getattr(duck, name)
        return
    implemented = inspect.getattr_static(DryRunStore, name)  # on the class itself: no __getattr__
    if isinstance(declared, property):
        assert isinstance(implemented, property), name
        return
    assert callable(implemented), name
    assert list(inspect.signature(implemented).parameters) == list(inspect.signature(declared).parameters), name


def test_the_dry_run_store_is_a_store_without_magic(duck):
    assert isinstance(DryRunStore(duck), Store)
    assert not hasattr(DryRunStore, "__getattr__")
    assert DryRunStore.__getattribute__ is object.__getattribute__


def test_a_dry_run_import_leaves_the_store_as_it_was(district, tmp_path):
    import_events(district, _events_file(tmp_path / "events.csv"), mapping="zh")
    before = _state(district)
    assert before[0]["events"] == 19 and before[0]["import_rejects"] == 1

    dry = DryRunStore(district)
    events = import_events(dry, _events_file(tmp_path / "more.csv", prefix="F"), mapping="zh")
    assert events.dry_run and (events.inserted, events.rejected) == (19, 1)
    readings = import_readings(dry, _readings_file(tmp_path / "readings.csv"))
    assert readings.dry_run and (readings.new_sensors, readings.inserted) == (3, 72)
    shifted = area_frame()
    shifted["geometry"] = shifted.translate(xoff=0.004)  # every event's areas would change
    shifted.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    areas = import_areas(dry, tmp_path / "areas.geojson")
    assert areas.dry_run and areas.reassigned > 0
    assert [r["reason"].partition(":")[0] for _, r in dry.rejected_rows().iterrows()] == ["missing category"]
    _assert_same(before, _state(district))

    # the writes and upkeep calls leave the wrapped store alone too
    dry.set_meta("import:last:events", "changed")
    dry.clear(["events", "import_rejects"])
    dry.execute("delete_import_rejects", batch_id="any")
    dry.insert_frame("departments", pd.DataFrame({"code": ["X"], "name_zh": ["x"], "name_en": ["x"]}))
    assert dry.upsert_frame("departments", pd.DataFrame({"code": ["X"], "name_zh": ["x"]}), ["code"])["inserted"] == 1
    with dry.transaction() as tx:
        assert tx is dry
    dry.sql("DELETE FROM events")  # run on the wrapped store, then rolled back
    dry.checkpoint()
    assert dry.migrate() == []
    dry.close()
    _assert_same(before, _state(district))
    district.ping()  # not closed by the wrapper


def test_reads_are_the_wrapped_stores(district, tmp_path):
    report = import_events(district, _events_file(tmp_path / "events.csv"), mapping="zh")
    dry = DryRunStore(district)
    assert (dry.dialect, dry.paramstyle, dry.label) == (district.dialect, district.paramstyle, district.label)
    assert dry.table_counts() == district.table_counts() and dry.table_counts()["events"] == 19
    key = f"import:{report.batch_id}"
    assert dry.get_meta(key) == district.get_meta(key) and json.loads(dry.get_meta(key))["inserted"] == 19
    assert dry.get_meta("no such key") is None
    assert dry.data_freshness() == district.data_freshness() == pd.Timestamp("2026-05-01 08:00:00")
    pd.testing.assert_frame_equal(dry.fetch("event_points"), district.fetch("event_points"))
    text = "SELECT count(*) AS n FROM events WHERE event_id <> " + ("$1" if district.paramstyle == "dollar" else "%s")
    assert int(dry.sql(text, ["E000"])["n"].iloc[0]) == int(district.sql(text, ["E000"])["n"].iloc[0]) == 18
    dry.ping()


def test_ping_fails_as_the_wrapped_store_does():
    store = DuckDBStore(":memory:")
    store.close()
    with pytest.raises(Exception) as caught:  # noqa: PT011 - whatever the wrapped store raises
        store.ping()
    with pytest.raises(type(caught.value)):
        DryRunStore(store).ping()
