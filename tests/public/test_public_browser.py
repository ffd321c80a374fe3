"""The public app and the static site in headless Chromium: WCAG 2.x A/AA by axe-core at
390x844 and 1440x1000, zh and en, elder mode off and on, months and weeks; nothing requested
outside 127.0.0.1 (the site: outside its folder); no sideways scrolling on a phone; text and
tap targets (the map's zoom buttons too) as large as promised; the map tall on a desktop and
within a phone's screen; the site shows the app's figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from dashboard.public.site import write_site
from tests.browser.conftest import NO_WATCHER, _free_port
from tests.public import pubfixture as fx

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache/npm/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWS = [(390, 844), (1440, 1000)]

AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""

SIZES = """(root) => {
  const scope = document.querySelector(root) || document.body;
  let smallest = 1000, where = '';
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const skip = 'svg, canvas, [aria-hidden="true"], .deck-tooltip, #deckgl-wrapper';
    if (!node.textContent.trim() || el.closest(skip)) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; where = el.tagName + ' ' + node.textContent.trim().slice(0, 30); }
  }
  let target = 1000, small = '';
  const targets = 'button, a[href], input:not([type=radio]), [data-testid=stRadioOption], summary';
  scope.querySelectorAll(targets).forEach(el => {
    if (el.closest('#deckgl-wrapper, .mapboxgl-ctrl-attrib, .maplibregl-ctrl-attrib, .pub-skip') || el.tabIndex < 0)
      return;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) return;
    const side = Math.min(box.width, box.height);
    if (side < target) { target = side; small = el.outerHTML.slice(0, 160); }
  });
  const main = document.querySelector('[data-testid=stMain]') || document.body;
  const wide = Math.max(document.documentElement.scrollWidth, main.scrollWidth);
  return {font: smallest, fontAt: where, target: target, targetAt: small, wide: wide, width: window.innerWidth};
}"""


MAP = """() => {
  const zoom = [...document.querySelectorAll('[data-testid=stDeckGlJsonChart] .mapboxgl-ctrl-group button')];
  const map = document.querySelector('[data-testid=stDeckGlJsonChart]').getBoundingClientRect();
  return {zoom: zoom.map(b => { const r = b.getBoundingClientRect(); return Math.min(r.width, r.height); }),
          names: zoom.map(b => b.getAttribute('aria-label')),
          width: map.width, height: map.height};
}"""
"""The map's size and the smaller side of each zoom button."""


@pytest.fixture(scope="module")
def public_url(pub_file, tmp_path_factory) -> Iterator[str]:
    """One ``streamlit run public_app.py`` on the fixture layer for the whole module."""
    port = _free_port()
    env = {
        **os.environ,
        "GRIDSCOPE_PUBLIC_DB": str(pub_file),
        "GRIDSCOPE_PUBLIC_LOOKUP_KEY": fx.LOOKUP_KEY.hex(),
        "STREAMLIT_SERVER_HEADLESS": "true",
    }
    env.pop("GRIDSCOPE_PUBLIC_DSN", None)
    env.pop("GRIDSCOPE_PUBLIC_TRACKING_KEY", None)
    log = tmp_path_factory.mktemp("public-log") / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "public_app.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", *NO_WATCHER],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Browser:
    """The run's one browser (tests/conftest.py): a second sync Playwright would be refused."""
    return browser


