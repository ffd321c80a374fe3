"""The public app's one connection to the published layer, and its answer cache.

The layer is opened once per process (read-only) and again when the file changes (a new
``gridscope publish``) or after it could not be read (the cached connection is dropped);
answers are cached per layer version: the file's modification time, or on PostGIS the
publication's content hash in ``pub_meta``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from data.store import StoreUnavailable
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


def forget_layer() -> None:
    """Drop the cached connection, so the next :func:`get_layer` opens the layer again (after
    :class:`~data.store.StoreUnavailable`: the server restarted or the file went away)."""
    _open.clear()


def answer(fn: Callable[..., T], layer: PublishedLayer, *args: Any) -> T:
    """``fn(layer, *args)``, cached by the function, the layer's version and the arguments.

    When the layer cannot be read (:class:`~data.store.StoreUnavailable`), the cached
    connection is dropped before the error goes on, so the next page opens a new one instead
    of reusing a dead connection for the life of the process."""
    try:
        return _cached(f"{fn.__module__}.{fn.__qualname__}", layer.cache_key(), args, fn, layer)
    except StoreUnavailable:
        forget_layer()
        raise
