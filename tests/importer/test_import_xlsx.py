"""XLSX with Chinese headers: Excel datetimes, Chinese satisfaction words, BD-09 coordinates."""

from __future__ import annotations

import pandas as pd

from data.ingest import import_events
from geo.crs import wgs84_to_bd09
from tests.importer.conftest import (
    check_planted_import,
    planted_events,
    stored_events,
    text_frame,
)

ZH = {
    "event_id": "案件编号",
    "reported_at": "发现时间",
    "category": "问题类型",
    "lon": "X坐标",
    "lat": "Y坐标",
    "department": "责任部门",
    "closed_at": "结案时间",
    "satisfaction": "满意度",
}
WORDS = {"1": "非常不满意", "2": "不满意", "3": "一般", "4": "基本满意", "5": "非常满意"}


def test_xlsx_with_chinese_headers(district, tmp_path):
    planted = planted_events()
    frame = text_frame(planted, ZH, convert=wgs84_to_bd09)
    # real Excel datetimes where the time is valid, text where it is broken
    for col in ("发现时间", "结案时间"):
        frame[col] = [pd.Timestamp(v) if isinstance(v, str) and v[5:7] <= "12" else v for v in frame[col]]
    frame["满意度"] = frame["满意度"].map(WORDS)
    frame["来源"] = "随手拍"
    path = tmp_path / "案件.xlsx"
    frame.to_excel(path, index=False, sheet_name="案件")
    report = import_events(district, path, crs="bd09")
    assert report.format == "xlsx" and report.mapping == "zh"
    check_planted_import(district, report, planted, lonlat_atol=1e-8)
    events = stored_events(district)
    good = planted.good.drop_duplicates("event_id").set_index("event_id")
    # 基本满意 counts as satisfied (4); the others keep their number
    expected = [None if pd.isna(v) else int(v) for v in good["satisfaction"]]
    assert [None if pd.isna(v) else int(v) for v in events.loc[good.index, "satisfaction"]] == expected
    assert set(events["source"]) == {"app"}
    assert set(events.loc[events["satisfaction"].notna(), "status"]) == {"rated"}
