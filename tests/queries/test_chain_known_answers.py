"""Durations and SLA rates on hand-built events whose answers are known by construction.

Category ``c1`` has SLA respond ≤ 2 h, close ≤ 24 h; every event is reported at a round
time so each expected value can be read off the table below.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from data.contracts import column_names
from queries import DuckDBStore, EventFilter
from queries.answers.chain import set_category_sla

T0 = datetime(2026, 5, 1, 8, 0)
NOW = datetime(2026, 5, 4, 8, 0)
H = timedelta(hours=1)

# id, registered, dispatched, responded, resolved, verified, closed (hours after report;
# None = stage not reached); reported at T0 + offset hours
EVENTS = [
    # closed exactly at the close SLA (24 h) and responded exactly at 2 h: both on time
    ("E1", 0, 1, 1.5, 2, 20, 22, 24),
    # closed one second late; responded at 3 h: late on both
    ("E2", 0, 1, 2, 3, 20, 23, 24 + 1 / 3600),
    # open and overdue: reported 48 h before NOW, responded, never resolved (24 h past SLA)
    ("E3", 24, 3, 4, 5, None, None, None),
    # open, not yet due: reported 10 h before NOW (still within 24 h)
    ("E4", 62, 2, 2.5, None, None, None, None),
    # no dispatch time (handled on the spot): not in the dispatch or respond steps
    ("E5", 0, 1, None, 1.5, 10, 11, 12),
]


def _frames() -> dict[str, pd.DataFrame]:
    rows = []
    for eid, offset, *stages in EVENTS:
        reported = T0 + offset * H
        stamps = [reported + s * H if s is not None else None for s in stages]
        reached = ["registered", "dispatched", "responded", "resolved", "verified", "closed"]
        status = next((reached[i] for i in range(5, -1, -1) if stamps[i] is not None), "reported")
        rows.append(
            {
                "event_id": eid,
                "source": "patrol",
                "category": "c1",
                "description": None,
                "lon": 116.4,
                "lat": 39.9,
                "h3": 0,
                "grid_id": "g1",
                "community_id": "m1",
                "street_id": "s1",
                "department": "d1",
                "priority": 3,
                "status": status,
                "reported_at": reported,
                "registered_at": stamps[0],
                "dispatched_at": stamps[1],
                "responded_at": stamps[2],
                "resolved_at": stamps[3],
                "verified_at": stamps[4],
                "closed_at": stamps[5],
                "satisfaction": 5 if stamps[5] is not None else None,
                "reopened": False,
                "sensor_id": None,
            }
        )
    events = pd.DataFrame(rows, columns=column_names("events"))
    for col in [c for c in events.columns if c.endswith("_at")]:
        events[col] = pd.to_datetime(events[col]).astype("datetime64[us]")
    events["satisfaction"] = events["satisfaction"].astype("Int64")
    return {
        "departments": pd.DataFrame({"code": ["d1"], "name_zh": ["部门一"], "name_en": ["Dept one"]}),
        "categories": pd.DataFrame(
            {
                "code": ["c1"],
                "name_zh": ["类一"],
                "name_en": ["Cat one"],
                "department": ["d1"],
                "sla_response_h": [2.0],
                "sla_close_h": [24.0],
            }
        ),
        "events": events,
    }


@pytest.fixture
def store():
    s = DuckDBStore(":memory:")
    for table, frame in _frames().items():
        s.insert_frame(table, frame)
    s.execute("refresh_event_deadlines", category=None)  # as loads and imports do
    yield s
    s.close()


def _params(now: datetime = NOW) -> dict:
    return {**EventFilter(T0 - timedelta(days=1), NOW + timedelta(days=1)).params(), "now": now}


def test_sla_boundary_is_on_time_and_open_past_sla_is_overdue(store):
    row = store.fetch("sla_compliance", **_params()).iloc[0]
    # closed: E1 (on time, at the boundary), E2 (1 s late), E5 (12 h); overdue: E3
    assert (row.closed, row.closed_on_time, row.open_overdue) == (3, 2, 1)
    assert row.on_time_rate == pytest.approx(2 / 4)
    # responded: E1 at 2 h (on time, at the boundary), E2 at 3 h and E3 at 5 h (late),
    # E5 at 1.5 h (on time); E4 never responded and is 8 h past its 2 h deadline
    assert (row.responded, row.responded_on_time, row.response_overdue) == (4, 2, 1)
    assert row.response_on_time_rate == pytest.approx(2 / 5)
    assert row.median_close_h == pytest.approx(24)  # 12, 24, 24 h + 1 s → 24 h


def test_open_overdue_list_and_department_count(store):
    cases = store.fetch("overdue_cases", **_params(), limit=10)
    assert cases["event_id"].tolist() == ["E3"]
    assert cases.loc[0, "hours_overdue"] == pytest.approx(24.0)  # due 24 h after report, now 48 h after
    assert cases.loc[0, "stage"] == "responded"  # responded at 5 h, never resolved
    dept = store.fetch("overdue_by_department", **_params())
    assert dept[["department", "open_overdue"]].values.tolist() == [["d1", 1]]


def test_stage_durations_skip_missing_dispatch(store):
    d = store.fetch("stage_durations", **_params(), by="department").iloc[0]
    # dispatch step (registered -> dispatched): E1 0.5, E2 1, E3 1, E4 0.5; not E5
    assert d.dispatch_n == 4
    assert d.dispatch_p50 == pytest.approx(0.75)
    assert d.dispatch_p90 == pytest.approx(1.0)
    # respond step (dispatched -> responded): E1 0.5, E2 1, E3 1; E5 has no dispatch
    # time, E4 no response yet
    assert d.respond_n == 3
    assert d.respond_p50 == pytest.approx(1.0)
    # report -> response needs no dispatch time: E1 2, E2 3, E3 5, E5 1.5
    assert d.to_respond_n == 4
    assert d.to_respond_p50 == pytest.approx(2.5)
    assert d.to_respond_p90 == pytest.approx(3 + 0.7 * 2)  # numpy linear between 3 and 5
    # register step: every event registered 1, 1, 3, 2, 1 hours after report
    assert (d.register_n, d.register_p50, d.register_p90) == (5, pytest.approx(1.0), pytest.approx(2.6))
    # close step (verified -> closed): E1 2, E2 1 h + 1 s, E5 1
    assert d.close_n == 3 and d.close_p50 == pytest.approx(1 + 1 / 3600)


def test_funnel_counts_waiting_and_dropped(store):
    f = store.fetch("chain_funnel", **_params()).set_index("stage")
    # E5 has no dispatch time but responded: it passed dispatch (untimed), so 5 are dispatched
    assert f["reached"].tolist() == [5, 5, 5, 4, 3, 3, 3, 3]
    assert f.loc["registered", ["waiting", "dropped", "skipped"]].tolist() == [0, 0, 1]
    assert f["dropped"].iloc[:7].sum() == 0  # nobody left the chain: nothing cancelled, all rated
    # E4 was dispatched but waits for a response; E3 responded and waits for resolution
    assert f.loc["dispatched", "waiting"] == 1 and f.loc["responded", "waiting"] == 1
    assert f.loc["closed", "dropped"] == 0  # every closed event here was rated


def test_as_of_an_earlier_end_counts_later_closures_as_open(store):
    # judged as of T0 + 23.5 h: E1 and E2 not closed yet, both not yet due either
    p = {**EventFilter(T0 - timedelta(days=1), T0 + 23.5 * H).params(), "now": NOW}
    row = store.fetch("sla_compliance", **p).iloc[0]
    assert (row.closed, row.open_overdue) == (1, 0)  # only E5 (closed at 12 h)


def test_editing_the_sla_changes_the_rates(store):
    set_category_sla(store, "c1", response_h=5, close_h=48)
    row = store.fetch("sla_compliance", **_params()).iloc[0]
    assert (row.sla_response_h, row.sla_close_h) == (5, 48)
    # E3 is now due at NOW exactly (48 h): not overdue; every closure is on time
    assert (row.closed, row.closed_on_time, row.open_overdue) == (3, 3, 0)
    # E3 responded at 5 h: on time at the new boundary; E4 is still 3 h past 5 h
    assert (row.responded_on_time, row.response_overdue) == (4, 1)
    assert store.fetch("overdue_cases", **_params(), limit=10).empty


@pytest.mark.parametrize("response_h,close_h", [(0, 24), (-1, 24), (2, 0), (30, 24), (float("nan"), 24)])
def test_invalid_sla_is_refused(store, response_h, close_h):
    with pytest.raises(ValueError):
        set_category_sla(store, "c1", response_h=response_h, close_h=close_h)
    assert store.fetch("list_categories").loc[0, "sla_close_h"] == 24


def test_unknown_category_is_refused(store):
    with pytest.raises(KeyError):
        set_category_sla(store, "nope", response_h=1, close_h=2)
