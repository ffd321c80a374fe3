"""CSV with Chinese headers in GBK (and the other encodings districts export), GCJ-02 coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.ingest import import_events
from data.ingest.readers import open_source
from geo.crs import wgs84_to_gcj02
from tests.importer.conftest import (
    CATEGORIES,
    DEPARTMENTS,
    check_planted_import,
    planted_events,
    rejects_of,
    stored_events,
    text_frame,
)

ZH = {
    "event_id": "事件编号",
    "reported_at": "上报时间",
    "category": "事件类型",
    "description": "事件描述",
    "lon": "经度",
    "lat": "纬度",
    "department": "处置部门",
    "closed_at": "结案时间",
    "satisfaction": "满意度",
}


def write_csv(path, frame: pd.DataFrame, encoding: str) -> None:
    path.write_bytes(frame.to_csv(index=False).encode(encoding))


def test_gbk_csv_with_gcj02_coordinates(district, tmp_path):
    planted = planted_events()
    path = tmp_path / "事件导出.csv"
    write_csv(path, text_frame(planted, ZH, "%Y/%m/%d %H:%M", convert=wgs84_to_gcj02), "gbk")
    # minutes only in this export: the stored times are the planted ones without seconds
    planted.frame["reported_at"] = [
        v.replace(second=0) if hasattr(v, "second") else v for v in planted.frame["reported_at"]
    ]
    planted.frame["closed_at"] = [
        v.replace(second=0) if hasattr(v, "second") else v for v in planted.frame["closed_at"]
    ]
    report = import_events(district, path, crs="gcj02")
    assert report.encoding == "gbk"
    assert report.mapping == "zh"
    check_planted_import(district, report, planted, lonlat_atol=1e-8)
    cats = district.fetch("list_categories").set_index("code")
    assert set(CATEGORIES) <= set(cats.index)
    assert (cats.loc[list(CATEGORIES), "name_zh"] == list(CATEGORIES)).all()
    deps = district.fetch("list_departments")
    assert set(deps["code"]) == set(DEPARTMENTS)
    # events without a department get the category's default department
    events = stored_events(district)
    assert events["department"].notna().all()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_detected(duck, tmp_path, encoding):
    planted = planted_events(n_good=6)
    frame = text_frame(planted, ZH)
    frame.loc[0, "事件描述"] = "䶮 镕 堃 — 描述"  # GB18030-only characters in the gb18030 case
    if encoding == "gbk":
        frame.loc[0, "事件描述"] = "描述"
    path = tmp_path / "e.csv"
    write_csv(path, frame, encoding)
    src = open_source(path)
    assert src.info.encoding == ("utf-8" if encoding == "utf-8" else encoding)
    assert src.info.columns == list(ZH.values())
    report = import_events(duck, path)
    assert report.reconciled
    assert report.rows_read == len(planted.frame)
    # no store has areas here: "outside every area" cannot apply and that row is stored
    expected = {r: why for r, why in planted.expected.items() if why != "outside every area"}
    assert rejects_of(duck, report.batch_id) == expected
    stored = duck.sql("SELECT description FROM events WHERE event_id = 'EV0000'")["description"].iloc[0]
    assert stored == frame.loc[0, "事件描述"]


def test_malformed_lines_are_rejected_with_their_row_numbers(duck, tmp_path):
    lines = ["事件编号,上报时间,事件类型,经度,纬度"]
    lines += [f"E{k},2026-05-01 08:00:00,占道经营,116.31,39.905" for k in range(1, 6)]
    lines[2] = "E2,2026-05-01 08:00:00,占道经营,116.31"  # too few fields
    lines[4] = "E4,2026-05-01 08:00:00,占道经营,116.31,39.905,extra"  # too many
    path = tmp_path / "m.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    report = import_events(duck, path)
    assert report.reconciled and report.rows_read == 5
    assert rejects_of(duck, report.batch_id) == {2: "unreadable line", 4: "unreadable line"}
    raw = duck.fetch("import_rejects_page", batch_id=report.batch_id, limit=10)["raw"].tolist()
    assert raw == [lines[2], lines[4]]
    assert sorted(stored_events(duck).index) == ["E1", "E3", "E5"]


def test_rejects_keep_the_raw_row(district, tmp_path):
    planted = planted_events(n_good=4)
    frame = text_frame(planted, ZH)
    path = tmp_path / "raw.csv"
    write_csv(path, frame, "gbk")
    report = import_events(district, path)
    got = district.fetch("import_rejects_page", batch_id=report.batch_id, limit=100)
    for row_number, raw in zip(got["row_number"], got["raw"], strict=True):
        expected = frame.iloc[row_number - 1].fillna("").astype(str).tolist()
        assert (
            pd.read_csv(pd.io.common.StringIO(raw), header=None, dtype=str, keep_default_na=False).iloc[0].tolist()
            == expected
        )
    assert np.all(got["reason"].str.len() > 0)
