"""The page kit's one cache: answers of ``queries.answers`` services, reused for a short while.

Every cached read of the dashboard goes through here: one key per store's data
(:func:`store_key`: ``Store.cache_key()``, the database and its data version), one lifetime
(:data:`TTL_SECONDS`) and one invalidation (:func:`invalidate`, called after an import and
after an SLA edit), so tabs, reruns and every session of the process share results, and no
page keeps data an edit has changed (another process's import or SLA edit changes the data
version, so the keys, within about a second). DataFrames live in
``st.cache_data`` (each caller gets its own copy, safe to change).

A page run asks this cache 20-50 times, so a look-up must be cheap: arguments of plain types
(text, numbers, dates, tuples, dataclasses of them such as :class:`~queries.EventFilter`) are
written into one key text here, and ``st.cache_data`` hashes only that text (its own hashing of
each argument, with a signature inspection per argument, cost ~1-3 ms a look-up); other
arguments (a DataFrame given to a computation) are hashed by ``st.cache_data`` itself.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import pickle
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any, TypeVar

import numpy as np
import pandas as pd
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


_PLAIN = (type(None), bool, int, float, complex, str, bytes, date, time, timedelta)
"""Types whose ``repr`` tells their values apart (``date`` covers datetimes and timestamps)."""


def key_text(value: object) -> str | None:
    """``value`` written as text that differs when the value differs (same type and content,
    same text), or None when ``value`` holds something else (e.g. a DataFrame).

    Examples
    --------
    >>> key_text((1, "a", None)), key_text({"b": 2.5, "a": True}), key_text([object()])
    ("(1,'a',None,)", "{'a':True,'b':2.5}", None)
    """
    if isinstance(value, _PLAIN):
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__module__}.{type(value).__qualname__}.{value.name}"
    if isinstance(value, (tuple, list)):
        parts = [key_text(v) for v in value]
        if any(p is None for p in parts):
            return None
        inner = "".join(f"{p}," for p in parts)  # type: ignore[str-bytes-safe]
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, (set, frozenset)):
        parts = [key_text(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "{" + ",".join(sorted(parts)) + "}"  # type: ignore[arg-type]
    if isinstance(value, dict):
        items = [(key_text(k), key_text(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "{" + ",".join(f"{k}:{v}" for k, v in sorted(items)) + "}"  # type: ignore[type-var]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [key_text(getattr(value, f.name)) for f in dataclasses.fields(value)]
        if any(f is None for f in fields):
            return None
        return f"{type(value).__module__}.{type(value).__qualname__}(" + ",".join(fields) + ")"  # type: ignore[arg-type]
    return None


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _compute(_fn: Callable[..., Any], fn_name: str, args: tuple) -> Any:
    return _fn(*args)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _answer(_fn: Callable[..., Any], fn_name: str, _store: Store, key: str, args: tuple, kwargs: dict) -> Any:
    return _fn(_store, *args, **kwargs)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _keyed_answer(key: str, _call: tuple[Callable[..., Any], Store, tuple, dict]) -> Any:
    fn, store, args, kwargs = _call
    return fn(store, *args, **kwargs)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=PAYLOAD_ENTRIES)
def _keyed_payload(key: str, _call: tuple[Callable[..., Any], Store, tuple, dict]) -> Any:
    fn, store, args, kwargs = _call
    return fn(store, *args, **kwargs)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=PAYLOAD_ENTRIES)
def _payload(
    _fn: Callable[..., Any], fn_name: str, _store: Store, key: str, lang: str, args: tuple, kwargs: dict
) -> Any:
    return _fn(_store, *args, **kwargs)


def fingerprint(frame: pd.DataFrame | pd.Series) -> str | None:
    """A digest of ``frame`` (its pickle: values, types, index and names; ~0.1 ms for a page's
    table against ~1 ms hashing it with pandas), or None when it cannot be pickled. Frames that
    differ never share a digest; equal ones almost always do (one that holds the same text
    object twice pickles shorter: such a table is only drawn anew)."""
    try:
        data = pickle.dumps(frame, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return f"{len(frame)}:{hashlib.blake2b(data, digest_size=16).hexdigest()}"


def content_key(values: tuple | list) -> str | None:
    """:func:`key_text` of ``values``, with a :func:`fingerprint` for each DataFrame, Series or
    array among them; None when one cannot be written."""
    parts: list[str | None] = []
    for value in values:
        if isinstance(value, (pd.DataFrame, pd.Series)):
            parts.append(fingerprint(value))
        elif isinstance(value, np.ndarray) and value.dtype != object:
            parts.append(f"{value.dtype}{value.shape}:{hashlib.blake2b(value.tobytes(), digest_size=16).hexdigest()}")
        else:
            parts.append(key_text(value))
    return None if any(p is None for p in parts) else "|".join(parts)  # type: ignore[arg-type]


def cached_payload(fn: Callable[..., T], store: Store, *args: object, **kwargs: object) -> T:
    """``fn(store, *args, **kwargs)`` of a page's map builder (its deck as a
    :class:`~dashboard.components.deck_spec.DeckSpec`, legend, tooltip texts), shared by
    every session for :data:`TTL_SECONDS` like :func:`cached_answer`, keyed also by the page's
    language (builders label in it). ``fn`` must draw nothing (no ``st.`` elements)."""
    key = key_text((args, kwargs))
    if key is not None:
        return _keyed_payload(f"{_name(fn)}|{store_key(store)}|{current_language()}|{key}", (fn, store, args, kwargs))
    return _payload(fn, _name(fn), store, store_key(store), current_language(), args, kwargs)


def cached_answer(fn: Callable[..., T], store: Store, *args: object, **kwargs: object) -> T:
    """``fn(store, *args, **kwargs)`` of an answer service, reused for :data:`TTL_SECONDS`.

    The arguments must be hashable by ``st.cache_data`` (filters, requests, numbers, text).
    """
    key = key_text((args, kwargs))
    if key is not None:
        return _keyed_answer(f"{_name(fn)}|{store_key(store)}|{key}", (fn, store, args, kwargs))
    return _answer(fn, _name(fn), store, store_key(store), args, kwargs)


def cached_compute(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` of a pure computation (no store, e.g. a forecast), reused the same way."""
    return _compute(fn, _name(fn), args)


def invalidate() -> None:
    """Forget every cached result (after the page changed data: an import, an SLA edit)."""
    _answer.clear()
    _keyed_answer.clear()
    _compute.clear()
    _payload.clear()
    _keyed_payload.clear()
