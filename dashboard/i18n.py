"""Chinese (default) and English strings: every visible text comes from ``locales/*.toml``.

Each TOML file holds ``key = { zh = "...", en = "..." }`` entries; files are split by page
so pages can be worked on side by side, but keys are one namespace
(``tests/dashboard/test_i18n.py`` checks that every key has both languages and is unique).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import streamlit as st

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("zh", "en")
"""Supported languages; the first is the default."""


@cache
def all_strings() -> dict[str, dict[str, str]]:
    """Every string key with its translations, from all locale files."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            for key, value in tomllib.load(fh).items():
                if key in merged:
                    raise ValueError(f"string key {key!r} defined twice ({path.name})")
                merged[key] = value
    return merged


def current_language() -> str:
    """The language chosen in the sidebar (``zh`` unless switched)."""
    lang = st.session_state.get("lang", LANGUAGES[0])
    return lang if lang in LANGUAGES else LANGUAGES[0]


def t(key: str, **fmt: object) -> str:
    """Translate ``key`` into the current language, formatting ``{placeholders}``."""
    entry = all_strings().get(key)
    if entry is None:
        return key
    text = entry.get(current_language()) or entry.get("en") or key
    return text.format(**fmt) if fmt else text


def t_count(key: str, count: int, **fmt: object) -> str:
    """:func:`t` of ``key_one`` when ``count`` is 1 and that key exists (English singular:
    "1 category uses", "1 event"), else of ``key``."""
    return t(f"{key}_one" if count == 1 and f"{key}_one" in all_strings() else key, **fmt)


def name_column() -> str:
    """``name_zh`` or ``name_en``: the lookup-table column for the current language."""
    return f"name_{current_language()}"


def _is_choice(value: object) -> bool:
    """A value a choice or input widget holds (text, number, list of them), not a button's
    flag, a selection event, a date or an uploaded file."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (str, int, float)):
        return True
    return isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value)


def keep_choices_across_language() -> None:
    """Pin every choice widget's value in session state just before the language changes.

    Streamlit matches a radio's, selectbox's or multiselect's state in the browser to its
    options by their shown labels: after a switch the old labels match nothing, so a radio
    fell back to its first option and multiselect chips stayed in the old language. Options
    are codes with ``format_func`` names; re-assigning the codes (read while the old labels
    still apply) makes Streamlit send each widget its value with the new labels. Call it in
    the language picker's ``on_change``, before ``lang`` changes."""
    state = st.session_state
    for key in list(state.keys()):
        try:
            value = state[key]
        except KeyError:  # a widget of another page, cleaned up meanwhile
            continue
        if _is_choice(value):
            state[key] = value
