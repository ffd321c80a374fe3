"""plotly chart builders (no business logic: frames in, figures out) and the one way pages
draw a figure (:func:`show_chart`: the shared config, the page's language on date axes;
:func:`cached_chart`: the same, built and marshalled once per input for every session)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.components.cached import MAX_ENTRIES, TTL_SECONDS, content_key
from dashboard.i18n import current_language

_ZH_MONTHS = [f"{m}月" for m in range(1, 13)]
ZH_LOCALE: dict[str, Any] = {
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "矩形框选",
        "Double-click to zoom back out": "双击恢复",
        "Download plot as a png": "下载为 PNG 图片",
        "Download plot": "下载图表",
        "Lasso Select": "套索选择",
        "Pan": "平移",
        "Reset axes": "重置坐标轴",
        "Reset view": "重置视图",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "Toggle Spike Lines": "显示/隐藏辅助线",
        "Show closest data on hover": "悬停显示最近数据",
        "Compare data on hover": "悬停比较数据",
        "trace": "数据",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": _ZH_MONTHS,
        "shortMonths": _ZH_MONTHS,
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
    },
}
"""plotly.js's zh-CN locale, given with each chart: Streamlit bundles only plotly's ``en``
locales, and the app is offline (no CDN to fetch ``locale-zh-cn.js`` from)."""

ZH_DATE_TICKS = [
    {"dtickrange": [None, 86_400_000], "value": "%-m月%-d日 %H:%M"},
    {"dtickrange": [86_400_000, "M1"], "value": "%-m月%-d日"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
]
"""Date tick labels in Chinese order (6月1日, 2026年6月), by tick spacing."""


def plotly_config() -> dict[str, Any]:
    """The config every chart is drawn with: no mode bar (on a phone it covered the legend;
    Streamlit's own element toolbar keeps full screen), and plotly's locale in the page's
    language (month and day names in hover labels and ticks)."""
    config: dict[str, Any] = {"displayModeBar": False, "displaylogo": False}
    if current_language() == "zh":
        config |= {"locale": "zh-CN", "locales": {"zh-CN": ZH_LOCALE}}
    return config


def _is_dates(values: object) -> bool:
    if values is None:
        return False
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return True
    return array.dtype == object and len(array) > 0 and isinstance(array.flat[0], (date, pd.Timestamp))


def localise_dates(fig: go.Figure) -> go.Figure:
    """In Chinese, date x axes read 6月1日 / 2026年6月 (ticks and hover) instead of English ``Jun 1``."""
    if current_language() == "zh" and any(_is_dates(getattr(trace, "x", None)) for trace in fig.data):
        fig.update_xaxes(tickformatstops=ZH_DATE_TICKS, hoverformat="%Y年%-m月%-d日")
    return fig


def show_chart(fig: go.Figure, *, container: Any = None, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the shared config and the page's language on date axes
    (``container``: a column or other container, default the page); ``kwargs`` as for
    ``st.plotly_chart`` (``key``, ``width``, ``on_select`` ...)."""
    target = container if container is not None else st
    return target.plotly_chart(localise_dates(fig), config=plotly_config(), **kwargs)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _drawn_chart(key: str, _build: Callable[..., go.Figure], _args: tuple, _kwargs: dict, _chart: dict) -> None:
    """Build and draw the chart (``key``: builder, inputs, language, options); a hit replays
    the drawn element (``st.cache_data`` records it) without building or marshalling."""
    show_chart(_build(*_args, **_kwargs), **_chart)


def cached_chart(
    build: Callable[..., go.Figure], *args: Any, container: Any = None, key: str, width: str = "stretch", **kwargs: Any
) -> None:
    """:func:`show_chart` of ``build(*args, **kwargs)`` (no selections), built and marshalled
    once per builder, inputs (DataFrames by content), language and ``key``/``width`` for every
    session: plotly's figure objects validate every property as they are built (~10-40 ms
    a chart), and the chart's JSON is written again on every draw. ``container``: a column or
    other container, default where the page is drawing."""
    inputs = content_key([*args, kwargs])
    chart = {"key": key, "width": width}
    if inputs is None:  # an input that cannot be keyed: drawn as it is
        show_chart(build(*args, **kwargs), container=container, **chart)
        return
    name = f"{getattr(build, '__module__', '')}.{getattr(build, '__qualname__', '')}"
    with container if container is not None else contextlib.nullcontext():  # replayed where it was drawn
        _drawn_chart(f"{name}|{current_language()}|{key}|{width}|{inputs}", build, args, kwargs, chart)


def period_overlay_chart(current: pd.DataFrame, previous: pd.DataFrame, *, labels: dict[str, str]) -> go.Figure:
    """Daily counts of the current period with the previous period overlaid day by day.

    ``current`` and ``previous`` have ``day`` and ``events`` for every day of two windows
    of equal length (see :func:`queries.answers.counts.fill_days`); the previous one is drawn at the current
    one's dates, its own date in the hover text. ``labels``: current, previous, x, y.
    """
    fig = go.Figure()
    fig.add_scatter(
        x=current["day"],
        y=previous["events"],
        name=labels["previous"],
        mode="lines",
        line={"color": "#9e9e9e", "dash": "dot"},
        customdata=previous["day"].dt.strftime("%Y-%m-%d"),
        hovertemplate="%{customdata}: %{y}<extra>" + labels["previous"] + "</extra>",
    )
    fig.add_scatter(
        x=current["day"],
        y=current["events"],
        name=labels["current"],
        mode="lines+markers",
        line={"color": "#c0392b", "width": 2},
        marker={"size": 4},
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=320,
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.1},
        xaxis_title=labels["x"],
        yaxis_title=labels["y"],
    )
    return fig
