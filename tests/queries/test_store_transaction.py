"""``store.transaction()``: the block's writes commit together or not at all, on both backends.

Inside the block the store's own reads see its writes (an areas import re-assigns events
against the areas it has just written); other threads see the state before it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pandas as pd
import pytest
import shapely

from queries.duckdb_store import DuckDBStore


@pytest.fixture(params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def empty_store(request, make_pg_database) -> Iterator[object]:
    if request.param == "duckdb":
        store = DuckDBStore(":memory:")
    else:
        from queries.postgis_store import PostGISStore

        store = PostGISStore(make_pg_database())
    yield store
    store.close()


def _areas(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ids,
            "level": "grid",
            "parent_id": None,
            "name_zh": ids,
            "name_en": None,
            "households": None,
            "population": None,
            "geom": shapely.to_wkb(shapely.box(range(len(ids)), 0, [i + 1 for i in range(len(ids))], 1)),
        }
    )


def _ids(store) -> list[str]:
    return sorted(store.fetch("area_shapes", level="grid")["area_id"])


def test_rollback_undoes_every_write_of_the_block(empty_store):
    store = empty_store
    store.upsert_frame("areas", _areas(["A", "B"]), ["area_id"])
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        assert store.upsert_frame("areas", _areas(["C"]), ["area_id"])["inserted"] == 1
        store.execute("delete_areas_except", keep=["C"])
        store.insert_frame(
            "import_rejects", pd.DataFrame({"batch_id": ["b"], "row_number": [1], "reason": ["r"], "raw": ["x"]})
        )
        store.set_meta("k", "inside")
        assert _ids(store) == ["C"]  # the block reads its own writes
        assert store.get_meta("k") == "inside"
        raise RuntimeError("boom")
    assert _ids(store) == ["A", "B"]
    assert store.table_counts()["import_rejects"] == 0
    assert store.get_meta("k") is None


def test_commit_keeps_every_write_and_nested_blocks_join(empty_store):
    store = empty_store
    with store.transaction():
        store.upsert_frame("areas", _areas(["A"]), ["area_id"])
        with store.transaction():  # joins: nothing committed yet
            store.upsert_frame("areas", _areas(["A", "B"]), ["area_id"])
        store.set_meta("k", "v")
    assert _ids(store) == ["A", "B"] and store.get_meta("k") == "v"


def test_other_threads_see_the_state_before_the_block(empty_store):
    store = empty_store
    store.upsert_frame("areas", _areas(["A"]), ["area_id"])
    seen: list[list[str]] = []
    with store.transaction():
        store.upsert_frame("areas", _areas(["A", "B"]), ["area_id"])
        reader = threading.Thread(target=lambda: seen.append(_ids(store)))
        reader.start()
        reader.join(timeout=30)
    assert seen == [["A"]]
    assert _ids(store) == ["A", "B"]
