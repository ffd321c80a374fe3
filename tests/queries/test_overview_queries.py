"""Each overview query equals an independent pandas computation on the small city."""

from __future__ import annotations

from datetime import date

import h3
import numpy as np
import pandas as pd
import pytest

from queries import EventFilter
from queries.answers.kpis import overview_kpis
from tests.conftest import NOW

FILTERS = {
    "month": EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30)),
    "quarter-two-categories": EventFilter.for_dates(
        date(2026, 4, 1), date(2026, 6, 30), categories=["garbage", "noise"]
    ),
    "sources-and-street": EventFilter.for_dates(
        date(2026, 5, 10), date(2026, 6, 20), sources=["hotline", "app"], street_ids=["110199003"]
    ),
    "empty": EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30), categories=["no-such-category"]),
}


@pytest.fixture(scope="module")
def events(small_city) -> pd.DataFrame:
    sla = small_city.categories.set_index("code")["sla_close_h"]
    ev = small_city.events.copy()
    ev["deadline"] = ev["reported_at"] + pd.to_timedelta(ev["category"].map(sla), unit="h")
    return ev


def select(ev: pd.DataFrame, flt: EventFilter, start=None, end=None) -> pd.DataFrame:
    start = pd.Timestamp(start or flt.start)
    end = pd.Timestamp(end or flt.end)
    m = (ev["reported_at"] >= start) & (ev["reported_at"] < end)
    for col, values in (
        ("category", flt.categories),
        ("source", flt.sources),
        ("street_id", flt.street_ids),
        ("department", flt.departments),
    ):
        if values:
            m &= ev[col].isin(values)
    return ev[m]


def expected_kpis(ev: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    closed = ev["closed_at"] < as_of
    on_time = closed & (ev["closed_at"] <= ev["deadline"])
    overdue = ~closed & (ev["deadline"] < as_of)
    rated = closed & ev["satisfaction"].notna()
    return {
        "events": len(ev),
        "closed": int(closed.sum()),
        "closed_on_time": int(on_time.sum()),
        "open_overdue": int(overdue.sum()),
        "rated": int(rated.sum()),
        "satisfied": int((rated & (ev["satisfaction"] >= 4)).sum()),
    }


@pytest.mark.parametrize("name", FILTERS)
def test_kpi_summary(small_store, events, name):
    flt = FILTERS[name]
    got = small_store.fetch("kpi_summary", **flt.params(), prev_start=flt.previous().start, now=NOW)
    got = got.set_index("period")
    cur = expected_kpis(select(events, flt), min(pd.Timestamp(flt.end), pd.Timestamp(NOW)))
    prev = expected_kpis(select(events, flt, flt.previous().start, flt.start), pd.Timestamp(flt.start))
    for col, value in cur.items():
        assert got.loc["current", col] == value, col
        assert got.loc["previous", col] == prev[col], col
    if name == "month":
        assert cur["events"] > 1000 and cur["open_overdue"] > 0 and cur["closed_on_time"] < cur["closed"]


def test_overview_kpis_rates(small_store, events):
    flt = FILTERS["month"]
    k = overview_kpis(small_store, flt, NOW)["current"]
    e = expected_kpis(select(events, flt), pd.Timestamp(NOW))
    assert k.closure_rate == pytest.approx(e["closed"] / e["events"], abs=1e-12)
    assert k.on_time_rate == pytest.approx(e["closed_on_time"] / (e["closed"] + e["open_overdue"]), abs=1e-12)
    assert k.satisfaction_rate == pytest.approx(e["satisfied"] / e["rated"], abs=1e-12)
    empty = overview_kpis(small_store, FILTERS["empty"], NOW)["current"]
    assert empty.events == 0 and empty.closure_rate is None and empty.satisfaction_rate is None


@pytest.mark.parametrize("res", [7, 8, 9, 10])
@pytest.mark.parametrize("name", ["month", "sources-and-street"])
def test_count_events_by_cell(small_store, events, res, name):
    flt = FILTERS[name]
    got = small_store.fetch("count_events_by_cell", **flt.params(), res=res, now=NOW)
    sel = select(events, flt)
    parent = sel["h3"].map(lambda c: h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)))
    overdue = sel["closed_at"].isna() & (sel["deadline"] < pd.Timestamp(NOW))
    exp = (
        pd.DataFrame({"cell": parent, "closed": sel["closed_at"].notna(), "od": overdue})
        .groupby("cell")
        .agg(events=("closed", "size"), closed=("closed", "sum"), open_overdue=("od", "sum"))
    )
    exp = exp.reset_index().sort_values(["events", "cell"], ascending=[False, True]).reset_index(drop=True)
    assert got["cell"].tolist() == exp["cell"].tolist()
    assert got["events"].tolist() == exp["events"].tolist()
    assert got["closed"].tolist() == exp["closed"].tolist()
    assert got["open_overdue"].tolist() == exp["open_overdue"].tolist()


