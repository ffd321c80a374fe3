"""The hotspot page's queries equal independent pandas computations on the small city."""

from __future__ import annotations

from datetime import date

import h3
import numpy as np
import pandas as pd
import pytest

from queries import EventFilter

FILTERS = {
    "year": EventFilter.for_dates(date(2025, 7, 1), date(2026, 6, 30)),
    "quarter-filtered": EventFilter.for_dates(
        date(2026, 3, 20), date(2026, 6, 30), categories=["garbage", "noise"], sources=["hotline", "app", "patrol"]
    ),
    "street-and-department": EventFilter.for_dates(
        date(2026, 1, 1), date(2026, 6, 15), street_ids=["110199003"], departments=["urban_mgmt", "street_office"]
    ),
}
LEVEL_COLUMN = {"street": "street_id", "community": "community_id", "grid": "grid_id"}


def select(ev: pd.DataFrame, flt: EventFilter) -> pd.DataFrame:
    m = (ev["reported_at"] >= pd.Timestamp(flt.start)) & (ev["reported_at"] < pd.Timestamp(flt.end))
    for col, values in (
        ("category", flt.categories),
        ("source", flt.sources),
        ("street_id", flt.street_ids),
        ("department", flt.departments),
    ):
        if values:
            m &= ev[col].isin(values)
    return ev[m]


def parent(cells: pd.Series, res: int) -> np.ndarray:
    return np.array([h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in cells], dtype=np.int64)


def age_slice(ev: pd.DataFrame, flt: EventFilter, days: int) -> np.ndarray:
    age = (pd.Timestamp(flt.end) - ev["reported_at"]).dt.total_seconds()
    return np.floor(age / (86400 * days)).astype(int).to_numpy()


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize(("res", "days"), [(9, 7), (8, 14)])
def test_count_events_by_cell_slice(small_store, small_city, name, res, days) -> None:
    flt = FILTERS[name]
    ev = select(small_city.events, flt)
    exp = (
        pd.DataFrame({"cell": parent(ev["h3"], res), "age_slice": age_slice(ev, flt, days)})
        .groupby(["cell", "age_slice"])
        .size()
        .rename("events")
        .reset_index()
    )
    got = small_store.fetch("count_events_by_cell_slice", **flt.params(), res=res, slice_days=days)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got.astype("int64"), exp.astype("int64"))


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize("level", ["street", "community", "grid"])
def test_count_events_by_area_slice(small_store, small_city, name, level) -> None:
    flt = FILTERS[name]
    ev = select(small_city.events, flt)
    ev = ev[ev[LEVEL_COLUMN[level]].notna()]
    exp = (
        pd.DataFrame({"area_id": ev[LEVEL_COLUMN[level]].astype(str), "age_slice": age_slice(ev, flt, 7)})
        .groupby(["area_id", "age_slice"])
        .size()
        .rename("events")
        .reset_index()
    )
    got = small_store.fetch("count_events_by_area_slice", **flt.params(), level=level, slice_days=7)
    assert got["events"].sum() == len(ev)
    pd.testing.assert_frame_equal(
        got.astype({"area_id": str, "age_slice": "int64", "events": "int64"}),
        exp.astype({"area_id": str, "age_slice": "int64", "events": "int64"}),
    )


def _busiest_cell(ev: pd.DataFrame, res: int) -> int:
    cells = pd.Series(parent(ev["h3"], res))
    return int(cells.value_counts().index[0])


@pytest.mark.parametrize("name", FILTERS)
def test_cell_drill_down(small_store, small_city, name) -> None:
    flt = FILTERS[name]
    ev = select(small_city.events, flt)
    cell = _busiest_cell(ev, 9)
    inside = ev[parent(ev["h3"], 9) == cell].sort_values(["reported_at", "event_id"], ascending=[False, True])
    got = small_store.fetch("list_cell_events", **flt.params(), res=9, cell=cell, limit=25)
    assert got["event_id"].tolist() == inside["event_id"].head(25).tolist()
    assert {"reported_at", "category", "status", "department", "description"} <= set(got.columns)
    weekly = small_store.fetch("weekly_cell_events", **flt.params(), res=9, cell=cell)
    exp = inside["reported_at"].dt.to_period("W-SUN").dt.start_time.dt.date.value_counts().sort_index()
    assert [pd.Timestamp(w).date() for w in weekly["week"]] == list(exp.index)
    assert weekly["events"].tolist() == exp.tolist()


@pytest.mark.parametrize("level", ["street", "community", "grid"])
def test_area_drill_down(small_store, small_city, level) -> None:
    flt = FILTERS["quarter-filtered"]
    ev = select(small_city.events, flt)
    area = ev[LEVEL_COLUMN[level]].value_counts().index[0]
    inside = ev[ev[LEVEL_COLUMN[level]] == area].sort_values(["reported_at", "event_id"], ascending=[False, True])
    got = small_store.fetch("list_area_events", **flt.params(), level=level, area_id=area, limit=40)
    assert got["event_id"].tolist() == inside["event_id"].head(40).tolist()
    weekly = small_store.fetch("weekly_area_events", **flt.params(), level=level, area_id=area)
    exp = inside["reported_at"].dt.to_period("W-SUN").dt.start_time.dt.date.value_counts().sort_index()
    assert weekly["events"].tolist() == exp.tolist() and weekly["events"].sum() == len(inside)
