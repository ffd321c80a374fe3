"""Reading a mapping file: TOML text to a checked :class:`~data.ingest.mappings.mapping.Mapping`.

Every mistake a user can make in the file (unknown table or field, a value of the
wrong type, a time format, window or status-note rule that cannot work) is a
:class:`~data.ingest.mappings.mapping.MappingError` that says what to write instead.
"""

from __future__ import annotations

import difflib
import tomllib

from data.ingest.mappings.mapping import (
    FIELDS,
    NOTE_STATUSES,
    TIME_FIELDS,
    Mapping,
    MappingError,
    NoteRule,
)


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
        raise MappingError(
            f'mapping {name!r}: [status_note_rules] is a table of "note start" = "cancelled", '
            f'e.g. "Case Transferred" = "cancelled"'
        )
    if table != "events":
        raise MappingError(f"mapping {name!r}: [status_note_rules] are for events mappings, not {table}")
    out = []
    for pattern, status in rules.items():
        inner = pattern.strip("*") if pattern.startswith("*") and pattern.endswith("*") else pattern
        if not inner.strip() or "*" in inner or pattern.strip() != pattern:
            raise MappingError(
                f'mapping {name!r}: [status_note_rules] {pattern!r}: write how the note starts ("Case Transferred") '
                f'or *text* for text anywhere in it ("*duplicate*"), without spaces around it'
            )
        if status not in NOTE_STATUSES:
            near = difflib.get_close_matches(str(status), NOTE_STATUSES, n=1)
            raise MappingError(
                f"mapping {name!r}: [status_note_rules] {pattern!r} = {status!r}: {status!r} is not a status "
                f"a note can give: use 'cancelled' (closed without a resolution) or 'closed' "
                f"(a resolution: no later rule applies)" + (f"; did you mean {near[0]!r}?" if near else "")
            )
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
        raise MappingError(
            f"mapping {name!r}: date_order must be one of {', '.join(DATE_ORDERS)} "
            f"(month, day or year first), got {order!r}"
        )
    formats = doc.get("time_format", {})
    if not isinstance(formats, dict):
        raise MappingError(
            f'mapping {name!r}: [time_format] is a table of field = "format", e.g. reported_at = "%d/%m/%Y %H:%M"'
        )
    window = doc.get("time_window")
    listed = doc.get("time_formats", [])
    if isinstance(listed, str) or not isinstance(listed, list):
        raise MappingError(f'mapping {name!r}: time_formats is a list of formats, e.g. ["%d/%m/%Y %H:%M"]')
    try:
        for fmt in listed:
            TimeFormat.from_spec(str(fmt))
        for fld, fmt in formats.items():
            if fld not in TIME_FIELDS[table]:
                raise MappingError(
                    f"mapping {name!r}: [time_format] {fld!r} is not a time field of {table} "
                    f"({', '.join(TIME_FIELDS[table]) or 'none'})"
                )
            TimeFormat.from_spec(str(fmt))
        if window is not None:
            if isinstance(window, (str, bytes)) or not isinstance(window, list):
                raise TimeSettingError(f'time_window must be two bounds, e.g. ["1990-01-01", "+1d"], got {window!r}')
            window = tuple(b.isoformat() if hasattr(b, "isoformat") else str(b) for b in window)
            TimeWindow.from_spec(window)
    except TimeSettingError as exc:
        raise MappingError(f"mapping {name!r}: {exc}") from exc
    return {"date_order": order, "time_format": {k: str(v) for k, v in formats.items()}, "time_window": window}
