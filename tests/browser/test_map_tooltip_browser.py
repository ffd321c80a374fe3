"""Map tooltips in a real browser (issue 16): hover a cell of the overview map at 1440 and 390 px
in zh and en; the tooltip is formatted text (no literal tags), in the page's language, names
the place, and lies inside the map; the whole district is in view at both widths."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
MAP = "[data-testid='stDeckGlJsonChart']"
WORDS = {"zh": ("事件: ", "位置: ", "H3 单元"), "en": ("Events: ", "Where: ", "H3 cell")}


def _hover_a_cell(page: Page) -> dict:
    """Move the pointer over the map until a tooltip shows; return the map's box."""
    box = page.locator(f"{MAP} canvas").first.bounding_box()
    tooltip = page.locator(".deck-tooltip")
    for fx, fy in ((0.5, 0.5), (0.45, 0.45), (0.55, 0.55), (0.4, 0.55), (0.6, 0.45), (0.5, 0.4), (0.5, 0.6)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(400)
        if tooltip.count() and tooltip.first.is_visible():
            return box
    raise AssertionError("no tooltip over the map's middle")


@pytest.mark.parametrize(("lang", "width"), [("zh", 1440), ("en", 1440), ("zh", 390), ("en", 390)])
def test_tooltip_is_formatted_localised_and_inside_the_map(demo_app, browser, lang, width):
    url = demo_app
    context = browser.new_context(viewport={"width": width, "height": 1100}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{url}/?lang={lang}")
        page.wait_for_selector(f"{MAP} canvas", timeout=90_000)
        wait_for_app(page)
        page.wait_for_timeout(1_500)  # the map's width probe reports, the page reruns with the fitted view
        wait_for_app(page)
        page.locator(MAP).first.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        box = _hover_a_cell(page)
        tip = page.locator(".deck-tooltip").first
        text = tip.inner_text()
        events, where, cell = WORDS[lang]
        assert "<b>" not in text and "<br" not in text and "</" not in text, text
        assert events in text and where in text and cell in text, text
        assert "街道" in text if lang == "zh" else "Street" in text, text  # named by street and community
        assert tip.locator("b, br").count() == 0 or tip.locator("div").count() >= 2
        tb = tip.bounding_box()
        assert tb["x"] >= box["x"] and tb["y"] >= box["y"], (tb, box)
        assert tb["x"] + tb["width"] <= box["x"] + box["width"] + 0.5, (tb, box)
        assert tb["y"] + tb["height"] <= box["y"] + box["height"] + 0.5, (tb, box)
        # the page's language elsewhere on the map: the legend's title
        assert ("自然间断" if lang == "zh" else "natural breaks") in page.inner_text("[data-testid='stMain']")
        if (lang, width) == ("zh", 1440):
            page.locator(MAP).first.screenshot(path=str(DOCS / "map-tooltip-zh.png"))
        if (lang, width) == ("en", 390):
            page.mouse.move(box["x"] + 2, box["y"] + box["height"] - 2)  # no tooltip on the phone picture
            page.wait_for_timeout(300)
            page.locator(MAP).first.screenshot(path=str(DOCS / "map-phone-en.png"))
    finally:
        context.close()
