"""Every figure of the brief's data model equals an independent pandas computation on the
brief's test city (tests/brief/conftest.py) for the same week: district and one street."""

from __future__ import annotations

from datetime import datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.emerging import emerging_hotspots
from geo.weights import h3_kring_weights
from queries.answers.brief import IsoWeek, weekly_brief
from queries.answers.brief_sections import HOTSPOT_KINDS, HOTSPOT_WEEKS, OVERDUE_TOP

from . import reference as ref
from .conftest import NOW, STREET, WEEK

W = IsoWeek.parse(WEEK)


@pytest.fixture(scope="module", params=[None, STREET], ids=["district", "street"])
def case(request, brief_store, brief_city):
    street = request.param
    return street, weekly_brief(brief_store, WEEK, street, now=NOW), brief_city


def _same(got, exp):
    if exp is None:
        assert got is None
    else:
        assert got == pytest.approx(exp, rel=1e-12)


def test_headline_this_week_previous_and_last_year(case):
    street, brief, city = case
    h = brief.headline
    for k, (start, end) in {
        "current": (W.start, W.end),
        "previous": (W.previous().start, W.start),
        "last_year": (W.last_year().start, W.last_year().end),
    }.items():
        exp = ref.kpis(ref.window(city.events, start, end, street), min(end, NOW))
        got = getattr(h, k)
        assert got is not None, k
        assert got.events == exp["events"] > 0
        assert got.open_overdue == exp["open_overdue"]
        for rate in ("closure_rate", "on_time_rate", "satisfaction_rate"):
            _same(getattr(got, rate), exp[rate])
    assert h.daily_average() == pytest.approx(h.current.events / 7)
    assert brief.as_of == W.end and brief.week.label == WEEK
    assert h.current.cancelled > 0 or street  # the test city has cancelled events


@pytest.mark.parametrize("dim", ["source", "category"])
def test_sources_and_categories_with_movers(case, dim):
    street, brief, city = case
    mix = brief.by_source if dim == "source" else brief.by_category
    t = mix.table.set_index("key")
    for col, (start, end) in {
        "events": (W.start, W.end),
        "prev_events": (W.previous().start, W.start),
        "ly_events": (W.last_year().start, W.last_year().end),
    }.items():
        exp = ref.window(city.events, start, end, street)[dim].value_counts()
        assert t[col].sum() == exp.sum() > 0
        assert (t[col].reindex(exp.index) == exp).all(), col
    cur = ref.window(city.events, W.start, W.end, street)[dim].value_counts()
    np.testing.assert_allclose(t["share"].reindex(cur.index), cur / cur.sum())
    change = (t["events"] - t["prev_events"]).sort_values(ascending=False)
    up = mix.movers_up()
    assert (up["change"] > 0).all() and list(up["change"]) == sorted(change[change > 0], reverse=True)[:3]
    down = mix.movers_down()
    assert (down["change"] < 0).all() and list(down["change"]) == sorted(change[change < 0])[:3]
    assert mix.has_previous and mix.has_last_year


def test_supervision_most_overdue_and_per_department(case):
    street, brief, city = case
    s = brief.supervision
    first = city.events["reported_at"].min().normalize()
    assert s.since == first
    exp = ref.overdue(ref.window(city.events, first, W.end, street), W.end)
    assert s.total == len(exp) > 0
    assert list(s.cases["event_id"]) == list(exp["event_id"].head(OVERDUE_TOP))
    np.testing.assert_allclose(s.cases["hours_overdue"], exp["hours_overdue"].head(OVERDUE_TOP))
    per_dept = exp["department"].value_counts()
    assert s.by_department.set_index("department")["open_overdue"].to_dict() == per_dept.to_dict()
    before = ref.overdue(ref.window(city.events, first, W.start, street), W.start)
    assert s.previous_total == len(before)


def test_department_ranking_with_minimum_count(case):
    street, brief, city = case
    table = brief.departments.table.set_index("department")
    exp = ref.departments(ref.window(city.events, W.start, W.end, street), W.end)
    assert set(table.index) == set(exp.index)
    for col in ("events", "on_time_rate", "closure_rate", "satisfaction_rate", "reopen_rate", "median_close_h"):
        np.testing.assert_allclose(
            table.loc[exp.index, col].astype(float), exp[col].astype(float), rtol=1e-9, err_msg=col
        )
    ranked = table[table["rank"].notna()]
    assert set(ranked.index) == set(exp.index[exp["events"] >= brief.departments.min_events])
    order = ranked.sort_values("rank")
    keys = list(zip(-order["on_time_rate"], -order["closure_rate"], -order["events"], strict=True))
    assert keys == sorted(keys)
    prev = ref.departments(ref.window(city.events, W.previous().start, W.start, street), W.start)
    np.testing.assert_allclose(
        table.loc[prev.index, "prev_on_time_rate"].astype(float), prev["on_time_rate"].astype(float), rtol=1e-9
    )


