"""README keeps its promises: the two set-up commands first, every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

from queries import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_opens_with_exactly_two_commands():
    block = re.search(r"```(?:bash)?\n(.*?)```", README, re.S)
    assert block is not None
    lines = [ln for ln in block.group(1).splitlines() if ln.strip()]
    assert lines == ["scripts/run.sh", "scripts/test.sh"]
    assert (ROOT / "scripts/run.sh").exists() and (ROOT / "scripts/test.sh").exists()


def test_ci_runs_the_readme_test_command():
    assert "scripts/test.sh" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for setting in SETTINGS:
        assert f"`{setting.name}`" in README, setting.name


def test_usage_statistics_are_off():
    config = (ROOT / ".streamlit/config.toml").read_text(encoding="utf-8")
    assert re.search(r"gatherUsageStats\s*=\s*false", config)


def test_library_packages_never_import_streamlit():
    for package in ("geo", "queries", "data"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^\s*(import streamlit|from streamlit)", text, re.M), path
