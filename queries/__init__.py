"""The store: named SQL queries over DuckDB (embedded default) or PostGIS (server)."""

from __future__ import annotations

from data.store import Store, StoreLocked, StoreReadOnly, StoreUnavailable

from .duckdb_store import DuckDBStore
from .filters import EventFilter
from .settings import SETTINGS, Settings, load_settings
from .sql_files import query_names


def open_store(settings: Settings) -> Store:
    """Open the store the settings select: PostGIS when a DSN is set, else DuckDB."""
    if settings.dsn:
        from .postgis_store import PostGISStore

        return PostGISStore(settings.dsn)
    return DuckDBStore(settings.db_path, read_only=settings.db_read_only)


__all__ = [
    "SETTINGS",
    "DuckDBStore",
    "EventFilter",
    "Settings",
    "Store",
    "StoreLocked",
    "StoreReadOnly",
    "StoreUnavailable",
    "load_settings",
    "open_store",
    "query_names",
]
