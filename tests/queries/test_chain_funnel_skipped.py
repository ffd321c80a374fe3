"""The chain funnel on events that skip stages (README "Definitions", funnel): reaching a
stage implies passing the earlier ones, so the funnel never grows and every step share is
within 0..100 %. Hand-built events on both backends; every expected value is counted by
hand from the table below.

Category ``a``: respond within 2 h, close within 24 h. Window June 2026, as of 2026-07-01.
Before this rule, 5 events reached 结案 but 1 reached 核查 (to_next 500 %).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from data.contracts import column_names
from queries import DuckDBStore, EventFilter
from queries.answers.chain import funnel_table
from queries.postgis_store import PostGISStore
from tests.queries import chain_reference as ref

START, END = datetime(2026, 6, 1), datetime(2026, 7, 1)
NOW = END
H = timedelta(hours=1)
STAMPS = ["registered_at", "dispatched_at", "responded_at", "resolved_at", "verified_at", "closed_at"]

# id, status, registered, dispatched, responded, resolved, verified, closed (hours after the
# report; None = no time), satisfaction
EVENTS = [
    ("f1", "rated", 1, 2, 3, 4, 5, 6, 5),  # every stage timed, rated
    ("f2", "closed", None, None, None, None, None, 10, None),  # reported and closed only
    ("f3", "rated", None, None, None, None, None, 12, 4),  # reported and closed only, rated
    ("f4", "closed", None, None, None, None, None, None, None),  # closed without any time
    ("f5", "rated", None, None, None, None, None, None, 3),  # rated without any time
    ("f6", "responded", 1, None, 2, None, None, None, None),  # no dispatch time, open
    ("f7", "reported", None, None, None, None, None, None, None),  # open at the report
    ("f8", "cancelled", 1, None, None, None, None, 5, None),  # registered, then cancelled
    ("f9", "resolved", None, None, None, 8, None, None, None),  # only a resolution time, open
]

# stage: reached, waiting (open here), dropped (ended here), skipped (went on to the next
# stage with no time for it); NaN = no next stage (or no time a rating could lack)
EXPECTED = {
    "reported": (9, 1, 0, 5),  # f7 open; registered w/o time: f2 f3 f4 f5 f9
    "registered": (8, 0, 1, 6),  # f8 cancelled; dispatched w/o time: f2 f3 f4 f5 f6 f9
    "dispatched": (7, 0, 0, 5),  # responded w/o time: f2 f3 f4 f5 f9
    "responded": (7, 1, 0, 4),  # f6 open; resolved w/o time: f2 f3 f4 f5
    "resolved": (6, 1, 0, 4),  # f9 open; verified w/o time: f2 f3 f4 f5
    "verified": (5, 0, 0, 2),  # closed w/o time: f4 f5
    "closed": (5, 0, 2, np.nan),  # closed, never rated: f2 f4
    "rated": (3, np.nan, np.nan, np.nan),  # f1 f3 f5
}


def frames() -> dict[str, pd.DataFrame]:
    rows = []
    for k, (eid, status, *stages, rating) in enumerate(EVENTS):
        reported = START + (10 + k) * H
        row = {
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
            "satisfaction": rating,
            "reopened": False,
            "sensor_id": None,
        }
        row.update({col: reported + h * H if h is not None else None for col, h in zip(STAMPS, stages, strict=True)})
        rows.append(row)
    events = pd.DataFrame(rows, columns=column_names("events")).drop(columns=["respond_due_at", "close_due_at"])
    for col in [c for c in events.columns if c.endswith("_at")]:
        events[col] = pd.to_datetime(events[col]).astype("datetime64[us]")
    events["satisfaction"] = events["satisfaction"].astype("Int64")
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


def _funnel(store) -> pd.DataFrame:
    return store.fetch("chain_funnel", **EventFilter(START, END).params(), now=NOW)


def test_funnel_counts_skipped_stages_as_passed(store):
    f = _funnel(store).set_index("stage")
    assert f.index.tolist() == list(EXPECTED)
    for stage, values in EXPECTED.items():
        got = tuple(f.loc[stage, ["reached", "waiting", "dropped", "skipped"]].astype(float))
        np.testing.assert_array_equal(got, values, err_msg=stage)


def test_funnel_shares_stay_within_0_and_100_percent(store):
    table = funnel_table(_funnel(store))
    assert (np.diff(table["reached"].astype(float)) <= 0).all()
    steps = table.iloc[:-1]
    for col in ("to_next", "waiting_share", "dropped_share"):
        assert steps[col].between(0, 1).all(), col
    # every event reaching a stage goes on, is still open there, or ended there
    np.testing.assert_allclose(steps["to_next"] + steps["waiting_share"] + steps["dropped_share"], 1.0)
    assert table.loc[5, "to_next"] == pytest.approx(1.0)  # 核查 → 结案: 5 of 5, not 500 %
    assert steps["skipped_share"].iloc[:6].between(0, 1).all()


def test_reference_implementation_agrees():
    ev = frames()["events"]
    exp = ref.funnel(ev, pd.Timestamp(NOW)).set_index("stage")
    for stage, values in EXPECTED.items():
        got = tuple(exp.loc[stage, ["reached", "waiting", "dropped", "skipped"]].astype(float))
        np.testing.assert_array_equal(got, values, err_msg=stage)
