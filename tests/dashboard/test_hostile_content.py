"""Hostile content (issue 9): names, ids, files and cells that came from an import are
shown as literal text and exported as inert cells, and errors never show internals.

The store is the small city with its busiest street, one of its communities, one of that
community's grids, the busiest category and department renamed to Markdown images, links,
HTML and spreadsheet formulas. Every string a page renders as Markdown is collected from
the AppTest element tree and checked for a live image, link or HTML construct.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.safe_text import WORD_JOINER, html_text, md
from data.exports import FORMULA_TRIGGERS, csv_bytes, neutralise_cell
from queries import DuckDBStore, StoreUnavailable
from tests.dashboard.apptest import APP, shown

ROOT = Path(__file__).resolve().parents[2]

STREET = '=HYPERLINK("http://127.0.0.1:9/s","街") ![s](http://127.0.0.1:9/street.png)'
COMMUNITY = "![t](http://127.0.0.1:9/track.png)"
GRID = "<img src=http://127.0.0.1:9/grid.png> @SUM(1+1)"
CATEGORY = "+[c](http://127.0.0.1:9/cat) **粗体** :red[x]"
DEPARTMENT = '-1+1 <a href="http://127.0.0.1:9/d">d</a> ![d](http://127.0.0.1:9/dept.png)'
SENSOR_UNIT = "<img src=http://127.0.0.1:9/unit.png>µg"
HOSTILE = (STREET, COMMUNITY, GRID, CATEGORY, DEPARTMENT, SENSOR_UNIT)

_LIVE = re.compile(r"!\[|\]\(|<[A-Za-z/!?]|&#?\w+;|:\w+\[")
"""Starts of a Markdown image or link, raw HTML, an entity, a Streamlit colour directive:
harmless only when their first character is backslash-escaped."""

_AUTOLINKED = re.compile(r"(?i)(https?|ftp|mailto|xmpp)://|www\.|[\w.+-]@[\w-]+\.")
"""What GFM turns into a link in the text itself, escapes or not (``shown`` text)."""


def _live_markup(text: str) -> list[str]:
    """The live risky constructs in Markdown source ``text``: unescaped starts of images,
    links, HTML, entities, directives; and bare URLs or e-mail addresses in what it shows."""
    found = []
    for m in _LIVE.finditer(text):
        slashes = len(text[: m.start()]) - len(text[: m.start()].rstrip("\\"))
        if slashes % 2 == 0:
            found.append(m.group())
    return found + [m.group() for m in _AUTOLINKED.finditer(shown(text))]


# --- the escape helpers --------------------------------------------------------------------

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@given(hs.text())
def test_md_escapes_every_construct_and_keeps_the_text(text):
    escaped = md(text)
    # a CommonMark backslash escape gives back exactly the character: the text reads the same
    # (plus invisible word joiners that keep bare URLs from being linked)
    assert _UNESCAPE.sub(r"\1", escaped).replace(WORD_JOINER, "") == re.sub(
        r"[\r\n\u0085\u2028\u2029]+", " ", text.replace(WORD_JOINER, "")
    )
    # and no ASCII punctuation is left unescaped, so no inline construct can start
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped)
    assert "\n" not in escaped and "\r" not in escaped


@pytest.mark.parametrize("name", HOSTILE)
def test_md_of_each_hostile_name_has_nothing_live(name):
    assert _live_markup(name)  # the fixture names are live as they are ...
    assert not _live_markup(md(name))  # ... and inert once escaped


def test_html_text_leaves_no_tag():
    assert html_text(GRID) == "&lt;img src=http://127.0.0.1:9/grid.png&gt; @SUM(1+1)"
    assert "<" not in html_text(DEPARTMENT) and "&amp;lt;" in html_text("&lt;")


# --- the CSV rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_cells_starting_with_a_trigger_get_a_quote(trigger):
    assert neutralise_cell(trigger + 'HYPERLINK("http://x")') == "'" + trigger + 'HYPERLINK("http://x")'


@pytest.mark.parametrize("value", ["-5", "+3", "-0.25", "-1e3", "+.5", "abc", "a=b", "", "'=x", " =1"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise_cell(value) == value


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens UTF-8 Chinese intact
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not (cell.startswith(FORMULA_TRIGGERS) and not re.fullmatch(r"[+-]?[\d.]+(e[+-]?\d+)?", cell)), cell


def test_csv_bytes_neutralises_text_and_header_but_not_numbers():
    frame = pd.DataFrame(
        {
            "=name": [STREET, "-2+3", "-7", "plain", "\r=1", 'a,"b"\nc'],
            "z": [-1.5, -2.0, 0.0, 3.25, -0.5, 1.0],
            "n": pd.array([-3, 4, -5, 6, None, 7], dtype="Int64"),
            "when": pd.to_datetime(["2026-06-01"] * 6),
        }
    )
    rows = _rows(csv_bytes(frame))
    assert rows[0] == ["'=name", "z", "n", "when"]
    assert [r[0] for r in rows[1:]] == ["'" + STREET, "'-2+3", "-7", "plain", "'\r=1", 'a,"b"\nc']
    assert [r[1] for r in rows[1:]] == ["-1.5", "-2.0", "0.0", "3.25", "-0.5", "1.0"]
    assert [r[2] for r in rows[1:]] == ["-3", "4", "-5", "6", "", "7"]
    _assert_inert(rows)


def test_no_export_path_writes_csv_around_the_one_function():
    """Every CSV a user can download is written by ``data.exports.csv_bytes``
    (``data/ingest/readers/base.py`` writes one row back to text for ``import_rejects.raw``: no file)."""
    offenders = []
    for package in ("dashboard", "cli", "data", "queries", "geo"):
        for path in (ROOT / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() in ("data/exports.py", "data/ingest/readers/base.py"):
                continue
            if re.search(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    assert "csv_bytes" in (ROOT / "dashboard/hotspot_view.py").read_text(encoding="utf-8")


def test_streamlit_config_hides_client_side_exports_and_error_details():
    text = (ROOT / ".streamlit/config.toml").read_text(encoding="utf-8")
    # st.dataframe's own "download as CSV" (and copy) run in the browser, unescaped
    assert re.search(r"^disableDataExport\s*=\s*true", text, re.M)
    assert re.search(r'^showErrorDetails\s*=\s*"none"', text, re.M)
    assert re.search(r"^showErrorLinks\s*=\s*false", text, re.M)
    assert re.search(r'^address\s*=\s*"127\.0\.0\.1"', text, re.M)


# --- the hostile store ------------------------------------------------------------------------


@pytest.fixture
def hostile(small_db_file) -> dict[str, str]:
    """The small city's file with hostile names (:func:`make_hostile`); ``db`` is its path."""
    return make_hostile(small_db_file)


