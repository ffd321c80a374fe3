"""The public app and site on the small demo city's real published layer (PUBLISH's builder):
the sentence and the street table equal pub_stats, a real case number with its verification
code is tracked, and the static site says the same."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.public.site import write_site
from data.publish import PublishConfig, build_published, lookup_key_text, verification_code, write_duckdb
from tests.public.test_public_app import APP, one

KEY = b"public-app-test-district-key"


@pytest.fixture(scope="module")
def demo_layer(small_store, tmp_path_factory):
    published = build_published(small_store, PublishConfig(published_on=date(2026, 7, 1), tracking_key=KEY))
    return write_duckdb(published, tmp_path_factory.mktemp("demo-pub") / "public.duckdb")


@pytest.fixture
def app(monkeypatch, demo_layer):
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_DB", str(demo_layer))
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_DSN", raising=False)
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_TRACKING_KEY", raising=False)
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_LOOKUP_KEY", lookup_key_text(KEY))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception
    return at


def _rows(demo_layer, level: str, label: str) -> pd.DataFrame:
    con = duckdb.connect(str(demo_layer), read_only=True)
    try:
        return con.execute(
            "SELECT s.unit_id, u.name_zh, s.received, s.on_time_rate FROM pub_stats s JOIN pub_units u"
            " USING (level, unit_id) WHERE s.period = 'month' AND s.level = ? AND s.category_group = 'all'"
            " AND s.source = 'all' AND s.period_label = ?",
            [level, label],
        ).df()
    finally:
        con.close()


def test_sentence_and_street_table_equal_the_published_rows(app, demo_layer):
    con = duckdb.connect(str(demo_layer), read_only=True)
    latest = con.execute("SELECT value FROM pub_meta WHERE key = 'latest_month'").fetchone()[0]
    con.close()
    district = _rows(demo_layer, "district", latest).iloc[0]
    sentence = one(app, "pub-sentence")
    assert f"共受理 {int(district['received']):,} 件" in sentence
    assert f"按期办结率 {district['on_time_rate'] * 100:.1f}%" in sentence
    table = one(app, "pub-area-table")
    streets = _rows(demo_layer, "street", latest)
    assert len(streets) >= 2
    for _, s in streets.iterrows():
        cell = f"{int(s['received']):,}" if pd.notna(s["received"]) else "不予公开"
        assert f">{s['name_zh']}</th>" in table and cell in table


def test_a_real_case_is_tracked_with_its_code(app, small_city):
    events = small_city.events.sort_values("reported_at")
    event = events.iloc[-2000]
    at = app
    at.query_params["view"] = "track"
    at.run()
    at.text_input(key="pub_case").input(str(event["event_id"]))
    at.text_input(key="pub_code").input(verification_code(KEY, str(event["event_id"])))
    at.button[-1].click().run()
    result = one(at, "pub-track-result")
    day = pd.Timestamp(event["reported_at"]).date()
    assert f"已受理：{day.year}年{day.month}月{day.day}日" in result
    assert str(event["event_id"]) not in result


def test_the_site_says_what_the_app_says(app, demo_layer, tmp_path):
    zh = write_site(demo_layer, tmp_path)[0].read_text(encoding="utf-8")
    sentence = one(app, "pub-sentence")
    inner = sentence[sentence.index(">") + 1 : sentence.rindex("<")]
    assert f'data-testid="pub-sentence">{inner}</p>' in zh
