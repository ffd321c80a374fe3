"""PostGIS fixtures: a throwaway database per test session, never skipped.

The server comes from ``GRIDSCOPE_TEST_ADMIN_DSN`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``); ``scripts/provision_postgis.sh``
(called by ``scripts/test.sh``) installs and starts it. When it cannot be reached the
fixtures *fail* with what to run: the suite exists to prove PostGIS works.

Both stores of the parity tests hold the same data: ``small_city`` from
``tests/conftest.py`` with a few cancelled, untimed-closed events and assumed SLAs
(:func:`parity_city`) plus a few import rejects (:data:`IMPORT_REJECTS`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

import pandas as pd
import psycopg
import pytest
from psycopg import sql

from data.demo import City, load_city
from queries.duckdb_store import DuckDBStore
from queries.postgis_migrations import READER_ROLE, migrate
from queries.postgis_store import PostGISStore

ADMIN_DSN = os.environ.get("GRIDSCOPE_TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
"""Superuser DSN used to create and drop the throwaway databases."""

DB_PREFIX = "gridscope_test_"
"""Name prefix of throwaway databases."""


def _dsn_for(database: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    info["dbname"] = database
    if user:
        info["user"] = user
        info.pop("password", None)
    return psycopg.conninfo.make_conninfo(**info)


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostGIS test server unreachable at {ADMIN_DSN}: {exc}\n"
            "Run scripts/provision_postgis.sh (scripts/test.sh does) or set GRIDSCOPE_TEST_ADMIN_DSN.",
            pytrace=False,
        )


def create_test_database(migrated: bool = True) -> str:
    """Create a uniquely named database with PostGIS (and the GridScope schema); return its DSN."""
    name = f"{DB_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = _dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
        if migrated:
            migrate(conn)
    return dsn


def drop_test_database(dsn: str) -> None:
    """Drop a database made by :func:`create_test_database`, closing its sessions."""
    name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    assert name.startswith(DB_PREFIX)
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_orphaned_test_databases() -> list[str]:
    """Drop throwaway databases left by test runs that died (their pid no longer runs).

    Databases of live processes (concurrent runs on this machine) are left alone.
    """
    dropped = []
    with _admin() as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [DB_PREFIX + "%"])]
        for name in names:
            pid = name[len(DB_PREFIX) :].split("_")[0]
            if not pid.isdigit() or _alive(int(pid)):
                continue
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            dropped.append(name)
    return dropped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """Admin DSN of this session's migrated throwaway database (dropped at the end)."""
    drop_orphaned_test_databases()
    dsn = create_test_database()
    yield dsn
    drop_test_database(dsn)


def store_holding(backend: str, tables: dict[str, pd.DataFrame], request: pytest.FixtureRequest) -> object:
    """A store holding ``tables`` with their deadlines refreshed: DuckDB in memory, or PostGIS in
    a throwaway database dropped when ``request``'s scope ends (for hand-built test stores)."""
    if backend == "duckdb":
        store: object = DuckDBStore(":memory:")
    else:
        dsn = create_test_database()
        request.addfinalizer(lambda: drop_test_database(dsn))
        store = PostGISStore(dsn)
    for table, frame in tables.items():
        store.insert_frame(table, frame)
    store.execute("refresh_event_deadlines", category=None)
    return store


@pytest.fixture
def make_pg_database() -> Iterator[Callable[..., str]]:
    """Factory of extra throwaway databases for tests that write; all dropped afterwards."""
    made: list[str] = []

    def make(migrated: bool = True) -> str:
        made.append(create_test_database(migrated))
        return made[-1]

    yield make
    for dsn in made:
        drop_test_database(dsn)


