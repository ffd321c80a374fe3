"""The preset mappings beside this module (``<name>.toml``): listing and loading them,
picking the one that fits a file's columns, and suggesting fields for unmapped columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from data.ingest.mappings.mapping import FIELDS, Mapping, MappingError, column_key
from data.ingest.mappings.parse import parse_mapping

PRESETS_DIR = Path(__file__).parent
"""Folder of the preset mapping files (``<name>.toml``)."""


def list_mappings(table: str | None = None) -> list[str]:
    """Names of the preset mappings, optionally only those for ``table``."""
    names = sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))
    return [n for n in names if table is None or load_mapping(n).table == table]


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
        raise MappingError(f"no mapping {text!r}: give a file path or one of {', '.join(list_mappings())}")
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
    used_cols = set(resolved.values()) | {c for c in columns if column_key(c) in {column_key(k) for k in mapping.known}}
    free_fields = [f for f in FIELDS[mapping.table] if f not in resolved]
    names: dict[str, set[str]] = {f: {column_key(f)} for f in free_fields}
    for preset in (load_mapping(n) for n in list_mappings(mapping.table)):
        for f, cands in preset.columns.items():
            if f in names:
                names[f] |= {column_key(c) for c in cands}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        if col in used_cols:
            continue
        key = column_key(col)
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
