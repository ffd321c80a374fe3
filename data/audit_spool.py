"""The audit trail of read-only DuckDB replicas: rows kept in a spool until the file is writable.

A DuckDB file opened read-only (``GRIDSCOPE_DB_READ_ONLY``, several replicas reading one file)
cannot take ``audit_log`` rows, but every view and export must still leave a trace. Each
replica process appends its rows as JSON lines to its own file in ``<database>.audit-spool/``
(opened for appending, flushed and synced per row), and :func:`merge_spool` moves them into
``audit_log`` when the database is next opened for writing (``gridscope audit merge``, and
``gridscope audit list`` first). A spool file is merged in one transaction that also records
its name in ``meta``, so a merge killed after its commit but before the file is deleted does
not add the rows twice.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import datetime
from pathlib import Path

from data.store import Store

SUFFIX = ".audit-spool"
_MERGED_KEY = "audit_spool_merged"
_KEEP_MERGED = 200  # names remembered; a spool file is deleted right after its merge
_FILE = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"


def spool_dir(db_path: Path | str) -> Path:
    """The spool directory of the DuckDB file ``db_path``."""
    return Path(f"{db_path}{SUFFIX}")


def spool_row(db_path: Path | str, row: dict[str, object]) -> None:
    """Append one validated audit row (the ``audit_append`` parameters) to this process's spool file."""
    folder = spool_dir(db_path)
    folder.mkdir(exist_ok=True)
    line = json.dumps({**row, "at": row["at"].isoformat() if isinstance(row["at"], datetime) else row["at"]})
    with open(folder / _FILE, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def spooled_count(db_path: Path | str) -> int:
    """How many rows wait in the spool of ``db_path``."""
    folder = spool_dir(db_path)
    if not folder.is_dir():
        return 0
    return sum(sum(1 for line in f.open(encoding="utf-8") if line.strip()) for f in sorted(folder.glob("*.jsonl")))


def _rows(path: Path) -> list[dict[str, object]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:  # a line cut by a killed process: the only one that can be, the last
            continue
        row["at"] = datetime.fromisoformat(row["at"])
        rows.append(row)
    return rows


def merge_spool(store: Store, db_path: Path | str) -> int:
    """Move every spooled row of ``db_path`` into ``audit_log`` of ``store`` (that database,
    opened for writing: possible only once no replica holds it open); return how many rows were added."""
    folder = spool_dir(db_path)
    if not folder.is_dir():
        return 0
    added = 0
    for path in sorted(folder.glob("*.jsonl")):
        merged = json.loads(store.get_meta(_MERGED_KEY) or "[]")
        if path.name in merged:  # committed by a merge that was killed before it deleted the file
            path.unlink()
            continue
        rows = _rows(path)
        with store.transaction() as tx:
            for row in rows:
                tx.execute("audit_append", **row)
            tx.set_meta(_MERGED_KEY, json.dumps([*merged, path.name][-_KEEP_MERGED:]))
        path.unlink()
        added += len(rows)
    return added
