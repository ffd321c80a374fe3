"""Hostile names in a real browser (issue 9): an area named ``![t](http://127.0.0.1:9/track.png)``
shows as that text, and no page makes the viewer's browser fetch anything from the
address an import named (port 9 on this machine: nothing listens, a request would only be
seen, never answered).

The store is the small city with names from :func:`tests.dashboard.test_hostile_content.make_hostile`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import shapely
from shapely.ops import polylabel

from dashboard.layers import from_wkb, view_for
from dashboard.safe_text import WORD_JOINER
from queries import DuckDBStore
from tests.browser.conftest import launch_streamlit, stop_streamlit, wait_for_app
from tests.browser.test_chain_browser import MAP, _crumbs, _pixel
from tests.dashboard.test_hostile_content import (
    CATEGORY,
    COMMUNITY,
    DEPARTMENT,
    GRID,
    STREET,
    make_hostile,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_app(small_db_template, tmp_path_factory) -> Iterator[dict]:
    """One server for the module on a copy of the small city with the hostile names (neither
    test changes the store; each has its own browser context, so its own session): its
    ``url``, the renamed ``ids``, and the grids' ``shapes`` and ``parents`` read before the
    server holds the file."""
    folder = tmp_path_factory.mktemp("hostile-app")
    db = folder / "gridscope.duckdb"
    shutil.copy(small_db_template, db)
    ids = make_hostile(db)
    store = DuckDBStore(db)
    try:
        shapes = store.fetch("area_shapes", level="grid")
        parents = store.fetch("list_areas", level="grid").set_index("area_id")["parent_id"]
    finally:
        store.close()
    url, proc = launch_streamlit(db, folder)
    yield {"url": url, "ids": ids, "shapes": shapes, "parents": parents}
    stop_streamlit(proc)


def _to_port_9(url: str) -> bool:
    parts = urlsplit(url)
    return parts.hostname in ("127.0.0.1", "localhost") and parts.port == 9


def _watch(page) -> list[str]:
    """Every URL the page requests from port 9 (images, links prefetched, fonts, anything)."""
    hits: list[str] = []

    def seen(request) -> None:
        if _to_port_9(request.url):
            hits.append(f"{request.url} from {request.frame.url} ({request.resource_type})")

    page.on("request", seen)
    return hits


def _no_live_elements(page) -> None:
    found = page.evaluate("""() => [...document.querySelectorAll('img, a, image, link, source, iframe')]
        .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href') || '')
        .filter(u => u.includes('127.0.0.1:9/'))""")
    assert found == []


def _chart_text(page) -> str:
    return page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(e => e.textContent).join(' ')")


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_timeout(1_500)
    wait_for_app(page)


def test_chain_breadcrumb_and_tooltip_show_names_as_text(hostile_app, page):
    ids, grids, parents = hostile_app["ids"], hostile_app["shapes"], hostile_app["parents"]
    hits = _watch(page)
    base = hostile_app["url"]
    _open(page, f"{base}/chain?level=community&area={ids['community']}")
    page.wait_for_selector(f"{MAP} canvas", timeout=90_000)

    # exactly the names (an invisible word joiner after "http" keeps them from being linked)
    crumbs = [c.replace(WORD_JOINER, "") for c in _crumbs(page)]
    assert crumbs[1:] == [f"› 街道：{STREET}", f"› 社区：{COMMUNITY}"]

    # hover the hostile grid: the tooltip (HTML) shows its name as text, no <img>
    grids = grids[grids["area_id"].map(parents) == ids["community"]]
    box = page.locator(f"{MAP} canvas").first.bounding_box()
    # issue 16: the view is fitted to the map's width (as the page's probe reports it, to 10 px) and height
    view = view_for(grids, width=round(box["width"] / 10) * 10, height=box["height"])
    geom = max(shapely.get_parts(from_wkb(grids.loc[grids["area_id"] == ids["grid"], "wkb"])[0]), key=shapely.area)
    point = polylabel(geom, tolerance=1e-6)
    x, y = _pixel(point.x, point.y, view, box["width"], box["height"])
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=30_000)
    assert GRID in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0

    _no_live_elements(page)
    assert hits == []


def test_hotspots_trends_and_import_pages_fetch_nothing(hostile_app, page):
    ids = hostile_app["ids"]
    hits = _watch(page)
    base = hostile_app["url"]

    _open(page, f"{base}/hotspots?unit=street&sel={ids['street']}")
    page.wait_for_function(  # the selected unit's heading, in Markdown
        """name => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
            .some(e => e.textContent.replaceAll('\u2060', '') === name)""",
        arg=STREET,
        timeout=90_000,
    )
    _no_live_elements(page)

    _open(page, f"{base}/trends")
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    page.wait_for_timeout(1_500)
    assert CATEGORY in _chart_text(page)  # the breakdown's legend
    _no_live_elements(page)
    page.locator(".st-key-trends_dim").get_by_text("处置部门", exact=True).click()  # break down by department
    page.wait_for_timeout(1_500)
    wait_for_app(page)
    assert DEPARTMENT in _chart_text(page)  # plotly draws '<a href=…>' as text, not a link
    _no_live_elements(page)

    _open(page, f"{base}/overview")
    _no_live_elements(page)
    assert hits == []
