"""Issue 9: the import page shows each time column's detected format and explains an
ambiguous date order, in zh and en (AppTest on the page's components; uploads are in
tests/browser/test_import_dates_browser.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data.ingest import ImportFileError, import_events
from queries.duckdb_store import DuckDBStore
from tests.importer.test_time_formats import _ambiguous_la, detecting, la_csv


def _report_script(report, lang):
    import streamlit as st

    from dashboard.components.import_report import render_report

    st.session_state["lang"] = lang
    render_report(report, __import__("pandas").DataFrame(columns=["row_number", "reason", "raw"]), key_prefix="t")


def _error_script(exc, lang):
    import streamlit as st

    from dashboard.components.import_report import import_error_text

    st.session_state["lang"] = lang
    st.error(import_error_text(exc))


def _form_script(columns, lang):
    import streamlit as st

    from dashboard.components.import_form import render_mapping_form

    st.session_state["lang"] = lang
    mapping = render_mapping_form(columns, "events", "t")
    st.text(f"date_order={mapping.date_order}")
    st.text(mapping.to_toml())


@pytest.mark.parametrize(
    "lang,words",
    [
        (
            "zh",
            [
                "时间格式（按文件内容识别）",
                "上报时间 ← CreatedDate",
                "月在前，两位年份（00-69 为 20xx，70-99 为 19xx），自动识别",
                "合理时间范围：1990-01-01 00:00 …",
            ],
        ),
        (
            "en",
            [
                "Time formats (detected from the file)",
                "Reported at ← CreatedDate",
                "month first, two-digit year (00-69 → 20xx, 70-99 → 19xx), detected",
                "Plausible times: 1990-01-01 00:00 …",
            ],
        ),
    ],
)
def test_the_report_names_each_time_format(tmp_path, lang, words):
    store = DuckDBStore(":memory:")
    path, _ = la_csv(tmp_path / "la.csv", n=8)
    report = import_events(store, path, mapping="311")
    store.close()
    at = AppTest.from_function(_report_script, args=(report, lang), default_timeout=30)
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for w in words:
        assert w.replace("%", "") in text.replace("\\", "").replace("%", ""), (w, text)
    assert "m/d/y H:M" in text.replace("\\", "").replace("%", "")


@pytest.mark.parametrize(
    "lang,words",
    [
        ("zh", ["既可读作月在前也可读作日在前", "CreatedDate", "date_order", "未写入任何数据"]),
        ("en", ["read both month-first and day-first", "CreatedDate", "date_order", "Nothing was written"]),
    ],
)
def test_an_ambiguous_refusal_is_explained_in_the_page_language(tmp_path, lang, words):
    store = DuckDBStore(":memory:")
    with pytest.raises(ImportFileError) as err:
        import_events(store, _ambiguous_la(tmp_path), mapping=detecting())
    store.close()
    at = AppTest.from_function(_error_script, args=(err.value, lang), default_timeout=30)
    at.run()
    assert not at.exception
    text = at.error[0].value.replace("\\", "")
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize(
    "columns,preset,default,pick",
    [
        (["事件编号", "上报时间", "事件类型", "经度", "纬度"], "zh", "auto", "dmy"),
        (["SRNumber", "CreatedDate", "RequestType", "Latitude", "Longitude", "ClosedDate"], "311", "mdy", "auto"),
    ],
)
def test_the_date_order_can_be_chosen_on_the_page(columns, preset, default, pick):
    at = AppTest.from_function(_form_script, args=(columns, "en"), default_timeout=30)
    at.run()
    assert not at.exception
    box = at.selectbox(key=f"t_{preset}_date_order")
    assert box.label == "Date order (as in 03/04/2024)" and box.value == default  # the 311 preset: US, month first
    assert f"date_order={None if default == 'auto' else default}" in [x.value for x in at.text]
    box.set_value(pick).run()
    texts = [x.value for x in at.text]
    if pick == "auto":
        assert "date_order=None" in texts and not any("date_order =" in x for x in texts)
    else:
        assert f"date_order={pick}" in texts and any(f'date_order = "{pick}"' in x for x in texts)
