"""The most overdue cases when the limit cuts the list: picked by close deadline before their
names are joined (``overdue_backlog_cases.sql``, ``overdue_cases.sql``), on both backends. The store is
issue 16's hand-built one (tests/queries/test_issue16_answers.py) with three more open cases
T3, T1, T2 (inserted in that order) that share one deadline: ties go by event id.
"""

from __future__ import annotations

import pandas as pd
import pytest

from queries import EventFilter
from queries.answers.backlog import overdue_backlog
from queries.answers.chain import overdue_cases
from tests.queries.conftest import store_holding
from tests.queries.test_issue16_answers import END, NOW, START, D, _event, frames

TIED = ["T3", "T1", "T2"]
"""Category c1 (close within 24 h), reported 10 days before NOW: 9 days past the deadline."""

FULL = ["B4", "B9", "T1", "T2", "T3", "B3", "B7", "B2", "R2", "B1"]
"""Every open overdue case, most hours past the deadline first: B4 200 days before NOW less
the 24 h allowed, B9 10 days, T1-T3 9 days, B3 5 days, B7 2 days, B2 1 day, R2 6 h, B1 1 h."""

IN_WINDOW = ["T1", "T2", "T3", "B3", "B7", "B2", "R2", "B1"]
"""The open overdue cases reported in START .. END (B4 and B9 before it), as of NOW = END."""


def _frames() -> dict[str, pd.DataFrame]:
    out = frames()
    events = out["events"]
    extra = pd.DataFrame(
        [_event(eid, "c1", "d1", "s3", "reported", NOW - 10 * D, None, None, "tied deadline") for eid in TIED]
    )
    extra = extra[list(events.columns)]
    for col in [c for c in extra.columns if c.endswith("_at")]:
        extra[col] = pd.to_datetime(extra[col]).astype("datetime64[us]")
    extra["satisfaction"] = extra["satisfaction"].astype("Int64")
    out["events"] = pd.concat([events, extra], ignore_index=True)
    return out


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request):
    s = store_holding(request.param, _frames(), request)
    yield s
    s.close()


def test_every_limit_keeps_the_most_overdue_cases_in_order_with_ties_by_id(store):
    flt = EventFilter(START, END)
    cases = overdue_backlog(store, flt, NOW).cases
    assert cases["event_id"].tolist() == FULL
    tied = cases.set_index("event_id").loc[["T1", "T2", "T3"]]
    assert tied["hours_overdue"].tolist() == [9 * 24.0] * 3
    assert tied["category_zh"].tolist() == ["类一"] * 3 and tied["street_en"].tolist() == ["Pct_St"] * 3
    for limit in range(1, len(FULL) + 1):
        cut = overdue_backlog(store, flt, NOW, limit=limit).cases
        assert cut["event_id"].tolist() == FULL[:limit]
        pd.testing.assert_frame_equal(cut, cases.head(limit))
    # the lists apply before the cut: c1 only drops B9 (c2)
    only_c1 = overdue_backlog(store, EventFilter(START, END, categories=("c1",)), NOW, limit=3)
    assert only_c1.cases["event_id"].tolist() == ["B4", "T1", "T2"]


def test_the_windows_overdue_cases_at_every_limit_are_the_head_of_the_full_list(store):
    flt = EventFilter(START, END)
    full = overdue_cases(store, flt, NOW)
    assert full["event_id"].tolist() == IN_WINDOW
    assert full.set_index("event_id").loc["T2", "hours_overdue"] == 9 * 24.0
    assert full.set_index("event_id").loc["T3", "department_zh"] == "部门一"
    for limit in range(1, len(IN_WINDOW) + 1):
        pd.testing.assert_frame_equal(overdue_cases(store, flt, NOW, limit=limit), full.head(limit))
