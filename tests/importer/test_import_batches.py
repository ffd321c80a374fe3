"""Import batches: ``kill -9`` during an import leaves a trace, and re-running completes it.

Issue 9: a killed import left its committed chunks with no record. The test starts a real
import in a subprocess with small chunks, kills it (SIGKILL) once it has committed three
chunks, then checks the batch (interrupted, with counts equal to what is in the store),
``gridscope import status``, the note before the next import, and that re-running the same
file says it completes the batch and ends with every row once, on both backends.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cli import main as gridscope
from data.ingest import DryRunStore, ImportFileError, import_events
from data.ingest.batches import list_batches, unfinished_batches
from queries.duckdb_store import DuckDBStore
from tests.importer.conftest import inside_points, kill_import_after, rejects_of, write_areas

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 2_000
N = 40_000
BAD = {k for k in range(1, N + 1) if k % 997 == 0}
"""Data rows without a category (rejected): a few in every other chunk."""

CHILD = textwrap.dedent("""
    import sys
    from data.ingest import import_events
    backend, where, path = sys.argv[1:4]
    if backend == "duckdb":
        from queries.duckdb_store import DuckDBStore
        store = DuckDBStore(where)
    else:
        from queries.postgis_store import PostGISStore
        store = PostGISStore(where)

    def progress(done, total):
        print(f"rows {done}", flush=True)
        if done >= 3 * {chunk}:  # three chunks read: the test kills this process now
            sys.stdin.readline()

    import_events(store, path, mapping="zh", chunk_rows={chunk}, progress=progress)
    print("finished", flush=True)
