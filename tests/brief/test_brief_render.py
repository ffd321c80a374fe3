"""The brief's HTML and PDF: zh and en, a street, an empty week, escaped names, and the PDF
checked with Debian's poppler-utils (text, embedded fonts, every page renders)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest

from dashboard.brief import render_html, write_brief
from dashboard.brief.strings import Words
from queries.answers.brief import Scope, weekly_brief

from .conftest import NOW, STREET, WEEK

HOSTILE = '<script>alert(1)</script>"</style><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def district(brief_store):
    return weekly_brief(brief_store, WEEK, now=NOW)


@pytest.fixture(scope="module")
def street(brief_store):
    return weekly_brief(brief_store, WEEK, STREET, now=NOW)


def _run(*cmd: str) -> str:
    assert shutil.which(cmd[0]), f"{cmd[0]} missing: apt-get install poppler-utils (scripts/test.sh does)"
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_has_the_figures_in_both_languages(district, lang):
    html = render_html(district, lang, with_charts=False)
    text = _text(html)
    w = Words(lang)
    cur = district.headline.current
    assert WEEK in text and w.t("brief_title") in text
    for value in (f"{cur.events:,}", w.pct(cur.closure_rate), w.pct(cur.on_time_rate), w.pct(cur.satisfaction_rate)):
        assert value in text
    for key in (
        "brief_sec_overview",
        "brief_sec_mix",
        "brief_sec_hotspots",
        "brief_sec_supervision",
        "brief_sec_departments",
        "brief_sec_sensors",
        "brief_sec_notes",
        "brief_def_on_time",
    ):
        assert w.t(key) in text
    assert district.supervision.cases["event_id"].iloc[0] in text
    assert ("本周共受理事件" in text) == (lang == "zh") and ("were received this week" in text) == (lang == "en")
    assert "http://" not in html and "https://" not in html  # self-contained: nothing fetched


def test_street_brief_names_the_street(street, district):
    html = render_html(street, "en", with_charts=False)
    assert street.scope.name_en in _text(html) and street.headline.current.events < district.headline.current.events
    assert f"{street.headline.current.events:,}" in _text(html)


def test_every_value_from_the_data_is_escaped(district):
    cats = district.by_category.table.copy()
    cats.loc[0, ["name_zh", "name_en"]] = HOSTILE
    cases = district.supervision.cases.copy()
    cases.loc[cases.index[0], ["event_id", "street_zh", "department_zh"]] = HOSTILE
    hostile = replace(
        district,
        scope=Scope("S1", HOSTILE, HOSTILE),
        by_category=replace(district.by_category, table=cats),
        supervision=replace(district.supervision, cases=cases),
    )
    html = render_html(hostile, "zh", with_charts=True)
    assert "<script>" not in html and "<img src=x" not in html and "</style><img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    assert html.count("</style>") == 1  # the footer's CSS string cannot close the style element


def test_pdf_text_fonts_and_pages(district, tmp_path):
    out = write_brief(district, tmp_path / "zh", "zh")
    assert out.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    text = _run("pdftotext", "-layout", str(out.pdf), "-")
    flat = re.sub(r"\s+", "", text)
    cur = district.headline.current
    w = Words("zh")
    for value in (
        WEEK,
        "周例会简报",
        "总体情况",
        "督办事项",
        f"{cur.events:,}",
        w.pct(cur.closure_rate),
        w.pct(cur.on_time_rate),
        w.pct(cur.satisfaction_rate),
        "本周共受理事件",
    ):
        assert re.sub(r"\s+", "", value) in flat, value
    fonts = _run("pdffonts", str(out.pdf)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    assert any("CJK" in line for line in fonts)
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(out.pdf))).group(1))
    assert pages >= 3
    _run("pdftoppm", "-r", "30", "-png", str(out.pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == pages and all(p.stat().st_size > 1000 for p in pngs)


def test_a_week_without_events_renders_clear_lines(brief_store, tmp_path):
    empty = weekly_brief(brief_store, "2026-W40", now=datetime(2026, 12, 1))
    for lang, line in (("zh", "本周（2026-W40）没有事件记录。"), ("en", "No events were recorded in 2026-W40.")):
        html = render_html(empty, lang, with_charts=True)
        w = Words(lang)
        text = _text(html)
        assert line in text and w.t("brief_map_empty") in text and w.t("brief_sensors_none") in text
        assert w.t("brief_departments_none") in text and w.t("brief_mix_empty") in text
    out = write_brief(empty, tmp_path, "zh")
    assert "没有事件记录" in re.sub(r"\s+", "", _run("pdftotext", str(out.pdf), "-"))


def test_html_only(district, tmp_path: Path):
    out = write_brief(district, tmp_path / "a" / "b", "en", pdf=False)
    assert out.pdf is None and out.html.exists() and not (tmp_path / "a" / "b" / "brief.pdf").exists()
