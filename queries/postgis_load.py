"""Bulk loads into PostGIS: binary COPY, and index rebuilds around large loads.

:func:`copy_frame` sends a frame by binary COPY built column-wise (``queries/_pgcopy.py``).
For a large load into a table that is small in comparison, :func:`bulk_insert` drops the
table's secondary indexes first and rebuilds them after the COPY, in the same
transaction; into an empty table the rows are written frozen (``COPY ... FREEZE``).

A load in many transactions (an import commits chunk by chunk) drops the indexes once with
:func:`drop_indexes`, which records their definitions in ``meta`` (key
:data:`PENDING_PREFIX` + table) in the same transaction, and rebuilds them once with
:func:`restore_indexes` after the last chunk. An import killed in between leaves the record:
the next import, ``gridscope db init`` (:meth:`PostGISStore.migrate`) and every
:meth:`PostGISStore.checkpoint` rebuild what it lists. While a load runs, its process holds
the advisory lock :func:`bulk_lock_sql` names, so recovery elsewhere leaves its indexes alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pandas as pd
import psycopg
from psycopg import sql

from ._pgcopy import SUPPORTED_TYPES, copy_chunks, copy_order

BULK_ROWS = 50_000
"""A load of at least this many rows, into a table holding fewer rows than the load,
drops and rebuilds the table's secondary indexes (building them once after the load is
several times faster than maintaining them row by row)."""


@dataclass(frozen=True)
class LoadStats:
    """Timing of the last :meth:`PostGISStore.insert_frame` (for the CLI and benchmarks)."""

    table: str
    rows: int
    copy_s: float
    """Seconds of the binary COPY (encoding included)."""
    index_s: float
    """Seconds spent rebuilding dropped indexes and running ANALYZE (0 for small loads)."""
    indexes_rebuilt: int


def column_types(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """Writable columns of ``table`` and their type names (generated columns excluded);
    empty when there is no such table."""
    rows = conn.execute(
        """SELECT a.attname, format_type(a.atttypid, NULL)
           FROM pg_attribute a
           WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0
             AND NOT a.attisdropped AND a.attgenerated = ''
           ORDER BY a.attnum""",
        [table],
    ).fetchall()
    return dict(rows)


def copy_frame(
    conn: psycopg.Connection, target: str, frame: pd.DataFrame, pg_types: list[str], *, freeze: bool = False
) -> None:
    """Send ``frame`` (columns named as in ``target``, of ``pg_types``) by binary COPY."""
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary{})").format(
        sql.Identifier(target),
        sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
        sql.SQL(", FREEZE" if freeze else ""),
    )
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for chunk in copy_chunks(frame, pg_types):
            copy.write(chunk)


def bulk_insert(conn: psycopg.Connection, table: str, frame: pd.DataFrame, types: dict[str, str]) -> LoadStats:
    """Append ``frame`` to ``table`` (writable column ``types``) on ``conn``'s transaction.

    Raises ``KeyError`` for columns ``table`` cannot take, ``TypeError`` for column types
    the COPY encoder does not know."""
    if unknown := [c for c in frame.columns if c not in types]:
        raise KeyError(f"columns {unknown} are not writable columns of {table}")
    if bad := [types[c] for c in frame.columns if types[c] not in SUPPORTED_TYPES]:
        raise TypeError(f"cannot COPY column types {bad} of {table}")
    names = copy_order(frame, [types[c] for c in frame.columns])
    frame = frame[names]
    t0 = time.perf_counter()
    # inside transaction() too: TRUNCATE, COPY FREEZE and the rebuild share one savepoint
    # (the table stays locked until the outer transaction ends)
    rebuild, freeze = prepare_bulk(conn, table, len(frame))
    copy_frame(conn, table, frame, [types[c] for c in names], freeze=freeze)
    t1 = time.perf_counter()
    if rebuild:
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for ddl in rebuild:
            conn.execute(ddl)
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    t2 = time.perf_counter()
    return LoadStats(table, len(frame), t1 - t0, t2 - t1, len(rebuild))


def prepare_bulk(conn: psycopg.Connection, table: str, rows: int) -> tuple[list[str], bool]:
    """Get ``table`` ready for a load of ``rows`` rows in this transaction.

    A bulk load (at least :data:`BULK_ROWS` rows, more than the table holds) locks the
    table, drops its secondary indexes and returns their definitions to rebuild. When
    the table is empty it is also truncated in this transaction, which lets COPY write
    the rows already frozen and visible (``COPY ... FREEZE``: no VACUUM pass needed
    before index-only scans, no hint-bit writes on the first queries).
    Returns ``(index definitions, freeze)``.
    """
    if rows < BULK_ROWS:
        return [], False
    count = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) t").format(sql.Identifier(table))
    if _scalar(conn, count, [rows]) >= rows:
        return [], False
    conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
    present = _scalar(conn, count, [rows])  # again, under the lock
    if present >= rows:
        return [], False
    indexes = secondary_indexes(conn, table)
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    if present == 0:
        conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
    return [ddl for _, ddl in indexes], present == 0


PENDING_PREFIX = "pending_indexes:"
"""``meta`` key prefix: ``pending_indexes:<table>`` holds the JSON ``[[name, definition], ...]``
of indexes a bulk load dropped and has not rebuilt yet."""

BULK_LOCK_CLASS = 0x6762_6C6B  # "gblk": first key of the per-table bulk-load advisory lock
"""First key of the advisory lock a bulk load holds (the second is ``hashtext(table)``)."""


def bulk_lock_sql(function: str) -> sql.Composed:
    """``SELECT <function>(%s, hashtext(%s))``: an advisory-lock function (``pg_try_advisory_lock``,
    ``pg_try_advisory_xact_lock``, ``pg_advisory_unlock``) on the bulk-load lock of a table,
    bound to ``[BULK_LOCK_CLASS, table]``."""
    return sql.SQL("SELECT {}(%s, hashtext(%s))").format(sql.SQL(function))


def pending_indexes(conn: psycopg.Connection, table: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Indexes dropped by a bulk load and not rebuilt yet: ``{table: [(name, definition)]}``
    (one table, or every table with a record)."""
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key LIKE %s",
        [PENDING_PREFIX + (table if table else "%")],
    ).fetchall()
    return {key.removeprefix(PENDING_PREFIX): [(n, d) for n, d in json.loads(value)] for key, value in rows}


