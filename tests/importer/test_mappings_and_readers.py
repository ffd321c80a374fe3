"""Mappings (presets, user TOML, suggestions) and reader details (encodings, row numbers, time formats)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from data.ingest.mappings import (
    FIELDS,
    MappingError,
    detect_mapping,
    list_mappings,
    load_mapping,
    parse_mapping,
    suggest_columns,
)
from data.ingest.readers import ReadError, detect_encoding, open_source
from data.ingest.readers.csv_reader import _number_rows
from data.ingest.reasons import REASONS, reason_zh
from data.ingest.timeformats import TimeParser


def test_presets_load_and_name_only_known_fields():
    names = list_mappings()
    assert {"native", "zh", "311", "areas", "areas_zh", "readings"} <= set(names)
    for name in names:
        m = load_mapping(name)
        assert set(m.columns) <= set(FIELDS[m.table])
        assert set(m.defaults) <= set(FIELDS[m.table])


@pytest.mark.parametrize(
    "columns,expected",
    [
        (["事件编号", "上报时间", "事件类型", "经度", "纬度", "处置部门", "结案时间", "满意度"], "zh"),
        (["Unique Key", "Created Date", "Closed Date", "Agency", "Complaint Type", "Latitude", "Longitude"], "311"),
        (["event_id", "reported_at", "category", "lon", "lat"], "native"),
    ],
)
def test_detect_mapping(columns, expected):
    m = detect_mapping(columns)
    assert m.name == expected
    assert m.missing_required(columns) == []


def test_resolve_ignores_case_spaces_and_punctuation():
    m = load_mapping("311")
    got = m.resolve(["unique_key", "CREATED.DATE", "latitude", "longitude", "complaint type"])
    assert got == {
        "event_id": "unique_key",
        "reported_at": "CREATED.DATE",
        "lat": "latitude",
        "lon": "longitude",
        "category": "complaint type",
    }


def test_user_mapping_round_trips_through_toml(tmp_path):
    m = load_mapping("zh").with_columns({"event_id": "工单", "closed_at": None})
    text = m.to_toml()
    back = parse_mapping(text, "mine")
    assert back.columns == m.columns and back.values == m.values and back.defaults == m.defaults
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    assert load_mapping(tmp_path / "mine.toml").columns["event_id"] == ("工单",)


@pytest.mark.parametrize(
    "text,message",
    [
        ("table = 'nothing'", "table must be"),
        ("[columns]\nfoo = ['x']", "unknown field"),
        ("[columns]\nevent_id = 3", "list of column names"),
        ("[defaults]\nbar = 'x'", "unknown field"),
    ],
)
def test_bad_mappings_say_what_is_wrong(text, message):
    with pytest.raises(MappingError, match=message):
        parse_mapping(text)


def test_suggestions_for_unmapped_columns():
    m = load_mapping("native")
    got = suggest_columns(["工单编号", "受理时间", "X坐标", "Y坐标", "问题类型", "备注"], m)
    assert got == {
        "工单编号": "event_id",
        "受理时间": "reported_at",
        "X坐标": "lon",
        "Y坐标": "lat",
        "问题类型": "category",
    }
    # columns a preset already maps, or declares as known, get no suggestion
    nyc = load_mapping("311")
    assert "Borough" not in suggest_columns(["Unique Key", "Borough", "Created Date"], nyc)


@pytest.mark.parametrize(
    "text,encoding",
    [("事件,时间\n", "utf-8"), ("事件,时间\n", "gbk"), ("事件,䶮\n", "gb18030"), ("plain,ascii\n", "utf-8")],
)
def test_detect_encoding(text, encoding):
    assert detect_encoding(text.encode(encoding)) == encoding
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"


def test_detect_encoding_tolerates_a_cut_character():
    data = ("编号" * 100).encode("utf-8")
    assert detect_encoding(data[:-1]) == "utf-8"
    with pytest.raises(ReadError):
        detect_encoding(b"\x00\x01binary")


def test_row_numbers_skip_malformed_records():
    # good rows 1..5 with malformed records at data rows 2 and 4 -> good rows are 1, 3, 5, 6, 7
    assert _number_rows(0, 5, np.array([2, 4])).tolist() == [1, 3, 5, 6, 7]
    assert _number_rows(3, 2, np.array([2, 4])).tolist() == [6, 7]


def test_tab_and_semicolon_delimiters(tmp_path):
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    for name in ("t.tsv", "s.csv"):
        src = open_source(tmp_path / name)
        assert src.info.columns == ["a", "b"]
        assert src.preview().to_dict("list") == {"a": ["1"], "b": ["2"]}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-05-01 08:30:15", "2026-05-01 08:30:15"),
        ("2026/05/01 08:30", "2026-05-01 08:30:00"),
        (
            "05/21/2026 08:30:15 PM",
            "2026-05-21 20:30:15",
        ),  # 05/01 alone is ambiguous: tests/importer/test_time_formats.py
        ("2026年5月1日 08:30", "2026-05-01 08:30:00"),
        ("20260501083015", "2026-05-01 08:30:15"),
        ("2026-05-01T00:30:15Z", "2026-05-01 08:30:15"),  # UTC -> Asia/Shanghai
        ("2026-05-01T08:30:15+08:00", "2026-05-01 08:30:15"),
        ("2026-05-01", "2026-05-01 00:00:00"),
        ("2026-02-30 08:00:00", None),
        ("soon", None),
    ],
)
def test_time_formats(text, expected):
    got = TimeParser().parse("t", pl.Series([text])).to_list()[0]
    assert (got.strftime("%Y-%m-%d %H:%M:%S") if got else None) == expected


def test_every_reason_has_chinese_text():
    assert all(REASONS.values())
    assert reason_zh("missing coordinates") == "缺少坐标"
    assert reason_zh("unparseable time: reported_at = 'x'") == "时间无法解析：reported_at = 'x'"
