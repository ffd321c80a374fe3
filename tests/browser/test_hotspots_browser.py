"""The hotspot page in a real browser: change method and resolution, select a cell, see its events."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def _radio(page, label: str):
    return page.locator("[data-testid='stRadio']").filter(has_text=label)


def test_change_method_and_resolution_then_drill_down(demo_app, page, tmp_path):
    url = demo_app
    page.goto(f"{url}/hotspots?start=2026-01-01&end=2026-06-30")
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=90_000)
    wait_for_app(page)
    assert "热点分析" in page.inner_text("[data-testid='stMain'] h1")
    assert "热点 99%" in page.inner_text("[data-testid='stMain']")

    _radio(page, "方法").get_by_text("局部莫兰 (LISA)").click()
    page.wait_for_function("() => document.body.innerText.includes('次条件置换检验')", timeout=60_000)
    wait_for_app(page)
    _radio(page, "H3 分辨率").get_by_text("8", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('res=8')", timeout=60_000)
    wait_for_app(page)
    assert "method=local_moran" in page.url

    box = page.get_by_role("combobox", name="选择单元（或在地图上点击）")
    box.scroll_into_view_if_needed()
    for _ in range(10):  # a rerun that lands just after the click (the map reporting its width) closes the list
        wait_for_app(page)
        box.click()
        try:
            page.get_by_role("option").nth(1).wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    page.get_by_role("option").nth(1).click()
    page.wait_for_function("() => document.body.innerText.includes('事件列表')", timeout=60_000)
    page.wait_for_function("() => window.location.search.includes('sel=')", timeout=60_000)
    wait_for_app(page)
    page.wait_for_timeout(1_000)  # let the map redraw with the selection outline
    assert "sel=" in page.url
    tables = page.locator("[data-testid='stDataFrame']")
    assert tables.count() == 2  # the ranking and the event list
    page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=30_000)
    picked = page.url.split("sel=")[1].split("&")[0]

    # Clicking the map selects the cell under the pointer (every cell of the extent is drawn).
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    for _ in range(4):  # a click that lands while a rerun redraws the map is lost: click again once idle
        wait_for_app(page)
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # deck's overlay div takes it
        try:
            page.wait_for_function(f"() => !window.location.search.includes('sel={picked}')", timeout=30_000)
            break
        except PlaywrightTimeout:
            pass
    else:
        raise AssertionError(f"clicking the map's middle never changed the selection from {picked}")
    wait_for_app(page)
    assert "sel=" in page.url
    assert page.locator("[data-testid='stDataFrame']").count() == 2
    page.screenshot(path=str(tmp_path / "hotspots.png"), full_page=True)
