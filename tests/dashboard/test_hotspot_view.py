"""Hotspot exports and helpers: GeoJSON geometry from h3 / the area shapes, CSV, weekly fill."""

from __future__ import annotations

import io
import json

import h3
import pandas as pd
import shapely

from dashboard.hotspot_view import (
    CLASS_COLORS,
    LABELS_BY_METHOD,
    legend_entries,
    result_csv,
    result_geojson,
)
from queries.answers.hotspots import weekly_series


def _table(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ids,
            "cell": [h3.str_to_int(c) if len(c) == 15 else 0 for c in ids],
            "events": [3, 0],
            "z": [2.5, -0.1],
            "p_value": [0.01, 0.9],
            "p_adjusted": [0.02, 0.9],
            "label": ["hot_95", "not_significant"],
            "significant": [True, False],
            "rank": [1, 2],
        }
    )


def test_geojson_of_h3_cells_uses_the_cell_boundaries() -> None:
    cells = [h3.latlng_to_cell(39.9, 116.4, 9), h3.latlng_to_cell(39.95, 116.45, 9)]
    out = json.loads(result_geojson(_table(cells), {}, unit="h3"))
    assert [f["properties"]["unit_id"] for f in out["features"]] == cells
    for f, c in zip(out["features"], cells, strict=True):
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 7
        expected = shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)])
        assert shapely.Polygon(ring).equals_exact(expected, tolerance=1e-6)
    assert out["features"][0]["properties"]["label"] == "hot_95"
    assert "cell" not in out["features"][0]["properties"]


def test_geojson_of_areas_and_csv() -> None:
    shapes = {"a1": shapely.box(116.3, 39.9, 116.31, 39.91).wkb, "a2": shapely.box(116.31, 39.9, 116.32, 39.91).wkb}
    table = _table(["a1", "a2"]).assign(name_zh=["一", "二"])
    out = json.loads(result_geojson(table, shapes, unit="grid"))
    assert shapely.geometry.shape(out["features"][1]["geometry"]).equals(shapely.from_wkb(shapes["a2"]))
    assert out["features"][0]["properties"]["name_zh"] == "一"
    csv = result_csv(table, {"hot_95": "热点 95%"})
    assert csv.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert back["label_text"].tolist() == ["热点 95%", "not_significant"]
    assert back["unit_id"].tolist() == ["a1", "a2"]


def test_weekly_series_fills_missing_weeks_with_zero() -> None:
    frame = pd.DataFrame({"week": [pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-15")], "events": [4, 2]})
    out = weekly_series(frame, pd.Timestamp("2026-06-03"), pd.Timestamp("2026-06-30"))
    assert out["week"].dt.strftime("%m-%d").tolist() == ["06-01", "06-08", "06-15", "06-22", "06-29"]
    assert out["events"].tolist() == [4, 0, 2, 0, 0]


def test_every_label_has_a_colour_and_legend_keeps_method_order() -> None:
    for labels in LABELS_BY_METHOD.values():
        assert set(labels) <= set(CLASS_COLORS)
    legend = legend_entries("gi_star", pd.Series(["cold_95", "hot_99", "hot_99", "not_significant"]))
    assert [(lb, n) for lb, _, n in legend] == [("hot_99", 2), ("not_significant", 1), ("cold_95", 1)]


def test_units_without_neighbours_are_shown_as_such() -> None:
    """An island's label is in every method's legend (last), its p and statistic read '—'."""
    from dashboard.hotspot_view import fmt_p, fmt_stat
    from dashboard.i18n import all_strings

    for method in LABELS_BY_METHOD:
        assert LABELS_BY_METHOD[method][-1] == "no_neighbours"
    legend = legend_entries("local_moran", pd.Series(["no_neighbours", "HH", "ns", "no_neighbours"]))
    assert [(lb, n) for lb, _, n in legend] == [("HH", 1), ("ns", 1), ("no_neighbours", 2)]
    assert fmt_p(pd.Series([float("nan"), 0.0004, 0.2])) == ["—", "<0.001", "0.200"]
    assert fmt_stat(pd.Series([float("nan"), 1.234])) == ["—", "1.23"]
    assert all_strings()["hotspots_label_no_neighbours"] == {"zh": "无相邻单元", "en": "No neighbours"}
