"""Helpers to run the app under Streamlit's AppTest on a given DuckDB file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """Markdown source as the page shows it: backslash escapes resolved (values from data
    reach Markdown escaped, see ``dashboard/safe_text.py``)."""
    return _ESCAPED.sub(r"\1", markdown)


def run_app(
    monkeypatch: pytest.MonkeyPatch, db: Path, lang: str = "zh", page: str | None = None, timeout: float = 120
) -> AppTest:
    """Start the app on ``db`` in ``lang`` (optionally switching to ``page``) and run it once."""
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at
