"""Spark (local[2]) and DuckDB rollups are equal on the same lake: counts, sums, means,
maxima, exceedances, sketches and the hourly P95 (exact on both engines: DuckDB's
quantile_cont, Spark's read off the sorted values; also against numpy's) exactly, floats
within 1e-12; readings on the midnight boundary (Asia/Shanghai wall clock, DST-free), late
readings re-rolled with ``since``, sensors without a grid or cell, readings of unknown sensors.

One Spark session for the test session (tests/lake/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data.lake import export_lake, rollup
from data.lake.layout import day_dir, sensors_file
from geo.h3index import cells_to_parents, points_to_cells
from geo.quantile_sketch import ALPHA, sketch_quantile

DAYS = [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]
KEYS = {
    "reading_hours": ["day", "kind", "level", "res", "cell", "unit_key", "hour"],
    "reading_sketches": ["day", "kind", "level", "res", "cell", "unit_key", "bucket"],
    "event_days": ["day", "level", "res", "cell", "unit_key", "category", "source"],
}


def _write(root: Path, day: date, frame: pd.DataFrame, name: str = "part-0.parquet") -> None:
    target = day_dir(root, day)
    target.mkdir(parents=True, exist_ok=True)
    frame = frame.assign(ts=frame["ts"].astype("datetime64[us]"))
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target / name)


def _sensors() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 12
    lat, lon = 39.9 + rng.uniform(0, 0.05, n), 116.4 + rng.uniform(0, 0.05, n)
    frame = pd.DataFrame(
        {
            "sensor_id": [f"S{i:02d}" for i in range(n)],
            "kind": ["pm25", "noise", "water_level"] * 4,
            "unit": ["µg/m³", "dB", "m"] * 4,
            "lon": lon,
            "lat": lat,
            "h3": pd.array(points_to_cells(lat, lon, 12), dtype="Int64"),
            "grid_id": [f"G{i % 4}" for i in range(n)],
            "threshold": [75.0, 70.0, 0.5] * 4,
        }
    )
    frame.loc[3, "grid_id"] = None  # a sensor outside every grid
    frame.loc[4, "h3"] = pd.NA  # a sensor without a cell
    return frame


def _readings(day: date, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime.combine(day, datetime.min.time())
    rows = []
    for i in range(12):
        ts = [start + timedelta(minutes=int(m)) for m in sorted(rng.integers(0, 24 * 60, 40))]
        ts += [start, start + timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)]  # boundaries
        scale = [60.0, 65.0, 0.4][i % 3]
        values = rng.gamma(4, scale / 4, len(ts))
        values[::9] = 0.0
        if i % 3 == 2:
            values[1::7] *= -1  # water level below the gauge's zero
        rows.append(pd.DataFrame({"sensor_id": f"S{i:02d}", "ts": ts, "value": values}))
    rows.append(pd.DataFrame({"sensor_id": "UNKNOWN", "ts": [start + timedelta(hours=5)], "value": [1.0]}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("spark_lake") / "readings"
    sensors_file(root).parent.mkdir(parents=True)
    sensors = _sensors()
    pq.write_table(pa.Table.from_pandas(sensors, preserve_index=False), sensors_file(root))
    for i, day in enumerate(DAYS):
        _write(root, day, _readings(day, i))
    return root


def _read(root: Path, name: str) -> pd.DataFrame:
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{root / name}/day=*/*.parquet', hive_partitioning = true)").df()
    return frame.sort_values(KEYS[name], na_position="first", kind="stable").reset_index(drop=True)


def _assert_equal(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    b = b[list(a.columns)]
    assert len(a) == len(b) > 0, name
    for col in a.columns:
        x, y = a[col], b[col]
        if col == "p95_value":  # exact on both engines (the same values, the same interpolation)
            np.testing.assert_allclose(y.to_numpy(float), x.to_numpy(float), rtol=1e-12, atol=1e-12, err_msg=col)
        elif pd.api.types.is_float_dtype(x):
            np.testing.assert_allclose(y.to_numpy(float), x.to_numpy(float), rtol=1e-12, equal_nan=True, err_msg=col)
        else:
            assert (
                x.astype(object).where(x.notna(), None).tolist() == y.astype(object).where(y.notna(), None).tolist()
            ), col


def test_readings_rollup_equal_on_spark_and_duckdb(spark, lake, tmp_path) -> None:
    duck = rollup("readings", lake, tmp_path / "duck")
    sp = rollup("readings", lake, tmp_path / "spark", engine="spark", spark=spark)
    assert (duck.rows, duck.unknown_sensor_rows) == (sp.rows, sp.unknown_sensor_rows) == (3 * (12 * 42 + 1), 3)
    for name in ("reading_hours", "reading_sketches"):
        a, b = _read(tmp_path / "duck", name), _read(tmp_path / "spark", name)
        _assert_equal(a, b, name)
    hours = _read(tmp_path / "duck", "reading_hours")
    sensor = hours[hours.level == "sensor"]
    assert sensor["readings"].sum() == 3 * 12 * 42  # the unknown sensor left out
    raw = pd.concat(pd.read_parquet(day_dir(lake, d)) for d in DAYS).assign(hour=lambda f: f.ts.dt.floor("h"))
    exact = raw.groupby(["sensor_id", "hour"])["value"].quantile(0.95)  # linear, as percentile_cont
    mine = sensor.set_index(["unit_key", "hour"])["p95_value"]
    np.testing.assert_allclose(mine.to_numpy(), exact.loc[mine.index].to_numpy(), rtol=1e-9)  # DuckDB: exact
    # the units of several sensors (H3 res 7 here) too: the P95 of all their readings of the hour
    known = _sensors().dropna(subset=["h3"])
    known = known.assign(cell=cells_to_parents(known["h3"].to_numpy("int64"), 7))[["sensor_id", "kind", "cell"]]
    by_cell = raw.merge(known, on="sensor_id").groupby(["kind", "cell", "hour"])["value"]
    cells7 = hours[(hours.level == "h3") & (hours.res == 7)].set_index(["kind", "cell", "hour"])
    several = cells7[cells7.sensors > 1]
    assert len(several) > 0
    np.testing.assert_allclose(
        several["p95_value"].to_numpy(), by_cell.quantile(0.95).loc[several.index].to_numpy(), rtol=1e-9
    )
    # the reading at 23:59:59.999999 stays in its day and hour, the one at 00:00 opens the next
    last = sensor[(sensor.unit_key == "S00") & (sensor.hour == datetime(2026, 6, 1, 23))]
    assert last["day"].iloc[0] == pd.Timestamp("2026-06-01")
    assert not (hours.level == "grid").loc[hours.unit_key.isna()].any()
    cells12 = hours[(hours.level == "h3") & (hours.res == 12)]
    assert cells12["readings"].sum() == 3 * 11 * 42  # the sensor without a cell is in no H3 row
    grids = hours[hours.level == "grid"]
    assert grids["readings"].sum() == 3 * 11 * 42  # nor the one without a grid in a grid row


def test_merged_sketches_give_p95_within_alpha(lake, tmp_path) -> None:
    rollup("readings", lake, tmp_path / "duck")
    sk = _read(tmp_path / "duck", "reading_sketches")
    raw = pd.concat(pd.read_parquet(day_dir(lake, d)) for d in DAYS)
    for sensor_id, group in sk[sk.level == "sensor"].groupby("unit_key"):
        merged = group.groupby("bucket")["n"].sum()
        exact = np.percentile(raw.loc[raw.sensor_id == sensor_id, "value"], 95)
        assert sketch_quantile(merged.index.to_numpy(), merged.to_numpy(), 0.95) == pytest.approx(exact, rel=ALPHA)


def test_late_readings_rerolled_with_since(spark, lake, tmp_path) -> None:
    late = tmp_path / "late"
    import shutil

    shutil.copytree(lake, late)
    for engine in ("duckdb", "spark"):
        rollup("readings", late, tmp_path / f"inc_{engine}", engine=engine, spark=spark)
    day1 = day_dir(tmp_path / "inc_duckdb" / "reading_hours", DAYS[0])
    before = {p.name: p.stat().st_mtime_ns for p in day1.iterdir()}
    # late readings of day 2 arrive in a new file of its partition
    extra = pd.DataFrame(
        {
            "sensor_id": ["S00", "S01"],
            "ts": [datetime(2026, 6, 2, 0, 0), datetime(2026, 6, 2, 13, 30)],
            "value": [500.0, 1.0],
        }
    )
    _write(late, DAYS[1], extra, "late-0.parquet")
    for engine in ("duckdb", "spark"):
        for _ in range(2):  # twice: idempotent
            report = rollup("readings", late, tmp_path / f"inc_{engine}", engine=engine, since=DAYS[1], spark=spark)
            assert report.days["reading_hours"] == DAYS[1:]
        rollup("readings", late, tmp_path / f"full_{engine}", engine=engine, spark=spark)
    assert {p.name: p.stat().st_mtime_ns for p in day1.iterdir()} == before  # day 1 untouched
    full = _read(tmp_path / "full_duckdb", "reading_hours")
    for out in ("inc_duckdb", "inc_spark", "full_spark"):
        _assert_equal(full, _read(tmp_path / out, "reading_hours"), out)
    s00 = full[(full.level == "sensor") & (full.unit_key == "S00") & (full.hour == datetime(2026, 6, 2))]
    assert s00["max_value"].iloc[0] == 500.0 and s00["exceedances"].iloc[0] >= 1


def test_events_rollup_equal_on_spark_and_duckdb(spark, small_store, tmp_path) -> None:
    events = tmp_path / "events"
    export_lake(small_store, "events", events)
    keep = {f"day={d}" for d in ("2026-06-28", "2026-06-29", "2026-06-30")}
    for part in events.iterdir():
        if part.name not in keep:
            import shutil

            shutil.rmtree(part)
    duck = rollup("events", events, tmp_path / "duck")
    sp = rollup("events", events, tmp_path / "spark", engine="spark", spark=spark)
    assert duck.rows == sp.rows > 0
    a, b = _read(tmp_path / "duck", "event_days"), _read(tmp_path / "spark", "event_days")
    _assert_equal(a, b, "event_days")
    raw = pd.concat(pd.read_parquet(events / k) for k in sorted(keep))
    grid_rows = a[a.level == "grid"]
    assert grid_rows["events"].sum() == raw["grid_id"].notna().sum()
    for res in (7, 8, 9, 10):
        assert a.loc[(a.level == "h3") & (a.res == res), "events"].sum() == len(raw)
    assert grid_rows["closed_on_time"].sum() == int(
        ((raw.status != "cancelled") & (raw.closed_at <= raw.close_due_at) & raw.grid_id.notna()).sum()
    )
