"""The embedded DuckDB store: one local file, spatial extension from the PyPI package."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extension_spatial
import pandas as pd
import pyarrow as pa

from data.contracts import DEFAULT_SLA_HOURS, TABLES
from data.store import ParamStyle, SqlParams, StoreLocked, StoreReadOnly, StoreUnavailable

from .sql_files import bound_sql
from .store_base import (
    ALL_TABLES,
    DATA_VERSION_KEY,
    STAGE,
    UNVERSIONED_TABLES,
    SqlRunner,
    SqlStore,
    new_version_token,
    quoted,
    writes_data,
)

SCHEMA_FILE = Path(__file__).parent / "schema" / "duckdb.sql"
"""Idempotent DDL for the embedded store."""

APPEND_ONLY_TABLES = frozenset({"audit_log"})
"""Tables no bulk load may write: the audit trail takes rows only through the named statement
``audit_append`` (data/audit.py); PostGIS refuses them as unknown tables."""


def spatial_extension_path() -> Path:
    """Path of the spatial extension shipped in ``duckdb-extension-spatial``.

    ``LOAD spatial`` would try to download it; loading the file keeps the app offline.
    """
    root = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    path = root / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not path.exists():
        found = sorted(root.glob("v*/spatial.duckdb_extension"))
        raise StoreUnavailable(
            f"DuckDB {duckdb.__version__} has no matching spatial extension in the duckdb-extension-spatial package "
            f"(found: {[p.parent.name for p in found]}); install duckdb-extension-spatial=={duckdb.__version__}"
        )
    return path


def connect_duckdb(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) a DuckDB database with spatial loaded and the schema applied.

    ``read_only``: open an existing file without writing anything (no schema upgrade), so that
    several processes can read it at once (DuckDB lets one process write a file, or any number
    read it, never both); a file without the GridScope schema is refused."""
    if read_only:
        if str(path) == ":memory:" or not Path(path).exists():
            raise StoreUnavailable(
                f"cannot open {Path(path).name} read-only: there is no such file yet (build or import it first)"
            )
    elif str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config={"allow_unsigned_extensions": "true"})
    except duckdb.IOException as exc:
        raise _open_error(Path(path), exc) from exc
    con.execute(f"LOAD '{spatial_extension_path()}'")
    if read_only:
        if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'meta'").fetchall():
            con.close()
            raise StoreUnavailable(f"{Path(path).name} has no GridScope tables: open it once for writing first")
        if missing := _missing_schema(con):
            con.close()
            raise StoreUnavailable(
                f"{Path(path).name} was written by an older GridScope (it lacks {', '.join(missing[:5])}): "
                "open it once for writing to upgrade it (e.g. gridscope audit list --db FILE), then read-only"
            )
        return con
    upgrading = _lacks_column(con, "categories", "sla_assumed")
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    if upgrading:
        _mark_assumed_slas(con)
    # Files written before deadlines were stored get them filled once, on open.
    (undated,) = con.execute("SELECT count(*) FROM events WHERE close_due_at IS NULL").fetchone() or (0,)
    if undated:
        con.execute(bound_sql("refresh_event_deadlines", "duckdb", "dollar"), {"category": None})
    # A data version from the start, so a file re-created at the same path never repeats one.
    con.execute(
        "INSERT INTO meta VALUES ($key, $value) ON CONFLICT (key) DO NOTHING",
        {"key": DATA_VERSION_KEY, "value": new_version_token()},
    )
    return con


_SCHEMA_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)
_SCHEMA_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)", re.IGNORECASE)


