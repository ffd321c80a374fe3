"""Issue 9: every warning an importer can put in ``report.warnings`` has a Chinese text
(data/ingest/validate.py WARNINGS), and reason details translate (DETAILS). The warnings are found
by scanning data/ for ``warnings[...]`` keys, so a new one without a translation fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard.i18n import all_strings
from data.ingest.area_geometry import REPAIRED_WARNING
from data.ingest.area_parents import NOT_IN_FILE, NOT_IN_FILE_TOP, SKIPS_LEVEL
from data.ingest.mappings import FIELDS
from data.ingest.reasons import reason_zh, warning_zh

DATA = Path(__file__).resolve().parents[2] / "data" / "ingest"
NAMED = {"REPAIRED_WARNING": [REPAIRED_WARNING], "note": [NOT_IN_FILE, NOT_IN_FILE_TOP, SKIPS_LEVEL]}
"""Keys given by a name, not a literal: what the name holds (``note`` is area_parents' decision)."""
PAGE_LABELS = {f: all_strings()[f"import_field_{f}"]["zh"] for fields in FIELDS.values() for f in fields}
"""The import page's Chinese field labels (what it passes to warning_zh)."""


def _emitted() -> list[tuple[str, str]]:
    """``(where, sample key)`` of every ``...warnings[key] += n`` in data/, placeholders as ``1``."""
    out = []
    for path in sorted(DATA.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)):
                continue
            target = node.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name != "warnings":
                continue
            key, where = node.slice, f"{path.name}:{node.lineno}"
            if isinstance(key, ast.Constant):
                out.append((where, key.value))
            elif isinstance(key, ast.JoinedStr):
                out.append((where, "".join(v.value if isinstance(v, ast.Constant) else "1" for v in key.values)))
            else:
                assert isinstance(key, ast.Name) and key.id in NAMED, f"{where}: unknown warning key {ast.unparse(key)}"
                out += [(where, text) for text in NAMED[key.id]]
    return out


def test_every_warning_emitted_has_a_chinese_text():
    emitted = _emitted()
    assert len(emitted) >= 13, emitted  # the scan finds them (validate, importer, categories, areas)
    for where, key in emitted:
        zh = warning_zh(key, PAGE_LABELS)
        left = re.sub(r"'[^']*'|“[^”]*”|\bmake_valid\b", "", zh)
        assert zh != key and not re.search(r"[A-Za-z]{2,}", left), (where, key, zh)


def test_warning_field_names_become_labels():
    assert (
        warning_zh("priority '7' is not 1-3: left empty", {"priority": "紧急程度"}) == "紧急程度“7”不在 1–3 之间：留空"
    )
    assert warning_zh("an unknown warning") == "an unknown warning"


def test_reason_details_translate_keeping_values_and_format_codes():
    labels = {"reported_at": "上报时间", "sla_response_h": "响应时限（小时）"}
    assert (
        reason_zh("unparseable time: reported_at = '13/45/24' (the column's format is %m/%d/%y)", labels)
        == "时间无法解析：上报时间 = '13/45/24'（该列的格式为 %m/%d/%y）"
    )
    assert reason_zh("missing SLA: sla_response_h", labels) == "缺少时限：响应时限（小时）"
    assert reason_zh("duplicate id in the file: first at row 12") == "文件内编号重复：首次出现在第 12 行"
    assert (
        reason_zh("unknown level: 'x' (use district, street, community, grid)")
        == "未知层级：'x'（可用：district, street, community, grid）"
    )
    assert reason_zh("missing coordinates") == "缺少坐标"
