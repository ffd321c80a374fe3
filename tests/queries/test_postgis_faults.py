"""A PostGIS store that cannot reach its server says so readably, and recovers by itself
once the server is back (same store object, no restart)."""

from __future__ import annotations

import time

import psycopg
import pytest

from data.store import StoreUnavailable
from queries.postgis_store import PostGISStore

from .tcp_proxy import TcpProxy, free_port

pytestmark = pytest.mark.postgis


def _via(dsn: str, port: int, password: str | None = None) -> str:
    extra = {"password": password} if password else {}
    return psycopg.conninfo.make_conninfo(dsn, host="127.0.0.1", port=port, **extra)


def test_closed_port_is_readable_and_hides_the_password(pg_dsn):
    port = free_port()
    store = PostGISStore(_via(pg_dsn, port, password="s3cret"), timeout=1)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            store.fetch("list_departments")
        assert time.monotonic() - t0 < 10
        msg = str(info.value)
        assert f"127.0.0.1:{port}" in msg and "not reachable" in msg and "check" in msg
        assert "refused" in msg.lower()
        assert "s3cret" not in msg
        with pytest.raises(StoreUnavailable):
            store.data_freshness()
    finally:
        store.close()


def test_unknown_database_is_named(pg_dsn):
    store = PostGISStore(psycopg.conninfo.make_conninfo(pg_dsn, dbname="gridscope_no_such_db"), timeout=1)
    try:
        with pytest.raises(StoreUnavailable, match='database "gridscope_no_such_db" does not exist'):
            store.fetch("list_departments")
    finally:
        store.close()


def test_database_without_schema_says_run_db_init(make_pg_database):
    store = PostGISStore(make_pg_database(migrated=False))
    try:
        with pytest.raises(StoreUnavailable, match="gridscope db init"):
            store.fetch("list_departments")
    finally:
        store.close()


def test_store_recovers_when_the_server_returns(pg_store, pg_dsn):
    info = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    proxy = TcpProxy((info.get("host") or "127.0.0.1", int(info.get("port") or 5432))).start()
    store = PostGISStore(_via(pg_dsn, proxy.port), timeout=2)
    try:
        want = pg_store.fetch("list_departments")
        assert store.fetch("list_departments").equals(want)
        proxy.stop()  # the server "goes away": listener closed, live connections cut
        with pytest.raises(StoreUnavailable, match="not reachable"):
            store.fetch("list_departments")
        proxy.start()  # ... and comes back on the same address
        assert store.fetch("list_departments").equals(want)
        assert store.data_freshness() == pg_store.data_freshness()
    finally:
        proxy.stop()
        store.close()


def test_busy_pool_is_not_reported_as_server_down(pg_store, pg_dsn):
    store = PostGISStore(pg_dsn, max_size=1, timeout=1)
    try:
        with store.connection() as held:  # the only pooled connection stays busy
            held.execute("SELECT 1")
            with pytest.raises(StoreUnavailable, match="answers, but all 1 pooled connections stayed busy"):
                store.fetch("list_departments")
        assert len(store.fetch("list_departments")) > 0  # free again
    finally:
        store.close()
