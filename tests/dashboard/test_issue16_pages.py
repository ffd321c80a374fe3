"""Issue 16's pages through AppTest, in zh and en: the overview's "what changed" panel (links
to the pages that explain each item) and KPI target colours, the event page (search, record,
hostile addresses) and the whole overdue backlog on the chain page."""

from __future__ import annotations

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboard.i18n import all_strings
from queries import DuckDBStore
from tests.dashboard.apptest import APP, run_app

EVENT_PAGE = "dashboard/pages/event.py"


def _links(at: AppTest) -> list[tuple[str, str, str]]:
    return [(e.proto.label, e.proto.page, e.proto.query_string) for e in at.get("page_link")]


def _s(key: str, lang: str) -> str:
    return all_strings()[key][lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_what_changed_panel_links_to_the_explaining_pages(monkeypatch, small_db_file, lang):
    at = run_app(monkeypatch, small_db_file, lang)
    assert not at.exception, [e.message for e in at.exception]
    assert ("达标" if lang == "zh" else "target") in _target_line(at)
    assert _s("chg_title", lang) in [h.value for h in at.subheader]
    links = _links(at)
    pages = {page for _, page, _ in links}
    assert {"trends", "chain"} <= pages  # category movers → trends, street movers → chain
    trends = [q for _, page, q in links if page == "trends"]
    assert any("cat=" in q and "start=2026-06-01" in q and "end=2026-06-30" in q for q in trends)
    chain = [q for _, page, q in links if page == "chain"]
    assert chain and all("level=street" in q and "area=" in q for q in chain)
    hot = [q for _, page, q in links if page == "hotspots"]
    assert all("method=emerging" in q for q in hot)
    assert all(label and "None" not in label and "nan" not in label for label, _, _ in links)


def _color(at: AppTest, i: int) -> int:
    return at.metric[i].proto.color


def _target_line(at: AppTest) -> str:
    """The target line under the KPI cards (the app's own escaped HTML, ``st.html``)."""
    return " ".join(h.proto.body for h in at.get("html") if "target" in h.proto.body or "达标" in h.proto.body)


def test_kpis_are_coloured_by_target_not_by_change(monkeypatch, small_db_file):
    # targets no city reaches (on time) and every city reaches (satisfaction)
    monkeypatch.setenv("GRIDSCOPE_TARGET_ON_TIME", "100%")
    monkeypatch.setenv("GRIDSCOPE_TARGET_SATISFACTION", "0.01")
    monkeypatch.setenv("GRIDSCOPE_TARGET_CLOSURE", "")
    at = run_app(monkeypatch, small_db_file, "en")
    assert not at.exception
    assert _color(at, 2) == MetricProto.MetricColor.RED
    assert _color(at, 3) == MetricProto.MetricColor.GREEN
    assert _color(at, 1) == MetricProto.MetricColor.GRAY  # no closure target: the change in grey
    line = _target_line(at)
    assert 'color:#b91c1c">On-time closure rate below target (≥ 100%)</span>' in line  # in words, not only colour
    assert 'color:#15803d">Satisfaction rate on target (≥ 1%)</span>' in line
    assert "Closure rate" not in line
    assert at.metric[2].delta  # the change is still shown


def test_an_invalid_target_setting_warns_and_uses_the_defaults(monkeypatch, small_db_file):
    monkeypatch.setenv("GRIDSCOPE_TARGET_ON_TIME", "ninety")
    at = run_app(monkeypatch, small_db_file, "en")
    assert not at.exception
    assert any("GRIDSCOPE_TARGET_ON_TIME" in w.value for w in at.warning)
    assert "(≥ 90%)" in _target_line(at)


def _event_page(monkeypatch, db, lang: str, **query: str) -> AppTest:
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(EVENT_PAGE)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def _some_event(db) -> tuple[str, str]:
    store = DuckDBStore(db)
    try:
        row = store.sql(
            "SELECT e.event_id, e.description FROM events e JOIN event_log l USING (event_id) "
            "WHERE e.status = 'closed' AND e.description IS NOT NULL ORDER BY e.event_id LIMIT 1"
        ).iloc[0]
        return str(row["event_id"]), str(row["description"])
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_event_page_opens_the_record_named_in_the_address(monkeypatch, small_db_file, lang):
    event_id, _ = _some_event(small_db_file)
    at = _event_page(monkeypatch, small_db_file, lang, id=event_id)
    assert not at.exception, [e.message for e in at.exception]
    assert _s("evt_title", lang) in [x.value for x in at.title]
    assert event_id in at.subheader[0].value
    assert len(at.dataframe) == 2  # the SLA checks and the whole chain
    sla, history = at.dataframe[0].value, at.dataframe[1].value
    assert sla["kind"].tolist() == [_s("evt_sla_respond", lang), _s("evt_sla_close", lang)]
    assert history["stage"].iloc[0] == _s("stage_reported", lang)
    assert not sla.isna().any().any() and not history[["actor", "note"]].isna().any().any()  # "—", never None
    assert not any("None" in m.value for m in at.markdown)
    assert history["stage"].iloc[-1] in (_s("stage_closed", lang), _s("stage_rated", lang))
    assert ("chain", "level=street") in [(p, q.split("&")[0]) for _, p, q in _links(at)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_event_search_lists_matches_and_a_selection_opens_the_record(monkeypatch, small_db_file, lang):
    event_id, description = _some_event(small_db_file)
    at = _event_page(monkeypatch, small_db_file, lang)
    assert not at.exception
    at.text_input(key="event_q").set_value(event_id).run()
    assert not at.exception
    found = at.dataframe[0].value
    assert found["event_id"].iloc[0] == event_id
    at.text_input(key="event_q").set_value(description).run()
    assert not at.exception
    assert (at.dataframe[0].value["description"].str.contains(description, regex=False)).all()


@pytest.mark.parametrize(
    "query",
    [
        {"id": "x" * 5000},  # too long
        {"id": "a\x00b"},  # NUL
        {"id": "\x1b[31m"},  # unprintable
        {"id": "'; DROP TABLE events; --"},  # printable: looked up, not found
        {"id": "%"},
        {"id": "*bold* <b>x</b>"},
        {"q": "%' OR '1'='1"},
        {"q": "_"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
    ],
)
def test_hostile_addresses_give_a_clear_message(monkeypatch, small_db_file, query):
    at = _event_page(monkeypatch, small_db_file, "en", **query)
    assert not at.exception, [e.message for e in at.exception]
    assert _s("evt_title", "en") in [x.value for x in at.title]
    if "id" in query:
        shown = [e.value for e in at.error] + [w.value for w in at.warning]
        assert shown and any("not valid" in s or "No event has the id" in s for s in shown)
        assert not at.dataframe  # no record drawn
    store = DuckDBStore(small_db_file)
    try:
        assert int(store.sql("SELECT count(*) AS n FROM events")["n"].iloc[0]) > 1000
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chain_overdue_tab_shows_the_whole_backlog(monkeypatch, small_db_file, lang):
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/chain.py")
    assert not at.exception, [e.message for e in at.exception]
    assert any(_s("bkl_title", lang) in m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "d1_3" in d.value.columns)
    assert (table[["lt_1d", "d1_3", "d3_7", "d7_30", "gt_30d"]].sum(axis=1) == table["total"]).all()
    assert table["total"].sum() > 0 and table["department"].notna().all()
    cases = next(d.value for d in at.dataframe if "bucket" in d.value.columns)
    assert cases["record"].str.startswith("event?id=").all()
    assert cases["record"].str.contains(f"lang={lang}").all()