@pytest.fixture(scope="module")
def watched(chromium) -> Iterator[tuple[Page, list[str]]]:
    """One page for every check, with every URL it requested."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    yield page, requested
    context.close()


def _open(page: Page, url: str, width: int, height: int, ready: str = "[data-testid='pub-sentence']") -> None:
    started = time.perf_counter()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(400)
    print(f"opened {url} at {width} in {time.perf_counter() - started:.1f} s")


def _check_map(page: Page, *, elder: bool, width: int, height: int, lang: str) -> None:
    page.wait_for_selector("[data-testid=stDeckGlJsonChart] .mapboxgl-ctrl-zoom-in", state="visible", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    got = page.evaluate(MAP)
    assert len(got["zoom"]) == 2 and min(got["zoom"]) >= (60 if elder else 44), got
    assert got["names"] == (["Zoom in", "Zoom out"] if lang == "en" else ["放大地图", "缩小地图"]), got
    if width >= 1000:
        assert got["width"] >= 700 and got["height"] >= 560, got  # the desktop's column, tall
    else:
        assert got["width"] <= width and got["height"] <= height / 2, got  # the page still shows around it


def _check(page: Page, *, elder: bool, root: str) -> dict:
    started = time.perf_counter()
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN, TAGS) == []
    got = page.evaluate(SIZES, root)
    assert got["wide"] <= got["width"], got  # no sideways scrolling
    assert got["font"] >= (22 if elder else 18), got
    assert got["target"] >= (60 if elder else 44), got
    print(f"checked {page.url} in {time.perf_counter() - started:.1f} s")
    return got


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_passes_axe_at_both_sizes_with_and_without_elder_mode(public_url, watched, lang):
    page, requested = watched
    for width, height in VIEWS:
        for elder in (False, True):
            _open(page, f"{public_url}/?lang={lang}&elder={int(elder)}", width, height)
            _check_map(page, elder=elder, width=width, height=height, lang=lang)
            _check(page, elder=elder, root="[data-testid='stMain']")
            lang_attr = page.evaluate("() => document.documentElement.lang")
            assert lang_attr == ("en" if lang == "en" else "zh-CN")
            sentence = page.inner_text("[data-testid='pub-sentence']")
            assert ("1,234 reports" if lang == "en" else "共受理 1,234 件") in sentence
    _open(page, f"{public_url}/?lang={lang}&period=week&level=community", 390, 844)
    _check(page, elder=False, root="[data-testid='stMain']")
    week = page.inner_text("[data-testid='pub-sentence']")
    assert (
        "This week (23–24 November 2026) we received 90 reports"
        if lang == "en"
        else "本周（2026年11月23日至24日）共受理 90 件"
    ) in week
    _open(page, f"{public_url}/?view=track&elder=1", 390, 844, ready="#track")
    page.get_by_label("案件编号").fill(fx.CASE_NO)
    page.get_by_label("验证码").fill(fx.CODE)
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_selector("[data-testid='pub-track-result']", timeout=30_000)
    _check(page, elder=True, root="[data-testid='stMain']")
    outside = [u for u in requested if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == []


def test_the_static_site_opens_from_disk_with_the_apps_figures(public_url, watched, pub_file, tmp_path):
    page, requested = watched
    site = tmp_path / "site"
    write_site(pub_file, site)
    _open(page, f"{public_url}/?level=street", 390, 844)
    page.wait_for_selector("[data-testid='pub-area-table'] tbody tr", timeout=60_000)
    app_sentence = page.inner_text("[data-testid='pub-sentence']")
    app_rows = page.locator("[data-testid='pub-area-table'] tbody tr").all_inner_texts()
    requested.clear()
    for name, elder in (("index.html", False), ("en.html", True)):
        _open(page, (site / name).as_uri() + ("?elder=1" if elder else ""), 390, 844)
        _check(page, elder=elder, root="body")
        assert page.get_attribute("#pub-elder", "aria-pressed") == ("true" if elder else "false")
    _open(page, (site / "index.html").as_uri() + "?elder=0", 1440, 1000)  # (the last page left it on)
    assert page.get_attribute("#pub-elder", "aria-pressed") == "false"
    _check(page, elder=False, root="body")
    assert page.inner_text("[data-testid='pub-sentence']") == app_sentence
    site_rows = page.locator("[data-testid='pub-area-table-street'] tbody tr").all_inner_texts()
    assert [re.split(r"\s*[\t\n]\s*", r.strip()) for r in site_rows] == [
        re.split(r"\s*[\t\n]\s*", r.strip()) for r in app_rows
    ]
    page.click("#pub-elder")  # one tap: larger text, remembered in the address
    assert "elder=1" in page.url
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") == 22
    page.click("[data-testid='pub-lang']")
    page.wait_for_selector("[data-testid='pub-sentence']")
    assert page.url.endswith("en.html?elder=1")
    assert "1,234 reports" in page.inner_text("[data-testid='pub-sentence']")
    assert "12345" in page.inner_text("[data-testid='pub-track-static']")
    prefix = site.as_uri() + "/"
    assert [u for u in requested if not (u.startswith(prefix) or u.startswith("data:"))] == []
