"""The import page lists the closures the status notes re-classified, per rule (issue 9), zh and en."""

from __future__ import annotations

from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.apptest import shown


def _render(report):
    import streamlit as st

    from dashboard.components.import_report import render_sla_and_statuses

    st.session_state["lang"] = st.session_state.get("lang", "zh")
    render_sla_and_statuses(report)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_report_lists_closures_reclassified_by_notes(lang):
    from data.ingest import ImportReport

    report = ImportReport("events", "sf.csv", "b", columns={"status_note": "Status.Notes"})
    report.statuses = Counter(
        {
            "by notes: Case Transferred": 169,
            "by notes: *duplicate*": 40,
            "by notes: Case is Invalid": 52,
            "closed, no time: Closed": 2,
        }
    )
    at = AppTest.from_function(_render, args=(report,))
    at.session_state["lang"] = lang
    at.run(timeout=60)
    assert not at.exception
    lines = shown(at.markdown[-1].value).splitlines()
    assert len(lines) == 2
    notes = next(line for line in lines if "Case Transferred" in line)
    expected = (
        "办理意见/备注列“Status.Notes”表明未经处置即结束"
        if lang == "zh"
        else "the notes column “Status.Notes” says closed without a resolution"
    )
    assert expected in notes
    assert ("共 261 行" if lang == "zh" else "261 rows") in notes
    counts = (
        ("“Case Transferred”（169 行）", "“Case is Invalid”（52 行）", "“*duplicate*”（40 行）")
        if lang == "zh"
        else ("“Case Transferred” (169 rows)", "“Case is Invalid” (52 rows)", "“*duplicate*” (40 rows)")
    )
    assert all(c in notes for c in counts), notes
    assert "\\*duplicate\\*" in at.markdown[-1].value  # the rule's stars are text, not emphasis


def _form(columns):
    import streamlit as st

    from dashboard.components.import_form import render_mapping_form

    st.session_state["lang"] = st.session_state.get("lang", "zh")
    render_mapping_form(columns, "events", "ev")


SF_COLUMNS = ["CaseID", "Opened", "Closed", "Status", "Status.Notes", "Responsible.Agency", "Category", "Lat", "Long"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mapping_form_names_the_notes_column_and_its_rules(lang):
    at = AppTest.from_function(_form, args=(SF_COLUMNS,))
    at.session_state["lang"] = lang
    at.run(timeout=60)
    assert not at.exception
    label = "办理意见/备注" if lang == "zh" else "Status notes"
    assert next(s for s in at.selectbox if s.label == label).value == "Status.Notes"
    caption = next(shown(c.value) for c in at.caption if "Status.Notes" in shown(c.value))
    assert ("共 23 条" if lang == "zh" else "23 rules") in caption
    assert "“Case Transferred”" in caption and "“*duplicate*”" in caption
    assert "\\*" + ("文字" if lang == "zh" else "text") + "\\*" in next(
        c.value for c in at.caption if "Status" in c.value
    )


def test_mapping_form_without_a_notes_column_says_nothing_of_rules():
    at = AppTest.from_function(_form, args=([c for c in SF_COLUMNS if c != "Status.Notes"],))
    at.session_state["lang"] = "en"
    at.run(timeout=60)
    assert not at.exception
    assert not [c for c in at.caption if "[status_note_rules]" in c.value]
