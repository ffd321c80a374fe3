"""Status values as real exports have them (issue 9): closures that are no resolution,
closed rows without a close time, open rows with a close time and unmapped values are
stored without a silent wrong value and each is counted, by value, in the report."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from cli import main as gridscope
from data.ingest import import_events
from tests.importer.conftest import inside_points, stored_events

US_TIME = "%m/%d/%Y %I:%M:%S %p"
T0 = datetime(2026, 5, 14, 9, 30, 0)  # day > 12: the date order is plain

# (Status, closed?) of a NYC-style export: 311's own statuses, a few the preset maps to
# "cancelled", some it does not know, a closed row without a Closed Date and open rows
# with one (NYC DOB's "Open" rows carry the created time as Closed Date).
NYC_ROWS = (
    [("Closed", True)] * 6
    + [("Open", False)] * 3
    + [("In Progress", False)] * 2
    + [("Cancelled", True)] * 2
    + [("Referred Out", True)]
    + [("Duplicate (Closed)", True)] * 3
    + [("Closed", False)] * 2
    + [("Open", True)] * 2
    + [("Pending Review", False)] * 3
    + [("Unspecified", True)]
)


def nyc_file(path, rows=NYC_ROWS):
    lon, lat = inside_points(len(rows), seed=11)
    out = []
    for k, (status, closed) in enumerate(rows):
        reported = T0 + timedelta(hours=k)
        out.append(
            {
                "Unique Key": f"6{k:05d}",
                "Created Date": reported.strftime(US_TIME),
                "Closed Date": (reported + timedelta(hours=5)).strftime(US_TIME) if closed else None,
                "Agency": "DSNY",
                "Complaint Type": "Illegal Dumping",
                "Status": status,
                "Latitude": f"{lat[k]:.8f}",
                "Longitude": f"{lon[k]:.8f}",
            }
        )
    pd.DataFrame(out).to_csv(path, index=False)
    return path


def test_311_statuses_are_stored_and_reported_by_value(district, tmp_path):
    report = import_events(district, nyc_file(tmp_path / "nyc.csv"))
    assert report.reconciled and report.rejected == 0
    assert dict(report.statuses) == {
        "not resolved: Cancelled": 2,
        "not resolved: Referred Out": 1,
        "not resolved: Duplicate (Closed)": 3,
        "closed, no time: Closed": 2,
        "open, close time: Open": 2,
        "unmapped: Pending Review": 3,
        "unmapped: Unspecified": 1,
    }
    events = stored_events(district)
    status = events["status"].value_counts().to_dict()
    # 6 closed + 2 closed without time + "Unspecified" with a close time (derived: closed)
    assert status == {"closed": 9, "cancelled": 6, "reported": 8, "responded": 2}
    by_row = {f"6{k:05d}": row for k, row in enumerate(NYC_ROWS)}
    for event_id, (given, had_time) in by_row.items():
        got = events.loc[event_id]
        if given == "Open":  # the close time contradicts the status: not stored
            assert pd.isna(got["closed_at"])
        elif had_time:
            assert got["closed_at"] == got["reported_at"] + timedelta(hours=5)
    text = "\n".join(report.lines())
    assert "status values not recognised" in text and "'Pending Review' (3), 'Unspecified' (1)" in text
    assert "closed without a resolution" in text and "'Duplicate (Closed)' (3)" in text
    assert "status closed but no close time" in text and "(2 rows): 'Closed' (2)" in text
    assert "status open but a close time" in text


def test_chinese_statuses(district, tmp_path):
    rows = [
        ("已结案", True),
        ("已撤销", True),
        ("已退回", False),
        ("重复工单", True),
        ("结案", False),
        ("处置中", False),
        ("转办", False),
        ("待审核", False),
    ]
    lon, lat = inside_points(len(rows), seed=5)
    frame = pd.DataFrame(
        [
            {
                "事件编号": f"Z{k}",
                "上报时间": (T0 + timedelta(hours=k)).strftime("%Y-%m-%d %H:%M:%S"),
                "结案时间": (T0 + timedelta(hours=k + 3)).strftime("%Y-%m-%d %H:%M:%S") if closed else None,
                "事件类型": "占道经营",
                "事件状态": status,
                "经度": f"{lon[k]:.8f}",
                "纬度": f"{lat[k]:.8f}",
            }
            for k, (status, closed) in enumerate(rows)
        ]
    )
    path = tmp_path / "zh.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    report = import_events(district, path)
    assert report.mapping == "zh" and report.reconciled
    assert dict(report.statuses) == {
        "not resolved: 已撤销": 1,
        "not resolved: 已退回": 1,
        "not resolved: 重复工单": 1,
        "closed, no time: 结案": 1,
        "unmapped: 转办": 1,
        "unmapped: 待审核": 1,
    }
    assert stored_events(district)["status"].to_dict() == {
        "Z0": "closed",
        "Z1": "cancelled",
        "Z2": "cancelled",
        "Z3": "cancelled",
        "Z4": "closed",
        "Z5": "responded",
        "Z6": "reported",
        "Z7": "reported",
    }


def test_cli_prints_the_status_findings(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"  # the CLI opens its own store: one backend is enough for the printing
    from data.ingest import import_areas
    from queries.duckdb_store import DuckDBStore
    from tests.importer.conftest import write_areas

    store = DuckDBStore(db)
    import_areas(store, write_areas(tmp_path / "areas.geojson"))
    store.close()
    assert gridscope(["import", "events", str(nyc_file(tmp_path / "nyc.csv")), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "'Pending Review' (3), 'Unspecified' (1)" in out
    assert "'Cancelled' (2)" in out and "'Referred Out' (1)" in out
    assert "assumed SLA (2 h response / 24 h close) for 1 category (25 rows): Illegal Dumping (25)" in out
