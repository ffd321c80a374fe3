"""PostGIS imports build the events indexes once, and a killed import cannot lose them.

Issue 11: an import of a large file into a small events table drops the secondary indexes
before the first chunk (their definitions recorded in ``meta`` in the same transaction) and
rebuilds them once after the last (``PostGISStore.bulk_load``). These tests lower the
threshold (``queries.postgis_load.BULK_ROWS``) so a small file counts as large, and check:
the indexes are gone while the chunks are written and back afterwards with the same
definitions; the stored rows equal those of an import that kept the indexes; an import
killed (SIGKILL) part-way leaves the record, and the next import, ``migrate`` (``gridscope
db init``) or ``checkpoint`` rebuilds every index, with the same rows as a clean import.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from data.ingest import import_areas, import_events
from queries import postgis_load
from queries.postgis_load import BULK_LOCK_CLASS, PENDING_PREFIX
from tests.importer.conftest import inside_points, kill_import_after, stored_events, write_areas

pytestmark = pytest.mark.postgis

ROOT = Path(__file__).resolve().parents[2]
N = 6_000
CHUNK = 1_000
THRESHOLD = 2_000
"""BULK_ROWS in these tests: the 6,000-row file (estimated from its size) is a bulk load."""

CHILD = (
    textwrap.dedent("""
    import sys
    from queries import postgis_load
    postgis_load.BULK_ROWS = THRESHOLD
    from data.ingest import import_events
    from queries.postgis_store import PostGISStore
    dsn, path = sys.argv[1:3]
    store = PostGISStore(dsn)

    def progress(done, total):
        print(f"rows {done}", flush=True)
        if done >= 2 * CHUNK:  # two chunks read: the test kills this process now
            sys.stdin.readline()

    import_events(store, path, mapping="zh", chunk_rows=CHUNK, progress=progress)
    print("finished", flush=True)
""")
    .replace("THRESHOLD", str(THRESHOLD))
    .replace("CHUNK", str(CHUNK))
)


def _events_file(path: Path) -> Path:
    lng, lat = inside_points(N, seed=41)
    pd.DataFrame(
        {
            "事件编号": [f"E{k:06d}" for k in range(1, N + 1)],
            "上报时间": [f"2026-05-{1 + k % 28:02d} {k % 24:02d}:{k % 60:02d}:00" for k in range(N)],
            "事件类型": ["占道经营", "垃圾堆放", "道路破损"] * (N // 3),
            "事件描述": [f"描述 {k}, 含逗号" for k in range(N)],
            "经度": lng.round(7),
            "纬度": lat.round(7),
            "处置部门": ["城管执法队", "环卫所", "市政养护"] * (N // 3),
        }
    ).to_csv(path, index=False)
    assert postgis_load.BULK_ROWS > path.stat().st_size // 200 >= THRESHOLD  # bulk only when lowered
    return path


def _indexes(store) -> dict[str, str]:
    """``{name: definition}`` of the events table's indexes."""
    frame = store.sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY 1")
    return dict(zip(frame["indexname"], frame["indexdef"], strict=True))


def _pending(store) -> list[str]:
    return list(store.sql("SELECT key FROM meta WHERE key LIKE %s", [PENDING_PREFIX + "%"])["key"])


def _state(store) -> tuple[dict[str, str], list[str]]:
    return _indexes(store), _pending(store)


def _new_store(tmp_path: Path):
    from queries.postgis_store import PostGISStore
    from tests.queries.conftest import create_test_database

    dsn = create_test_database()
    store = PostGISStore(dsn)
    assert import_areas(store, write_areas(tmp_path / "areas.geojson")).rejected == 0
    return dsn, store


@pytest.fixture
def databases(tmp_path) -> Iterator[list]:
    """Factory of migrated throwaway PostGIS databases holding the block district:
    ``make()`` returns ``(dsn, store)``; all closed and dropped afterwards."""
    from tests.queries.conftest import drop_test_database

    made: list = []

    def make():
        (tmp_path / f"db{len(made)}").mkdir()
        made.append(_new_store(tmp_path / f"db{len(made)}"))
        return made[-1]

    yield make
    for dsn, store in made:
        store.close()
        drop_test_database(dsn)


@pytest.fixture
def csv_file(tmp_path) -> Path:
    return _events_file(tmp_path / "events.csv")


