"""Widgets of the import page before an import: file upload, column mapping with suggestions, date
order, CRS and level pickers (the report after it: :mod:`dashboard.components.import_report`)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import streamlit as st

from dashboard.i18n import current_language, t, t_count
from dashboard.safe_text import md
from data.contracts import AREA_LEVELS
from data.ingest.mappings import (
    FIELDS,
    REQUIRED,
    TIME_FIELDS,
    Mapping,
    MappingError,
    detect_mapping,
    list_mappings,
    load_mapping,
    parse_mapping,
    suggest_columns,
)
from data.ingest.timeformats import DATE_ORDERS

CRS_CHOICES = ("wgs84", "gcj02", "bd09", "epsg")
_NONE = "\u2014"


def save_upload(upload, key_prefix: str) -> Path:
    """Write an uploaded file to this session's temporary folder (once) and return its path."""
    folder = st.session_state.setdefault(f"{key_prefix}_dir", tempfile.mkdtemp(prefix="gridscope-import-"))
    # The user's own file name (messages and the report show it), in a folder per upload.
    name = upload.name.replace("/", "_").replace("\\", "_").replace("\x00", "_").lstrip(".") or "upload"
    path = Path(folder) / upload.file_id / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.getbuffer())
    return path


def render_mapping_form(columns: list[str], table: str, key_prefix: str) -> Mapping:
    """Pick a preset (or upload a TOML mapping), then adjust the column of every field."""
    st.subheader(t("import_mapping"))
    presets = list_mappings(table)
    detected = detect_mapping(columns, table).name
    left, right = st.columns([1, 2])
    titles = {n: f"{n} · {_title(n)}" for n in presets}  # now: format_func may run outside the run
    preset = left.selectbox(
        t("import_mapping_preset"),
        presets,
        index=presets.index(detected),
        key=f"{key_prefix}_preset",
        format_func=titles.get,
    )
    upload = right.file_uploader(t("import_mapping_file"), type=["toml"], key=f"{key_prefix}_mapping_file")
    base = load_mapping(preset)
    if upload is not None:
        try:
            base = parse_mapping(upload.getvalue().decode("utf-8"), name=Path(upload.name).stem)
        except (MappingError, UnicodeDecodeError) as exc:
            st.error(t("import_failed", detail=md(exc)))
    if base.table != table:
        st.error(t("import_failed", detail=md(f"mapping {base.name!r} is for {base.table}")))
        base = load_mapping(detected)
    resolved = base.resolve(columns)
    suggested = {field: col for col, field in suggest_columns(columns, base).items()}
    st.caption(t("import_mapping_help"))
    if suggested:
        st.caption(
            t(
                "import_suggested",
                pairs=list_separator().join(f"{md(c)} → {t('import_field_' + f)}" for f, c in suggested.items()),
            )
        )
    options = [_NONE, *columns]
    chosen: dict[str, str | None] = {}
    grid = st.columns(4)
    for i, field in enumerate(FIELDS[table]):
        default = resolved.get(field) or suggested.get(field)
        label = t(f"import_field_{field}") + (" *" if field in REQUIRED[table] else "")
        pick = grid[i % 4].selectbox(
            label,
            options,
            index=options.index(default) if default in options else 0,
            key=f"{key_prefix}_{base.name}_{field}",
        )
        chosen[field] = None if pick == _NONE else pick
    mapping = base.with_columns(chosen)
    if mapping.status_note_rules and chosen.get("status_note"):
        sep = list_separator()
        listed = [
            f"“{md(r.pattern)}”" + ("" if r.status == "cancelled" else f" → {t('import_note_rule_closed')}")
            for r in mapping.status_note_rules
        ]
        st.caption(
            t_count(
                "import_note_rules",
                len(listed),
                column=md(chosen["status_note"]),
                n=len(listed),
                rules=sep.join(listed),
            )
        )
    if TIME_FIELDS[table]:
        mapping = render_date_order(mapping, key_prefix)
    missing = mapping.missing_required(columns)
    if table == "events" and st.session_state.get(f"{key_prefix}_geometry"):
        missing = [f for f in missing if f not in ("lon", "lat")]
    if missing:
        st.warning(t("import_missing_required", fields=list_separator().join(t(f"import_field_{f}") for f in missing)))
    st.download_button(
        t("import_mapping_download"),
        mapping.to_toml().encode("utf-8"),
        file_name=f"{mapping.name}.toml",
        mime="application/toml",
        key=f"{key_prefix}_mapping_dl",
    )
    return mapping


def render_date_order(mapping: Mapping, key_prefix: str) -> Mapping:
    """Date order for dates like 03/04/2024 (detected unless chosen); returns the mapping with it."""
    orders = ["auto", *DATE_ORDERS]
    labels = {o: t(f"import_date_order_{o}") for o in orders}
    current = mapping.date_order or "auto"
    pick = st.selectbox(
        t("import_date_order"),
        orders,
        index=orders.index(current),
        format_func=labels.get,
        help=t("import_date_order_help"),
        key=f"{key_prefix}_{mapping.name}_date_order",
    )
    return replace(mapping, date_order=None if pick == "auto" else pick)


def _title(name: str) -> str:
    m = load_mapping(name)
    return m.title_zh if current_language() == "zh" else m.title


def render_crs_picker(declared: str | None, key_prefix: str) -> str:
    """WGS-84, GCJ-02, BD-09 or an EPSG code; defaults to what the file declares."""
    default = "wgs84"
    code = ""
    if declared and declared.upper() not in ("EPSG:4326", "OGC:CRS84", "WGS84"):
        default, code = "epsg", declared.upper().removeprefix("EPSG:")
    left, right = st.columns([2, 1])
    labels = {c: t(f"import_crs_{c}") for c in CRS_CHOICES}
    choice = left.radio(
        t("import_crs"),
        CRS_CHOICES,
        index=CRS_CHOICES.index(default),
        horizontal=True,
        format_func=labels.get,
        key=f"{key_prefix}_crs",
    )
    if choice != "epsg":
        return choice
    code = right.text_input(t("import_epsg_code"), value=code or "4547", key=f"{key_prefix}_epsg")
    return f"EPSG:{code.strip().upper().removeprefix('EPSG:')}"


def render_level_picker(key_prefix: str) -> str:
    """Level for area files without a level column."""
    labels = {lv: t(f"level_{lv}") for lv in AREA_LEVELS}
    return st.selectbox(
        t("import_level"),
        AREA_LEVELS,
        index=AREA_LEVELS.index("grid"),
        format_func=labels.get,
        key=f"{key_prefix}_level",
    )


def list_separator() -> str:
    """The list separator of the page's language."""
    return "、" if current_language() == "zh" else ", "


"""Page text of each :data:`data.ingest.validate.STATUS_FINDINGS` key."""
