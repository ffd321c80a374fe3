"""Issue 16, defects 2 and 4: the sidebar filters persist across pages and are in every page's
address; an address brought by the user (a link, an edit, browser Back) is applied; a language
switch keeps multiselect and radio selections and shows them in the new language.

AppTest keeps ``query_params`` across ``switch_page``; the browser's menu drops them, which
``_menu_to`` imitates by clearing the address before the switch. AppTest keeps widget values
by code, so the browser-only part of the language defect (radios falling back to their first
option, chips left in the old language) is checked in tests/browser/test_filters_browser.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import _is_choice
from tests.dashboard.apptest import APP, run_app

PAGES = {
    "overview": "dashboard/pages/overview.py",
    "hotspots": "dashboard/pages/hotspots.py",
    "chain": "dashboard/pages/chain.py",
    "trends": "dashboard/pages/trends.py",
    "sensors": "dashboard/pages/sensors.py",
}
DEPARTMENT_PAGES = {"hotspots", "chain", "trends"}
STREET = "110199002"


def _menu_to(at: AppTest, page: str) -> AppTest:
    """Open ``page`` the way the sidebar menu does: the new page's address has no filters."""
    lang = at.session_state["lang"]
    at.query_params.clear()
    at.query_params["lang"] = lang
    at.switch_page(PAGES.get(page, page))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def _filters(at: AppTest) -> dict[str, object]:
    return {
        "dates": at.date_input(key="f_dates_widget").value,
        "cat": at.multiselect(key="f_categories").value,
        "src": at.multiselect(key="f_sources").value,
        "street": at.multiselect(key="f_streets").value,
    }


def _open(monkeypatch, db, page: str, lang: str, query: dict[str, str]) -> AppTest:
    """A new session whose first address on ``page`` carries ``query``."""
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    if page != "overview":
        at.run()  # st.navigation must have run before switch_page finds a page
        at.query_params.clear()
        at.switch_page(PAGES[page])
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_filters_persist_across_every_page_and_are_in_each_address(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "zh")
    at.date_input(key="f_dates_widget").set_value((date(2026, 6, 5), date(2026, 6, 20))).run()
    at.multiselect(key="f_categories").set_value(["garbage", "noise"]).run()
    at.multiselect(key="f_sources").set_value(["hotline"]).run()
    at.multiselect(key="f_streets").set_value([STREET]).run()
    expected = {
        "dates": (date(2026, 6, 5), date(2026, 6, 20)),
        "cat": ["garbage", "noise"],
        "src": ["hotline"],
        "street": [STREET],
    }
    assert _filters(at) == expected
    # Through every page, the import page (no filters drawn) included, and back.
    for page in ["trends", "sensors", "hotspots", "chain", "dashboard/pages/data_import.py", "overview", "trends"]:
        _menu_to(at, page)
        if page.endswith("data_import.py"):
            continue
        assert _filters(at) == expected, page
        assert _param(at, "start") == "2026-06-05" and _param(at, "end") == "2026-06-20", page
        assert _param(at, "cat") == "garbage,noise" and _param(at, "src") == "hotline", page
        assert _param(at, "street") == STREET and _param(at, "lang") == "zh", page