@pytest.mark.parametrize("level", ["street", "community", "grid"])
def test_count_events_by_area(small_store, small_city, events, level):
    flt = FILTERS["quarter-two-categories"]
    got = small_store.fetch("count_events_by_area", **flt.params(), level=level, now=NOW)
    areas = small_city.areas[small_city.areas["level"] == level]
    sel = select(events, flt)
    counts = sel.groupby(f"{level}_id").size()
    assert len(got) == len(areas)
    assert set(got["area_id"]) == set(areas["area_id"])
    got_counts = got.set_index("area_id")["events"]
    assert (
        got_counts.reindex(areas["area_id"]).to_numpy() == counts.reindex(areas["area_id"], fill_value=0).to_numpy()
    ).all()
    assert got["events"].is_monotonic_decreasing
    closed = sel.groupby(f"{level}_id")["closed_at"].count()
    assert (got.set_index("area_id")["closed"].reindex(closed.index) == closed).all()


@pytest.mark.parametrize("name", ["month", "quarter-two-categories", "sources-and-street"])
def test_daily_trend(small_store, events, name):
    flt = FILTERS[name]
    got = small_store.fetch("daily_trend", **flt.params(), prev_start=flt.previous().start)
    for period, (s, e) in {"current": (flt.start, flt.end), "previous": (flt.previous().start, flt.start)}.items():
        sel = select(events, flt, s, e)
        exp = sel.groupby(sel["reported_at"].dt.normalize()).size()
        part = got[got["period"] == period]
        assert pd.to_datetime(part["day"]).tolist() == exp.index.tolist()
        assert part["events"].tolist() == exp.tolist()


def test_street_ranking(small_store, small_city, events):
    flt = FILTERS["month"]
    got = small_store.fetch("street_ranking", **flt.params(), now=NOW, limit=10)
    sel = select(events, flt)
    as_of = pd.Timestamp(NOW)
    g = sel.assign(
        closed=sel["closed_at"] < as_of,
        on_time=(sel["closed_at"] < as_of) & (sel["closed_at"] <= sel["deadline"]),
        overdue=~(sel["closed_at"] < as_of) & (sel["deadline"] < as_of),
    ).groupby("street_id")
    exp = g.agg(
        events=("closed", "size"), closed=("closed", "sum"), on_time=("on_time", "sum"), overdue=("overdue", "sum")
    ).reset_index()
    exp = exp.sort_values(["events", "street_id"], ascending=[False, True]).head(10).reset_index(drop=True)
    assert got["street_id"].tolist() == exp["street_id"].tolist()
    assert got["events"].tolist() == exp["events"].tolist()
    np.testing.assert_allclose(got["closure_rate"], exp["closed"] / exp["events"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["on_time_rate"], exp["on_time"] / (exp["closed"] + exp["overdue"]), atol=1e-12)
    names = small_city.areas.set_index("area_id")["name_zh"]
    assert got["name_zh"].tolist() == names.loc[got["street_id"]].tolist()


def test_lookups(small_store, small_city):
    cats = small_store.fetch("list_categories")
    assert cats["code"].tolist() == sorted(small_city.categories["code"])
    assert small_store.fetch("list_departments")["code"].tolist() == sorted(small_city.departments["code"])
    streets = small_store.fetch("list_areas", level="street")
    assert streets["area_id"].tolist() == sorted(small_city.areas.loc[small_city.areas["level"] == "street", "area_id"])
    shapes = small_store.fetch("area_shapes", level="grid")
    assert len(shapes) == (small_city.areas["level"] == "grid").sum()
    rng = small_store.fetch("event_date_range").iloc[0]
    assert rng["events"] == len(small_city.events)
    assert rng["last_reported"] == small_city.events["reported_at"].max()
