"""The store a user scoped to some streets reads through: street scope below the pages.

:func:`scoped_store` wraps a base store (shared by every user of the process, never closed
by the wrapper) in a :class:`ScopedStore` that answers every named query with the rows of
its streets only, whatever the query's text, so a new query cannot forget the scope:

* **PostGIS**: row-level security (migration ``015_street_scope.sql``). Each read runs in
  one transaction on one connection whose setting ``gridscope.streets`` (set by parameter,
  transaction-local) names the streets; a session whose role the policies do not bind
  (the tables' owner, a superuser) takes ``SET LOCAL ROLE gridscope_reader`` for the read.
  The read runs in a savepoint rolled back afterwards, so neither the setting nor the role
  outlives it, even inside a caller's :meth:`~data.store.Store.transaction`.
* **DuckDB**: the scoped store's own cursors (each a connection of the same database) hold
  TEMP views named like the tables (DuckDB resolves an unqualified name in ``temp`` first)
  over the base tables, filtered by a TEMP table of the streets filled by parameters. Each
  read is one ``READ ONLY`` transaction on such a cursor; cursors are pooled (one per
  concurrently reading thread).

What a scoped session sees of each table (both backends):

========================  ==============================================================
``areas``                 the streets, their communities and those communities' grids
``events``                events whose ``street_id`` is in scope
``event_log``             the log of those events
``sensors``               sensors in a grid in scope; ``readings`` of those sensors
rollups                   ``event_days``, ``reading_hours``, ``reading_sketches``: none (H3
                          cells cannot be split by street; the services read raw data);
                          PostGIS ``event_rollup`` is filtered by ``street_id``
``import_rejects``        none (raw rows of any street)
other tables              unchanged (categories, departments, meta, import_batches, ...)
========================  ==============================================================

Writes and free SQL are refused with :class:`~data.store.StoreReadOnly`, except the
append-only audit statement (the audit trail of a scoped user's own actions).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from data.store import SqlParams, Store, StoreReadOnly, StoreUnavailable

from .sql_files import bound_sql
from .store_base import COUNTED_TABLES, quoted

if TYPE_CHECKING:
    import duckdb
    import psycopg

    from .duckdb_store import DuckDBStore
    from .postgis_store import PostGISStore

SCOPED_TABLES: tuple[str, ...] = ("areas", "events", "event_log", "sensors", "readings")
"""Tables a scoped store shows only the rows of its streets of."""

HIDDEN_TABLES: tuple[str, ...] = ("event_days", "reading_hours", "reading_sketches", "import_rejects")
"""Tables a scoped store shows no rows of: rows that cannot be attributed to one street."""

SCOPED_APPENDS: frozenset[str] = frozenset({"audit_append"})
"""Named statements a scoped store runs on its base store: append-only records of the
user's own actions (``data/audit.py``), which change no data anyone reads by street."""


def scoped_store(store: Store, streets: tuple[str, ...]) -> Store:
    """``store`` as a user scoped to ``streets`` (street ``area_id``\\s) sees it.

    The result is a complete, read-only :class:`~data.store.Store`: every named query sees
    only the rows of ``streets`` (see the module docstring). The same ``store`` and streets (in
    any order) give the same scoped store, so a page run per request does not build new
    cursors each time; ``close()`` on it releases its idle cursors (it stays usable) and leaves
    ``store`` open.

    Raises
    ------
    ValueError
        When ``streets`` is empty (the whole district is ``store`` itself: say so, rather
        than getting it by accident) or a street id is blank or holds a comma.
    TypeError
        For a store that is neither DuckDB nor PostGIS, or one already scoped.
    """
    from .duckdb_store import DuckDBStore
    from .postgis_store import PostGISStore

    streets = tuple(sorted({str(s) for s in streets}))
    if not streets:
        raise ValueError("a street scope needs at least one street; the whole district is the base store")
    if bad := [s for s in streets if not s.strip() or "," in s]:
        raise ValueError(f"street ids must be non-blank and hold no comma: {bad!r}")
    scope: _Scope
    with _MADE_LOCK:
        made = _MADE.setdefault(store, {})
        if streets in made:
            return made[streets]
        if isinstance(store, DuckDBStore):
            scope = _DuckDBScope(store, streets)
        elif isinstance(store, PostGISStore):
            scope = _PostGISScope(store, streets)
        else:
            raise TypeError(f"cannot scope a {type(store).__name__}: only DuckDB and PostGIS stores")
        made[streets] = ScopedStore(store, streets, scope)
        return made[streets]


