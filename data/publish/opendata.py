"""Open-data downloads of the published layer: CSV, GeoJSON and a data dictionary (zh, en).

``write_open_data(public_db_path, out_dir)`` reads only the published DuckDB file (never the
store), so the downloads hold exactly the protected aggregates of ``pub_stats``: the same
withheld cells, the same rounding. Files:

- ``stats_month.csv``, ``stats_week.csv``: ``pub_stats`` rows of each grain with the unit and
  group names beside the codes; UTF-8 with a byte-order mark so Excel opens the Chinese names;
- ``units.csv`` (no outlines), ``groups.csv``;
- ``<level>_latest_month.geojson`` for street, community and cell: each unit's outline with the
  latest month's figures (all categories, all sources) as properties;
- ``data_dictionary.md``: every file and column in Chinese and English, and how the figures are
  protected; ``meta.csv``: the publication's parameters (cut-off, k, lag, rounding).

Tracking digests are never exported.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from data.exports import csv_bytes

GEO_LEVELS: tuple[str, ...] = ("street", "community", "cell")

FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "period",
        "周期类型：month（自然月）或 week（ISO 周，周一开始）",
        "period kind: month or week (ISO week, Monday first)",
    ),
    ("period_start", "周期第一天", "first day of the period"),
    (
        "period_end",
        "周期最后一天（最新周期截至公开截止日）",
        "last day of the period (the latest one ends at the cut-off day)",
    ),
    ("period_label", "周期名称，如 2026-11、2026-W47", "period name, e.g. 2026-11, 2026-W47"),
    (
        "level",
        "单元层级：district 区、street 街道、community 社区、cell H3 六边形",
        "unit level: district, street, community, cell (H3 hexagon)",
    ),
    (
        "unit_id",
        "单元代码：district、街道/社区代码或 H3 编号",
        "unit code: 'district', street/community code or H3 index",
    ),
    ("unit_name_zh / unit_name_en", "单元名称（中文 / 英文）", "unit name (Chinese / English)"),
    (
        "category_group",
        "类别组（类别的主管部门）代码，all 为全部（不含敏感类别）",
        "category group (the category's lead department) code; all = every non-sensitive category",
    ),
    ("group_name_zh / group_name_en", "类别组名称", "category group name"),
    (
        "source",
        "来源：patrol 巡查、hotline 12345 热线、app 市民应用、sensor 传感器、video 视频；all 为全部",
        "source: patrol, hotline (12345), app, sensor, video; all = every source",
    ),
    ("received", "受理件数（报告时间在周期内）", "events received (reported in the period)"),
    (
        "closed",
        "其中至周期末已办结件数；为空：少于 k 件，或为防止推算不予公开（受理件数仍公开）",
        "of those, closed by the end of the period; empty: fewer than k, or hidden so that another "
        "hidden value cannot be worked out (received is still published)",
    ),
    (
        "closure_rate",
        "结案率 = 办结 / （受理 − 撤销），0 到 1；办结件数不公开时为空；取整时按取整后的件数计算",
        "closure rate = closed / (received − cancelled), 0 to 1; empty where closed is not published; "
        "from the rounded counts when counts are rounded",
    ),
    (
        "on_time_rate",
        "按期处置率 = 按期办结 / （有办结时间的办结 + 超期未办结）",
        "on-time closure rate = closed on time / (closed with a close time + open past the deadline)",
    ),
    ("median_days_to_close", "办结用时中位数（天）", "median days from report to close"),
    ("satisfaction_rate", "满意率 = 评价 4-5 分 / 评价件数", "satisfaction rate = ratings 4-5 / ratings"),
    (
        "withheld",
        "不予公开的原因：under_k 少于 k 件；secondary 防推算的连带隐藏；sensitive 敏感类别；空 = 已公开",
        "why withheld: under_k (fewer than k events), secondary (hidden so that another hidden value "
        "cannot be worked out), sensitive (sensitive category); empty = published",
    ),
)


def _csv(frame: pd.DataFrame, path: Path) -> None:
    # The one CSV writer: names that came from an import may start with = + - @.
    path.write_bytes(csv_bytes(frame))


def _dictionary(meta: dict[str, str]) -> str:
    k = meta.get("min_count", "10")
    lines = [
        f"# 数据字典 / Data dictionary — {meta.get('district_zh', '')} {meta.get('district_en', '')}",
        "",
        f"公开截止日 / published through: **{meta.get('through_date', '')}**; "
        f"k = {k}; 公开滞后 / lag = {meta.get('lag_days', '')} 天 days; "
        f"取整基数 / rounding base = {meta.get('rounding_base', '0')} (0 = 不取整 off); "
        f"H3 分辨率 / resolution = {meta.get('max_res', '')}.",
        "",
        "## 如何保护隐私 / How privacy is protected",
        "",
        f"- 少于 {k} 件的数字不予公开；分母少于 {k} 件的比率不予公开。 "
        f"Counts under {k} are withheld, and rates over fewer than {k} events.",
        "- 另有部分数字连带隐藏，使隐藏的数字无法由合计相减推算出来。 "
        "Some further values are withheld so that no hidden value can be worked out by subtracting from a total.",
        f"- 最近 {meta.get('lag_days', '')} 天的数据暂不公开。 "
        f"The latest {meta.get('lag_days', '')} days are held back.",
        "- 不含任何个人信息、描述、地址、坐标或编号。 No personal data, descriptions, addresses, coordinates or ids.",
        "",
        "## 文件 / Files",
        "",
        "| 文件 file | 内容 | contents |",
        "|---|---|---|",
        "| stats_month.csv, stats_week.csv | 按月 / 按周的统计 | figures per month / ISO week |",
        "| units.csv | 区、街道、社区和六边形单元 | district, streets, communities, hexagon cells |",
        "| groups.csv | 类别组与来源 | category groups and sources |",
        "| *_latest_month.geojson | 最新月份的地图数据 | latest month on a map |",
        "| meta.csv | 发布参数 | publication parameters |",
        "",
        "## 字段 / Columns",
        "",
        "| 字段 column | 含义 | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {zh} | {en} |" for name, zh, en in FIELDS]
    return "\n".join(lines) + "\n"


def write_open_data(public_db_path: Path | str, out_dir: Path | str) -> list[Path]:
    """Write the open-data files of the published DuckDB file into ``out_dir``; return them."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(public_db_path), read_only=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM pub_meta ORDER BY key").fetchall())
        units = con.execute("SELECT * FROM pub_units ORDER BY level, unit_id").df()
        groups = con.execute("SELECT * FROM pub_groups ORDER BY kind, code").df()
        stats = con.execute(
            "SELECT s.*, u.name_zh AS unit_name_zh, u.name_en AS unit_name_en, "
            "g.name_zh AS group_name_zh, g.name_en AS group_name_en "
            "FROM pub_stats s JOIN pub_units u ON u.level = s.level AND u.unit_id = s.unit_id "
            "LEFT JOIN pub_groups g ON g.kind = 'category_group' AND g.code = s.category_group "
            "ORDER BY s.period, s.period_start, s.level, s.unit_id, s.category_group, s.source"
        ).df()
    finally:
        con.close()
    order = [
        "period", "period_start", "period_end", "period_label", "level", "unit_id", "unit_name_zh",
        "unit_name_en", "category_group", "group_name_zh", "group_name_en", "source", "received", "closed",
        "closure_rate", "on_time_rate", "median_days_to_close", "satisfaction_rate", "withheld",
    ]  # fmt: skip
    tables = {
        "stats_month": stats.loc[stats["period"] == "month", order],
        "stats_week": stats.loc[stats["period"] == "week", order],
        "units": units.drop(columns=["geojson"]),
        "groups": groups,
        "meta": pd.DataFrame(sorted(meta.items()), columns=["key", "value"]),
    }
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        _csv(frame, path)
        written.append(path)
    latest = stats[
        (stats["period"] == "month")
        & (stats["period_label"] == meta.get("latest_month"))
        & (stats["category_group"] == "all")
        & (stats["source"] == "all")
    ]
    props = ["unit_id", "unit_name_zh", "unit_name_en", "period_label", "received", "closed", "closure_rate",
             "on_time_rate", "median_days_to_close", "satisfaction_rate", "withheld"]  # fmt: skip
    shapes = dict(zip(zip(units["level"], units["unit_id"], strict=True), units["geojson"], strict=True))
    for level in GEO_LEVELS:
        feats = []
        for row in latest[latest["level"] == level][props].to_dict("records"):
            geom = shapes.get((level, row["unit_id"]))
            clean = {k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
            feats.append({"type": "Feature", "geometry": json.loads(geom) if geom else None, "properties": clean})
        path = out / f"{level}_latest_month.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), "utf-8")
        written.append(path)
    (out / "data_dictionary.md").write_text(_dictionary(meta), encoding="utf-8")
    written.append(out / "data_dictionary.md")
    return written
