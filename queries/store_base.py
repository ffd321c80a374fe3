"""What both stores share, written once: the upsert algorithm and the bookkeeping.

:class:`SqlStore` holds the bodies of ``upsert_frame``, ``clear``, ``table_counts``,
``get_meta``, ``set_meta``, ``data_freshness`` and ``ping``. A store subclasses it and
supplies the driver's side: a connection to read on, one to write on (one transaction), a
way to stage a frame as the relation ``_upsert`` (DuckDB: an Arrow registration; PostGIS:
binary COPY into a temporary table) and its ``DELETE``/``TRUNCATE`` statements. Project
SQL here uses ``:param`` placeholders, rewritten to the store's :attr:`SqlStore.paramstyle`.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from data.contracts import TABLES
from data.store import ParamStyle

from .sql_files import bind_params

ALL_TABLES: tuple[str, ...] = (*TABLES, "demo_truth", "meta", "import_batches")
"""Tables the stores read and write (``import_batches``: data/ingest/batches.py)."""

COUNTED_TABLES: tuple[str, ...] = tuple(t for t in ALL_TABLES if t != "meta")
"""Tables :meth:`SqlStore.table_counts` reports, in this order."""

STAGE = "_upsert"
"""Name of the temporary relation an upsert stages its frame in."""

_GET_META = "SELECT value FROM meta WHERE key = :key"
_SET_META = "INSERT INTO meta VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
_FRESHNESS = "SELECT max(reported_at) FROM events"

DATA_VERSION_KEY = "data_version"
"""The ``meta`` key of the data version: a new token with every write (:meth:`SqlStore.cache_key`)."""

VERSION_TTL_SECONDS = 1.0
"""How long a process trusts the data version it read (another process's write is seen after this)."""

UNVERSIONED_TABLES = frozenset({"meta", "audit_log", "users"})
"""Tables whose writes leave the data version alone: nothing a cached answer shows comes from
them (the audit trail is appended on every page view; sign-in bookkeeping; ``meta`` itself,
whose writes through :meth:`SqlStore.set_meta` bump it explicitly)."""

_WRITE_TARGET = re.compile(
    r"\b(?:insert\s+into|update|delete\s+from|truncate(?:\s+table)?|merge\s+into|copy)\s+(?:only\s+)?\"?([a-z_]\w*)",
    re.IGNORECASE,
)
_NOT_TABLES = frozenset({"set", "only", "table"})  # ON CONFLICT ... DO UPDATE SET


@functools.lru_cache(maxsize=2048)
def writes_data(text: str) -> bool:
    """True when SQL ``text`` may change a table whose rows cached answers show (anything
    but :data:`UNVERSIONED_TABLES`), judged from its ``INSERT INTO`` / ``UPDATE`` /
    ``DELETE FROM`` / ``TRUNCATE`` / ``MERGE`` / ``COPY`` targets; comments ignored.

    >>> writes_data("UPDATE categories SET sla_close_h = 1"), writes_data("INSERT INTO audit_log VALUES (1)")
    (True, False)
    >>> writes_data("SELECT * FROM events -- update nothing")
    False
    """
    code = re.sub(r"--[^\n]*", "", text)
    targets = {t.lower() for t in _WRITE_TARGET.findall(code)} - _NOT_TABLES
    return bool(targets - UNVERSIONED_TABLES)


def new_version_token() -> str:
    """A fresh data version: time-ordered and random, so a re-created file never repeats one."""
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


class SqlRunner(Protocol):
    """One driver connection (or cursor) as the shared bodies use it."""

    def rows(self, text: str, params: Mapping[str, object] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows."""
        ...

    def changed(self, text: str) -> int:
        """Run an ``UPDATE``/``INSERT`` and return how many rows it wrote."""
        ...

    def run(self, text: str, params: Mapping[str, object] | None = None) -> None:
        """Run a statement that returns nothing."""
        ...


def quoted(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


QUIET_COLUMNS: dict[str, tuple[str, ...]] = {"events": ("source_hash",)}
"""Bookkeeping columns an upsert writes with a row but does not count as a change of it:
the same values re-imported from another file are unchanged, and get that file's hash."""


def _differs(names: list[str]) -> str:
    # column by column, the same test as ROW(t.*) IS DISTINCT FROM ROW(s.*) (some value
    # differs, NULL equal to NULL); DuckDB builds and compares no struct per row this way
    # (2-3x faster on a 250k-row chunk)
    return " OR ".join(f"t.{quoted(n)} IS DISTINCT FROM s.{quoted(n)}" for n in names) or "FALSE"


def _split(table: str, names: list[str], keys: list[str]) -> tuple[list[str], list[str]]:
    """The non-key ``names``: the values compared, and the quiet ones present."""
    quiet = QUIET_COLUMNS.get(table, ())
    rest = [n for n in names if n not in keys]
    return [n for n in rest if n not in quiet], [n for n in rest if n in quiet]


def _match(keys: list[str], bounded: bool) -> str:
    """``t`` (the table) matches ``s`` (:data:`STAGE`) on ``keys``. ``bounded`` adds what the
    match implies: the table's first key within the stage's range, so that an index on it
    reads that range only (not every row before the stage's last key)."""
    match = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in keys)
    if not bounded:
        return match
    first = quoted(keys[0])
    return f"{match} AND t.{first} BETWEEN (SELECT min({first}) FROM {STAGE}) AND (SELECT max({first}) FROM {STAGE})"


def upsert_statements(
    table: str, names: list[str], keys: list[str], *, update: bool, bounded: bool = False
) -> tuple[str | None, str]:
    """``(UPDATE, INSERT)`` of an upsert from :data:`STAGE` into ``table``.

    The UPDATE (``None`` when nothing may change) writes the non-key ``names`` of rows whose
    values differ (:data:`QUIET_COLUMNS` written, not compared); the INSERT adds the rows
    whose ``keys`` are new. ``bounded``: see :func:`_match`."""
    match = _match(keys, bounded)
    values, quiet = _split(table, names, keys)
    cols = ", ".join(map(quoted, names))
    insert = (
        f"INSERT INTO {quoted(table)} ({cols}) SELECT {cols} FROM {STAGE} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {quoted(table)} t WHERE {match})"
    )
    if not (update and values):
        return None, insert
    sets = ", ".join(f"{quoted(n)} = s.{quoted(n)}" for n in values + quiet)
    return (f"UPDATE {quoted(table)} AS t SET {sets} FROM {STAGE} s WHERE {match} AND ({_differs(values)})"), insert


def quiet_statement(table: str, names: list[str], keys: list[str], *, bounded: bool = False) -> str | None:
    """The UPDATE of the :data:`QUIET_COLUMNS` of rows whose values are equal (None: no such
    column in ``names``); not counted as updated. ``bounded``: see :func:`_match`."""
    values, quiet = _split(table, names, keys)
    if not quiet:
        return None
    match = _match(keys, bounded)
    sets = ", ".join(f"{quoted(n)} = s.{quoted(n)}" for n in quiet)
    return (
        f"UPDATE {quoted(table)} AS t SET {sets} FROM {STAGE} s "
        f"WHERE {match} AND NOT ({_differs(values)}) AND ({_differs(quiet)})"
    )


def classify_statement(table: str, names: list[str], keys: list[str]) -> str:
    """One join of :data:`STAGE` with ``table`` counting ``(new, changed, quiet)`` rows: the rows
    the upsert's INSERT would add, those its UPDATE would write and those only
    :func:`quiet_statement` would (the same conditions)."""
    match = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in keys)
    values, quiet = _split(table, names, keys)
    first = quoted(keys[0])
    return (
        f"SELECT count(*) FILTER (WHERE t.{first} IS NULL), "
        f"count(*) FILTER (WHERE t.{first} IS NOT NULL AND ({_differs(values)})), "
        f"count(*) FILTER (WHERE t.{first} IS NOT NULL AND NOT ({_differs(values)}) AND ({_differs(quiet)})) "
        f"FROM {STAGE} s LEFT JOIN {quoted(table)} t ON {match}"
    )


