"""A configured intranet tile URL becomes the basemap; without one, no tile is requested."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from PIL import Image

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture
def tile_server():
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (40, 180, 60)).save(buf, format="PNG")
    png = buf.getvalue()
    requested: list[str] = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", requested
    server.shutdown()


def _green_share(png: bytes) -> float:
    img = Image.open(io.BytesIO(png)).convert("RGB").resize((120, 90))
    px = list(img.getdata())
    return sum(1 for r, g, b in px if g > 150 and r < 120 and b < 120) / len(px)


def test_configured_tiles_are_drawn_under_the_map(streamlit_server, page, small_db_file, tile_server):
    base, requested = tile_server
    url = streamlit_server(small_db_file, GRIDSCOPE_TILE_URL=f"{base}/{{z}}/{{x}}/{{y}}.png")
    page.goto(url)
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=90_000)
    wait_for_app(page)
    for _ in range(60):  # the style, then the tiles, load after the canvas: wait for them, not a fixed time
        if requested:
            break
        page.wait_for_timeout(500)
    assert requested and all(p.endswith(".png") and p.count("/") == 3 for p in requested)
    for _ in range(60):  # the tiles that were asked for are drawn: wait for them to show, up to ~30 s
        shot = page.locator("[data-testid='stDeckGlJsonChart']").first.screenshot()
        if _green_share(shot) > 0.1:
            break
        page.wait_for_timeout(500)
    assert _green_share(shot) > 0.1


def test_no_tiles_without_a_tile_url(demo_app, page):
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    page.goto(demo_app)
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=90_000)
    wait_for_app(page)
    page.wait_for_timeout(2_000)
    assert not [u for u in outside if not u.startswith(("data:", "blob:"))], outside
    shot = page.locator("[data-testid='stDeckGlJsonChart']").first.screenshot()
    assert _green_share(shot) < 0.01
