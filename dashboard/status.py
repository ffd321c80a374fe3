"""Backend status in the sidebar, and readable messages instead of tracebacks.

A store that cannot be reached gets a message saying what to check. Any other error a page
raises gets a short zh/en message with a reference; the traceback goes to the server log
under that reference (logger ``gridscope``), never to the browser: it would show file
paths and internals (``client.showErrorDetails = "none"`` in ``.streamlit/config.toml``
covers errors outside the pages the same way). With ``showErrorDetails = "full"`` (while
developing, and in the AppTest suite) errors propagate unchanged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from queries import StoreLocked, StoreUnavailable

from .i18n import t
from .safe_text import md
from .state import get_store

LOG = logging.getLogger("gridscope")


def render_backend_status() -> None:
    """Show which store the dashboard reads and how fresh its data is."""
    store = get_store()
    backend = store.label  # "DuckDB · file.duckdb" / "PostGIS · host:port/db", no credentials
    st.sidebar.caption(t("backend_label", backend=md(backend)))
    newest = store.data_freshness()
    if newest is not None:
        st.sidebar.caption(t("freshness_label", when=f"{newest:%Y-%m-%d %H:%M}"))


def _errors_pass_through() -> bool:
    return st.get_option("client.showErrorDetails") in ("full", True)


@contextmanager
def show_store_errors() -> Iterator[None]:
    """Turn a store that is down, and any unexpected error, into a readable page message."""
    try:
        yield
    except StoreLocked as exc:
        st.error(t("store_locked", file=md(exc.file_name)))
    except StoreUnavailable as exc:
        st.error(t("store_unavailable", detail=md(exc)))
    except Exception:
        if _errors_pass_through():
            raise
        ref = uuid.uuid4().hex[:8]
        LOG.exception("page error, reference %s", ref)
        st.error(t("page_error", ref=ref))
