"""The dashboard's read-only role: reads everything, cannot write or drop anything."""

from __future__ import annotations

import pandas as pd
import psycopg
import pytest

from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import ALL_TABLES, PostGISStore

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
