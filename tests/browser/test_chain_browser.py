"""The chain page in a real browser: click down the map from the district to a grid, and back.

Each click lands inside an area computed from the same geometry and view the page uses
(deck.gl's Web Mercator with 512-pixel tiles), so the test drills the way a user does.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
import shapely
from shapely.ops import polylabel

from dashboard.layers import from_wkb, view_for
from queries import DuckDBStore
from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser

MAP = "[data-testid='stDeckGlJsonChart']"


def _shapes(db) -> pd.DataFrame:
    store = DuckDBStore(db)
    try:
        return pd.concat(
            [store.fetch("area_shapes", level=lv).assign(level=lv) for lv in ("street", "community", "grid")],
            ignore_index=True,
        )
    finally:
        store.close()


def _pixel(lon: float, lat: float, view, width: float, height: float) -> tuple[float, float]:
    """Screen position of ``lon, lat`` in a deck.gl map of ``width`` x ``height`` pixels."""
    scale = 512 * 2**view.zoom / (2 * math.pi)

    def merc(phi: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    x = width / 2 + scale * (math.radians(lon) - math.radians(view.longitude))
    y = height / 2 - scale * (merc(lat) - merc(view.latitude))
    return x, y


def _click_area(page, children: pd.DataFrame, area_id: str) -> None:
    """Click the interior of ``area_id`` on the map that shows ``children``."""
    canvas = page.locator(f"{MAP} canvas").first
    box = canvas.bounding_box()
    # issue 16: the view is fitted to the map's width (as the page's probe reports it, to 10 px) and height
    view = view_for(children, width=round(box["width"] / 10) * 10, height=box["height"])
    geom = from_wkb(children.loc[children["area_id"] == area_id, "wkb"])[0]
    part = max(shapely.get_parts(geom), key=shapely.area)
    # the pole of inaccessibility: the interior point farthest from the edges
    point = polylabel(part, tolerance=1e-6)
    x, y = _pixel(point.x, point.y, view, box["width"], box["height"])
    page.mouse.click(box["x"] + x, box["y"] + y)


def _crumbs(page) -> list[str]:
    """Texts of the breadcrumb buttons, top level first."""
    out = []
    while (button := page.locator(f".st-key-chain_crumb_{len(out)} button")).count():
        out.append(button.first.inner_text())
    return out


def _wait_for_level(page, level: str | None, area: str | None) -> None:
    if level is None:
        page.wait_for_function("() => !location.search.includes('level=')", timeout=60_000)
    else:
        page.wait_for_function(
            f"() => location.search.includes('level={level}') && location.search.includes('area={area}')",
            timeout=60_000,
        )
    wait_for_app(page)
    page.wait_for_selector(f"{MAP} canvas", timeout=60_000)
    page.wait_for_timeout(1_500)


def test_drill_from_district_to_grid_and_back(demo_app, page, small_db_file):
    shapes = _shapes(small_db_file)  # a copy of the same city the server has open
    url = demo_app
    page.goto(f"{url}/chain")
    page.wait_for_selector(f"{MAP} canvas", timeout=90_000)
    wait_for_app(page)
    page.wait_for_timeout(2_000)
    assert "治理链条" in page.content()

    streets = shapes[shapes["level"] == "street"]
    street = streets["area_id"].iloc[3]
    _click_area(page, streets, street)
    _wait_for_level(page, "street", street)
    communities = shapes[(shapes["level"] == "community") & (shapes["parent_id"] == street)]
    community = communities["area_id"].iloc[0]
    _click_area(page, communities, community)
    _wait_for_level(page, "community", community)
    grids = shapes[(shapes["level"] == "grid") & (shapes["parent_id"] == community)]
    grid = grids["area_id"].iloc[len(grids) // 2]
    _click_area(page, grids, grid)
    _wait_for_level(page, "grid", grid)

    # the breadcrumb names the whole path, the last step (the grid) is where we are
    crumbs = _crumbs(page)
    assert len(crumbs) == 4 and re.search("网格", crumbs[-1])
    names = shapes.set_index("area_id")["name_zh"]
    assert names[street] in crumbs[1] and names[community] in crumbs[2] and names[grid] in crumbs[3]

    # back up one level (the community), then to the district
    page.locator(".st-key-chain_crumb_2 button").first.click()
    _wait_for_level(page, "community", community)
    page.locator(".st-key-chain_crumb_0 button").first.click()
    _wait_for_level(page, None, None)
    assert _crumbs(page) == ["全区"]
