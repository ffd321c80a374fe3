"""Imports point one way (docs/ARCHITECTURE.md): each room imports only the rooms below it.

ground (data/contracts.py, data/store.py) <- geo/ <- data/ingest, data/demo <- queries/
<- queries/answers <- dashboard/, cli/. Parsed with ``ast``, so a function-local import counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAY_NOT_IMPORT: dict[str, tuple[str, ...]] = {
    "geo": ("data", "queries", "dashboard", "cli"),
    "data/contracts.py": ("data.ingest", "data.demo", "geo", "queries", "dashboard", "cli"),
    "data/store.py": ("data.ingest", "data.demo", "geo", "queries", "dashboard", "cli"),
    "data/ingest": ("data.demo", "queries", "dashboard", "cli"),
    "data/demo": ("queries", "dashboard", "cli"),
    "data/publish": ("queries", "dashboard", "cli"),
    "queries": ("dashboard", "cli"),
    "dashboard": ("cli",),
}


def _imported_modules(path: Path) -> set[str]:
    """Every absolute module ``path`` imports (``import a.b`` and ``from a.b import c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _files(room: str) -> list[Path]:
    target = ROOT / room
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("room", sorted(MAY_NOT_IMPORT))
def test_rooms_import_only_downward(room: str) -> None:
    files = _files(room)
    assert files, room
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in sorted(_imported_modules(path))
        if any(module == banned or module.startswith(banned + ".") for banned in MAY_NOT_IMPORT[room])
    ]
    assert wrong == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from queries.duckdb_store import DuckDBStore\n    import dashboard.i18n\n")
    assert _imported_modules(bad) == {"queries.duckdb_store", "dashboard.i18n"}


def test_no_store_feature_probing() -> None:
    """Callers use the complete Store protocol; nothing asks a store whether it has a method."""
    offenders = [
        str(path.relative_to(ROOT))
        for room in ("cli", "dashboard", "data", "geo", "queries", "bench")
        for path in (ROOT / room).rglob("*.py")
        if "hasattr(store" in (text := path.read_text(encoding="utf-8")) or "getattr(store" in text
    ]
    assert offenders == []
