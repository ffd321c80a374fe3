"""The weekly review page (周例会, issue 13) under AppTest in zh and en: the default week, the
headline figures against :func:`queries.answers.brief.weekly_brief`, the address round trip,
bad ``?week=``/``?street=`` values, an empty week, an empty store, the HTML and PDF downloads
(and a PDF that cannot be made), and the PostGIS reader role."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

import psycopg
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.i18n import all_strings
from data.demo import load_city
from queries import DuckDBStore
from queries.answers.brief import Brief, weekly_brief
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import PostGISStore
from tests.dashboard.apptest import APP

PAGE = "dashboard/pages/weekly.py"
DEFAULT_WEEK = "2026-W26"  # the small city ends on 2026-06-30: its last complete week
STREET = "110199002"
LABELS = {
    "zh": ["受理事件", "日均受理", "结案率", "按期处置率", "满意率", "超期未结"],
    "en": ["Received", "Daily average", "Closure rate", "On-time closure", "Satisfaction", "Open overdue"],
}


def open_weekly(monkeypatch, db: Path | None, lang: str = "zh", dsn: str | None = None, **query: str) -> AppTest:
    """A new session on the weekly page whose address carries ``query``."""
    if dsn:
        monkeypatch.setenv("GRIDSCOPE_DSN", dsn)
    else:
        monkeypatch.setenv("GRIDSCOPE_DB", str(db))
        monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    at.query_params.clear()
    at.switch_page(PAGE)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def brief_of(db: Path, week: str, street: str | None = None) -> Brief:
    store = DuckDBStore(db)
    try:
        return weekly_brief(store, week, street, now=datetime.now())
    finally:
        store.close()


def expected_values(brief: Brief) -> list[str]:
    """The KPI row computed from the data model here, not with the page's formatter."""
    k = brief.headline.current
    return [
        f"{k.events:,}",
        f"{k.events / 7:,.1f}",
        f"{100 * k.closure_rate:.1f}%",
        f"{100 * k.on_time_rate:.1f}%",
        f"{100 * k.satisfaction_rate:.1f}%",
        f"{k.open_overdue:,}",
    ]


def html_text(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def _capture(monkeypatch) -> dict[str, bytes]:
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return captured


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_default_week_shows_the_briefs_figures(monkeypatch, small_db_file, lang):
    at = open_weekly(monkeypatch, small_db_file, lang)
    assert at.selectbox(key="weekly_week").value == DEFAULT_WEEK
    assert at.selectbox(key="weekly_street").value == ""
    brief = brief_of(small_db_file, DEFAULT_WEEK)
    assert [m.label for m in at.metric] == LABELS[lang]
    assert [m.value for m in at.metric] == expected_values(brief)
    assert brief.headline.current.events > 0
    body = html_text(at)
    assert DEFAULT_WEEK in body and f"{brief.headline.current.events:,}" in body
    strings = all_strings()
    for key in ("overview", "mix", "hotspots", "supervision", "departments", "sensors", "notes"):
        assert escape(strings[f"brief_sec_{key}"][lang]) in body, key  # every section, in order below
    order = [body.index(escape(strings[f"brief_sec_{k}"][lang])) for k in ("mix", "hotspots", "notes")]
    assert order == sorted(order)
    assert at.query_params["week"] == DEFAULT_WEEK
    assert "street" not in at.query_params


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_address_round_trip(monkeypatch, small_db_file, lang):
    at = open_weekly(monkeypatch, small_db_file, lang, week="2026-W20", street=STREET)
    assert not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="weekly_week").value == "2026-W20"
    assert at.selectbox(key="weekly_street").value == STREET
    brief = brief_of(small_db_file, "2026-W20", STREET)
    assert [m.value for m in at.metric] == expected_values(brief)
    assert brief.scope.street_id == STREET
    assert at.query_params["week"] == "2026-W20" and at.query_params["street"] == STREET
    # picking in the page writes the address
    at.selectbox(key="weekly_week").set_value("2026-W25").run()
    at.selectbox(key="weekly_street").set_value("").run()
    assert not at.exception
    assert at.query_params["week"] == "2026-W25" and "street" not in at.query_params
    assert [m.value for m in at.metric] == expected_values(brief_of(small_db_file, "2026-W25"))
    # a week written by hand in the address wins over the session's
    at.query_params["week"] = "2026-W23"
    at.run()
    assert at.selectbox(key="weekly_week").value == "2026-W23"


@pytest.mark.parametrize(
    "lang,query,needle",
    [
        ("zh", {"week": "2026-W99"}, "不是 ISO 周"),
        ("en", {"week": "2026-W99"}, "is not an ISO week"),
        ("en", {"week": "next week"}, "is not an ISO week"),
        ("zh", {"week": "2019-W10"}, "不在数据范围内"),
        ("en", {"week": "2027-W01"}, "outside the data"),
        ("en", {"week": "x" * 3000}, "cannot be read"),
        ("zh", {"street": "nope"}, "不存在"),
        ("en", {"street": f"{STREET},110199003"}, "names no street"),
    ],
)
def test_bad_address_values_say_so_and_fall_back(monkeypatch, small_db_file, lang, query, needle):
    at = open_weekly(monkeypatch, small_db_file, lang, **query)
    messages = [w.value for w in at.warning]
    assert any(needle in m for m in messages), messages
    assert at.selectbox(key="weekly_week").value == DEFAULT_WEEK
    assert at.selectbox(key="weekly_street").value == ""
    assert [m.value for m in at.metric] == expected_values(brief_of(small_db_file, DEFAULT_WEEK))
    assert at.query_params["week"] == DEFAULT_WEEK


