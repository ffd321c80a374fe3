"""The sensors page (AppTest): per-unit readings, series with threshold, alarms to events."""

from __future__ import annotations

import base64
import json
from datetime import date

import h3
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from queries import DuckDBStore, EventFilter
from tests.dashboard.apptest import run_app

PAGE = "dashboard/pages/sensors.py"
JUNE = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))
NOW = pd.Timestamp("2026-07-01")


def open_sensors(monkeypatch, db, lang: str = "zh") -> AppTest:
    at = run_app(monkeypatch, db, lang, page=PAGE)
    assert not at.exception, at.exception
    return at


def _table(at, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, column
    return found[0]


def _values(arr) -> list:
    if isinstance(arr, dict) and "bdata" in arr:
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"]).tolist()
    return list(arr)


@pytest.fixture(scope="module")
def june_readings(small_city) -> pd.DataFrame:
    r = small_city.readings.merge(small_city.sensors, on="sensor_id")
    return r[(r["ts"] >= JUNE.start) & (r["ts"] < JUNE.end)]


@pytest.mark.parametrize("lang,title,label", [("zh", "物联感知", "噪声 告警"), ("en", "IoT sensors", "Noise alarms")])
def test_sensors_page_in_both_languages(monkeypatch, small_db_file, june_readings, lang, title, label):
    store = DuckDBStore(small_db_file)
    try:
        summary = store.fetch(
            "sensor_alarm_summary", start=JUNE.start, end=JUNE.end, street_ids=None, kind=None, now=NOW.to_pydatetime()
        ).set_index("kind")
    finally:
        store.close()
    at = open_sensors(monkeypatch, small_db_file, lang)
    assert at.title[0].value == title
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[label] == f"{summary.loc['noise', 'alarms']:,}"
    # the default map: PM2.5 per H3 res-8 cell, exceedances as counted by pandas
    pm = june_readings[june_readings["kind"] == "pm25"]
    units = _table(at, "sensors")
    assert units["exceedances"].sum() == (pm["value"] > pm["threshold"]).sum()
    cells = {h3.cell_to_parent(h3.int_to_str(int(c)), 8) for c in pm["h3"]}
    assert set(units["unit"]) == cells
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    kinds = [layer["@@type"] for layer in spec["layers"]]
    # issue 16: cells, grid outlines, district outline, street names, sensors, the scale bar
    assert kinds == [
        "H3HexagonLayer",
        "PathLayer",
        "PathLayer",
        "TextLayer",
        "ScatterplotLayer",
        "PathLayer",
        "TextLayer",
    ]
    # the series of the sensor with most exceedances, with its threshold line
    top = pm.assign(over=pm["value"] > pm["threshold"]).groupby("sensor_id")["over"].sum()
    top = top[top == top.max()].index.min()
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    line = next(tr for tr in chart["data"] if tr["mode"] == "lines")
    assert _values(line["y"]) == pm[pm["sensor_id"] == top].sort_values("ts")["value"].tolist()
    assert chart["layout"]["shapes"][0]["y0"] == 75.0


@pytest.mark.parametrize("lang,rated", [("zh", "评价"), ("en", "Rated")])
def test_sensor_funnel_shows_a_dash_for_the_rated_row(monkeypatch, small_db_file, lang, rated):
    from tests.dashboard.test_chain_page import shown

    at = open_sensors(monkeypatch, small_db_file, lang)
    text = shown(at, "waiting_share").set_index("stage")
    assert text.loc[rated, "waiting_share"] == "—"  # no next step after rating: not "None"
    assert text.iloc[:7]["waiting_share"].str.fullmatch(r"\d+\.\d%").all()


def test_grid_unit_and_cell_series_by_map_click(monkeypatch, small_db_file, june_readings):
    at = open_sensors(monkeypatch, small_db_file, "en")
    at.radio(key="sensors_kind").set_value("water_level").run()
    at.radio(key="sensors_unit").set_value("grid").run()
    assert not at.exception
    wl = june_readings[june_readings["kind"] == "water_level"]
    units = _table(at, "sensors")
    assert len(units) == wl["grid_id"].nunique()
    at.radio(key="sensors_unit").set_value("h3").run()
    at.select_slider(key="sensors_res").set_value(7).run()
    cell = h3.cell_to_parent(h3.int_to_str(int(wl["h3"].iloc[0])), 7)
    at.session_state["sensors_map"] = {
        "selection": {"indices": {"sensors-units": [0]}, "objects": {"sensors-units": [{"unit_id": cell, "hex": cell}]}}
    }
    at.run()
    assert not at.exception
    assert at.session_state["sensors_series_mode"] == "cell" and at.session_state["sensors_cell"] == cell
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    in_cell = wl[[h3.cell_to_parent(h3.int_to_str(int(c)), 7) == cell for c in wl["h3"]]]
    mean = in_cell.groupby("ts")["value"].mean()
    line = next(tr for tr in chart["data"] if tr["name"] == "Cell mean")
    np.testing.assert_allclose(_values(line["y"]), mean.to_numpy())
