"""The public app's one connection to the published layer, and its answer cache.

The layer is opened once per process (read-only) and again only when the file changes
(a new ``gridscope publish``); answers are cached per layer version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from queries.published import PublishedLayer, open_published
from queries.settings import load_settings

T = TypeVar("T")


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(path: str, dsn: str, version: int) -> PublishedLayer:
    return open_published(Path(path) if path else None, dsn)


def get_layer() -> PublishedLayer:
    """The published layer ``GRIDSCOPE_PUBLIC_DSN`` or ``GRIDSCOPE_PUBLIC_DB`` names (raises
    :class:`~data.store.StoreUnavailable` when it cannot be read)."""
    settings = load_settings()
    if settings.public_dsn:
        return _open("", settings.public_dsn, 0)
    path = settings.public_db or Path("public.duckdb")
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = -1
    return _open(str(path), "", version)


@st.cache_data(ttl=900, max_entries=512, show_spinner=False)
def _cached(name: str, layer_key: str, args: tuple[Any, ...], _fn: Callable[..., Any], _layer: PublishedLayer) -> Any:
    return _fn(_layer, *args)


def answer(fn: Callable[..., T], layer: PublishedLayer, *args: Any) -> T:
    """``fn(layer, *args)``, cached by the function, the layer's version and the arguments."""
    return _cached(f"{fn.__module__}.{fn.__qualname__}", layer.cache_key(), args, fn, layer)
