"""The weekly review page (周例会) in a real browser at 1440 px, in Chinese: the last complete
week's brief is shown, and the PDF is made on click and downloaded."""

from __future__ import annotations

from datetime import datetime

import pytest

from queries import DuckDBStore
from queries.answers.brief import weekly_brief
from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_weekly_page_shows_the_brief_and_downloads_the_pdf(demo_app, browser, small_db_file, tmp_path):
    store = DuckDBStore(small_db_file)  # a copy of the same city the server has open
    try:
        brief = weekly_brief(store, None, now=datetime.now())
    finally:
        store.close()
    url = demo_app
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{url}/weekly")
        page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
        wait_for_app(page)
        values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        assert values[0] == f"{brief.headline.current.events:,}", values
        assert len(values) == 6
        text = page.inner_text("[data-testid='stMain']")
        assert "周例会简报 · 全区" in text and brief.week.label in text
        assert "四、督办事项" in text
        assert page.url.endswith(f"week={brief.week.label}") or f"week={brief.week.label}" in page.url
        # the brief's own map is shown (a data: URI image, drawn server-side)
        assert page.locator(".weekly-brief img.map").count() == 1

        page.get_by_role("button", name="生成 PDF").click()
        button = page.get_by_role("button", name="下载 PDF")
        button.wait_for(timeout=90_000)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        assert download.suggested_filename == f"gridscope_brief_{brief.week.label}_district_zh.pdf"
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        data = target.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 20_000
    finally:
        context.close()
