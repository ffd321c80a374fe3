"""The closure-rate definitions (README "Definitions", issue 9) on hand-built events, on
both backends: cancelled events (closed without a resolution) count among the events
only; events closed without a close time count as closed, never on time or overdue.

Category ``a``: respond within 2 h, close within 24 h. Window June 2026, as of 2026-07-01
00:00 (midnight, so the PostGIS rollup answers once it is current). Every expected value
is counted by hand from the table below.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
import shapely

from data.contracts import column_names
from queries import DuckDBStore, EventFilter
from queries.answers.kpis import overview_kpis
from queries.postgis_store import PostGISStore

START, END = datetime(2026, 6, 1), datetime(2026, 7, 1)
NOW = END
H = timedelta(hours=1)

# id, reported (hours after START; negative = before END), status, responded, closed
# (hours after report; None = none), satisfaction
EVENTS = [
    ("e1", 10, "closed", 1, 10, None),  # closed on time, responded on time
    ("e2", 20, "closed", 5, 30, None),  # closed late, responded late
    ("e3", 30, "responded", None, None, None),  # open, past both deadlines: overdue
    ("e4", -1, "reported", None, None, None),  # open, reported 23:00 on June 30: not yet due
    ("e5", 40, "cancelled", None, 3, None),  # closed without a resolution
    ("e6", 50, "cancelled", None, None, None),  # cancelled, no time: not overdue either
    ("e7", 60, "closed", None, None, None),  # closed, no close time
    ("e8", 70, "rated", None, None, 5),  # rated, no close time: closed and satisfied
    ("e9", 80, "closed", None, 12, 2),  # closed on time, not satisfied
]


def frames() -> dict[str, pd.DataFrame]:
    rows = []
    for eid, offset, status, responded, closed, rating in EVENTS:
        reported = (START if offset >= 0 else END) + offset * H
        rows.append(
            {
                "event_id": eid,
                "source": "hotline",
                "category": "a",
                "description": None,
                "lon": 116.405,
                "lat": 39.905,
                "h3": 0,
                "grid_id": "g1",
                "community_id": "c1",
                "street_id": "s1",
                "department": "d1",
                "priority": 3,
                "status": status,
                "reported_at": reported,
                "registered_at": None,
                "dispatched_at": None,
                "responded_at": reported + responded * H if responded is not None else None,
                "resolved_at": None,
                "verified_at": None,
                "closed_at": reported + closed * H if closed is not None else None,
                "satisfaction": rating,
                "reopened": False,
                "sensor_id": None,
            }
        )
    events = pd.DataFrame(rows, columns=column_names("events")).drop(columns=["respond_due_at", "close_due_at"])
    for col in [c for c in events.columns if c.endswith("_at")]:
        events[col] = pd.to_datetime(events[col]).astype("datetime64[us]")
    events["satisfaction"] = events["satisfaction"].astype("Int64")
    box = shapely.to_wkb(shapely.box(116.4, 39.9, 116.41, 39.91))
    return {
        "departments": pd.DataFrame({"code": ["d1"], "name_zh": ["部门一"], "name_en": ["Dept one"]}),
        "categories": pd.DataFrame(
            {
                "code": ["a"],
                "name_zh": ["甲"],
                "name_en": ["A"],
                "department": ["d1"],
                "sla_response_h": [2.0],
                "sla_close_h": [24.0],
            }
        ),
        "areas": pd.DataFrame(
            {
                "area_id": ["s1", "c1", "g1"],
                "level": ["street", "community", "grid"],
                "parent_id": [None, "s1", "c1"],
                "name_zh": ["街一", "社一", "格一"],
                "name_en": ["S1", "C1", "G1"],
                "geom": [box, box, box],
            }
        ),
        "events": events,
    }


@pytest.fixture(params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request):
    if request.param == "duckdb":
        s = DuckDBStore(":memory:")
    else:
        s = PostGISStore(request.getfixturevalue("make_pg_database")())
    for table, frame in frames().items():
        s.insert_frame(table, frame)
    s.execute("refresh_event_deadlines", category=None)
    yield s
    s.close()


def _params() -> dict:
    return {**EventFilter(START, END).params(), "now": NOW}


# counted by hand from EVENTS
EVENTS_N, CANCELLED, CLOSED, UNTIMED, ON_TIME, OVERDUE, RATED, SATISFIED = 9, 2, 5, 2, 2, 1, 2, 1
CLOSURE_RATE = CLOSED / (EVENTS_N - CANCELLED)  # e1 e2 e7 e8 e9 of the 7 not cancelled
ON_TIME_RATE = ON_TIME / (CLOSED - UNTIMED + OVERDUE)  # e1 e9 of e1 e2 e9 (timed) + e3


def _check_kpis(store) -> None:
    flt = EventFilter(START, END)
    row = store.fetch("kpi_summary", **flt.params(), prev_start=flt.previous().start, now=NOW)
    cur = row[row["period"] == "current"].iloc[0]
    assert (
        cur.events,
        cur.cancelled,
        cur.closed,
        cur.closed_untimed,
        cur.closed_on_time,
        cur.open_overdue,
        cur.rated,
        cur.satisfied,
    ) == (EVENTS_N, CANCELLED, CLOSED, UNTIMED, ON_TIME, OVERDUE, RATED, SATISFIED)
    k = overview_kpis(store, flt, NOW)["current"]
    assert k.closure_rate == pytest.approx(5 / 7)
    assert k.on_time_rate == pytest.approx(2 / 4)
    assert k.satisfaction_rate == pytest.approx(1 / 2)
    assert (k.events, k.open_overdue, k.cancelled, k.closed_untimed) == (9, 1, 2, 2)
    street = store.fetch("street_ranking", **_params(), limit=10).iloc[0]
    assert (
        street.events,
        street.cancelled,
        street.closed,
        street.closed_untimed,
        street.closed_on_time,
        street.open_overdue,
    ) == (9, 2, 5, 2, 2, 1)
    assert street.closure_rate == pytest.approx(CLOSURE_RATE)
    assert street.on_time_rate == pytest.approx(ON_TIME_RATE)


def test_overview_kpis_and_street_ranking(store):
    _check_kpis(store)
    if isinstance(store, PostGISStore):  # the same answer from the daily rollup once it is current
        store.checkpoint()
        assert store.get_meta("events_version") == store.get_meta("event_rollup_version")
        _check_kpis(store)


def test_chain_rates(store):
    for name, extra in (
        ("sla_compliance", {}),
        ("department_ranking", {"min_events": 1}),
        ("area_ranking", {"level": "street", "parent_id": None, "min_events": 1}),
        ("source_comparison", {}),
    ):
        row = store.fetch(name, **_params(), **extra).iloc[0]
        assert (row.events, row.cancelled, row.closed, row.closed_untimed, row.closed_on_time, row.open_overdue) == (
            9,
            2,
            5,
            2,
            2,
            1,
        ), name
        assert row.closure_rate == pytest.approx(CLOSURE_RATE), name
        assert row.on_time_rate == pytest.approx(ON_TIME_RATE), name
        # responded: e1 (1 h, on time), e2 (5 h, late); response overdue: e3 only (e4 not
        # due yet, e6 cancelled, e7/e8 closed)
        assert (row.responded, row.responded_on_time, row.response_overdue) == (2, 1, 1), name
        assert row.response_on_time_rate == pytest.approx(1 / 3), name
        assert (row.rated, row.satisfied) == (2, 1), name
        assert row.median_close_h == pytest.approx(12), name  # e1 10 h, e9 12 h, e2 30 h (not e5)


def test_overdue_lists_and_map_counts(store):
    assert store.fetch("overdue_cases", **_params(), limit=10)["event_id"].tolist() == ["e3"]
    assert store.fetch("overdue_by_department", **_params())["open_overdue"].tolist() == [1]
    area = store.fetch("count_events_by_area", **_params(), level="street").iloc[0]
    # the map counts closures at any time: e1 e2 e9 (timed) + e7 e8; overdue now: e3
    assert (area.events, area.closed, area.open_overdue) == (9, 5, 1)
    cell = store.fetch("count_events_by_cell", **_params(), res=9).iloc[0]
    assert (cell.events, cell.closed, cell.open_overdue) == (9, 5, 1)


def test_funnel(store):
    f = store.fetch("chain_funnel", **_params()).set_index("stage")
    assert f.loc["reported", "reached"] == 9
    # no registration times: the closed e1 e2 e7 e8 e9 passed registration untimed; still
    # open at the report: e3 (status responded, no time), e4; cancelled there: e5, e6
    assert (f.loc["reported", "waiting"], f.loc["reported", "dropped"]) == (2, 2)
    assert (f.loc["registered", "reached"], f.loc["reported", "skipped"]) == (5, 5)
    assert f.loc["responded", "reached"] == 5  # e1 e2 by their times, e7 e8 e9 closed
    assert f.loc["closed", "reached"] == 5  # e1 e2 e9 + e7 e8; never the cancelled e5, e6
    assert (f.loc["closed", "dropped"], f.loc["rated", "reached"]) == (3, 2)


def test_stage_durations_leave_cancelled_closures_out(store):
    d = store.fetch("stage_durations", **_params(), by="category").iloc[0]
    assert d.events == 9
    assert d.to_close_n == 3  # e1 10 h, e9 12 h, e2 30 h; not e5 (cancelled 3 h after), not e7/e8 (no time)
    assert d.to_close_p50 == pytest.approx(12)
    assert d.to_respond_n == 2
