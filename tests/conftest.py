"""Shared fixtures: the small demo city, generated once per session, in DuckDB."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data.demo import City, generate_city, load_city
from queries import DuckDBStore

END_DATE = date(2026, 6, 30)
"""Fixed last day of the test city, so every run sees the same data."""

NOW = datetime(2026, 7, 1, 0, 0)
"""The test city's "now" (the reference time for overdue cases)."""


@pytest.fixture(scope="session")
def small_city() -> City:
    """The ``small`` demo city (seed 42, ending :data:`END_DATE`)."""
    return generate_city("small", seed=42, end_date=END_DATE)


@pytest.fixture(scope="session")
def small_store(small_city: City) -> DuckDBStore:
    """An in-memory DuckDB store holding :func:`small_city`. Do not write to it."""
    store = DuckDBStore(":memory:")
    load_city(store, small_city)
    yield store
    store.close()


@pytest.fixture(scope="session")
def small_db_template(small_city: City, tmp_path_factory: pytest.TempPathFactory):
    """A closed DuckDB file holding the small city; copy it before opening (file locks)."""
    path = tmp_path_factory.mktemp("db") / "small.duckdb"
    store = DuckDBStore(path)
    load_city(store, small_city)
    store.close()
    return path


@pytest.fixture
def small_db_file(small_db_template, tmp_path):
    """A private copy of the small city's DuckDB file for one test."""
    import shutil

    path = tmp_path / "gridscope.duckdb"
    shutil.copy(small_db_template, path)
    return path


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright, one for the whole run: the browser tests
    of every folder share it (a second sync Playwright in the same thread is refused)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