def make_hostile(db: Path) -> dict[str, str]:
    """Rename the busiest street, its busiest community, that one's busiest grid, the busiest
    category and department, and the PM2.5 sensors' unit; return the ids (and ``db``)."""
    store = DuckDBStore(db)
    try:
        ids = (
            store.sql("""
            WITH s AS (SELECT street_id, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1),
                 c AS (SELECT community_id, count(*) n FROM events WHERE street_id = (SELECT street_id FROM s)
                       GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1),
                 g AS (SELECT grid_id, count(*) n FROM events WHERE community_id = (SELECT community_id FROM c)
                       GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1),
                 k AS (SELECT category, count(*) n FROM events GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1),
                 d AS (SELECT department, count(*) n FROM events WHERE department IS NOT NULL
                       GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1)
            SELECT (SELECT street_id FROM s) street, (SELECT community_id FROM c) community,
                   (SELECT grid_id FROM g) grid, (SELECT category FROM k) category,
                   (SELECT department FROM d) department
        """)
            .iloc[0]
            .to_dict()
        )
        for key, name in (("street", STREET), ("community", COMMUNITY), ("grid", GRID)):
            store.sql("UPDATE areas SET name_zh = ?, name_en = ? WHERE area_id = ?", [name, name, ids[key]])
        store.sql(
            "UPDATE categories SET name_zh = ?, name_en = ? WHERE code = ?", [CATEGORY, CATEGORY, ids["category"]]
        )
        store.sql(
            "UPDATE departments SET name_zh = ?, name_en = ? WHERE code = ?",
            [DEPARTMENT, DEPARTMENT, ids["department"]],
        )
        store.sql("UPDATE sensors SET unit = ? WHERE kind = 'pm25'", [SENSOR_UNIT])
    finally:
        store.close()
    return {**ids, "db": str(db)}


