"""Hostile and stale addresses: every query parameter of every page is parsed, never trusted.

The reported crashes (``?lang=xx`` → StreamlitWidgetAlreadyInstantiatedError,
``/hotspots?res=²`` → ValueError) are pinned first; then a property test throws random
strings (unicode digits, empty, huge, SQL-ish, ``%00``, NUL, repeated keys, unknown keys)
at every parameter of every page through AppTest and checks that the page rendered its
own title in the expected language with no exception. The store is the block district
with all four levels, imported from files (``tests/dashboard/sparse_stores.py``).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

from dashboard.components.url_state import (
    parse_choice,
    parse_day,
    parse_float,
    parse_int,
    parse_members,
)
from dashboard.i18n import all_strings
from tests.dashboard.apptest import APP
from tests.dashboard.sparse_stores import ALL_LEVELS

PAGES = {
    "overview": ("dashboard/pages/overview.py", "overview_title"),
    "hotspots": ("dashboard/pages/hotspots.py", "hotspots_title"),
    "chain": ("dashboard/pages/chain.py", "chain_title"),
    "trends": ("dashboard/pages/trends.py", "trends_title"),
    "sensors": ("dashboard/pages/sensors.py", "sensors_title"),
    "import": ("dashboard/pages/data_import.py", "import_title"),
    "event": ("dashboard/pages/event.py", "evt_title"),
    "weekly": ("dashboard/pages/weekly.py", "weekly_title"),
    "audit": ("dashboard/pages/audit.py", "audit_title"),
}
PARAMS = {
    "overview": (),
    "hotspots": (
        "start",
        "end",
        "cat",
        "src",
        "street",
        "dept",
        "unit",
        "res",
        "method",
        "conf",
        "fdr",
        "slice",
        "sel",
    ),
    "chain": ("level", "area"),
    "trends": (),
    "sensors": (),
    "import": (),
    "event": ("id", "q"),
    "weekly": ("week", "street"),
    "audit": ("from", "to", "actor", "action", "p"),
}
"""The parameters each page reads besides ``lang`` (grep st.query_params: drilldown, hotspot_state, the app)."""


def title(page: str, lang: str) -> str:
    return all_strings()[PAGES[page][1]][lang]


def open_page(monkeypatch, db, page: str, query: dict[str, str | list[str]], lang: str | None = None) -> AppTest:
    """A new session on ``page`` whose first address carries ``query``."""
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    if page != "overview":
        # AppTest finds pages by url_path only once st.navigation has run; then forget the
        # language that run chose, so the page's run reads the address as a first run does.
        at.run()
        at.query_params.clear()
        if lang is None:
            del at.session_state["lang"]
        at.switch_page(PAGES[page][0])
    if lang:
        at.session_state["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def assert_rendered(at: AppTest, page: str, lang: str) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert title(page, lang) in [t.value for t in at.title], [t.value for t in at.title]


@pytest.fixture(scope="module")
def full_db(area_store):
    return area_store(ALL_LEVELS)


# --- the parsing rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("9", 9),
        ("09", 9),
        (" 10 ", 10),
        ("²", None),
        ("٩", None),
        ("９", None),
        ("6", None),
        ("", None),
        (None, None),
        ("9.0", None),
        ("-9", None),
        ("1e1", None),
        ("9" * 600, None),
        ("9\x00", None),
    ],
)
def test_parse_int(value, expected):
    assert parse_int(value, range(7, 11)) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("0.95", 0.95),
        ("0.950", 0.95),
        ("0.9", 0.90),
        ("0.99", 0.99),
        ("0.5", None),
        ("nan", None),
        ("inf", None),
        ("1e-1", None),
        ("-0.95", None),
        ("０.95", None),
        ("", None),
        ("0.95.1", None),
    ],
)
def test_parse_float(value, expected):
    assert parse_float(value, (0.90, 0.95, 0.99)) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-06-01", date(2026, 6, 1)),
        ("2026-02-30", None),
        ("20260601", None),
        ("2026-W22-1", None),
        ("0001-01-01", None),
        ("２０２６-06-01", None),
        ("2026-06-01T00:00", None),
        ("2026-7-1", None),
    ],
)
def test_parse_day(value, expected):
    assert parse_day(value, date(2026, 5, 1), date(2026, 6, 30)) == expected


@pytest.mark.parametrize("value,expected", [("EN", "en"), (" zh ", "zh"), ("xx", None), ("", None), ("en\x00", None)])
def test_parse_choice_folds_case_only_when_asked(value, expected):
    assert parse_choice(value, ("zh", "en"), fold_case=True) == expected
    assert parse_choice("EN", ("zh", "en")) is None


def test_parse_members_keeps_allowed_items_once_in_order():
    assert parse_members("b,x,a,b,,a ", {"a", "b"}) == ["b", "a"]
    assert parse_members("'; DROP TABLE events; --", {"a"}) == []


@settings(max_examples=300, derandomize=True, database=None)
@given(hst.one_of(hst.text(max_size=30), hst.text(alphabet=hst.characters(categories=["Nd", "No", "Nl"]), max_size=4)))
def test_parsers_never_raise_and_return_allowed_values(text):
    assert parse_int(text, range(7, 11)) in (None, 7, 8, 9, 10)
    assert parse_float(text, (0.9, 0.95)) in (None, 0.9, 0.95)
    day = parse_day(text, date(2026, 1, 1), date(2026, 12, 31))
    assert day is None or date(2026, 1, 1) <= day <= date(2026, 12, 31)
    assert parse_choice(text, ("zh", "en"), fold_case=True) in (None, "zh", "en")
    assert set(parse_members(text, {"a", "b"})) <= {"a", "b"}


# --- the reported crashes ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("value,lang", [("xx", "zh"), ("", "zh"), ("EN", "en"), ("²", "zh")])
def test_lang_in_the_address_is_checked_on_every_page(monkeypatch, full_db, page, value, lang):
    at = open_page(monkeypatch, full_db, page, {"lang": value})
    assert_rendered(at, page, lang)
    assert at.query_params["lang"] in (lang, [lang])  # normalised in the address too


def test_clicking_the_chosen_language_keeps_it(monkeypatch, full_db):
    """The segmented control reports None when its selected option is clicked again."""
    at = open_page(monkeypatch, full_db, "overview", {"lang": "en"})
    at.button_group[0].set_value(None).run()
    assert_rendered(at, "overview", "en")
    at.button_group[0].set_value("zh").run()
    assert_rendered(at, "overview", "zh")
    assert at.query_params["lang"] in ("zh", ["zh"])


@pytest.mark.parametrize(
    "query",
    [
        {"res": "²"},
        {"res": "٩"},
        {"res": "99"},
        {"res": ["8", "²"]},
        {"conf": "nan"},
        {"conf": "1e-1"},
        {"fdr": "yes"},
        {"unit": "district"},
        {"unit": "h3'; --"},
        {"method": "GI_STAR"},
        {"slice": "month"},
        {"start": "2026-02-30", "end": "2026-06-30"},
        {"start": "0001-01-01"},
        {"cat": "%00"},
        {"sel": "x" * 400},
    ],
)
def test_malformed_hotspot_parameters_fall_back_to_the_defaults(monkeypatch, full_db, query):
    at = open_page(monkeypatch, full_db, "hotspots", query, lang="en")
    assert_rendered(at, "hotspots", "en")
    assert at.radio(key="hs_res").value == 9
    assert at.radio(key="hs_unit").value == "h3"
    assert at.radio(key="hs_method").value == "gi_star"
    assert at.selectbox(key="hs_conf").value == 0.95
    assert at.toggle(key="hs_fdr").value is True
    assert at.query_params["res"] in ("9", ["9"])


def test_valid_hotspot_parameters_are_applied(monkeypatch, full_db):
    at = open_page(
        monkeypatch,
        full_db,
        "hotspots",
        {"res": "8", "conf": "0.990", "unit": "grid", "fdr": "0", "method": "local_moran"},
        lang="en",
    )
    assert_rendered(at, "hotspots", "en")
    assert at.radio(key="hs_res").value == 8 and at.selectbox(key="hs_conf").value == 0.99
    assert at.radio(key="hs_unit").value == "grid" and at.toggle(key="hs_fdr").value is False
    assert at.radio(key="hs_method").value == "local_moran"


@pytest.mark.parametrize(
    "query",
    [
        {"level": "community", "area": "NOPE"},
        {"level": "street"},
        {"area": "S0"},
        {"level": "STREET", "area": "S0"},
        {"level": "grid", "area": ""},
    ],
)
def test_a_stale_or_partial_drill_address_opens_the_district(monkeypatch, full_db, query):
    """An area that no longer exists, or Back leaving ``?level=street`` without an area."""
    at = open_page(monkeypatch, full_db, "chain", query, lang="en")
    assert_rendered(at, "chain", "en")
    crumbs = [b for b in at.button if b.key and b.key.startswith("chain_crumb_")]
    assert [c.label for c in crumbs] == ["Whole district"]
    assert "level" not in at.query_params and "area" not in at.query_params
    if query.get("area"):
        assert any("no longer" in i.value for i in at.info), [i.value for i in at.info]


# --- random strings at every parameter of every page ---------------------------------------------------

HOSTILE = [
    "",
    " ",
    "²",
    "٣",
    "９",
    "Ⅻ",
    "1e308",
    "-1",
    "nan",
    "inf",
    "0x10",
    "9" * 4000,
    "%00",
    "\x00",
    "%C2%B2",
    "' OR 1=1 --",
    "'; DROP TABLE events; --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "![t](http://127.0.0.1:9/track.png)",
    "EN",
    "ZH",
    "2026-02-30",
    "2026-06-01",
    "0001-01-01",
    "9999-12-31",
    "0.95",
    "0.9",
    "1",
    "0",
    "h3",
    "street",
    "community",
    "grid",
    "district",
    "gi_star",
    "local_moran",
    "emerging",
    "day",
    "week",
    "G00",
    "C01",
    "S1",
    "D",
    "NOPE",
    ",,,",
    "垃圾堆放,占道经营",
    "hotline,app",
]
VALUE = hst.one_of(
    hst.sampled_from(HOSTILE),
    hst.text(max_size=20),
    hst.text(alphabet=hst.characters(categories=["Nd", "No", "Nl"]), max_size=3),
)
VALUES = hst.one_of(VALUE, hst.lists(VALUE, min_size=2, max_size=3))  # a list: the key repeated
EXTRA_KEYS = ("lang", "x", "LANG", "page", "level", "area", "res", "embed_options")


def expected_lang(query: dict) -> str:
    value = query.get("lang")
    last = value[-1] if isinstance(value, list) else value
    return parse_choice(last, ("zh", "en"), fold_case=True) or "zh"


@pytest.mark.parametrize("page", list(PAGES))
def test_random_strings_in_every_parameter_render_the_page(monkeypatch, full_db, page):
    keys = hst.sampled_from(sorted({*PARAMS[page], *EXTRA_KEYS}))

    @settings(
        max_examples=12 if page == "hotspots" else 8,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(hst.dictionaries(keys, VALUES, min_size=1, max_size=6))
    @example({k: "²" for k in PARAMS[page] or ("lang",)})
    @example({k: "%00" for k in PARAMS[page] or ("lang",)})
    @example({k: ["1", "9" * 3000] for k in PARAMS[page] or ("lang",)})
    def check(query):
        at = open_page(monkeypatch, full_db, page, query)
        assert_rendered(at, page, expected_lang(query))

    check()
