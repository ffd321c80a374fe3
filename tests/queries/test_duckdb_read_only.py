"""Issue 11: several processes share one DuckDB file read-only (GRIDSCOPE_DB_READ_ONLY, what
scripts/replicas.sh sets); a writer is refused while they hold it; a read-only store refuses
every write with StoreReadOnly and leaves the file as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from data.store import StoreLocked, StoreReadOnly, StoreUnavailable
from queries import DuckDBStore, load_settings, open_store

ROOT = Path(__file__).resolve().parents[2]

READER = textwrap.dedent(
    """
    import sys, time
    from queries import DuckDBStore
    store = DuckDBStore(sys.argv[1], read_only=True)
    print(store.table_counts()["departments"], store.cache_key(), flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "shared.duckdb"
    store = DuckDBStore(path)
    store.insert_frame(
        "departments", pd.DataFrame({"code": ["D1", "D2"], "name_zh": ["甲", "乙"], "name_en": ["A", "B"]})
    )
    store.close()
    return path


def test_two_processes_read_one_file_and_a_writer_waits(db):
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(db), "4"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        lines = [r.stdout.readline().split() for r in readers]  # both have it open now
        assert [n for n, _ in lines] == ["2", "2"]
        assert lines[0][1] == lines[1][1]  # the same database and data version: one shared cache key
        with pytest.raises(StoreLocked):
            DuckDBStore(db)
    finally:
        for r in readers:
            r.wait(timeout=30)
    time.sleep(0.1)
    DuckDBStore(db).close()  # free again once they are gone


def test_a_read_only_store_refuses_writes_and_changes_nothing(db, monkeypatch):
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.setenv("GRIDSCOPE_DB_READ_ONLY", "1")
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    store = open_store(load_settings())
    assert isinstance(store, DuckDBStore) and store.read_only
    key = store.cache_key()
    frame = pd.DataFrame({"code": ["D3"], "name_zh": ["丙"], "name_en": ["C"]})
    for write in (
        lambda: store.insert_frame("departments", frame),
        lambda: store.upsert_frame("departments", frame, ["code"]),
        lambda: store.execute("update_category_sla", code="x", sla_response_h=1.0, sla_close_h=2.0),
        lambda: store.set_meta("k", "v"),
        lambda: store.clear(["departments"]),
        store.checkpoint,
    ):
        with pytest.raises(StoreReadOnly, match="read-only"):
            write()
    assert store.table_counts()["departments"] == 2 and store.get_meta("k") is None
    assert store.cache_key() == key
    store.close()


def test_read_only_needs_an_existing_gridscope_file(tmp_path):
    with pytest.raises(StoreUnavailable, match="no such file"):
        DuckDBStore(tmp_path / "missing.duckdb", read_only=True)
    import duckdb

    duckdb.connect(str(tmp_path / "other.duckdb")).close()
    with pytest.raises(StoreUnavailable, match="no GridScope tables"):
        DuckDBStore(tmp_path / "other.duckdb", read_only=True)


def test_read_only_refuses_a_file_of_an_older_version_and_says_how_to_upgrade(tmp_path):
    old = tmp_path / "old.duckdb"
    DuckDBStore(old).close()
    import duckdb

    con = duckdb.connect(str(old))
    con.execute("DROP TABLE users")  # as before issue 10
    con.execute("ALTER TABLE audit_log DROP COLUMN recorded_at")
    con.close()
    with pytest.raises(StoreUnavailable, match=r"older GridScope \(it lacks users, audit_log.recorded_at\)"):
        DuckDBStore(old, read_only=True)
    DuckDBStore(old).close()  # a writable open upgrades it
    DuckDBStore(old, read_only=True).close()