IMPORT_REJECTS = pd.DataFrame(
    {
        "batch_id": ["b1"] * 5 + ["b2"],
        "row_number": [7, 3, 12, 5, 9, 1],
        "reason": [
            "missing lon: empty",
            "bad time: '2026-13-01'",
            "missing lon: empty",
            "未知类别: X9",
            "bad time: 'x'",
            "dup: E1",
        ],
        "raw": ['{"lon": ""}', "2026-13-01", None, "类别=X9 😀", "x'; DROP TABLE events; --", "E1"],
    }
)
"""Import rejects both parity stores hold beside the city (the city itself has none)."""


def parity_city(city: City) -> City:
    """``city`` as imported data also looks (issue 9): two categories with an assumed SLA,
    every 37th closed event closed without a resolution ('cancelled'), every 53rd (from the
    6th) closed without a close time. Deterministic, so both parity stores hold the same."""
    events = city.events.copy()
    closed = events.index[events["closed_at"].notna()]
    events.loc[closed[::37], "status"] = "cancelled"
    events.loc[closed[5::53], "closed_at"] = pd.NaT
    categories = city.categories.assign(sla_assumed=[i in (1, 4) for i in range(len(city.categories))])
    return replace(city, events=events, categories=categories)


IMPORT_BATCHES = pd.DataFrame(
    {
        "batch_id": ["b1", "b2", "b3"],
        "kind": ["events", "events", "areas"],
        "file_name": ["311.csv", "311.csv", "网格.geojson"],
        "file_size": [1_000, 1_000, 77],
        "file_sha256": ["ab" * 32, "ab" * 32, "cd" * 32],
        "state": ["failed", "finished", "running"],
        "started_at": pd.to_datetime(["2026-06-01 08:00", "2026-06-01 09:00", "2026-06-02 10:00"]).astype(
            "datetime64[us]"
        ),
        "updated_at": pd.to_datetime(["2026-06-01 08:01", "2026-06-01 09:05", "2026-06-02 10:00"]).astype(
            "datetime64[us]"
        ),
        "finished_at": pd.to_datetime(["2026-06-01 08:01", "2026-06-01 09:05", None]).astype("datetime64[us]"),
        "chunks": [3, 12, 0],
        "rows_read": [6_000, 24_000, 0],
        "rows_stored": [5_995, 23_990, 0],
        "rows_rejected": [5, 10, 0],
        "attempts": pd.array([1, 2, 1], dtype="Int32"),
        "pid": pd.array([101, 102, 103], dtype="Int32"),
        "host": ["h1", "h1", "h2"],
        "error": ["OperationalError: server closed the connection", None, None],
    }
)
"""Import batches both parity stores hold (data/batches.py): failed, finished, running."""


def _load_parity_data(store: object, city: City) -> None:
    load_city(store, parity_city(city))
    store.insert_frame("import_rejects", IMPORT_REJECTS)
    store.insert_frame("import_batches", IMPORT_BATCHES)


@pytest.fixture(scope="session")
def pg_store(pg_dsn: str, small_city: City) -> Iterator[PostGISStore]:
    """Admin PostGIS store holding ``small_city`` and :data:`IMPORT_REJECTS`. Read only."""
    store = PostGISStore(pg_dsn)
    _load_parity_data(store, small_city)
    yield store
    store.close()


@pytest.fixture(scope="session")
def duck_store(small_city: City) -> Iterator[DuckDBStore]:
    """In-memory DuckDB store with the same contents as :func:`pg_store`. Read only."""
    store = DuckDBStore(":memory:")
    _load_parity_data(store, small_city)
    yield store
    store.close()


@pytest.fixture(scope="session")
def pg_reader_dsn(pg_store: PostGISStore, pg_dsn: str) -> str:
    """DSN of the same database as the read-only dashboard role."""
    return _dsn_for(psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"], READER_ROLE)


@pytest.fixture(scope="session")
def both_stores(duck_store: DuckDBStore, pg_store: PostGISStore) -> dict[str, object]:
    """``{"duckdb": store, "postgis": store}`` with the same contents. Read only."""
    return {"duckdb": duck_store, "postgis": pg_store}
