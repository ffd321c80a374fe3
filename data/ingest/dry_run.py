"""A check-only import: :class:`DryRunStore` wraps a store, reads through, counts the writes."""

from __future__ import annotations

import contextlib

import pandas as pd

from data.store import Store


class DryRunStore:
    """Wraps a store for a check-only import: reads go to the store, writes are counted, not made.

    Rejected rows are kept in :attr:`rejects` (up to ``keep`` of them) for a page to show.
    Every written row counts as new (whether it would update an existing row is not known
    without writing).
    """

    def __init__(self, store: Store, keep: int = 500) -> None:
        self.store = store
        self.dialect = store.dialect
        self.keep = keep
        self.rejects: list[pd.DataFrame] = []
        self._kept = 0

    def fetch(self, name: str, **params: object) -> pd.DataFrame:
        """Read from the wrapped store."""
        return self.store.fetch(name, **params)

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

    def set_meta(self, key: str, value: str) -> None:
        """Do nothing."""

    def rejected_rows(self) -> pd.DataFrame:
        """The kept rejects: ``row_number, reason, raw``."""
        if not self.rejects:
            return pd.DataFrame(columns=["row_number", "reason", "raw"])
        return pd.concat(self.rejects, ignore_index=True)[["row_number", "reason", "raw"]]


__all__ = ["DryRunStore"]
