"""Issue 9: no page crashes on a store holding events at 0001-01-01 and 9999-12-31.

The two events are written straight into the store (bypassing the importer, which would
reject them), so the date widgets offer the widest range any store can produce. Each page
opens with the default window, with the widget's whole offered range picked, and with an
extreme range put into session state (as a URL or an earlier store could).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from queries import DuckDBStore
from queries.filters import SUPPORTED_FIRST_DAY, SUPPORTED_LAST_DAY
from tests.dashboard.apptest import run_app

PAGES = [
    "dashboard/pages/overview.py",
    "dashboard/pages/hotspots.py",
    "dashboard/pages/chain.py",
    "dashboard/pages/trends.py",
    "dashboard/pages/sensors.py",
]


@pytest.fixture
def extreme_db(small_db_file):
    """The small city plus one event at 0001-01-01 00:00 and one at 9999-12-31 23:59."""
    store = DuckDBStore(small_db_file)
    row = store.sql("SELECT * FROM events WHERE closed_at IS NOT NULL ORDER BY event_id LIMIT 1").iloc[0]
    for event_id, ts in (("EXTREME-0001", datetime(1, 1, 1)), ("EXTREME-9999", datetime(9999, 12, 31, 23, 59))):
        store.sql(
            "INSERT INTO events (event_id, source, category, lon, lat, h3, grid_id, community_id, street_id, "
            "department, status, reported_at, closed_at) "
            f"VALUES ('{event_id}', 'patrol', '{row['category']}', {row['lon']}, {row['lat']}, {int(row['h3'])}, "
            f"'{row['grid_id']}', '{row['community_id']}', '{row['street_id']}', '{row['department']}', "
            f"'closed', TIMESTAMP '{ts:%Y-%m-%d %H:%M:%S}', TIMESTAMP '{ts:%Y-%m-%d %H:%M:%S}')"
        )
    assert store.sql("SELECT min(reported_at) AS a, max(reported_at) AS b FROM events").iloc[0].tolist() == [
        datetime(1, 1, 1),
        datetime(9999, 12, 31, 23, 59),
    ]
    store.checkpoint()
    store.close()
    return small_db_file


@pytest.mark.parametrize("page", PAGES)
def test_pages_open_on_extreme_dates(monkeypatch, extreme_db, page):
    at = run_app(monkeypatch, extreme_db, "zh", page=page)
    assert not at.exception, at.exception
    widget = at.date_input(key="f_dates_widget")
    # the widget offers the store's range, clamped to what every page can compute with
    assert widget.min == SUPPORTED_FIRST_DAY and widget.max == SUPPORTED_LAST_DAY
    widget.set_value((widget.min, widget.max)).run()
    assert not at.exception, at.exception
    assert at.date_input(key="f_dates_widget").value == (SUPPORTED_FIRST_DAY, SUPPORTED_LAST_DAY)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "dates",
    [
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(9999, 12, 31), date(9999, 12, 31)),
        (date(1, 1, 1), date(1, 1, 1)),
        (date(2026, 6, 30), date(2026, 6, 1)),
    ],
)
def test_pages_clamp_a_stored_extreme_range(monkeypatch, extreme_db, page, dates):
    monkeypatch.setenv("GRIDSCOPE_DB", str(extreme_db))
    at = run_app(monkeypatch, extreme_db, "en")
    at.session_state["f_dates"] = dates
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    lo, hi = at.date_input(key="f_dates_widget").value
    assert SUPPORTED_FIRST_DAY <= lo <= hi <= SUPPORTED_LAST_DAY


@pytest.mark.parametrize(
    "start,end",
    [
        ("0001-01-01", "9999-12-31"),
        ("1900-01-01", "2199-12-31"),
        ("2199-12-31", "1900-01-01"),
        ("9999-12-31", "9999-12-31"),
    ],
)
def test_hotspot_address_dates_are_kept_within_the_offered_days(monkeypatch, extreme_db, start, end):
    monkeypatch.setenv("GRIDSCOPE_DB", str(extreme_db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.apptest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.query_params["start"], at.query_params["end"] = start, end
    at.run()
    at.switch_page("dashboard/pages/hotspots.py")
    at.run()
    assert not at.exception, at.exception
    lo, hi = at.date_input(key="f_dates_widget").value
    assert SUPPORTED_FIRST_DAY <= lo <= hi <= SUPPORTED_LAST_DAY
    if (start, end) == ("1900-01-01", "2199-12-31"):  # inside the offered days: taken from the address
        assert (lo, hi) == (SUPPORTED_FIRST_DAY, SUPPORTED_LAST_DAY)