def _missing_schema(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and columns of the schema file that a (read-only) database lacks: a file written
    by an older version is upgraded on a writable open, which a read-only one cannot do."""
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    have = {(t, c) for t, c in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()}
    tables = {t for t, _ in have}
    missing = [t for t in dict.fromkeys(_SCHEMA_TABLE.findall(schema)) if t not in tables]
    missing += [f"{t}.{c}" for t, c in _SCHEMA_COLUMN.findall(schema) if t in tables and (t, c) not in have]
    return missing


def _open_error(path: Path, exc: duckdb.IOException) -> StoreUnavailable:
    """A message about the file by name only: DuckDB's text has the full path and, for a
    lock, the holder's PID and interpreter path (the exception stays chained for the log)."""
    text = str(exc)
    if re.search(r"\b(set lock on file|conflicting lock)\b", text, re.I):
        return StoreLocked(path.name)
    reason = text.split(":", 1)[-1] if text.startswith("IO Error") else text
    reason = reason.replace(f'"{path}"', repr(path.name)).replace(str(path), path.name).strip()
    return StoreUnavailable(f"cannot open the DuckDB file {path.name}: {reason}")


def _lacks_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """True when ``table`` exists without ``column`` (a file written by an older version)."""
    cols = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
    return bool(cols) and column not in {c[0] for c in cols}


def _mark_assumed_slas(con: duckdb.DuckDBPyConnection) -> None:
    """Once, when ``categories.sla_assumed`` is added to an older file: mark the categories
    that an earlier events import created (its report in ``meta`` lists them) and whose SLA
    still has the default hours (PostGIS: migration 006 does the same)."""
    codes: set[str] = set()
    for (text,) in con.execute("SELECT value FROM meta WHERE key LIKE 'import:%'").fetchall():
        try:
            listed = json.loads(text).get("new_categories") or []
        except (ValueError, AttributeError):
            continue
        codes.update(str(c) for c in listed if isinstance(c, str))
    if codes:
        con.execute(
            "UPDATE categories SET sla_assumed = TRUE WHERE code IN (SELECT unnest(?)) "
            "AND sla_response_h = ? AND sla_close_h = ?",
            [sorted(codes), *DEFAULT_SLA_HOURS],
        )


BULK_THREADS = 1
"""DuckDB threads during :meth:`DuckDBStore.bulk_load` (an import's writes)."""


def _as_arrow(frame: pd.DataFrame) -> pa.Table:
    """Arrow view of a frame: DuckDB scans it ~6x faster than pandas string columns."""
    return pa.Table.from_pandas(frame, preserve_index=False)


class _DuckDBRunner:
    """A DuckDB connection or cursor as :class:`~queries.store_base.SqlRunner`."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def rows(self, text: str, params: Mapping[str, object] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows."""
        return self._con.execute(text, params).fetchall()

    def changed(self, text: str) -> int:
        """Run an ``UPDATE``/``INSERT`` and return how many rows it wrote."""
        row = self._con.execute(text).fetchone()
        return int(row[0]) if row else 0

    def run(self, text: str, params: Mapping[str, object] | None = None) -> None:
        """Run a statement that returns nothing."""
        self._con.execute(text, params)


@contextlib.contextmanager
def _runner(cursors: contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]) -> Iterator[SqlRunner]:
    with cursors as cur:
        yield _DuckDBRunner(cur)


