"""The store interface both backends implement (aiosql's adapter idea, one per driver).

Pages and the CLI talk only to a :class:`Store`; they never see a driver connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

import pandas as pd


class StoreUnavailable(RuntimeError):  # noqa: N818 - public name used across the project
    """The database cannot be reached; ``str()`` says what to check, for a page to show."""


class StoreLocked(StoreUnavailable):
    """Another program holds the DuckDB file (only one process may open it for writing).

    The text names the file only: DuckDB's own message shows the holder's PID and
    interpreter path, which is nothing a page should display."""

    def __init__(self, file_name: str) -> None:
        super().__init__(
            f"another program has the DuckDB file {file_name} open (only one program can write to it at a "
            "time), e.g. another dashboard or an import in progress; close it and try again"
        )
        self.file_name = file_name


class StoreReadOnly(PermissionError):  # noqa: N818 - pairs with StoreUnavailable
    """The store's role may not change data (e.g. the PostGIS ``gridscope_reader`` role)."""


ParamStyle = Literal["dollar", "pyformat"]
"""How a store's driver spells a bound parameter: ``$name`` (DuckDB) or ``%(name)s`` (psycopg)."""

SqlParams = Sequence[object] | Mapping[str, object] | None
"""Parameters of :meth:`Store.sql`: positional or by name, in the store's own placeholder style."""


@runtime_checkable
class Store(Protocol):
    """A GridScope store: named queries in, DataFrames out, bulk loads by table."""

    dialect: str
    """``duckdb`` or ``postgis``: picks dialect overrides in ``queries/sql/<dialect>``."""

    paramstyle: ParamStyle
    """The driver's placeholder style, which named queries' ``:param`` are rewritten to."""

    @property
    def label(self) -> str:
        """What the sidebar shows: backend and file or server (``DuckDB · city.duckdb``,
        ``PostGIS · host:5432/db``); never a user name or password."""
        ...

    def cache_key(self) -> str:
        """The name of what this store reads, for caches shared by sessions and processes.

        Database identity (DuckDB: the file's absolute path; PostGIS: server and database,
        never a user or password) and the data version, a token in ``meta`` that every write
        changes (imports, SLA edits, ``clear``, the demo load); a scoped store adds its scope.
        Equal keys give equal answers. Cheap: read on every cached call (the version is
        re-read at most about once a second, at once after this store's own writes)."""
        ...

    @property
    def streets(self) -> tuple[str, ...]:
        """The street scope: ``()`` for the whole district, the street ids of a scoped store."""
        ...

    def read_only_file(self) -> str | None:
        """The database file this store has open read-only (a DuckDB replica), else ``None``:
        what it cannot write, such as its audit rows, waits beside that file."""
        ...

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Run named query ``name`` with bound ``params`` and return its rows."""
        ...

    def execute(self, name: str, **params: object) -> None:
        """Run a named statement that returns nothing (updates, refreshes)."""
        ...

    def sql(self, text: str, params: SqlParams = None) -> pd.DataFrame:
        """Run trusted SQL written by the project (tests, benchmarks, loaders), never user
        text; placeholders in the driver's own style. Raises :class:`StoreReadOnly` on a
        read-only store."""
        ...

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Append ``frame`` to ``table`` (geometry columns as WKB bytes); return rows added."""
        ...

    def upsert_frame(self, table: str, frame: pd.DataFrame, keys: list[str], *, update: bool = True) -> dict[str, int]:
        """Insert rows with new ``keys``, update changed existing ones (only ``frame``'s
        columns), leave equal ones alone; one transaction. Keys unique within ``frame``;
        ``update=False`` never changes existing rows. Returns inserted/updated/unchanged."""
        ...

    def transaction(self) -> AbstractContextManager[Store]:
        """``with store.transaction():`` the block's writes, in this thread, commit together
        when it ends or not at all if it raises; its reads see its own writes. A nested call
        joins the outer transaction. (An areas import is one; see ``data/ingest/importer.py``.)"""
        ...

    def clear(self, tables: list[str]) -> None:
        """Delete every row of ``tables`` (before the demo city is rebuilt); ``KeyError``
        for a table that is not a GridScope table."""
        ...

    def table_counts(self) -> dict[str, int]:
        """Row count of every GridScope table."""
        ...

    def get_meta(self, key: str) -> str | None:
        """Read a value from the ``meta`` table."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Write a value to the ``meta`` table."""
        ...

    def data_freshness(self) -> datetime | None:
        """Time of the newest event, or ``None`` when the store is empty."""
        ...

    def checkpoint(self) -> None:
        """After bulk loads and imports: make the new data durable and fast to read
        (DuckDB: flush the write-ahead log; PostGIS: planner statistics and rollups)."""
        ...

    def ping(self) -> None:
        """Check that the database answers; raise :class:`StoreUnavailable` if not."""
        ...

    def migrate(self) -> list[str]:
        """Create or upgrade the schema; return the migration files applied now (DuckDB
        applies its schema when the file opens, so there: always ``[]``)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
