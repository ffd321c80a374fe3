"""The overview page in a real browser: KPIs show numbers and the map canvas is drawn."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_overview_shows_numbers_and_draws_the_map(demo_app, page, tmp_path):
    url = demo_app
    page.goto(url)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert len(values) == 5
    assert all(re.search(r"\d", v) for v in values), values
    assert "领导总览" in page.content()
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)
    page.wait_for_timeout(2_000)
    # WebGL pixels cannot be read back after compositing; a screenshot of the map is.
    box = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    shot = page.locator("[data-testid='stDeckGlJsonChart']").first.screenshot(path=str(tmp_path / "map.png"))
    assert _map_is_not_blank(shot)

    page.get_by_text("English").click()
    page.wait_for_function("() => document.body.innerText.includes('Leader overview')", timeout=30_000)
    assert "Closure rate" in page.content()


def _map_is_not_blank(png: bytes) -> bool:
    """The map image has many distinct colours (hexagons), not one flat background."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(img.getdata())) > 20
