"""Each sensors-page query equals an independent pandas computation on the small city."""

from __future__ import annotations

from datetime import datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest

from tests.conftest import NOW

WINDOWS = {
    "all": (datetime(2026, 6, 1), datetime(2026, 7, 1)),
    "week": (datetime(2026, 6, 20), datetime(2026, 6, 27)),
}
STREETS = ["110199002", "110199006", "110199009"]


@pytest.fixture(scope="module")
def readings(small_city) -> pd.DataFrame:
    grids = small_city.areas.set_index("area_id")
    sensors = small_city.sensors.copy()
    community = sensors["grid_id"].map(grids["parent_id"])
    sensors["street_id"] = community.map(grids["parent_id"])
    return small_city.readings.merge(sensors, on="sensor_id")


def _scope(r: pd.DataFrame, start, end, kind, streets) -> pd.DataFrame:
    m = (r["ts"] >= start) & (r["ts"] < end)
    if kind:
        m &= r["kind"] == kind
    if streets:
        m &= r["street_id"].isin(streets)
    return r[m]


def _stats(group: pd.DataFrame) -> dict:
    v = group["value"].to_numpy()
    return {
        "readings": len(v),
        "mean_value": v.mean(),
        "p95_value": np.percentile(v, 95),
        "max_value": v.max(),
        "exceedances": int((v > group["threshold"].to_numpy()).sum()),
    }


def _check(got: pd.Series, exp: dict, label: str) -> None:
    for col, value in exp.items():
        assert got[col] == pytest.approx(value, rel=1e-9), f"{label} {col}"


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("kind,streets", [("noise", None), ("pm25", STREETS), (None, None)])
def test_sensor_stats_by_grid_and_sensor(small_store, readings, window, kind, streets):
    start, end = WINDOWS[window]
    sel = _scope(readings, start, end, kind, streets)
    got = small_store.fetch("sensor_stats_by_grid", start=start, end=end, kind=kind, street_ids=streets)
    assert sorted(got["area_id"]) == sorted(sel["grid_id"].unique())
    for grid, group in sel.groupby("grid_id"):
        row = got.set_index("area_id").loc[grid]
        _check(
            row, {**_stats(group), "sensors": group["sensor_id"].nunique(), "threshold": group["threshold"].min()}, grid
        )
    per_sensor = small_store.fetch("sensor_stats", start=start, end=end, kind=kind, street_ids=streets)
    for sid, group in sel.groupby("sensor_id"):
        _check(per_sensor.set_index("sensor_id").loc[sid], _stats(group), sid)
    assert per_sensor["exceedances"].is_monotonic_decreasing
    assert got["exceedances"].sum() == (sel["value"] > sel["threshold"]).sum() > 0


@pytest.mark.parametrize("res", [8, 9, 10])
def test_sensor_stats_by_cell(small_store, readings, res):
    start, end = WINDOWS["all"]
    sel = _scope(readings, start, end, "water_level", None).copy()
    sel["cell"] = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in sel["h3"]]
    got = small_store.fetch(
        "sensor_stats_by_cell", start=start, end=end, kind="water_level", street_ids=None, res=res
    ).set_index("cell")
    assert sorted(got.index) == sorted(sel["cell"].unique())
    for cell, group in sel.groupby("cell"):
        _check(got.loc[cell], {**_stats(group), "sensors": group["sensor_id"].nunique()}, str(cell))


def test_sensor_series_and_cell_series(small_store, readings):
    start, end = WINDOWS["week"]
    sid = readings["sensor_id"].iloc[0]
    exp = _scope(readings, start, end, None, None)
    exp = exp[exp["sensor_id"] == sid].sort_values("ts")
    got = small_store.fetch("sensor_series", sensor_id=sid, start=start, end=end)
    assert got["ts"].tolist() == exp["ts"].tolist()
    np.testing.assert_allclose(got["value"], exp["value"])
    assert (got["threshold"] == exp["threshold"].iloc[0]).all()

    kind = "noise"
    sel = _scope(readings, start, end, kind, None).copy()
    sel["cell"] = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), 7)) for c in sel["h3"]]
    cell = sel["cell"].value_counts().index[0]
    exp = (
        sel[sel["cell"] == cell]
        .groupby("ts")
        .agg(sensors=("sensor_id", "nunique"), mean_value=("value", "mean"), max_value=("value", "max"))
    )
    got = small_store.fetch("sensor_cell_series", kind=kind, res=7, cell=int(cell), start=start, end=end)
    assert got["ts"].tolist() == exp.index.tolist()
    np.testing.assert_allclose(got["mean_value"], exp["mean_value"], rtol=1e-12)
    np.testing.assert_allclose(got["max_value"], exp["max_value"])
    assert (got["sensors"] == exp["sensors"].to_numpy()).all() and exp["sensors"].max() > 1


