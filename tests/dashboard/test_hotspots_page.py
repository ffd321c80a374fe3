"""The hotspot page (AppTest): filters, unit, method, URL state and drill-down, in zh and en.

Expected values come from running the analysis directly on the same file, and from
pandas on the small city for the event lists.
"""

from __future__ import annotations

import base64
import json
from datetime import date

import h3
import numpy as np
import pandas as pd
import pytest

from queries import DuckDBStore, EventFilter
from queries.answers.hotspots import HotspotRequest, analyse_hotspots
from tests.dashboard.apptest import run_app

PAGE = "dashboard/pages/hotspots.py"
JUNE = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))


def _direct(db, req: HotspotRequest) -> pd.DataFrame:
    store = DuckDBStore(db)
    try:
        return analyse_hotspots(store, req).table
    finally:
        store.close()


def _open(monkeypatch, db, lang: str = "zh", **params: str):
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.apptest import APP

    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _spec(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


@pytest.mark.parametrize(
    ("lang", "hot", "title"), [("zh", "热点 99%", "热点分析"), ("en", "Hot spot 99%", "Hotspot analysis")]
)
def test_default_view_in_both_languages(monkeypatch, small_db_file, lang, hot, title) -> None:
    at = run_app(monkeypatch, small_db_file, lang, page=PAGE)
    assert not at.exception
    assert at.title[0].value == title
    expected = _direct(small_db_file, HotspotRequest(JUNE, unit="h3", res=9, method="gi_star", confidence=0.95))
    spec = _spec(at)
    assert spec["layers"][0]["@@type"] == "H3HexagonLayer"
    assert len(spec["layers"][0]["data"]) == len(expected)
    legend = next(m.value for m in at.markdown if "hs-legend" in m.value)
    assert hot in legend
    shown = at.dataframe[0].value
    top = expected.sort_values("rank").head(len(shown))
    # issue 16: a cell is named by the street and community it lies in, then its id
    assert [u.rsplit(" · ", 1)[-1] for u in shown["unit"]] == top["unit_id"].tolist()
    assert all(u.count(" · ") == 2 for u in shown["unit"])
    assert shown["events"].tolist() == top["events"].tolist()
    assert at.query_params["method"] == "gi_star" and at.query_params["res"] == "9"


def test_filters_unit_and_method_drive_the_analysis(monkeypatch, small_db_file) -> None:
    at = run_app(monkeypatch, small_db_file, "en", page=PAGE)
    at.multiselect(key="f_categories").set_value(["garbage", "noise"]).run()
    at.radio(key="hs_unit").set_value("grid").run()
    at.radio(key="hs_method").set_value("local_moran").run()
    assert not at.exception
    flt = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30), categories=["garbage", "noise"])
    expected = _direct(
        small_db_file, HotspotRequest(flt, unit="grid", method="local_moran", confidence=0.95, permutations=4999)
    )
    shown = at.dataframe[0].value
    top = expected.sort_values("rank").head(len(shown))
    assert shown["events"].tolist() == top["events"].tolist()
    assert _spec(at)["layers"][0]["@@type"] == "PolygonLayer"
    assert at.query_params["cat"] == "garbage,noise" and at.query_params["unit"] == "grid"
    at.radio(key="hs_method").set_value("emerging").run()
    assert not at.exception
    assert set(at.dataframe[0].value["label"]) <= {
        "New hot spot",
        "Consecutive hot spot",
        "Intensifying hot spot",
        "Persistent hot spot",
        "Diminishing hot spot",
        "Sporadic hot spot",
        "Oscillating hot spot",
        "Historical hot spot",
        "New cold spot",
        "Consecutive cold spot",
        "Intensifying cold spot",
        "Persistent cold spot",
        "Diminishing cold spot",
        "Sporadic cold spot",
        "Oscillating cold spot",
        "Historical cold spot",
        "No pattern",
    }


