"""Wording a browser review of the issue-9 pages found wrong (AppTest, the rendered text):
the assumed-SLA notice in the singular, the chain page's notice pointing at its own SLA tab,
the import page's intro naming the categories table, the breadcrumb's colon in Chinese,
and the sensor alarm counts in the singular."""

from __future__ import annotations

import pytest

from queries import DuckDBStore
from tests.dashboard.apptest import run_app, shown
from tests.dashboard.test_chain_page import open_chain

CHAIN = "dashboard/pages/chain.py"


@pytest.fixture
def one_assumed_db(small_db_file):
    """The small city with one category marked assumed that has a single event in the
    default window (the other events of that category moved to another one)."""
    store = DuckDBStore(small_db_file)
    con = store._con
    cats = store.fetch("list_categories")
    code, other = cats["code"].iloc[0], cats["code"].iloc[1]
    keep = con.execute(
        "SELECT event_id FROM events WHERE category = ? ORDER BY reported_at DESC LIMIT 1", [code]
    ).fetchone()[0]  # the newest: inside the pages' default window
    con.execute("UPDATE events SET category = ? WHERE category = ? AND event_id <> ?", [other, code, keep])
    con.execute("UPDATE categories SET sla_assumed = (code = ?)", [code])
    names = cats.set_index("code").loc[code]
    store.close()
    return small_db_file, names


def _warnings(at) -> list[str]:
    return [shown(w.value) for w in at.warning]


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", "1 category uses the default SLA (2 h to respond / 24 h to close)"),
        ("zh", "1 个类别使用默认时限（2 小时响应/24 小时结案）"),
    ],
)
def test_one_assumed_category_is_named_in_the_singular(monkeypatch, one_assumed_db, lang, expected):
    db, names = one_assumed_db
    at = run_app(monkeypatch, db, lang)
    assert not at.exception
    [notice] = [w for w in _warnings(at) if "SLA" in w or "时限" in w]
    assert notice.startswith(expected), notice
    item = {"en": f"{names['name_en']} (1 event)", "zh": f"{names['name_zh']}（1 件）"}[lang]
    assert item in notice, notice
    assert "1 categories" not in notice and "1 events" not in notice


@pytest.mark.parametrize(
    "lang,tab,elsewhere",
    [
        ("zh", "下方“时限达标”", "或在治理链条页修改时限"),
        ("en", "the “SLA compliance” tab below", "on the governance chain page"),
    ],
)
def test_chain_notice_points_at_its_own_sla_tab(monkeypatch, one_assumed_db, lang, tab, elsewhere):
    db, _ = one_assumed_db
    at = run_app(monkeypatch, db, lang, page=CHAIN)
    assert not at.exception
    [notice] = _warnings(at)
    assert tab in notice and elsewhere not in notice, notice
    tabs = [t.label for t in at.tabs]
    assert tab.split("“")[1].split("”")[0] in tabs
    overview = run_app(monkeypatch, db, lang)
    [there] = _warnings(overview)
    assert elsewhere in there  # the other pages still send the reader to the chain page


@pytest.mark.parametrize("lang,kind", [("zh", "类别与时限表"), ("en", "category SLA tables")])
def test_import_intro_names_every_kind(monkeypatch, small_db_file, lang, kind):
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/data_import.py")
    assert not at.exception
    assert kind in at.caption[0].value, at.caption[0].value


@pytest.mark.parametrize("lang,label", [("zh", "› 街道：望花街道"), ("en", "› Street: Wanghua Street")])
def test_breadcrumb_colon_follows_the_language(monkeypatch, small_db_file, lang, label):
    at = open_chain(monkeypatch, small_db_file, lang, level="street", area="110199003")
    crumbs = [shown(b.label) for b in at.button if b.key and b.key.startswith("chain_crumb_")]
    assert crumbs[-1] == label, crumbs


def test_sensor_alarm_counts_in_the_singular(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en", page="dashboard/pages/sensors.py")
    assert not at.exception
    deltas = [m.proto.delta for m in at.metric if m.label.endswith("alarms")]
    assert "→ 1 event (100%)" in deltas, deltas  # the small city's manhole sensor: 1 alarm, 1 event
    assert not any(d.startswith("→ 1 events") for d in deltas)