def _alarms(readings: pd.DataFrame, events: pd.DataFrame, start, end, kind=None) -> pd.DataFrame:
    """Alarms and their first event, written out in pandas: the first reading above the
    threshold in an hour whose previous hour had none."""
    r = readings[(readings["ts"] >= start - timedelta(hours=1)) & (readings["ts"] < end)]
    if kind:
        r = r[r["kind"] == kind]
    over = r[r["value"] > r["threshold"]].assign(hr=lambda d: d["ts"].dt.floor("h"))
    firsts = over.sort_values("ts").groupby(["sensor_id", "hr"], as_index=False).first()
    hours = set(zip(firsts["sensor_id"], firsts["hr"], strict=True))
    starts = [
        (sid, hr - timedelta(hours=1)) not in hours for sid, hr in zip(firsts["sensor_id"], firsts["hr"], strict=True)
    ]
    a = firsts[np.array(starts) & (firsts["ts"] >= start)].sort_values(["sensor_id", "ts"]).copy()
    a["next_ts"] = a.groupby("sensor_id")["ts"].shift(-1)
    ev = events[events["sensor_id"].notna()].sort_values(["reported_at", "event_id"])
    first = []
    for row in a.itertuples():
        limit = row.ts + timedelta(days=1)
        if pd.notna(row.next_ts):
            limit = min(limit, row.next_ts)
        m = ev[(ev["sensor_id"] == row.sensor_id) & (ev["reported_at"] >= row.ts) & (ev["reported_at"] < limit)]
        first.append(m.iloc[0] if len(m) else None)
    a["event_id"] = [f["event_id"] if f is not None else None for f in first]
    a["respond_h"] = [
        (f["responded_at"] - f["reported_at"]).total_seconds() / 3600
        if f is not None and pd.notna(f["responded_at"]) and f["responded_at"] < NOW
        else np.nan
        for f in first
    ]
    a["close_h"] = [
        (f["closed_at"] - f["reported_at"]).total_seconds() / 3600
        if f is not None and pd.notna(f["closed_at"]) and f["closed_at"] < NOW
        else np.nan
        for f in first
    ]
    return a


@pytest.mark.parametrize("window", WINDOWS)
def test_sensor_alarms_and_summary(small_store, small_city, readings, window):
    start, end = WINDOWS[window]
    exp = _alarms(readings, small_city.events, start, end)
    got = small_store.fetch("sensor_alarms", start=start, end=end, kind=None, street_ids=None, now=NOW, limit=10_000)
    assert len(got) == len(exp) > 0
    key = ["sensor_id", "ts"]
    merged = got.merge(exp, on=key, suffixes=("", "_exp"), validate="one_to_one")
    assert len(merged) == len(exp)
    assert (merged["event_id"].fillna("") == merged["event_id_exp"].fillna("")).all()
    np.testing.assert_allclose(merged["respond_h"], merged["respond_h_exp"], rtol=1e-9)
    np.testing.assert_allclose(merged["close_h"], merged["close_h_exp"], rtol=1e-9)
    assert got["ts"].is_monotonic_decreasing

    summary = small_store.fetch(
        "sensor_alarm_summary", start=start, end=end, kind=None, street_ids=None, now=NOW
    ).set_index("kind")
    for kind, group in exp.groupby("kind"):
        row = summary.loc[kind]
        assert row["alarms"] == len(group) and row["sensors_alarmed"] == group["sensor_id"].nunique()
        assert row["to_events"] == group["event_id"].notna().sum()
        assert row["event_share"] == pytest.approx(group["event_id"].notna().mean())
        if group["close_h"].notna().any():
            assert row["median_close_h"] == pytest.approx(group["close_h"].median(), rel=1e-9)
    # the demo turns most water and manhole alarms into events, few PM2.5 alarms
    if window == "all":
        assert summary.loc["water_level", "event_share"] > 0.7 > 0.3 > summary.loc["pm25", "event_share"]
        # every sensor event of the window belongs to one of its alarms
        ev = small_city.events
        n_sensor_events = (
            (ev["sensor_id"].notna()) & (ev["reported_at"] >= start + timedelta(minutes=10)) & (ev["reported_at"] < end)
        ).sum()
        assert summary["to_events"].sum() >= n_sensor_events


