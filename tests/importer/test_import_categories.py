"""``gridscope import categories FILE`` (issue 9): a district's category table with SLA hours
replaces the hours an events import assumed; every row is validated, stored or rejected
with a reason, and the events' deadlines follow at once. Both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from cli import main as gridscope
from data.ingest import DryRunStore, ImportFileError, import_events
from data.ingest.categories import import_categories
from tests.importer.conftest import inside_points, rejects_of

T0 = datetime(2026, 5, 14, 8, 0, 0)


def events_file(path, n: int = 12):
    """A 311-style export whose categories are names (the store makes them codes)."""
    lon, lat = inside_points(n, seed=2)
    types = ["Illegal Dumping", "Noise - Residential", "Rodent"]
    pd.DataFrame(
        [
            {
                "Unique Key": f"7{k:04d}",
                "Created Date": (T0 + timedelta(hours=k)).strftime("%m/%d/%Y %I:%M:%S %p"),
                "Closed Date": (T0 + timedelta(hours=k + 30)).strftime("%m/%d/%Y %I:%M:%S %p"),
                "Agency": "DSNY",
                "Complaint Type": types[k % 3],
                "Status": "Closed",
                "Latitude": f"{lat[k]:.8f}",
                "Longitude": f"{lon[k]:.8f}",
            }
            for k in range(n)
        ]
    ).to_csv(path, index=False)
    return path


ROWS = [  # code, name_zh, name_en, department, response, close -> expected reason (None: stored)
    ("Illegal Dumping", "非法倾倒", "Illegal Dumping", "DSNY", "4", "72", None),
    ("NR01", "居民噪声", "Noise - Residential", "NYPD", "1", "8", None),  # matches the stored name
    ("X1", "负数", "Negative", "DSNY", "-2", "24", "SLA out of range"),
    ("X2", "倒挂", "Inverted", "DSNY", "10", "5", "close SLA shorter than response SLA"),
    (None, "无编码", "No code", "DSNY", "1", "2", "missing id"),
    ("X3", "非数字", "Text", "DSNY", "abc", "24", "SLA not a number"),
    ("Illegal Dumping", "重复", "Again", "DSNY", "9", "99", "duplicate id in the file"),
    ("NEW", "新类别", None, None, "2 h", "48 小时", None),
    ("X4", "缺时限", "No close", "DSNY", "3", None, "missing SLA"),
    ("X5", "超长", "Too long", "DSNY", "1", "9000", "SLA out of range"),
]


def categories_frame(headers=("code", "name_zh", "name_en", "department", "sla_response_h", "sla_close_h")):
    return pd.DataFrame([r[:6] for r in ROWS], columns=list(headers), dtype=object)


def expected_rejects() -> dict[int, str]:
    return {i + 1: r[6] for i, r in enumerate(ROWS) if r[6]}


def _sla(store) -> pd.DataFrame:
    return store.fetch("list_categories").set_index("code")


def _deadlines(store) -> pd.DataFrame:
    return store.sql(
        "SELECT event_id, category, reported_at, respond_due_at, close_due_at FROM events ORDER BY event_id"
    ).set_index("event_id")


def test_categories_file_sets_the_slas_and_the_deadlines(district, tmp_path):
    events = import_events(district, events_file(tmp_path / "311.csv"))
    assert events.assumed_sla == {"Illegal Dumping": 4, "Noise - Residential": 4, "Rodent": 4}
    before = _sla(district)
    assert before["sla_assumed"].tolist() == [True, True, True]
    assert (before["sla_close_h"] == 24).all()

    path = tmp_path / "categories.csv"
    categories_frame().to_csv(path, index=False)
    report = import_categories(district, path)
    assert report.table == "categories" and report.mapping == "categories" and report.reconciled, report.lines()
    assert (report.rows_read, report.rejected) == (10, 7)
    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 0)
    assert rejects_of(district, report.batch_id) == expected_rejects()
    assert report.new_categories == ["NEW"]
    assert report.new_departments == ["NYPD", "unassigned"]

    sla = _sla(district)
    assert sla.loc["Illegal Dumping", ["name_zh", "department", "sla_response_h", "sla_close_h"]].tolist() == [
        "非法倾倒",
        "DSNY",
        4.0,
        72.0,
    ]
    # matched by name: the stored code stays, so its events keep their category
    assert sla.loc["Noise - Residential", ["name_zh", "department", "sla_response_h", "sla_close_h"]].tolist() == [
        "居民噪声",
        "NYPD",
        1.0,
        8.0,
    ]
    assert sla.loc["NEW", ["name_zh", "name_en", "department", "sla_response_h", "sla_close_h"]].tolist() == [
        "新类别",
        "新类别",
        "unassigned",
        2.0,
        48.0,
    ]
    assert sla["sla_assumed"].to_dict() == {
        "Illegal Dumping": False,
        "NEW": False,
        "Noise - Residential": False,
        "Rodent": True,
    }
    assert "NR01" not in sla.index

    d = _deadlines(district)
    close_h = {"Illegal Dumping": 72, "Noise - Residential": 8, "Rodent": 24}
    respond_h = {"Illegal Dumping": 4, "Noise - Residential": 1, "Rodent": 2}
    for _, row in d.iterrows():
        assert row["close_due_at"] == row["reported_at"] + timedelta(hours=close_h[row["category"]])
        assert row["respond_due_at"] == row["reported_at"] + timedelta(hours=respond_h[row["category"]])
    text = "\n".join(report.lines())
    assert "rows read 10 = stored 3 + rejected 7  [OK]" in text and "coordinates" not in text

    again = import_categories(district, path)  # the same file again changes nothing
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_chinese_headers_in_xlsx(district, tmp_path):
    path = tmp_path / "类别.xlsx"
    categories_frame(("类别编码", "类别名称", "英文名称", "责任部门", "响应时限（小时）", "结案时限（小时）")).to_excel(
        path, index=False
    )
    report = import_categories(district, path)
    assert report.mapping == "categories" and report.reconciled
    assert report.columns["sla_close_h"] == "结案时限（小时）"
    assert (report.inserted, report.rejected) == (3, 7)
    assert set(_sla(district).index) == {"Illegal Dumping", "NR01", "NEW"}  # no events yet: codes as given


def test_a_check_writes_nothing(district, tmp_path):
    import_events(district, events_file(tmp_path / "311.csv"))
    path = tmp_path / "categories.csv"
    categories_frame().to_csv(path, index=False)
    before = (_sla(district), _deadlines(district), district.table_counts())
    report = import_categories(DryRunStore(district), path)
    assert report.dry_run and report.rejected == 7
    after = (_sla(district), _deadlines(district), district.table_counts())
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert before[2] == after[2]


def test_a_file_without_hours_is_refused_before_writing(district, tmp_path):
    path = tmp_path / "names.csv"
    pd.DataFrame({"code": ["A"], "name_zh": ["甲"]}).to_csv(path, index=False)
    before = district.table_counts()
    with pytest.raises(ImportFileError, match="sla_response_h"):
        import_categories(district, path)
    assert district.table_counts() == before


def test_cli_import_categories(tmp_path, capsys):
    db = tmp_path / "g.duckdb"
    path = tmp_path / "categories.csv"
    categories_frame().to_csv(path, index=False)
    assert gridscope(["import", "categories", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "rows read 10 = stored 3 + rejected 7  [OK]" in out
    assert "rejected 2: SLA out of range" in out
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1]}).to_csv(bad, index=False)
    assert gridscope(["import", "categories", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "gridscope import:" in err and "Traceback" not in err


@pytest.mark.parametrize("fail_at", ["categories", "refresh"])
def test_a_failure_part_way_changes_nothing(district, tmp_path, monkeypatch, fail_at):
    """The store fails after the new departments (NYPD, unassigned) are written: while writing
    the categories, or while refreshing the events' deadlines. Before, the departments and the
    rejected rows stayed behind; now departments, categories, deadlines, rejects and the
    remembered report are as before (the real store, its method made to raise)."""
    import_events(district, events_file(tmp_path / "311.csv"))
    path = tmp_path / "categories.csv"
    categories_frame().to_csv(path, index=False)
    deps = district.fetch("list_departments")
    before = (
        _sla(district),
        _deadlines(district),
        district.table_counts(),
        district.get_meta("import:last:categories"),
    )
    written: list[str] = []
    upsert, execute = district.upsert_frame, district.execute

    def failing_upsert(table, frame, keys, **kw):
        written.append(table)
        if table == "categories" and fail_at == "categories":
            raise RuntimeError("disk full")
        return upsert(table, frame, keys, **kw)

    def failing_execute(name, **params):
        if name == "refresh_event_deadlines" and fail_at == "refresh":
            raise RuntimeError("disk full")
        return execute(name, **params)

    monkeypatch.setattr(district, "upsert_frame", failing_upsert)
    monkeypatch.setattr(district, "execute", failing_execute)
    with pytest.raises(RuntimeError, match="disk full"):
        import_categories(district, path)
    assert written[0] == "departments"  # the failure came after the departments were written
    monkeypatch.undo()
    pd.testing.assert_frame_equal(district.fetch("list_departments"), deps)
    after = (_sla(district), _deadlines(district), district.table_counts(), district.get_meta("import:last:categories"))
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert before[2:] == after[2:]
    # and the file imports once the store works again
    report = import_categories(district, path)
    assert report.new_departments == ["NYPD", "unassigned"] and report.rejected == 7
