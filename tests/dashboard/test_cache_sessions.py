"""Issue 11: what many sessions ask for is computed once. A second session on the same
database (here: a store opened anew on the same file, as another process opens it) gets the
first one's results and map payload without running a query; an import made through another
store (another process) changes the data version, and every session's next run shows it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from data.ingest import import_events
from queries import DuckDBStore, store_base
from tests.dashboard.apptest import run_app

MAP_QUERIES = ("kpi_summary", "count_events_by_cell", "daily_trend")


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Named queries run on any DuckDB store, by name (the clock held still: "now" is part of
    the keys and moves by the minute)."""
    import dashboard.state

    monkeypatch.setattr(dashboard.state, "data_now", lambda: datetime(2026, 7, 1, 8, 0))
    counted: Counter = Counter()
    original = DuckDBStore.fetch

    def fetch(self, name, **params):
        counted[name] += 1
        return original(self, name, **params)

    monkeypatch.setattr(DuckDBStore, "fetch", fetch)
    return counted


def _values(at) -> list[str]:
    return [m.value for m in at.metric]


def test_a_second_session_reuses_the_first_ones_results_and_map(monkeypatch, small_db_file, calls):
    first = run_app(monkeypatch, small_db_file, "zh")
    assert not first.exception
    assert all(calls[q] for q in MAP_QUERIES), calls
    spec = first.get("deck_gl_json_chart")[0].proto.json
    st.cache_resource.clear()  # the next session opens the file anew, as another process does
    calls.clear()
    second = run_app(monkeypatch, small_db_file, "zh")
    assert not second.exception
    assert not any(calls[q] for q in MAP_QUERIES), calls  # nothing the first session had asked for
    assert second.get("deck_gl_json_chart")[0].proto.json == spec  # the same payload text
    assert _values(second) == _values(first)
    english = run_app(monkeypatch, small_db_file, "en")  # the map's labels follow the language
    assert english.get("deck_gl_json_chart")[0].proto.json != spec
    assert _values(english) == _values(first)  # numbers are numbers in both languages


def _three_events(path: Path) -> Path:
    pd.DataFrame(
        {
            "event_id": ["CACHE-1", "CACHE-2", "CACHE-3"],
            "reported_at": ["2026-06-20 09:00:00", "2026-06-21 10:00:00", "2026-06-22 11:00:00"],
            "category": "garbage",
            "lon": [116.40, 116.41, 116.42],
            "lat": [39.90, 39.91, 39.92],
        }
    ).to_csv(path, index=False)
    return path


def test_an_import_through_another_store_reaches_every_session(monkeypatch, small_db_file, tmp_path, calls):
    monkeypatch.setattr(store_base, "VERSION_TTL_SECONDS", 0.0)  # another process's write seen at once
    at = run_app(monkeypatch, small_db_file, "en")
    other_session = run_app(monkeypatch, small_db_file, "en")
    before = int(at.metric[0].value.replace(",", ""))
    assert int(other_session.metric[0].value.replace(",", "")) == before
    at.run()
    assert int(at.metric[0].value.replace(",", "")) == before  # nothing changed: still cached
    elsewhere = DuckDBStore(small_db_file)  # the importing program's own store
    try:
        assert import_events(elsewhere, _three_events(tmp_path / "three.csv")).inserted == 3
    finally:
        elsewhere.close()
    calls.clear()
    at.run()
    assert int(at.metric[0].value.replace(",", "")) == before + 3
    assert calls["kpi_summary"] == 1  # computed again once ...
    other_session.run()
    assert int(other_session.metric[0].value.replace(",", "")) == before + 3
    assert calls["kpi_summary"] == 1  # ... and shared by the other session
