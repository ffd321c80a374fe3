"""The demo city: deterministic, exact tiling, events inside their grids, ordered lifecycles,
and the planted patterns really in the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import shapely
from shapely import STRtree

from data.contracts import STAGE_COLUMNS, column_names
from data.demo import generate_city
from data.demo.geometry import lnglat_to_metres
from tests.conftest import END_DATE


def test_same_seed_same_city(small_city):
    again = generate_city("small", seed=42, end_date=END_DATE)
    pdt.assert_frame_equal(again.events, small_city.events)
    pdt.assert_frame_equal(again.readings, small_city.readings)
    assert shapely.equals_exact(again.areas["geom"].to_numpy(), small_city.areas["geom"].to_numpy(), 0).all()
    other = generate_city("small", seed=7, end_date=END_DATE)
    assert len(other.events) != len(small_city.events) or not other.events["lon"].equals(small_city.events["lon"])


def test_sizes_of_the_city(small_city):
    levels = small_city.areas["level"].value_counts()
    assert levels["district"] == 1
    assert 8 <= levels["street"] <= 12
    assert 80 <= levels["community"] <= 120
    assert 1_400 <= levels["grid"] <= 1_600
    assert 30_000 <= len(small_city.events) <= 45_000
    assert list(small_city.events.columns) == column_names("events")


@pytest.mark.parametrize("child,parent", [("grid", "community"), ("community", "street"), ("street", "district")])
def test_every_level_tiles_its_parent(small_city, child, parent):
    areas = small_city.areas
    kids = areas[areas["level"] == child]
    for pid, geom in areas.loc[areas["level"] == parent, ["area_id", "geom"]].itertuples(index=False):
        members = kids.loc[kids["parent_id"] == pid, "geom"].to_numpy()
        assert len(members) > 0
        union = shapely.union_all(members)
        assert shapely.symmetric_difference(union, geom).area < 1e-9 * max(geom.area, 1e-12) + 1e-15
        # Sum of member areas equals the parent's: overlaps have zero area.
        assert abs(shapely.area(members).sum() - geom.area) < 1e-9 * geom.area
    geoms = kids["geom"].to_numpy()
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-15


def test_every_event_lies_in_its_grid(small_city):
    grids = small_city.areas[small_city.areas["level"] == "grid"].set_index("area_id")["geom"]
    ev = small_city.events
    assert ev["grid_id"].notna().all()
    inside = shapely.intersects_xy(grids.loc[ev["grid_id"]].to_numpy(), ev["lon"].to_numpy(), ev["lat"].to_numpy())
    assert inside.all()
    parent = small_city.areas.set_index("area_id")["parent_id"]
    assert (ev["grid_id"].map(parent) == ev["community_id"]).all()
    assert (ev["community_id"].map(parent) == ev["street_id"]).all()


def test_lifecycle_timestamps_are_ordered_and_gapless(small_city):
    ev = small_city.events
    times = ev[list(STAGE_COLUMNS)]
    for earlier, later in zip(STAGE_COLUMNS, STAGE_COLUMNS[1:], strict=False):
        both = times[earlier].notna() & times[later].notna()
        assert (times.loc[both, earlier] <= times.loc[both, later]).all(), (earlier, later)
        assert not (times[later].notna() & times[earlier].isna()).any(), (earlier, later)
    now = pd.Timestamp(END_DATE) + pd.Timedelta(days=1)
    assert (times.max(axis=1) <= now).all()
    assert ev["satisfaction"].dropna().between(1, 5).all()
    assert ev.loc[ev["satisfaction"].notna(), "closed_at"].notna().all()


def test_departments_differ_in_speed_and_delay_costs_satisfaction(small_city):
    ev = small_city.events.dropna(subset=["closed_at"])
    hours = (ev["closed_at"] - ev["reported_at"]).dt.total_seconds() / 3600
    by_dept = hours.groupby(ev["department"]).median()
    assert by_dept.max() > 2.5 * by_dept.min()
    rated = ev[ev["satisfaction"].notna()]
    slow = hours[rated.index] > hours[rated.index].quantile(0.9)
    sat = rated["satisfaction"] >= 4
    assert sat[slow].mean() < sat[~slow].mean() - 0.05


def _disk_rate(events: pd.DataFrame, lon: float, lat: float, r: float, days: slice) -> float:
    x, y = lnglat_to_metres(events["lon"].to_numpy(), events["lat"].to_numpy())
    cx, cy = lnglat_to_metres(lon, lat)
    in_disk = np.hypot(x - cx, y - cy) <= r
    day = (events["reported_at"] - events["reported_at"].min()).dt.days.to_numpy()
    in_time = (day >= days.start) & (day < days.stop)
    return (in_disk & in_time).sum() / (np.pi * r**2) / (days.stop - days.start)


def test_planted_patterns_are_in_the_data(small_city):
    ev, truth = small_city.events, small_city.truth.set_index("pattern")
    assert set(truth.index) == {"persistent", "new", "intensifying", "diminishing", "cold"}
    x, y = lnglat_to_metres(ev["lon"].to_numpy(), ev["lat"].to_numpy())
    mean_rate = len(ev) / 365 / (np.ptp(x) * np.ptp(y) * 0.75)
    rate = {p: _disk_rate(ev, r.lon, r.lat, r.radius_m, slice(0, 365)) for p, r in truth.iterrows()}
    assert rate["persistent"] > 2.5 * mean_rate
    first = {p: _disk_rate(ev, r.lon, r.lat, r.radius_m, slice(0, 60)) for p, r in truth.iterrows()}
    last = {p: _disk_rate(ev, r.lon, r.lat, r.radius_m, slice(305, 365)) for p, r in truth.iterrows()}
    assert last["intensifying"] > 1.8 * first["intensifying"]
    assert first["diminishing"] > 1.8 * last["diminishing"]
    new = truth.loc["new"]
    assert _disk_rate(ev, new.lon, new.lat, new.radius_m, slice(358, 365)) > 4 * _disk_rate(
        ev, new.lon, new.lat, new.radius_m, slice(0, 358)
    )
    cold = truth.loc["cold"]
    ring = _disk_rate(ev, cold.lon, cold.lat, 2 * cold.radius_m, slice(0, 365)) * 4 - rate["cold"]
    assert rate["cold"] < 0.3 * ring / 3


def test_uniform_city_has_no_patterns():
    city = generate_city("small", seed=3, end_date=END_DATE, uniform=True)
    assert city.truth.empty
    x, y = lnglat_to_metres(city.events["lon"].to_numpy(), city.events["lat"].to_numpy())
    quadrant = (x > np.median(x)).astype(int) * 2 + (y > np.median(y))
    counts = np.bincount(quadrant)
    assert counts.min() > 0.9 * counts.max()
