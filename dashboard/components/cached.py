"""Named-query results cached for a short while, so tabs and reruns do not repeat queries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from queries import Store

TTL_SECONDS = 120
"""How long a result is reused; an edit through the page clears the cache at once."""


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=512)
def _fetch(_store: Store, store_key: str, name: str, params: dict) -> pd.DataFrame:
    return _store.fetch(name, **params)


def cached_fetch(store: Store, name: str, **params: object) -> pd.DataFrame:
    """``store.fetch(name, **params)``, reused for :data:`TTL_SECONDS` (a copy: safe to change)."""
    return _fetch(store, f"{store.dialect}:{id(store)}", name, params).copy()


def clear_cached() -> None:
    """Forget every cached result (after the page changed data)."""
    _fetch.clear()
