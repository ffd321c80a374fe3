"""The overview page in both languages, with filters and map units changed (AppTest)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from queries import DuckDBStore, EventFilter
from tests.dashboard.apptest import run_app


def _events_in(db, flt: EventFilter) -> int:
    store = DuckDBStore(db)
    try:
        return int(
            store.fetch("kpi_summary", **flt.params(), prev_start=flt.previous().start, now=flt.end)
            .set_index("period")
            .loc["current", "events"]
        )
    finally:
        store.close()


@pytest.mark.parametrize(
    "lang,labels",
    [
        ("zh", ["事件数", "结案率", "按期处置率", "满意率", "超期未结"]),
        ("en", ["Events", "Closure rate", "On-time closure rate", "Satisfaction rate", "Open overdue"]),
    ],
)
def test_overview_shows_kpis_map_trend_and_ranking(monkeypatch, small_db_file, lang, labels):
    expected = _events_in(small_db_file, EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30)))
    at = run_app(monkeypatch, small_db_file, lang)
    assert not at.exception
    assert [m.label for m in at.metric] == labels
    assert at.metric[0].value == f"{expected:,}"
    assert at.metric[1].value.endswith("%") and at.metric[1].delta
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    kinds = [layer["@@type"] for layer in spec["layers"]]
    # issue 16: cells, grid outlines, the district outline, street names, the scale bar (line and text)
    assert kinds == ["H3HexagonLayer", "PathLayer", "PathLayer", "TextLayer", "PathLayer", "TextLayer"]
    assert spec["layers"][3]["characterSet"] == "auto"  # CJK names drawn
    assert spec["mapStyle"] == "/app/static/empty-style.json"  # served locally: no Carto
    assert len(at.get("plotly_chart")) == 1
    assert len(at.dataframe[0].value) == 10


def test_filters_change_every_figure(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en")
    before = at.metric[0].value
    at.multiselect(key="f_categories").set_value(["garbage"]).run()
    at.multiselect(key="f_streets").set_value(["110199002"]).run()
    assert not at.exception
    flt = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30), categories=["garbage"], street_ids=["110199002"])
    assert at.metric[0].value == f"{_events_in(small_db_file, flt):,}" != before
    assert at.dataframe[0].value["events"].tolist() == [_events_in(small_db_file, flt)]


@pytest.mark.parametrize("unit", ["street", "community", "grid"])
def test_map_switches_to_area_levels(monkeypatch, small_db_file, unit):
    at = run_app(monkeypatch, small_db_file, "zh")
    at.radio(key="overview_unit").set_value(unit).run()
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    polygons = spec["layers"][0]
    assert polygons["@@type"] == "PolygonLayer"
    row = polygons["data"][0]  # issue 16: plain-text tooltip fields, the HTML lives in the template only
    assert row["tip"] and row["tip_k1"].endswith(": ") and "<" not in "".join(str(v) for v in row.values())


def test_empty_filter_result_says_so(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en")
    at.multiselect(key="f_sources").set_value(["sensor"]).run()
    at.multiselect(key="f_categories").set_value(["garbage"]).run()
    assert not at.exception
    assert at.metric[0].value == "0"
    assert any("No events match" in i.value for i in at.info)