def test_alarm_definition_on_hand_built_readings():
    """Runs of exceedance hours: equal to the threshold is not above it; a missing hour ends a run."""
    from data.contracts import column_names
    from queries import DuckDBStore

    h0 = datetime(2026, 6, 1, 8)
    values = {0: 5, 1: 12, 2: 15, 3: 10, 4: 11, 6: 20}  # hour 5 missing
    store = DuckDBStore(":memory:")
    try:
        store.insert_frame(
            "sensors",
            pd.DataFrame(
                {
                    "sensor_id": ["S1"],
                    "kind": ["noise"],
                    "unit": ["dB"],
                    "lon": [116.4],
                    "lat": [39.9],
                    "h3": [0],
                    "grid_id": ["g1"],
                    "threshold": [10.0],
                }
            ),
        )
        store.insert_frame(
            "readings",
            pd.DataFrame(
                {
                    "sensor_id": "S1",
                    "ts": [h0 + timedelta(hours=h) for h in values],
                    "value": list(map(float, values.values())),
                }
            ),
        )
        events = pd.DataFrame({c: [None] * 3 for c in column_names("events")})
        events["event_id"] = ["E1", "E2", "E3"]
        events["sensor_id"] = "S1"
        events["reported_at"] = [
            h0 + timedelta(hours=1, minutes=5),
            h0 + timedelta(hours=4, minutes=30),
            h0 + timedelta(days=2),
        ]
        events["closed_at"] = [h0 + timedelta(hours=5), None, None]
        events = events.assign(source="sensor", category="noise", lon=116.4, lat=39.9, h3=0, status="reported")
        for col in [c for c in events.columns if c.endswith("_at")]:
            events[col] = pd.to_datetime(events[col]).astype("datetime64[us]")
        store.insert_frame("events", events)
        got = store.fetch(
            "sensor_alarms",
            start=h0,
            end=h0 + timedelta(hours=7),
            kind=None,
            street_ids=None,
            now=h0 + timedelta(days=3),
            limit=10,
        )
        got = got.assign(event_id=got["event_id"].astype(object).where(got["event_id"].notna(), None))
        assert got.sort_values("ts")[["ts", "value", "event_id"]].values.tolist() == [
            [pd.Timestamp(h0 + timedelta(hours=1)), 12.0, "E1"],
            [pd.Timestamp(h0 + timedelta(hours=4)), 11.0, "E2"],
            [pd.Timestamp(h0 + timedelta(hours=6)), 20.0, None],  # E3 came two days later: not this alarm's
        ]
        assert got.set_index("event_id").loc["E1", "close_h"] == pytest.approx(5 - 1 - 5 / 60)
        summary = store.fetch(
            "sensor_alarm_summary",
            start=h0,
            end=h0 + timedelta(hours=7),
            kind=None,
            street_ids=None,
            now=h0 + timedelta(days=3),
        ).iloc[0]
        assert (summary["alarms"], summary["to_events"]) == (3, 2)
        # a window starting inside a run does not count the run's start again
        later = store.fetch(
            "sensor_alarms",
            start=h0 + timedelta(hours=2),
            end=h0 + timedelta(hours=7),
            kind=None,
            street_ids=None,
            now=h0 + timedelta(days=3),
            limit=10,
        )
        assert sorted(later["ts"]) == [pd.Timestamp(h0 + timedelta(hours=4)), pd.Timestamp(h0 + timedelta(hours=6))]
    finally:
        store.close()