def _start(monkeypatch, db: str, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("GRIDSCOPE_DB", db)
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    return at


def _open(monkeypatch, db: str, page: str, lang: str = "zh", **query: str) -> AppTest:
    at = _start(monkeypatch, db, lang)
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _walk(node):
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown: bodies of markdown,
    captions, headings and alerts; labels, help and radio/segmented options of widgets and
    buttons; metric labels, values and deltas; tab and expander labels.

    The app's own HTML snippets (``unsafe_allow_html``: legends; ``st.html``: the page style, the
    target line) are checked apart: no
    hostile name may appear in them unescaped."""
    texts: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        fields = {f.name for f in proto.DESCRIPTOR.fields}
        if ("allow_html" in fields and proto.allow_html) or getattr(node, "type", "") == "html":
            _assert_no_raw_html(proto.body)
            assert not any(name in proto.body for name in HOSTILE), proto.body
            continue
        for name in ("body", "label", "help", "delta"):
            if name in fields and isinstance(getattr(proto, name), str):
                texts.append(getattr(proto, name))
        if getattr(node, "type", "") == "radio":
            texts.extend(proto.options)
        if getattr(node, "type", "") == "button_group":
            texts.extend(o.content for o in proto.options)
        for block in ("tab", "expandable"):
            if block in fields and proto.HasField(block):
                texts.append(getattr(proto, block).label)
    return texts


def _assert_literal(at: AppTest, must_show: tuple[str, ...] = ()) -> None:
    texts = markdown_texts(at)
    live = {t: _live_markup(t) for t in texts if _live_markup(t)}
    assert live == {}, live
    joined = "\n".join(texts)
    for name in must_show:
        assert md(name) in joined, (name, [t for t in texts if "127" in t])


def _strings(obj) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def _deck_tips(at: AppTest) -> str:
    """The tooltip values of every map object on the page (Streamlit escapes these)."""
    tips = []
    for deck in at.get("deck_gl_json_chart"):
        for layer in json.loads(deck.proto.json).get("layers", []):
            data = layer.get("data")
            if isinstance(data, list):
                # issue 16: a title field ``tip`` and label/value fields ``tip_k1``/``tip_v1`` … per line
                tips.extend(
                    " ".join(str(v) for k, v in row.items() if k.startswith("tip"))
                    for row in data
                    if isinstance(row, dict) and "tip" in row
                )
    return "\n".join(tips)


def _assert_tooltips_are_fields(at: AppTest, shows: str) -> None:
    """Map tooltips take user values only as ``{field}`` values, which Streamlit HTML-escapes
    (the browser test hovers one): no name is ever part of a tooltip template."""
    templates = [json.loads(d.proto.tooltip) for d in at.get("deck_gl_json_chart")]
    assert templates
    for template in templates:
        text = template.get("html") or template.get("text") or ""
        assert not any(name in text for name in HOSTILE), template
        assert re.sub(r"\{\w+\}", "", text).count("{") == 0, template  # only plain {field} slots
    assert shows in _deck_tips(at)


def _chart_text(at: AppTest) -> str:
    """Every string of every plotly figure on the page (labels, names, hover templates)."""
    return "\n".join(s for c in at.get("plotly_chart") for s in _strings(json.loads(c.proto.spec)))


def _assert_no_raw_html(text: str) -> None:
    for name in HOSTILE:
        for tag in re.findall(r"<[^>]*>", name):
            assert tag not in text, tag


# --- pages ---------------------------------------------------------------------------------------


def test_chain_breadcrumb_and_captions_show_the_names_as_text(monkeypatch, hostile):
    at = _open(monkeypatch, hostile["db"], "dashboard/pages/chain.py", level="grid", area=hostile["grid"])
    crumbs = [b.label for b in at.button if b.key and "crumb" in b.key]
    assert crumbs[1:] == [f"› 街道：{md(STREET)}", f"› 社区：{md(COMMUNITY)}", f"› 网格：{md(GRID)}"]
    _assert_literal(at, must_show=(STREET, COMMUNITY, GRID))
    # map tooltips take the names as escaped fields; chart labels (plotly's HTML subset) hold entities
    _assert_tooltips_are_fields(at, shows=GRID)
    charts = _chart_text(at)
    assert html_text(DEPARTMENT) in charts
    _assert_no_raw_html(charts)


def test_chain_district_map_overdue_csv_and_sla_message(monkeypatch, hostile):
    store = DuckDBStore(hostile["db"])
    try:  # every other department's name a formula too, so every overdue case has one
        store.sql("UPDATE departments SET name_zh = '=' || name_zh WHERE code <> ?", [hostile["department"]])
    finally:
        store.close()
    captured = _capture_downloads(monkeypatch)
    at = _open(monkeypatch, hostile["db"], "dashboard/pages/chain.py")
    _assert_tooltips_are_fields(at, shows=STREET)
    # the overdue list's own download button (issue 16: named by page and dates, zh headers,
    # the filters as comment rows first)
    rows = _table_rows(captured, "gridscope_chain_overdue_")
    departments = [r[rows[0].index("处置部门")] for r in rows[1:]]
    assert len(departments) > 10 and all(d.startswith(("'=", "'-1+1")) for d in departments), departments
    _assert_inert(rows)
    at.selectbox(key="chain_sla_code").set_value(hostile["category"]).run()
    at.button(key="FormSubmitter:chain_sla_form-保存").click().run()
    assert not at.exception, at.exception
    assert any(md(CATEGORY) in s.value for s in at.success), [s.value for s in at.success]
    _assert_literal(at, must_show=(CATEGORY,))


def test_hotspots_detail_and_csv(monkeypatch, hostile):
    captured = _capture_downloads(monkeypatch)
    at = _open(monkeypatch, hostile["db"], "dashboard/pages/hotspots.py")
    at.radio(key="hs_unit").set_value("street").run()
    at.session_state["hs_selected"] = hostile["street"]
    at.run()
    assert not at.exception, at.exception
    _assert_literal(at, must_show=(STREET,))
    _assert_tooltips_are_fields(at, shows=STREET)
    rows = _table_rows(captured, "gridscope_hotspots_")  # issue 16: localised headers
    names = [r[rows[0].index("名称")] for r in rows[1:]]
    assert "'" + STREET in names
    _assert_inert(rows)
    z = [float(r[rows[0].index("Gi* z 值")]) for r in rows[1:]]
    assert min(z) < 0  # negative statistics stay numbers


def test_trends_forecast_title_and_breakdown(monkeypatch, hostile):
    at = _open(monkeypatch, hostile["db"], "dashboard/pages/trends.py")
    at.radio(key="trends_fc_scope").set_value("category").run()
    at.selectbox(key="trends_fc_category").set_value(hostile["category"]).run()
    assert not at.exception, at.exception
    _assert_literal(at, must_show=(CATEGORY,))
    at.radio(key="trends_dim").set_value("department").run()
    charts = _chart_text(at)
    assert html_text(DEPARTMENT) in charts
    _assert_no_raw_html(charts)


@pytest.mark.parametrize("page", ["dashboard/pages/overview.py", "dashboard/pages/sensors.py"])
def test_other_pages_render_no_live_markup(monkeypatch, hostile, page):
    at = _open(monkeypatch, hostile["db"], page)
    _assert_literal(at)
    if page.endswith("overview.py"):
        at.radio(key="overview_unit").set_value("grid").run()
        _assert_tooltips_are_fields(at, shows=GRID)
    else:  # the sensor unit in the tooltips, and as the series chart's axis title
        _assert_tooltips_are_fields(at, shows=SENSOR_UNIT)
        assert html_text(SENSOR_UNIT) in _chart_text(at)
    _assert_no_raw_html(_chart_text(at))


def _table_rows(captured: dict[str, bytes], prefix: str) -> list[list[str]]:
    """The table rows (header first) of the one CSV whose name starts with ``prefix``; its
    comment rows and the Excel twin's cells are checked inert too."""
    (name,) = [n for n in captured if n and n.startswith(prefix) and n.endswith(".csv")]
    rows = _rows(captured[name])
    _assert_inert(rows)
    book = openpyxl.load_workbook(io.BytesIO(captured[name[:-4] + ".xlsx"]))
    for sheet in book.worksheets:
        _assert_inert([[str(c) for c in r if c is not None] for r in sheet.iter_rows(values_only=True)])
    return [r for r in rows if not r[0].startswith("# ")]


