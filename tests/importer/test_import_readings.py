"""Sensor readings: new sensors created from positions, unknown sensors rejected, upsert by (sensor, time)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.ingest import import_readings
from tests.importer.conftest import expected_areas, inside_points, rejects_of


def readings_frame() -> pd.DataFrame:
    lng, lat = inside_points(3, seed=9)
    ts = pd.date_range("2026-05-01", periods=24, freq="h")
    rows = []
    for k, sid in enumerate(["1001A", "1002A", "1003A"]):
        for t in ts:
            rows.append(
                {
                    "监测点编码": sid,
                    "时间": t.strftime("%Y-%m-%d %H:%M"),
                    "数值": f"{10 + k + t.hour / 10:.1f}",
                    "经度": f"{lng[k]:.6f}",
                    "纬度": f"{lat[k]:.6f}",
                }
            )
    return pd.DataFrame(rows)


def test_readings_create_sensors_and_reject_what_is_broken(district, tmp_path):
    frame = readings_frame()
    bad = pd.DataFrame(
        [
            {
                "监测点编码": "9999X",
                "时间": "2026-05-01 00:00",
                "数值": "5",
                "经度": None,
                "纬度": None,
            },  # unknown sensor
            {
                "监测点编码": "1001A",
                "时间": "2026-05-01 00:00",
                "数值": "7",
                "经度": None,
                "纬度": None,
            },  # duplicate time
            {"监测点编码": "1001A", "时间": "yesterday", "数值": "7", "经度": None, "纬度": None},
            {"监测点编码": "1001A", "时间": "2026-05-03 00:00", "数值": "n/a-ish", "经度": None, "纬度": None},
        ]
    )
    frame = pd.concat([frame, bad], ignore_index=True)
    path = tmp_path / "readings.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    report = import_readings(district, path)
    assert report.reconciled and report.rows_read == len(frame)
    assert report.new_sensors == 3 and report.inserted == 72
    n = len(frame)
    assert rejects_of(district, report.batch_id) == {
        n - 3: "unknown sensor",
        n - 2: "duplicate id in the file",
        n - 1: "unparseable time",
        n: "value not a number",
    }
    sensors = district.fetch("sensor_points").set_index("sensor_id")
    grids = district.sql("SELECT sensor_id, grid_id, kind FROM sensors").set_index("sensor_id")
    first = frame.drop_duplicates("监测点编码").set_index("监测点编码").loc[["1001A", "1002A", "1003A"]]
    np.testing.assert_allclose(sensors.loc[first.index, "lon"], first["经度"].astype(float), atol=1e-9)
    for sid, row in first.iterrows():
        assert grids.loc[sid, "grid_id"] == expected_areas(float(row["经度"]), float(row["纬度"]))["grid_id"]
    assert set(grids["kind"]) == {"pm25"}
    got = district.sql("SELECT sensor_id, ts, value FROM readings ORDER BY sensor_id, ts")
    want = frame.iloc[:72]
    np.testing.assert_allclose(got["value"], want["数值"].astype(float))
    # the same file again: nothing new
    again = import_readings(district, path)
    assert (again.inserted, again.updated, again.new_sensors) == (0, 0, 0) and again.unchanged == 72
