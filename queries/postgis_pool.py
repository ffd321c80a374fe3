"""PostGIS connections: a psycopg pool, this thread's transaction, and faults in plain words.

Every connection problem (server down, wrong host/port/database/password, pool exhausted)
surfaces as :class:`~data.store.StoreUnavailable` whose text says what to check. The pool
validates connections when handing them out and reconnects by itself, so a page works
again once the server is back, without restarting anything.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from data.store import StoreUnavailable

NUL_MESSAGE = "text values cannot contain NUL (\\x00) characters"
"""The ``ValueError`` text for a NUL character in a value (PostgreSQL text cannot hold one)."""


def describe_dsn(dsn: str) -> str:
    """Return ``user@host:port/dbname`` of ``dsn`` without the password (safe to show)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(unparsable connection string)"
    host = info.get("host") or info.get("hostaddr") or "localhost"
    where = f"{host}:{info.get('port') or 5432}/{info.get('dbname') or '?'}"
    return f"{info['user']}@{where}" if info.get("user") else where


def connection_error_reason(exc: BaseException) -> str:
    """libpq's reason from a connection error, without the "connection to server at" preamble.

    >>> connection_error_reason(Exception('connection failed: connection to server at "h", port 1 failed: Connection refused'))
    'Connection refused'
    """  # noqa: E501 - a doctest's input is one line
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0]
    reason = line.rsplit("failed: ", 1)[-1].strip()
    return reason.removeprefix("FATAL:").strip() or line


class PostGISPool:
    """Pooled connections to one database, and the one this thread's transaction holds.

    Parameters
    ----------
    dsn : libpq connection string or URI
    max_size : connections in the pool
    timeout : seconds to wait for a connection before reporting the store unavailable
    configure, reset : called on a new pooled connection / on one returning to the pool
    """

    def __init__(
        self,
        dsn: str,
        *,
        max_size: int,
        timeout: float,
        configure: Callable[[psycopg.Connection], None],
        reset: Callable[[psycopg.Connection], None],
    ) -> None:
        self.dsn = dsn
        self.where = describe_dsn(dsn)
        self._local = threading.local()  # .conn: this thread's transaction() connection
        try:
            self._pool: ConnectionPool = ConnectionPool(
                dsn,
                min_size=1,
                max_size=max_size,
                timeout=timeout,
                open=False,
                check=ConnectionPool.check_connection,
                configure=configure,
                reset=reset,
                reconnect_timeout=timeout,
                kwargs={"connect_timeout": max(1, int(timeout)), "application_name": "gridscope"},
                name=f"gridscope:{self.where}",
            )
        except psycopg.ProgrammingError as exc:
            raise StoreUnavailable(f"the PostGIS connection string is invalid ({exc}); check GRIDSCOPE_DSN") from exc
        # Do not wait: a server that is down now must not stop the app from starting;
        # the first query reports it and the pool keeps trying in the background.
        self._pool.open(wait=False)

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        """A readable StoreUnavailable for a connection problem, with what to check."""
        try:  # a direct attempt gives libpq's own reason (refused, unknown db, auth ...)
            with psycopg.connect(self.dsn, connect_timeout=3):
                pass
        except psycopg.Error as direct:
            reason = connection_error_reason(direct)
        else:
            if isinstance(exc, PoolTimeout):
                return StoreUnavailable(
                    f"PostgreSQL at {self.where} answers, but all {self._pool.max_size} pooled connections "
                    f"stayed busy for {self._pool.timeout:.0f} s; check for long-running queries or raise the pool size"
                )
            reason = connection_error_reason(exc)
        return StoreUnavailable(
            f"PostgreSQL at {self.where} is not reachable ({reason}); check that the server is running, "
            "the host, port, database name, user and password in GRIDSCOPE_DSN, and the network"
        )

    @property
    def in_transaction(self) -> bool:
        """True inside this thread's :meth:`transaction`."""
        return getattr(self._local, "conn", None) is not None

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection in a transaction (committed on success); inside this
        thread's :meth:`transaction`, its connection in a savepoint.

        Raises
        ------
        StoreUnavailable
            When no connection can be had or the connection breaks.
        """
        outer = getattr(self._local, "conn", None)
        try:
            if outer is not None:
                with outer.transaction():
                    yield outer
            else:
                with self._pool.connection() as conn:
                    yield conn
        except (PoolTimeout, PoolClosed) as exc:
            raise self.unavailable(exc) from exc
        except psycopg.OperationalError as exc:
            if isinstance(exc, psycopg.errors.QueryCanceled):
                raise
            raise self.unavailable(exc) from exc
        except psycopg.DataError as exc:
            if "NUL" in str(exc) or "0x00" in str(exc):
                raise ValueError(NUL_MESSAGE) from exc
            raise
        except psycopg.errors.UndefinedTable as exc:
            raise StoreUnavailable(
                f"the database {self.where} has no GridScope schema ({str(exc).splitlines()[0]}); "
                "run `gridscope db init --dsn <admin DSN>`"
            ) from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """This thread's connections are one connection in one transaction for the block:
        all committed when it ends, none if it raises. Nested: joins."""
        if self.in_transaction:
            yield
            return
        # an explicit outer transaction block, so the blocks of connection() are savepoints
        with self.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def close(self) -> None:
        """Close the pool and its connections."""
        self._pool.close()
