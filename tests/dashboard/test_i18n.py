"""Every visible string exists in Chinese and English, and every key used is defined."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.i18n import LANGUAGES, all_strings

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_has_both_languages():
    strings = all_strings()
    assert len(strings) > 50
    for key, entry in strings.items():
        for lang in LANGUAGES:
            assert entry.get(lang, "").strip(), f"{key} lacks {lang}"


def test_every_literal_key_used_in_code_is_defined():
    strings = all_strings()
    used: set[str] = set()
    for path in [*ROOT.joinpath("dashboard").rglob("*.py"), ROOT / "streamlit_app.py"]:
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    missing = sorted(used - set(strings))
    assert not missing, missing