def test_department_filter_is_kept_through_a_page_without_it(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en", page=PAGES["trends"])
    at.multiselect(key="f_departments").set_value(["sanitation"]).run()
    assert _param(at, "dept") == "sanitation"
    _menu_to(at, "overview")
    assert "f_departments" not in [m.key for m in at.multiselect]
    assert _param(at, "dept") is None  # the overview does not filter by department
    _menu_to(at, "chain")
    assert at.multiselect(key="f_departments").value == ["sanitation"]
    assert _param(at, "dept") == "sanitation"


@pytest.mark.parametrize("page", list(PAGES))
def test_address_round_trip_on_every_page(monkeypatch, small_db_file, page):
    query = {"start": "2026-06-03", "end": "2026-06-17", "cat": "noise", "src": "app,hotline", "street": STREET}
    if page in DEPARTMENT_PAGES:
        query["dept"] = "sanitation"
    at = _open(monkeypatch, small_db_file, page, "en", query)
    assert _filters(at) == {
        "dates": (date(2026, 6, 3), date(2026, 6, 17)),
        "cat": ["noise"],
        "src": ["app", "hotline"],
        "street": [STREET],
    }
    if page in DEPARTMENT_PAGES:
        assert at.multiselect(key="f_departments").value == ["sanitation"]
    # A change in the widgets is written back to the address.
    at.multiselect(key="f_categories").set_value(["noise", "garbage"]).run()
    at.multiselect(key="f_streets").set_value([]).run()
    at.date_input(key="f_dates_widget").set_value((date(2026, 6, 1), date(2026, 6, 10))).run()
    assert not at.exception
    assert _param(at, "cat") == "noise,garbage" and _param(at, "src") == "app,hotline"
    assert _param(at, "street") is None
    assert (_param(at, "start"), _param(at, "end")) == ("2026-06-01", "2026-06-10")


def test_an_address_the_user_brings_wins_a_bare_one_keeps_the_session(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en")
    at.multiselect(key="f_categories").set_value(["garbage"]).run()
    # Browser Back / an edited link: the address differs from what the app wrote.
    at.query_params["cat"] = "noise"
    at.run()
    assert at.multiselect(key="f_categories").value == ["noise"]
    # A dated address without ``cat`` means every category (every address the app writes has dates).
    del at.query_params["cat"]
    at.run()
    assert at.multiselect(key="f_categories").value == []
    at.multiselect(key="f_categories").set_value(["garbage"]).run()
    # A bare address (a page opened from the menu) keeps the session's filters.
    at.query_params.clear()
    at.run()
    assert at.multiselect(key="f_categories").value == ["garbage"]
    assert _param(at, "cat") == "garbage"
    # Values that are not offered are ignored.
    at.query_params["cat"] = "nope,noise,'; DROP TABLE events; --"
    at.run()
    assert at.multiselect(key="f_categories").value == ["noise"]


def test_language_switch_keeps_selections_and_shows_the_new_language(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "zh", page=PAGES["hotspots"])
    at.multiselect(key="f_categories").set_value(["garbage"]).run()
    at.multiselect(key="f_sources").set_value(["hotline"]).run()
    at.radio(key="hs_unit").set_value("grid").run()
    at.radio(key="hs_method").set_value("local_moran").run()
    cats = at.multiselect(key="f_categories")
    zh_name = cats.format_func("garbage")
    assert at.multiselect(key="f_sources").format_func("hotline") == "12345热线"
    at.button_group[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Hotspot analysis"
    cats = at.multiselect(key="f_categories")
    assert cats.value == ["garbage"] and cats.format_func("garbage") != zh_name
    assert at.multiselect(key="f_sources").value == ["hotline"]
    assert at.multiselect(key="f_sources").format_func("hotline") == "12345 hotline"
    unit, method = at.radio(key="hs_unit"), at.radio(key="hs_method")
    assert unit.value == "grid" and method.value == "local_moran"
    assert "Grid" in unit.options and "Local Moran (LISA)" in method.options
    assert _param(at, "lang") == "en" and _param(at, "unit") == "grid" and _param(at, "cat") == "garbage"
    # and back to Chinese, on another page with its own radios
    _menu_to(at, "trends")
    at.radio(key="trends_dim").set_value("source").run()
    at.button_group[0].set_value("zh").run()
    assert at.radio(key="trends_dim").value == "source" and "来源" in at.radio(key="trends_dim").options
    assert at.multiselect(key="f_categories").value == ["garbage"]


def test_only_choice_values_are_pinned_on_a_language_switch():
    """Buttons (bool), selections (dict), dates and uploads are never re-assigned."""
    assert _is_choice("grid") and _is_choice(9) and _is_choice(0.95) and _is_choice(["a", "b"]) and _is_choice([])
    assert not _is_choice(True) and not _is_choice({"selection": {}}) and not _is_choice(date(2026, 6, 1))
    assert not _is_choice(None) and not _is_choice([True]) and not _is_choice((date(2026, 6, 1), date(2026, 6, 2)))


def test_each_run_changes_the_address_at_most_once(monkeypatch, small_db_file):
    """Each change of st.query_params is one browser history entry: a drill move (level and
    area) and a filter change (start, end, cat, ...) are one change each, so Back lands on a
    whole state, never on ``?level=street`` without its area."""
    from streamlit.runtime.state.query_params import QueryParams

    at = run_app(monkeypatch, small_db_file, "en", page=PAGES["chain"])
    sent: list[str] = []
    original = QueryParams._send_query_param_msg

    def counting(self):
        sent.append(str(self))
        original(self)

    monkeypatch.setattr(QueryParams, "_send_query_param_msg", counting)
    at.selectbox(key="chain_drill_district").set_value(STREET).run()
    assert not at.exception
    assert (_param(at, "level"), _param(at, "area")) == ("street", STREET)
    assert len(sent) == 1, sent
    sent.clear()
    at.multiselect(key="f_categories").set_value(["noise"]).run()
    assert len(sent) == 1 and _param(at, "cat") == "noise", sent
    sent.clear()
    at.run()  # nothing changed: the address is not written again
    assert sent == []


def _staging_script() -> None:
    from dashboard.components import url_state as url

    url.begin_run()
    url.stage({"cat": "noise", "x": None})
    url.stage({"start": "2026-06-01", "cat": "noise,garbage"})
    url.flush()


def test_stage_and_flush_merge_with_other_parameters():
    """Keys not staged stay (another page's, unknown ones); ``None`` removes a key; the last stage wins."""
    at = AppTest.from_function(_staging_script)
    at.query_params["keep"] = "1"
    at.query_params["x"] = "gone"
    at.run()
    assert not at.exception
    assert _param(at, "keep") == "1" and _param(at, "x") is None
    assert _param(at, "cat") == "noise,garbage" and _param(at, "start") == "2026-06-01"
