"""The app's layout rules (``page_style.css``) and, in Chinese, the uploader's own strings.

Streamlit 1.67 has no way to translate a file uploader's button ("Upload") and its size
hint ("200MB per file • CSV, ..."), or to make columns of metrics wrap on a phone (see
streamlit/streamlit#13500, an open request for uploader texts). Both are done in CSS here,
in one place: the English text is kept for screen readers (``font-size: 0``) and the shown
text comes from the locale files.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from dashboard.i18n import current_language, t

CSS_FILE = Path(__file__).with_name("page_style.css")


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string (JSON's escaping is valid CSS)."""
    return json.dumps(text, ensure_ascii=False)


def uploader_css() -> str:
    """CSS that shows the uploader's button and size hint in the page's language ("" in English)."""
    if current_language() == "en":
        return ""
    limit = int(st.get_option("server.maxUploadSize"))
    button = _css_string(t("uploader_button"))
    hint = _css_string(t("uploader_limit", mb=limit))
    return f"""
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {button}; font-size: 0.875rem;
}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {hint}; font-size: 0.875rem; }}
"""


def render_page_style() -> None:
    """Add the layout rules and the language's uploader strings to the page (takes no space)."""
    st.html(f"<style>{CSS_FILE.read_text(encoding='utf-8')}{uploader_css()}</style>")
