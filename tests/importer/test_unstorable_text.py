"""Text a store cannot hold is a rejected row with a reason, the same on both backends.

Issue 9: a NUL byte in a description past the first chunk was stored by DuckDB, while on
PostGIS the import raised ``ValueError: text values cannot contain NUL`` and wrote 0 of
8,001 rows. The same class: bytes that are not valid in the file's encoding stopped the
whole import (or, in the first megabyte of a UTF-8 file, made it unreadable), and other
control characters must come back unchanged from both stores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from data.ingest import import_areas, import_events, import_readings
from data.ingest.readers import CHUNK_ROWS
from data.ingest.reasons import REASONS, reason_zh
from tests.importer.conftest import area_frame, inside_points, rejects_of, stored_events

HEADER = "事件编号,上报时间,事件类型,经度,纬度,问题描述\n"


def _rows(n: int) -> list[str]:
    """``n`` valid event lines in the block district, ~200 bytes each (Chinese descriptions)."""
    lng, lat = inside_points(n, seed=21)
    text = "居民反映小区门口占道经营，早晚高峰影响通行，请尽快处理。" * 2
    return [f"E{k:05d},2026-05-01 08:{k % 60:02d}:00,占道经营,{lng[k]:.6f},{lat[k]:.6f},{text}{k}\n" for k in range(n)]


def _write(path: Path, lines: list[str], encoding: str = "utf-8", patch: dict[int, bytes] | None = None) -> Path:
    """Write ``HEADER + lines``; ``patch`` replaces data row k (1-based) by raw bytes."""
    out = [HEADER.encode(encoding)]
    for k, line in enumerate(lines, start=1):
        out.append(patch[k] if patch and k in patch else line.encode(encoding))
    path.write_bytes(b"".join(out))
    return path


NUL_REASON = "text cannot be stored: field '{}' contains a NUL character (U+0000), which PostgreSQL cannot store"
BYTES_REASON = (
    "text cannot be stored: field 'description' has bytes that are not valid in the file's encoding "
    "(shown as \ufffd in the raw row)"
)


@pytest.mark.parametrize("chunk_rows", [2_000, CHUNK_ROWS])
def test_nul_past_the_first_chunk_is_a_rejected_row(district, tmp_path, chunk_rows):
    lines = _rows(8_001)
    # past the first 1 MB (the encoding sample) and, with 2,000-row chunks, past the first chunk
    lines[5_999] = lines[5_999].replace("占道经营，", "占道经营\x00，")  # row 6000: description
    lines[7_499] = lines[7_499].replace(",占道经营,", ",占道\x00经营,")  # row 7500: category
    path = _write(tmp_path / "nul.csv", lines)
    assert path.stat().st_size > (1 << 20)
    report = import_events(district, path, mapping="zh", chunk_rows=chunk_rows)
    assert (report.rows_read, report.stored, report.rejected) == (8_001, 7_999, 2)
    assert report.reconciled and report.error is None
    assert dict(report.reasons) == {"text cannot be stored": 2}
    rejects = district.fetch("import_rejects_page", batch_id=report.batch_id, limit=10).set_index("row_number")
    assert rejects.loc[6000, "reason"] == NUL_REASON.format("description")
    assert rejects.loc[7500, "reason"] == NUL_REASON.format("category")
    assert "占道经营\u2400，" in rejects.loc[6000, "raw"]  # NUL shown as ␀, storable everywhere
    events = stored_events(district)
    assert len(events) == 7_999 and "E05999" not in events.index and "E07499" not in events.index
    assert not events["description"].str.contains("\x00").any()


def test_invalid_bytes_reject_their_row_in_utf8_and_gbk(district, tmp_path):
    lines = _rows(8_001)
    bad_utf8 = lines[6_499].encode("utf-8").replace("请尽快".encode(), b"caf\xe9 \xff")  # Latin-1 bytes
    utf8 = _write(tmp_path / "utf8.csv", lines, patch={6_500: bad_utf8})
    report = import_events(district, utf8, mapping="zh", chunk_rows=2_000)
    assert (report.encoding, report.rows_read, report.stored, report.rejected) == ("utf-8", 8_001, 8_000, 1)
    rejected = district.fetch("import_rejects_page", batch_id=report.batch_id, limit=10)
    assert rejected["row_number"].tolist() == [6_500] and rejected["reason"].tolist() == [BYTES_REASON]
    assert "caf\ufffd \ufffd" in rejected["raw"][0]
    # a GBK export with a byte that starts no GBK character
    district.clear(["events", "import_rejects"])
    bad_gbk = lines[6_499].encode("gbk").replace("请尽快".encode("gbk"), "请尽".encode("gbk") + b"\xff")
    gbk = _write(tmp_path / "gbk.csv", lines, "gbk", patch={6_500: bad_gbk})
    report = import_events(district, gbk, mapping="zh", chunk_rows=2_000)
    assert (report.encoding, report.rows_read, report.stored, report.rejected) == ("gbk", 8_001, 8_000, 1)
    assert rejects_of(district, report.batch_id) == {6_500: "text cannot be stored"}
    assert stored_events(district).loc["E00000", "description"].startswith("居民反映小区门口占道经营")


def test_a_stray_byte_in_the_first_megabyte_keeps_the_file_utf8(district, tmp_path):
    """Before: the sample failed UTF-8, GBK and GB18030, so the whole file was refused."""
    lines = _rows(50)
    bad = lines[2].encode("utf-8").replace("请尽快".encode(), b"caf\xe9,")  # an extra field too: still one row
    bad = bad.replace(b"caf\xe9,", b"caf\xe9")
    path = _write(tmp_path / "stray.csv", lines, patch={3: bad})
    report = import_events(district, path, mapping="zh")
    assert (report.encoding, report.stored, report.rejected) == ("utf-8", 49, 1)
    assert rejects_of(district, report.batch_id) == {3: "text cannot be stored"}
    assert stored_events(district).loc["E00001", "description"].startswith("居民反映")


def test_other_control_characters_are_stored_unchanged_on_both_backends(district, tmp_path):
    """Tab, CR, ESC, BEL, U+FFFE: every store keeps them; both give the same text back."""
    text = "左\t右\r\n换行 \x1b[31m红\x1b[0m \x07 \ufffe 末"
    lng, lat = inside_points(1, seed=4)
    pd.DataFrame(
        {
            "事件编号": ["C1"],
            "上报时间": ["2026-05-01 08:00:00"],
            "事件类型": ["占道经营"],
            "经度": [lng[0]],
            "纬度": [lat[0]],
            "问题描述": [text],
        }
    ).to_csv(tmp_path / "c.csv", index=False)
    report = import_events(district, tmp_path / "c.csv", mapping="zh")
    assert (report.stored, report.rejected) == (1, 0)
    assert stored_events(district).loc["C1", "description"] == text


def test_readings_and_areas_reject_nul_too(store, tmp_path):
    """GeoJSON: GDAL cuts text at a NUL (``\\u0000``); the reader restores it, so the
    feature is rejected instead of stored with a shortened name."""
    features = json.loads(area_frame(("grid",)).to_json())["features"]
    features[1]["properties"]["name_zh"] = "网格\u0000一"
    (tmp_path / "a.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    areas = import_areas(store, tmp_path / "a.geojson")
    assert (areas.rows_read, areas.stored, areas.rejected) == (8, 7, 1)
    assert rejects_of(store, areas.batch_id) == {2: "text cannot be stored"}
    assert "网格" not in set(store.sql("SELECT name_zh FROM areas")["name_zh"])
    # readings: a NUL in a new sensor's kind, past the first megabyte (else "not text")
    lng, lat = inside_points(2, seed=8)
    pad = [
        f"S0,2026-05-{1 + k // 1440:02d} {k // 60 % 24:02d}:{k % 60:02d}:00,{k % 50},{lng[0]:.6f},{lat[0]:.6f},pm25\n"
        for k in range(25_000)
    ]
    nul = f"S1,2026-05-01 08:00:00,12,{lng[1]:.6f},{lat[1]:.6f},pm\x0025\n"
    path = tmp_path / "r.csv"
    path.write_bytes(("sensor_id,ts,value,lon,lat,kind\n" + "".join(pad) + nul).encode("utf-8"))
    readings = import_readings(store, path)
    assert (readings.rows_read, readings.stored, readings.rejected) == (25_001, 25_000, 1)
    assert rejects_of(store, readings.batch_id) == {25_001: "text cannot be stored"}
    assert set(store.fetch("sensor_points")["sensor_id"]) == {"S0"}


def test_the_new_reason_has_chinese_text():
    assert REASONS["text cannot be stored"] == "文本无法存储"
    assert reason_zh(NUL_REASON.format("description")).startswith("文本无法存储：字段 description 含有 NUL 字符")


def test_a_categories_file_rejects_nul_too(store, tmp_path):
    """The same rule in ``gridscope import categories``: PostGIS refused the whole file."""
    from data.ingest.categories import import_categories

    pad = "".join(f"C{k:05d},类别{k},Category {k},环卫所,2,24\n" for k in range(30_000))  # past the 1 MB sample
    path = tmp_path / "sla.csv"
    path.write_bytes(
        (
            "code,name_zh,name_en,department,sla_response_h,sla_close_h\n" + pad + "X1,坏\x00类别,Bad,环卫所,2,24\n"
        ).encode("utf-8")
    )
    report = import_categories(store, path)
    assert (report.rows_read, report.stored, report.rejected) == (30_001, 30_000, 1)
    assert rejects_of(store, report.batch_id) == {30_001: "text cannot be stored"}
    assert "X1" not in set(store.sql("SELECT code FROM categories")["code"])


def test_infinite_readings_are_rejected_and_a_bad_threshold_is_said(store, tmp_path):
    """``1e400``/``inf`` were stored as infinity on both backends (every mean and alarm wrong);
    a threshold ``abc`` silently became the default (now said in the report)."""
    lng, lat = inside_points(2, seed=12)
    path = tmp_path / "r.csv"
    path.write_text(
        "sensor_id,ts,value,lon,lat,threshold\n"
        f"S1,2026-05-01 01:00:00,12.5,{lng[0]:.6f},{lat[0]:.6f},abc\n"
        f"S1,2026-05-01 02:00:00,1e400,{lng[0]:.6f},{lat[0]:.6f},abc\n"
        f"S1,2026-05-01 03:00:00,-inf,{lng[0]:.6f},{lat[0]:.6f},abc\n"
        f"S2,2026-05-01 01:00:00,3,{lng[1]:.6f},{lat[1]:.6f},40\n",
        encoding="utf-8",
    )
    report = import_readings(store, path)
    assert (report.rows_read, report.stored, report.rejected) == (4, 2, 2)
    assert rejects_of(store, report.batch_id) == {2: "value not a number", 3: "value not a number"}
    assert report.warnings["threshold 'abc' is not a number: a new sensor gets the default"] == 3
    got = store.sql("SELECT sensor_id, threshold FROM sensors ORDER BY sensor_id")
    assert got["threshold"].tolist() == [75.0, 40.0]  # S1: the readings preset's default, 75
    assert store.sql("SELECT max(value) AS m FROM readings")["m"].iloc[0] == 12.5
