"""The public app under AppTest on the fixture layer: figures equal the published table,
withheld areas shown as withheld, zh/en, elder mode, tracking, and bad addresses."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.safe_text import md
from tests.dashboard.apptest import shown
from tests.public import pubfixture as fx

APP = str(Path(__file__).resolve().parents[2] / "public_app.py")


@pytest.fixture(autouse=True)
def _env(monkeypatch, pub_file):
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_DB", str(pub_file))
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_DSN", raising=False)
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_TRACKING_KEY", raising=False)  # never on the public server
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_LOOKUP_KEY", fx.LOOKUP_KEY.hex())


def run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def htmls(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def style(at: AppTest) -> str:
    """The page's <style> (Streamlit puts an st.html holding only a style in the event block)."""
    blocks = [b for b in at._tree.children.values() if getattr(b, "type", None) == "event"]
    return "".join(c.proto.body for b in blocks for c in b.children.values() if hasattr(c.proto, "body"))


def one(at: AppTest, testid: str) -> str:
    found = [h for h in htmls(at) if f'data-testid="{testid}"' in h]
    assert len(found) == 1, testid
    return found[0]


def _published(pub_file, label: str) -> tuple[int, float]:
    con = duckdb.connect(str(pub_file), read_only=True)
    try:
        return con.execute(
            "SELECT received, on_time_rate FROM pub_stats WHERE period = 'month' AND level = 'district'"
            " AND category_group = 'all' AND source = 'all' AND period_label = ?",
            [label],
        ).fetchone()
    finally:
        con.close()


def test_the_sentence_shows_the_published_figures(pub_file):
    at = run()
    received, rate = _published(pub_file, "2026-11")
    _, before = _published(pub_file, "2026-10")
    change = round(rate * 100, 1) - round(before * 100, 1)
    sentence = one(at, "pub-sentence")
    assert f"共受理 {received:,} 件" in sentence
    assert f"按期办结率 {rate * 100:.1f}%" in sentence
    assert f"比上月提高 {change:.1f} 个百分点" in sentence
    assert "本月（2026年11月1日至24日）" in sentence
    kpis = one(at, "pub-kpis")
    assert "1,234" in kpis and "87.2%" in kpis and "93.0%" in kpis
    assert "本月统计到 2026年11月24日" in kpis  # a partial month's count is not compared
    assert "2026年11月24日" in one(at, "pub-through")
    assert [b.label for b in at.button][:2] == ["English", "开启关怀模式（大字）"]


def test_the_monthly_trend_is_text_with_bars():
    trend = one(run(), "pub-trend")
    assert trend.index(">2026年8月<") < trend.index(">2026年11月（至24日）<")
    assert '<span class="pub-bar-value">1,234</span>' in trend and 'style="width:100.0%"' in trend
    assert trend.count("<li>") == 4


def test_withheld_communities_are_labelled_and_drawn_striped():
    at = run(level="community")
    table = one(at, "pub-area-table")
    assert (
        '南湖二社区</th><td data-label="所属街道：">南湖街道</td><td data-label="受理（件）：">少于 10 件，不予公开'
        in table
    )
    assert (
        '南湖一社区</th><td data-label="所属街道：">南湖街道</td><td data-label="受理（件）：">为防止推算，不予公开'
        in table
    )
    assert ">300<" in table
    assert "灰色斜线：少于 10 件，不予公开" in one(at, "pub-legend")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    ids = [layer["id"] for layer in spec["layers"]]
    assert "pub-withheld-stripes" in ids and "pub-areas" in ids
    stripes = next(layer for layer in spec["layers"] if layer["id"] == "pub-withheld-stripes")
    assert len(stripes["data"]) > 10
    lons = [pt[0] for path in (p["path"] for p in stripes["data"]) for pt in path]
    assert min(lons) >= 116.48 - 1e-6 and max(lons) <= 116.52 + 1e-6  # inside Nanhu street's communities


