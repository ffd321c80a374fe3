"""Figures for the trends page (frames in, figures out)."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.components.numbers import period_label, span
from dashboard.safe_text import html_text

QUALITATIVE = [
    "#c0392b",
    "#2c7fb8",
    "#41ab5d",
    "#e6550d",
    "#756bb1",
    "#636363",
    "#d6616b",
    "#8c6d31",
    "#3182bd",
    "#31a354",
    "#fd8d3c",
    "#9e9ac8",
    "#969696",
    "#e7969c",
    "#bd9e39",
    "#6baed6",
]
"""Distinct colours for breakdown keys (more keys repeat them)."""

DATE_FORMAT = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}


def _category_axis(fig: go.Figure, ticks: list[str]) -> None:
    """Period labels as the x axis (a date axis turns one month into ``23:59:59.999 Oct 31``)."""
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=ticks)


def periods_figure(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    last_year: pd.DataFrame,
    *,
    grain: str,
    labels: dict[str, str],
) -> go.Figure:
    """Counts per bucket of the current window with the previous period and last year's
    same period overlaid bucket by bucket (each series' own dates in the hover text).

    Frames as :func:`geo.periods.period_counts` (``bucket``, ``first``, ``end``,
    ``partial``, ``events``; NaN where the store has no data). The x axis shows period
    labels; a partial (clipped) bucket has a hollow marker and a dashed segment, and the
    legend names it (``labels["partial"]``).
    """
    ticks = [period_label(b, grain) for b in current["bucket"]]
    partial = current["partial"].to_numpy(dtype=bool) if "partial" in current else np.zeros(len(current), bool)
    fig = go.Figure()
    for frame, key, style in (
        (last_year, "last_year", {"color": "#bdbdbd", "dash": "dash"}),
        (previous, "previous", {"color": "#7f7f7f", "dash": "dot"}),
    ):
        if frame["events"].notna().any():
            fig.add_scatter(
                x=ticks[: len(frame)],
                y=frame["events"].to_numpy()[: len(ticks)],
                name=labels[key],
                mode="lines+markers",
                line=style,
                marker={"size": 4},
                customdata=[span(a, b) for a, b in zip(frame["first"], frame["end"], strict=True)][: len(ticks)],
                hovertemplate="%{customdata}: %{y:,}<extra>" + labels[key] + "</extra>",
            )
    y = current["events"].to_numpy(dtype=float)
    spans = [span(a, b) for a, b in zip(current["first"], current["end"], strict=True)]
    whole = np.where(partial, np.nan, y)
    fig.add_scatter(
        x=ticks,
        y=whole if partial.any() and (~partial).any() else y,
        name=labels["current"],
        mode="lines+markers",
        # every bucket clipped (e.g. one month's middle): the whole line is dashed
        line={"color": "#c0392b", "width": 2.5, **({"dash": "dash"} if partial.all() and len(partial) else {})},
        marker={"size": 6},
        customdata=spans,
        hovertemplate="%{customdata}: %{y:,}<extra>" + labels["current"] + "</extra>",
    )
    if partial.any():
        # dashed segments from the neighbouring whole bucket into each partial one
        seg_x: list[str | None] = []
        seg_y: list[float | None] = []
        for i in np.flatnonzero(partial):
            j = i + 1 if i == 0 else i - 1
            if 0 <= j < len(ticks):
                seg_x += [ticks[j], ticks[i], None]
                seg_y += [y[j], y[i], None]
        if seg_x:
            fig.add_scatter(
                x=seg_x,
                y=seg_y,
                mode="lines",
                line={"color": "#c0392b", "width": 2, "dash": "dash"},
                showlegend=False,
                hoverinfo="skip",
            )
        idx = np.flatnonzero(partial)
        fig.add_scatter(
            x=[ticks[i] for i in idx],
            y=y[idx],
            mode="markers",
            name=labels["partial"],
            marker={"size": 11, "symbol": "circle-open", "color": "#c0392b", "line": {"width": 2}},
            customdata=[spans[i] for i in idx],
            hovertemplate="%{customdata}: %{y:,}<extra>" + labels["partial"] + "</extra>",
        )
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.12},
        xaxis_title=labels["x"],
        yaxis_title=labels["y"],
        yaxis={"rangemode": "tozero"},
    )
    _category_axis(fig, ticks)
    return fig


def breakdown_figure(
    frame: pd.DataFrame,
    *,
    names: dict[str, str],
    mode: str,
    grain: str,
    labels: dict[str, str],
    partial: Collection[pd.Timestamp] = (),
) -> go.Figure:
    """Stacked bars (``mode='stacked'``) or one small panel per key (``'multiples'``).

    ``frame`` has ``bucket``, ``key`` and ``events`` for every bucket (zeros filled). The
    buckets in ``partial`` (clipped to the window) are hatched bars or hollow markers.
    """
    order = frame.groupby("key")["events"].sum().sort_values(ascending=False).index.tolist()
    names = {k: html_text(names.get(k, k)) for k in order}  # plotly renders a subset of HTML in names
    partial_set = {pd.Timestamp(b) for b in partial}
    ticks = [period_label(b, grain) for b in sorted(pd.to_datetime(frame["bucket"]).unique())]
    if mode == "stacked":
        fig = go.Figure()
        for i, key in enumerate(order):
            part = frame[frame["key"] == key]
            clipped = [pd.Timestamp(b) in partial_set for b in part["bucket"]]
            fig.add_bar(
                x=[period_label(b, grain) for b in part["bucket"]],
                y=part["events"],
                name=names.get(key, key),
                marker_color=QUALITATIVE[i % len(QUALITATIVE)],
                marker_pattern_shape=["/" if c else "" for c in clipped],
                hovertemplate="%{x}: %{y:,}<extra>" + names.get(key, key) + "</extra>",
            )
        fig.update_layout(
            barmode="stack",
            height=380,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            legend={"orientation": "h", "y": -0.15},
            yaxis_title=labels["y"],
            bargap=0.1,
        )
        _category_axis(fig, ticks)
        return fig
    cols = 3
    rows = int(np.ceil(len(order) / cols)) or 1
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        subplot_titles=[names.get(k, k) for k in order],
        vertical_spacing=min(0.08, 0.5 / rows),
        horizontal_spacing=0.05,
    )
    for i, key in enumerate(order):
        part = frame[frame["key"] == key]
        clipped = [pd.Timestamp(b) in partial_set for b in part["bucket"]]
        fig.add_scatter(
            x=[period_label(b, grain) for b in part["bucket"]],
            y=part["events"],
            mode="lines+markers",
            line={"color": "#c0392b", "width": 1.5},
            marker={
                "size": [8 if c else 3 for c in clipped],
                "symbol": ["circle-open" if c else "circle" for c in clipped],
            },
            row=i // cols + 1,
            col=i % cols + 1,
            showlegend=False,
            hovertemplate="%{x}: %{y:,}<extra>" + names.get(key, key) + "</extra>",
        )
    fig.update_layout(height=170 * rows + 40, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_annotations(font_size=12)
    _category_axis(fig, ticks)
    return fig


def band_figure(band: pd.DataFrame, *, labels: dict[str, str], grain: str) -> go.Figure:
    """Observed counts against the expected band; points outside it marked."""
    x = band.index
    fmt = DATE_FORMAT[grain]
    fig = go.Figure()
    fig.add_scatter(x=x, y=band["upper"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip")
    fig.add_scatter(
        x=x,
        y=band["lower"],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(44,127,184,0.18)",
        name=labels["band"],
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=x,
        y=band["expected"],
        mode="lines",
        line={"color": "#2c7fb8", "dash": "dot"},
        name=labels["expected"],
        hovertemplate="%{x|" + fmt + "}: %{y:,.1f}<extra>" + labels["expected"] + "</extra>",
    )
    fig.add_scatter(
        x=x,
        y=band["observed"],
        mode="lines+markers",
        line={"color": "#555", "width": 1.5},
        marker={"size": 4},
        name=labels["observed"],
        hovertemplate="%{x|" + fmt + "}: %{y:,}<extra>" + labels["observed"] + "</extra>",
    )
    for flag, color, name in ((1, "#c0392b", labels["high"]), (-1, "#2c7fb8", labels["low"])):
        hit = band[band["anomaly"] == flag]
        if len(hit):
            fig.add_scatter(
                x=hit.index,
                y=hit["observed"],
                mode="markers",
                name=name,
                marker={"size": 12, "color": color, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
                hovertemplate="%{x|" + fmt + "}: %{y:,}<extra>" + name + "</extra>",
            )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.12},
        yaxis={"rangemode": "tozero", "title": labels["y"]},
    )
    fig.update_xaxes(tickformat="%Y-%m-%d")
    return fig


def forecast_figure(history: pd.Series, forecast: pd.DataFrame, *, labels: dict[str, str]) -> go.Figure:
    """The recent daily counts and the forecast with its interval."""
    fig = go.Figure()
    fig.add_scatter(
        x=history.index,
        y=history.to_numpy(),
        mode="lines+markers",
        line={"color": "#555"},
        marker={"size": 4},
        name=labels["history"],
    )
    fig.add_scatter(
        x=forecast["day"], y=forecast["upper"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
    )
    fig.add_scatter(
        x=forecast["day"],
        y=forecast["lower"],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(192,57,43,0.18)",
        name=labels["interval"],
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=forecast["day"],
        y=forecast["mean"],
        mode="lines+markers",
        line={"color": "#c0392b", "width": 2.5},
        name=labels["forecast"],
        hovertemplate="%{x|%Y-%m-%d}: %{y:,.1f}<extra></extra>",
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.12},
        yaxis={"rangemode": "tozero", "title": labels["y"]},
    )
    return fig
