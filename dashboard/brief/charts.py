"""The brief's pictures, drawn server-side with matplotlib (no browser, no network): grouped
bar charts of this week against the week before, the district map of the week's counts with
the grid outlines as basemap, and one small map per hot spot. Each returns PNG bytes."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import h3
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

__all__ = ["bar_chart", "district_map", "hotspot_maps", "png_data_uri"]

FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
"""Chinese glyphs from Debian's fonts-noto-cjk; DejaVu for anything else."""
DPI = 160
THIS_WEEK, LAST_WEEK, HOT, OUTLINE = "#1f5fa8", "#b8c7dc", "#d62728", "#9aa5b1"
COUNTS = LinearSegmentedColormap.from_list("brief_counts", ["#f4f7fb", "#9ecae1", "#2171b5", "#08306b"])

_STYLE = {
    "font.family": FONTS,
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": False,
    "text.parse_math": False,  # a "$" in a category name is text, not TeX
    "svg.fonttype": "none",
}


def png_data_uri(png: bytes) -> str:
    """A ``data:`` URI of PNG bytes, so the HTML file stands alone."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.04, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def bar_chart(
    labels: Sequence[str],
    this_week: Sequence[float],
    last_week: Sequence[float] | None,
    legend: tuple[str, str],
    width_in: float = 3.4,
) -> bytes:
    """Horizontal bars per label (first on top): this week, and last week beside it."""
    n = len(labels)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(width_in, 0.28 * n + 0.55))
        y = np.arange(n)[::-1]
        h = 0.38 if last_week is not None else 0.6
        bars = ax.barh(
            y + (h / 2 if last_week is not None else 0), this_week, height=h, color=THIS_WEEK, label=legend[0]
        )
        if last_week is not None:
            ax.barh(y - h / 2, last_week, height=h, color=LAST_WEEK, label=legend[1])
        ax.bar_label(bars, fmt="%d", padding=2, fontsize=7)
        ax.set_yticks(y, [str(s) for s in labels])
        ax.tick_params(axis="both", length=0)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        top = max([*this_week, *(last_week or []), 1])
        ax.set_xlim(0, top * 1.18)
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        return _png(fig)


def _rings(geom) -> list[np.ndarray]:
    """Exterior rings of a polygon or multipolygon as (k, 2) lon/lat arrays."""
    parts = getattr(geom, "geoms", [geom])
    return [np.asarray(p.exterior.coords) for p in parts if not p.is_empty]


def _polys(wkb: Sequence[bytes]) -> list:
    return list(shapely.from_wkb(np.array(list(wkb), dtype=object))) if len(wkb) else []


def _hexagon(cell: str) -> np.ndarray:
    """The cell's outline as (lon, lat) pairs."""
    return np.array([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _frame(ax: plt.Axes, lat: float) -> None:
    ax.set_aspect(1.0 / math.cos(math.radians(lat)))
    ax.set_axis_off()


def district_map(
    shapes: pd.DataFrame,
    counts: pd.DataFrame,
    outlines: pd.DataFrame,
    hotspots: pd.DataFrame,
    *,
    h3_counts: bool = False,
    width_in: float = 6.6,
) -> bytes:
    """The week's events per area (``shapes`` ``area_id``/``wkb``, ``counts`` ``unit_id``/
    ``events``; or H3 cells when ``h3_counts``), street ``outlines`` on top, and the hot
    spots (``hotspots`` ``unit_id``) numbered 1.. in their order."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(width_in, width_in * 0.62))
        by_id = counts.set_index("unit_id")["events"]
        if h3_counts:
            rings = [_hexagon(c) for c in counts["unit_id"]]
            values = counts["events"].to_numpy(dtype=float)
        else:
            rings, values = [], []
            for area_id, geom in zip(shapes["area_id"], _polys(shapes["wkb"]), strict=True):
                for ring in _rings(geom):
                    rings.append(ring)
                    values.append(float(by_id.get(area_id, 0)))
            values = np.asarray(values)
        coll = PolyCollection(rings, array=values, cmap=COUNTS, edgecolors="#ffffff", linewidths=0.15)
        coll.set_clim(0, max(float(values.max()) if len(values) else 1.0, 1.0))
        ax.add_collection(coll)
        street = [r for g in _polys(outlines["wkb"]) for r in _rings(g)] if len(outlines) else []
        if street:
            ax.add_collection(PolyCollection(street, facecolors="none", edgecolors="#37474f", linewidths=0.9))
        extent = np.vstack(street or rings) if (street or rings) else np.array([[0.0, 0.0], [1.0, 1.0]])
        for i, cell in enumerate(hotspots["unit_id"], start=1):
            lat, lng = h3.cell_to_latlng(cell)
            ax.add_collection(PolyCollection([_hexagon(cell)], facecolors=HOT, edgecolors=HOT, linewidths=0.6))
            ax.annotate(
                str(i), (lng, lat), xytext=(3, 3), textcoords="offset points", fontsize=7, color=HOT, fontweight="bold"
            )
        ax.set_xlim(extent[:, 0].min(), extent[:, 0].max())
        ax.set_ylim(extent[:, 1].min(), extent[:, 1].max())
        _frame(ax, float(extent[:, 1].mean()))
        bar = fig.colorbar(coll, ax=ax, shrink=0.6, pad=0.01, aspect=25)
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelsize=7, length=0)
        return _png(fig)


def hotspot_maps(
    hotspots: pd.DataFrame, grids: pd.DataFrame, titles: Sequence[str], *, span_m: float = 900.0, size_in: float = 2.0
) -> list[bytes]:
    """One small map per hot spot (``unit_id``, ``lat``, ``lng``): the cell in red among the
    outlines of the grids around it (``grids`` ``wkb``), ``span_m`` metres across."""
    polys = _polys(grids["wkb"]) if len(grids) else []
    tree = shapely.STRtree(polys) if polys else None
    out = []
    for (_, row), title in zip(hotspots.iterrows(), titles, strict=True):
        dlat = span_m / 2 / 111_320.0
        dlng = dlat / math.cos(math.radians(row["lat"]))
        box = shapely.box(row["lng"] - dlng, row["lat"] - dlat, row["lng"] + dlng, row["lat"] + dlat)
        near = [polys[i] for i in tree.query(box)] if tree is not None else []
        with plt.rc_context(_STYLE):
            fig, ax = plt.subplots(figsize=(size_in, size_in))
            rings = [r for g in near for r in _rings(g)]
            if rings:
                ax.add_collection(PolyCollection(rings, facecolors="#f2f4f7", edgecolors=OUTLINE, linewidths=0.5))
            ax.add_collection(
                PolyCollection(
                    [_hexagon(row["unit_id"])], facecolors=HOT, edgecolors="#8b0000", linewidths=0.8, alpha=0.85
                )
            )
            ax.set_xlim(row["lng"] - dlng, row["lng"] + dlng)
            ax.set_ylim(row["lat"] - dlat, row["lat"] + dlat)
            _frame(ax, float(row["lat"]))
            ax.set_title(title, fontsize=7, loc="left")
            out.append(_png(fig))
    return out
