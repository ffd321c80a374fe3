"""The public services over the fixture layer: figures equal pub_stats read directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from dashboard.public.text import summary_sentence
from data.publish.tracking import tracking_digest
from data.store import StoreUnavailable
from queries.answers import public as answers
from queries.published import DuckDBPublished, open_published
from tests.public import pubfixture as fx


def _district(pub_file, label: str) -> tuple:
    con = duckdb.connect(str(pub_file), read_only=True)
    try:
        return con.execute(
            "SELECT received, on_time_rate FROM pub_stats WHERE period='month' AND level='district' "
            "AND category_group='all' AND source='all' AND period_label=?",
            [label],
        ).fetchone()
    finally:
        con.close()


def test_meta_reads_every_key(pub_layer):
    meta = answers.published_meta(pub_layer)
    assert meta.through_date == date(2026, 11, 24)
    assert (meta.lag_days, meta.min_count, meta.rounding_base, meta.max_res) == (7, 10, 0, 8)
    assert (meta.latest_month, meta.latest_week, meta.district_zh) == ("2026-11", "2026-W48", "示例区")


def test_month_summary_equals_the_published_rows(pub_layer, pub_file):
    summary = answers.month_summary(pub_layer)
    received, on_time = _district(pub_file, "2026-11")
    prev_received, prev_on_time = _district(pub_file, "2026-10")
    assert summary.label == "2026-11" and summary.previous_label == "2026-10"
    assert (summary.received, summary.on_time_rate) == (received, on_time) == (1234, 0.872)
    assert summary.received_change == received - prev_received == 32
    assert summary.on_time_change_pp == Decimal("87.2") - Decimal("85.7")
    assert (summary.start, summary.end) == (date(2026, 11, 1), date(2026, 11, 24))
    first = answers.month_summary(pub_layer, "2026-08")
    assert first.previous_label is None and first.on_time_change_pp is None
    assert answers.month_summary(pub_layer, "2025-01") is None


def test_the_sentence_in_both_languages(pub_layer):
    meta, summary = answers.published_meta(pub_layer), answers.month_summary(pub_layer)
    assert summary_sentence(summary, meta, "zh") == (
        "本月（2026年11月1日至24日）共受理 1,234 件，按期办结率 87.2%，比上月提高 1.5 个百分点。"
    )
    assert summary_sentence(summary, meta, "en") == (
        "This month (1–24 November 2026) we received 1,234 reports; "
        "87.2% were closed on time, up 1.5 percentage points on last month."
    )
    sep = answers.month_summary(pub_layer, "2026-09")  # 85.25 % rounds half up to 85.3, after 84.0
    assert summary_sentence(sep, meta, "zh") == "2026年9月共受理 1,171 件，按期办结率 85.3%，比上月提高 1.3 个百分点。"


def test_percentages_round_half_up():
    assert answers.percent_1dp(0.8525) == Decimal("85.3")
    assert answers.percent_1dp(0.87249) == Decimal("87.2")
    assert answers.percent_1dp(None) is None and answers.percent_1dp(float("nan")) is None


def test_area_figures_keep_withheld_units(pub_layer):
    frame = answers.area_figures(pub_layer, "community", "2026-11").set_index("unit_id")
    assert list(frame.index) == ["C11", "C12", "C21", "C22", "C31", "C32"]
    assert frame.loc["C32", "withheld"] == "under_k" and pd.isna(frame.loc["C32", "received"])
    assert frame.loc["C31", "withheld"] == "secondary" and pd.isna(frame.loc["C31", "received"])
    assert frame.loc["C11", "received"] == 300 and pd.isna(frame.loc["C11", "withheld"])
    streets = answers.area_figures(pub_layer, "street", "2026-11").set_index("unit_id")
    assert streets["received"].to_dict() == {"S1": 550, "S2": 480, "S3": 204}


def test_categories_and_sensitive_groups(pub_layer):
    cats = answers.category_figures(pub_layer, "2026-11")
    assert cats["category_group"].tolist() == ["environment", "traffic", "dispute"]
    assert cats["received"].tolist() == [700, 500, 34]
    assert answers.sensitive_groups(pub_layer)["code"].tolist() == ["dispute"]


def test_the_privacy_text_follows_the_sensitive_mode(pub_layer, tmp_path):
    from dashboard.public.overview import privacy_html

    meta = answers.published_meta(pub_layer)
    assert meta.sensitive_mode == "street"
    sensitive = answers.sensitive_groups(pub_layer)
    street = privacy_html(meta, sensitive, "zh")
    assert "<strong>敏感类别</strong>（邻里纠纷）只按街道公开，不按社区公开。" in street
    hidden_file = fx.write_fixture(tmp_path / "hide.duckdb", sensitive_mode="hide")
    hidden = DuckDBPublished(hidden_file)
    try:
        hide = answers.published_meta(hidden)
        assert hide.sensitive_mode == "hide"
        zh, en = privacy_html(hide, sensitive, "zh"), privacy_html(hide, sensitive, "en")
    finally:
        hidden.close()
    assert "<strong>敏感类别</strong>（邻里纠纷）不公开任何数字。" in zh and "只按街道" not in zh
    assert "<strong>Sensitive categories</strong> (Neighbour disputes) are not published at all." in en
    assert "by street" not in en


def test_tracking_by_digest(pub_layer):
    found = answers.tracking(pub_layer, tracking_digest(fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE))
    assert found is not None
    assert [s for s, _ in found.stages] == ["reported", "dispatched", "responded", "closed"]
    assert found.stages[-1][1] == date(2026, 11, 5)
    assert (found.status, found.closed_on_time, found.rated, found.can_rate) == ("closed", True, False, True)
    assert answers.tracking(pub_layer, tracking_digest(fx.LOOKUP_KEY, fx.CASE_NO, "0000")) is None


def test_the_layer_is_read_only_and_runs_only_public_queries(pub_file, pub_layer):
    with pytest.raises(KeyError):
        pub_layer.fetch("list_areas")
    layer = DuckDBPublished(pub_file)
    try:
        with pytest.raises(duckdb.Error):
            layer._con.execute("DELETE FROM pub_stats")
    finally:
        layer.close()


def test_a_missing_layer_says_what_to_run(tmp_path):
    with pytest.raises(StoreUnavailable, match="gridscope publish"):
        open_published(tmp_path / "nope.duckdb")
    with pytest.raises(StoreUnavailable):
        open_published(None)


def test_week_summaries_and_sentences(pub_layer):
    meta = answers.published_meta(pub_layer)
    latest = answers.period_summary(pub_layer, "week")
    assert (latest.label, latest.previous_label, latest.received) == ("2026-W48", "2026-W47", 90)
    assert (latest.start, latest.end, latest.complete) == (date(2026, 11, 23), date(2026, 11, 24), False)
    w47 = answers.period_summary(pub_layer, "week", "2026-W47")
    assert w47.complete and w47.received_change == 301 - 276
    assert w47.on_time_change_pp == Decimal("3.0")
    assert summary_sentence(w47, meta, "zh") == (
        "2026年第47周（11月16日至22日）共受理 301 件，按期办结率 87.0%，比上周提高 3.0 个百分点。"
    )
    assert summary_sentence(w47, meta, "en") == (
        "In week 47 of 2026 (16–22 November) we received 301 reports; "
        "87.0% were closed on time, up 3.0 percentage points on last week."
    )
    assert answers.period_summary(pub_layer, "week", "2026-11") is None
    frame = answers.area_figures(pub_layer, "community", "2026-W47", "week").set_index("unit_id")
    assert frame.loc["C22", "withheld"] == "under_k" and frame.loc["C21", "withheld"] == "secondary"
    assert frame.loc["C31", "received"] == 80
    cats = answers.category_figures(pub_layer, "2026-W47", "week")
    assert cats["received"].tolist() == [170, 120, 11]


def test_week_words_across_months_and_years():
    from dashboard.public.text import week_text

    assert week_text("2026-W27", date(2026, 6, 29), date(2026, 7, 5), "zh") == "2026年第27周（6月29日至7月5日）"
    assert week_text("2026-W27", date(2026, 6, 29), date(2026, 7, 5), "en") == "Week 27 of 2026 (29 June – 5 July)"
    assert week_text("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "zh") == (
        "2026年第1周（2025年12月29日至2026年1月4日）"
    )
    assert week_text("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "en") == (
        "Week 1 of 2026 (29 December 2025 – 4 January 2026)"
    )
    assert week_text("2026-W26", date(2026, 6, 22), date(2026, 6, 22), "zh") == "2026年第26周（6月22日）"