_MADE: weakref.WeakKeyDictionary[Store, dict[tuple[str, ...], ScopedStore]] = weakref.WeakKeyDictionary()
"""The scoped stores made, per base store and streets (:func:`scoped_store` hands out the same one)."""
_MADE_LOCK = threading.Lock()


class _Scope:
    """The backend's half of a scoped store: reads with the scope in force."""

    def fetch(self, name: str, params: dict[str, object]) -> pd.DataFrame:
        """Run named query ``name`` in scope."""
        raise NotImplementedError

    def table_counts(self) -> dict[str, int]:
        """Row counts in scope."""
        raise NotImplementedError

    def data_freshness(self) -> datetime | None:
        """Newest event in scope."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the scope holds (never the base store)."""


class ScopedStore:
    """A read-only :class:`~data.store.Store` showing only the rows of :attr:`streets`.

    Made by :func:`scoped_store`; see the module docstring for what each table shows."""

    read_only = True
    """Always: a scoped store never writes (bar :data:`SCOPED_APPENDS`)."""

    def __init__(self, base: Store, streets: tuple[str, ...], scope: _Scope) -> None:
        self.base = base
        self.streets = streets
        self.dialect = base.dialect
        self.paramstyle = base.paramstyle
        self._scope = scope

    @property
    def label(self) -> str:
        """The base store's label (the sidebar names the user's streets itself)."""
        return self.base.label

    def read_only_file(self) -> str | None:
        """The base store's read-only file, if any."""
        return self.base.read_only_file()

    def cache_key(self) -> str:
        """The base store's key and the scope: cached answers never cross scopes."""
        return f"{self.base.cache_key()}|streets={','.join(sorted(self.streets))}"

    # -- reads -----------------------------------------------------------------------------

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Run named query ``name`` with bound ``params``: only rows of the scope's streets."""
        return self._scope.fetch(name, params)

    def table_counts(self) -> dict[str, int]:
        """Row count of every GridScope table as the scope sees it."""
        return self._scope.table_counts()

    def data_freshness(self) -> datetime | None:
        """Time of the newest event of the scope's streets (``None``: none)."""
        return self._scope.data_freshness()

    def get_meta(self, key: str) -> str | None:
        """A value of the ``meta`` table (not street data)."""
        return self.base.get_meta(key)

    def ping(self) -> None:
        """Check that the base store's database answers."""
        self.base.ping()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[ScopedStore]:
        """A block of reads (each read is consistent on its own; writes are refused anyway)."""
        yield self

    # -- writes: refused -------------------------------------------------------------------

    def _refuse(self, what: str) -> StoreReadOnly:
        return StoreReadOnly(f"a store scoped to streets {', '.join(self.streets)} is read-only: {what} refused")

    def execute(self, name: str, **params: object) -> None:
        """Refused (:class:`StoreReadOnly`), except the append-only :data:`SCOPED_APPENDS`."""
        if name not in SCOPED_APPENDS:
            raise self._refuse(f"statement {name!r}")
        self.base.execute(name, **params)

    def sql(self, text: str, params: SqlParams = None) -> pd.DataFrame:
        """Refused: free SQL could read outside the scope's named queries."""
        raise self._refuse("free SQL")

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Refused."""
        raise self._refuse(f"insert into {table}")

    def upsert_frame(self, table: str, frame: pd.DataFrame, keys: list[str], *, update: bool = True) -> dict[str, int]:
        """Refused."""
        raise self._refuse(f"upsert into {table}")

    def clear(self, tables: list[str]) -> None:
        """Refused."""
        raise self._refuse("clear")

    def set_meta(self, key: str, value: str) -> None:
        """Refused."""
        raise self._refuse("set_meta")

    def checkpoint(self) -> None:
        """Refused (loads and imports go through an unscoped writer store)."""
        raise self._refuse("checkpoint")

    def migrate(self) -> list[str]:
        """Refused (the admin DSN migrates)."""
        raise self._refuse("migrate")

    def close(self) -> None:
        """Release the scope's idle connections (it stays usable); the base store stays open."""
        self._scope.close()


# -- DuckDB ------------------------------------------------------------------------------

_DUCK_SCOPE_TABLE = "gridscope_scope_streets"
_DUCK_SCOPE_AREAS = "gridscope_scope_areas"


