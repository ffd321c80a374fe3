"""The public side's boundary: it imports nothing that reads the internal store or writes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_layers import ROOT, _files, _imported_modules

BANNED: tuple[str, ...] = (
    "dashboard.pages",
    "dashboard.components",
    "dashboard.state",
    "dashboard.status",
    "dashboard.auth",
    "dashboard.brief",
    "dashboard.chain_view",
    "dashboard.hotspot_view",
    "dashboard.sensor_view",
    "dashboard.trend_view",
    "queries.duckdb_store",
    "queries.postgis_store",
    "queries.store_base",
    "queries.postgis_load",
    "queries.postgis_migrations",
    "queries.scoped_store",
    "queries.answers.lookups",
    "data.ingest",
    "data.demo",
    "data.lake",
    "cli",
    "streamlit_app",
)
"""Internal pages and their kit (they open the internal store), the stores and their write
paths, the importers and the CLI."""

MODULES = [*_files("dashboard/public"), ROOT / "public_app.py"]


def _banned(module: str) -> bool:
    if module == "queries":  # the package re-exports DuckDBStore and open_store
        return True
    return any(module == b or module.startswith(b + ".") for b in BANNED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_public_modules_import_nothing_internal(path):
    wrong = sorted(m for m in _imported_modules(path) if _banned(m))
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_services_it_uses_import_nothing_internal():
    for rel in ("queries/published.py", "queries/answers/public.py"):
        wrong = sorted(m for m in _imported_modules(ROOT / rel) if _banned(m))
        assert wrong == [], (rel, wrong)


def test_importing_the_public_app_loads_no_internal_page_module():
    code = (
        "import sys, dashboard.public.app, dashboard.public.site\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('dashboard.pages', 'dashboard.components',"
        " 'dashboard.state', 'dashboard.status', 'dashboard.auth', 'queries.postgis_store', 'data.ingest',"
        " 'data.demo')))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_public_app_does_not_import_the_statistics():
    """The first visit pays every import: the internal maps' ``geo`` package would bring scipy
    and polars (over a second) for nothing the public pages use."""
    code = (
        "import sys, dashboard.public.app, dashboard.public.site\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'geo', 'scipy', 'polars', 'statsmodels', 'esda'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