def _capture_downloads(monkeypatch) -> dict[str, bytes]:
    """File name -> bytes of every download button the page builds."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    deferred = MediaFileManager.add_deferred

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        # Downloads made on click (issue 11): make the file now, as the click would.
        data = data_callable()
        captured[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return captured


FILE_NAME = "![f](http:x.png) =cmd.csv"


def test_import_page_file_column_and_category_names_and_rejects_csv(monkeypatch, hostile):
    captured = _capture_downloads(monkeypatch)
    at = _open(monkeypatch, hostile["db"], "dashboard/pages/data_import.py")
    body = (
        "\n".join(
            [
                "event_id,category,lon,lat,reported_at,![col](http://127.0.0.1:9/col.png)",
                "E1,![k](http://127.0.0.1:9/k.png),116.45,39.92,2026-06-01 10:00,a",
                '"=HYPERLINK(""http://127.0.0.1:9/r"")",roads,116.45,39.92,not a time,b',
                "@SUM(1),roads,116.45,39.92,also not a time,c",
            ]
        )
        + "\n"
    )
    at.file_uploader[0].upload(FILE_NAME, body.encode(), "text/csv")
    at.run()
    [check] = [b for b in at.button if b.label == "检查"]
    check.click()
    at.run()
    assert not at.exception, at.exception
    _assert_literal(at, must_show=("![k](http://127.0.0.1:9/k.png)",))
    [name] = [n for n in captured if n and n.startswith("rejects-")]
    assert name == "rejects-![f](http:x.png) =cmd.csv"  # the user's own file name, no upload id
    rows = _rows(captured[name])
    assert [r[-1] for r in rows[1:] if r[-1].startswith("'")] == ["'@SUM(1),roads,116.45,39.92,also not a time,c"]
    _assert_inert(rows)


def test_sidebar_store_name_is_text(monkeypatch, small_db_file, tmp_path):
    db = tmp_path / "![d](x.png) **b**.duckdb"
    small_db_file.rename(db)
    at = _start(monkeypatch, str(db))
    assert not at.exception
    assert any(md("![d](x.png) **b**.duckdb") in c.value for c in at.sidebar.caption)
    _assert_literal(at)


# --- errors ---------------------------------------------------------------------------------------


@pytest.fixture
def error_details(monkeypatch):
    """Run with the configured (production) error details: ``none``."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "none")
    yield
    config.set_option("client.showErrorDetails", before)


