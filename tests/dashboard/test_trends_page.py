"""The trends page (AppTest): period overlay, breakdown, anomaly list and forecast with backtest."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.forecast import backtest
from geo.trends import expected_band, fill_buckets
from queries import DuckDBStore, EventFilter
from tests.dashboard.apptest import run_app

PAGE = "dashboard/pages/trends.py"
JUNE = EventFilter.for_dates(date(2026, 6, 1), date(2026, 6, 30))


def open_trends(monkeypatch, db, lang: str = "zh") -> AppTest:
    at = run_app(monkeypatch, db, lang, page=PAGE, timeout=180)
    assert not at.exception, at.exception
    return at


def _daily(db, start: datetime, end: datetime, **lists) -> pd.Series:
    store = DuckDBStore(db)
    try:
        flt = EventFilter(start, end, **lists)
        frame = store.fetch("trend_breakdown", **flt.params(), grain="day", dim="none")
    finally:
        store.close()
    return fill_buckets(frame, start, end, "day").set_index("bucket")["events"].astype(float)


def _values(arr) -> list:
    """Plotly's JSON packs numeric arrays as base64 (``{"dtype", "bdata"}``)."""
    if isinstance(arr, dict) and "bdata" in arr:
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"]).tolist()
    return list(arr)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _table(at, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("lang,title,label", [("zh", "趋势分析", "本期"), ("en", "Trends", "This period")])
def test_trends_page_in_both_languages(monkeypatch, small_db_file, small_city, lang, title, label):
    at = open_trends(monkeypatch, small_db_file, lang)
    assert at.title[0].value == title
    ev = small_city.events
    n = ((ev["reported_at"] >= JUNE.start) & (ev["reported_at"] < JUNE.end)).sum()
    assert at.metric[0].label == label and at.metric[0].value == f"{n:,}"
    charts = _charts(at)
    assert len(charts) == 4  # periods, breakdown, band, forecast
    current = next(tr for tr in charts[0]["data"] if tr["name"] == label)
    daily = (
        ev[(ev["reported_at"] >= JUNE.start) & (ev["reported_at"] < JUNE.end)]
        .groupby(ev["reported_at"].dt.normalize())
        .size()
    )
    assert _values(current["y"]) == daily.tolist()
    assert at.metric[2].value == "—"  # June 2025 is before the small city's first day


def test_anomalies_listed_are_the_bands_flags(monkeypatch, small_db_file):
    # noise complaints: the demo plants a new noise hotspot in the last seven days
    at = open_trends(monkeypatch, small_db_file, "en")
    at.multiselect(key="f_categories").set_value(["noise"]).run()
    history = _daily(small_db_file, datetime(2025, 5, 27), JUNE.end, categories=("noise",))
    for z in (3.0, 2.5):
        if z != 3.0:
            at.select_slider(key="trends_z").set_value(z).run()
        assert not at.exception
        band = expected_band(history.loc["2025-07-01":], "day", z=z)
        flagged = band[(band.index >= JUNE.start) & (band["anomaly"] != 0)]
        if flagged.empty:
            assert any("Nothing in this period" in s.value for s in at.success)
            continue
        table = _table(at, "direction")
        assert table["bucket"].tolist() == [d.strftime("%Y-%m-%d") for d in flagged.index]
        assert table["observed"].tolist() == flagged["observed"].tolist()
        assert table["direction"].tolist() == ["Above" if a > 0 else "Below" for a in flagged["anomaly"]]
    assert len(flagged) > 0, "the planted noise hotspot should stand out at z = 2.5"


def test_forecast_shows_the_backtest_it_computed(monkeypatch, small_db_file):
    at = open_trends(monkeypatch, small_db_file, "en")
    series = _daily(small_db_file, JUNE.end - timedelta(days=140 + 56), JUNE.end)
    bt = backtest(series, 7, weeks=8, history_days=140)
    mase = {m.label: m.value for m in at.metric}
    assert mase["Backtest MASE (this model)"] == f"{bt.mase_model:.2f}"
    assert mase["Backtest MASE (seasonal naive)"] == f"{bt.mase_naive:.2f}"
    assert len(_table(at, "upper")) == 7
    at.radio(key="trends_fc_scope").set_value("street").run()
    at.selectbox(key="trends_fc_street").set_value("110199004").run()
    assert not at.exception
    street = _daily(small_db_file, JUNE.end - timedelta(days=140 + 56), JUNE.end, street_ids=("110199004",))
    bt_street = backtest(street, 7, weeks=8, history_days=140)
    assert {m.label: m.value for m in at.metric}["Backtest MASE (this model)"] == f"{bt_street.mase_model:.2f}"


@pytest.mark.parametrize("grain,mode,dim", [("week", "multiples", "street"), ("month", "stacked", "source")])
def test_grains_and_breakdowns(monkeypatch, small_db_file, small_city, grain, mode, dim):
    at = open_trends(monkeypatch, small_db_file, "zh")
    at.radio(key="trends_grain").set_value(grain).run()
    at.radio(key="trends_mode").set_value(mode).run()
    at.radio(key="trends_dim").set_value(dim).run()
    assert not at.exception
    charts = _charts(at)
    current = next(tr for tr in charts[0]["data"] if tr["name"] == "本期")
    assert len(_values(current["y"])) == (5 if grain == "week" else 1)
    ev = small_city.events
    june = ev[(ev["reported_at"] >= JUNE.start) & (ev["reported_at"] < JUNE.end)]
    n_keys = june["street_id" if dim == "street" else "source"].nunique()
    assert len(charts[1]["data"]) == n_keys