@pytest.fixture
def gap_db(small_db_file) -> Path:
    """The small city without any event reported in 2026-W24 (2026-06-08 .. 06-14)."""
    store = DuckDBStore(small_db_file)
    try:
        store.sql("DELETE FROM events WHERE reported_at >= '2026-06-08' AND reported_at < '2026-06-15'")
    finally:
        store.close()
    return small_db_file


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_week_has_clear_lines(monkeypatch, gap_db, lang):
    at = open_weekly(monkeypatch, gap_db, lang, week="2026-W24")
    assert at.selectbox(key="weekly_week").value == "2026-W24"
    values = [m.value for m in at.metric]
    assert values[0] == "0" and values[1] == "0.0"
    body = html_text(at)
    strings = all_strings()
    for key in ("brief_headline_empty", "brief_mix_empty", "brief_map_empty"):
        assert escape(strings[key][lang].format(week="2026-W24")) in body, key
    assert 'class="empty"' in body
    assert "None" not in body and "nan" not in body.replace("nance", "")


def test_empty_store_says_so(monkeypatch, tmp_path):
    db = tmp_path / "empty.duckdb"
    store = DuckDBStore(db)
    store.set_meta("generated_at", "none")  # no demo city on the first start
    store.close()
    at = open_weekly(monkeypatch, db, "en")
    assert any("no events yet" in i.value for i in at.info)
    assert not at.metric


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_downloads_html_and_pdf(monkeypatch, small_db_file, lang):
    captured = _capture(monkeypatch)
    at = open_weekly(monkeypatch, small_db_file, lang)
    name = f"gridscope_brief_{DEFAULT_WEEK}_district_{lang}"
    html = captured[f"{name}.html"].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and DEFAULT_WEEK in html
    assert f"{brief_of(small_db_file, DEFAULT_WEEK).headline.current.events:,}" in html
    assert f"{name}.pdf" not in captured  # made on click only
    at.button(key="weekly_make_pdf").click().run()
    assert not at.exception and not at.error
    pdf = captured[f"{name}.pdf"]
    assert pdf.startswith(b"%PDF")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == (["下载 HTML", "下载 PDF"] if lang == "zh" else ["Download HTML", "Download PDF"])
    held = at.session_state["weekly_pdf"][0]
    at.run()  # the PDF stays offered on the next run
    assert at.session_state["weekly_pdf"][0] == held, [b.label for b in at.button]
    assert len(at.get("download_button")) == 2


def test_a_pdf_that_cannot_be_made_is_a_message(monkeypatch, small_db_file):
    import dashboard.brief

    def broken(html: str) -> bytes:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(dashboard.brief, "html_to_pdf", broken)
    at = open_weekly(monkeypatch, small_db_file, "zh")
    at.button(key="weekly_make_pdf").click().run()
    assert not at.exception
    assert any("PDF 生成失败" in e.value and "scripts/run.sh" in e.value for e in at.error)
    assert "libpango" not in "".join(e.value for e in at.error)
    assert len(at.get("download_button")) == 1  # the HTML brief is still there


@pytest.mark.postgis
def test_postgis_reader_role(monkeypatch, small_city, small_db_file):
    from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database

    dsn = create_test_database()
    try:
        admin = PostGISStore(dsn)
        load_city(admin, small_city)
        admin.close()
        reader = _dsn_for(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"], READER_ROLE)
        at = open_weekly(monkeypatch, None, "zh", dsn=reader, street=STREET)
        assert at.selectbox(key="weekly_week").value == DEFAULT_WEEK
        assert [m.value for m in at.metric] == expected_values(brief_of(small_db_file, DEFAULT_WEEK, STREET))
    finally:
        drop_test_database(dsn)


@pytest.mark.parametrize("levels", [("district", "street", "community", "grid"), ("street",)])
def test_imported_data(monkeypatch, area_store, levels):
    """A district imported from files (GeoJSON areas, CSV events over two months): the page
    shows its last complete week, and the hot-spot section says that it found none."""
    db = area_store(levels)
    store = DuckDBStore(db)
    try:
        brief = weekly_brief(store, None, now=datetime.now())
    finally:
        store.close()
    for lang in ("zh", "en"):
        at = open_weekly(monkeypatch, db, lang)
        assert at.selectbox(key="weekly_week").value == brief.week.label
        assert [m.value for m in at.metric] == expected_values(brief)
        assert brief.hotspots.reason is None and brief.hotspots.table.empty  # 8 weeks, 8 grids: none found
        none = all_strings()["brief_hotspots_none"][lang].format(weeks=brief.hotspots.weeks)
        assert escape(none) in html_text(at)
