"""Every page test starts with empty Streamlit caches (each test has its own DB file), and
sees a page's errors as ``at.exception`` (not the short message the app shows users)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit import config

from tests.dashboard.sparse_stores import area_store  # noqa: F401 - stores with some area levels (issue 9)


@pytest.fixture(autouse=True, scope="session")
def errors_propagate():
    """``client.showErrorDetails = "full"``: dashboard/status.py then lets errors through, so
    a page that crashes fails its test (test_hostile_content checks the production "none")."""
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