def test_sensor_alarms_events_and_on_time(case):
    street, brief, city = case
    streets = ref.street_of_grid(city.areas)
    for which, (start, end) in {"current": (W.start, W.end), "previous": (W.previous().start, W.start)}.items():
        exp = ref.alarms(city.readings, city.sensors, city.events, start, end, min(end, NOW), streets, street)
        got = getattr(brief.sensors, which)
        assert (got.alarms, got.to_events, got.closed_on_time) == (
            exp["alarms"],
            exp["to_events"],
            exp["closed_on_time"],
        )
    assert brief.sensors.current.alarms > 0
    assert brief.sensors.last_year is None  # the city's readings cover three weeks: no readings, no comparison


def test_district_map_counts(case):
    street, brief, city = case
    d = brief.district
    assert d.level == "grid"
    exp = ref.window(city.events, W.start, W.end, street)["grid_id"].value_counts()
    got = d.counts.set_index("unit_id")["events"]
    assert (got[got > 0].sort_index() == exp.sort_index()).all()
    grids = city.areas[city.areas["level"] == "grid"]
    if street:
        grids = grids[grids["area_id"].map(ref.street_of_grid(city.areas)) == street]
    assert set(d.shapes["area_id"]) == set(grids["area_id"])


def test_hotspots_are_the_emerging_analysis_of_the_weekly_counts(case):
    street, brief, city = case
    hs = brief.hotspots
    assert hs.reason is None and hs.weeks == HOTSPOT_WEEKS
    assert hs.end == W.end and hs.start == W.end - timedelta(weeks=HOTSPOT_WEEKS)
    ev = ref.window(city.events, hs.start, hs.end, street)
    cells = np.array([h3.cell_to_parent(h3.int_to_str(int(c)), 9) for c in ev["h3"]])
    age = ((pd.Timestamp(hs.end) - ev["reported_at"]).dt.total_seconds() // (7 * 86400)).astype(int).to_numpy()
    # pandas weekly counts on the analysed extent, then the same statistic as the hotspot page
    ids = np.array(sorted(set(_all_cells(street, city, cells))))
    matrix = np.zeros((HOTSPOT_WEEKS, len(ids)))
    np.add.at(matrix, (HOTSPOT_WEEKS - 1 - age, np.searchsorted(ids, cells)), 1)
    weights = h3_kring_weights(np.array([int(c, 16) for c in ids], dtype=np.int64), 1)
    order = np.searchsorted(ids, [h3.int_to_str(int(c)) for c in weights.ids])
    cats = emerging_hotspots(matrix[:, order], weights, confidence=0.90, fdr=True).categories
    by_cell = dict(zip([ids[i] for i in order], cats, strict=True))
    expected = {c for c, k in by_cell.items() if k in HOTSPOT_KINDS}
    assert set(hs.table["unit_id"]) == expected and expected
    assert all(by_cell[c] == k for c, k in zip(hs.table["unit_id"], hs.table["label"], strict=True))
    for kind in HOTSPOT_KINDS:
        assert hs.counts.get(kind, 0) == sum(k == kind for k in by_cell.values())
    window_counts = pd.Series(cells).value_counts()
    week_counts = pd.Series(cells[age == 0]).value_counts()
    assert (hs.table.set_index("unit_id")["events"] == window_counts.reindex(hs.table["unit_id"]).fillna(0)).all()
    assert (hs.table.set_index("unit_id")["week_events"] == week_counts.reindex(hs.table["unit_id"]).fillna(0)).all()
    grids = city.areas[city.areas["level"] == "grid"]
    for _, row in hs.table.head(5).iterrows():
        lat, lng = h3.cell_to_latlng(row["unit_id"])
        inside = grids[shapely.covers(grids["geom"].to_numpy(), shapely.Point(lng, lat))]
        assert row["grid_id"] == (sorted(inside["area_id"])[0] if len(inside) else None)
        assert row["grid_zh"] == (inside.set_index("area_id").loc[row["grid_id"], "name_zh"] if len(inside) else "")


def _all_cells(street, city, event_cells):
    """The analysed extent: the hotspot service's cells (whose ids the table holds) — every
    cell of the district (street) whose centre lies inside, plus every cell with an event."""
    from geo.weights import h3_extent_cells

    level = "street" if street else "district"
    areas = city.areas[city.areas["level"] == level]
    if street:
        areas = areas[areas["area_id"] == street]
    ext = h3_extent_cells(
        list(areas["geom"]), 9, event_cells=np.array([int(c, 16) for c in event_cells], dtype=np.int64)
    )
    return [h3.int_to_str(int(c)) for c in ext]


def test_a_week_without_events(brief_store):
    brief = weekly_brief(brief_store, "2026-W40", now=datetime(2026, 12, 1))
    assert not brief.has_events and brief.headline.current.events == 0
    assert brief.headline.current.closure_rate is None
    assert brief.by_source.table["events"].sum() == 0 and len(brief.departments.table) == 0
    assert brief.hotspots.reason == "no_events" and len(brief.hotspots.table) == 0
    assert brief.sensors.current is None
    assert brief.headline.last_year is not None and brief.headline.last_year.events > 0
    assert brief.supervision.total > 0  # the backlog is still there at the week's end


def test_a_week_before_the_data(brief_store):
    brief = weekly_brief(brief_store, "2024-W10", now=NOW)
    assert brief.headline.previous is None and brief.headline.last_year is None
    assert brief.hotspots.reason == "too_few_weeks" and not brief.by_source.has_previous
