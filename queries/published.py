"""Read-only access to the published layer (issue 12): the ``pub_*`` tables only.

The public app never opens the internal store. It reads either the separate DuckDB file
``gridscope publish --out public.duckdb`` writes (opened ``read_only``, so the public server
cannot change it and never holds raw data), or the PostGIS schema ``published`` as the role
``gridscope_public`` (which may SELECT nothing else). Queries are the named
``queries/sql/public_*.sql`` files, bound like every other named query.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from data.store import StoreUnavailable

from .sql_files import bound_sql, param_names

PUBLIC_TABLES: tuple[str, ...] = (
    "pub_meta",
    "pub_units",
    "pub_groups",
    "pub_stats",
    "pub_tracking",
    "pub_tracking_case",
)
"""Every table of the published layer (docs: CONTRACTS "Issue 12")."""


class PublishedLayer(Protocol):
    """What the public side may do with the published layer: run a ``public_*`` named query."""

    def fetch(self, name: str, **params: Any) -> pd.DataFrame:
        """Rows of the named query ``name`` (a ``public_*`` file) for ``params``."""
        ...

    def cache_key(self) -> str:
        """Identity of the layer and its version (changes when it is published again)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def _check_name(name: str) -> None:
    if not name.startswith("public_"):
        raise KeyError(f"the published layer runs only public_* queries, not {name!r}")


class DuckDBPublished:
    """The published layer in its own DuckDB file, opened read-only."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreUnavailable(f"no published layer {self.path.name}: run `gridscope publish --out {self.path}`")
        try:
            self._con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise StoreUnavailable(f"cannot open the published layer {self.path.name}: {type(exc).__name__}") from exc
        self._lock = threading.Lock()
        self._key = f"duckdb:{self.path.resolve()}:{self.path.stat().st_mtime_ns}"

    def fetch(self, name: str, **params: Any) -> pd.DataFrame:
        """Rows of ``name`` (DuckDB dialect, ``$param`` binding)."""
        _check_name(name)
        sql = bound_sql(name, "duckdb", "dollar")
        bound = {p: params.get(p) for p in param_names(name, "duckdb")}
        with self._lock:
            cur = self._con.cursor()
            try:
                return cur.execute(sql, bound).df()
            finally:
                cur.close()

    def cache_key(self) -> str:
        """File path and modification time."""
        return self._key

    def close(self) -> None:
        """Close the file."""
        self._con.close()


class PostGISPublished:
    """The schema ``published`` on PostGIS, read as ``gridscope_public`` in read-only transactions.

    One autocommit connection, opened again when it breaks: a query that fails with a
    connection error (the server restarted, the backend was terminated, the network dropped)
    reconnects once and runs again (every public query only reads, so running it twice is
    harmless); only when the new connection fails too is it :class:`StoreUnavailable`.
    """

    def __init__(self, dsn: str) -> None:
        from .postgis_pool import describe_dsn

        self._dsn = dsn
        self._where = describe_dsn(dsn)
        self._lock = threading.Lock()
        self._con = self._connect()
        self._key = f"postgis:{self._where}"

    def _connect(self) -> Any:
        import psycopg

        from .postgis_pool import connection_error_reason

        try:
            return psycopg.connect(
                self._dsn,
                autocommit=True,
                connect_timeout=5,
                options="-c search_path=published -c default_transaction_read_only=on",
            )
        except psycopg.Error as exc:
            raise StoreUnavailable(
                f"cannot reach the published layer at {self._where}: {connection_error_reason(exc)}"
            ) from exc

    def _run(self, sql: str, bound: dict[str, Any]) -> pd.DataFrame:
        cur = self._con.execute(sql, bound)
        columns = [d.name for d in cur.description or []]
        return pd.DataFrame(cur.fetchall(), columns=columns)

    def fetch(self, name: str, **params: Any) -> pd.DataFrame:
        """Rows of ``name`` (PostGIS dialect, ``%(param)s`` binding)."""
        import psycopg

        _check_name(name)
        sql = bound_sql(name, "postgis", "pyformat")
        bound = {p: params.get(p) for p in param_names(name, "postgis")}
        with self._lock:
            try:
                frame = self._run(sql, bound)
            except psycopg.OperationalError:
                with contextlib.suppress(psycopg.Error):
                    self._con.close()
                self._con = self._connect()  # StoreUnavailable when the server is still away
                try:
                    frame = self._run(sql, bound)
                except psycopg.OperationalError as exc:
                    raise StoreUnavailable(f"the published layer at {self._where} stopped answering") from exc
        for col in frame.columns:  # DATE as datetime64, as DuckDB gives it
            values = frame[col].dropna()
            if len(values) and all(type(v) is date for v in values):
                frame[col] = pd.to_datetime(frame[col])
        return frame

    def cache_key(self) -> str:
        """Server, database and the publication's content hash (``pub_meta.publication``,
        data/publish/schema.py), so a publication replaced on the same day is a new key; a
        layer published before the hash existed falls back to ``published_at``."""
        frame = self.fetch("public_meta")
        values = dict(zip(frame["key"].astype(str), frame["value"], strict=True))
        stamp = values.get("publication") or values.get("published_at") or ""
        return f"{self._key}:{stamp}"

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def open_published(db_path: Path | str | None, dsn: str = "") -> PublishedLayer:
    """The published layer the settings name: PostGIS when ``dsn`` is set, else the DuckDB file."""
    if dsn:
        return PostGISPublished(dsn)
    if db_path is None:
        raise StoreUnavailable("no published layer configured: set GRIDSCOPE_PUBLIC_DB or GRIDSCOPE_PUBLIC_DSN")
    return DuckDBPublished(db_path)


__all__ = ["PUBLIC_TABLES", "DuckDBPublished", "PostGISPublished", "PublishedLayer", "open_published"]