def test_streets_table_and_categories_in_english():
    at = run(lang="en")
    assert ">This month (1–24 November 2026) we received 1,234 reports;" in one(at, "pub-sentence")
    table = one(at, "pub-area-table")
    assert "Donghua" in table and ">550<" in table and "Received: " in table
    cats = one(at, "pub-category-table")
    assert cats.index("Streets and cleanliness") < cats.index("Traffic") < cats.index("Neighbour disputes")
    assert [b.label for b in at.button][:2] == ["中文", "Large text mode: turn on"]
    assert "Neighbour disputes" in next(h for h in htmls(at) if "pub-privacy" in h)


def test_the_elder_button_enlarges_and_goes_in_the_address():
    at = run()
    assert "html { font-size: 18px; }" in style(at)
    at.button(key="pub_elder_button").click().run()
    assert at.query_params["elder"] == "1"
    assert "html { font-size: 22px; }" in style(at)
    assert "min-height: 60px" in style(at)
    assert at.button(key="pub_elder_button").label == "关闭关怀模式"
    at.button(key="pub_lang_button").click().run()
    assert at.query_params["lang"] == "en" and at.query_params["elder"] == "1"
    assert at.button(key="pub_elder_button").label == "Large text mode: turn off"


def test_another_month_from_the_address():
    at = run(month="2026-09")
    assert one(at, "pub-sentence") == (
        '<p class="pub-root pub-sentence" data-testid="pub-sentence">'
        "2026年9月共受理 1,171 件，按期办结率 85.3%，比上月提高 1.3 个百分点。</p>"
    )
    assert "比上月多 46 件" in one(at, "pub-kpis")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lang": "fr"}, "地址中的语言 “fr” 无法识别"),
        ({"elder": "maybe"}, "地址中的关怀模式 “maybe” 无法识别"),
        ({"view": "admin"}, "地址中的页面 “admin” 不存在"),
        ({"level": "grid"}, "地址中的地图层级 “grid” 不存在"),
        ({"month": "2030-01"}, "地址中的月份 “2030-01” 没有公开数据（可选 2026年8月 至 2026年11月）"),
        ({"lang": "en", "month": "<b>x</b>"}, f"No figures are published for the month “{md('<b>x</b>')}”"),
        ({"month": "![x](http://evil.example/a.png)"}, f"“{md('![x](http://evil.example/a.png)')}”"),
    ],
)
def test_bad_addresses_say_so_and_fall_back(params, expected):
    at = run(**params)
    assert any(expected in w.value or expected in shown(w.value) for w in at.warning), [w.value for w in at.warning]
    assert not any("![x](" in w.value for w in at.warning)  # the address's text reaches Markdown escaped
    assert "1,234" in one(at, "pub-sentence")


def _track(at: AppTest, case_no: str, code: str) -> AppTest:
    at.text_input(key="pub_case").input(case_no)
    at.text_input(key="pub_code").input(code)
    at.button[-1].click().run()
    return at


def test_tracking_right_wrong_and_rate_limited():
    at = run(view="track")
    assert any("案件编号" in t.label for t in at.text_input)
    _track(at, fx.CASE_NO, fx.CODE)
    result = one(at, "pub-track-result")
    assert "已受理：2026年11月2日" in result and "已办结：2026年11月5日" in result
    assert "在规定时限内办结" in result and "欢迎评价" in result
    assert fx.CASE_NO not in result  # nothing but stages, days, outcome and rating
    _track(at, fx.CASE_NO, "0000")
    assert [w.value for w in at.warning] == [
        "没有找到与这组案件编号和验证码相符的记录。请核对后再试；如有疑问，请拨打 12345。"
    ]
    for _ in range(3):
        _track(at, "NOPE", "1")
    assert "没有找到" in at.warning[0].value
    _track(at, fx.CASE_NO, fx.CODE)  # the sixth try within ten minutes, even the right code
    assert at.warning[0].value.startswith("查询次数过多，请 10 分钟后再试")
    assert not [h for h in htmls(at) if "pub-track-result" in h]


