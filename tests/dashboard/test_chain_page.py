"""The governance-chain page (AppTest): figures, drill-down with the URL, SLA edit, read-only role."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from queries import DuckDBStore, EventFilter
from queries.answers.chain import funnel_table
from tests.dashboard.apptest import APP
from tests.queries import chain_reference as ref

PAGE = "dashboard/pages/chain.py"
JUNE = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))
AS_OF = datetime(2026, 7, 1)  # the window ends before the real "now": judged at its end


def open_chain(monkeypatch, db=None, lang: str = "zh", dsn: str | None = None, **query: str) -> AppTest:
    """Start the app on ``db`` (or a PostGIS ``dsn``) with URL ``query`` and open the chain page."""
    if dsn:
        monkeypatch.setenv("GRIDSCOPE_DSN", dsn)
    else:
        monkeypatch.setenv("GRIDSCOPE_DB", str(db))
        monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _direct(db, name: str, **params) -> pd.DataFrame:
    store = DuckDBStore(db)
    try:
        return store.fetch(name, **params)
    finally:
        store.close()


TABLES = {
    "funnel": ("waiting_share",),
    "departments": ("department_name",),
    "areas": ("area_name", "reopen_rate"),
    "sla": ("sla_close_h",),
    "overdue": ("hours_overdue",),
    "sources": ("share", "median_respond_h"),
}
"""A column (or columns) only that table of the page has (AppTest does not keep dataframe keys)."""


def _table(at, name: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(TABLES[name]) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables look like {name}"
    return found[0]


@pytest.mark.parametrize("lang,title,tab", [("zh", "治理链条", "流程漏斗"), ("en", "Governance chain", "Funnel")])
def test_chain_page_shows_every_figure_in_both_languages(monkeypatch, small_db_file, lang, title, tab):
    funnel = _direct(small_db_file, "chain_funnel", **JUNE.params(), now=AS_OF)
    depts = _direct(small_db_file, "department_ranking", **JUNE.params(), now=AS_OF, min_events=10)
    at = open_chain(monkeypatch, small_db_file, lang)
    assert at.title[0].value == title
    assert [t.label for t in at.tabs][0] == tab
    assert _table(at, "funnel")["reached"].tolist() == funnel["reached"].tolist()
    got = _table(at, "departments")
    assert got["events"].tolist() == depts["events"].tolist()
    assert got["rank"].tolist()[:3] == [1, 2, 3]
    streets = _table(at, "areas")
    assert len(streets) == 10 and streets["events"].sum() == funnel["reached"].iloc[0]
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["layers"][0]["@@type"] == "PolygonLayer"
    assert {len(at.get("plotly_chart"))} <= {4, 5}
    overdue = _table(at, "overdue")
    assert overdue["hours_overdue"].is_monotonic_decreasing and len(overdue) > 0
    sources = _table(at, "sources")
    assert sources["share"].sum() == pytest.approx(1.0)


def shown(at, column: str) -> pd.DataFrame:
    """The text the one table holding ``column`` shows in each cell (its Styler's display values)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    found = [d for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, column
    styler = found[0].proto.arrow_data.styler
    assert styler.display_values, "no display values: missing shares would show as 'None'"
    return convert_arrow_bytes_to_pandas_df(styler.display_values)


@pytest.mark.parametrize("lang,rated", [("zh", "评价"), ("en", "Rated")])
def test_funnel_shows_a_dash_where_a_share_does_not_exist(monkeypatch, small_db_file, lang, rated):
    at = open_chain(monkeypatch, small_db_file, lang)
    text = shown(at, "waiting_share").set_index("stage")
    # the last stage has no next step: a dash, never "None"; closed -> rated has no time to skip
    assert text.loc[rated, ["to_next", "waiting_share", "dropped_share", "skipped_share"]].tolist() == ["—"] * 4
    assert text.iloc[6]["skipped_share"] == "—"
    # issue 16: a share column with a missing value is text (Streamlit prints "None" for a
    # missing number whatever the Styler says), so the number comes from the service
    table = funnel_table(_direct(small_db_file, "chain_funnel", **JUNE.params(), now=AS_OF))
    assert text.iloc[0]["of_all"] == "100.0%" and text.iloc[2]["to_next"] == f"{table['to_next'].iloc[2]:.1%}"
    assert not text.isin(["None", "nan", "NaN"]).any().any()


def test_drill_down_street_community_grid_and_back(monkeypatch, small_db_file, small_city):
    areas = small_city.areas.set_index("area_id")
    at = open_chain(monkeypatch, small_db_file, "en")
    street = "110199003"
    at.selectbox(key="chain_drill_district").set_value(street).run()
    assert not at.exception
    assert (at.query_params["level"], at.query_params["area"]) == (["street"], [street]) or (
        at.query_params.get("level"),
        at.query_params.get("area"),
    ) == ("street", street)
    communities = _table(at, "areas")
    expected = areas[(areas["level"] == "community") & (areas["parent_id"] == street)]
    assert sorted(communities["area_name"]) == sorted(expected["name_en"])
    # every table is scoped to the street: the funnel counts only its events
    sel = ref.select(small_city.events, EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30), street_ids=[street]))
    assert _table(at, "funnel")["reached"].iloc[0] == len(sel)
    community = expected.index[0]
    at.selectbox(key=f"chain_drill_{street}").set_value(community).run()
    grids = _table(at, "areas")
    assert len(grids) == ((areas["level"] == "grid") & (areas["parent_id"] == community)).sum()
    grid = areas[(areas["level"] == "grid") & (areas["parent_id"] == community)].index[0]
    at.selectbox(key=f"chain_drill_{community}").set_value(grid).run()
    assert not at.exception
    crumbs = [b for b in at.button if b.key and b.key.startswith("chain_crumb_")]
    assert len(crumbs) == 4 and crumbs[-1].disabled
    assert "Grid" in crumbs[-1].label
    in_grid = sel[sel["grid_id"] == grid]
    assert _table(at, "funnel")["reached"].iloc[0] == len(in_grid)
    # back up to the street, then to the district
    at.button(key="chain_crumb_1").click().run()
    assert not at.exception
    assert len(_table(at, "areas")) == len(expected)
    at.button(key="chain_crumb_0").click().run()
    assert "level" not in at.query_params and len(_table(at, "areas")) == 10