def test_url_reproduces_the_analysis(monkeypatch, small_db_file) -> None:
    at = _open(
        monkeypatch,
        small_db_file,
        "zh",
        start="2026-03-01",
        end="2026-06-30",
        src="hotline,app",
        unit="h3",
        res="8",
        method="emerging",
        conf="0.90",
        fdr="0",
        slice="week",
    )
    assert at.radio(key="hs_method").value == "emerging"
    assert at.radio(key="hs_res").value == 8
    assert at.toggle(key="hs_fdr").value is False
    assert at.multiselect(key="f_sources").value == ["hotline", "app"]
    flt = EventFilter.for_dates(date(2026, 3, 1), date(2026, 6, 30), sources=["hotline", "app"])
    expected = _direct(
        small_db_file, HotspotRequest(flt, unit="h3", res=8, method="emerging", confidence=0.90, fdr=False)
    )
    shown = at.dataframe[0].value
    ids = [u.rsplit(" · ", 1)[-1] for u in shown["unit"]]  # issue 16: "street · community · id"
    assert ids == expected.sort_values("rank").head(len(shown))["unit_id"].tolist()
    # The page writes the same state back.
    assert at.query_params["start"] == "2026-03-01" and at.query_params["end"] == "2026-06-30"
    assert at.query_params["fdr"] == "0" and at.query_params["conf"] == "0.90"


def test_bad_url_values_are_ignored(monkeypatch, small_db_file) -> None:
    at = _open(
        monkeypatch,
        small_db_file,
        "en",
        method="drop table",
        res="99",
        cat="nope,garbage",
        unit="x",
        start="2020-99-01",
        sel="not-a-cell",
    )
    assert at.radio(key="hs_method").value == "gi_star"
    assert at.radio(key="hs_res").value == 9
    assert at.multiselect(key="f_categories").value == ["garbage"]
    assert at.selectbox[1].value == ""


def _events_in_cell(city, flt: EventFilter, hex_id: str) -> pd.DataFrame:
    ev = city.events
    ev = ev[(ev["reported_at"] >= pd.Timestamp(flt.start)) & (ev["reported_at"] < pd.Timestamp(flt.end))]
    parents = np.array([h3.cell_to_parent(h3.int_to_str(int(c)), 9) for c in ev["h3"]])
    return ev[parents == hex_id]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_selecting_a_cell_shows_its_events_and_weeks(monkeypatch, small_db_file, small_city, lang) -> None:
    at = run_app(monkeypatch, small_db_file, lang, page=PAGE)
    box = at.selectbox[1]
    chosen = at.dataframe[0].value["unit"].iloc[0]  # rank 1, the first option after "none"
    assert box.options[1].startswith(chosen)
    box.set_value(chosen.rsplit(" · ", 1)[-1]).run()  # issue 16: the option is the id, shown after its place
    assert not at.exception
    hex_id = at.session_state["hs_selected"]
    expected = _events_in_cell(small_city, JUNE, hex_id)
    events = at.dataframe[1].value
    assert len(events) == min(len(expected), 200) > 0
    assert sorted(events["description"]) == sorted(expected["description"].head(200))
    weekly = at.get("plotly_chart")[0]
    bars = json.loads(weekly.proto.spec)["data"][0]["y"]
    if isinstance(bars, dict):  # plotly's typed-array encoding
        bars = np.frombuffer(base64.b64decode(bars["bdata"]), dtype=bars["dtype"])
    assert int(np.sum(bars)) == len(expected)
    assert at.query_params["sel"] == hex_id
    # The map outlines the selected cell.
    assert _spec(at)["layers"][-1]["id"] == "hs-selected"


def test_map_click_selects_the_unit(monkeypatch, small_db_file) -> None:
    at = run_app(monkeypatch, small_db_file, "zh", page=PAGE)
    target = at.dataframe[0].value["unit"].iloc[2].rsplit(" · ", 1)[-1]  # issue 16: the id after the place
    at.session_state["hs_map"] = {
        "selection": {"indices": {"hs-h3": [0]}, "objects": {"hs-h3": [{"unit_id": target, "hex": target}]}}
    }
    at.run()
    assert not at.exception
    assert at.session_state["hs_selected"] == target
    assert len(at.dataframe) == 2


def test_emerging_needs_enough_slices(monkeypatch, small_db_file) -> None:
    at = _open(monkeypatch, small_db_file, "en", start="2026-06-20", end="2026-06-30", method="emerging")
    assert not at.exception
    assert any("fewer than 4 slices" in w.value for w in at.warning)
    at.radio(key="hs_slice").set_value("day").run()
    assert not at.exception and not at.warning
