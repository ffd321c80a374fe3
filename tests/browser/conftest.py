"""Real-browser fixtures: a `streamlit run` server on a free port and headless Chromium.

Chromium is Debian's (/usr/bin/chromium, installed by scripts/test.sh); Playwright never
downloads a browser. These tests are not skipped: a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
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

NO_WATCHER = ["--server.fileWatcherType", "none"]
"""Streamlit's file watcher off for the test servers: it follows every file under the app's
folder, and with other work writing there (a shared tree, screenshots, logs) it took 6-10 s of
the server's CPU per page view and can put its "source file changed" prompt in the status
widget :func:`wait_for_app` waits to go away. No test is about reloading changed code."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_streamlit(db: Path, log_dir: Path, *, args: Sequence[str] = (), **env: str) -> tuple[str, subprocess.Popen]:
    """Start ``streamlit run streamlit_app.py`` on ``db`` with the given env (and extra
    command-line ``args``, e.g. ``--secrets.files``), its log in ``log_dir``; return its base
    URL once it answers its health check, and the process (stop it with :func:`stop_streamlit`)."""
    port = _free_port()
    full_env = {
        **os.environ,
        "GRIDSCOPE_DB": str(db),
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_HEADLESS": "true",
        **env,
    }
    full_env.pop("GRIDSCOPE_DSN", None) if "GRIDSCOPE_DSN" not in env else None
    log_path = log_dir / f"streamlit-{port}.log"
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.address", "127.0.0.1",
             *NO_WATCHER, *args],
            cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    stop_streamlit(proc)
    raise RuntimeError(f"streamlit did not start: {log_path.read_text()}")


def stop_streamlit(proc: subprocess.Popen) -> None:
    """Stop a server of :func:`launch_streamlit` (killed if it does not stop within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def streamlit_server(tmp_path) -> Iterator[Callable[..., str]]:
    """Start ``streamlit run streamlit_app.py`` with the given env (and extra command-line
    ``args``, e.g. ``--secrets.files``); return its base URL. For a test that needs a store
    or settings of its own (or changes the store); a test that only reads the small city
    with the default settings uses :func:`demo_app`."""
    procs: list[subprocess.Popen] = []

    def start(db: Path, *, args: Sequence[str] = (), **env: str) -> str:
        url, proc = launch_streamlit(db, tmp_path, args=args, **env)
        procs.append(proc)
        return url

    yield start
    for p in procs:
        stop_streamlit(p)


@pytest.fixture(scope="session")
def demo_app(small_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one ``streamlit run`` for the whole run, on a private copy of the small
    city with the default settings (no sign-in, no tile URL), shared by the browser tests
    that only read it: each test opens its own browser context, so its own Streamlit session
    (session state, widgets); what the tests share is the process's caches and the store,
    which none of them changes (a page view appends to ``audit_log``, which none reads).
    Starting a server and filling its caches costs 10-30 s a test on a loaded 2-core machine."""
    folder = tmp_path_factory.mktemp("demo-app")
    db = folder / "gridscope.duckdb"
    shutil.copy(small_db_template, db)
    url, proc = launch_streamlit(db, folder)
    yield url
    stop_streamlit(proc)


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
