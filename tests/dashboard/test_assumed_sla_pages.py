"""Pages that rest on SLAs name the categories whose SLA is assumed (issue 9), say how
cancelled and untimed closures count, and the import page offers the categories import
(AppTest, zh and en)."""

from __future__ import annotations

import pytest

from queries import DuckDBStore
from tests.dashboard.apptest import run_app, shown

ASSUMED = {
    "zh": "2 个类别使用默认时限（2 小时响应/24 小时结案）",
    "en": "2 categories use the default SLA (2 h to respond / 24 h to close)",
}


@pytest.fixture
def assumed_db(small_db_file):
    """The small city with two categories marked assumed and a few cancelled / untimed closures."""
    store = DuckDBStore(small_db_file)
    codes = store.fetch("list_categories")["code"].tolist()[:2]
    store._con.execute("UPDATE categories SET sla_assumed = TRUE WHERE code IN (?, ?)", codes)
    store._con.execute(
        "UPDATE events SET status = 'cancelled' WHERE event_id IN (SELECT event_id FROM events "
        "WHERE closed_at IS NOT NULL AND reported_at >= '2026-06-01' ORDER BY event_id LIMIT 7)"
    )
    store._con.execute(
        "UPDATE events SET closed_at = NULL WHERE event_id IN (SELECT event_id FROM events "
        "WHERE status = 'closed' AND reported_at >= '2026-06-01' ORDER BY event_id DESC LIMIT 3)"
    )
    names = store.fetch("list_categories").set_index("code").loc[codes]
    store.close()
    return small_db_file, names


def _warnings(at) -> list[str]:
    return [shown(w.value) for w in at.warning]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_names_the_assumed_slas_and_the_left_out_events(monkeypatch, assumed_db, lang):
    db, names = assumed_db
    at = run_app(monkeypatch, db, lang)
    assert not at.exception
    text = [w for w in _warnings(at) if ASSUMED[lang] in w]
    assert len(text) == 1
    for name in names[f"name_{lang}"]:
        assert name in text[0]
    captions = " ".join(c.value for c in at.caption)
    assert ("7 件未经处置即结束" if lang == "zh" else "7 events closed without a resolution") in captions
    assert ("3 件已结案但没有结案时间" if lang == "zh" else "3 closed without a close time") in captions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chain_page_names_them_and_an_sla_edit_clears_one(monkeypatch, assumed_db, lang):
    db, names = assumed_db
    at = run_app(monkeypatch, db, lang, page="dashboard/pages/chain.py")
    assert not at.exception
    assert any(ASSUMED[lang] in w for w in _warnings(at))
    code = names.index[0]
    at.selectbox(key="chain_sla_code").set_value(code).run()
    at.number_input(key=f"chain_sla_close_{code}").set_value(30.0)  # reaches the script with the submit
    at.button(key=f"FormSubmitter:chain_sla_form-{'保存' if lang == 'zh' else 'Save'}").click().run()
    assert not at.exception
    one = {"zh": "1 个类别使用默认时限", "en": "1 category uses the default SLA"}[lang]
    assert any(one in w for w in _warnings(at)), _warnings(at)
    store = DuckDBStore(db)
    try:
        flags = store.fetch("list_categories").set_index("code")["sla_assumed"]
    finally:
        store.close()
    assert not flags[code] and flags[names.index[1]]


def test_a_store_without_assumed_slas_shows_no_warning(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "zh")
    assert not at.exception
    assert not any("默认时限" in w for w in _warnings(at))


@pytest.mark.parametrize("lang,label", [("zh", "类别与时限"), ("en", "Categories and SLAs")])
def test_import_page_offers_the_categories_import(monkeypatch, small_db_file, lang, label):
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/data_import.py")
    control = at.get("button_group")[0]
    assert label in [o.content for o in control.proto.options]


def _render(report):
    import streamlit as st

    from dashboard.components.import_report import render_sla_and_statuses

    st.session_state["lang"] = st.session_state.get("lang", "zh")
    render_sla_and_statuses(report)


def test_every_status_finding_has_page_text():
    from dashboard.components.import_report import _STATUS_KEYS
    from dashboard.i18n import all_strings
    from data.ingest.statuses import STATUS_FINDINGS

    assert set(_STATUS_KEYS) == set(STATUS_FINDINGS)
    assert all(key in all_strings() for key in _STATUS_KEYS.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_report_lists_assumed_slas_and_statuses(lang):
    from collections import Counter

    from streamlit.testing.v1 import AppTest

    from data.ingest import ImportReport

    report = ImportReport("events", "nyc.csv", "b")
    report.assumed_sla = Counter({"Noise - Residential": 12, "![x](http://h/t.png)": 1})
    report.statuses = Counter(
        {
            "unmapped: Pending Review": 3,
            "unmapped: Unspecified": 1,
            "not resolved: Duplicate (Closed)": 2,
            "closed, no time: Closed": 4,
        }
    )
    at = AppTest.from_function(_render, args=(report,))
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    warning = shown(at.warning[0].value)
    assert ("2 个类别使用默认时限" if lang == "zh" else "2 categories use the default SLA") in warning
    if lang == "zh":
        assert "Noise - Residential（12 行）" in warning and "/t.png)（1 行）" in warning
    else:
        assert "Noise - Residential (12 rows)" in warning and "/t.png) (1 row)" in warning
    assert "![" not in at.warning[0].value  # the hostile name is escaped, never an image
    lines = shown(at.markdown[-1].value).splitlines()
    assert len(lines) == 3
    rows = (
        {3: "（3 行）", 1: "（1 行）", 2: "（2 行）", 4: "（4 行）"}
        if lang == "zh"
        else {3: " (3 rows)", 1: " (1 row)", 2: " (2 rows)", 4: " (4 rows)"}
    )
    assert f"“Pending Review”{rows[3]}" in lines[0] and f"“Unspecified”{rows[1]}" in lines[0]
    assert ("共 4 行" if lang == "zh" else "4 rows") in lines[0]
    assert f"“Duplicate (Closed)”{rows[2]}" in lines[1]
    assert f"“Closed”{rows[4]}" in lines[2]
