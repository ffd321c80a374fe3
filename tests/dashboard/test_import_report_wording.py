"""Issue 9 (browser review): the import report reads fully in the page's language. In zh no
English sentence is left in a reject reason, a rejected row's detail or a warning (only the
file's own column names and values, field codes and format codes); in en counts of one are
singular. AppTest on the report of a real messy import (events and categories)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.ingest import import_events
from data.ingest.categories import import_categories
from queries.duckdb_store import DuckDBStore
from tests.dashboard.apptest import shown

MESSY_EVENTS = (
    "event_id,reported_at,closed_at,category,lon,lat,source,priority,status\n"
    "E1,03/14/24 10:00,03/14/24 12:00,potholes,116.40,39.90,hotline,2,Open-ish\n"
    "E2,13/45/24 10:00,,potholes,116.40,39.90,hotline,2,\n"
    "E3,03/14/70 10:00,,potholes,116.40,39.90,hotline,2,\n"
    "E4,,,potholes,116.40,39.90,hotline,2,\n"
    "E1,03/15/24 10:00,,potholes,116.40,39.90,hotline,2,\n"
    "E6,03/15/24 10:00,,potholes,116.4x,39.90,hotline,2,\n"
)
"""One stored row; a bad time, a time before 1990, a missing time, a duplicate id and a bad lon."""

MESSY_EVENTS_WARNED = MESSY_EVENTS + "E7,03/15/24 10:00,,potholes,116.40,39.90,wechatx,7,\n"

MESSY_CATEGORIES = (
    "code,name_zh,name_en,department,sla_response_h,sla_close_h\n"
    "potholes,坑洞,Potholes,,2,48\n"
    "lamps,路灯,Lamps,,,48\n"
    "trees,树木,Trees,,4,1\n"
    "bins,垃圾桶,Bins,,x,48\n"
)

# what may remain in Latin letters on a zh line: the file's values and column names, field codes
# of the mapping (date_order, time_window, mdy, dmy), format codes, NUL and PostgreSQL
_ALLOWED = re.compile(
    r"'[^']*'|“[^”]*”|← \w+|\d\dxx|%[a-zA-Z]|\[values\.status\]|"
    r"\b(?:date_order|time_window|mdy|dmy|NUL|PostgreSQL|U\+0000|E\d|potholes|lamps|trees|bins|Open-ish|wechatx|unassigned|patrol|hotline|wgs84)\b"
)


def _report_script(report, rejects, lang):
    import streamlit as st

    from dashboard.components.import_report import render_report

    st.session_state["lang"] = lang
    render_report(report, rejects, key_prefix="t")


def _run(store, report, lang: str) -> AppTest:
    rejects = store.fetch("import_rejects_page", batch_id=report.batch_id, limit=1000)
    at = AppTest.from_function(_report_script, args=(report, rejects, lang), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _lines(at: AppTest) -> list[str]:
    """Every line of the report (markdown, captions, alerts, the rejected rows' reasons)."""
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [e.value for kind in ("warning", "info", "success", "error") for e in at.get(kind)]
    table = at.dataframe[0].value if len(at.dataframe) else None
    if table is not None:
        texts += [str(v) for v in table.iloc[:, 1]]
    return [shown(line) for text in texts for line in text.split("\n") if line.strip()]


def _english_left(lines: list[str]) -> list[str]:
    return [line for line in lines if re.search(r"[A-Za-z]{2,}", _ALLOWED.sub("", line))]


@pytest.fixture
def events_report(tmp_path: Path):
    path = tmp_path / "messy.csv"
    path.write_text(MESSY_EVENTS_WARNED, encoding="utf-8")
    store = DuckDBStore(":memory:")
    report = import_events(store, path)
    yield store, report
    store.close()


def test_a_messy_events_import_reads_in_chinese(events_report):
    store, report = events_report
    assert report.rejected == 5 and len(report.warnings) == 2
    lines = _lines(_run(store, report, "zh"))
    assert not _english_left(lines), _english_left(lines)
    text = "\n".join(lines)
    for words in (
        "时间无法解析：上报时间 = '13/45/24 10:00'（该列的格式为 %m/%d/%y %H:%M）",
        "时间超出合理范围：上报时间 = 1970-03-14 10:00（允许范围 1990-01-01 00:00 …",
        "缺少时间：上报时间",
        "文件内编号重复：首次出现在第 1 行",
        "紧急程度“7”不在 1–3 之间：留空：1",
        "来源“wechatx”无法识别：按“patrol”存储：1",
        "potholes（2 行）",
        "“Open-ish”（1 行）",
    ):
        assert words in text, (words, text)
    assert "(" not in "".join(line for line in lines if "format" not in line), text


def test_a_messy_categories_import_reads_in_chinese(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text(MESSY_CATEGORIES, encoding="utf-8")
    store = DuckDBStore(":memory:")
    try:
        report = import_categories(store, path)
        assert report.rejected == 3
        lines = _lines(_run(store, report, "zh"))
    finally:
        store.close()
    assert not _english_left(lines), _english_left(lines)
    text = "\n".join(lines)
    for words in (
        "缺少时限：响应时限（小时）",
        "结案时限短于响应时限：1.0 小时 < 4.0 小时",
        "时限不是数字：响应时限（小时） = 'x'",
        "未填部门：新事件类型归入部门“unassigned”：1",
        "新增事件类型：potholes",
    ):
        assert words in text, (words, text)


def test_counts_of_one_are_singular_in_english(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(MESSY_EVENTS, encoding="utf-8")  # 2 rows stored, 1 category, 1 unmapped status
    store = DuckDBStore(":memory:")
    try:
        report = import_events(store, path)
        text = "\n".join(_lines(_run(store, report, "en")))
    finally:
        store.close()
    assert "1 category uses the default SLA" in text, text
    assert "1 row of this file: potholes (1 row)" in text, text
    assert "1 row: “Open-ish” (1 row)" in text, text
    assert not re.search(r"\b1 (?:rows|categories)\b", text), text
    assert "unparseable time: reported_at = '13/45/24 10:00' (the column's format is %m/%d/%y %H:%M)" in text


def test_cli_counts_of_one_are_singular(events_report):
    _store, report = events_report
    text = "\n".join(report.lines())
    assert "warning (1 row): priority '7'" in text and "for 1 category (2 rows)" in text, text
    assert not re.search(r"\b1 (?:rows|categories|chunks)\b", text), text


def test_cli_batch_line_of_one_chunk_is_singular():
    from datetime import datetime

    from data.ingest.batches import Batch

    at = datetime(2026, 3, 14, 10, 0)
    batch = Batch("b1", "events", "x.csv", 10, None, "failed", at, at, None, 1, 1, 0, 1, 1, None, None, "boom")
    assert "1 chunk, 1 row read (0 stored, 1 rejected)" in batch.describe(), batch.describe()
