"""The trends page says "not enough data to backtest" only when the history is too short
(found beside issue 9's hotspot case): any ValueError of the backtest used to be shown so.
Another failure is now the page's error message with a reference (logged), not a wrong reason."""

from __future__ import annotations

import logging
import re

import pytest
import streamlit as st

import geo.forecast
from dashboard.i18n import all_strings
from geo.forecast import HistoryTooShort
from tests.dashboard.test_trends_page import open_trends


@pytest.fixture
def production_errors():
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "none")
    st.cache_data.clear()
    yield
    config.set_option("client.showErrorDetails", before)
    st.cache_data.clear()


def _short(lang: str) -> str:
    return all_strings()["trends_backtest_short"][lang].split("{")[0]


def test_a_short_history_is_said(monkeypatch, small_db_file, production_errors):
    def short(series, *args, **kwargs):
        raise HistoryTooShort(need=84, got=len(series))

    monkeypatch.setattr(geo.forecast, "backtest", short)
    at = open_trends(monkeypatch, small_db_file, "zh")
    assert any(_short("zh") in c.value for c in at.caption)
    assert not at.error


def test_another_backtest_error_is_not_called_a_short_history(monkeypatch, small_db_file, production_errors, caplog):
    def broken(series, *args, **kwargs):
        raise ValueError("the series has missing values; fill days without events with 0")

    monkeypatch.setattr(geo.forecast, "backtest", broken)
    with caplog.at_level(logging.ERROR, logger="gridscope"):
        at = open_trends(monkeypatch, small_db_file, "en")
    assert not any(_short("en") in c.value for c in at.caption)
    [err] = at.error
    assert err.value.startswith(all_strings()["page_error"]["en"].split("{")[0]), err.value
    ref = re.search(r"[0-9a-f]{8}", err.value).group()
    assert [r for r in caplog.records if ref in r.getMessage()]


def test_the_backtest_raises_history_too_short_for_a_short_series():
    import numpy as np
    import pandas as pd

    short = pd.Series(np.ones(60), index=pd.date_range("2026-01-01", periods=60, freq="D"))
    with pytest.raises(HistoryTooShort, match="need at least 84 days of history, got 60") as err:
        geo.forecast.backtest(short, 7, weeks=8)
    assert (err.value.need, err.value.got) == (84, 60)
    gap = short.copy()
    gap.iloc[-100:] = np.nan
    long = pd.concat([pd.Series(np.ones(100), index=pd.date_range("2025-09-23", periods=100, freq="D")), gap])
    with pytest.raises(ValueError, match="missing values") as err:
        geo.forecast.backtest(long, 7, weeks=8)
    assert not isinstance(err.value, HistoryTooShort)
