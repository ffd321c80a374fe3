"""plotly chart builders (no business logic: frames in, figures out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


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
