"""Figures and table shapes for the governance-chain page (frames in, figures out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.map_colors import count_colors, rate_colors
from dashboard.safe_text import html_text

STEPS: tuple[str, ...] = ("register", "dispatch", "respond", "resolve", "verify", "close", "to_respond", "to_close")
"""Duration steps of ``stage_durations``, chain order, then the two totals."""


def funnel_figure(funnel: pd.DataFrame, stage_labels: dict[str, str]) -> go.Figure:
    """Horizontal funnel of the events reaching each stage."""
    fig = go.Figure(
        go.Funnel(
            y=[stage_labels[s] for s in funnel["stage"]],
            x=funnel["reached"],
            textinfo="value+percent initial",
            marker={"color": ["#7f1d1d", "#991b1b", "#b91c1c", "#c0392b", "#dc2626", "#ef4444", "#f87171", "#fca5a5"]},
        )
    )
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def durations_long(durations: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """One row per group and step with n, p50 and p90 (for tables and the heatmap)."""
    rows = []
    for _, row in durations.iterrows():
        for step in STEPS:
            rows.append(
                (
                    row["group_key"],
                    names.get(row["group_key"], row["group_key"]),
                    step,
                    row[f"{step}_n"],
                    row[f"{step}_p50"],
                    row[f"{step}_p90"],
                )
            )
    return pd.DataFrame(rows, columns=["group_key", "name", "step", "n", "p50", "p90"])


def durations_heatmap(
    long: pd.DataFrame, step_labels: dict[str, str], *, value: str = "p50", hover: str = "h"
) -> go.Figure:
    """Groups × steps coloured by the median (or p90) hours, both in the hover text."""
    groups = list(dict.fromkeys(long["name"]))
    z = long.pivot_table(index="name", columns="step", values=value, sort=False).reindex(index=groups, columns=STEPS)
    p50 = long.pivot_table(index="name", columns="step", values="p50", sort=False).reindex(index=groups, columns=STEPS)
    p90 = long.pivot_table(index="name", columns="step", values="p90", sort=False).reindex(index=groups, columns=STEPS)
    text = np.vectorize(lambda v: "" if pd.isna(v) else f"{v:.1f}")(z.to_numpy())
    custom = np.dstack([p50.to_numpy(), p90.to_numpy()])
    fig = go.Figure(
        go.Heatmap(
            z=np.log10(np.clip(z.to_numpy(dtype=float), 0.01, None)),
            x=[step_labels[s] for s in STEPS],
            y=[html_text(g) for g in groups],  # plotly renders a subset of HTML in labels
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale="YlOrRd",
            showscale=False,
            hovertemplate="%{y} · %{x}<br>p50 %{customdata[0]:.2f} "
            + hover
            + "<br>p90 %{customdata[1]:.2f} "
            + hover
            + "<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(260, 28 * len(groups) + 80),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return fig


def pooled_on_time_rate(areas: pd.DataFrame) -> float:
    """The on-time closure rate of all ``areas`` together (the parent's value, by the same
    definition as ``chain_rates.sql``: on time over closed with a time plus open overdue)."""
    base = float((areas["closed"] - areas["closed_untimed"] + areas["open_overdue"]).sum())
    return float(areas["closed_on_time"].sum()) / base if base > 0 else float("nan")


def metric_colors(
    areas: pd.DataFrame, metric: str, *, center: float | None = None
) -> tuple[list[list[int]], list[tuple[str, str]], float]:
    """Fill per area and legend chips for ``metric``: the on-time rate on a diverging scale
    around ``center`` (default: the areas' pooled rate; red below, blue above, grey within half
    a step of it), counts in natural-breaks classes. Returns the colours, the chips and the centre
    (NaN for counts)."""
    if metric == "on_time_rate":
        ref = pooled_on_time_rate(areas) if center is None else center
        if np.isfinite(ref):
            colors, chips, _ = rate_colors(areas[metric], ref, higher_is_better=True)
            return colors, chips, ref
    colors, chips = count_colors(areas[metric])
    return colors, chips, float("nan")


def bar_figure(
    labels: list[str], values: pd.Series, *, color: str = "#c0392b", x_title: str = "", fmt: str = "%{x:,}"
) -> go.Figure:
    """Horizontal bars, largest on top."""
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[html_text(lb) for lb in labels],
            orientation="h",
            marker_color=color,
            texttemplate=fmt,
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        height=max(220, 26 * len(labels) + 60),
        margin={"l": 10, "r": 40, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis_title=x_title,
    )
    return fig


def source_figure(sources: pd.DataFrame, labels: dict[str, str], titles: dict[str, str]) -> go.Figure:
    """Share of events per source (bars) with median hours to respond and close (markers)."""
    names = [labels.get(s, s) for s in sources["source"]]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=sources["share"],
        name=titles["share"],
        marker_color="#c0392b",
        yaxis="y",
        texttemplate="%{y:.1%}",
        textposition="outside",
    )
    fig.add_scatter(
        x=names,
        y=sources["median_respond_h"],
        name=titles["respond"],
        mode="markers+lines",
        yaxis="y2",
        marker={"size": 10, "color": "#2c7fb8"},
    )
    fig.add_scatter(
        x=names,
        y=sources["median_close_h"],
        name=titles["close"],
        mode="markers+lines",
        yaxis="y2",
        marker={"size": 10, "color": "#41ab5d"},
    )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": titles["share"], "tickformat": ".0%"},
        yaxis2={"title": titles["hours"], "overlaying": "y", "side": "right", "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.15},
    )
    return fig
