"""The audit trail in the dashboard (issue 10, 全程留痕), under AppTest: the admin page in zh
and en (filters, paging, empty range, a bad address, its CSV), and the rows that a page view,
an export, an SLA change and an import leave, with their details."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.i18n import all_strings
from data.audit import list_audit, parse_details, record_audit
from queries.duckdb_store import DuckDBStore
from tests.dashboard.apptest import APP

PAGE = "dashboard/pages/audit.py"
T0 = datetime(2025, 3, 1, 8, 0)
SEEDED = 55  # rows i = 0..54, one an hour from T0
ACTIONS3 = ("page_view", "export", "sla_change")


def _seed(db: Path) -> None:
    store = DuckDBStore(db)
    try:
        for i in range(SEEDED):
            record_audit(
                store,
                actor="li@district.gov" if i % 3 == 0 else "wang",
                role="admin" if i % 3 == 0 else "analyst",
                action=ACTIONS3[i % 3],
                page="chain",
                details={"i": i},
                at=T0 + timedelta(hours=i),
            )
    finally:
        store.close()


def _rows(db: Path, **filters) -> list[dict]:
    store = DuckDBStore(db)
    try:
        frame = list_audit(store, limit=1000, **filters)
    finally:
        store.close()
    return [{**r, "details": parse_details(r["details"])} for r in frame.to_dict("records")]


def _open(monkeypatch, db: Path, page: str, lang: str = "zh", **query: str) -> AppTest:
    """A new session on ``page``, its address holding ``query``. Before the first run AppTest
    finds a page by its file name: a page whose url path is its file name opens at once (no
    overview run), another after one run of the app."""
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    if Path(page).stem not in ("audit", "chain"):
        at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _s(key: str, lang: str) -> str:
    return all_strings()[key][lang]


MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_lists_filters_and_pages_the_trail(monkeypatch, small_db_file, lang):
    _seed(small_db_file)
    at = _open(monkeypatch, small_db_file, PAGE, lang, **MARCH)
    assert at.title[0].value == _s("audit_title", lang)
    [table] = at.dataframe
    cols = [_s(f"audit_col_{c}", lang) for c in ("seq", "at", "actor", "role", "action", "page", "details")]
    assert list(table.value.columns) == cols
    assert list(table.value[cols[0]]) == list(range(SEEDED, SEEDED - 50, -1))  # newest first, 50 a page
    first = table.value.iloc[0]
    assert first[cols[1]] == f"{T0 + timedelta(hours=54):%Y-%m-%d %H:%M:%S}"
    assert first[cols[4]] == _s("audit_action_page_view", lang) and first[cols[3]] == _s("auth_role_admin", lang)
    assert first[cols[6]] == "i: 54" and first[cols[5]] == _s("nav_chain", lang)
    assert any(f"{SEEDED:,}" in c.value and "1–50" in c.value for c in at.caption)
    # page 2: the last five, and the page in the address
    at.number_input(key="audit_page").set_value(2).run()
    assert list(at.dataframe[0].value[cols[0]]) == [5, 4, 3, 2, 1]
    assert at.query_params["p"] == "2"
    # one user, then one action of theirs, then one day
    at.selectbox(key="audit_actor").set_value("wang").run()
    wang = at.dataframe[0].value
    assert len(wang) == 36 and set(wang[cols[2]]) == {"wang"} and not at.number_input  # one page: no picker
    at.selectbox(key="audit_action").set_value("export").run()
    exports = at.dataframe[0].value
    assert list(exports[cols[0]]) == [i + 1 for i in range(SEEDED - 1, -1, -1) if i % 3 == 1]
    assert set(exports[cols[4]]) == {_s("audit_action_export", lang)}
    assert at.query_params["actor"] == "wang" and at.query_params["action"] == "export"
    at.selectbox(key="audit_actor").set_value("").run()
    at.selectbox(key="audit_action").set_value("").run()
    at.date_input(key="audit_dates").set_value((T0.date(), T0.date())).run()
    assert list(at.dataframe[0].value[cols[0]]) == list(range(16, 0, -1))  # 08:00 .. 23:00


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_range_says_so(monkeypatch, small_db_file, lang):
    _seed(small_db_file)
    at = _open(monkeypatch, small_db_file, PAGE, lang, **{"from": "2024-01-01", "to": "2024-01-31"})
    assert [i.value for i in at.info] == [_s("audit_empty", lang)]
    assert not at.dataframe and not at.get("download_button")


def test_a_bad_address_falls_back_with_a_message(monkeypatch, small_db_file):
    _seed(small_db_file)
    at = _open(
        monkeypatch, small_db_file, PAGE, "en", **{"from": "2025-13-01", "actor": "' OR 1=1 --", "action": "drop"}
    )
    [warning] = [w.value for w in at.warning if "not valid" in w.value]
    assert "Dates" in warning and "User" in warning and "Action" in warning
    assert at.selectbox(key="audit_actor").value == "" and at.selectbox(key="audit_action").value == ""


def _capture_downloads(monkeypatch) -> dict[str, bytes]:
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return captured


def test_the_csv_holds_the_filtered_rows_and_its_download_is_recorded(monkeypatch, small_db_file):
    _seed(small_db_file)
    captured = _capture_downloads(monkeypatch)
    at = _open(monkeypatch, small_db_file, PAGE, "zh", **MARCH, actor="wang")
    name = "gridscope_audit_2025-03-01_2025-03-31.csv"
    lines = captured[name].decode("utf-8-sig").splitlines()
    notes = [line for line in lines if line.startswith('"#') or line.startswith("#")]
    assert any("wang" in n for n in notes) and any("2025-03-01 – 2025-03-31" in n for n in notes)
    rows = list(csv.reader(io.StringIO("\n".join(lines[len(notes) :]))))
    assert rows[0] == ["序号", "时间", "操作人", "角色", "操作", "页面", "详情"] and len(rows) == 1 + 36
    at.get("download_button")[0].click().run()
    assert not at.exception
    [row] = _rows(small_db_file, action="export", since=datetime(2026, 1, 1))
    assert row["actor"] == "demo" and row["role"] == "admin" and row["page"] == "audit"
    assert row["details"]["file"] == name and row["details"]["rows"] == 36
    assert row["details"]["filters"]["操作人"] == "wang"


def test_page_views_once_per_page_and_address(monkeypatch, small_db_file):
    at = _open(monkeypatch, small_db_file, PAGE, "en", **MARCH)
    at.run()
    at.run()  # reruns with the same address: no new rows
    views = _rows(small_db_file, action="page_view")
    assert [(v["page"], v["details"]["query"]) for v in views] == [("audit", MARCH)]
    at.selectbox(key="audit_action").set_value("export").run()  # a filter changes the address
    views = _rows(small_db_file, action="page_view")
    assert [v["details"]["query"] for v in views] == [{**MARCH, "action": "export"}, MARCH]
    at.session_state["lang"] = "zh"
    at.run()  # the language is no filter
    assert len(_rows(small_db_file, action="page_view")) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_read_only_replica_keeps_its_views_without_a_warning_and_says_they_wait(monkeypatch, small_db_file, lang):
    from data.audit_spool import spooled_count

    monkeypatch.setenv("GRIDSCOPE_DB_READ_ONLY", "1")
    at = _open(monkeypatch, small_db_file, PAGE, lang, **MARCH)
    assert not at.warning  # no failed audit write
    assert spooled_count(small_db_file) == 1  # this view, kept for the trail
    at.selectbox(key="audit_action").set_value("export").run()  # counted before this run's view is kept
    assert [i.value for i in at.info][0] == _s("audit_spooled_one", lang)
    at.run()
    assert [i.value for i in at.info][0] == _s("audit_spooled", lang).format(n="2")
    # (merging the spool is tested in tests/data/test_audit.py: this process holds the file read-only)


def test_an_export_an_sla_change_and_a_failed_write_leave_traces(monkeypatch, small_db_file, small_city, caplog):
    at = _open(monkeypatch, small_db_file, "dashboard/pages/chain.py", "en")
    # the SLA edit: old and new hours
    at.selectbox(key="chain_sla_code").set_value("garbage").run()
    at.number_input(key="chain_sla_resp_garbage").set_value(0.5)
    at.number_input(key="chain_sla_close_garbage").set_value(6.0)
    at.button(key="FormSubmitter:chain_sla_form-Save").click().run()
    assert not at.exception
    [sla] = _rows(small_db_file, action="sla_change")
    assert sla["page"] == "chain" and sla["actor"] == "demo"
    assert sla["details"]["category"] == "garbage"
    assert sla["details"]["new"] == {"response_h": 0.5, "close_h": 6.0}
    old = small_city.categories.set_index("code").loc["garbage"]
    assert sla["details"]["old"] == {"response_h": old["sla_response_h"], "close_h": old["sla_close_h"]}
    # a download of a table: the file, its rows and the page's filters
    button = next(b for b in at.get("download_button") if b.proto.label.endswith("(CSV)"))
    button.click().run()
    [export] = _rows(small_db_file, action="export")
    assert export["page"] == "chain" and export["details"]["file"].startswith("gridscope_chain_")
    assert export["details"]["rows"] > 0 and "Date range" in export["details"]["filters"]
    # a write that fails: a warning on the page and the error in the log, the page still there
    monkeypatch.setattr("dashboard.auth.trail.record_audit", _broken)
    with caplog.at_level("ERROR", logger="gridscope.audit"):
        at.selectbox(key="chain_sla_code").set_value("noise").run()
        at.number_input(key="chain_sla_close_noise").set_value(7.0)
        at.button(key="FormSubmitter:chain_sla_form-Save").click().run()
    assert not at.exception
    [warning] = [w.value for w in at.warning if "audit trail" in w.value]
    ref = warning.split("reference ")[1][:8]
    assert any(ref in r.getMessage() and "sla_change" in r.getMessage() for r in caplog.records)


def _broken(*args, **kwargs):
    raise OSError("disk full")


def test_an_import_leaves_its_batch_kind_file_and_rows(monkeypatch, small_db_file):
    at = _open(monkeypatch, small_db_file, "dashboard/pages/data_import.py", "en")
    body = "event_id,category,lon,lat,reported_at\nA1,noise,116.45,39.92,2026-06-01 10:00\n"
    body += "A2,noise,116.45,39.92,not a time\nA3,garbage,116.46,39.93,2026-06-02 11:30\n"
    at.file_uploader[0].upload("工单 june.csv", body.encode(), "text/csv")
    at.run()
    at.button(key="imp_check_btn").click().run()
    assert _rows(small_db_file, action="import") == []  # a check (dry run) is no import
    at.button(key="imp_confirm_btn").click().run()
    assert not at.exception
    [row] = _rows(small_db_file, action="import")
    details = row["details"]
    assert row["page"] == "import" and row["actor"] == "demo" and details["outcome"] == "done"
    assert (details["kind"], details["file"]) == ("events", "工单 june.csv")
    assert (details["rows_read"], details["inserted"], details["rejected"]) == (3, 2, 1)
    store = DuckDBStore(small_db_file)
    try:
        batches = store.fetch("list_import_batches", kind="events", sha256=None, batch_id=None, limit=5)
    finally:
        store.close()
    assert details["batch_id"] == batches["batch_id"].iloc[0]


@pytest.mark.postgis
def test_on_postgis_the_reader_role_records_and_reads_the_trail(monkeypatch):
    import psycopg

    from queries.postgis_migrations import READER_ROLE
    from queries.postgis_store import PostGISStore
    from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database

    dsn = create_test_database()
    try:
        reader = _dsn_for(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"], READER_ROLE)
        monkeypatch.setenv("GRIDSCOPE_DSN", reader)
        monkeypatch.delenv("GRIDSCOPE_WRITER_DSN", raising=False)
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["lang"] = "en"
        at.switch_page(PAGE)
        at.run()
        assert not at.exception and [i.value for i in at.info] == [_s("audit_empty", "en")]
        at.run()  # the first run's page view, read back through the reader
        [table] = at.dataframe
        assert list(table.value[_s("audit_col_action", "en")]) == ["Page view"]
        assert any(_s("audit_note_postgis", "en") == c.value for c in at.caption)
        at.get("download_button")[0].click().run()
        assert not at.exception and not [w for w in at.warning if "audit trail" in w.value]
        admin = PostGISStore(dsn)
        try:
            rows = list_audit(admin)
        finally:
            admin.close()
        assert list(rows["action"]) == ["export", "page_view"] and set(rows["actor"]) == {"demo"}
        assert parse_details(rows["details"].iloc[0])["rows"] == 1
    finally:
        drop_test_database(dsn)
