"""Figures and layers for the sensors page (frames in, figures and layers out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk


def series_figure(
    frame: pd.DataFrame, *, value: str, threshold: float | None, labels: dict[str, str], extra: str | None = None
) -> go.Figure:
    """Hourly values with the alarm threshold drawn across; readings above it marked.

    ``frame`` has ``ts`` and the ``value`` column (and optionally ``extra``, e.g. the
    cell's maximum beside its mean).
    """
    fig = go.Figure()
    if extra and extra in frame:
        fig.add_scatter(
            x=frame["ts"], y=frame[extra], mode="lines", name=labels["extra"], line={"color": "#fdae6b", "width": 1}
        )
    fig.add_scatter(
        x=frame["ts"], y=frame[value], mode="lines", name=labels["value"], line={"color": "#2c7fb8", "width": 1.5}
    )
    if threshold is not None and pd.notna(threshold):
        over = frame[frame[value] > threshold]
        if len(over):
            fig.add_scatter(
                x=over["ts"], y=over[value], mode="markers", name=labels["over"], marker={"color": "#c0392b", "size": 5}
            )
        fig.add_hline(
            y=float(threshold),
            line={"color": "#c0392b", "dash": "dash"},
            annotation_text=f"{labels['threshold']} {threshold:g}",
            annotation_position="top left",
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.12},
        yaxis_title=labels["y"],
    )
    return fig


def sensor_point_layer(sensors: pd.DataFrame, layer_id: str = "sensor-points") -> pdk.Layer:
    """Sensors as small dots: dark when within the threshold all window, red when exceeded."""
    data = sensors.assign(color=[[192, 57, 43, 230] if n > 0 else [40, 40, 40, 200] for n in sensors["exceedances"]])
    return pdk.Layer(
        "ScatterplotLayer",
        data=data[["lon", "lat", "color", "sensor_id", *[c for c in data.columns if c.startswith("tip")]]],
        id=layer_id,
        get_position=["lon", "lat"],
        get_fill_color="color",
        get_radius=35,
        radius_min_pixels=3,
        radius_max_pixels=8,
        pickable=True,
        stroked=True,
        get_line_color=[255, 255, 255, 200],
        line_width_min_pixels=1,
    )
