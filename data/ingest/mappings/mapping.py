"""The :class:`Mapping` dataclass: which column of a user's file feeds which GridScope
field, the fields each table may fill (:data:`FIELDS`) and those it needs (:data:`REQUIRED`).

The file format is described in :mod:`data.ingest.mappings`; a mapping writes itself
back as such a file (:meth:`Mapping.to_toml`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from data.contracts import STAGE_COLUMNS

FIELDS: dict[str, tuple[str, ...]] = {
    "events": (
        "event_id",
        "source",
        "category",
        "category_name",
        "description",
        "lon",
        "lat",
        "department",
        "department_name",
        "priority",
        "status",
        "status_note",
        *STAGE_COLUMNS,
        "satisfaction",
        "reopened",
        "sensor_id",
    ),
    "areas": ("area_id", "level", "parent_id", "name_zh", "name_en", "households", "population"),
    "readings": ("sensor_id", "ts", "value", "kind", "unit", "lon", "lat", "threshold"),
    "categories": ("code", "name_zh", "name_en", "department", "sla_response_h", "sla_close_h"),
}
"""Fields a mapping may fill, per target table (``*_name`` fields name new lookup entries;
``status_note`` is read for :attr:`Mapping.status_note_rules`, never stored)."""

NOTE_STATUSES: tuple[str, ...] = ("cancelled", "closed")
"""What a status-note rule may make of a closed row: ``cancelled`` (closed without a
resolution) or ``closed`` (a resolution: no later rule applies)."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "category", "lon", "lat", "reported_at"),
    "areas": ("area_id",),
    "readings": ("sensor_id", "ts", "value"),
    "categories": ("code", "sla_response_h", "sla_close_h"),
}
"""Fields an import cannot do without (from a column or a default); areas also need geometry."""

TIME_FIELDS: dict[str, tuple[str, ...]] = {
    "events": STAGE_COLUMNS,
    "areas": (),
    "readings": ("ts",),
    "categories": (),
}
"""Fields parsed as times."""


class MappingError(ValueError):
    """A mapping file is malformed or names unknown fields."""


@dataclass(frozen=True)
class NoteRule:
    """One ``[status_note_rules]`` entry: a closed row whose status note matches gets ``status``.

    ``pattern`` as written: ``Case Transferred`` matches notes starting with it,
    ``*duplicate*`` notes containing it; both ignore case.
    """

    pattern: str
    status: str

    @property
    def contains(self) -> bool:
        """True for ``*text*`` (anywhere in the note), False for a prefix."""
        return self.pattern.startswith("*")

    @property
    def needle(self) -> str:
        """The text to look for, lower case."""
        return self.pattern.strip("*").lower()


def column_key(text: str) -> str:
    """Matching key of a column name: lower case, no spaces or punctuation."""
    return re.sub(r"[\s._\-()（）/\\]+", "", str(text)).lower()


@dataclass(frozen=True)
class Mapping:
    """A column mapping (see :mod:`data.ingest.mappings` for the file format).

    Parameters
    ----------
    name : preset name or file stem
    table : ``events``, ``areas``, ``readings`` or ``categories``
    columns : field -> candidate source column names, in preference order
    defaults : field -> constant used when no column provides the field
    values : field -> {source value: stored value}
    timezone : IANA zone for times with an explicit offset
    time_formats : strftime formats tried before the built-in ones
    date_order : ``mdy``, ``dmy`` or ``ymd`` for dates written with numbers whose order
        the values cannot tell (both fields ≤ 12); None = detect, and stop if unknown
    time_format : field -> the format of its column (skips detection)
    time_window : plausible times ``(start, end)``, see :class:`data.ingest.timeformats.TimeWindow`;
        None = :data:`data.ingest.timeformats.DEFAULT_WINDOW`
    known : source columns recognised as deliberately unused (no suggestion for them)
    status_note_rules : events only: ordered rules re-classifying closed rows by their
        ``status_note`` column (:class:`NoteRule`); the first that matches wins
    """

    name: str
    table: str
    title: str = ""
    title_zh: str = ""
    columns: MappingABC[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: MappingABC[str, str] = field(default_factory=dict)
    values: MappingABC[str, MappingABC[str, str]] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    time_formats: tuple[str, ...] = ()
    date_order: str | None = None
    time_format: MappingABC[str, str] = field(default_factory=dict)
    time_window: tuple[str, str] | None = None
    known: tuple[str, ...] = ()
    status_note_rules: tuple[NoteRule, ...] = ()

    def resolve(self, columns: Sequence[str]) -> dict[str, str]:
        """Return ``{field: source column}`` for the fields found among ``columns``.

        Names match exactly first, then ignoring case, spaces and punctuation; a source
        column feeds at most one field.

        Examples
        --------
        >>> from data.ingest.mappings import load_mapping
        >>> m = load_mapping("311")
        >>> m.resolve(["Unique Key", "created date", "Latitude"])["reported_at"]
        'created date'
        """
        by_norm: dict[str, str] = {}
        for c in columns:
            by_norm.setdefault(column_key(c), c)
        used: set[str] = set()
        out: dict[str, str] = {}
        for fld, candidates in self.columns.items():
            for cand in candidates:
                hit = cand if cand in columns else by_norm.get(column_key(cand))
                if hit is not None and hit not in used:
                    out[fld] = hit
                    used.add(hit)
                    break
        return out

    def missing_required(self, columns: Sequence[str]) -> list[str]:
        """Required fields that neither a column nor a default provides."""
        found = self.resolve(columns)
        return [f for f in REQUIRED[self.table] if f not in found and f not in self.defaults]

    def with_columns(self, chosen: MappingABC[str, str | None]) -> Mapping:
        """Return a copy where each field in ``chosen`` reads exactly that column (None: no column)."""
        cols = dict(self.columns)
        for fld, col in chosen.items():
            if fld not in FIELDS[self.table]:
                raise MappingError(f"unknown field {fld!r} for {self.table}")
            if col:
                cols[fld] = (col,)
            else:
                cols.pop(fld, None)
        return replace(self, columns=cols)

    def to_toml(self) -> str:
        """The mapping as a TOML file a user can keep and pass to ``--mapping``."""
        lines = [
            f"title = {_q(self.title or self.name)}",
            f"table = {_q(self.table)}",
            f"timezone = {_q(self.timezone)}",
        ]
        if self.time_formats:
            lines.append("time_formats = [" + ", ".join(_q(f) for f in self.time_formats) + "]")
        if self.date_order:
            lines.append(f"date_order = {_q(self.date_order)}")
        if self.time_window:
            lines.append("time_window = [" + ", ".join(_q(b) for b in self.time_window) + "]")
        lines += ["", "[columns]"]
        lines += [f"{k} = [" + ", ".join(_q(c) for c in v) + "]" for k, v in self.columns.items()]
        if self.defaults:
            lines += ["", "[defaults]"] + [f"{k} = {_q(v)}" for k, v in self.defaults.items()]
        if self.time_format:
            lines += ["", "[time_format]"] + [f"{k} = {_q(v)}" for k, v in self.time_format.items()]
        for fld, table in self.values.items():
            lines += ["", f"[values.{fld}]"] + [f"{_q(k)} = {_q(v)}" for k, v in table.items()]
        if self.status_note_rules:
            lines += ["", "[status_note_rules]"] + [f"{_q(r.pattern)} = {_q(r.status)}" for r in self.status_note_rules]
        return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
