"""Issue 16 on the maps, through AppTest: the hotspot map forgets Streamlit's own selection
(which fades every other cell) when the method changes or the selection is cleared; the chain
map colours the on-time rate on a diverging scale around the district's pooled rate."""

from __future__ import annotations

import json

from dashboard.chain_view import metric_colors, pooled_on_time_rate
from dashboard.map_colors import DIVERGING
from queries.answers import chain
from tests.conftest import NOW
from tests.dashboard.apptest import run_app
from tests.dashboard.test_chain_page import open_chain

PAGE = "dashboard/pages/hotspots.py"


def _map_keys(at) -> list[str]:
    return [k for k in at.session_state.filtered_state if str(k).startswith("hs_map")]


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_a_click_then_a_new_method_or_clear_leaves_no_faded_map(monkeypatch, small_db_file) -> None:
    at = run_app(monkeypatch, small_db_file, "zh", page=PAGE)
    target = at.dataframe[0].value["unit"].iloc[0].rsplit(" · ", 1)[-1]
    at.session_state["hs_map"] = {
        "selection": {"indices": {"hs-h3": [0]}, "objects": {"hs-h3": [{"unit_id": target, "hex": target}]}}
    }
    at.run()
    assert at.session_state["hs_selected"] == target
    assert at.get("deck_gl_json_chart")[0].proto.id  # drawn under the first key
    first = at.get("deck_gl_json_chart")[0].proto.id

    at.radio(key="hs_method").set_value("local_moran").run()  # another method: a map without the old selection
    assert not at.exception
    second = at.get("deck_gl_json_chart")[0].proto.id
    assert second != first
    assert at.session_state["hs_last_click"] is None

    at.button(key="hs_clear").click().run()  # clearing: a fresh map again, nothing selected
    assert not at.exception
    assert at.session_state["hs_selected"] == ""
    assert at.get("deck_gl_json_chart")[0].proto.id not in (first, second)
    assert _deck(at)["layers"][-1]["id"] != "hs-selected"


def test_tooltips_are_fields_in_the_page_language(monkeypatch, small_db_file) -> None:
    for lang, word in (("zh", "事件: "), ("en", "Events: ")):
        at = run_app(monkeypatch, small_db_file, lang, page=PAGE)
        tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
        assert "{tip}" in tooltip["html"] and tooltip["style"]["transform"] == "none"
        row = _deck(at)["layers"][0]["data"][0]
        assert word in {v for k, v in row.items() if k.startswith("tip_k")}
        assert not any("<" in str(v) for k, v in row.items() if k.startswith("tip"))


def test_chain_rates_diverge_around_the_district(monkeypatch, small_db_file) -> None:
    from datetime import date

    from queries import DuckDBStore, EventFilter

    store = DuckDBStore(small_db_file)
    try:
        areas = chain.area_ranking(
            store, EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30)), NOW, "street", None, 10
        )
    finally:
        store.close()
    center = pooled_on_time_rate(areas)
    expected = areas["closed_on_time"].sum() / (areas["closed"] - areas["closed_untimed"] + areas["open_overdue"]).sum()
    assert center == expected
    colors, chips, ref = metric_colors(areas, "on_time_rate")
    assert ref == center and len(chips) == 7
    spread = (areas["on_time_rate"] - center).abs().max()
    if spread < 0.025:  # streets within 2.5 points of the district: no dark red or dark blue
        assert all(c[:3] not in (DIVERGING[0], DIVERGING[-1]) for c in colors)
    at = open_chain(monkeypatch, small_db_file, "en")
    assert not at.exception
    legend = next(m.value for m in at.markdown if "percentage points" in m.value)
    assert f"{center:.1%}" in legend
