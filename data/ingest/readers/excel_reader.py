"""Spreadsheets (XLSX, XLSM, XLS, ODS) through calamine, read whole (XLSX holds ~1M rows at most)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from data.ingest.readers.base import Chunk, SourceInfo, dedupe_columns, frame_chunks


class ExcelReader:
    """One sheet of a workbook, every cell as text."""

    def __init__(self) -> None:
        self.frame: pd.DataFrame | None = None

    def open(self, path: Path, fmt: str, *, sheet: str | int = 0) -> SourceInfo:
        """Read sheet ``sheet`` (name or index) whole; its first row is the header."""
        frame = pd.read_excel(path, sheet_name=sheet, engine="calamine", dtype=str)
        frame.columns = dedupe_columns([str(c) for c in frame.columns])
        self.frame = frame
        return SourceInfo(path, fmt, list(frame.columns), rows=len(frame))

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the sheet's rows in chunks of ``size``."""
        assert self.frame is not None
        return frame_chunks(self.frame, size)
