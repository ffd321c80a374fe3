"""The default page answers its own path: ``/overview`` opens the overview, no "Page not found".

Streamlit serves the default page of ``st.navigation`` only at ``/``; before issue 9,
``/overview?lang=zh`` opened Streamlit's English "Page not found" dialog over the page.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "lang,title,other", [("zh", "领导总览", "Leader overview"), ("en", "Leader overview", "领导总览")]
)
def test_overview_path_opens_the_overview(demo_app, page, lang, title, other):
    url = demo_app
    page.goto(f"{url}/overview?lang={lang}")
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    page.wait_for_timeout(1_000)  # a dialog is drawn after the first script message
    body = page.inner_text("body")
    assert "Page not found" not in body and "页面未找到" not in body
    assert page.locator("[role='dialog']").count() == 0
    assert page.locator("h1").filter(has_text=title).count() == 1
    assert other not in body
    assert len(page.locator("[data-testid='stMetricValue']").all_inner_texts()) == 5
    assert f"lang={lang}" in page.url  # the address keeps its parameters


def test_unknown_path_still_says_page_not_found(demo_app, page):
    """The alias is for the overview only: a truly unknown path is still reported."""
    url = demo_app
    page.goto(f"{url}/no-such-page")
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
    wait_for_app(page)
    page.wait_for_function("() => document.body.innerText.includes('Page not found')", timeout=30_000)
