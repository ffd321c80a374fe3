"""The report of one import: what was read, stored and rejected, and why (:class:`ImportReport`).

Every importer returns one; :meth:`ImportReport.lines` prints the reconciliation (rows read =
stored + rejected) in English for the CLI, and :meth:`ImportReport.to_dict` is the plain-JSON
form kept in ``meta`` for the import page (which translates it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from data.contracts import DEFAULT_SLA_HOURS
from data.ingest.batches import plural
from data.ingest.validate import STATUS_FINDINGS

Progress = Callable[[int, int | None], None]
"""``progress(rows_done, rows_total_or_None)``, called after each chunk."""


@dataclass
class ImportReport:
    """What an import did; ``rows_read == stored + rejected`` when :attr:`reconciled`."""

    table: str
    file: str
    batch_id: str
    format: str = ""
    encoding: str | None = None
    crs: str = "wgs84"
    mapping: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Of ``unchanged``: rows found stored as they are and not checked again (:mod:`data.ingest.unchanged`)."""
    merged: int = 0
    """Area features folded into an earlier feature with the same id (areas only)."""
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    new_categories: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    assumed_sla: Counter = field(default_factory=Counter)
    """Category code -> rows of this file whose category's SLA is assumed (the defaults)."""
    statuses: Counter = field(default_factory=Counter)
    """Status findings (:data:`data.ingest.validate.STATUS_FINDINGS` key + value) -> rows, e.g.
    ``unmapped: Pending Review``, ``not resolved: Duplicate (Closed)``, ``closed, no time: Closed``,
    ``by notes: Case Transferred`` (a closed row re-classified by that ``[status_note_rules]`` rule)."""
    new_sensors: int = 0
    reassigned: int = 0
    outside_new_areas: int = 0
    parents_from_file: int = 0
    """Areas whose parent is the file's ``parent_id`` (areas only, :mod:`data.ingest.area_parents`)."""
    parents_by_location: int = 0
    """Areas whose parent was missing, unknown or skipped a level: the coarser area containing them."""
    parents_top: int = 0
    """Areas stored without a parent: no coarser area of the file contains them."""
    time_formats: dict[str, dict] = field(default_factory=dict)
    """Time field -> its column and format (:meth:`data.ingest.validate.TimeParser.summary`): what
    was detected on a sample of the file (or given by the mapping), e.g. ``%m/%d/%y %H:%M``."""
    time_window: str = ""
    """Plausible times of this import (rows outside were rejected), e.g. ``1990-01-01 00:00 … 2026-12-02 09:15``."""
    error: str | None = None
    completes: str | None = None
    """The earlier batch of the same file this import completed (see :mod:`data.ingest.batches`):
    ``"<batch id> (interrupted after 3 chunks, 6,000 rows read)"``; None for a new batch."""
    seconds: float = 0.0
    dry_run: bool = False
    """A check only: nothing was written; "stored" means "would be stored"."""

    def time_lines(self) -> list[str]:
        """The format of each time column and the plausible window (empty for areas)."""
        if not self.time_formats:
            return []
        out = [f"  times (plausible {self.time_window}):" if self.time_window else "  times:"]
        out += [f"    {name} <- {info.get('column')!r}: {info.get('text')}" for name, info in self.time_formats.items()]
        day_only = [n for n, info in self.time_formats.items() if info.get("date_only")]
        if day_only:
            out.append(f"    date only: {', '.join(day_only)} (a close on the day of the report is not 'before' it)")
        return out

    def sla_lines(self) -> list[str]:
        """The categories of this file whose SLA is assumed, most rows first (empty when none)."""
        if not self.assumed_sla:
            return []
        response_h, close_h = DEFAULT_SLA_HOURS
        top = self.assumed_sla.most_common()
        more = f" … (+{len(top) - 20:,} more)" if len(top) > 20 else ""
        return [
            f"  assumed SLA ({response_h:g} h response / {close_h:g} h close) for "
            f"{plural(len(top), 'category', 'categories')} ({plural(sum(self.assumed_sla.values()), 'row')}): "
            + ", ".join(f"{c} ({n:,})" for c, n in top[:20])
            + more,
            "    set the real hours: gridscope import categories FILE (code, name, department, hours)",
        ]

    def status_lines(self) -> list[str]:
        """Status values left unmapped, closures that are no resolution (by status or by the
        status notes' rules), closed rows without a time."""
        out = []
        for finding, text in STATUS_FINDINGS.items():
            found = [(k.partition(": ")[2], n) for k, n in self.statuses.most_common() if k.startswith(finding + ": ")]
            if found:
                if finding == "by notes" and "status_note" in self.columns:
                    text = text.replace("status notes", f"status notes (column {self.columns['status_note']!r})", 1)
                out.append(
                    f"  {text} ({plural(sum(n for _, n in found), 'row')}): "
                    + ", ".join(f"'{v}' ({n:,})" for v, n in found[:30])
                    + (f" … (+{len(found) - 30:,} more)" if len(found) > 30 else "")
                )
        return out

    @property
    def stored(self) -> int:
        """Rows now in the store from this file (new + updated + unchanged + merged)."""
        return self.inserted + self.updated + self.unchanged + self.merged

    @property
    def reconciled(self) -> bool:
        """True when every row read is either stored or rejected."""
        return self.rows_read == self.stored + self.rejected

    def to_dict(self) -> dict:
        """Plain-JSON form (for ``meta`` and the page)."""
        out = asdict(self)
        out["reasons"] = dict(self.reasons)
        out["warnings"] = dict(self.warnings)
        out["assumed_sla"] = dict(self.assumed_sla)
        out["statuses"] = dict(self.statuses)
        out["stored"] = self.stored
        out["reconciled"] = self.reconciled
        return out

    def lines(self) -> list[str]:
        """A printable reconciliation, one fact per line (English; pages translate)."""
        out = [
            f"{self.file}: {self.format}{f' ({self.encoding})' if self.encoding else ''}, "
            f"mapping {self.mapping}" + (f", coordinates {self.crs}" if self.crs else ""),
            f"rows read {self.rows_read:,} = stored {self.stored:,} + rejected {self.rejected:,}"
            f"  [{'OK' if self.reconciled else 'MISMATCH'}]",
            ("  check only, nothing written: " if self.dry_run else "  stored: ")
            + f"{self.inserted:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged"
            + (f", {self.merged:,} merged into another feature of the same area" if self.merged else ""),
        ]
        if self.skipped:
            out.append(
                f"  of the unchanged, {self.skipped:,} are exactly as stored (same id, content and reading) "
                "and were not checked again: the notes below are about the other rows"
            )
        out += self.time_lines()
        out += [f"  rejected {n:,}: {reason}" for reason, n in self.reasons.most_common()]
        out += [f"  warning ({plural(n, 'row')}): {w}" for w, n in self.warnings.most_common(10)]
        for label, names in (("categories", self.new_categories), ("departments", self.new_departments)):
            if names:
                more = f" … (+{len(names) - 12:,} more)" if len(names) > 12 else ""
                out.append(f"  new {label} ({len(names):,}): {', '.join(names[:12])}{more}")
        out += self.sla_lines() + self.status_lines()
        if self.new_sensors:
            out.append(f"  new sensors: {self.new_sensors:,}")
        if self.table == "areas":
            out.append(
                f"  parents: {self.parents_from_file:,} from the file, {self.parents_by_location:,} by location "
                f"(the coarser area containing each), {self.parents_top:,} at the top"
            )
            out.append(f"  events re-assigned: {self.reassigned:,}; outside every area: {self.outside_new_areas:,}")
        if self.error:
            out.append(f"  STOPPED: {self.error}")
        if self.completes:
            out.append(f"  completes batch {self.completes}")
        out.append(f"  batch {self.batch_id}, {self.seconds:.1f} s")
        return out


__all__ = ["ImportReport", "Progress"]