def test_unexpected_error_shows_a_short_message_with_a_reference(monkeypatch, small_db_file, error_details, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/secret/path.py")

    monkeypatch.setattr("queries.answers.kpis.overview_kpis", broken)
    with caplog.at_level(logging.ERROR, logger="gridscope"):
        at = _start(monkeypatch, str(small_db_file))
    assert not at.exception  # no traceback element
    [err] = at.error
    ref = re.search(r"[0-9a-f]{8}", err.value)
    assert err.value.startswith("页面出错") and ref, err.value
    for secret in ("Traceback", "/srv/secret", "RuntimeError", "boom"):
        assert secret not in err.value
    logged = [r for r in caplog.records if ref.group() in r.getMessage()]
    assert logged and logged[0].exc_info and "boom in /srv/secret/path.py" in str(logged[0].exc_info[1])


def test_with_full_error_details_the_exception_propagates(monkeypatch, small_db_file):
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    try:
        monkeypatch.setattr("queries.answers.kpis.overview_kpis", lambda *a, **k: 1 / 0)
        at = _start(monkeypatch, str(small_db_file))
    finally:
        config.set_option("client.showErrorDetails", before)
    assert at.exception and at.exception[0].value == "division by zero"


@pytest.fixture
def locked_db(small_db_file):
    """The DuckDB file held open for writing by another process."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(120)",
            str(small_db_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield small_db_file
    finally:
        holder.kill()
        holder.wait()


LEAKS = ("PID", "python", "/", "Conflicting lock")


def test_locked_duckdb_file_says_another_program_holds_it(locked_db, monkeypatch, capsys):
    with pytest.raises(StoreUnavailable) as info:
        DuckDBStore(locked_db)
    assert str(info.value).startswith("another program has the DuckDB file")
    for leak in LEAKS:
        assert leak not in str(info.value), leak
    # the page: zh message, no PID, no interpreter, no directory
    at = _start(monkeypatch, str(locked_db))
    assert not at.exception
    [err] = at.error
    assert "另一个程序" in shown(err.value) and locked_db.name in shown(err.value)
    for leak in LEAKS:
        assert leak not in shown(err.value), leak
    # the CLI
    from cli import main

    source = locked_db.parent / "e.csv"
    source.write_text("event_id,category,lon,lat,reported_at\n", encoding="utf-8")
    assert main(["import", "events", str(source), "--db", str(locked_db)]) == 2
    err_text = capsys.readouterr().err
    assert "another program has the DuckDB file" in err_text
    for leak in ("PID", "python", "Conflicting lock"):
        assert leak not in err_text, leak


# --- the terminal -------------------------------------------------------------------------------


def test_cli_prints_imported_names_without_terminal_control_sequences(tmp_path, capsys):
    """A name from a file reaches the import report the CLI prints: an ESC sequence in it
    (set the title, clear the screen, hyperlinks) must arrive as visible text."""
    from cli import main

    evil = "\x1b]0;owned\x07\x1b[2J\x1b]8;;http://127.0.0.1:9/\x1b\\x\x9b31m"
    source = tmp_path / "e.csv"
    pd.DataFrame(
        {"event_id": ["E1"], "category": [evil], "lon": [116.45], "lat": [39.92], "reported_at": ["2026-06-01 10:00"]}
    ).to_csv(source, index=False)
    assert main(["import", "events", str(source), "--db", str(tmp_path / "g.duckdb"), "--mapping", "native"]) in (0, 4)
    out = capsys.readouterr()
    assert "owned" in out.out  # the name is there ...
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out.out), repr(out.out)  # ... as text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", out.err), repr(out.err)  # (\r: progress bar)
