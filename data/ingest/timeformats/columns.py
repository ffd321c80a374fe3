"""A file's time columns (:class:`TimeParser`): each read with one format, the mapping's
or one detected from a sample before any row is stored, and the reject reasons for the
values that format cannot read or that fall outside the plausible window.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from data.ingest.timeformats.detection import AmbiguousDateOrderError, detect_format
from data.ingest.timeformats.formats import TimeFormat
from data.ingest.timeformats.window import TimeWindow

if TYPE_CHECKING:
    from data.ingest.mappings import Mapping


@dataclass
class TimeParser:
    """Reads each time column with one format: the mapping's, or one detected from a sample.

    :meth:`detect` fixes a column's format (from a sample, before any row is stored);
    :meth:`parse` then reads every chunk of that column with it. A column first seen
    in :meth:`parse` (empty in the sample) is detected there, on that chunk.
    """

    formats: tuple[str, ...] = ()
    """The mapping's ``time_formats``: tried before the built-in ones, winning ties."""
    timezone: str = "Asia/Shanghai"
    column_formats: MappingABC[str, str] = field(default_factory=dict)
    """The mapping's ``[time_format]``: field -> the format of its column (no detection)."""
    date_order: str | None = None
    window: TimeWindow | None = None
    """Plausible times (default :data:`~data.ingest.timeformats.DEFAULT_WINDOW` in ``timezone``)."""
    columns: dict[str, str] = field(default_factory=dict)
    """field -> the file's column name, for messages."""
    detected: dict[str, TimeFormat | None] = field(default_factory=dict)
    ambiguous: dict[str, AmbiguousDateOrderError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window is None:
            self.window = TimeWindow.from_spec(None, self.timezone)

    @classmethod
    def for_mapping(cls, mapping: Mapping, resolved: MappingABC[str, str] | None = None) -> TimeParser:
        """The parser a mapping describes (time zone, formats, date order, window)."""
        return cls(
            tuple(mapping.time_formats),
            mapping.timezone,
            dict(mapping.time_format),
            mapping.date_order,
            TimeWindow.from_spec(mapping.time_window, mapping.timezone),
            dict(resolved or {}),
        )

    def detect(self, name: str, sample: pl.Series) -> TimeFormat | None:
        """Fix the format of column ``name`` from ``sample`` (None: no format reads any value).

        Raises
        ------
        AmbiguousDateOrderError
            Month first and day first fit equally and the mapping does not say which.
        """
        if name in self.column_formats:
            fmt = TimeFormat.from_spec(self.column_formats[name], "mapping")
        else:
            fmt = detect_format(
                sample,
                timezone=self.timezone,
                window=self.window,
                date_order=self.date_order,
                preferred=self.formats,
                field_name=name,
                column=self.columns.get(name, name),
            )
        self.detected[name] = fmt
        return fmt

    def parse(self, name: str, text: pl.Series) -> pl.Series:
        """``text`` read with the column's format as ``Datetime("us")``; null where empty or not that format."""
        if text.dtype == pl.Datetime:
            return text.cast(pl.Datetime("us"))
        text = text.cast(pl.String)
        if name not in self.detected and name not in self.ambiguous and text.null_count() < len(text):
            try:
                self.detect(name, text)
            except AmbiguousDateOrderError as exc:  # too late to stop the import: its rows are rejected
                self.ambiguous[name] = exc
        fmt = self.detected.get(name)
        if fmt is None:
            return pl.Series(name, [None] * len(text), dtype=pl.Datetime("us"))
        return fmt.parse(text, self.timezone).alias(name)

    def problem(self, name: str) -> tuple[str, str]:
        """``(reason, note)`` for a value of column ``name`` that :meth:`parse` could not read."""
        if name in self.ambiguous:
            return "ambiguous date order", ' (month or day first? set date_order = "mdy" or "dmy" in the mapping)'
        fmt = self.detected.get(name)
        if fmt is None:
            return "unparseable time", " (no known time format fits this column)"
        return "unparseable time", f" (the column's format is {fmt.pattern})"

    def date_only(self, name: str) -> bool:
        """True when column ``name`` holds dates without a time of day."""
        fmt = self.detected.get(name)
        return fmt is not None and fmt.date_only

    def summary(self) -> dict[str, dict[str, object]]:
        """field -> the column, its format (``TimeFormat.to_dict``) and a line of English."""
        out: dict[str, dict[str, object]] = {}
        for name, fmt in self.detected.items():
            entry: dict[str, object] = {"column": self.columns.get(name, name)}
            if fmt is None:
                entry.update(pattern=None, text="no known time format: every value is rejected")
            else:
                entry.update(fmt.to_dict(), text=fmt.describe())
                if self.date_order and fmt.order == self.date_order and fmt.source == "detected":
                    # the pattern came from the file, the order from the mapping
                    entry.update(
                        order_source="mapping",
                        text=str(entry["text"]).replace("detected)", "detected, date_order from the mapping)"),
                    )
            out[name] = entry
        for name in self.ambiguous:
            out[name] = {
                "column": self.columns.get(name, name),
                "pattern": None,
                "ambiguous": True,
                "text": "month or day first is unknown: every value is rejected (set date_order)",
            }
        return out

    def out_of_window(self, col: str, label: str | None = None) -> tuple[pl.Expr, pl.Expr]:
        """A check for :func:`data.ingest.validate._first_reason`: the parsed ``col`` lies outside the window."""
        w = self.window
        assert w is not None
        return (
            (pl.col(col) < w.start) | (pl.col(col) > w.end),
            pl.lit(f"time outside the plausible range: {label or col} = ")
            + pl.col(col).dt.strftime("%Y-%m-%d %H:%M")
            + pl.lit(f" (allowed {w.label()}; time_window in the mapping)"),
        )