def test_tracking_in_english_and_an_empty_form():
    at = run(view="track", lang="en")
    at.button[-1].click().run()
    assert at.warning[0].value == "Please fill in the case number and the code."
    _track(at, fx.OPEN_CASE_NO, fx.OPEN_CODE)
    result = one(at, "pub-track-result")
    assert "Received: 20 November 2026" in result and "Your report is being handled." in result
    assert "rate" not in result


def test_a_missing_layer_is_a_message(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_DB", str(tmp_path / "none.duckdb"))
    at = run()
    assert at.error[0].value.startswith("公开数据暂时无法读取")


def test_one_tap_switches_to_weeks_and_the_sentence_says_this_week(pub_file):
    at = run()
    control = at.segmented_control(key="pub_period")
    assert control.value == "month" and control.options == ["按月", "按周"]
    control.set_value("week").run()
    assert at.query_params["period"] == "week"
    assert one(at, "pub-sentence") == (
        '<p class="pub-root pub-sentence" data-testid="pub-sentence">'
        "本周（2026年11月23日至24日）共受理 90 件，按期办结率 90.0%，比上周提高 3.0 个百分点。</p>"
    )
    kpis = one(at, "pub-kpis")
    assert ">90<" in kpis and "本周统计到 2026年11月24日，件数暂不与上周比较" in kpis and "比上周" in kpis
    assert at.selectbox(key="pub_week").value == "2026-W48"
    assert at.selectbox(key="pub_week").options[:2] == [
        "2026年第48周（11月23日至24日）",
        "2026年第47周（11月16日至22日）",
    ]
    weeks = one(at, "pub-month-table")
    assert weeks.index("2026年第48周（11月23日至24日）") < weeks.index("2026年第45周（11月2日至8日）")
    assert ">301<" in weeks and "2026年8月" not in weeks
    assert "各街道受理数量（2026年第48周，11月23日至24日）" in "".join(htmls(at))
    trend = one(at, "pub-trend")
    assert 'aria-label="最近 13 周受理数量"' in trend
    assert trend.index(">11月2日<") < trend.index(">11月23日至24日<")  # oldest first; the partial week by its days
    assert '<span class="pub-bar-value">301</span>' in trend and 'style="width:100.0%"' in trend


def test_a_week_from_the_address_with_its_withheld_communities():
    at = run(period="week", week="2026-W47", level="community")
    assert one(at, "pub-sentence").endswith(
        ">2026年第47周（11月16日至22日）共受理 301 件，按期办结率 87.0%，比上周提高 3.0 个百分点。</p>"
    )
    assert "比上周多 25 件" in one(at, "pub-kpis")
    table = one(at, "pub-area-table")
    assert '西园二社区</th><td data-label="所属街道：">西园街道</td><td data-label="受理（件）：">少于 10 件' in table
    assert '西园一社区</th><td data-label="所属街道：">西园街道</td><td data-label="受理（件）：">为防止推算' in table
    assert ">80<" in table  # 南湖一社区 in W47
    cats = one(at, "pub-category-table")
    assert ">170<" in cats and ">120<" in cats
    assert "（2026年第47周，11月16日至22日）" in cats


def test_weeks_in_english_and_a_bad_week():
    at = run(lang="en", period="week", week="2026-W07")
    assert any("No figures are published for the week “2026-W07”" in shown(w.value) for w in at.warning)
    assert one(at, "pub-sentence").endswith(
        ">This week (23–24 November 2026) we received 90 reports; "
        "90.0% were closed on time, up 3.0 percentage points on last week.</p>"
    )
    assert "this week up to 24 November 2026: not compared with last week yet" in one(at, "pub-kpis")
    assert at.segmented_control(key="pub_period").options == ["Month", "Week"]
    at.segmented_control(key="pub_period").set_value("month").run()
    assert "period" not in at.query_params
    assert "This month (1–24 November 2026)" in one(at, "pub-sentence")


def test_a_bad_period_falls_back_to_months():
    at = run(period="day")
    assert any("地址中的统计周期 “day” 无法识别" in shown(w.value) for w in at.warning)
    assert "本月（2026年11月1日至24日）" in one(at, "pub-sentence")