class SqlStore(ABC):
    """The shared half of :class:`DuckDBStore` and :class:`PostGISStore`."""

    dialect: str
    """``duckdb`` or ``postgis`` (the folder of the SQL overrides)."""
    _classify_upserts: bool = False
    """Count new and changed rows first and skip a statement with nothing to write; only for
    a store whose writes are serialised (DuckDB's lock), so nothing changes in between."""
    _bound_upserts: bool = False
    """Bound the upsert's joins by the stage's key range (:func:`_match`): for a planner that
    then reads only that range of the table's key index (PostgreSQL's merge and hash joins)."""
    paramstyle: ParamStyle
    """The driver's placeholder style, which named queries are bound to."""

    @property
    def streets(self) -> tuple[str, ...]:
        """No street scope: a base store reads the whole district (:mod:`queries.scoped_store` scopes)."""
        return ()

    def read_only_file(self) -> str | None:
        """``None``: a server store or a writable file (:class:`DuckDBStore` says otherwise)."""
        return None

    # -- the driver's side -----------------------------------------------------------------

    @abstractmethod
    def _reading(self) -> AbstractContextManager[SqlRunner]:
        """A connection to read on (this thread's transaction, if one is open)."""

    @abstractmethod
    def _writing(self) -> AbstractContextManager[SqlRunner]:
        """A connection whose writes commit together when the block ends (joining this
        thread's :meth:`transaction`)."""

    @abstractmethod
    def _check_frame(self, table: str, names: list[str]) -> None:
        """Raise ``KeyError`` for a table or columns the store knows cannot take ``names``."""

    @abstractmethod
    def _staged(self, runner: SqlRunner, table: str, frame: pd.DataFrame) -> AbstractContextManager[None]:
        """Hold ``frame`` as the relation :data:`STAGE` (columns typed as in ``table``,
        geometry as geometry) for the block, on ``runner``'s transaction."""

    @abstractmethod
    def _clear_statements(self, tables: list[str]) -> list[str]:
        """Statements that delete every row of ``tables``."""

    @abstractmethod
    def _identity(self) -> str:
        """Which database this is, the same in every process that opens it (no password)."""

    # -- the data version (cache_key) ------------------------------------------------------

    _version: str = "0"
    _version_read_at: float = float("-inf")
    _version_generation: int = 0

    def cache_key(self) -> str:
        """``<dialect>:<identity>@<data version>``; the version is read from ``meta`` at most
        once per :data:`VERSION_TTL_SECONDS` in this process, and again at once after this
        store's own writes (see :meth:`data.store.Store.cache_key`)."""
        now = time.monotonic()
        version = self._version
        if now - self._version_read_at > VERSION_TTL_SECONDS:
            generation = self._version_generation
            version = self.get_meta(DATA_VERSION_KEY) or "0"
            if generation == self._version_generation:  # no write of ours finished meanwhile
                self._version, self._version_read_at = version, now
        return f"{self.dialect}:{self._identity()}@{version}"

    def _bump_version(self, runner: SqlRunner) -> None:
        """Give the data a new version, in ``runner``'s transaction (with the write itself)."""
        runner.run(self._bind(_SET_META), {"key": DATA_VERSION_KEY, "value": new_version_token()})

    def _version_changed(self) -> None:
        """After a write of this store committed (or failed): read the version again next time."""
        with _GENERATION_LOCK:
            self._version_generation += 1
            self._version_read_at = float("-inf")

    # -- the shared bodies -----------------------------------------------------------------

    def _bind(self, text: str) -> str:
        return bind_params(text, self.paramstyle)

    def upsert_frame(self, table: str, frame: pd.DataFrame, keys: list[str], *, update: bool = True) -> dict[str, int]:
        """Insert rows of ``frame`` whose ``keys`` are new; update changed existing rows.

        Only the columns in ``frame`` are written; a row whose values equal the stored
        ones is left alone (so re-importing a file changes nothing). Keys must be unique
        within ``frame``. With ``update=False`` existing rows are never changed. One
        transaction: the frame is staged, then one UPDATE ... FROM (rows whose values
        differ) and one INSERT ... WHERE NOT EXISTS. Returns ``{"inserted", "updated",
        "unchanged"}`` row counts.
        """
        names = list(frame.columns)
        self._check_frame(table, names)
        if missing := [k for k in keys if k not in names]:
            raise KeyError(f"key columns {missing} are not in the frame")
        if frame.empty:
            return {"inserted": 0, "updated": 0, "unchanged": 0}
        bounded = self._bound_upserts
        update_sql, insert_sql = upsert_statements(table, names, keys, update=update, bounded=bounded)
        quiet_sql = quiet_statement(table, names, keys, bounded=bounded) if update else None
        try:
            with self._writing() as runner, self._staged(runner, table, frame):
                new, changed, quiet = 1, 1, 1
                if self._classify_upserts and update_sql:
                    # one join says which of the statements has rows to write (a re-import
                    # of an unchanged file then joins once per chunk instead of twice)
                    new, changed, quiet = runner.rows(classify_statement(table, names, keys))[0]
                updated = runner.changed(update_sql) if update_sql and changed else 0
                if quiet_sql and quiet:
                    runner.changed(quiet_sql)  # bookkeeping only: no data version, nothing shown changes
                inserted = runner.changed(insert_sql) if new else 0
                if (inserted or updated) and table not in UNVERSIONED_TABLES:
                    self._bump_version(runner)
        finally:
            self._version_changed()
        return {"inserted": inserted, "updated": updated, "unchanged": len(frame) - inserted - updated}

    def clear(self, tables: list[str]) -> None:
        """Delete every row of ``tables`` (used before rebuilding the demo city)."""
        if unknown := [t for t in tables if t not in ALL_TABLES]:
            raise KeyError(f"unknown tables {unknown}")
        try:
            with self._writing() as runner:
                for statement in self._clear_statements(tables):
                    runner.run(statement)
                if set(tables) - UNVERSIONED_TABLES:
                    self._bump_version(runner)
        finally:
            self._version_changed()

    def table_counts(self) -> dict[str, int]:
        """Row count of every GridScope table (``meta`` aside)."""
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {quoted(t)}" for t in COUNTED_TABLES)
        with self._reading() as runner:
            counts = dict(runner.rows(query))
        return {t: int(counts[t]) for t in COUNTED_TABLES}

    def get_meta(self, key: str) -> str | None:
        """Read a value from the ``meta`` table."""
        with self._reading() as runner:
            rows = runner.rows(self._bind(_GET_META), {"key": key})
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Write a value to the ``meta`` table (a new data version with it: pages show some
        ``meta`` values, e.g. an import's report)."""
        try:
            with self._writing() as runner:
                runner.run(self._bind(_SET_META), {"key": key, "value": value})
                if key != DATA_VERSION_KEY:
                    self._bump_version(runner)
        finally:
            self._version_changed()

    def data_freshness(self) -> datetime | None:
        """Time of the newest event, or ``None`` when the store is empty (index-only on PostGIS)."""
        with self._reading() as runner:
            newest: datetime | None = runner.rows(_FRESHNESS)[0][0]
        return newest

    def ping(self) -> None:
        """Check that the database answers; raise :class:`~data.store.StoreUnavailable` if not."""
        with self._reading() as runner:
            runner.rows("SELECT 1")


_GENERATION_LOCK = threading.Lock()


def tables_list(tables: Iterable[str]) -> str:
    """``tables`` as a comma-separated list of quoted identifiers."""
    return ", ".join(map(quoted, tables))
