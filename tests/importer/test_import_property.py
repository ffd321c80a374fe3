"""Property: random broken rows never make the importer raise, and rows read = stored + rejected."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.ingest import ImportFileError, import_areas, import_events
from data.ingest.timeformats import AmbiguousDateOrderError
from queries.duckdb_store import DuckDBStore
from tests.importer.conftest import X0, Y0

HEADER = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "结案时间", "满意度", "事件来源"]

junk = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
ids = st.one_of(st.sampled_from(["A1", "A2", "A3", ""]), junk)
times = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.sampled_from(
        ["", "2026-02-30 10:00:00", "12/31/2025 11:59:59 PM", "2026年5月1日 08:00", "now", "2026-05-01T08:00:00+08:00"]
    ),
    junk,
)
coords = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(X0 - 0.01, X0 + 0.05).map(lambda v: f"{v:.6f}"),
    st.sampled_from(["", "nan", "inf", "1e400", "116,3", "116.3°"]),
    junk,
)
row = st.tuples(
    ids,
    times,
    st.one_of(st.sampled_from(["占道经营", "", "Noise"]), junk),
    coords,
    st.one_of(st.floats(Y0 - 0.01, Y0 + 0.03).map(lambda v: f"{v:.6f}"), coords),
    times,
    st.one_of(st.sampled_from(["满意", "5", "0", "9", ""]), junk),
    st.one_of(st.sampled_from(["热线", "巡查", "video", ""]), junk),
)
broken_line = st.lists(st.sampled_from(["x", "1", "", "116.3"]), min_size=1, max_size=12).map(",".join)


def render(rows: list, broken: list[tuple[int, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    lines = []
    for r in rows:
        one = io.StringIO()
        csv.writer(one, lineterminator="\n").writerow(r)
        lines.append(one.getvalue())
    for pos, text in broken:
        lines.insert(min(pos, len(lines)), text.replace('"', "") + "\n")
    return (buf.getvalue() + "".join(lines)).encode("utf-8")


@pytest.fixture(scope="module")
def district_store(areas_file):
    """One DuckDB store with the block district, shared by the examples (deltas are checked)."""
    store = DuckDBStore(":memory:")
    import_areas(store, areas_file)
    yield store
    store.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    st.lists(row, min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), broken_line), max_size=3),
    st.sampled_from([None, "gcj02", "bd09", "EPSG:4548"]),
)
def test_random_broken_rows_reconcile(tmp_path_factory, district_store, rows, broken, crs):
    data = render(rows, broken)
    path = tmp_path_factory.mktemp("prop") / "events.csv"
    path.write_bytes(data)
    store = district_store
    before = store.table_counts()
    try:
        report = import_events(store, path, mapping="zh", crs=crs, chunk_rows=7)
    except ImportFileError as exc:
        # the one refusal random rows can cause: dates that read both month- and day-first
        # (e.g. year 12 written "12-01-01"); then nothing is written
        assert isinstance(exc.__cause__, AmbiguousDateOrderError), exc
        assert store.table_counts() == before
        return
    assert report.reconciled, report.lines()
    assert report.error is None
    # a bare CR inside a value is a line break to a CSV parser: records <= line breaks
    assert 1 <= report.rows_read <= data.count(b"\n") + data.count(b"\r") - 1
    after = store.table_counts()
    assert after["events"] - before["events"] == report.inserted
    assert after["import_rejects"] - before["import_rejects"] == report.rejected
    assert report.rejected == sum(report.reasons.values())
    stored = store.sql("SELECT count(DISTINCT event_id) AS n, count(*) AS m FROM events").iloc[0]
    assert stored["n"] == stored["m"]
