"""Rejected rows: marking a row's reason and writing rejects to ``import_rejects``.

A row whose ``reason`` is set is not stored; :class:`Rejects` turns a chunk's rejected rows
(and the lines the reader could not split) into ``import_rejects`` rows with their row
number, reason and raw text, counting them in the report as it goes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from data.ingest.pipeline import Writer
from data.ingest.readers import Chunk
from data.ingest.report import ImportReport
from data.ingest.validate import storable
from data.store import Store


class Rejects:
    """Collects rejected rows of a chunk for ``import_rejects`` (counted at once, written by ``writer``)."""

    def __init__(self, store: Store, batch_id: str, report: ImportReport, writer: Writer | None = None) -> None:
        self.store, self.batch_id, self.report, self.writer = store, batch_id, report, writer

    def write(self, chunk: Chunk, checked: pl.DataFrame | None) -> None:
        """Write the chunk's rejects now (or through the writer, when there is one)."""
        frame = self.frame(chunk, checked)
        if frame is None:
            return
        if self.writer is None:
            self.store.insert_frame("import_rejects", frame)
        else:
            self.writer.submit(self.store.insert_frame, "import_rejects", frame)

    def frame(self, chunk: Chunk, checked: pl.DataFrame | None) -> pd.DataFrame | None:
        """The chunk's rejected rows for ``import_rejects`` (counted in the report), or None."""
        rows: list[int] = []
        reasons: list[str] = []
        raws: list[str] = []
        for row, text in chunk.bad_rows:
            rows.append(row)
            reasons.append("unreadable line: the number of fields differs from the header")
            raws.append(storable(text[:4000]))
        if checked is not None:
            bad = checked.filter(pl.col("reason").is_not_null()).select("_pos", "_row", "reason")
            if bad.height:
                rows += bad.get_column("_row").to_list()
                reasons += bad.get_column("reason").to_list()
                raws += [storable(r[:4000]) for r in chunk.raw(bad.get_column("_pos").to_numpy())]
        if not rows:
            return None
        self.report.rejected += len(rows)
        self.report.reasons.update(r.partition(": ")[0] for r in reasons)
        return pd.DataFrame(
            {
                "batch_id": self.batch_id,
                "row_number": np.asarray(rows, dtype=np.int64),
                "reason": [storable(r) for r in reasons],
                "raw": raws,
            }
        )


def reject(frame: pl.DataFrame, mask: np.ndarray, messages: np.ndarray | list[str] | str) -> pl.DataFrame:
    """Set ``reason`` where ``mask`` (and no reason yet): ``messages`` is one text, one per
    row of ``frame``, or one per row of ``mask`` (in order; cheaper when few rows are hit)."""
    mask = np.asarray(mask, dtype=bool)
    if isinstance(messages, str):
        msg: pl.Expr | pl.Series = pl.lit(messages)
    else:
        hit = np.flatnonzero(mask)
        texts = np.asarray(messages, dtype=object)
        texts = texts[hit] if len(texts) == len(mask) and len(texts) != len(hit) else texts
        msg = pl.Series("m", [None] * len(mask), dtype=pl.String).scatter(
            hit, pl.Series(texts.tolist(), dtype=pl.String)
        )
    return frame.with_columns(
        pl.when(pl.col("reason").is_null() & pl.Series(mask)).then(msg).otherwise(pl.col("reason")).alias("reason")
    )


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """``frame`` as pandas with Arrow-backed columns (what the stores load)."""
    return frame.to_pandas(use_pyarrow_extension_array=True)


__all__ = ["Rejects", "reject", "to_pandas"]
