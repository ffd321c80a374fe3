"""The chain, trends and sensors pages on data unlike the demo: two months, no sensors."""

from __future__ import annotations

import pytest

from queries import DuckDBStore
from tests.dashboard.apptest import run_app


@pytest.fixture
def sparse_db(small_db_file):
    """The small city cut to May-June 2026, without sensors, readings or sensor events."""
    store = DuckDBStore(small_db_file)
    store.sql("DELETE FROM events WHERE reported_at < TIMESTAMP '2026-05-01' OR sensor_id IS NOT NULL")
    store.sql("DELETE FROM readings")
    store.sql("DELETE FROM sensors")
    store.checkpoint()
    store.close()
    return small_db_file


@pytest.mark.parametrize(
    "page,lang",
    [
        ("dashboard/pages/chain.py", "zh"),
        ("dashboard/pages/trends.py", "en"),
        ("dashboard/pages/sensors.py", "zh"),
        ("dashboard/pages/sensors.py", "en"),
    ],
)
def test_pages_explain_what_is_missing(monkeypatch, sparse_db, page, lang):
    at = run_app(monkeypatch, sparse_db, lang, page=page)
    assert not at.exception, at.exception
    texts = " ".join(i.value for i in at.info) + " ".join(c.value for c in at.caption)
    if page.endswith("trends.py"):
        # two months: no last-year comparison, no 8-week backtest, but a forecast
        assert at.metric[2].value == "—"
        assert "Not enough data to backtest" in texts
    if page.endswith("sensors.py"):
        assert ("没有告警" if lang == "zh" else "No alarms") in texts
