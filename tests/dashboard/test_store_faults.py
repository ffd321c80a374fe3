"""The dashboard on PostGIS: a database that cannot be reached gives a readable message
(no traceback), and the same session works again once the database is reachable, without
restarting anything. The dashboard connects as the read-only role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from data.demo import City, load_city
from queries import EventFilter
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import PostGISStore
from tests.dashboard.apptest import APP, shown
from tests.queries.conftest import create_test_database, drop_test_database
from tests.queries.tcp_proxy import TcpProxy, free_port

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def reader_dsn(small_city: City) -> Iterator[str]:
    """Reader-role DSN of a throwaway PostGIS database holding the small city."""
    admin = create_test_database()
    store = PostGISStore(admin)
    load_city(store, small_city)
    store.close()
    yield psycopg.conninfo.make_conninfo(admin, user=READER_ROLE)
    drop_test_database(admin)


def _via_port(dsn: str, port: int) -> str:
    return psycopg.conninfo.make_conninfo(dsn, host="127.0.0.1", port=port)


def _june_events(city: City) -> int:
    flt = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))
    ev = city.events
    return int(((ev.reported_at >= flt.start) & (ev.reported_at < flt.end)).sum())


def _start(monkeypatch: pytest.MonkeyPatch, dsn: str) -> AppTest:
    monkeypatch.setenv("GRIDSCOPE_DSN", dsn)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    return at


def _assert_unavailable(at: AppTest, port: int) -> None:
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    msg = shown(errors[0])
    assert msg.startswith("Cannot reach the database") and f"127.0.0.1:{port}" in msg and "refused" in msg
    assert "Traceback" not in msg and not at.metric


def _assert_working(at: AppTest, city: City) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.metric[0].value == f"{_june_events(city):,}"
    captions = [shown(c.value) for c in at.sidebar.caption]
    assert any(c.startswith("Data store: PostGIS · 127.0.0.1:") for c in captions), captions
    newest = city.events["reported_at"].max()
    assert f"Newest event: {newest:%Y-%m-%d %H:%M}" in captions  # data freshness from PostGIS


def test_closed_port_then_live_server_same_session(monkeypatch, reader_dsn, small_city):
    port = free_port()
    at = _start(monkeypatch, _via_port(reader_dsn, port))
    at.run()
    _assert_unavailable(at, port)
    monkeypatch.setenv("GRIDSCOPE_DSN", reader_dsn)  # pointed at the live server
    at.run()
    _assert_working(at, small_city)


def test_server_down_and_back_same_dsn(monkeypatch, reader_dsn, small_city):
    info = psycopg.conninfo.conninfo_to_dict(reader_dsn)
    proxy = TcpProxy((info.get("host") or "127.0.0.1", int(info.get("port") or 5432))).start()
    try:
        at = _start(monkeypatch, _via_port(reader_dsn, proxy.port))
        at.run()
        _assert_working(at, small_city)
        proxy.stop()  # the server goes away
        at.run()
        _assert_unavailable(at, proxy.port)
        proxy.start()  # ... and comes back: same session, same DSN, no restart
        at.run()
        _assert_working(at, small_city)
    finally:
        proxy.stop()