@pytest.mark.parametrize(
    "query,rows",
    [
        ({"level": "community", "area": "110199003002"}, None),
        ({"level": "grid", "area": "no-such-grid"}, 10),
        ({"level": "street", "area": "110199003002"}, 10),  # a community id is not a street
    ],
)
def test_url_gives_the_level(monkeypatch, small_db_file, small_city, query, rows):
    at = open_chain(monkeypatch, small_db_file, "zh", **query)
    areas = small_city.areas
    if rows is None:
        rows = ((areas["level"] == "grid") & (areas["parent_id"] == query["area"])).sum()
    assert len(_table(at, "areas")) == rows


def test_sla_edit_is_reflected_on_the_page(monkeypatch, small_db_file, small_city):
    at = open_chain(monkeypatch, small_db_file, "en")
    before = _table(at, "sla").set_index("name").loc["Exposed garbage"]
    at.selectbox(key="chain_sla_code").set_value("garbage").run()
    # values in a form reach the script with the submit click, in one run
    at.number_input(key="chain_sla_resp_garbage").set_value(0.5)
    at.number_input(key="chain_sla_close_garbage").set_value(6.0)
    at.button(key="FormSubmitter:chain_sla_form-Save").click().run()
    assert not at.exception
    assert any("Saved: Exposed garbage respond within 0.5 h, close within 6 h" in s.value for s in at.success)
    after = _table(at, "sla").set_index("name").loc["Exposed garbage"]
    assert (after["sla_response_h"], after["sla_close_h"]) == (0.5, 6.0)
    cats = small_city.categories.copy()
    cats.loc[cats["code"] == "garbage", ["sla_response_h", "sla_close_h"]] = [0.5, 6.0]
    ev = ref.select(ref.with_deadlines(small_city.events, cats), JUNE)
    exp = ref.counts(ev[ev["category"] == "garbage"], pd.Timestamp(AS_OF))
    assert after["on_time_rate"] == pytest.approx(exp["on_time_rate"], abs=1e-12)
    assert after["on_time_rate"] < before["on_time_rate"]
    assert after["response_on_time_rate"] == pytest.approx(exp["response_on_time_rate"], abs=1e-12)


def test_invalid_sla_is_explained(monkeypatch, small_db_file):
    at = open_chain(monkeypatch, small_db_file, "zh")
    at.number_input(key="chain_sla_resp_air_pollution").set_value(60.0)
    at.button(key="FormSubmitter:chain_sla_form-保存").click().run()
    assert any("时限无效" in e.value for e in at.error)
