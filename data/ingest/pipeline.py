"""Overlap reading, validation and store writes of an import (two cores, three stages).

pyarrow's CSV reader, polars and both database drivers release the GIL while they work,
so reading the next chunk in one thread and writing the previous one in another runs
alongside the validation of the current chunk. Writes stay in file order (one writer),
and at most ``depth`` chunks wait at each stage, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")
_END = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items``, producing the next ones in a background thread (errors re-raised here)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                q.put(value, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer
            put(_Failure(exc))

    thread = threading.Thread(target=run, name="gridscope-read", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()


class Writer:
    """Runs store writes one at a time in a background thread, in submission order.

    ``depth`` writes may wait besides the one running (0: submitting waits for the
    running write, so one chunk is written while the next is validated).
    """

    def __init__(self, depth: int = 0) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridscope-write")
        self._pending: deque[tuple[Future, Callable[[Any], None] | None]] = deque()
        self._depth = depth

    def submit(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None) -> None:
        """Queue ``fn(*args)``; ``done(result)`` runs in the caller's thread once it finished."""
        while len(self._pending) > self._depth:
            self._harvest()
        self._pending.append((self._pool.submit(fn, *args), done))

    def _harvest(self) -> None:
        future, done = self._pending.popleft()
        result = future.result()
        if done is not None:
            done(result)

    def drain(self) -> None:
        """Wait for every queued write (re-raising the first error)."""
        while self._pending:
            self._harvest()

    def close(self, raise_errors: bool = True) -> None:
        """Drain, then stop the thread (``raise_errors=False`` while another error propagates)."""
        try:
            self.drain()
        except Exception:
            if raise_errors:
                raise
        finally:
            self._pool.shutdown(wait=True)


CSV_BYTES_PER_ROW = 200
"""Bytes per row assumed to estimate the rows of a file whose reader cannot count them
(CSV): an events row of ten columns is ~170 bytes, so the estimate errs low."""


@runtime_checkable
class BulkLoads(Protocol):
    """A store that can prepare a table for a load in many transactions (PostGIS: drop the
    secondary indexes once, rebuild them once at the end, ``PostGISStore.bulk_load``;
    DuckDB: write on one thread, ``DuckDBStore.bulk_load``)."""

    def bulk_load(self, table: str, rows: int) -> contextlib.AbstractContextManager[bool]:
        """Context of a load of about ``rows`` rows into ``table``."""
        ...


def expected_rows(rows: int | None, path: Path | None) -> int:
    """Rows a file will deliver: its reader's count, else its size / :data:`CSV_BYTES_PER_ROW`."""
    if rows is not None:
        return rows
    try:
        return path.stat().st_size // CSV_BYTES_PER_ROW if path else 0
    except OSError:
        return 0


def bulk_loading(store: object, table: str, rows: int) -> contextlib.AbstractContextManager[bool]:
    """``store.bulk_load(table, rows)`` where the store has one, else a context that does nothing."""
    if isinstance(store, BulkLoads):
        return store.bulk_load(table, rows)
    return contextlib.nullcontext(False)


__all__ = ["BulkLoads", "Writer", "bulk_loading", "expected_rows", "prefetch"]