def drop_indexes(conn: psycopg.Connection, table: str) -> list[str]:
    """Drop ``table``'s secondary indexes on ``conn``'s transaction, recording their
    definitions as pending (with any already pending) in the same transaction; return the
    names dropped. Takes the table's ACCESS EXCLUSIVE lock until the transaction ends."""
    conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
    indexes = secondary_indexes(conn, table)
    if not indexes:
        return []
    known = pending_indexes(conn, table).get(table, [])
    record = known + [(n, d) for n, d in indexes if n not in {k for k, _ in known}]
    conn.execute(
        "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [PENDING_PREFIX + table, json.dumps(record)],
    )
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [n for n, _ in indexes]


def restore_indexes(
    conn: psycopg.Connection, table: str, *, respect_lock: bool = True, analyze: bool = False
) -> list[str]:
    """Create every pending index of ``table`` that is missing, then forget the record, in
    ``conn``'s transaction (all or nothing); return the names created. ``ANALYZE`` the
    table after, when it created any (or with ``analyze``, when there was a record).

    With ``respect_lock`` nothing is done while another session holds the table's bulk-load
    lock (its load rebuilds them when it ends)."""
    pending = pending_indexes(conn, table).get(table)
    if not pending or not owns(conn, table):  # a role that may not create them leaves them to the owner
        return []
    if respect_lock and not _scalar(conn, bulk_lock_sql("pg_try_advisory_xact_lock"), [BULK_LOCK_CLASS, table]):
        return []
    conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
    made = []
    for name, ddl in missing_indexes(conn, pending):
        conn.execute(ddl)
        made.append(name)
    conn.execute("DELETE FROM meta WHERE key = %s", [PENDING_PREFIX + table])
    if made or analyze:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    return made


def missing_indexes(conn: psycopg.Connection, indexes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(name, definition)`` of ``indexes`` that do not exist."""
    names = [n for n, _ in indexes]
    rows = conn.execute("SELECT n FROM unnest(%s::text[]) n WHERE to_regclass(n) IS NULL", [names]).fetchall()
    gone = {r[0] for r in rows}
    return [(n, d) for n, d in indexes if n in gone]


BUILDERS = 2
"""Connections that build a bulk load's dropped indexes at once (one per core here): the
GIST of the points takes about as long as the four btrees together."""


def build_indexes(
    connect: Callable[[], AbstractContextManager[psycopg.Connection]],
    indexes: list[tuple[str, str]],
    workers: int | None = None,
) -> list[str]:
    """Create ``indexes`` (``(name, definition)``) on up to ``workers`` (default
    :data:`BUILDERS`) connections at once,
    each in a transaction of its own (``connect()`` opens one), GIST and GIN first (the
    longest builds); return the names created. Every build is attempted; the first failure
    is raised after the others ended.

    For the end of a bulk load, whose session holds the bulk-load lock: the pending record
    stays until :func:`restore_indexes` forgets it, so an index not built here (a failure,
    a kill) is built by the next recovery. ``CREATE INDEX`` takes a SHARE lock, which does
    not conflict with another's, so the builds scan the table side by side. One build per
    connection and no parallel workers of its own: two builds already keep the cores busy.
    """
    workers = BUILDERS if workers is None else workers
    slow = sorted(indexes, key=lambda item: " USING btree " in item[1])

    def build(item: tuple[str, str]) -> str:
        with connect() as conn:
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            conn.execute("SET LOCAL max_parallel_maintenance_workers = 0")
            conn.execute(item[1])
        return item[0]

    if workers <= 1 or len(slow) <= 1:
        return [build(item) for item in slow]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pgindex") as pool:
        futures = [pool.submit(build, item) for item in slow]  # all attempted, even after a failure
    return [f.result() for f in futures]  # the first failure raised


def owns(conn: psycopg.Connection, table: str) -> bool:
    """True when this session's role owns ``table`` (or is a member of its owner, or a
    superuser): only then may it drop and create the table's indexes."""
    row = conn.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)", [table])
    found = row.fetchone()
    return bool(found and found[0])


def secondary_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """``(name, definition)`` of ``table``'s indexes that back no constraint."""
    return conn.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = to_regclass(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY 1""",
        [table],
    ).fetchall()


def _scalar(conn: psycopg.Connection, query: sql.Composed, params: list[object]) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row[0]) if row else 0
