"""The import report's words: every reject reason (:data:`REASONS`) and warning
(:data:`WARNINGS`) an importer stores or reports, in English as stored, with the Chinese
the pages show (:func:`reason_zh`, :func:`warning_zh`).

``reason`` texts are stored in ``import_rejects.reason`` as ``"<reason>: <detail>"``,
where ``<reason>`` is one of :data:`REASONS` and the detail quotes the column and value
(translated by :data:`DETAILS`, keeping the quoted values).
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC

from data.ingest.area_geometry import REPAIRED_WARNING
from data.ingest.area_parents import (
    NOT_IN_FILE,
    NOT_IN_FILE_TOP,
    SKIPS_LEVEL,
    WARNINGS_ZH,
)

REASONS: dict[str, str] = {
    "unreadable line": "无法解析的行",
    "text cannot be stored": "文本无法存储",
    "missing id": "缺少编号",
    "missing time": "缺少时间",
    "unparseable time": "时间无法解析",
    "ambiguous date order": "日期顺序不明（月在前还是日在前）",
    "time outside the plausible range": "时间超出合理范围",
    "missing coordinates": "缺少坐标",
    "coordinates not numbers": "坐标不是数字",
    "latitude out of range": "纬度超出范围",
    "longitude out of range": "经度超出范围",
    "coordinates not convertible": "坐标无法转换",
    "missing category": "缺少事件类型",
    "missing value": "缺少数值",
    "value not a number": "数值不是数字",
    "closed before reported": "结案时间早于上报时间",
    "unknown sensor": "未知监测设备",
    "outside every area": "不在任何区域内",
    "duplicate id in the file": "文件内编号重复",
    "not a polygon": "不是面要素",
    "unknown level": "未知层级",
    "empty geometry": "几何为空",
    "geometry out of range": "几何坐标超出范围",
    "polygon has no area": "面要素没有面积",
    "invalid polygon": "面要素无效（自相交）",
    "parent of a wrong level": "上级区域层级错误",
    "parent contradicts location": "上级区域与位置不符",
    "missing SLA": "缺少时限",
    "SLA not a number": "时限不是数字",
    "SLA out of range": "时限超出范围",
    "close SLA shorter than response SLA": "结案时限短于响应时限",
}
"""Every reject reason (English, as stored) with its Chinese text."""

DETAILS: tuple[tuple[str, str], ...] = (
    (r" \(the column's format is (.+)\)$", r"（该列的格式为 \1）"),
    (r" \(no known time format fits this column\)$", "（没有已知的时间格式适合此列）"),
    (
        r' \(month or day first\? set date_order = "mdy" or "dmy" in the mapping\)$',
        '（月在前还是日在前？请在对应关系中设置 date_order = "mdy" 或 "dmy"）',
    ),
    (r" \(allowed (.+); time_window in the mapping\)$", r"（允许范围 \1；可在对应关系中用 time_window 设置）"),
    (r" \(hours must be more than 0 and at most (\d+)\)$", r"（小时数须大于 0 且不超过 \1）"),
    (r" \(use (.+)\)$", r"（可用：\1）"),
    (r" h\b", " 小时"),
    (r"^the number of fields differs from the header$", "字段数与表头不一致"),
    (r"^first at row (\d+)$", r"首次出现在第 \1 行"),
    (r"^sensor and time first at row (\d+)$", r"同一设备与时间首次出现在第 \1 行"),
    (r"^not in the store and the row has no lon/lat$", "库中没有该设备，且该行没有经纬度"),
    (r"^from (\S+), ", r"自 \1 转换："),
    (
        r"^field '([^']*)' contains a NUL character \(U\+0000\), which PostgreSQL cannot store$",
        r"字段 \1 含有 NUL 字符（U+0000），PostgreSQL 无法存储",
    ),
    (
        r"^field '([^']*)' has bytes that are not valid in the file's encoding \(shown as \ufffd in the raw row\)$",
        "字段 \\1 含有不符合文件编码的字节（原始行中显示为 \ufffd）",
    ),
)
"""Reason details (English, as stored after ``"<reason>: "``) -> Chinese: ``(regex, replacement)``
applied in order; quoted values and format codes from the file are kept."""

_FIELD_AT = re.compile(r"^([a-z_]+)(?= = |$)")


def reason_zh(reason: str, labels: MappingABC[str, str] | None = None) -> str:
    """Translate a stored reason (``"<reason>: <detail>"``) into Chinese, its detail by
    :data:`DETAILS`; a field name opening the detail becomes its label in ``labels``
    (field -> Chinese label, e.g. the page's)."""
    head, sep, detail = reason.partition(": ")
    if not sep:
        return REASONS.get(head, head)
    for pattern, zh in DETAILS:
        detail = re.sub(pattern, zh, detail)
    if labels:
        detail = _FIELD_AT.sub(lambda m: labels.get(m.group(1), m.group(1)), detail)
    return f"{REASONS.get(head, head)}：{detail}"


WARNINGS: tuple[tuple[str, str], ...] = (
    (re.escape(NOT_IN_FILE), WARNINGS_ZH[NOT_IN_FILE]),
    (re.escape(NOT_IN_FILE_TOP), WARNINGS_ZH[NOT_IN_FILE_TOP]),
    (re.escape(SKIPS_LEVEL), WARNINGS_ZH[SKIPS_LEVEL]),
    (re.escape(REPAIRED_WARNING), "已修复无效的面要素（make_valid，面积变化不超过 1%）"),
    (r"no department: new category stored with department '(.*)'", r"未填部门：新事件类型归入部门“\1”"),
    (r"matched a stored category by name: the stored code is kept", "按名称匹配到已存的事件类型：保留已存的编码"),
    (r"(\w+) '(.*)' is not (\d+)-(\d+): left empty", r"{\1}“\2”不在 \3–\4 之间：留空"),
    (r"(\w+): (\d+) more values not (\d+)-(\d+): left empty", r"{\1}：另有 \2 个值不在 \3–\4 之间：留空"),
    (r"(\w+) '(.*)' is not a whole number 0-(\d+): left empty", r"{\1}“\2”不是 0–\3 的整数：留空"),
    (r"(\w+): (\d+) more values not whole numbers 0-(\d+): left empty", r"{\1}：另有 \2 个值不是 0–\3 的整数：留空"),
    (r"source '(.*)' not recognised: stored as '(.*)'", r"{source}“\1”无法识别：按“\2”存储"),
    (
        r"threshold '(.*)' is not a number: a new sensor gets the default",
        r"{threshold}“\1”不是数字：新设备使用默认阈值",
    ),
    (r"no level column: every area stored as '(.*)'", r"没有层级列：所有区域按“\1”存储"),
    (r"(\d+) area ids had several features: merged", r"\1 个区域编号有多个要素：已合并"),
)
"""Every warning the importers emit (``report.warnings`` keys, English) -> Chinese:
``(regex matching the whole key, replacement)``; ``{field}`` in a replacement is that
field's label (see :func:`warning_zh`)."""


def warning_zh(warning: str, labels: MappingABC[str, str] | None = None) -> str:
    """A report warning in Chinese (:data:`WARNINGS`); one without a translation as written."""
    for pattern, zh in WARNINGS:
        match = re.fullmatch(pattern, warning)
        if match:
            text = match.expand(zh)
            return re.sub(r"\{(\w+)\}", lambda m: (labels or {}).get(m.group(1), m.group(1)), text)
    return warning


__all__ = [
    "DETAILS",
    "REASONS",
    "WARNINGS",
    "reason_zh",
    "warning_zh",
]