def _duck_views(db: str) -> list[str]:
    """TEMP views (named like the tables, so they win name resolution) over catalog ``db``."""
    src = f"{quoted(db)}.main"
    streets = f"SELECT street_id FROM temp.main.{_DUCK_SCOPE_TABLE}"
    views = {
        _DUCK_SCOPE_AREAS: (
            f"SELECT s.area_id FROM {src}.areas s WHERE s.level = 'street' AND s.area_id IN ({streets}) "
            f"UNION ALL SELECT c.area_id FROM {src}.areas c JOIN {src}.areas s ON s.area_id = c.parent_id "
            f"WHERE c.level = 'community' AND s.level = 'street' AND s.area_id IN ({streets}) "
            f"UNION ALL SELECT g.area_id FROM {src}.areas g JOIN {src}.areas c ON c.area_id = g.parent_id "
            f"JOIN {src}.areas s ON s.area_id = c.parent_id "
            f"WHERE g.level = 'grid' AND c.level = 'community' AND s.level = 'street' AND s.area_id IN ({streets})"
        ),
        "areas": f"SELECT * FROM {src}.areas WHERE area_id IN (SELECT area_id FROM temp.main.{_DUCK_SCOPE_AREAS})",
        "events": f"SELECT * FROM {src}.events WHERE street_id IN ({streets})",
        "event_log": f"SELECT * FROM {src}.event_log WHERE event_id IN (SELECT event_id FROM temp.main.events)",
        "sensors": f"SELECT * FROM {src}.sensors WHERE grid_id IN (SELECT area_id FROM temp.main.{_DUCK_SCOPE_AREAS})",
        "readings": f"SELECT * FROM {src}.readings WHERE sensor_id IN (SELECT sensor_id FROM temp.main.sensors)",
        **{t: f"SELECT * FROM {src}.{quoted(t)} WHERE false" for t in HIDDEN_TABLES},
    }
    return [f"CREATE TEMP VIEW {quoted(name)} AS {body}" for name, body in views.items()]


