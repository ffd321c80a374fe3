"""Tables that change only with the data (area shapes, the area tree), read once per data
version in this process and shared by every caller, so an analysis asked for with new
filters does not read and decode them again (``Store.cache_key`` names the data version)."""

from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd

from data.store import Store

MAX_KEPT = 64
"""Frames kept at most (the least recently used go first)."""

_kept: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_lock = threading.Lock()


def kept_fetch(store: Store, name: str, **params: object) -> pd.DataFrame:
    """``store.fetch(name, **params)`` of a named query over static tables, kept while the
    store's data version stays (a copy: the caller may change it)."""
    key = (store.cache_key(), name, tuple(sorted(params.items())))
    with _lock:
        frame = _kept.get(key)
        if frame is not None:
            _kept.move_to_end(key)
    if frame is None:
        frame = store.fetch(name, **params)
        with _lock:
            _kept[key] = frame
            while len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
    return frame.copy()


__all__ = ["MAX_KEPT", "kept_fetch"]
