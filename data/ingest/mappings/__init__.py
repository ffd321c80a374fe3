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

Modules: ``mapping`` (the :class:`Mapping` dataclass and the fields of each table),
``parse`` (a mapping file's TOML, checked), ``presets`` (the presets, picking one for a
file's columns, suggestions for unmapped columns).
"""

from __future__ import annotations

from data.ingest.mappings.mapping import (
    FIELDS,
    NOTE_STATUSES,
    REQUIRED,
    TIME_FIELDS,
    Mapping,
    MappingError,
    NoteRule,
)
from data.ingest.mappings.parse import parse_mapping
from data.ingest.mappings.presets import (
    PRESETS_DIR,
    detect_mapping,
    list_mappings,
    load_mapping,
    suggest_columns,
)

__all__ = [
    "FIELDS",
    "NOTE_STATUSES",
    "PRESETS_DIR",
    "REQUIRED",
    "TIME_FIELDS",
    "Mapping",
    "MappingError",
    "NoteRule",
    "detect_mapping",
    "list_mappings",
    "load_mapping",
    "parse_mapping",
    "suggest_columns",
]
