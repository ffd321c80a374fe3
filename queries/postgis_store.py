"""The server store: PostgreSQL + PostGIS through psycopg 3 and a connection pool.

Two roles, two DSNs (see README, "PostGIS"):

* the **admin DSN** (a role that owns the schema) runs ``gridscope db init`` and loads
  data (``gridscope demo --dsn``, importers);
* the **reader DSN** (``GRIDSCOPE_DSN`` for the dashboard) logs in as
  ``gridscope_reader``, which has SELECT only.

Connections and faults: ``queries/postgis_pool.py`` (every connection problem is a
:class:`~data.store.StoreUnavailable` saying what to check). Bulk loads by binary COPY,
with index rebuilds around large ones: ``queries/postgis_load.py``. The upsert and the
bookkeeping are the shared bodies of ``queries/store_base.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import psycopg
from psycopg import sql
from psycopg.types.numeric import FloatLoader

from data.store import ParamStyle, SqlParams, StoreReadOnly

from . import postgis_load
from .postgis_frames import frame_from_rows, type_name
from .postgis_load import (
    BULK_LOCK_CLASS,
    LoadStats,
    build_indexes,
    bulk_insert,
    bulk_lock_sql,
    column_types,
    copy_frame,
    drop_indexes,
    missing_indexes,
    owns,
    pending_indexes,
    restore_indexes,
)
from .postgis_migrations import READER_ROLE
from .postgis_pool import PostGISPool, describe_dsn
from .sql_files import bound_sql
from .store_base import (
    ALL_TABLES,
    STAGE,
    UNVERSIONED_TABLES,
    SqlRunner,
    SqlStore,
    quoted,
    tables_list,
    writes_data,
)

__all__ = ["ALL_TABLES", "READER_STATEMENT_TIMEOUT", "LoadStats", "PostGISStore"]


def _configure(conn: psycopg.Connection) -> None:
    """Per-connection setup: numeric results load as float, like DuckDB's DECIMAL → float."""
    conn.adapters.register_loader("numeric", FloatLoader)


SCOPE_SETTING = "gridscope.streets"
"""The setting naming the streets a session may read (migration 015): ``*`` for every street,
which every connection of the store declares; ``queries/scoped_store.py`` narrows it."""

MAP_ROLLUPS: tuple[str, ...] = ("event_map_days", "event_map_day_kinds")
"""Daily rollups of the map queries (migration 012), refreshed with ``event_rollup``."""

STAGED_SETTINGS: tuple[str, ...] = ("work_mem = '128MB'", "jit = off", "default_statistics_target = 10")
"""Transaction-local settings of an upsert (``_staged``): its joins sort or hash a 250k-row
chunk in memory (the 4 MB default spilled ~50 MB per join to disk); no JIT compilation (the
joins of a chunk are costed past its threshold at 10M rows and gain nothing from it); the
stage analysed from a sample of 3,000 rows instead of 30,000 (its key statistics are what the
joins' plans need; the analysis of every column took 0.25 s of 1.3 s per chunk)."""

READER_STATEMENT_TIMEOUT = "60s"
"""Statement timeout of every connection the store opens as :data:`READER_ROLE` (or a role
granted it). Pinned by the store on connect and again whenever a connection returns to the
pool, so neither the role's default nor a DSN's ``options=-c statement_timeout=0`` decides
it; and a reader store runs named queries only (:meth:`PostGISStore.sql` refuses free SQL),
none of which sets anything (``tests/queries/test_postgis_reader.py``). PostgreSQL itself
cannot stop a session from changing ``statement_timeout``: see README, "PostGIS"."""

READER_APPENDS = frozenset({"audit_append"})
"""Named statements the reader role may run: each calls a SECURITY DEFINER function that only
appends (migration 011). They run in a read-write transaction, where the role's SELECT-only
grants still refuse every other write (``tests/data/test_audit.py``)."""

_IS_READER = """
    SELECT r.rolname = %(reader)s OR (NOT r.rolsuper AND coalesce(pg_has_role(r.oid, g.oid, 'MEMBER'), false))
    FROM pg_roles r LEFT JOIN pg_roles g ON g.rolname = %(reader)s
    WHERE r.rolname = current_user"""


def _scalar_bool(conn: psycopg.Connection, query: sql.Composed, params: list[object]) -> bool:
    row = conn.execute(query, params).fetchone()
    return bool(row and row[0])


