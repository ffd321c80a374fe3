"""A check-only import: :class:`DryRunStore` wraps a store, reads through, counts the writes."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pandas as pd

from data.store import ParamStyle, SqlParams, Store


class _Discard(Exception):  # noqa: N818 - not an error: rolls back the real store's transaction
    """Raised inside the real store's transaction so that whatever :meth:`DryRunStore.sql` ran is undone."""


class DryRunStore:
    """Wraps a store for a check-only import: reads go to the store, writes are counted, not made.

    A complete :class:`data.store.Store`. Reads (``fetch``, ``table_counts``, ``get_meta``,
    ``data_freshness``, ``label``, ``ping``) return the wrapped store's answers; writes
    (``insert_frame``, ``upsert_frame``, ``execute``, ``set_meta``, ``clear``) and upkeep
    (``checkpoint``, ``migrate``, ``close``) leave it as it is. Rejected rows are kept in
    :attr:`rejects` (up to ``keep`` of them) for a page to show. Every written row counts as
    new (whether it would update an existing row is not known without writing).
    """

    def __init__(self, store: Store, keep: int = 500) -> None:
        self.store = store
        self.dialect: str = store.dialect
        self.paramstyle: ParamStyle = store.paramstyle
        self.keep = keep
        self.rejects: list[pd.DataFrame] = []
        self._kept = 0

    # -- reads: the wrapped store's answers ----------------------------------------------

    @property
    def label(self) -> str:
        """The wrapped store's label."""
        return self.store.label

    def cache_key(self) -> str:
        """The wrapped store's key: a dry run reads exactly its data (and changes none)."""
        return self.store.cache_key()

    @property
    def streets(self) -> tuple[str, ...]:
        """The wrapped store's street scope."""
        return self.store.streets

    def read_only_file(self) -> str | None:
        """The wrapped store's read-only file, if any."""
        return self.store.read_only_file()

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Read from the wrapped store."""
        return self.store.fetch(name, **params)

    def sql(self, text: str, params: SqlParams = None) -> pd.DataFrame:
        """Run trusted SQL on the wrapped store in a transaction that is rolled back: a
        query's rows come back, anything the statement changed is undone. (Inside a
        transaction of the wrapped store opened by the caller, it joins that one, which
        then decides.) ``StoreReadOnly`` from a read-only store passes through."""
        result = pd.DataFrame()
        with contextlib.suppress(_Discard), self.store.transaction():
            result = self.store.sql(text, params)
            raise _Discard
        return result

    def table_counts(self) -> dict[str, int]:
        """The wrapped store's row counts (a dry run's writes are not in them)."""
        return self.store.table_counts()

    def get_meta(self, key: str) -> str | None:
        """The wrapped store's value (what :meth:`set_meta` was given is not kept)."""
        return self.store.get_meta(key)

    def data_freshness(self) -> datetime | None:
        """The wrapped store's newest event time."""
        return self.store.data_freshness()

    def ping(self) -> None:
        """Check the wrapped store answers (raises its :class:`~data.store.StoreUnavailable`)."""
        self.store.ping()

    # -- writes: counted, not made -------------------------------------------------------

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Count rows; keep the first rejects."""
        if table == "import_rejects" and self._kept < self.keep:
            self.rejects.append(frame.head(self.keep - self._kept))
            self._kept += len(self.rejects[-1])
        return len(frame)

    def upsert_frame(self, table: str, frame: pd.DataFrame, keys: list[str], *, update: bool = True) -> dict[str, int]:
        """Count every row as new."""
        return {"inserted": len(frame), "updated": 0, "unchanged": 0}

    def execute(self, name: str, **params: object) -> None:
        """Do nothing."""

    def transaction(self) -> contextlib.AbstractContextManager[DryRunStore]:
        """Nothing is written, so nothing to commit."""
        return contextlib.nullcontext(self)

    def clear(self, tables: list[str]) -> None:
        """Do nothing (the wrapped store keeps its rows)."""

    def set_meta(self, key: str, value: str) -> None:
        """Do nothing."""

    # -- upkeep: nothing to do -----------------------------------------------------------

    def checkpoint(self) -> None:
        """Do nothing: a dry run wrote nothing to make durable."""

    def migrate(self) -> list[str]:
        """Do nothing to the wrapped store's schema; no migration applied: ``[]``."""
        return []

    def close(self) -> None:
        """Do nothing: the wrapped store belongs to the caller (e.g. the dashboard's cached
        store), who closes it."""

    # -- for the page --------------------------------------------------------------------

    def rejected_rows(self) -> pd.DataFrame:
        """The kept rejects: ``row_number, reason, raw``."""
        if not self.rejects:
            return pd.DataFrame(columns=["row_number", "reason", "raw"])
        return pd.concat(self.rejects, ignore_index=True)[["row_number", "reason", "raw"]]


__all__ = ["DryRunStore"]
