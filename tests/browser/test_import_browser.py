"""The import page in a real browser: polygons, then a 311-style CSV, then the overview and
hotspot pages open on the imported data. Files are generated here (no fixtures on disk)."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from queries.duckdb_store import DuckDBStore
from tests.browser.conftest import wait_for_app
from tests.importer.conftest import area_frame, inside_points

pytestmark = pytest.mark.browser


def _nyc_csv(path, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    lng, lat = inside_points(n, seed=11)
    created = pd.Timestamp("2026-05-01") + pd.to_timedelta(rng.integers(0, 60 * 24 * 45, n), unit="min")
    closed = created + pd.to_timedelta(rng.integers(10, 60 * 72, n), unit="min")
    frame = pd.DataFrame(
        {
            "Unique Key": np.arange(90_000_000, 90_000_000 + n).astype(str),
            "Created Date": created.strftime("%m/%d/%Y %I:%M:%S %p"),
            "Closed Date": np.where(rng.random(n) < 0.8, closed.strftime("%m/%d/%Y %I:%M:%S %p"), ""),
            "Agency": rng.choice(["NYPD", "DSNY", "DOT"], n),
            "Agency Name": "City agency",
            "Complaint Type": rng.choice(["Noise - Residential", "Illegal Parking", "Street Condition"], n),
            "Descriptor": "test",
            "Status": "Closed",
            "Borough": "BROOKLYN",
            "Latitude": np.round(lat, 7),
            "Longitude": np.round(lng, 7),
        }
    )
    frame.loc[5, "Latitude"] = None  # one row without coordinates
    frame.to_csv(path, index=False)
    return frame


def _import_through_the_page(page, kind_label: str, upload_label: str, file) -> str:
    page.get_by_text(kind_label, exact=True).click()
    page.get_by_text(upload_label).wait_for(timeout=60_000)
    wait_for_app(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(file))
    page.get_by_text("列对应关系").wait_for(timeout=90_000)
    wait_for_app(page)
    _click_until(page, "检查", "检查结果")
    _click_until(page, "确认导入", "导入完成")
    return page.inner_text("body")


def _click_until(page, button: str, text: str, tries: int = 3) -> None:
    """Click ``button`` until ``text`` shows. A click is repeated only once the app is idle
    again without the text (a click that lands during a rerun can be lost); never while
    the import it started is still running."""
    for _ in range(tries):
        wait_for_app(page, timeout=120_000)
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_timeout(1_500)
        wait_for_app(page, timeout=180_000)
        if text in page.inner_text("body"):
            return
    page.screenshot(path="/tmp/gridscope-import-failure.png", full_page=True)
    raise AssertionError(f"'{text}' never appeared after clicking '{button}':\n{page.inner_text('body')[-2000:]}")


def test_import_polygons_and_311_then_the_overview_opens_on_them(streamlit_server, page, tmp_path):
    db = tmp_path / "district.duckdb"
    store = DuckDBStore(db)
    store.set_meta("generated_at", "never: imported data only")  # no demo city on first start
    store.close()
    area_frame().to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    frame = _nyc_csv(tmp_path / "311.csv")
    url = streamlit_server(db)
    page.goto(f"{url}/import")
    wait_for_app(page)

    text = _import_through_the_page(page, "区域边界", "选择面要素文件", tmp_path / "areas.geojson")
    n_areas = len(area_frame())
    assert f"对账一致：读取 {n_areas} = 入库 {n_areas} + 拒收 0" in text

    text = _import_through_the_page(page, "事件/工单", "选择文件（CSV", tmp_path / "311.csv")
    n = len(frame)
    assert f"对账一致：读取 {n} = 入库 {n - 1} + 拒收 1" in text, text[text.find("导入完成") :][:600]
    assert "缺少坐标" in text
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
    # the same file again: every stored row is found as it is and not checked again
    text = _import_through_the_page(page, "事件/工单", "选择文件（CSV", tmp_path / "311.csv")
    assert f"新增 0，更新 0，未变 {n - 1}" in text, text[text.find("导入完成") :][:600]
    assert f"其中 {n - 1} 行与库中已存的完全相同" in text
    page.screenshot(path=str(tmp_path / "reimport.png"), full_page=True)

    # the overview's default window: the last 30 days with data
    created = pd.to_datetime(frame["Created Date"], format="%m/%d/%Y %I:%M:%S %p").drop(index=5)
    last = created.max().normalize()
    expected = int((created >= last - timedelta(days=29)).sum())
    page.goto(url)  # the overview is the default page, served at /
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert values[0] == f"{expected:,}"
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)
    assert "Traceback" not in page.inner_text("body")

    page.goto(f"{url}/hotspots")
    wait_for_app(page)
    page.wait_for_timeout(2_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    assert re.search(r"热点", body)