class _PostGISRunner:
    """A psycopg connection as :class:`~queries.store_base.SqlRunner`."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def rows(self, text: str, params: Mapping[str, object] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows."""
        return self.conn.execute(text, params).fetchall()

    def changed(self, text: str) -> int:
        """Run an ``UPDATE``/``INSERT`` and return how many rows it wrote."""
        return self.conn.execute(text).rowcount

    def run(self, text: str, params: Mapping[str, object] | None = None) -> None:
        """Run a statement that returns nothing."""
        self.conn.execute(text, params)


class PostGISStore(SqlStore):
    """A :class:`data.store.Store` on a PostGIS database.

    Parameters
    ----------
    dsn : libpq connection string or URI
    max_size : connections in the pool
    timeout : seconds to wait for a connection before reporting the store unavailable
    """

    dialect = "postgis"
    paramstyle: ParamStyle = "pyformat"
    _bound_upserts = True

    def __init__(self, dsn: str, *, max_size: int = 4, timeout: float = 5.0) -> None:
        self.dsn = dsn
        self.where = describe_dsn(dsn)
        # Server and database, not the role: the reader's and the writer's stores share a cache.
        self._ident = self.where.rpartition("@")[2]
        self._types: dict[str, dict[str, str]] = {}
        self.last_load: LoadStats | None = None
        self.last_rebuild: tuple[int, float] | None = None
        """Indexes rebuilt and seconds taken at the end of the last :meth:`bulk_load` that dropped them."""
        self._reader: bool | None = None  # set by the first connection's setup
        self._pool = PostGISPool(dsn, max_size=max_size, timeout=timeout, configure=self._configure, reset=self._reset)

    @property
    def label(self) -> str:
        """Short description for the sidebar: backend, server and database (no user, no password)."""
        return f"PostGIS · {self.where.rpartition('@')[2]}"

    def _identity(self) -> str:
        return self._ident

    # -- connections -----------------------------------------------------------------------

    def connection(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        """A pooled connection in a transaction (committed on success).

        Inside this thread's :meth:`transaction`, its connection, in a savepoint: the
        block's changes commit (or roll back) with the outer transaction.

        Raises
        ------
        StoreUnavailable
            When no connection can be had or the connection breaks.
        """
        return self._pool.connection()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostGISStore]:
        """Run the block's writes (and reads) in this thread as one transaction on one
        connection: all committed when the block ends, none if it raises. Nested: joins."""
        try:
            with self._pool.transaction():
                yield self
        finally:
            self._version_changed()

    def _configure(self, conn: psycopg.Connection) -> None:
        """A new pooled connection: loaders, and the pinned timeout when it is the reader's."""
        _configure(conn)
        row = conn.execute(_IS_READER, {"reader": READER_ROLE}).fetchone()
        reader = bool(row and row[0])
        if reader:
            conn.execute("SELECT set_config('statement_timeout', %s, false)", [READER_STATEMENT_TIMEOUT])
        # Every street (migration 015: a session that declares no scope sees no rows);
        # queries/scoped_store.py narrows it per transaction.
        conn.execute(f"SELECT set_config('{SCOPE_SETTING}', '*', false)")
        conn.commit()
        self._reader = reader

    def _reset(self, conn: psycopg.Connection) -> None:
        """A connection back in the pool: the reader's timeout again, whatever ran on it."""
        if self._reader:
            conn.execute("SELECT set_config('statement_timeout', %s, false)", [READER_STATEMENT_TIMEOUT])
            conn.commit()

    @property
    def read_only(self) -> bool:
        """True when the store logs in as the read-only :data:`READER_ROLE` (or a role granted it)."""
        if self._reader is None:
            with self.connection():  # the first connection's setup finds out
                pass
        return bool(self._reader)

    # -- queries ---------------------------------------------------------------------------

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Run named query ``name`` with bound ``params`` and return its rows."""
        return self._run(bound_sql(name, self.dialect, self.paramstyle), params or None)

    def execute(self, name: str, **params: object) -> None:
        """Run a named statement that returns nothing (one of :data:`READER_APPENDS` in a
        read-write transaction on a reader store: the role's sessions start read-only)."""
        text = bound_sql(name, self.dialect, self.paramstyle)
        try:
            with self.connection() as conn:
                if name in READER_APPENDS and self.read_only and not self._pool.in_transaction:
                    conn.execute("SET TRANSACTION READ WRITE")
                conn.execute(text, params or None)
                if writes_data(text):
                    self._bump_version(_PostGISRunner(conn))
        finally:
            if writes_data(text):  # an audit row is no data change: the cached version stays good
                self._version_changed()

    def sql(self, text: str, params: SqlParams = None) -> pd.DataFrame:
        """Run trusted SQL written by the project (tests, loaders); never user text.

        Placeholders are psycopg's (``%s`` / ``%(name)s``). Refused on a :attr:`read_only`
        store (the dashboard's): it runs named queries only, so no statement it sends can
        lift :data:`READER_STATEMENT_TIMEOUT`.

        Raises
        ------
        StoreReadOnly
            On a reader-role store.
        """
        if self.read_only:
            raise StoreReadOnly(f"the read-only store at {self.where} runs named queries only, not free SQL")
        if not writes_data(text):
            return self._run(text, params)
        try:
            return self._run(text, params, bump=True)
        finally:
            self._version_changed()

    def _run(
        self, text: str, params: SqlParams, *, bump: bool = False, prelude: tuple[str, list[object]] | None = None
    ) -> pd.DataFrame:
        with self.connection() as conn, conn.cursor() as cur:
            if prelude is not None:  # transaction-local settings first (queries/scoped_store.py)
                cur.execute(*prelude)
            if "event_rollup" in text or "event_map_" in text:
                # JIT is costed on the whole plan, including the branch over events that a
                # current rollup skips: it would compile for nothing (measured: p95 325 ->
                # 84 ms for kpi_summary at 10M events; ~170 ms of a map query's 580). Only
                # for this transaction.
                cur.execute("SET LOCAL jit = off")
            cur.execute(text, params)
            if cur.description is None:
                if bump:
                    self._bump_version(_PostGISRunner(conn))
                return pd.DataFrame()
            rows = cur.fetchall()
            columns = [(d.name, type_name(conn, d.type_code)) for d in cur.description]
            if bump:
                self._bump_version(_PostGISRunner(conn))
        return frame_from_rows(rows, columns)

    # -- loads -----------------------------------------------------------------------------

    def _column_types(self, conn: psycopg.Connection, table: str) -> dict[str, str]:
        """Writable columns of ``table`` and their type names (cached per table)."""
        if table not in self._types:
            if not (types := column_types(conn, table)):
                raise KeyError(f"no table {table!r} in {self.where}")
            self._types[table] = types
        return self._types[table]

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` to ``table`` by binary COPY; return rows added.

        Geometry columns arrive as WKB bytes (or shapely geometries) and take the column's
        SRID (4326). Columns of ``frame`` not in the table raise ``KeyError``. A large load
        into a small table rebuilds its indexes after the COPY (``queries/postgis_load.py``).
        """
        if table not in ALL_TABLES:
            raise KeyError(f"unknown table {table!r}; expected one of {ALL_TABLES}")
        if frame.empty:
            return 0
        try:
            with self.connection() as conn:
                self.last_load = bulk_insert(conn, table, frame, self._column_types(conn, table))
                if table not in UNVERSIONED_TABLES:
                    self._bump_version(_PostGISRunner(conn))
        finally:
            self._version_changed()
        return len(frame)

    @contextlib.contextmanager
    def bulk_load(self, table: str, rows: int) -> Iterator[bool]:
        """A load of about ``rows`` rows into ``table`` in many transactions (an import's
        chunks): yields True when the table's secondary indexes were dropped for it.

        When ``rows`` is at least :data:`~queries.postgis_load.BULK_ROWS` and the table holds
        fewer rows, its secondary indexes are dropped (their definitions recorded in ``meta``
        in the same transaction) and rebuilt once when the block ends, however it ends:
        building them once is several times faster than maintaining them per row. A process
        killed inside the block leaves the record; the next bulk load, :meth:`migrate` and
        :meth:`checkpoint` rebuild the indexes it lists (:meth:`restore_indexes`). Only a
        role that owns the table drops them (a writer role that merely may write keeps them). One bulk
        load per table at a time (an advisory lock held on a connection of its own, released
        by the server when the process dies); another concurrent one just writes with the
        indexes in place.
        """
        if table not in ALL_TABLES:
            raise KeyError(f"unknown table {table!r}; expected one of {ALL_TABLES}")
        try:
            holder = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise self._pool.unavailable(exc) from exc
        with holder:
            if not _scalar_bool(holder, bulk_lock_sql("pg_try_advisory_lock"), [BULK_LOCK_CLASS, table]):
                yield False
                return
            dropped = False
            try:
                with self.connection() as conn:
                    restore_indexes(conn, table, respect_lock=False)  # a killed load's, first
                if rows >= postgis_load.BULK_ROWS:
                    with self.connection() as conn:
                        present = conn.execute(
                            sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) t").format(sql.Identifier(table)),
                            [rows],
                        ).fetchone()
                        if present is not None and present[0] < rows and owns(conn, table):
                            dropped = bool(drop_indexes(conn, table))
                yield dropped
            finally:
                try:
                    if dropped:
                        t0 = time.perf_counter()
                        with self.connection() as conn:
                            missing = missing_indexes(conn, pending_indexes(conn, table).get(table, []))
                        made = build_indexes(self.connection, missing)  # side by side, each committed
                        with self.connection() as conn:  # forget the record (and build what is still missing)
                            made += restore_indexes(conn, table, respect_lock=False, analyze=True)
                        self.last_rebuild = (len(made), time.perf_counter() - t0)
                finally:
                    holder.execute(bulk_lock_sql("pg_advisory_unlock"), [BULK_LOCK_CLASS, table])

    def restore_indexes(self) -> dict[str, list[str]]:
        """Rebuild the indexes a killed bulk load dropped (every table with a record in
        ``meta``, unless a bulk load of it is running); return ``{table: names created}``."""
        made: dict[str, list[str]] = {}
        with self.connection() as conn:
            tables = list(pending_indexes(conn)) if column_types(conn, "meta") else []
        for table in tables:
            with self.connection() as conn:
                if names := restore_indexes(conn, table):
                    made[table] = names
        return made

    # -- the driver's side of the shared bodies (queries/store_base.py) --------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[SqlRunner]:
        with self.connection() as conn:
            yield _PostGISRunner(conn)

    def _writing(self) -> contextlib.AbstractContextManager[SqlRunner]:
        return self._reading()  # every connection() block is one transaction (or savepoint)

    def _check_frame(self, table: str, names: list[str]) -> None:
        if table not in ALL_TABLES:
            raise KeyError(f"unknown table {table!r}; expected one of {ALL_TABLES}")

    @contextlib.contextmanager
    def _staged(self, runner: SqlRunner, table: str, frame: pd.DataFrame) -> Iterator[None]:
        """The frame by binary COPY into the temporary table :data:`STAGE`."""
        assert isinstance(runner, _PostGISRunner)  # what _writing() hands out
        conn = runner.conn
        types = self._column_types(conn, table)
        if unknown := [c for c in frame.columns if c not in types]:
            raise KeyError(f"columns {unknown} are not writable columns of {table}")
        cols = ", ".join(map(quoted, frame.columns))
        for setting in STAGED_SETTINGS:  # until the transaction ends (the chunk's, in an import)
            runner.run(f"SET LOCAL {setting}")
        runner.run(f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT {cols} FROM {quoted(table)} LIMIT 0")
        copy_frame(conn, STAGE, frame, [types[c] for c in frame.columns])
        runner.run(f"ANALYZE {STAGE}")
        runner.run("SET LOCAL default_statistics_target = DEFAULT")  # for any later ANALYZE here
        yield
        runner.run(f"DROP TABLE {STAGE}")  # ON COMMIT DROP comes late inside transaction()

    def _clear_statements(self, tables: list[str]) -> list[str]:
        return [f"TRUNCATE {tables_list(tables)}"]

    # -- upkeep ----------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """After bulk loads and imports: the indexes of a killed bulk load rebuilt
        (:meth:`restore_indexes`), planner statistics and the rollups refreshed."""
        self.restore_indexes()
        with self.connection() as conn:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, ALL_TABLES))))
        self.refresh_rollups()

    def refresh_rollups(self) -> bool:
        """Rebuild ``event_rollup`` (migration 005) and the map rollups (migration 012,
        when present) and record the events version they reflect.

        Returns False when the schema has no rollup. The version is read before the
        refresh, so a change committed meanwhile leaves the rollups marked stale (the
        PostGIS overrides then read ``events``), never wrongly marked current.
        """
        with self.connection() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'events_version'").fetchone()
            rollup = conn.execute("SELECT to_regclass('event_rollup')").fetchone()
            if row is None or rollup is None or rollup[0] is None:
                return False
            views = ["event_rollup"] + [
                v for v in MAP_ROLLUPS if (conn.execute("SELECT to_regclass(%s)", [v]).fetchone() or [None])[0]
            ]
            for view in views:
                conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(view)))
            conn.execute("UPDATE meta SET value = %s WHERE key = 'event_rollup_version'", [row[0]])
            for view in views:
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(view)))
        return True

    def migrate(self) -> list[str]:
        """Create or upgrade the schema (``queries/migrations/postgis``); return the files
        applied now. Needs a role that may change the schema (the admin DSN)."""
        from .postgis_migrations import migrate

        with self.connection() as conn:
            conn.commit()  # migrate() runs one transaction per file
            conn.autocommit = True
            try:
                done = migrate(conn)
            finally:
                conn.autocommit = False
        self._types.clear()
        self.restore_indexes()  # of a bulk load killed part-way (queries/postgis_load.py)
        return [m.path.name for m in done]

    def close(self) -> None:
        """Close the pool and its connections."""
        self._pool.close()