""").replace("{chunk}", str(CHUNK))


def _events_file(path: Path) -> Path:
    lng, lat = inside_points(N, seed=31)
    frame = pd.DataFrame(
        {
            "事件编号": [f"E{k:06d}" for k in range(1, N + 1)],
            "上报时间": "2026-05-01 08:00:00",
            "事件类型": ["" if k in BAD else "占道经营" for k in range(1, N + 1)],
            "经度": lng.round(7),
            "纬度": lat.round(7),
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def target(request, tmp_path) -> Iterator[tuple[str, str, list[str]]]:
    """(backend, DuckDB file or DSN, the CLI's store options), holding the block district."""
    from tests.queries.conftest import create_test_database, drop_test_database

    dsn = create_test_database() if request.param == "postgis" else None
    where = dsn or str(tmp_path / "g.duckdb")
    options = ["--dsn", where] if dsn else ["--db", where]
    try:
        assert gridscope(["import", "areas", str(write_areas(tmp_path / "areas.geojson")), *options]) == 0
        yield request.param, where, options
    finally:
        if dsn:
            drop_test_database(dsn)


def _open(backend: str, where: str):
    if backend == "duckdb":
        return DuckDBStore(where)
    from queries.postgis_store import PostGISStore

    return PostGISStore(where)


def test_a_killed_import_is_visible_and_rerunning_completes_it(target, tmp_path, capsys):
    backend, where, options = target
    path = _events_file(tmp_path / "events.csv")
    kill_import_after(CHILD, [backend, where, str(path)], 3 * CHUNK)

    store = _open(backend, where)
    try:
        [batch] = [b for b in list_batches(store) if b.kind == "events"]
        # the third chunk may or may not have committed when the signal came; its rows, its
        # rejects and the batch's counts went in together or not at all
        assert batch.status == "interrupted" and batch.state == "running" and batch.chunks in (2, 3)
        assert batch.rows_read == batch.chunks * CHUNK
        assert batch.rows_rejected == len([k for k in BAD if k <= batch.rows_read])
        assert batch.rows_stored == batch.rows_read - batch.rows_rejected
        counts = store.table_counts()
        assert counts["events"] == batch.rows_stored and counts["import_rejects"] == batch.rows_rejected
        assert [b.batch_id for b in unfinished_batches(store)] == [batch.batch_id]
        # a check of the same file says which batch it would complete, and writes nothing
        check = import_events(DryRunStore(store), path, mapping="zh", chunk_rows=CHUNK)
        assert check.batch_id == batch.batch_id and check.completes.startswith(f"{batch.batch_id} (interrupted after")
        assert store.table_counts() == counts
    finally:
        store.close()

    capsys.readouterr()
    assert gridscope(["import", "status", *options]) == 0
    out = capsys.readouterr().out
    assert f"{batch.batch_id} [interrupted] events events.csv: {batch.chunks} chunks" in out
    assert "1 import(s) did not finish" in out

    assert gridscope(["import", "events", str(path), "--mapping", "zh", "--chunk-rows", str(CHUNK), *options]) == 0
    captured = capsys.readouterr()
    assert "earlier imports that did not finish" in captured.err and batch.batch_id in captured.err
    assert f"completes batch {batch.batch_id} (interrupted after {batch.chunks} chunks" in captured.out
    assert f"rows read {N:,} = stored {N - len(BAD):,} + rejected {len(BAD):,}  [OK]" in captured.out

    store = _open(backend, where)
    try:
        [done] = [b for b in list_batches(store) if b.kind == "events"]
        assert (done.batch_id, done.status, done.attempts, done.chunks) == (batch.batch_id, "finished", 2, N // CHUNK)
        assert (done.rows_read, done.rows_stored, done.rows_rejected) == (N, N - len(BAD), len(BAD))
        assert store.table_counts()["events"] == N - len(BAD)
        assert rejects_of(store, done.batch_id) == dict.fromkeys(sorted(BAD), "missing category")  # each once
        assert unfinished_batches(store) == []
    finally:
        store.close()
    assert gridscope(["import", "status", *options]) == 0
    assert "[finished]" in capsys.readouterr().out


def test_a_file_another_process_is_importing_is_refused(tmp_path):
    """A running batch of the same file whose process is alive (this one): no second import."""
    store = DuckDBStore(":memory:")
    try:
        path = tmp_path / "e.csv"
        pd.DataFrame(
            {
                "事件编号": ["E1"],
                "上报时间": ["2026-05-01 08:00:00"],
                "事件类型": ["c"],
                "经度": [116.305],
                "纬度": [39.905],
            }
        ).to_csv(path, index=False)
        from data.ingest.batches import BatchLog, file_identity

        BatchLog(store, "events:e.csv:running", "events", file_identity(path)).start()
        with pytest.raises(ImportFileError, match="being imported right now as batch events:e.csv:running"):
            import_events(store, path, mapping="zh")
        assert store.table_counts()["events"] == 0
    finally:
        store.close()


def test_an_unreadable_first_import_creates_no_store_file(tmp_path, capsys):
    db = tmp_path / "new" / "sub" / "g.duckdb"
    (tmp_path / "x.csv").write_bytes(b"")
    assert gridscope(["import", "events", str(tmp_path / "x.csv"), "--db", str(db)]) == 1
    pd.DataFrame({"foo": [1]}).to_csv(tmp_path / "cols.csv", index=False)
    assert gridscope(["import", "events", str(tmp_path / "cols.csv"), "--db", str(db)]) == 1
    assert gridscope(["import", "areas", str(tmp_path / "cols.csv"), "--db", str(db)]) == 1
    assert "no column" in capsys.readouterr().err
    assert not db.exists() and not (tmp_path / "new").exists()
    assert gridscope(["import", "status", "--db", str(db)]) == 0
    assert "nothing imported yet" in capsys.readouterr().out and not db.exists()
    # an existing store is kept, unchanged, when an import fails
    assert gridscope(["import", "areas", str(write_areas(tmp_path / "a.geojson")), "--db", str(db)]) == 0
    assert gridscope(["import", "events", str(tmp_path / "x.csv"), "--db", str(db)]) == 1
    store = DuckDBStore(db)
    try:
        assert store.table_counts()["areas"] == 15 and store.table_counts()["import_batches"] == 1
    finally:
        store.close()


def test_existing_stores_gain_the_batch_table(tmp_path):
    """A DuckDB file and a PostGIS database from before import_batches upgrade on open / db init."""
    db = tmp_path / "old.duckdb"
    store = DuckDBStore(db)
    store.sql("DROP TABLE import_batches")  # as written by the previous version
    store.close()
    store = DuckDBStore(db)
    try:
        assert list_batches(store) == [] and store.table_counts()["import_batches"] == 0
    finally:
        store.close()

    import psycopg

    from queries.postgis_migrations import migrate
    from tests.queries.conftest import create_test_database, drop_test_database

    dsn = create_test_database()
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE import_batches")
            conn.execute("DELETE FROM schema_migrations WHERE name = 'import_batches'")
            assert [m.name for m in migrate(conn)] == ["import_batches"]
            assert conn.execute("SELECT count(*) FROM import_batches").fetchone() == (0,)
            assert conn.execute(
                "SELECT has_table_privilege('gridscope_reader', 'import_batches', 'SELECT')"
            ).fetchone() == (True,)
    finally:
        drop_test_database(dsn)


def test_small_chunks_split_a_parse_block_with_exact_row_numbers(tmp_path):
    """chunk_rows below pyarrow's 4 MB parse block: chunks of exactly that many rows (the kill
    test needs several), malformed lines keep their own row numbers."""
    from data.ingest.readers import open_source

    lines = [f"E{k},2026-05-01 08:00:00,c,116.3,39.9\n" for k in range(1, 10_001)]
    lines[4_999] = "E5000,only,three\n"  # malformed: row 5000
    path = tmp_path / "e.csv"
    path.write_text("id,t,c,x,y\n" + "".join(lines), encoding="utf-8")
    chunks = list(open_source(path).chunks(1_000))
    assert [c.table.num_rows for c in chunks] == [1_000] * 9 + [999]
    import numpy as np

    rows = np.concatenate([c.rows for c in chunks])
    assert rows.tolist() == [k for k in range(1, 10_001) if k != 5_000]
    assert [r for c in chunks for r, _ in c.bad_rows] == [5_000]
    ids = [v for c in chunks for v in c.table.column("id").to_pylist()]
    assert ids == [f"E{k}" for k in range(1, 10_001) if k != 5_000]


def test_an_import_whose_deadline_refresh_fails_is_a_failed_batch(district, tmp_path, monkeypatch):
    """Found nearby (issue 9): the refresh of the new rows' deadlines ran after the batch's error
    handling, so its failure left the batch 'running' in a live process and importing the file
    again was refused ("being imported right now"). Now the batch is failed, and re-running the
    file completes it with the deadlines set (default SLA: close within 24 h)."""
    lng, lat = inside_points(12, seed=2)
    path = tmp_path / "events.csv"
    pd.DataFrame(
        {
            "event_id": [f"E{k}" for k in range(12)],
            "reported_at": "2026-05-01 08:00:00",
            "category": "c",
            "lon": lng,
            "lat": lat,
        }
    ).to_csv(path, index=False)
    execute = district.execute

    def failing_execute(name, **params):
        if name == "refresh_event_deadlines":
            raise RuntimeError("connection lost")
        return execute(name, **params)

    monkeypatch.setattr(district, "execute", failing_execute)
    with pytest.raises(RuntimeError, match="connection lost"):
        import_events(district, path)
    monkeypatch.undo()
    [batch] = list_batches(district, kind="events")
    assert batch.status == "failed"
    again = import_events(district, path)
    assert again.completes and again.completes.startswith(batch.batch_id)
    due = district.sql("SELECT reported_at, close_due_at FROM events")
    assert len(due) == 12 and (due["close_due_at"] - due["reported_at"] == pd.Timedelta(hours=24)).all()