@pytest.fixture
def reference(databases, csv_file) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows and index definitions after an import that kept the indexes (default threshold)."""
    _, store = databases()
    before = _indexes(store)
    report = import_events(store, csv_file, mapping="zh", chunk_rows=CHUNK)
    assert report.rows_read == N and report.stored == N and store.last_rebuild is None
    assert _indexes(store) == before
    return stored_events(store), before


def test_a_bulk_import_drops_the_indexes_once_and_rebuilds_them(databases, csv_file, reference, monkeypatch):
    rows, definitions = reference
    assert {"events_event_id_idx", "events_h3_idx", "events_reported_at_idx", "events_geom_gist"} <= set(definitions)
    monkeypatch.setattr(postgis_load, "BULK_ROWS", THRESHOLD)
    _, store = databases()
    assert _indexes(store) == definitions
    during: list[tuple[dict[str, str], list[str]]] = []
    report = import_events(
        store,
        csv_file,
        mapping="zh",
        chunk_rows=CHUNK,
        progress=lambda *_: during.append((_indexes(store), _pending(store))),
    )
    assert report.rows_read == N and report.stored == N and report.inserted == N and report.rejected == 0
    # while the chunks were written: no secondary index, their definitions recorded
    assert len(during) == N // CHUNK
    assert all(ix == {} and pending == [PENDING_PREFIX + "events"] for ix, pending in during)
    # afterwards: every index back (the same definitions), the record gone, the same rows
    assert _indexes(store) == definitions
    assert _pending(store) == []
    assert store.last_rebuild is not None and store.last_rebuild[0] == len(definitions)
    pd.testing.assert_frame_equal(stored_events(store), rows)
    # the rebuilt indexes serve queries (an index scan on event_id finds the row)
    plan = store.sql("EXPLAIN SELECT * FROM events WHERE event_id = 'E000042'")
    assert "events_event_id_idx" in "\n".join(plan.iloc[:, 0])


def test_a_file_smaller_than_the_table_keeps_the_indexes(databases, csv_file, reference, monkeypatch):
    rows, definitions = reference
    monkeypatch.setattr(postgis_load, "BULK_ROWS", THRESHOLD)
    _, store = databases()
    assert import_events(store, csv_file, mapping="zh", chunk_rows=CHUNK).stored == N
    store.last_rebuild = None
    during: list[dict[str, str]] = []
    again = import_events(
        store, csv_file, mapping="zh", chunk_rows=CHUNK, progress=lambda *_: during.append(_indexes(store))
    )
    assert (again.unchanged, again.inserted, again.updated) == (N, 0, 0)
    assert during == [definitions] * (N // CHUNK) and store.last_rebuild is None
    pd.testing.assert_frame_equal(stored_events(store), rows)


def _wait_for_lock_release(store) -> None:
    """Until the server has ended the killed process's sessions: the one holding the advisory
    lock, and the writer's (a COMMIT it had sent before the kill may still be running)."""
    for _ in range(600):
        held = store.sql(
            "SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::bigint::oid)"
            " + (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            "    AND pid <> pg_backend_pid() AND state <> 'idle') AS n",
            [BULK_LOCK_CLASS],
        )
        if int(held["n"].iloc[0]) == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the killed import's bulk-load lock is still held after 60 s")


@pytest.mark.parametrize("recovery", ["next import", "migrate", "checkpoint"])
def test_a_killed_bulk_import_leaves_no_store_without_indexes(databases, csv_file, reference, recovery):
    rows, definitions = reference
    dsn, store = databases()
    kill_import_after(CHILD, [dsn, str(csv_file)], 2 * CHUNK)
    _wait_for_lock_release(store)
    # killed between two chunks: some rows stored, the indexes dropped and recorded
    stored = store.table_counts()["events"]
    assert 0 < stored < N
    assert _indexes(store) == {}
    assert _pending(store) == [PENDING_PREFIX + "events"]

    # the default threshold from here: the next import is no bulk load, so what rebuilds
    # the indexes is the recovery itself (an import's bulk_load restores before anything else)
    if recovery == "migrate":
        assert store.migrate() == []  # nothing new to apply; the indexes rebuilt all the same
        assert _indexes(store) == definitions and _pending(store) == []
    elif recovery == "checkpoint":
        store.checkpoint()
        assert _indexes(store) == definitions and _pending(store) == []
    seen: list[dict[str, str]] = []
    report = import_events(
        store, csv_file, mapping="zh", chunk_rows=CHUNK, progress=lambda *_: seen.append(_indexes(store))
    )
    assert report.rows_read == N and report.stored == N
    assert report.unchanged == stored and report.inserted == N - stored
    assert seen == [definitions] * (N // CHUNK)  # in place from the first chunk on
    assert _indexes(store) == definitions
    assert _pending(store) == []
    pd.testing.assert_frame_equal(stored_events(store), rows)


def test_a_writer_role_that_does_not_own_the_table_keeps_the_indexes(databases, csv_file, monkeypatch):
    """GRIDSCOPE_WRITER_DSN may be a role with BYPASSRLS and write grants only: it may not drop
    the owner's indexes, so its bulk import writes with them in place (and succeeds)."""
    import uuid

    import psycopg
    from psycopg import sql

    from queries.postgis_store import PostGISStore
    from tests.queries.conftest import _admin, _dsn_for

    dsn, owner = databases()
    definitions = _indexes(owner)
    name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    role = f"gridscope_test_writer_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN BYPASSRLS").format(sql.Identifier(role)))
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
                    sql.Identifier(role)
                )
            )
        monkeypatch.setattr(postgis_load, "BULK_ROWS", THRESHOLD)
        writer = PostGISStore(_dsn_for(name, role))
        try:
            seen: list[dict[str, str]] = []
            report = import_events(
                writer, csv_file, mapping="zh", chunk_rows=CHUNK, progress=lambda *_: seen.append(_indexes(owner))
            )
            assert report.stored == N and writer.last_rebuild is None
        finally:
            writer.close()
        assert seen == [definitions] * (N // CHUNK)
        assert _indexes(owner) == definitions and _pending(owner) == []
        assert owner.table_counts()["events"] == N
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:  # its grants, then the role
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with _admin() as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
