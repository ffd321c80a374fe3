"""Known answers for issue 16's services on a hand-built store, on both backends: the "what
changed" movers, the overdue backlog's age buckets, the event search (hostile texts
included) and the event record's stage times against the SLA.

Category ``c1``: respond within 2 h, close within 24 h (department ``d1``); ``c2``: 1 h / 8 h
(``d2``). The current window is 2026-05-11 .. 05-20, the previous one 05-01 .. 05-10, as of
NOW = 2026-05-21 00:00. Every expected value is counted by hand from the tables below.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
import shapely

from data.contracts import column_names
from queries import EventFilter
from queries.answers.backlog import AGE_BUCKETS, overdue_backlog
from queries.answers.changes import movers
from queries.answers.search import event_record, like_pattern, search_events
from tests.queries.conftest import store_holding

PREV, START, END = datetime(2026, 5, 1), datetime(2026, 5, 11), datetime(2026, 5, 21)
NOW = END
H = timedelta(hours=1)
D = timedelta(days=1)
FLT = EventFilter(START, END)

# Movers: (category, street, events in the previous window, in the current one). All closed
# on time after 1 h, so none is overdue.
VOLUMES = [("c1", "s1", 40, 10), ("c2", "s1", 5, 20), ("c2", "s2", 12, 12), ("c1", "s2", 0, 3)]

# Backlog and record: id, category, department, status, reported, responded, closed,
# description (times absolute; None = never)
CASES = [
    ("B1", "c1", "d1", "responded", NOW - 25 * H, NOW - 24 * H, None, "1 h past: < 1 day"),
    ("B2", "c1", "d1", "reported", NOW - 48 * H, None, None, "exactly 1 day past: 1-3 days"),
    ("B3", "c1", "d2", "reported", NOW - 24 * H - 5 * D, None, None, "5 days past: 3-7 days"),
    ("B4", "c1", "d2", "reported", NOW - 200 * D, None, None, "reported long ago: > 30 days"),
    ("B5", "c1", "d2", "cancelled", NOW - 100 * D, None, NOW - 90 * D, "cancelled: never overdue"),
    ("B6", "c1", "d1", "closed", NOW - 100 * D, None, None, "closed without a time: never overdue"),
    ("B7", "c1", "d1", "closed", NOW - 3 * D, None, NOW + H, "closes after NOW: open overdue now"),
    ("B8", "c1", "d1", "reported", NOW - 2 * H, None, None, "not yet due"),
    ("B9", "c2", "d2", "reported", NOW - 8 * H - 10 * D, None, None, "10 days past: 7-30 days"),
    ("R1", "c1", "d1", "closed", START, START + 3 * H, START + 30 * H, "50% off_sale 朝阳路 O'Brien"),
    ("R2", "c1", "d1", "responded", NOW - 30 * H, NOW - 28 * H, None, "50 percent off"),
    ("K_1", "c1", "d1", "closed", START, START + H, START + 2 * H, "underscore id"),
    ("K11", "c1", "d1", "closed", START, START + H, START + 2 * H, "look-alike id"),
]
LOG = [
    ("R1", "reported", START, "市民"),
    ("R1", "responded", START + 3 * H, "d1"),
    ("R1", "closed", START + 30 * H, ""),
]


def _event(eid, category, dept, street, status, reported, responded, closed, description):
    return {
        "event_id": eid,
        "source": "hotline",
        "category": category,
        "description": description,
        "lon": 116.405,
        "lat": 39.905,
        "h3": 0,
        "grid_id": f"g{street[1:]}",
        "community_id": f"m{street[1:]}",
        "street_id": street,
        "department": dept,
        "priority": 3,
        "status": status,
        "reported_at": reported,
        "registered_at": None,
        "dispatched_at": None,
        "responded_at": responded,
        "resolved_at": None,
        "verified_at": None,
        "closed_at": closed,
        "satisfaction": None,
        "reopened": False,
        "sensor_id": None,
    }


def frames() -> dict[str, pd.DataFrame]:
    rows = []
    for category, street, before, now in VOLUMES:
        dept = "d1" if category == "c1" else "d2"
        for i in range(before):
            at = PREV + i * (10 * D / max(before, 1))
            rows.append(_event(f"V{category}{street}p{i}", category, dept, street, "closed", at, at + H, at + H, None))
        for i in range(now):
            at = START + i * (10 * D / max(now, 1))
            rows.append(_event(f"V{category}{street}c{i}", category, dept, street, "closed", at, at + H, at + H, None))
    # backlog and record cases in street s3 (no volume there: the movers are unchanged, save
    # for R1, K_1 and K11 reported in the current window: +3 for c1, +3 for s3)
    rows += [_event(eid, c, d, "s3", *rest) for eid, c, d, *rest in CASES]
    events = pd.DataFrame(rows, columns=column_names("events")).drop(columns=["respond_due_at", "close_due_at"])
    for col in [c for c in events.columns if c.endswith("_at")]:
        events[col] = pd.to_datetime(events[col]).astype("datetime64[us]")
    events["satisfaction"] = events["satisfaction"].astype("Int64")
    box = shapely.to_wkb(shapely.box(116.4, 39.9, 116.41, 39.91))
    streets = ["s1", "s2", "s3"]
    areas = pd.DataFrame(
        {
            "area_id": [*streets, *(f"m{s[1:]}" for s in streets), *(f"g{s[1:]}" for s in streets)],
            "level": ["street"] * 3 + ["community"] * 3 + ["grid"] * 3,
            "parent_id": [None] * 3 + streets + [f"m{s[1:]}" for s in streets],
            "name_zh": [
                "朝阳街道",
                "青年路街道",
                "百分_街道",
                "朝阳社区",
                "青年社区",
                "百分社区",
                "格一",
                "格二",
                "格三",
            ],
            "name_en": ["Chaoyang", "Qingnian", "Pct_St", "CY C", "QN C", "PC C", "G1", "G2", "G3"],
            "geom": [box] * 9,
        }
    )
    log = pd.DataFrame(LOG, columns=["event_id", "stage", "at", "actor"]).assign(note=[None, None, "按时结案"])
    log["at"] = pd.to_datetime(log["at"]).astype("datetime64[us]")
    return {
        "departments": pd.DataFrame({"code": ["d1", "d2"], "name_zh": ["部门一", "部门二"], "name_en": ["D1", "D2"]}),
        "categories": pd.DataFrame(
            {
                "code": ["c1", "c2"],
                "name_zh": ["类一", "类二"],
                "name_en": ["C1", "C2"],
                "department": ["d1", "d2"],
                "sla_response_h": [2.0, 1.0],
                "sla_close_h": [24.0, 8.0],
            }
        ),
        "areas": areas,
        "events": events,
        "event_log": log,
    }


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request):
    s = store_holding(request.param, frames(), request)
    yield s
    s.close()


def test_movers_rank_by_absolute_change_with_a_minimum_count(store):
    s1_s2 = EventFilter(START, END, street_ids=("s1", "s2"))  # the volumes only
    cats = movers(store, s1_s2, "category", min_count=10)
    # c1: 40 -> 10 + 3 (-27); c2: 5 + 12 -> 20 + 12 (+15)
    assert cats[["key", "current", "previous", "change"]].values.tolist() == [["c1", 13, 40, -27], ["c2", 32, 17, 15]]
    assert cats["change_pct"].tolist() == pytest.approx([-27 / 40, 15 / 17])
    assert movers(store, s1_s2, "category", min_count=41).empty  # neither reaches 41 in a period
    streets = movers(store, FLT, "street", min_count=10)
    # s1: 45 -> 30 (-15); s2: 12 -> 15 (+3); s3 (the cases: B9 before, 9 now) under the minimum
    assert streets[["key", "change"]].values.tolist() == [["s1", -15], ["s2", 3]]
    assert movers(store, FLT, "street", min_count=1)[["key", "change"]].values.tolist() == [
        ["s1", -15],
        ["s3", 8],
        ["s2", 3],
    ]
    from_zero = movers(store, EventFilter(START, END, street_ids=("s2",)), "category", min_count=1)
    # c1 0 -> 3: no percentage; c2 12 -> 12 unchanged: not a mover
    assert from_zero[["key", "current", "previous"]].values.tolist() == [["c1", 3, 0]]
    assert from_zero.loc[0, "change_pct"] is None
    only_c2 = EventFilter(START, END, categories=("c2",))
    assert movers(store, only_c2, "street", min_count=1)[["key", "change"]].values.tolist() == [["s1", 15], ["s3", -1]]
    assert movers(store, FLT, "category", limit=1)["key"].tolist() == ["c1"]
    with pytest.raises(ValueError):
        movers(store, FLT, "source")


def test_backlog_counts_every_open_overdue_case_by_age_and_department(store):
    backlog = overdue_backlog(store, FLT, NOW)
    # B1 and R2 < 1 day; B2 exactly 1 day and B7 (closes after NOW, 2 days past) 1-3 days;
    # B3 3-7; B9 7-30; B4 (reported 200 days ago, outside every window) > 30 days. B5
    # (cancelled), B6 (closed without a time) and B8 (not yet due) never.
    assert backlog.buckets.to_dict() == {"lt_1d": 2, "d1_3": 2, "d3_7": 1, "d7_30": 1, "gt_30d": 1}
    assert backlog.total == 7
    table = backlog.by_department.set_index("department")
    assert table.loc["d1", list(AGE_BUCKETS)].tolist() == [2, 2, 0, 0, 0]
    assert table.loc["d2", list(AGE_BUCKETS)].tolist() == [0, 0, 1, 1, 1]
    assert table["total"].to_dict() == {"d1": 4, "d2": 3}
    assert backlog.by_department["department"].tolist() == ["d1", "d2"]  # most cases first
    assert table.loc["d2", "max_hours_overdue"] == pytest.approx((200 * D - 24 * H) / H)
    assert table.loc["d1", "department_zh"] == "部门一"
    cases = backlog.cases
    assert cases["event_id"].tolist() == ["B4", "B9", "B3", "B7", "B2", "R2", "B1"]
    assert cases.set_index("event_id").loc["B2", "hours_overdue"] == pytest.approx(24)
    assert cases.set_index("event_id").loc["B2", "bucket"] == "d1_3"
    # the filter's lists apply, its dates do not
    only_c2 = overdue_backlog(store, EventFilter(START, END, categories=("c2",)), NOW)
    assert only_c2.total == 1 and only_c2.cases["event_id"].tolist() == ["B9"]
    assert overdue_backlog(store, FLT, NOW, limit=2).cases["event_id"].tolist() == ["B4", "B9"]


def test_search_finds_ids_and_fragments_and_wildcards_match_themselves(store):
    def found(text: str) -> list[str]:
        return search_events(store, text)["event_id"].tolist()

    assert found("R1") == ["R1"]
    assert found("k_1") == ["K_1"]  # "_" is not a wildcard: K11 is not found
    assert found("K11") == ["K11"]
    assert found("50%") == ["R1"]  # "%" is not a wildcard: "50 percent off" is not found
    assert found("50") == ["R2", "R1"]  # newest first
    assert found("朝阳路") == ["R1"]
    assert found("o'brien") == ["R1"]  # quotes are text, case ignored
    assert found("\\") == []
    assert found("'; DROP TABLE events; --") == []
    assert found("%' OR '1'='1") == []
    assert found("   ") == [] and found("") == []
    assert len(search_events(store, "青年路街道")) == 27  # a street name: its events (s2: 24 + 3)
    assert set(found("百分_")) == {eid for eid, *_ in CASES}  # the s3 street's name holds a "_"
    assert len(search_events(store, "Pct", limit=4)) == 4
    exact = search_events(store, "K11")
    assert exact["exact"].tolist() == [True]
    with pytest.raises(ValueError):
        search_events(store, "a\x00b")
    assert int(store.sql("SELECT count(*) AS n FROM events")["n"].iloc[0]) > 100  # nothing dropped
    assert like_pattern("A%_\\") == "%a\\%\\_\\\\%"


def test_event_record_judges_stage_times_against_the_sla(store):
    r1 = event_record(store, "R1", NOW)
    assert r1 is not None and r1.from_log
    assert r1.event["category_zh"] == "类一" and r1.event["street_zh"] == "百分_街道"
    assert r1.history["stage"].tolist() == ["reported", "responded", "closed"]
    assert r1.history["hours_since_report"].tolist() == [0, 3, 30]
    assert r1.history["note"].tolist()[2] == "按时结案"
    respond, close = r1.sla
    assert (respond.state, respond.hours, respond.due) == ("late", pytest.approx(1), START + 2 * H)
    assert (close.state, close.hours, close.due) == ("late", pytest.approx(6), START + 24 * H)

    r2 = event_record(store, "R2", NOW)  # no log rows: the event's own stage times
    assert r2 is not None and not r2.from_log
    assert r2.history["stage"].tolist() == ["reported", "responded"]
    respond, close = r2.sla
    assert (respond.state, respond.hours) == ("on_time", None)  # exactly at the deadline
    assert (close.state, close.hours) == ("overdue", pytest.approx(6))
    b8 = event_record(store, "B8", NOW)  # responds due exactly at NOW: not yet overdue
    assert b8 is not None and [(c.state, round(c.hours)) for c in b8.sla] == [("pending", 0), ("pending", 22)]
    b7 = event_record(store, "B7", NOW)  # its close time lies after NOW: not closed yet
    assert b7 is not None and b7.sla[1].state == "overdue"
    assert b7.sla[0].state == "overdue"
    b5, b6 = event_record(store, "B5", NOW), event_record(store, "B6", NOW)
    assert b5 is not None and [c.state for c in b5.sla] == ["cancelled", "cancelled"]
    assert b6 is not None and [c.state for c in b6.sla] == ["skipped", "unknown"]
    k1 = event_record(store, "K_1", NOW)
    assert k1 is not None and [c.state for c in k1.sla] == ["on_time", "on_time"]
    for missing in ("K%", "nope", "'; DROP TABLE events; --", "a\x00b", ""):
        assert event_record(store, missing, NOW) is None
