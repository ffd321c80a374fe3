"""Files that cannot be read at all: one clear message, nothing changes in the store."""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import (
    ImportFileError,
    import_areas,
    import_events,
    import_readings,
)


def _cases(tmp_path):
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 50)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header_only.csv").write_text("事件编号,上报时间,事件类型,经度,纬度\n", encoding="utf-8")
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "fake.xlsx").write_text("this is not a workbook", encoding="utf-8")
    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    pd.DataFrame({"foo": [1], "bar": [2]}).to_csv(tmp_path / "no_columns.csv", index=False)
    pd.DataFrame({"事件编号": ["a"], "经度": [116.3], "纬度": [39.9]}).to_csv(tmp_path / "no_time.csv", index=False)
    (tmp_path / "bad.toml").write_text("table = [", encoding="utf-8")
    good = pd.DataFrame(
        {"事件编号": ["a"], "上报时间": ["2026-05-01 08:00"], "事件类型": ["x"], "经度": [116.305], "纬度": [39.905]}
    )
    good.to_csv(tmp_path / "good.csv", index=False)
    return {
        "binary": (tmp_path / "binary.csv", {}, "not text"),
        "empty": (tmp_path / "empty.csv", {}, "empty"),
        "header only": (tmp_path / "header_only.csv", {}, "no data rows"),
        "unknown type": (tmp_path / "report.docx", {}, "unknown file type"),
        "not a workbook": (tmp_path / "fake.xlsx", {}, "cannot read"),
        "broken geojson": (tmp_path / "broken.geojson", {}, "cannot read"),
        "no mapped column": (tmp_path / "no_columns.csv", {}, "no column"),
        "required field missing": (tmp_path / "no_time.csv", {"mapping": "zh"}, "reported_at"),
        "missing file": (tmp_path / "nope.csv", {}, "no such file"),
        "unknown mapping": (tmp_path / "good.csv", {"mapping": "martian"}, "no mapping"),
        "malformed mapping": (tmp_path / "good.csv", {"mapping": tmp_path / "bad.toml"}, "not valid TOML"),
        "unknown crs": (tmp_path / "good.csv", {"crs": "mercator"}, "coordinate system"),
        "wrong table mapping": (tmp_path / "good.csv", {"mapping": "areas"}, "is for areas"),
    }


CASES = [
    "binary",
    "empty",
    "header only",
    "unknown type",
    "not a workbook",
    "broken geojson",
    "no mapped column",
    "required field missing",
    "missing file",
    "unknown mapping",
    "malformed mapping",
    "unknown crs",
    "wrong table mapping",
]


@pytest.mark.parametrize("case", CASES)
def test_unreadable_event_files_change_nothing(district, tmp_path, case):
    path, kwargs, message = _cases(tmp_path)[case]
    before = district.table_counts()
    with pytest.raises(ImportFileError, match=message) as info:
        import_events(district, path, **kwargs)
    assert "\n" not in str(info.value)
    assert district.table_counts() == before


@pytest.mark.parametrize("case", ["binary", "empty", "unknown type", "broken geojson", "missing file"])
def test_unreadable_area_and_reading_files_change_nothing(district, tmp_path, case):
    path, _, _ = _cases(tmp_path)[case]
    before = district.table_counts()
    with pytest.raises(ImportFileError):
        import_areas(district, path)
    with pytest.raises(ImportFileError):
        import_readings(district, path)
    assert district.table_counts() == before


def test_areas_from_a_csv_is_refused(district, tmp_path):
    path, _, _ = _cases(tmp_path)["no mapped column"]
    with pytest.raises(ImportFileError, match="no geometry"):
        import_areas(district, path)


def test_a_file_that_breaks_part_way_keeps_what_was_read(duck, tmp_path):
    """A Parquet file whose 7th row group is damaged (a broken download): the six before
    are imported and counted. (Bytes invalid in a CSV's encoding no longer stop an import:
    that row is rejected, tests/importer/test_unstorable_text.py.)"""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame(
        {
            "事件编号": [f"E{k}" for k in range(200_000)],
            "上报时间": "2026-05-01 08:00:00",
            "事件类型": "占道经营",
            "经度": "116.31",
            "纬度": "39.905",
        }
    )
    path = tmp_path / "broken.parquet"
    pq.write_table(pa.Table.from_pandas(frame), path, row_group_size=20_000)
    offset = pq.ParquetFile(path).metadata.row_group(6).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    report = import_events(duck, path, chunk_rows=20_000)
    assert report.error and "cannot read" in report.error
    assert report.reconciled
    assert report.rows_read == 120_000
    assert duck.table_counts()["events"] == report.inserted == 120_000
