"""Column mappings: which column of a user's file feeds which GridScope field.

A mapping is a small TOML file a user can write (the presets beside this module are
examples)::

    title = "Our hotline export"
    table = "events"                  # events | areas | readings | categories
    timezone = "Asia/Shanghai"        # for times that carry an offset (…Z, +08:00)
    time_formats = ["%Y年%m月%d日 %H时%M分"]   # optional, tried before the built-in ones
    date_order = "mdy"                # optional: mdy | dmy | ymd, for dates like 03/04/2024
    time_window = ["1990-01-01", "+1d"]   # optional: plausible times (default shown)

    [time_format]                     # optional: one column's format, no detection
    closed_at = "%d/%m/%Y"            # or "excel", "epoch_s", "epoch_ms"

    [columns]                         # field = candidate column names, first present wins
    event_id = ["工单号"]
    reported_at = ["受理时间"]

    [defaults]                        # value for a field no column provides
    source = "hotline"

    [values.source]                   # value translation for one field (case-insensitive)
    "12345热线" = "hotline"

    [status_note_rules]               # events: closed rows whose status note (column
    "Case Transferred" = "cancelled"  # status_note) starts with this, ignoring case …
    "*duplicate*" = "cancelled"       # … or contains it (*text*); the first rule that
                                      # matches wins ("closed": a resolution, stop here)

Presets: ``native``, ``zh`` (Chinese headers), ``311`` (311-style exports), ``areas``,
``areas_zh``, ``readings``, ``categories`` (a category table with SLA hours, English or
Chinese headers).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from data.contracts import STAGE_COLUMNS

PRESETS_DIR = Path(__file__).parent
"""Folder of the preset mapping files (``<name>.toml``)."""

FIELDS: dict[str, tuple[str, ...]] = {
    "events": (
        "event_id", "source", "category", "category_name", "description", "lon", "lat",
        "department", "department_name", "priority", "status", "status_note", *STAGE_COLUMNS,
        "satisfaction", "reopened", "sensor_id",
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


def _norm(text: str) -> str:
    """Matching key of a column name: lower case, no spaces or punctuation."""
    return re.sub(r"[\s._\-()（）/\\]+", "", str(text)).lower()


@dataclass(frozen=True)
class Mapping:
    """A column mapping (see the module docstring for the file format).

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
        >>> m = load_mapping("311")
        >>> m.resolve(["Unique Key", "created date", "Latitude"])["reported_at"]
        'created date'
        """
        by_norm: dict[str, str] = {}
        for c in columns:
            by_norm.setdefault(_norm(c), c)
        used: set[str] = set()
        out: dict[str, str] = {}
        for fld, candidates in self.columns.items():
            for cand in candidates:
                hit = cand if cand in columns else by_norm.get(_norm(cand))
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
        lines = [f"title = {_q(self.title or self.name)}", f"table = {_q(self.table)}",
                 f"timezone = {_q(self.timezone)}"]
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


def list_mappings(table: str | None = None) -> list[str]:
    """Names of the preset mappings, optionally only those for ``table``."""
    names = sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))
    return [n for n in names if table is None or load_mapping(n).table == table]


def parse_mapping(text: str, name: str = "custom") -> Mapping:
    """Build a :class:`Mapping` from TOML text.

    Raises
    ------
    MappingError
        Invalid TOML, an unknown table or field, or a value that is not a string.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping {name!r} is not valid TOML: {exc}") from exc
    table = doc.get("table", "events")
    if table not in FIELDS:
        raise MappingError(f"mapping {name!r}: table must be one of {sorted(FIELDS)}, got {table!r}")
    columns: dict[str, tuple[str, ...]] = {}
    for fld, cands in doc.get("columns", {}).items():
        if fld not in FIELDS[table]:
            raise MappingError(
                f"mapping {name!r}: unknown field {fld!r} for {table}; known: {', '.join(FIELDS[table])}"
            )
        cands = [cands] if isinstance(cands, str) else cands
        if not isinstance(cands, list) or not all(isinstance(c, str) for c in cands):
            raise MappingError(f"mapping {name!r}: columns.{fld} must be a list of column names")
        columns[fld] = tuple(cands)
    for section in ("defaults", "values"):
        for fld in doc.get(section, {}):
            if fld not in FIELDS[table]:
                raise MappingError(f"mapping {name!r}: unknown field {fld!r} in [{section}]")
    values = {f: {str(k): str(v) for k, v in t.items()} for f, t in doc.get("values", {}).items()}
    return Mapping(
        name=name,
        table=table,
        title=str(doc.get("title", name)),
        title_zh=str(doc.get("title_zh", doc.get("title", name))),
        columns=columns,
        defaults={k: str(v) for k, v in doc.get("defaults", {}).items()},
        values=values,
        timezone=str(doc.get("timezone", "Asia/Shanghai")),
        time_formats=tuple(doc.get("time_formats", ())),
        **_time_settings(doc, table, name),
        known=tuple(doc.get("known", ())),
        status_note_rules=_note_rules(doc, table, name),
    )


