"""Issue 9 in a real browser: a CSV (Chinese headers, the ``zh`` preset, which states no
date order) whose dates cannot tell month from day is refused with a Chinese explanation;
choosing the date order on the page imports it, and the report names the detected format
(``1/12/20 10:00``: month first, two-digit year)."""

from __future__ import annotations

import pandas as pd
import pytest

from queries.duckdb_store import DuckDBStore
from tests.browser.conftest import wait_for_app
from tests.browser.test_import_browser import _click_until
from tests.importer.conftest import area_frame, inside_points

pytestmark = pytest.mark.browser


def _ambiguous_zh(path):
    """Twelve cases whose dates all have month and day <= 12 (1/12/20 … 12/1/20)."""
    lng, lat = inside_points(12, 9)
    pd.DataFrame(
        {
            "事件编号": [f"A{k}" for k in range(12)],
            "上报时间": [f"{k + 1}/{12 - k}/20 10:00" for k in range(12)],
            "事件类型": "占道经营",
            "经度": [f"{v:.6f}" for v in lng],
            "纬度": [f"{v:.6f}" for v in lat],
        }
    ).to_csv(path, index=False)
    return path


def test_ambiguous_dates_are_explained_then_settled_on_the_page(streamlit_server, page, tmp_path):
    db = tmp_path / "district.duckdb"
    store = DuckDBStore(db)
    store.set_meta("generated_at", "never: imported data only")
    from data.ingest import import_areas

    area_frame().to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    import_areas(store, tmp_path / "areas.geojson")
    store.close()
    url = streamlit_server(db)
    page.goto(f"{url}/import")
    wait_for_app(page)
    page.get_by_text("选择文件（CSV").wait_for(timeout=60_000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        str(_ambiguous_zh(tmp_path / "cases.csv"))
    )
    page.get_by_text("列对应关系").wait_for(timeout=90_000)
    wait_for_app(page)
    _click_until(page, "检查", "既可读作月在前也可读作日在前")
    body = page.inner_text("body")
    assert "上报时间" in body and "未写入任何数据" in body and "Traceback" not in body

    page.get_by_text("日期顺序（如 03/04/2024）").wait_for(timeout=30_000)
    page.locator("[data-testid='stSelectbox']").filter(has_text="日期顺序").click()
    page.get_by_role("option", name="月/日/年（美国）").click()
    wait_for_app(page)
    _click_until(page, "检查", "检查结果")
    _click_until(page, "确认导入", "导入完成")
    body = page.inner_text("body")
    assert "对账一致：读取 12 = 入库 12 + 拒收 0" in body
    assert "%m/%d/%y %H:%M" in body and "月在前" in body and "两位年份" in body
    # the server holds the DuckDB file; the stored values are checked in tests/importer/test_time_formats.py
