"""An import's records in the store: its ``import_batches`` row and its report in ``meta``.

:func:`begin_batch` records the batch as running before anything is written (completing the
newest interrupted or failed batch of the same file, :mod:`data.ingest.batches`);
:func:`end_batch` / :func:`fail_batch` record how it ended; :func:`remember` keeps the
report for the import page.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from data.ingest.batches import BatchLog, FileIdentity, earlier_batch, file_identity
from data.ingest.dry_run import DryRunStore
from data.ingest.opening import ImportFileError
from data.ingest.pipeline import Writer
from data.ingest.readers import ReadError
from data.ingest.report import ImportReport
from data.store import Store


def begin_batch(
    store: Store, report: ImportReport, path: Path, explicit_id: bool, ident: Future[FileIdentity] | None = None
) -> BatchLog:
    """Record the batch as running before anything is written; completes the newest
    interrupted or failed batch of the same file (its id, its rejects re-written).
    ``ident``: the file's identity being computed (:func:`hash_in_background`), else computed here."""
    ident = ident.result() if ident is not None else file_identity(path)
    earlier = earlier_batch(store, report.table, ident, report.batch_id if explicit_id else None)
    attempts = 1
    if earlier is not None:
        if earlier.status == "running":
            raise ImportFileError(
                f"{path.name!r} is being imported right now as batch {earlier.batch_id} (process {earlier.pid} "
                f"on {earlier.host}); wait until it has finished"
            )
        if earlier.unfinished:
            report.completes = (
                f"{earlier.batch_id} ({earlier.status} after {earlier.chunks:,} chunks, "
                f"{earlier.rows_read:,} rows read)"
            )
        report.batch_id, attempts = earlier.batch_id, earlier.attempts + 1
        store.execute("delete_import_rejects", batch_id=earlier.batch_id)
    log = BatchLog(store, report.batch_id, report.table, ident, attempts)
    log.start()
    return log


def hash_in_background(path: Path) -> Future[FileIdentity]:
    """The file's identity (:func:`~data.ingest.batches.file_identity`) computed in a thread
    while the import prepares (hashlib releases the interpreter lock: ~0.3 s per 160 MB saved)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridscope-hash")
    future = pool.submit(file_identity, path)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future


def end_batch(log: BatchLog, report: ImportReport, chunks: int | None = None) -> None:
    """``finished``, or ``stopped`` when reading broke off part-way."""
    log.finish(
        "stopped" if report.error else "finished",
        report.rows_read,
        report.stored,
        report.rejected,
        error=report.error,
        chunks=chunks,
    )


def fail_batch(log: BatchLog, exc: BaseException) -> None:
    """Mark the batch failed (best effort: the store may be what failed)."""
    with contextlib.suppress(Exception):
        log.fail(f"{type(exc).__name__}: {exc}")


def remember(store: Store, report: ImportReport) -> None:
    """Keep the report in ``meta`` (``import:last:<table>`` and ``import:<batch_id>``)."""
    report.dry_run = isinstance(store, DryRunStore)
    text = json.dumps(report.to_dict(), ensure_ascii=False, default=str)
    store.set_meta(f"import:{report.batch_id}", text)
    store.set_meta(f"import:last:{report.table}", text)


__all__ = ["begin_batch", "end_batch", "fail_batch", "hash_in_background", "remember"]


@contextlib.contextmanager
def chunk_writes(writer: Writer, log: BatchLog, report: ImportReport) -> Iterator[None]:
    """The end of an import's chunk loop (events, readings): wait for the last chunk's writes; a
    file that stops reading ends with the rows so far (``report.error``); any other failure marks
    the batch failed (re-running the file completes it) and raises. The writer is closed always."""
    failed = False
    try:
        yield
        writer.drain()
    except ReadError as exc:
        writer.drain()
        report.error = str(exc)
    except BaseException as exc:
        failed = True
        writer.close(raise_errors=False)
        fail_batch(log, exc)
        raise
    finally:
        writer.close(raise_errors=not failed)
