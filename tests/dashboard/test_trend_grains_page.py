"""Issue 16: the trends page shows the same headline numbers at every grain for one range,
period labels on the x axis (no ``23:59:59.999``), and partial periods marked."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.dashboard.apptest import run_app

PAGE = "dashboard/pages/trends.py"


def _periods_chart(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize(
    "lang,week_tick,month_tick", [("zh", "2026年第23周", "2026年6月"), ("en", "2026-W23", "2026-06")]
)
def test_headline_numbers_are_the_same_at_every_grain(
    monkeypatch, small_db_file, small_city, lang, week_tick, month_tick
):
    at = run_app(monkeypatch, small_db_file, lang, page=PAGE, timeout=180)
    assert not at.exception, at.exception
    at.date_input(key="f_dates_widget").set_value((date(2026, 6, 3), date(2026, 6, 24))).run()
    assert not at.exception, at.exception
    ev = small_city.events
    n = int(((ev["reported_at"] >= "2026-06-03") & (ev["reported_at"] < "2026-06-25")).sum())
    headline = {}
    for grain in ("day", "week", "month"):
        at.radio(key="trends_grain").set_value(grain).run()
        assert not at.exception, at.exception
        headline[grain] = [(m.label, m.value, m.delta) for m in at.metric[:3]]
        fig = _periods_chart(at)
        ticks = fig["layout"]["xaxis"]["categoryarray"]
        assert fig["layout"]["xaxis"]["type"] == "category"
        assert not any(":" in str(x) for x in ticks)
        caption = " ".join(c.value for c in at.caption)
        if grain == "week":
            assert ticks[0] == week_tick and len(ticks) == 4  # 3-7 June, two whole weeks, 22-24 June
            partial = [tr for tr in fig["data"] if tr.get("marker", {}).get("symbol") == "circle-open"]
            assert len(partial) == 1 and partial[0]["x"] == [ticks[0], ticks[-1]]
            assert "5/7" in caption or "5 of 7" in caption
        if grain == "month":
            assert ticks == [month_tick]
    assert headline["day"] == headline["week"] == headline["month"]
    assert headline["day"][0][1] == f"{n:,}"
