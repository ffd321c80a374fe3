"""Import batches: every import's state in the store (``import_batches``), so one that was
killed part-way leaves a trace (issue 9: ``kill -9`` left the committed chunks unexplained).

An import records its batch as ``running`` before it writes anything; after each chunk,
in the same transaction as the chunk's rows and rejects, the chunks and rows committed so
far; at the end ``finished``, ``stopped`` (the file could not be read further; what was
read is kept) or ``failed`` (an error). A batch still ``running`` whose process is gone
(same host: its pid does not run; another host: no progress for :data:`STALE_MINUTES`)
was **interrupted**: its committed chunks are in the store, the rest of the file is not.

Re-running the same file (same kind, same content: SHA-256) **completes** the newest
interrupted or failed batch: it takes over that batch id, deletes its rejects and imports
the whole file again. Events and readings are upserted by key, so the chunks committed
before change nothing (they count as unchanged); the batch ends ``finished``.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from data.store import Store

STALE_MINUTES = 30
"""A batch of another host without progress for this long counts as interrupted."""

STATES: tuple[str, ...] = ("running", "finished", "stopped", "failed")
"""Stored states; ``interrupted`` is derived (see :attr:`Batch.status`)."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 row"``, ``"2 rows"``: ``n`` (with thousands separators) and the English noun for it."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


@dataclass(frozen=True)
class FileIdentity:
    """What makes two imports "the same file": name (shown), size and content hash."""

    name: str
    size: int
    sha256: str


def file_identity(path: Path | str, name: str | None = None) -> FileIdentity:
    """Size and SHA-256 of a file (read in 1 MB blocks; ~1 s per GB)."""
    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return FileIdentity(name or path.name, path.stat().st_size, digest.hexdigest())


def _alive(pid: int | None, host: str | None, updated_at: datetime, now: datetime) -> bool:
    if host == socket.gethostname() and pid:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it runs
            return True
        return True
    return now - updated_at < timedelta(minutes=STALE_MINUTES)


@dataclass(frozen=True)
class Batch:
    """One row of ``import_batches``."""

    batch_id: str
    kind: str
    file_name: str
    file_size: int | None
    file_sha256: str | None
    state: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    chunks: int
    rows_read: int
    rows_stored: int
    rows_rejected: int
    attempts: int
    pid: int | None
    host: str | None
    error: str | None

    @property
    def status(self) -> str:
        """``state``, except ``interrupted`` for a ``running`` batch whose process is gone."""
        if self.state == "running" and not _alive(self.pid, self.host, self.updated_at, datetime.now()):
            return "interrupted"
        return self.state

    @property
    def unfinished(self) -> bool:
        """Interrupted or failed: re-running the same file completes it."""
        return self.status in ("interrupted", "failed")

    def describe(self) -> str:
        """One English line: batch, file, status and what was committed."""
        stored = f"{self.rows_stored:,} stored, {self.rows_rejected:,} rejected"
        rows = f"{plural(self.chunks, 'chunk')}, {plural(self.rows_read, 'row')} read ({stored})"
        when = f"started {self.started_at:%Y-%m-%d %H:%M}"
        text = f"{self.batch_id} [{self.status}] {self.kind} {self.file_name}: {rows}, {when}"
        if self.status == "interrupted":
            text += f", last progress {self.updated_at:%Y-%m-%d %H:%M} (process {self.pid} on {self.host} is gone)"
        if self.error:
            text += f"; {self.error}"
        return text


def _value(v: object) -> object:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v


def list_batches(
    store: Store, limit: int = 50, *, kind: str | None = None, sha256: str | None = None, batch_id: str | None = None
) -> list[Batch]:
    """Batches, newest first (named query ``list_import_batches``)."""
    frame = store.fetch("list_import_batches", kind=kind, sha256=sha256, batch_id=batch_id, limit=limit)
    out = []
    for row in frame.to_dict("records"):
        values = {k: _value(v) for k, v in row.items()}
        for k in ("chunks", "rows_read", "rows_stored", "rows_rejected", "attempts"):
            values[k] = int(values[k] or 0)
        out.append(Batch(**values))
    return out