class _DuckDBScope(_Scope):
    """Pooled cursors of the base connection, each with the scope's TEMP views."""

    def __init__(self, base: DuckDBStore, streets: tuple[str, ...]) -> None:
        self._base = base
        self._streets = list(streets)
        self._lock = threading.Lock()
        self._idle: list[duckdb.DuckDBPyConnection] = []

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._base._con.cursor()  # a connection of its own: TEMP objects are per connection
        try:
            row = cur.execute("SELECT current_database()").fetchone()
            db = str(row[0]) if row else "memory"
            cur.execute(f"CREATE TEMP TABLE {_DUCK_SCOPE_TABLE} (street_id VARCHAR NOT NULL)")
            cur.execute(f"INSERT INTO {_DUCK_SCOPE_TABLE} SELECT unnest($streets)", {"streets": self._streets})
            for statement in _duck_views(db):
                cur.execute(statement)
        except BaseException:
            cur.close()
            raise
        return cur

    @contextlib.contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A scoped cursor in a READ ONLY transaction (any write in it fails)."""
        with self._lock:
            cur = self._idle.pop() if self._idle else None
        if cur is None:
            cur = self._new_cursor()
        ok = False
        try:
            cur.execute("BEGIN TRANSACTION READ ONLY")
            yield cur
            cur.execute("COMMIT")
            ok = True
        finally:
            if not ok:
                try:
                    cur.execute("ROLLBACK")
                except Exception:  # noqa: BLE001 - a broken cursor is dropped, not reused
                    ok = False
                    with contextlib.suppress(Exception):
                        cur.close()
                else:
                    ok = True
            if ok:
                with self._lock:
                    self._idle.append(cur)

    def fetch(self, name: str, params: dict[str, object]) -> pd.DataFrame:
        """Run named query ``name`` on a scoped cursor."""
        with self._reading() as cur:
            return cur.execute(bound_sql(name, "duckdb", "dollar"), params or None).df()

    def table_counts(self) -> dict[str, int]:
        """Row counts through the scoped views."""
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {quoted(t)}" for t in COUNTED_TABLES)
        with self._reading() as cur:
            counts = dict(cur.execute(query).fetchall())
        return {t: int(counts[t]) for t in COUNTED_TABLES}

    def data_freshness(self) -> datetime | None:
        """Newest event of the scoped view."""
        with self._reading() as cur:
            row = cur.execute("SELECT max(reported_at) FROM events").fetchone()
        newest: datetime | None = row[0] if row else None
        return newest

    def close(self) -> None:
        """Close the idle cursors (one in use returns to the pool; new ones are made on
        demand); the base connection stays open."""
        with self._lock:
            idle, self._idle = self._idle, []
        for cur in idle:
            with contextlib.suppress(Exception):
                cur.close()


# -- PostGIS -----------------------------------------------------------------------------

_SWITCH_ROLE: weakref.WeakKeyDictionary[PostGISStore, bool] = weakref.WeakKeyDictionary()
"""Per base store: whether its sessions must take the reader role for policies to bind."""
_SWITCH_LOCK = threading.Lock()


class _PostGISScope(_Scope):
    """Reads in one transaction of the base store with the scope setting (and role) local."""

    def __init__(self, base: PostGISStore, streets: tuple[str, ...]) -> None:
        self._base = base
        self._value = ",".join(streets)

    def _prelude(self, switch: bool) -> tuple[str, list[object]]:
        """The statement that puts the scope (and with ``switch`` the reader role) in force
        for the rest of the transaction, values as parameters."""
        from .postgis_store import SCOPE_SETTING

        if switch:
            return "SELECT set_config(%s, %s, true), set_config('role', %s, true)", [
                SCOPE_SETTING,
                self._value,
                _reader_role(),
            ]
        return "SELECT set_config(%s, %s, true)", [SCOPE_SETTING, self._value]

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """This thread's reads of the base store, in scope, until the block ends."""
        base = self._base
        # One connection for the block (the base store's reads inside it use it), and a
        # savepoint rolled back at the end: the setting and the role end with the block,
        # even inside a caller's transaction.
        with base._pool.transaction(), base.connection() as conn, conn.transaction(force_rollback=True):
            conn.execute(*self._prelude(self._switch_role(conn)))
            yield

    def _switch_role(self, conn: psycopg.Connection) -> bool:
        """Whether this base store's sessions must take the reader role for the policies to
        bind (found out once per base store); :class:`StoreUnavailable` when they cannot."""
        with _SWITCH_LOCK:
            known = _SWITCH_ROLE.get(self._base)
        if known is not None:
            return known
        if _policies_bind(conn):
            switch = False
        else:
            import psycopg

            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(f"SET LOCAL ROLE {quoted(_reader_role())}")
                    bound = _policies_bind(conn)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise StoreUnavailable(
                    f"cannot scope reads by street on {self._base.where}: its role is not bound by the "
                    f"street-scope policies and may not become {_reader_role()}; connect as {_reader_role()}"
                ) from exc
            if not bound:
                raise StoreUnavailable(
                    f"the database {self._base.where} has no street-scope policies (migration 015); "
                    "run `gridscope db init --dsn <admin DSN>`"
                )
            switch = True
        with _SWITCH_LOCK:
            _SWITCH_ROLE[self._base] = switch
        return switch

    def fetch(self, name: str, params: dict[str, object]) -> pd.DataFrame:
        """Run named query ``name`` in scope: one transaction whose first statement sets the
        scope (inside a caller's transaction: in a savepoint rolled back afterwards)."""
        base = self._base
        text = bound_sql(name, base.dialect, base.paramstyle)
        with _SWITCH_LOCK:
            switch = _SWITCH_ROLE.get(base)
        if switch is None or base._pool.in_transaction:  # not found out yet, or nested
            with self._reading():
                return base._run(text, params or None)
        return base._run(text, params or None, prelude=self._prelude(switch))

    def table_counts(self) -> dict[str, int]:
        """Row counts in scope."""
        with self._reading():
            return self._base.table_counts()

    def data_freshness(self) -> datetime | None:
        """Newest event in scope."""
        with self._reading():
            return self._base.data_freshness()


def _reader_role() -> str:
    from .postgis_migrations import READER_ROLE

    return READER_ROLE


def _policies_bind(conn: psycopg.Connection) -> bool:
    """True when row-level security applies to this session on ``events`` (and policies exist)."""
    row = conn.execute(
        "SELECT row_security_active('events') AND EXISTS "
        "(SELECT 1 FROM pg_policies WHERE tablename = 'events' AND policyname = 'street_scope')"
    ).fetchone()
    return bool(row and row[0])
