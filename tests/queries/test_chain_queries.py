"""Each governance-chain query equals an independent pandas computation on the small city."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from queries import EventFilter
from tests.conftest import NOW
from tests.queries import chain_reference as ref

FILTERS = {
    "month": EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30)),
    # a past window: judged as of its end (1 April), not as of now
    "march-past": EventFilter.for_dates(date(2026, 3, 1), date(2026, 3, 31)),
    "filtered": EventFilter.for_dates(
        date(2026, 4, 1),
        date(2026, 6, 30),
        categories=["garbage", "noise", "manhole"],
        sources=["hotline", "app", "patrol", "sensor"],
        street_ids=["110199003", "110199007"],
    ),
}


@pytest.fixture(scope="module")
def events(small_city) -> pd.DataFrame:
    return ref.with_deadlines(small_city.events, small_city.categories)


def _params(flt: EventFilter) -> dict:
    return {**flt.params(), "now": NOW}


def _assert_row(got: pd.Series, expected: dict, label: str) -> None:
    for col, value in expected.items():
        if isinstance(value, float) and np.isnan(value):
            assert pd.isna(got[col]), f"{label} {col}: {got[col]} != NaN"
        elif isinstance(value, float):
            assert got[col] == pytest.approx(value, rel=1e-9, abs=1e-9), f"{label} {col}"
        else:
            assert got[col] == value, f"{label} {col}: {got[col]} != {value}"


@pytest.mark.parametrize("name", FILTERS)
def test_chain_funnel(small_store, events, name):
    flt = FILTERS[name]
    got = small_store.fetch("chain_funnel", **_params(flt))
    exp = ref.funnel(ref.select(events, flt), ref.as_of(flt, NOW))
    assert got["stage"].tolist() == exp["stage"].tolist()
    for col in ("reached", "waiting", "dropped"):
        np.testing.assert_array_equal(got[col].astype(float).to_numpy(), exp[col].astype(float).to_numpy(), err_msg=col)
    if name == "march-past":  # events still open on 1 April, although closed since
        assert exp["waiting"].iloc[:6].sum() > 0


@pytest.mark.parametrize("by,column", [("department", "department"), ("category", "category"), ("source", "source")])
@pytest.mark.parametrize("name", ["month", "filtered"])
def test_stage_durations(small_store, events, by, column, name):
    flt = FILTERS[name]
    got = small_store.fetch("stage_durations", **_params(flt), by=by).set_index("group_key")
    sel = ref.select(events, flt)
    assert set(got.index) == set(sel[column].dropna())
    for key, group in sel.groupby(column):
        exp = {"events": len(group), **ref.durations(group, ref.as_of(flt, NOW))}
        _assert_row(got.loc[key], exp, f"{by}={key}")
    if by == "department":
        names = small_store.fetch("list_departments").set_index("code")["name_zh"]
        assert (got["name_zh"] == names.reindex(got.index)).all()


@pytest.mark.parametrize("name", FILTERS)
def test_sla_compliance(small_store, small_city, events, name):
    flt = FILTERS[name]
    got = small_store.fetch("sla_compliance", **_params(flt)).set_index("code")
    assert list(got.index) == sorted(small_city.categories["code"])
    sel = ref.select(events, flt)
    for code in got.index:
        exp = ref.counts(sel[sel["category"] == code], ref.as_of(flt, NOW))
        _assert_row(got.loc[code], exp, code)
    sla = small_city.categories.set_index("code")
    assert (got["sla_close_h"] == sla["sla_close_h"].reindex(got.index)).all()


@pytest.mark.parametrize("name", FILTERS)
def test_overdue_cases_and_by_department(small_store, events, name):
    flt = FILTERS[name]
    at = ref.as_of(flt, NOW)
    sel = ref.select(events, flt)
    overdue = sel[~ref.before(sel["closed_at"], at) & (sel["close_deadline"] < at)].copy()
    overdue["hours_overdue"] = (at - overdue["close_deadline"]).dt.total_seconds() / 3600
    overdue = overdue.sort_values(["hours_overdue", "event_id"], ascending=[False, True])
    got = small_store.fetch("overdue_cases", **_params(flt), limit=25)
    assert got["event_id"].tolist() == overdue["event_id"].head(25).tolist()
    np.testing.assert_allclose(got["hours_overdue"], overdue["hours_overdue"].head(25), rtol=1e-12)
    assert (got["hours_overdue"] > 0).all()
    # the stage column: the last stage reached before the as-of time
    stamps = ["verified_at", "resolved_at", "responded_at", "dispatched_at", "registered_at"]
    for row in got.itertuples():
        ev = overdue.set_index("event_id").loc[row.event_id]
        reached = [s[:-3] for s in stamps if pd.notna(ev[s]) and ev[s] < at]
        assert row.stage == (reached[0] if reached else "reported")
        assert row.grid_id == ev["grid_id"] and row.street_id == ev["street_id"]

    by_dept = small_store.fetch("overdue_by_department", **_params(flt)).set_index("department")
    exp = overdue.groupby("department")["hours_overdue"].agg(["size", "median", "max"])
    assert by_dept["open_overdue"].sum() == len(overdue)
    for dept, row in exp.iterrows():
        assert by_dept.loc[dept, "open_overdue"] == row["size"]
        assert by_dept.loc[dept, "median_hours_overdue"] == pytest.approx(row["median"], rel=1e-12)
        assert by_dept.loc[dept, "max_hours_overdue"] == pytest.approx(row["max"], rel=1e-12)
    if name == "month":
        assert len(overdue) > 10


def _expected_ranking(groups: dict[str, pd.DataFrame], at: pd.Timestamp, min_events: int) -> pd.DataFrame:
    rows = {key: ref.counts(g, at) for key, g in groups.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    ranked = table[table["events"] >= min_events].copy()
    order = ranked.sort_values(["on_time_rate", "closure_rate", "events"], ascending=False, na_position="last")
    ranked["rank"] = (
        order[["on_time_rate", "closure_rate", "events"]]
        .fillna(-1)
        .apply(tuple, axis=1)
        .rank(method="min", ascending=False)
    )
    table["rank"] = ranked["rank"]
    return table


@pytest.mark.parametrize("min_events", [1, 120])
@pytest.mark.parametrize("name", ["month", "filtered"])
def test_department_ranking(small_store, events, name, min_events):
    flt = FILTERS[name]
    got = small_store.fetch("department_ranking", **_params(flt), min_events=min_events)
    sel = ref.select(events, flt)
    exp = _expected_ranking(dict(tuple(sel.groupby("department"))), ref.as_of(flt, NOW), min_events)
    assert set(got["department"]) == set(exp.index)
    for row in got.itertuples():
        e = exp.loc[row.department]
        _assert_row(got.set_index("department").loc[row.department], e.drop("rank").to_dict(), row.department)
        assert (pd.isna(row.rank) and pd.isna(e["rank"])) or row.rank == e["rank"], row.department
    # unranked (too few events) come last; ranked ones in rank order
    ranks = got["rank"].to_numpy(dtype=float)
    n = int(np.isfinite(ranks).sum())
    assert np.isfinite(ranks[:n]).all() and np.isnan(ranks[n:]).all()
    assert (np.diff(ranks[:n]) >= 0).all()
    if min_events > 1 and name == "filtered":
        assert n < len(got), "the minimum should leave some department unranked here"


@pytest.mark.parametrize("level,parent", [("street", None), ("community", "110199003"), ("grid", "110199003002")])
def test_area_ranking(small_store, small_city, events, level, parent):
    flt = FILTERS["month"]
    got = small_store.fetch("area_ranking", **_params(flt), level=level, parent_id=parent, min_events=10)
    areas = small_city.areas[small_city.areas["level"] == level]
    if parent:
        areas = areas[areas["parent_id"] == parent]
    assert sorted(got["area_id"]) == sorted(areas["area_id"])
    column = {"street": "street_id", "community": "community_id", "grid": "grid_id"}[level]
    sel = ref.select(events, flt)
    groups = {a: sel[sel[column] == a] for a in areas["area_id"]}
    exp = _expected_ranking(groups, ref.as_of(flt, NOW), 10)
    for row in got.itertuples():
        e = exp.loc[row.area_id]
        _assert_row(got.set_index("area_id").loc[row.area_id], e.drop("rank").to_dict(), row.area_id)
        assert (pd.isna(row.rank) and pd.isna(e["rank"])) or row.rank == e["rank"], row.area_id
    if level == "grid":
        assert got["events"].min() < 10 and got["rank"].isna().any()


@pytest.mark.parametrize("name", FILTERS)
def test_source_comparison(small_store, events, name):
    flt = FILTERS[name]
    at = ref.as_of(flt, NOW)
    got = small_store.fetch("source_comparison", **_params(flt)).set_index("source")
    sel = ref.select(events, flt)
    assert set(got.index) == set(sel["source"])
    assert got["share"].sum() == pytest.approx(1.0)
    for src, group in sel.groupby("source"):
        exp = ref.counts(group, at)
        exp["share"] = len(group) / len(sel)
        responded = ref.before(group["responded_at"], at)
        exp["median_respond_h"] = float(np.median(ref.hours(group["responded_at"], group["reported_at"])[responded]))
        _assert_row(got.loc[src], exp, src)
