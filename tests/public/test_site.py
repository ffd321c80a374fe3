"""The static site: self-contained pages with the services' figures, escaped names, and the
open-data files beside them."""

from __future__ import annotations

import re

import duckdb
import pytest

from dashboard.public.site import write_site
from dashboard.public.text import summary_sentence
from queries.answers import public as answers
from tests.public.pubfixture import write_fixture


@pytest.fixture(scope="module")
def site(pub_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    return out, write_site(pub_file, out)


def test_two_pages_and_the_open_data(site):
    out, pages = site
    assert [p.name for p in pages] == ["index.html", "en.html"]
    data = sorted(p.name for p in (out / "data").iterdir())
    assert "stats_month.csv" in data and "data_dictionary.md" in data and "street_latest_month.geojson" in data
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+)"', text):
            assert href.startswith(("data:", "#")) or (out / href.split("?")[0]).is_file(), href
        assert 'href="data/stats_month.csv"' in text


def test_nothing_is_fetched_from_elsewhere(site):
    _, pages = site
    for page in pages:
        text = page.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace names, never loads
        assert not re.search(r"<(?:img|iframe|link)[^>]+(?:src|href)=\"(?!data:)", text)
        assert "@import" not in text and "url(http" not in text and "<script src" not in text


def test_the_pages_say_what_the_services_say(site, pub_layer):
    _, (zh, en) = site
    meta, summary = answers.published_meta(pub_layer), answers.month_summary(pub_layer)
    zh_text, en_text = zh.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    assert summary_sentence(summary, meta, "zh") in zh_text
    assert summary_sentence(summary, meta, "en") in en_text
    week = answers.period_summary(pub_layer, "week")
    assert f'data-testid="pub-week-sentence">{summary_sentence(week, meta, "zh")}</p>' in zh_text
    assert "本周（2026年11月23日至24日）共受理 90 件" in zh_text and "最近 13 周受理数量" in zh_text
    assert "This week (23–24 November 2026) we received 90 reports" in en_text
    assert "2026年第45周（11月2日至8日）" in zh_text  # the weekly table
    assert '<html lang="zh-CN">' in zh_text and '<html lang="en">' in en_text
    assert "少于 10 件，不予公开" in zh_text and "为防止推算，不予公开" in zh_text
    assert 'fill="url(#pub-hatch)"' in zh_text  # withheld communities striped on the SVG map
    assert "12345" in zh_text and "查询办理进度需要联网服务" in zh_text
    assert "2026年12月1日" in zh_text  # made on the publication's date: the same layer gives the same page


def test_names_from_the_layer_are_escaped(tmp_path):
    path = write_fixture(tmp_path / "hostile.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE pub_units SET name_zh = '<script>alert(1)</script>' WHERE unit_id = 'S1'")
    con.execute("UPDATE pub_meta SET value = '<img src=x onerror=alert(1)>' WHERE key = 'district_zh'")
    con.close()
    page = write_site(path, tmp_path / "site")[0].read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
