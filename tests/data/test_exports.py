"""CSV comment rows and the Excel export (issue 16): notes round trip, formulas stay inert."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from data.exports import csv_bytes, read_notes, xlsx_bytes


def test_csv_notes_are_one_quoted_cell_each_and_round_trip():
    frame = pd.DataFrame({"名称": ["=cmd|' /C calc'!A0", "青年路"], "值": [-3.5, 2.0]})
    notes = [("事件类型", '噪音, =HYPERLINK("x")'), ("日期范围", "2026-06-01 – 2026-06-30")]
    data = csv_bytes(frame, notes)
    assert data.startswith(b"\xef\xbb\xbf")
    first = data.decode("utf-8-sig").split("\r\n")[0]
    assert first.startswith('"# 事件类型: 噪音, ')  # quoted: the comma cannot start a new cell
    got_notes, table = read_notes(data)
    assert got_notes == [f"{k}: {v}" for k, v in notes]
    assert table["名称"].tolist() == ["'=cmd|' /C calc'!A0", "青年路"] and table["值"].tolist() == ["-3.5", "2.0"]
    assert csv_bytes(frame) == csv_bytes(frame, ())  # no notes: as before


def test_xlsx_has_the_table_and_a_notes_sheet_with_no_formulas():
    frame = pd.DataFrame(
        {"name": ["=1+1", "@SUM(A1)", None], "n": [1, 2, 3], "t": pd.to_datetime(["2026-06-01", None, "2026-06-03"])}
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, [("方法", "=Gi*")], sheet="数据", notes_sheet="筛选")))
    assert book.sheetnames == ["数据", "筛选"]
    rows = list(book["数据"].iter_rows(values_only=True))
    assert rows[0] == ("name", "n", "t")
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'@SUM(A1)", None] and [r[1] for r in rows[1:]] == [1, 2, 3]
    assert all(c.data_type != "f" for row in book["数据"].iter_rows() for c in row)
    assert list(book["筛选"].iter_rows(values_only=True)) == [("方法", "'=Gi*")]