class DuckDBStore(SqlStore):
    """A :class:`data.store.Store` on a DuckDB file (or ``:memory:``)."""

    dialect = "duckdb"
    _classify_upserts = True  # writes hold self._lock: the counts stay true until the writes
    paramstyle: ParamStyle = "dollar"

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        """Opened read-only (``GRIDSCOPE_DB_READ_ONLY``): writes raise, other processes may read."""
        self._con = connect_duckdb(path, read_only=read_only)
        # The same file is the same database in every process; each :memory: one is its own.
        self._ident = f"memory-{id(self)}" if self.path == ":memory:" else str(Path(self.path).resolve())
        # Writes take the lock; transaction() holds it (re-entrantly) until it ends.
        self._lock = threading.RLock()
        self._tx_thread: int | None = None

    @property
    def label(self) -> str:
        """What the sidebar shows: ``DuckDB · <file name>`` (no folders)."""
        return f"DuckDB · {Path(self.path).name}"

    def _identity(self) -> str:
        return self._ident

    def _writable(self) -> None:
        """Raise :class:`~data.store.StoreReadOnly` on a store opened read-only."""
        if self.read_only:
            raise StoreReadOnly(
                f"the DuckDB file {Path(self.path).name} is open read-only (GRIDSCOPE_DB_READ_ONLY, e.g. several "
                "dashboard replicas share it): stop them and open it for writing to import or edit"
            )

    def _in_transaction(self) -> bool:
        return self._tx_thread == threading.get_ident()

    @contextlib.contextmanager
    def _reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor per call (DuckDB connections are not safe across Streamlit's threads);
        inside this thread's :meth:`transaction`, its connection, so reads see its writes."""
        if self._in_transaction():
            yield self._con
            return
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[DuckDBStore]:
        """Run the block's writes (and reads) as one transaction: all committed, or none.

        Other threads' writes wait until it ends; their reads see the state before it.
        A nested call joins the outer transaction.
        """
        self._writable()
        with self._lock:
            if self._in_transaction():
                yield self
                return
            self._con.execute("BEGIN TRANSACTION")
            self._tx_thread = threading.get_ident()
            try:
                yield self
            except BaseException:
                self._tx_thread = None
                self._con.execute("ROLLBACK")
                self._version_changed()
                raise
            self._tx_thread = None
            self._con.execute("COMMIT")
            self._version_changed()

    def read_only_file(self) -> str | None:
        """The file's path when it is open read-only (``GRIDSCOPE_DB_READ_ONLY``), else ``None``."""
        return self.path if self.read_only else None

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Run named query ``name`` with bound ``params`` and return its rows."""
        with self._reader() as cur:
            return cur.execute(bound_sql(name, self.dialect, self.paramstyle), params or None).df()

    def execute(self, name: str, **params: object) -> None:
        """Run a named statement that returns nothing."""
        text = bound_sql(name, self.dialect, self.paramstyle)
        self._writable()
        try:
            with self._lock:
                self._con.execute(text, params or None)
                if writes_data(text):
                    self._bump_version(_DuckDBRunner(self._con))
        finally:
            if writes_data(text):  # an audit row is no data change: the cached version stays good
                self._version_changed()

    def sql(self, text: str, params: SqlParams = None) -> pd.DataFrame:
        """Run trusted SQL written by the project (tests, loaders); never user text."""
        with self._reader() as cur:
            result = cur.execute(text, params).df()
        if writes_data(text):
            with self._writing() as runner:
                self._bump_version(runner)
            self._version_changed()
        return result

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` to ``table``; geometry columns arrive as WKB bytes."""
        if table in APPEND_ONLY_TABLES:
            raise KeyError(f"{table} is append-only: rows only through data/audit.py")
        columns = [c for c in TABLES[table] if c.name in frame.columns] if table in TABLES else None
        names = [f'"{c.name}"' for c in columns] if columns else [f'"{c}"' for c in frame.columns]
        exprs = [
            f'ST_GeomFromWKB("{c.name}")' if c.kind == "geometry" else f'"{c.name}"' for c in (columns or [])
        ] or names
        self._writable()
        try:
            with self._lock:
                self._con.register("_incoming", _as_arrow(frame))
                try:
                    self._con.execute(
                        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM _incoming"
                    )
                finally:
                    self._con.unregister("_incoming")
                if table not in UNVERSIONED_TABLES and len(frame):
                    self._bump_version(_DuckDBRunner(self._con))
        finally:
            self._version_changed()
        return len(frame)

    @contextlib.contextmanager
    def bulk_load(self, table: str, rows: int) -> Iterator[bool]:
        """A load in many transactions (an import's chunks): DuckDB runs on
        :data:`BULK_THREADS` thread(s) until the block ends (the previous setting restored).

        The importer validates the next chunk in Python while DuckDB writes the last one,
        so the two cores are busy already; DuckDB's second thread only added CPU: inserting
        1.1M demo events in 250k-row chunks into a file took 3.8-4.6 s of CPU on one thread
        and 6.1-8.6 s on two (issue 11, load 9-14). The setting is the database's, so other
        threads' queries of this store run on one thread meanwhile. Yields False: no
        indexes are dropped (the events table has none).
        """
        if table not in ALL_TABLES:
            raise KeyError(f"unknown table {table!r}; expected one of {ALL_TABLES}")
        with self._lock:
            row = self._con.execute("SELECT current_setting('threads')").fetchone()
            before = int(row[0]) if row else 0
            self._con.execute(f"SET threads = {BULK_THREADS}")
        try:
            yield False
        finally:
            if before:
                with self._lock:
                    self._con.execute(f"SET threads = {before}")

    def _reading(self) -> contextlib.AbstractContextManager[SqlRunner]:
        return _runner(self._reader())

    @contextlib.contextmanager
    def _writing(self) -> Iterator[SqlRunner]:
        self._writable()
        with self._lock:
            own = not self._in_transaction()  # inside transaction(), its outer one
            if own:
                self._con.execute("BEGIN TRANSACTION")
            try:
                yield _DuckDBRunner(self._con)
            except BaseException:
                if own:
                    self._con.execute("ROLLBACK")
                raise
            if own:
                self._con.execute("COMMIT")

    def _check_frame(self, table: str, names: list[str]) -> None:
        if table in APPEND_ONLY_TABLES:
            raise KeyError(f"{table} is append-only: rows only through data/audit.py")
        cols = {c.name for c in TABLES.get(table, ())}
        if cols and (unknown := [n for n in names if n not in cols]):
            raise KeyError(f"columns {unknown} are not columns of {table}")

    @contextlib.contextmanager
    def _staged(self, runner: SqlRunner, table: str, frame: pd.DataFrame) -> Iterator[None]:
        """The frame registered as Arrow and seen through the temporary view :data:`STAGE`
        (a view, not a copy: each statement scans the Arrow data)."""
        cols = {c.name: c for c in TABLES.get(table, ())}
        exprs = [
            f"ST_GeomFromWKB({quoted(n)}) AS {quoted(n)}" if n in cols and cols[n].kind == "geometry" else quoted(n)
            for n in frame.columns
        ]
        self._con.register("_incoming", _as_arrow(frame))
        try:
            runner.run(f"CREATE OR REPLACE TEMP VIEW {STAGE} AS SELECT {', '.join(exprs)} FROM _incoming")
            yield
            runner.run(f"DROP VIEW {STAGE}")
        finally:
            self._con.unregister("_incoming")

    def _clear_statements(self, tables: list[str]) -> list[str]:
        return [f"DELETE FROM {quoted(t)}" for t in tables]

    def checkpoint(self) -> None:
        """Flush the write-ahead log into the file (after bulk loads)."""
        self._writable()
        with self._lock:
            self._con.execute("CHECKPOINT")

    def migrate(self) -> list[str]:
        """Nothing to apply: the schema (:data:`SCHEMA_FILE`) is applied when the file opens."""
        return []

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
