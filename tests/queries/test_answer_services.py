"""The answer services the pages call (queries/answers: lookups, counts, trends, sensors,
chain reads, a hotspot unit's events) on the small city: what moved out of the pages
(trend windows, zero filling, top keys, the anomaly band, forecast inputs, thresholds)
gives the counts an independent pandas selection gives."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from geo.trends import expected_band, fill_buckets
from geo.trends import trend_windows as geo_trend_windows
from queries import EventFilter
from queries.answers import chain, counts, hotspots, lookups, sensors, trends
from tests.conftest import NOW
from tests.queries.chain_reference import select

JUNE = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))
FIRST_DAY = date(2026, 1, 1)


def test_lookups(small_store, small_city):
    assert set(lookups.categories(small_store)["code"]) == set(small_city.categories["code"])
    assert len(lookups.departments(small_store)) > 0
    drill = lookups.drill_areas(small_store)
    assert set(drill["level"]) <= set(lookups.DRILL_LEVELS)
    assert len(lookups.areas(small_store, "street")) == (drill["level"] == "street").sum()
    assert len(lookups.area_shapes(small_store, "grid")) == (drill["level"] == "grid").sum()
    first, last = lookups.event_days(small_store)
    ev = small_city.events["reported_at"]
    assert (first, last) == (ev.min().date(), ev.max().date())


def test_event_days_of_an_empty_store():
    from queries import DuckDBStore

    store = DuckDBStore(":memory:")
    try:
        assert lookups.event_days(store) is None
    finally:
        store.close()


def test_counts(small_store, small_city):
    cells = counts.events_by_cell(small_store, JUNE, NOW, 8)
    assert cells["events"].sum() == len(select(small_city.events, JUNE))
    assert cells["hex"].str.len().eq(15).all()
    grids = counts.events_by_area(small_store, JUNE, NOW, "grid")
    assert grids["events"].sum() <= len(select(small_city.events, JUNE))
    trend = counts.daily_trend(small_store, JUNE)
    assert len(trend.current) == len(trend.previous) == 30  # the same length right before
    assert trend.current["events"].sum() == len(select(small_city.events, JUNE))
    assert trend.previous["events"].sum() == len(select(small_city.events, JUNE.previous()))


def test_trend_windows_carry_the_query_parameters():
    w = trends.trend_windows(date(2026, 6, 3), date(2026, 6, 30), "week")
    g = geo_trend_windows(date(2026, 6, 3), date(2026, 6, 30), "week")
    assert (w.start, w.end, w.prev_start, w.ly_start, w.ly_end, w.buckets, w.partial_end) == (
        g.start,
        g.end,
        g.prev_start,
        g.ly_start,
        g.ly_end,
        g.buckets,
        g.partial_end,
    )
    assert w.params() == {
        "grain": "week",
        "start": g.start,
        "end": g.end,
        "prev_start": g.prev_start,
        "ly_start": g.ly_start,
        "ly_end": g.ly_end,
    }


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_period_comparison(small_store, small_city, grain):
    cmp = trends.period_comparison(small_store, JUNE, grain, FIRST_DAY)
    w = cmp.windows
    assert len(cmp.current) == w.buckets
    assert cmp.current_total == len(select(small_city.events, EventFilter(w.start, w.end)))
    assert cmp.total("previous") == len(select(small_city.events, EventFilter(w.prev_start, w.start)))
    # last year lies before the first day with data: unknown, not zero
    assert cmp.last_year["events"].isna().all() and cmp.total("last_year") is None


def test_breakdown_keeps_the_top_keys_and_every_event(small_store, small_city):
    frame = trends.breakdown(small_store, JUNE, "week", "category", other="other", top=3)
    assert frame["key"].nunique() <= 4 and "other" in set(frame["key"])
    w = trends.trend_windows(date(2026, 6, 1), date(2026, 6, 30), "week")
    assert frame["events"].sum() == len(select(small_city.events, EventFilter(w.start, w.end)))
    assert (frame.groupby("key").size() == w.buckets).all()  # every bucket filled
    assert trends.breakdown(
        small_store, EventFilter.for_dates(date(2030, 1, 1), date(2030, 1, 5)), "day", "category", other="other"
    ).empty


@pytest.mark.parametrize("grain", ["day", "week"])
def test_anomaly_band_and_drivers(small_store, small_city, grain):
    band = trends.anomaly_band(small_store, JUNE, grain, 2.5, FIRST_DAY)
    assert len(band) and band.index.max() < pd.Timestamp(JUNE.end)
    assert band.index.min() >= pd.Timestamp(JUNE.start) - pd.Timedelta(days=6)
    # the band of the whole history, as geo computes it, restricted to the window
    days = small_city.events["reported_at"].dt.normalize().value_counts().rename("events")
    history = days.rename_axis("bucket").reset_index()
    start = max(pd.Timestamp(JUNE.end) - pd.Timedelta(days=trends.HISTORY_DAYS), pd.Timestamp(FIRST_DAY))
    daily = fill_buckets(history, start.to_pydatetime(), JUNE.end, "day").set_index("bucket")["events"]
    expected = expected_band(daily, grain, z=2.5)
    pd.testing.assert_frame_equal(band, expected.loc[band.index], check_dtype=False)
    flagged = band[band["anomaly"] != 0]
    if len(flagged):
        drivers = trends.anomaly_drivers(small_store, JUNE, flagged, grain)
        assert set(drivers) == {"category", "street"}
        assert set(drivers["category"].index) <= set(flagged.index)


def test_forecast_inputs(small_store, small_city):
    history = trends.forecast_history(small_store, JUNE, "category", FIRST_DAY)
    keys = history.keys()
    totals = small_city.events[small_city.events["reported_at"] >= pd.Timestamp(history.start)]
    assert keys[0] == totals["category"].value_counts().index[0]
    series = history.series(keys[0])
    assert len(series) == (history.end - history.start).days and series.dtype == float
    everything = trends.forecast_history(small_store, JUNE, "all", FIRST_DAY).series()
    assert everything.sum() == len(totals)
    assert trends.can_forecast(everything) and not trends.can_forecast(everything.iloc[:10])
    fc, bt = trends.forecast_week(everything)
    assert len(fc) == 7 and bt is not None and np.isfinite(bt.mase_model)


def test_sensor_services(small_store):
    stats = sensors.sensor_stats(small_store, JUNE, "noise")
    assert len(stats) and sensors.reading_unit(stats) != ""
    by_cell = sensors.unit_stats(small_store, JUNE, "noise", "h3", 8)
    assert (by_cell["unit_id"] == by_cell["hex"]).all() and by_cell["sensors"].sum() == len(stats)
    by_grid = sensors.unit_stats(small_store, JUNE, "noise", "grid")
    assert (by_grid["unit_id"] == by_grid["area_id"]).all()
    one = sensors.sensor_series(small_store, JUNE, stats["sensor_id"].iloc[0])
    assert len(one.frame) and one.threshold == float(one.frame["threshold"].iloc[0])
    cell = sensors.cell_series(small_store, JUNE, "noise", 8, int(by_cell["cell"].iloc[0]))
    assert len(cell.frame) and cell.threshold == float(cell.frame["threshold"].min())
    assert sensors.sensor_series(small_store, JUNE, "no such sensor").threshold is None
    summary = sensors.alarm_summary(small_store, JUNE, NOW)
    listed = sensors.alarms(small_store, JUNE, "noise", NOW, limit=5)
    assert len(listed) <= 5 and set(summary["kind"]) <= set(sensors.KINDS)
    flow = sensors.sensor_chain(small_store, JUNE, NOW)
    assert len(flow.funnel) and len(flow.durations)
    with pytest.raises(ValueError):
        sensors.unit_stats(small_store, JUNE, "noise", "street")


def test_chain_reads(small_store, small_city):
    n = len(select(small_city.events, JUNE))
    assert chain.sla_compliance(small_store, JUNE, NOW)["events"].sum() == n
    assert len(chain.funnel(small_store, JUNE, NOW))
    assert len(chain.stage_durations(small_store, JUNE, NOW, by="department"))
    by_dept = chain.overdue_by_department(small_store, JUNE, NOW)
    cases = chain.overdue_cases(small_store, JUNE, NOW, limit=10)
    assert len(cases) == min(10, int(by_dept["open_overdue"].sum()))
    assert len(chain.department_ranking(small_store, JUNE, NOW, min_events=1))
    areas = chain.area_ranking(small_store, JUNE, NOW, "street", None, min_events=1)
    assert areas["events"].sum() <= n
    assert chain.source_comparison(small_store, JUNE, NOW)["events"].sum() == n
    assert isinstance(chain.assumed_sla_categories(small_store, JUNE), pd.DataFrame)


def test_unit_events(small_store, small_city):
    cells = counts.events_by_cell(small_store, JUNE, NOW, 9).sort_values("events", ascending=False)
    top = cells.iloc[0]
    got = hotspots.unit_events(small_store, JUNE, "h3", top["hex"], res=9, cell=int(top["cell"]), limit=3)
    assert len(got.events) == min(3, int(top["events"]))
    assert got.weekly["events"].sum() == int(top["events"])
    assert (got.weekly["week"].dt.weekday == 0).all()
    grid = counts.events_by_area(small_store, JUNE, NOW, "grid").sort_values("events", ascending=False).iloc[0]
    area = hotspots.unit_events(small_store, JUNE, "grid", grid["area_id"])
    assert len(area.events) == min(hotspots.EVENT_LIMIT, int(grid["events"]))
    assert area.weekly["events"].sum() == int(grid["events"])
    with pytest.raises(ValueError):
        hotspots.unit_events(small_store, JUNE, "h3", "x")


def test_services_accept_hashable_arguments_only():
    # a page-kit cache keys on the arguments after the store
    hash((JUNE, "week", 2.5, FIRST_DAY, datetime(2026, 7, 1)))
