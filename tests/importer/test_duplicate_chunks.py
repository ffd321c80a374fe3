"""In-file duplicates across chunks: a chunk whose every good row repeats an earlier chunk.

Such a chunk adds no new ids to the duplicate tracker; the next chunk with a good row used
to fail with ``IndexError`` in ``DuplicateTracker.mark`` (it looked ids up in an empty
array). Real files hit it at the default chunk size: an export pasted twice (two chunks of
repeated ids) with any row after it. Here the chunks are small so the file is too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from data.ingest import import_events, import_readings
from data.ingest.validate import DuplicateTracker
from tests.importer.conftest import inside_points, rejects_of
from tests.importer.test_import_readings import readings_frame


def _events(ids: list[str], seed: int = 5) -> pd.DataFrame:
    lng, lat = inside_points(len(ids), seed=seed)
    return pd.DataFrame(
        {
            "事件编号": ids,
            "上报时间": "2026-05-01 08:00:00",
            "事件类型": "占道经营",
            "经度": lng.round(7),
            "纬度": lat.round(7),
        }
    )


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_events_after_chunks_of_only_repeated_ids(district, tmp_path, chunk_rows):
    """Six events, the same six again (chunks of nothing but repeats), then one new event."""
    first = _events([f"E{k}" for k in range(1, 7)])
    frame = pd.concat([first, first, _events(["NEW"], seed=6)], ignore_index=True)
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    report = import_events(district, path, mapping="zh", chunk_rows=chunk_rows)
    assert report.reconciled, report.lines()
    assert (report.rows_read, report.inserted, report.rejected) == (13, 7, 6)
    assert rejects_of(district, report.batch_id) == dict.fromkeys(range(7, 13), "duplicate id in the file")
    reasons = district.fetch("import_rejects_page", batch_id=report.batch_id, limit=100)
    assert sorted(reasons["reason"]) == [f"duplicate id in the file: first at row {k}" for k in range(1, 7)]
    counts = district.table_counts()
    assert counts["events"] == 7 and counts["import_rejects"] == 6
    assert sorted(district.sql("SELECT event_id FROM events")["event_id"]) == sorted(
        [f"E{k}" for k in range(1, 7)] + ["NEW"]
    )


def test_readings_in_chunks_of_one_row(district, tmp_path):
    """``chunk_rows=1``: two repeated readings in a row, then a new one."""
    frame = readings_frame()  # 72 readings of 3 new sensors
    new = frame.iloc[[0]].assign(时间="2026-05-09 00:00")
    frame = pd.concat([frame, frame.iloc[[0, 1]], new], ignore_index=True)
    path = tmp_path / "readings.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    report = import_readings(district, path, chunk_rows=1)
    assert report.reconciled, report.lines()
    assert (report.rows_read, report.new_sensors, report.inserted, report.rejected) == (75, 3, 73, 2)
    assert rejects_of(district, report.batch_id) == {73: "duplicate id in the file", 74: "duplicate id in the file"}
    counts = district.table_counts()
    assert counts["readings"] == 73 and counts["sensors"] == 3 and counts["import_rejects"] == 2


def test_tracker_after_a_chunk_of_only_repeats():
    """The tracker itself: chunk 2 repeats chunk 1, chunk 3 holds a repeat and a new id."""
    dups = DuplicateTracker()

    def mark(ids: list[str], rows: list[int]) -> list[int]:
        return dups.mark(pl.DataFrame({"id": ids}), np.array(rows), np.ones(len(ids), dtype=bool)).tolist()

    assert mark(["a", "b"], [1, 2]) == [0, 0]
    assert mark(["b", "a"], [3, 4]) == [2, 1]
    assert mark(["c", "a", "c"], [5, 6, 7]) == [0, 1, 5]
    assert mark(["c"], [8]) == [5]


def test_tracker_equals_a_dictionary_over_many_chunks():
    """Chunks of uneven sizes (its sorted runs merge as they grow): each row gets the row of
    the first occurrence of its id, as a plain dictionary of first rows gives it."""
    rng = np.random.default_rng(5)
    dups, first = DuplicateTracker(), {}
    row = 0
    for size in rng.integers(1, 400, 60):
        ids = [f"id{v}" for v in rng.integers(0, 3000, size)]
        rows = np.arange(row + 1, row + size + 1)
        row += size
        candidate = rng.random(size) < 0.9
        got = dups.mark(pl.DataFrame({"id": ids}), rows, candidate).tolist()
        want = []
        for i, r, c in zip(ids, rows.tolist(), candidate.tolist(), strict=True):
            want.append(first.get(i, 0) if c else 0)
            if c:
                first.setdefault(i, r)
        assert got == want
    assert len(dups._hashes) <= 7  # merged runs, not one per chunk
