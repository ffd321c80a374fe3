"""The import page opens in both languages and is in the navigation (AppTest; uploads are
exercised in the browser test tests/browser/test_import_browser.py)."""

from __future__ import annotations

import pytest

from tests.dashboard.apptest import run_app


@pytest.mark.parametrize(
    "lang,title,kinds",
    [
        ("zh", "导入数据", ["事件/工单", "区域边界", "监测读数", "类别与时限"]),
        ("en", "Import data", ["Events / cases", "Area boundaries", "Sensor readings", "Categories and SLAs"]),
    ],
)
def test_import_page_opens(monkeypatch, small_db_file, lang, title, kinds):
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/data_import.py")
    assert not at.exception
    assert at.title[0].value == title
    control = at.get("button_group")[0]
    assert [o.content for o in control.proto.options] == kinds
