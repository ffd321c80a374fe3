"""The dashboard's read-only role: reads everything, cannot write or drop anything, and the
dashboard's store cannot lift its statement timeout."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace

import pandas as pd
import psycopg
import pytest

from queries import StoreReadOnly, load_settings, open_store, postgis_store, query_names
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import ALL_TABLES, PostGISStore
from queries.sql_files import raw_sql

pytestmark = pytest.mark.postgis

REFUSED = (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)

WRITES = [
    "INSERT INTO departments VALUES ('X', '某部门', 'x')",
    "UPDATE events SET status = 'closed'",
    "DELETE FROM events",
    "TRUNCATE event_log",
    "DROP TABLE events",
    "ALTER TABLE events ADD COLUMN x int",
    "CREATE TABLE evil (x int)",
    "DROP FUNCTION h3_parent(bigint, integer)",
    "COPY departments FROM STDIN",
    "CREATE INDEX evil_idx ON events (status)",
]


@pytest.fixture
def reader(pg_reader_dsn):
    with psycopg.connect(pg_reader_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == READER_ROLE
        # every street, as PostGISStore declares on connect (migration 015 denies a session
        # that declares no scope: tests/queries/test_scoped_store.py)
        conn.execute("SELECT set_config('gridscope.streets', '*', false)")
        yield conn


def test_reader_can_read_every_table(reader):
    for table in ALL_TABLES:
        reader.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert reader.execute("SELECT count(*) FROM events WHERE h3_parent(h3, 9) > 0").fetchone()[0] > 0


@pytest.mark.parametrize("statement", WRITES)
def test_reader_cannot_write(reader, pg_store, statement):
    before = pg_store.table_counts()
    # The role's sessions start read-only ...
    with pytest.raises(REFUSED):
        reader.execute(statement)
    # ... and even in a read-write transaction the grants (SELECT only) refuse it.
    with pytest.raises(psycopg.errors.InsufficientPrivilege), reader.transaction():
        reader.execute("SET TRANSACTION READ WRITE")
        reader.execute(statement)
    assert pg_store.table_counts() == before
    assert pg_store.sql("SELECT count(*) AS n FROM events WHERE status = 'closed'")["n"].iloc[0] < before["events"]


def test_reader_store_queries_but_cannot_load(pg_reader_dsn, pg_store):
    store = PostGISStore(pg_reader_dsn)
    try:
        assert store.fetch("list_departments").equals(pg_store.fetch("list_departments"))
        with pytest.raises(REFUSED):
            store.insert_frame("departments", pd.DataFrame({"code": ["X"], "name_zh": ["某"], "name_en": ["x"]}))
        with pytest.raises(REFUSED):
            store.set_meta("k", "v")
        with pytest.raises(REFUSED):
            store.clear(["events"])
    finally:
        store.close()
    assert pg_store.table_counts()["departments"] > 0


# --- the statement timeout (issue 9): pinned for the dashboard's store ------------------------


def _ms(conn: psycopg.Connection) -> int:
    return int(conn.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'").fetchone()[0])


def _pinned_ms() -> int:
    return int(pd.Timedelta(postgis_store.READER_STATEMENT_TIMEOUT).total_seconds() * 1000)


def _timeouts(store: PostGISStore, n: int) -> list[int]:
    """The timeout (ms) of ``n`` pooled connections held at once (so each is a different one)."""
    with contextlib.ExitStack() as stack:
        return [_ms(stack.enter_context(store.connection())) for _ in range(n)]


@pytest.fixture
def reader_store(pg_reader_dsn):
    """The dashboard's store (open_store with GRIDSCOPE_DSN) on a reader DSN that asks for
    no timeout at all (``options=-c statement_timeout=0`` beats the role's default)."""
    dsn = psycopg.conninfo.make_conninfo(pg_reader_dsn, options="-c statement_timeout=0")
    store = open_store(replace(load_settings(), dsn=dsn))
    yield store
    store.close()


def test_the_dashboard_store_pins_the_timeout_on_every_connection(reader_store):
    assert reader_store.read_only
    assert _timeouts(reader_store, 3) == [_pinned_ms()] * 3
    assert _pinned_ms() == 60_000  # README: "60 s statement timeout"


LIFTS = [
    "SET statement_timeout = 0",
    "set STATEMENT_TIMEOUT to default",
    "RESET statement_timeout",
    "RESET ALL",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT 1; SET statement_timeout = 0",
    "/* */ SET SESSION statement_timeout = 0",
]


@pytest.mark.parametrize("text", LIFTS)
def test_the_dashboard_store_runs_no_free_sql(reader_store, text):
    with pytest.raises(StoreReadOnly):
        reader_store.sql(text)
    assert _timeouts(reader_store, 2) == [_pinned_ms()] * 2


@pytest.mark.parametrize(
    "name", [*LIFTS, "../migrations/postgis/003_reader_role", "list_areas; SET x = 1", "List_Areas"]
)
def test_named_queries_are_only_names(reader_store, name):
    with pytest.raises(KeyError):
        reader_store.fetch(name)
    with pytest.raises(KeyError):
        reader_store.execute(name)


def _statements(text: str) -> list[str]:
    """``text`` without comments and string literals, split at semicolons."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.mark.parametrize("name", query_names())
def test_no_named_query_changes_a_setting(name):
    """The only SQL a reader store sends: one statement each, none that sets anything."""
    for dialect in ("duckdb", "postgis"):
        try:
            text = raw_sql(name, dialect)
        except KeyError:  # a query of the other dialect only
            continue
        statements = _statements(text)
        assert len(statements) == 1, (name, dialect)
        assert not re.match(r"(SET|RESET|DISCARD|BEGIN|COMMIT|START|LOAD|DO|CALL)\b", statements[0], re.I)
        assert not re.search(r"\b(set_config|pg_sleep|dblink|pg_terminate_backend)\s*\(", statements[0], re.I)


def test_a_session_change_ends_when_the_connection_returns_to_the_pool(pg_reader_dsn):
    store = PostGISStore(pg_reader_dsn, max_size=1)
    try:
        with store.connection() as conn:  # code holding a raw connection can change its session ...
            conn.execute("SET statement_timeout = 0")
            conn.commit()
            assert _ms(conn) == 0
        with store.connection() as conn:  # ... until the connection is back in the pool
            assert _ms(conn) == _pinned_ms()
    finally:
        store.close()


def test_the_pinned_timeout_cancels_a_long_statement(monkeypatch, pg_reader_dsn):
    monkeypatch.setattr(postgis_store, "READER_STATEMENT_TIMEOUT", "200ms")
    store = PostGISStore(psycopg.conninfo.make_conninfo(pg_reader_dsn, options="-c statement_timeout=0"))
    try:
        with pytest.raises(psycopg.errors.QueryCanceled), store.connection() as conn:
            conn.execute("SELECT pg_sleep(30)")
    finally:
        store.close()


def test_the_admin_store_is_not_pinned(pg_store, pg_dsn):
    assert not pg_store.read_only
    with psycopg.connect(pg_dsn) as direct, pg_store.connection() as conn:
        assert _ms(conn) == _ms(direct)


def test_a_direct_login_as_the_reader_can_still_lift_the_timeout(reader):
    """What README says remains: PostgreSQL has no way to stop a session from changing
    statement_timeout, so a psql login with the reader's password can run unbounded SELECTs
    (it still cannot write: see the tests above)."""
    assert _ms(reader) == 60_000  # the role's default (migration 003) ...
    reader.execute("SET statement_timeout = 0")
    assert _ms(reader) == 0  # ... which the session may lift
