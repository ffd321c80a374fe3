"""A real sign-in (issue 10): headless Chromium, the dashboard with ``[auth]`` pointing at a
local OpenID Connect provider (``oidc-provider-mock`` on 127.0.0.1, started by the test).

Before signing in only the sign-in page is served; a supervisor signs in at the provider,
sees the pages of the role (no import, no audit), signs out and is back at the sign-in page;
an administrator then sees the import page too; someone the users table does not know sees
only "no access yet".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from data.users import add_user
from queries import DuckDBStore
from tests.browser.conftest import _free_port, wait_for_app

pytestmark = pytest.mark.browser

PEOPLE = [
    {"sub": "kc-supervisor", "email": "sup@example.org", "name": "Supervisor S"},
    {"sub": "kc-admin", "email": "admin@example.org", "name": "Admin A"},
    {"sub": "kc-stranger", "email": "stranger@example.org", "name": "Stranger"},
]
ROLE_PAGES = ["总览", "热点分析", "治理链条", "趋势", "物联感知", "事件查询", "周例会"]


@pytest.fixture
def oidc_provider(tmp_path) -> Iterator[str]:
    """``oidc-provider-mock`` on 127.0.0.1 with the users of :data:`PEOPLE` as one-click users."""
    port = _free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for person in PEOPLE:
        args += ["--user-claims", json.dumps(person)]
    log = open(tmp_path / "oidc.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        args, env={**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}, stdout=log, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"OIDC provider did not start: {(tmp_path / 'oidc.log').read_text()}") from None
            time.sleep(0.3)
    yield issuer
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def signin_app(streamlit_server, oidc_provider, small_db_file, tmp_path) -> str:
    store = DuckDBStore(small_db_file)
    add_user(store, role="supervisor", subject="kc-supervisor", display_name="督办员乙")
    add_user(store, role="admin", email="admin@example.org", display_name="管理员甲")  # matched by e-mail
    store.close()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789abcdef"\n'
        'client_id = "gridscope"\n'
        'client_secret = "gridscope-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return streamlit_server(
        small_db_file, args=["--secrets.files", str(secrets)], GRIDSCOPE_AUTH="required", AUTHLIB_INSECURE_TRANSPORT="1"
    )


def _sign_in(page: Page, url: str, sub: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="登录").click(timeout=90_000)
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)


def _nav(page: Page) -> list[str]:
    """The page names in the sidebar navigation (each link's last line: the icon comes first)."""
    return [text.strip().splitlines()[-1] for text in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def _sign_out(page: Page, url: str) -> None:
    """Sign out: Streamlit sends the browser to the provider's end-session page (the mock asks
    to confirm), which returns to the dashboard's sign-in page."""
    wait_for_app(page)
    page.get_by_role("button", name="退出登录").click(timeout=90_000)
    page.wait_for_url("**/oauth2/end_session**", timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{url}/**", timeout=60_000)
    page.get_by_role("button", name="登录").wait_for(timeout=90_000)
    wait_for_app(page)
    page.wait_for_timeout(1_000)  # the sidebar is redrawn after the main area


def test_sign_in_see_the_role_pages_sign_out(signin_app, page):
    url = signin_app
    page.goto(url)
    page.get_by_role("button", name="登录").wait_for(timeout=90_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "请登录" in body and "领导总览" not in body and "DuckDB" not in body
    assert _nav(page) == []
    page.goto(f"{url}/chain")  # an internal page's address: still only the sign-in page
    page.get_by_role("button", name="登录").wait_for(timeout=90_000)
    assert "治理链条" not in page.inner_text("[data-testid='stMain']")

    _sign_in(page, url, "kc-supervisor")
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    assert _nav(page) == ROLE_PAGES
    sidebar = page.inner_text("[data-testid='stSidebar']")
    assert "督办员乙 · 督办员" in sidebar and "演示模式" not in page.inner_text("body")

    _sign_out(page, url)
    assert _nav(page) == []

    _sign_in(page, url, "kc-admin")
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    nav = _nav(page)
    assert nav[: len(ROLE_PAGES)] == ROLE_PAGES and "导入数据" in nav and "审计日志" in nav
    assert "管理员甲 · 管理员" in page.inner_text("[data-testid='stSidebar']")
    _sign_out(page, url)

    _sign_in(page, url, "kc-stranger")
    page.get_by_text("暂无访问权限").wait_for(timeout=90_000)
    page.wait_for_function("() => document.body.innerText.includes('stranger')", timeout=60_000)  # body after title
    assert _nav(page) == [] and "stranger@example.org" in page.inner_text("body").replace("\u2060", "")
    assert page.locator("[data-testid='stMetricValue']").count() == 0