def _note_rules(doc: dict, table: str, name: str) -> tuple[NoteRule, ...]:
    """The ``[status_note_rules]`` of a mapping, in the file's order, checked."""
    rules = doc.get("status_note_rules")
    if rules is None:
        return ()
    if not isinstance(rules, dict):
        raise MappingError(f'mapping {name!r}: [status_note_rules] is a table of "note start" = "cancelled", '
                           f'e.g. "Case Transferred" = "cancelled"')
    if table != "events":
        raise MappingError(f"mapping {name!r}: [status_note_rules] are for events mappings, not {table}")
    out = []
    for pattern, status in rules.items():
        inner = pattern.strip("*") if pattern.startswith("*") and pattern.endswith("*") else pattern
        if not inner.strip() or "*" in inner or pattern.strip() != pattern:
            raise MappingError(
                f'mapping {name!r}: [status_note_rules] {pattern!r}: write how the note starts ("Case Transferred") '
                f'or *text* for text anywhere in it ("*duplicate*"), without spaces around it')
        if status not in NOTE_STATUSES:
            near = difflib.get_close_matches(str(status), NOTE_STATUSES, n=1)
            raise MappingError(
                f"mapping {name!r}: [status_note_rules] {pattern!r} = {status!r}: {status!r} is not a status a note can "
                f"give: use 'cancelled' (closed without a resolution) or 'closed' (a resolution: no later rule "
                f"applies)" + (f"; did you mean {near[0]!r}?" if near else ""))
        out.append(NoteRule(pattern, status))
    return tuple(out)


