"""Backend status in the sidebar and a readable message when the store is down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from queries import StoreUnavailable

from .i18n import t
from .state import current_settings, get_store


def render_backend_status() -> None:
    """Show which store the dashboard reads and how fresh its data is."""
    store = get_store()
    if store.dialect == "postgis":
        backend = getattr(store, "label", "PostGIS")  # "PostGIS · host:port/db", no credentials
    else:
        backend = f"DuckDB {current_settings().db_path.name}"
    st.sidebar.caption(t("backend_label", backend=backend))
    newest = store.data_freshness()
    if newest is not None:
        st.sidebar.caption(t("freshness_label", when=f"{newest:%Y-%m-%d %H:%M}"))


@contextmanager
def show_store_errors() -> Iterator[None]:
    """Turn ``StoreUnavailable`` into a readable page message instead of a traceback."""
    try:
        yield
    except StoreUnavailable as exc:
        st.error(t("store_unavailable", detail=str(exc)))
