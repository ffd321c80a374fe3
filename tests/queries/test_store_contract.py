"""The :class:`data.store.Store` contract: every method of the protocol, on every backend.

Each test runs on an empty DuckDB store in memory, an empty DuckDB file, and an empty
throwaway PostGIS database, and checks real values: upsert counts on a known frame, the
meta round trip, counts after inserts, a rolled-back transaction leaving nothing, ...
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from data.contracts import TABLES
from data.store import Store, StoreUnavailable
from queries.duckdb_store import DuckDBStore
from queries.postgis_store import PostGISStore

BACKENDS = ["duckdb-memory", "duckdb-file", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path: Path, make_pg_database) -> Iterator[Store]:
    """An empty store of each backend."""
    if request.param == "duckdb-memory":
        opened: Store = DuckDBStore(":memory:")
    elif request.param == "duckdb-file":
        opened = DuckDBStore(tmp_path / "contract.duckdb")
    else:
        opened = PostGISStore(make_pg_database())
    yield opened
    opened.close()


def _departments(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en"])


DEPARTMENTS = _departments([("D1", "城管", "Urban"), ("D2", "环保", "Environment"), ("D3", "水务", "Water")])


def _events(ids: list[str], reported: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ids,
            "source": "311",
            "category": "C1",
            "lon": 116.4,
            "lat": 39.9,
            "h3": 613_196_575_486_853_119,
            "status": "open",
            "reported_at": pd.to_datetime(reported).astype("datetime64[us]"),
        }
    )


def _protocol_members() -> list[str]:
    """Names the Store protocol declares: attributes, properties and methods."""
    names = set(Store.__annotations__)
    names |= {n for n, v in vars(Store).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))}
    return sorted(names)


# -- the protocol and the classes ------------------------------------------------------------


def test_protocol_lists_every_method_callers_use():
    assert set(_protocol_members()) >= {
        "dialect",
        "paramstyle",
        "label",
        "fetch",
        "execute",
        "sql",
        "insert_frame",
        "upsert_frame",
        "transaction",
        "clear",
        "table_counts",
        "get_meta",
        "set_meta",
        "data_freshness",
        "checkpoint",
        "ping",
        "migrate",
        "close",
    }


@pytest.mark.parametrize("cls", [DuckDBStore, PostGISStore])
@pytest.mark.parametrize("name", _protocol_members())
def test_both_store_classes_implement_every_member(cls: type, name: str):
    declared = inspect.getattr_static(Store, name, None)
    if name in Store.__annotations__ and declared is None:  # a data attribute: a class value
        assert isinstance(getattr(cls, name), str), f"{cls.__name__}.{name}"
        return
    implemented = inspect.getattr_static(cls, name)
    if isinstance(declared, property):
        assert isinstance(implemented, property), f"{cls.__name__}.{name} should be a property"
        return
    assert callable(implemented), f"{cls.__name__}.{name}"
    want = list(inspect.signature(declared).parameters)
    assert list(inspect.signature(implemented).parameters) == want, f"{cls.__name__}.{name} parameters"


def test_stores_declare_their_dialect_and_placeholder_style():
    assert (DuckDBStore.dialect, DuckDBStore.paramstyle) == ("duckdb", "dollar")
    assert (PostGISStore.dialect, PostGISStore.paramstyle) == ("postgis", "pyformat")


def test_an_open_store_is_a_store(store):
    assert isinstance(store, Store)


# -- every method on every backend -----------------------------------------------------------


def test_upsert_counts_inserted_updated_unchanged(store):
    assert store.upsert_frame("departments", DEPARTMENTS, ["code"]) == {"inserted": 3, "updated": 0, "unchanged": 0}
    again = _departments([("D1", "城管", "Urban"), ("D2", "环保局", "Environment"), ("D4", "交通", "Traffic")])
    assert store.upsert_frame("departments", again, ["code"]) == {"inserted": 1, "updated": 1, "unchanged": 1}
    assert store.upsert_frame("departments", again, ["code"]) == {"inserted": 0, "updated": 0, "unchanged": 3}
    rows = store.fetch("list_departments")
    assert rows["code"].tolist() == ["D1", "D2", "D3", "D4"]
    assert rows["name_zh"].tolist() == ["城管", "环保局", "水务", "交通"]


def test_upsert_without_update_never_changes_existing_rows(store):
    store.upsert_frame("departments", DEPARTMENTS, ["code"])
    changed = _departments([("D1", "改名", "Renamed"), ("D5", "新", "New")])
    assert store.upsert_frame("departments", changed, ["code"], update=False) == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 1,
    }
    names = dict(store.fetch("list_departments")[["code", "name_zh"]].itertuples(index=False))
    assert names == {"D1": "城管", "D2": "环保", "D3": "水务", "D5": "新"}


def test_upsert_of_nothing_and_of_unknown_columns(store):
    assert store.upsert_frame("departments", DEPARTMENTS.iloc[:0], ["code"]) == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
    }
    with pytest.raises(KeyError, match="key columns"):
        store.upsert_frame("departments", DEPARTMENTS, ["nope"])
    with pytest.raises(KeyError, match="not_a_column"):
        store.upsert_frame("departments", DEPARTMENTS.assign(not_a_column=1), ["code"])
    assert store.table_counts()["departments"] == 0


def test_insert_frame_and_table_counts(store):
    counts = store.table_counts()
    assert set(counts) == {*TABLES, "demo_truth", "import_batches"} and not any(counts.values())
    assert store.insert_frame("departments", DEPARTMENTS) == 3
    assert store.insert_frame("events", _events(["E1", "E2"], ["2026-06-01 08:00", "2026-06-01 09:30"])) == 2
    counts = store.table_counts()
    assert (counts["departments"], counts["events"], counts["areas"]) == (3, 2, 0)
    assert all(isinstance(n, int) for n in counts.values())


def test_fetch_execute_and_sql(store):
    store.insert_frame("departments", DEPARTMENTS)
    store.insert_frame(
        "categories",
        pd.DataFrame(
            {
                "code": ["C1"],
                "name_zh": ["垃圾"],
                "name_en": ["Litter"],
                "department": ["D1"],
                "sla_response_h": [2.0],
                "sla_close_h": [24.0],
                "sla_assumed": [True],
            }
        ),
    )
    store.execute("update_category_sla", code="C1", sla_response_h=4, sla_close_h=48)
    cats = store.fetch("list_categories")
    row = cats[cats["code"] == "C1"].iloc[0]
    assert (row["sla_response_h"], row["sla_close_h"], bool(row["sla_assumed"])) == (4.0, 48.0, False)
    assert store.sql("SELECT count(*) AS n FROM departments")["n"].tolist() == [3]


def test_meta_round_trip(store):
    assert store.get_meta("contract") is None
    store.set_meta("contract", "one")
    assert store.get_meta("contract") == "one"
    store.set_meta("contract", "两")  # overwrite, not a second row
    assert store.get_meta("contract") == "两"
    assert store.sql("SELECT count(*) AS n FROM meta WHERE key = 'contract'")["n"].tolist() == [1]


def test_data_freshness_is_the_newest_event(store):
    assert store.data_freshness() is None
    store.insert_frame("events", _events(["E1", "E2"], ["2026-06-01 08:00", "2026-06-01 09:30"]))
    assert store.data_freshness() == datetime(2026, 6, 1, 9, 30)


def test_transaction_rollback_leaves_nothing_and_commit_keeps_all(store):
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        assert tx is store
        store.upsert_frame("departments", DEPARTMENTS, ["code"])
        store.insert_frame("events", _events(["E1"], ["2026-06-01 08:00"]))
        store.set_meta("k", "inside")
        assert store.table_counts()["departments"] == 3  # the block reads its own writes
        raise RuntimeError("boom")
    assert store.table_counts()["departments"] == 0 and store.table_counts()["events"] == 0
    assert store.get_meta("k") is None and store.data_freshness() is None
    with store.transaction():
        store.upsert_frame("departments", DEPARTMENTS, ["code"])
        with store.transaction():  # a nested block joins
            store.set_meta("k", "kept")
    assert store.table_counts()["departments"] == 3 and store.get_meta("k") == "kept"


def test_clear_empties_the_named_tables_only(store):
    store.insert_frame("departments", DEPARTMENTS)
    store.insert_frame("events", _events(["E1", "E2"], ["2026-06-01 08:00", "2026-06-01 09:30"]))
    store.set_meta("k", "v")
    store.clear(["events", "departments"])
    counts = store.table_counts()
    assert (counts["events"], counts["departments"]) == (0, 0)
    assert store.get_meta("k") == "v"
    with pytest.raises(KeyError, match="no_such_table"):
        store.clear(["no_such_table"])


def test_label_names_the_backend_without_credentials(store, tmp_path):
    if store.dialect == "duckdb":
        assert store.label in ("DuckDB · :memory:", "DuckDB · contract.duckdb")
        assert str(tmp_path) not in store.label
        return
    assert isinstance(store, PostGISStore)
    dsn = psycopg.conninfo.make_conninfo(store.dsn, user="someone", password="s3cr3t-pw")
    other = PostGISStore(dsn, timeout=1)
    try:
        info = psycopg.conninfo.conninfo_to_dict(store.dsn)
        assert other.label == f"PostGIS · {info.get('host') or 'localhost'}:{info.get('port') or 5432}/{info['dbname']}"
        assert "s3cr3t" not in other.label and "someone" not in other.label
    finally:
        other.close()


def test_checkpoint_keeps_the_data(store):
    store.insert_frame("events", _events(["E1"], ["2026-06-01 08:00"]))
    store.checkpoint()
    assert store.table_counts()["events"] == 1
    if isinstance(store, DuckDBStore) and store.path != ":memory:":  # the log is in the file now
        wal = Path(store.path + ".wal")
        assert not wal.exists() or wal.stat().st_size == 0


def test_ping_answers_and_a_closed_server_store_says_so(store):
    assert store.ping() is None
    if isinstance(store, PostGISStore):
        gone = PostGISStore(store.dsn, timeout=1)
        gone.close()
        with pytest.raises(StoreUnavailable):
            gone.ping()


def test_migrate_is_idempotent(store, make_pg_database):
    assert store.migrate() == []  # DuckDB: applied on open; the test PostGIS database: migrated
    if isinstance(store, PostGISStore):
        bare = PostGISStore(make_pg_database(migrated=False))
        try:
            applied = bare.migrate()
            assert applied[0].startswith("001_") and len(applied) >= 8
            assert bare.migrate() == []
            assert bare.table_counts()["events"] == 0
        finally:
            bare.close()


# -- cache_key: database identity + data version ----------------------------------------------


def _fresh_key(store: Store) -> str:
    """The key as another process would read it now (no second of trust in the last read)."""
    store._version_read_at = float("-inf")  # type: ignore[attr-defined]
    return store.cache_key()


def test_cache_key_changes_with_every_write_and_only_then(store):
    keys = [store.cache_key()]
    assert keys[0] == store.cache_key() == _fresh_key(store)  # reading changes nothing
    store.sql("SELECT count(*) FROM events")
    store.fetch("list_departments")
    assert store.cache_key() == keys[0]

    def changed() -> bool:
        keys.append(store.cache_key())
        return keys[-1] != keys[-2] and keys[-1] == _fresh_key(store)

    store.insert_frame("departments", DEPARTMENTS)
    assert changed()
    assert store.upsert_frame("departments", DEPARTMENTS, ["code"])["unchanged"] == 3
    assert not changed()  # nothing was written
    store.upsert_frame("departments", _departments([("D1", "城管局", "Urban")]), ["code"])
    assert changed()
    store.insert_frame(
        "categories",
        pd.DataFrame(
            {"code": ["C1"], "name_zh": ["垃圾"], "name_en": ["Litter"], "department": ["D1"]}
            | {"sla_response_h": [2.0], "sla_close_h": [24.0], "sla_assumed": [True]}
        ),
    )
    assert changed()
    store.execute("update_category_sla", code="C1", sla_response_h=4, sla_close_h=48)  # an SLA edit
    assert changed()
    store.set_meta("import:last:events", "{}")
    assert changed()
    store.clear(["events"])
    assert changed()
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.insert_frame("events", _events(["E1"], ["2026-06-01 08:00"]))
        raise RuntimeError("boom")
    assert _fresh_key(store) == keys[-1]  # rolled back: the committed version is the one before
    assert len(set(keys)) == len(keys) - 1


def test_an_audit_row_leaves_the_cached_version_trusted(store, monkeypatch):
    """A page view appends an audit row on every page: that must not cost a read of meta on
    the next cached call (the version is read at most once a second otherwise)."""
    from data.audit import record_audit

    key = store.cache_key()
    reads = []
    monkeypatch.setattr(store, "get_meta", lambda k: reads.append(k) or "x")
    record_audit(store, actor="wang", role="leader", action="page_view", page="overview")
    assert store.cache_key() == key and reads == []


def test_cache_key_names_the_database_without_credentials(store, tmp_path):
    key = store.cache_key()
    if isinstance(store, DuckDBStore) and store.path != ":memory:":
        assert key.startswith(f"duckdb:{(tmp_path / 'contract.duckdb').resolve()}@")
    elif isinstance(store, PostGISStore):
        info = psycopg.conninfo.conninfo_to_dict(store.dsn)
        where = f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}/{info['dbname']}"
        assert key.startswith(f"postgis:{where}@")
        assert info.get("password", "\0") not in key
    else:
        other = DuckDBStore(":memory:")  # every in-memory database is its own
        try:
            assert other.cache_key() != key
        finally:
            other.close()


def test_two_stores_on_one_database_share_the_key_and_see_each_others_writes(store, tmp_path):
    if isinstance(store, DuckDBStore) and store.path == ":memory:":
        # every in-memory database is its own: another one neither shares the key nor sees the writes
        alone = DuckDBStore(":memory:")
        try:
            before = store.cache_key()
            alone.insert_frame("departments", DEPARTMENTS)
            assert alone.cache_key() != store.cache_key()
            assert _fresh_key(store) == before
            assert store.table_counts()["departments"] == 0
        finally:
            alone.close()
        return
    other: Store = PostGISStore(store.dsn) if isinstance(store, PostGISStore) else DuckDBStore(store.path)
    try:
        assert other.cache_key() == store.cache_key()
        before = store.cache_key()
        other.insert_frame("departments", DEPARTMENTS)
        assert other.cache_key() != before  # the writer sees its own write at once
        assert _fresh_key(store) == other.cache_key()  # the other within a second (VERSION_TTL_SECONDS)
    finally:
        other.close()


def test_cache_key_changes_after_an_import(store, tmp_path):
    from data.ingest import import_events
    from data.ingest.dry_run import DryRunStore

    path = tmp_path / "events.csv"
    pd.DataFrame(
        {"event_id": ["E1", "E2"], "reported_at": "2026-05-01 08:00:00", "category": "c"}
        | {"lon": [116.40, 116.41], "lat": [39.90, 39.91]}
    ).to_csv(path, index=False)
    before = store.cache_key()
    dry = DryRunStore(store)
    assert dry.cache_key() == before
    import_events(dry, path)  # a check-only import changes nothing
    assert _fresh_key(store) == before
    assert import_events(store, path).inserted == 2
    assert store.cache_key() != before and _fresh_key(store) == store.cache_key()