def _time_settings(doc: dict, table: str, name: str) -> dict[str, object]:
    """``date_order``, ``[time_format]`` and ``time_window`` of a mapping, checked."""
    from data.ingest.timeformats import (
        DATE_ORDERS,
        TimeFormat,
        TimeSettingError,
        TimeWindow,
    )

    order = doc.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise MappingError(f"mapping {name!r}: date_order must be one of {', '.join(DATE_ORDERS)} "
                           f"(month, day or year first), got {order!r}")
    formats = doc.get("time_format", {})
    if not isinstance(formats, dict):
        raise MappingError(f'mapping {name!r}: [time_format] is a table of field = "format", e.g. reported_at = "%d/%m/%Y %H:%M"')
    window = doc.get("time_window")
    listed = doc.get("time_formats", [])
    if isinstance(listed, str) or not isinstance(listed, list):
        raise MappingError(f'mapping {name!r}: time_formats is a list of formats, e.g. ["%d/%m/%Y %H:%M"]')
    try:
        for fmt in listed:
            TimeFormat.from_spec(str(fmt))
        for fld, fmt in formats.items():
            if fld not in TIME_FIELDS[table]:
                raise MappingError(f"mapping {name!r}: [time_format] {fld!r} is not a time field of {table} "
                                   f"({', '.join(TIME_FIELDS[table]) or 'none'})")
            TimeFormat.from_spec(str(fmt))
        if window is not None:
            if isinstance(window, (str, bytes)) or not isinstance(window, list):
                raise TimeSettingError(f'time_window must be two bounds, e.g. ["1990-01-01", "+1d"], got {window!r}')
            window = tuple(b.isoformat() if hasattr(b, "isoformat") else str(b) for b in window)
            TimeWindow.from_spec(window)
    except TimeSettingError as exc:
        raise MappingError(f"mapping {name!r}: {exc}") from exc
    return {"date_order": order, "time_format": {k: str(v) for k, v in formats.items()}, "time_window": window}


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a preset by name (``native``, ``zh``, ``311`` …) or a mapping file by path.

    Raises
    ------
    MappingError
        No such preset or file, or the file is malformed.
    """
    text = str(name_or_path)
    preset = PRESETS_DIR / f"{text}.toml"
    path = preset if preset.exists() and "/" not in text else Path(text).expanduser()
    if not path.exists():
        raise MappingError(
            f"no mapping {text!r}: give a file path or one of {', '.join(list_mappings())}"
        )
    return parse_mapping(path.read_text(encoding="utf-8"), name=path.stem)


def detect_mapping(columns: Sequence[str], table: str = "events") -> Mapping:
    """Return the preset for ``table`` that maps the most columns (ties: fewest missing).

    Examples
    --------
    >>> detect_mapping(["事件编号", "上报时间", "经度", "纬度"]).name
    'zh'
    """
    presets = [load_mapping(n) for n in list_mappings(table)]
    return max(presets, key=lambda m: (len(m.resolve(columns)), -len(m.missing_required(columns))))


_KEYWORDS: dict[str, tuple[str, ...]] = {
    "event_id": ("编号", "id", "key", "单号"),
    "reported_at": ("上报", "created", "opened", "受理", "发现"),
    "closed_at": ("结案", "closed"),
    "lon": ("经度", "lon", "lng", "long"),
    "lat": ("纬度", "lat"),
    "category": ("类型", "类别", "type", "category"),
    "department": ("部门", "单位", "agency", "department"),
    "description": ("描述", "内容", "descr", "detail"),
    "satisfaction": ("满意", "评价", "rating"),
    "status": ("状态", "status"),
    "status_note": ("statusnotes", "resolutiondescription", "处理结果", "办理结果", "办理意见", "处置结果", "处置意见"),
    "ts": ("时间", "time", "date"),
    "value": ("值", "value", "浓度"),
    "area_id": ("编码", "code", "id"),
    "name_zh": ("名称", "name"),
    "parent_id": ("上级", "parent"),
    "level": ("层级", "级别", "level"),
    "code": ("编码", "代码", "code"),
    "sla_response_h": ("响应时限", "响应时长", "response"),
    "sla_close_h": ("结案时限", "办结时限", "处置时限", "close"),
}


def suggest_columns(columns: Sequence[str], mapping: Mapping) -> dict[str, str]:
    """Suggest a field for each column the mapping leaves unused.

    Compares each unused column with every field's candidate names in all presets of
    the same table (string similarity) and with keywords; suggests a field only when
    no column already feeds it.

    Returns
    -------
    dict
        ``{source column: field}``; columns with no good candidate are absent.

    Examples
    --------
    >>> suggest_columns(["编号", "上报日期"], load_mapping("native"))
    {'编号': 'event_id', '上报日期': 'reported_at'}
    """
    resolved = mapping.resolve(columns)
    used_cols = set(resolved.values()) | {c for c in columns if _norm(c) in {_norm(k) for k in mapping.known}}
    free_fields = [f for f in FIELDS[mapping.table] if f not in resolved]
    names: dict[str, set[str]] = {f: {_norm(f)} for f in free_fields}
    for preset in (load_mapping(n) for n in list_mappings(mapping.table)):
        for f, cands in preset.columns.items():
            if f in names:
                names[f] |= {_norm(c) for c in cands}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        if col in used_cols:
            continue
        key = _norm(col)
        best, score = None, 0.0
        for f in free_fields:
            if f in taken:
                continue
            s = max(difflib.SequenceMatcher(None, key, n).ratio() for n in names[f])
            if any(k in key for k in _KEYWORDS.get(f, ())):
                s = max(s, 0.7)
            if s > score:
                best, score = f, s
        if best is not None and score >= 0.6:
            out[col] = best
            taken.add(best)
    return out


__all__ = [
    "FIELDS",
    "PRESETS_DIR",
    "REQUIRED",
    "TIME_FIELDS",
    "Mapping",
    "MappingError",
    "NOTE_STATUSES",
    "NoteRule",
    "detect_mapping",
    "list_mappings",
    "load_mapping",
    "parse_mapping",
    "suggest_columns",
]
