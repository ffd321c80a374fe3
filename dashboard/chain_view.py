"""Figures and table shapes for the governance-chain page (frames in, figures out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.safe_text import html_text

STEPS: tuple[str, ...] = ("register", "dispatch", "respond", "resolve", "verify", "close", "to_respond", "to_close")
"""Duration steps of ``stage_durations``, chain order, then the two totals."""

RATE_PALETTE = [
    [165, 0, 38],
    [215, 48, 39],
    [244, 109, 67],
    [253, 174, 97],
    [254, 224, 139],
    [217, 239, 139],
    [166, 217, 106],
    [26, 152, 80],
]
"""Red (low) to green (high) for rates where higher is better."""


SHARE_COLUMNS: tuple[str, ...] = ("of_all", "to_next", "waiting_share", "dropped_share", "skipped_share")
"""The rate columns of :func:`funnel_table` (fractions; NaN where a stage has no next step)."""


def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """Per stage: reached, share of all events, conversion to the next stage, and the shares
    of the events reaching it still open there (waiting), ended there (dropped) and gone on
    without a time for the next stage (skipped). NaN where there is no next step."""
    reached = funnel["reached"].astype(float).to_numpy()
    first = reached[0] if len(reached) and reached[0] else np.nan
    nxt = np.r_[reached[1:], np.nan]
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "stage": funnel["stage"].to_numpy(),
                "reached": funnel["reached"].to_numpy(),
                "of_all": reached / first,
                "to_next": np.where(reached > 0, nxt / reached, np.nan),
                "waiting_share": np.where(reached > 0, funnel["waiting"].astype(float) / reached, np.nan),
                "dropped_share": np.where(reached > 0, funnel["dropped"].astype(float) / reached, np.nan),
                "skipped_share": np.where(reached > 0, funnel["skipped"].astype(float) / reached, np.nan),
            }
        )


def shares_shown(table: pd.DataFrame, columns: tuple[str, ...] = SHARE_COLUMNS):
    """``table`` styled for ``st.dataframe``: the share columns as percentages and a dash
    where a share does not exist (the last stage has no next step), not "None"."""
    shown = [c for c in columns if c in table.columns]
    return table.style.format("{:.1%}", subset=shown, na_rep="—")


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


def metric_colors(
    values: pd.Series, *, higher_is_better: bool, n: int = 6, alpha: int = 200
) -> tuple[list[list[int]], list[float], list[list[int]]]:
    """Colour units by quantile bins of ``values`` among the units shown (so small
    differences between streets stay visible); red = worse. Returns the colours, the bin
    edges and the palette of the bins, for a legend. Missing values are grey."""
    v = values.to_numpy(dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return [[200, 200, 200, 90]] * len(v), [], []
    edges = np.unique(np.quantile(v[ok], np.linspace(0, 1, n + 1)))
    k = max(len(edges) - 1, 1)
    pick = np.linspace(0, len(RATE_PALETTE) - 1, k).round().astype(int)
    palette = [RATE_PALETTE[i] for i in pick]
    if not higher_is_better:
        palette = palette[::-1]
    idx = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, k - 1)
    colors = [palette[i] + [alpha] if good else [200, 200, 200, 90] for i, good in zip(idx, ok, strict=True)]
    return colors, edges.tolist(), palette


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
