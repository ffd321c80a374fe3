"""The sensors page shows the same figures from the readings rollups as from the raw readings
(AppTest on the small city): one DuckDB file with the raw readings, one with only the loaded
rollups (exported, rolled up by DuckDB, loaded, raw readings deleted). The units table (H3 and
grid views, several kinds and resolutions) and the hourly series are equal: sensors, readings,
exceedances and maxima exactly, means to 1e-9, the 95th percentile within the sketch's 1 %."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.lake import export_lake, rollup
from data.lake.load import load_rollups
from geo.quantile_sketch import ALPHA
from queries import DuckDBStore
from tests.dashboard.apptest import run_app
from tests.dashboard.test_sensors_page import PAGE, _table, _values

VIEWS = [  # (kind, unit, H3 resolution)
    ("pm25", "h3", 8),
    ("noise", "grid", 8),
    ("water_level", "h3", 12),
]


@pytest.fixture(scope="module")
def rollup_db_template(small_db_template, tmp_path_factory) -> Path:
    """A DuckDB file with the small city's readings rollups loaded and no raw readings."""
    root = tmp_path_factory.mktemp("sensors_rollup")
    path = root / "rollup.duckdb"
    shutil.copy(small_db_template, path)
    store = DuckDBStore(path)
    try:
        export_lake(store, "readings", root / "lake")
        rollup("readings", root / "lake", root / "out")
        loaded = load_rollups(store, root / "out", ("reading_hours", "reading_sketches"))
        assert loaded["reading_hours"] > 0 and loaded["reading_sketches"] > 0
        store.sql("DELETE FROM readings")
        assert store.table_counts()["readings"] == 0
    finally:
        store.close()
    return path


def _copy(template: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    shutil.copy(template, path)
    return path


def _views(monkeypatch, db: Path, lang: str) -> list[tuple[pd.DataFrame, list[float]]]:
    """The units table and the series line of each of :data:`VIEWS`."""
    at: AppTest = run_app(monkeypatch, db, lang, page=PAGE)
    assert not at.exception, at.exception
    shown = []
    for kind, unit, res in VIEWS:
        at.radio(key="sensors_kind").set_value(kind).run()
        at.radio(key="sensors_unit").set_value(unit).run()
        if unit == "h3":
            at.select_slider(key="sensors_res").set_value(res).run()
        assert not at.exception, at.exception
        table = _table(at, "sensors").sort_values("unit").reset_index(drop=True)
        chart = json.loads(at.get("plotly_chart")[0].proto.spec)
        line = next(tr for tr in chart["data"] if tr["mode"] == "lines")
        shown.append((table, _values(line["y"])))
    return shown


def test_sensors_page_same_figures_from_rollups(monkeypatch, small_db_template, rollup_db_template, tmp_path):
    raw = _views(monkeypatch, _copy(small_db_template, tmp_path, "raw.duckdb"), "zh")
    rolled = _views(monkeypatch, _copy(rollup_db_template, tmp_path, "rolled.duckdb"), "zh")
    for (kind, unit, res), (a, series_a), (b, series_b) in zip(VIEWS, raw, rolled, strict=True):
        where = f"{kind} {unit} {res}"
        assert len(a) > 0, where
        assert a["unit"].tolist() == b["unit"].tolist(), where
        for column in ("sensors", "exceedances"):
            assert a[column].tolist() == b[column].tolist(), (where, column)
        np.testing.assert_array_equal(b["max_value"].to_numpy(float), a["max_value"].to_numpy(float), err_msg=where)
        np.testing.assert_allclose(b["mean_value"].to_numpy(float), a["mean_value"].to_numpy(float), rtol=1e-9)
        p95_a, p95_b = a["p95_value"].to_numpy(float), b["p95_value"].to_numpy(float)
        assert np.all(np.abs(p95_b - p95_a) <= ALPHA * np.abs(p95_a) + 1e-9), where
        assert series_a == pytest.approx(series_b, rel=1e-9), where  # hourly readings: the hour's mean


@pytest.mark.parametrize(
    "lang,notice,alarm_label",
    [("zh", "告警需要原始读数", "噪声 告警"), ("en", "Alarms need the raw readings", "Noise alarms")],
)
def test_alarms_on_a_rollups_only_store_say_they_need_raw_readings(
    monkeypatch, small_db_template, rollup_db_template, tmp_path, lang, notice, alarm_label
):
    rolled = run_app(monkeypatch, _copy(rollup_db_template, tmp_path, "rolled.duckdb"), lang, page=PAGE)
    assert not rolled.exception, rolled.exception
    warnings = [w.value for w in rolled.warning]
    assert len([w for w in warnings if w.startswith(notice)]) == 1, warnings
    assert alarm_label not in {m.label for m in rolled.metric}  # no silent 0 alarms
    raw = run_app(monkeypatch, _copy(small_db_template, tmp_path, "raw.duckdb"), lang, page=PAGE)
    assert not raw.exception, raw.exception
    assert not [w.value for w in raw.warning if w.value.startswith(notice)]
    assert int({m.label: m.value for m in raw.metric}[alarm_label].replace(",", "")) > 0
