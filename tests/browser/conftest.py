"""Real-browser fixtures: a `streamlit run` server on a free port and headless Chromium.

Chromium is Debian's (/usr/bin/chromium, installed by scripts/test.sh); Playwright never
downloads a browser. These tests are not skipped: a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def streamlit_server(tmp_path) -> Iterator[Callable[..., str]]:
    """Start ``streamlit run streamlit_app.py`` with the given env (and extra command-line
    ``args``, e.g. ``--secrets.files``); return its base URL."""
    procs: list[subprocess.Popen] = []

    def start(db: Path, *, args: Sequence[str] = (), **env: str) -> str:
        port = _free_port()
        full_env = {
            **os.environ,
            "GRIDSCOPE_DB": str(db),
            "STREAMLIT_SERVER_PORT": str(port),
            "STREAMLIT_SERVER_HEADLESS": "true",
            **env,
        }
        full_env.pop("GRIDSCOPE_DSN", None) if "GRIDSCOPE_DSN" not in env else None
        log = open(tmp_path / f"streamlit-{port}.log", "w")  # noqa: SIM115 - closed with the process
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(ROOT / "streamlit_app.py"),
                    "--server.address",
                    "127.0.0.1",
                    *args,
                ],
                cwd=ROOT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return url
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"streamlit did not start: {(tmp_path / f'streamlit-{port}.log').read_text()}")

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser page, 1400x1200."""
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def wait_for_app(pg: Page, timeout: float = 90_000) -> None:
    """Wait until the script has finished running (no running indicator, metrics present)."""
    pg.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
