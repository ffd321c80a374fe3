"""The page kit's one cache: answers of ``queries.answers`` services, reused for a short while.

Every cached read of the dashboard goes through here: one key per store's data
(:func:`store_key`: ``Store.cache_key()``, the database and its data version), one lifetime
(:data:`TTL_SECONDS`) and one invalidation (:func:`invalidate`, called after an import and
after an SLA edit), so tabs, reruns and every session of the process share results, and no
page keeps data an edit has changed (another process's import or SLA edit changes the data
version, so the keys, within about a second). DataFrames live in
``st.cache_data`` (each caller gets its own copy, safe to change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dashboard.i18n import current_language
from data.store import Store

TTL_SECONDS = 600
"""How long a result is reused at most. Any write to the store changes its data version, so
the keys (:func:`store_key`); an edit through the page also clears the cache at once."""

MAX_ENTRIES = 512
"""Results kept at most (the oldest go first)."""

PAYLOAD_ENTRIES = 48
"""Map payloads kept at most (:func:`cached_payload`; each up to a few MB of JSON)."""

T = TypeVar("T")


def store_key(store: Store) -> str:
    """The cache's name for ``store``'s data: :meth:`data.store.Store.cache_key` (database,
    data version and, for a scoped store, its scope), the same in every session and process."""
    return store.cache_key()


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _compute(_fn: Callable[..., Any], fn_name: str, args: tuple) -> Any:
    return _fn(*args)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _answer(_fn: Callable[..., Any], fn_name: str, _store: Store, key: str, args: tuple, kwargs: dict) -> Any:
    return _fn(_store, *args, **kwargs)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=PAYLOAD_ENTRIES)
def _payload(
    _fn: Callable[..., Any], fn_name: str, _store: Store, key: str, lang: str, args: tuple, kwargs: dict
) -> Any:
    return _fn(_store, *args, **kwargs)


def cached_payload(fn: Callable[..., T], store: Store, *args: object, **kwargs: object) -> T:
    """``fn(store, *args, **kwargs)`` of a page's map builder (its deck as a
    :class:`~dashboard.components.deck_spec.DeckSpec`, legend, tooltip texts), shared by
    every session for :data:`TTL_SECONDS` like :func:`cached_answer`, keyed also by the page's
    language (builders label in it). ``fn`` must draw nothing (no ``st.`` elements)."""
    return _payload(fn, _name(fn), store, store_key(store), current_language(), args, kwargs)


def cached_answer(fn: Callable[..., T], store: Store, *args: object, **kwargs: object) -> T:
    """``fn(store, *args, **kwargs)`` of an answer service, reused for :data:`TTL_SECONDS`.

    The arguments must be hashable by ``st.cache_data`` (filters, requests, numbers, text).
    """
    return _answer(fn, _name(fn), store, store_key(store), args, kwargs)


def cached_compute(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` of a pure computation (no store, e.g. a forecast), reused the same way."""
    return _compute(fn, _name(fn), args)


def invalidate() -> None:
    """Forget every cached result (after the page changed data: an import, an SLA edit)."""
    _answer.clear()
    _compute.clear()
    _payload.clear()
