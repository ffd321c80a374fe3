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
    assert (meta.latest_month, meta.latest_week, meta.district_zh) == ("2026-11", "2026-W47", "示例区")


def test_month_summary_equals_the_published_rows(pub_layer, pub_file):
    summary = answers.month_summary(pub_layer)
    received, on_time = _district(pub_file, "2026-11")
    prev_received, prev_on_time = _district(pub_file, "2026-10")
    assert summary.month == "2026-11" and summary.previous_month == "2026-10"
    assert (summary.received, summary.on_time_rate) == (received, on_time) == (1234, 0.872)
    assert summary.received_change == received - prev_received == 32
    assert summary.on_time_change_pp == Decimal("87.2") - Decimal("85.7")
    assert (summary.start, summary.end) == (date(2026, 11, 1), date(2026, 11, 24))
    first = answers.month_summary(pub_layer, "2026-08")
    assert first.previous_month is None and first.on_time_change_pp is None
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


def test_tracking_by_digest(pub_layer):
    found = answers.tracking(pub_layer, tracking_digest(fx.TRACKING_KEY, fx.CASE_NO, fx.CODE))
    assert found is not None
    assert [s for s, _ in found.stages] == ["reported", "dispatched", "responded", "closed"]
    assert found.stages[-1][1] == date(2026, 11, 5)
    assert (found.status, found.closed_on_time, found.rated, found.can_rate) == ("closed", True, False, True)
    assert answers.tracking(pub_layer, tracking_digest(fx.TRACKING_KEY, fx.CASE_NO, "0000")) is None


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