def unfinished_batches(store: Store, limit: int = 200) -> list[Batch]:
    """Interrupted and failed batches among the newest ``limit`` (for the CLI and the page)."""
    return [b for b in list_batches(store, limit) if b.unfinished]


def earlier_batch(store: Store, kind: str, file: FileIdentity, batch_id: str | None = None) -> Batch | None:
    """The batch a new import of ``file`` continues, if any.

    With ``batch_id`` (given by the user): that batch, whatever its file or state. Else the
    newest batch of the same kind and content that is interrupted, failed or still running
    (a running one means another process imports the file now: the caller refuses).
    """
    if batch_id is not None:
        found = list_batches(store, 1, batch_id=batch_id)
        return found[0] if found else None
    for batch in list_batches(store, 20, kind=kind, sha256=file.sha256):
        if batch.file_size == file.size and batch.status in ("interrupted", "failed", "running"):
            return batch
    return None


class BatchLog:
    """Writes one import's row of ``import_batches`` (through ``store.upsert_frame``)."""

    def __init__(self, store: Store, batch_id: str, kind: str, file: FileIdentity, attempts: int = 1) -> None:
        self.store, self.batch_id, self.kind, self.file, self.attempts = store, batch_id, kind, file, attempts

    def _write(self, **values: object) -> None:
        row = {"batch_id": self.batch_id, "updated_at": datetime.now(), **values}
        frame = pd.DataFrame([row])
        for col in ("started_at", "updated_at", "finished_at"):
            if col in frame.columns:
                frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
        for col in ("file_size", "chunks", "rows_read", "rows_stored", "rows_rejected"):
            if col in frame.columns:
                frame[col] = frame[col].astype("Int64")
        for col in ("attempts", "pid"):
            if col in frame.columns:
                frame[col] = frame[col].astype("Int32")
        self.store.upsert_frame("import_batches", frame, ["batch_id"])

    def start(self) -> None:
        """Record the batch as running, with no rows committed yet."""
        now = datetime.now()
        self._write(
            kind=self.kind,
            file_name=self.file.name,
            file_size=self.file.size,
            file_sha256=self.file.sha256,
            state="running",
            started_at=now,
            finished_at=None,
            chunks=0,
            rows_read=0,
            rows_stored=0,
            rows_rejected=0,
            attempts=self.attempts,
            pid=os.getpid(),
            host=socket.gethostname(),
            error=None,
        )

    def committed(self, chunks: int, rows_read: int, rows_stored: int, rows_rejected: int) -> None:
        """Counts after a committed chunk (call inside the chunk's transaction)."""
        self._write(chunks=chunks, rows_read=rows_read, rows_stored=rows_stored, rows_rejected=rows_rejected)

    def finish(
        self,
        state: str,
        rows_read: int,
        rows_stored: int,
        rows_rejected: int,
        error: str | None = None,
        chunks: int | None = None,
    ) -> None:
        """Record the end: ``finished``, ``stopped`` or ``failed``."""
        if state not in STATES[1:]:
            raise ValueError(f"state must be one of {STATES[1:]}, got {state!r}")
        extra = {} if chunks is None else {"chunks": chunks}
        self._write(
            state=state,
            finished_at=datetime.now(),
            rows_read=rows_read,
            rows_stored=rows_stored,
            rows_rejected=rows_rejected,
            error=(error or None) and str(error)[:2000],
            **extra,
        )

    def fail(self, error: str) -> None:
        """Record ``failed``, keeping the counts of the chunks committed before."""
        self._write(state="failed", finished_at=datetime.now(), error=error[:2000])


__all__ = [
    "STALE_MINUTES",
    "STATES",
    "Batch",
    "BatchLog",
    "FileIdentity",
    "earlier_batch",
    "file_identity",
    "plural",
    "list_batches",
    "unfinished_batches",
]
