"""Assumed SLAs in a real browser (issue 9): events imported with categories the store did
not know make the overview name them; a category table imported on the import page sets
their hours, and the warning is gone."""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import import_areas, import_events
from queries.duckdb_store import DuckDBStore
from tests.browser.conftest import wait_for_app
from tests.browser.test_import_browser import _import_through_the_page, _nyc_csv
from tests.importer.conftest import write_areas

pytestmark = pytest.mark.browser

WARNING = "3 个类别使用默认时限（2 小时响应/24 小时结案）"


def test_category_table_replaces_the_assumed_slas(streamlit_server, page, tmp_path):
    db = tmp_path / "district.duckdb"
    store = DuckDBStore(db)
    store.set_meta("generated_at", "never: imported data only")
    import_areas(store, write_areas(tmp_path / "areas.geojson"))
    _nyc_csv(tmp_path / "311.csv")
    report = import_events(store, tmp_path / "311.csv")
    assert set(report.assumed_sla) == {"Noise - Residential", "Illegal Parking", "Street Condition"}
    store.close()
    pd.DataFrame(
        {
            "类别编码": ["N1", "P1", "S1", "X"],
            "类别名称": ["居民噪声", "违法停车", "道路状况", "坏行"],
            "英文名称": ["Noise - Residential", "Illegal Parking", "Street Condition", "Broken"],
            "责任部门": ["NYPD", "NYPD", "DOT", "DOT"],
            "响应时限（小时）": ["1", "2", "4", "10"],
            "结案时限（小时）": ["8", "12", "72", "5"],
        }
    ).to_csv(tmp_path / "类别.csv", index=False, encoding="utf-8-sig")
    url = streamlit_server(db)

    page.goto(url)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    assert WARNING in page.inner_text("body")

    page.goto(f"{url}/import")
    wait_for_app(page)
    text = _import_through_the_page(page, "类别与时限", "上传类别表", tmp_path / "类别.csv")
    assert "对账一致：读取 4 = 入库 3 + 拒收 1" in text, text[text.find("导入完成") :][:600]
    assert "结案时限短于响应时限" in text
    assert "各事件的响应和结案期限已按新的时限重新计算" in text

    page.goto(url)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "默认时限" not in body and "Traceback" not in body
