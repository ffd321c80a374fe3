"""Closures that the status notes show are no resolution (issue 9, "Status and close time").

San Francisco's 311 export says ``Closed`` for every closed case; its ``Status Notes`` say
``Case Transferred - …``, ``Case is a Duplicate - …``, ``Case is Invalid - …`` or ``Case
Completed - cancelled: …`` for many of them. NYC's ``Resolution Description`` and a 12345
export's 办理意见 carry the same. The mapping's ``[status_note_rules]`` re-classify such
closed rows as ``cancelled`` (first matching rule wins, ignoring case); the report counts
them per rule. Files are built here in the shape of those exports, imported on both
backends, and the closure rate is counted by hand from the tables below.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from cli import main as gridscope
from data.ingest import import_events
from data.ingest.mappings import MappingError, load_mapping, parse_mapping
from queries import EventFilter
from queries.answers.kpis import overview_kpis
from tests.importer.conftest import inside_points, stored_events, write_areas

US_TIME = "%m/%d/%Y %I:%M:%S %p"
T0 = datetime(2026, 5, 14, 9, 30, 0)  # day > 12: the date order is plain
MAY = EventFilter(datetime(2026, 5, 1), datetime(2026, 6, 1))
AS_OF = datetime(2026, 6, 1)

# (Status, Status Notes, has a Closed time, expected stored status, rule that re-classified it)
SF_ROWS = [
    ("Closed", "Case Resolved - pothole filled", True, "closed", None),
    ("Closed", "Closed - Resolved", True, "closed", None),
    ("Closed", "Case Completed - resolved: Graffiti removed", True, "closed", None),
    ("Closed", "NA", True, "closed", None),
    ("Closed", None, True, "closed", None),  # empty notes
    ("Closed", "Case Resolved - done", False, "closed", None),  # closed, no time
    ("Closed", "Case Transferred - to PG&E", True, "cancelled", "Case Transferred"),
    ("Closed", "case transferred - psr 447031", True, "cancelled", "Case Transferred"),  # lower case
    ("Closed", "CASE TRANSFERRED - Muni", True, "cancelled", "Case Transferred"),
    ("Closed", "Duplicate: see case 123", True, "cancelled", "Duplicate"),
    ("Closed", "Case is a Duplicate - DUPLICATE TO ACTIVE STL 239994", True, "cancelled", "Case is a Duplicate"),
    ("Closed", "Case Completed - resolved: duplicate request", True, "cancelled", "*duplicate*"),
    ("Closed", "Case is Invalid - wrong location", True, "cancelled", "Case is Invalid"),
    (
        "Closed",
        "Case Completed - cancelled: Maximo Service Request has been cancelled",
        True,
        "cancelled",
        "Case Completed - cancelled",
    ),
    (
        "Closed",
        "Case Completed - resolved: Maximo Work Order has been cancelled.",
        True,
        "cancelled",
        "*has been cancelled*",
    ),
    ("Closed", "Cancelled by requester", False, "cancelled", "Cancelled"),  # no time: cancelled, not "closed, no time"
    ("Open", "Case Transferred - to DPW", False, "reported", None),  # open: notes do not close it
    ("Open", "Duplicate: see case 9", False, "reported", None),
    ("In Progress", None, False, "responded", None),
]
# counted by hand from SF_ROWS: 19 events, 10 re-classified, 6 closures left (1 without a time)
SF_EVENTS, SF_CANCELLED, SF_CLOSED = 19, 10, 6
SF_RULES = {
    "Case Transferred": 3,
    "Duplicate": 1,
    "Case is a Duplicate": 1,
    "*duplicate*": 1,
    "Case is Invalid": 1,
    "Case Completed - cancelled": 1,
    "*has been cancelled*": 1,
    "Cancelled": 1,
}


def sf_file(path, rows=SF_ROWS):
    lon, lat = inside_points(len(rows), seed=21)
    out = []
    for k, (status, notes, closed, _, _) in enumerate(rows):
        opened = T0 + timedelta(hours=k)
        out.append(
            {
                "CaseID": f"{1757188 + k}",
                "Opened": opened.strftime(US_TIME),
                "Closed": (opened + timedelta(hours=7)).strftime(US_TIME) if closed else None,
                "Status": status,
                "Status.Notes": notes,
                "Responsible.Agency": "DPW Ops Queue",
                "Category": "Street and Sidewalk Cleaning",
                "Request.Type": "Sidewalk_Cleaning",
                "Lat": f"{lat[k]:.9f}",
                "Long": f"{lon[k]:.9f}",
            }
        )
    pd.DataFrame(out).to_csv(path, index=False)
    return path


def _by_notes(report) -> dict[str, int]:
    return {k.removeprefix("by notes: "): n for k, n in report.statuses.items() if k.startswith("by notes: ")}


def test_sf_closures_reclassified_by_status_notes(district, tmp_path):
    report = import_events(district, sf_file(tmp_path / "sf.csv"), mapping="311")
    assert report.reconciled and report.rejected == 0
    assert report.columns["status_note"] == "Status.Notes"
    assert _by_notes(report) == SF_RULES
    # the untimed closure the notes call a resolution is still "closed, no time"; the cancelled one is not
    assert report.statuses["closed, no time: Closed"] == 1
    events = stored_events(district)
    assert events["status"].to_dict() == {f"{1757188 + k}": row[3] for k, row in enumerate(SF_ROWS)}
    for k, (_, _, closed, _, _) in enumerate(SF_ROWS):  # a re-classified closure keeps its close time
        got = events.loc[f"{1757188 + k}"]
        assert (got["closed_at"] == got["reported_at"] + timedelta(hours=7)) if closed else pd.isna(got["closed_at"])
    k = overview_kpis(district, MAY, AS_OF)["current"]
    assert (k.events, k.cancelled, k.closed_untimed) == (SF_EVENTS, SF_CANCELLED, 1)
    assert k.closure_rate == pytest.approx(6 / 9)  # 6 closed of the 19 - 10 not re-classified
    text = "\n".join(report.lines())
    assert "status notes (column 'Status.Notes') say closed without a resolution: stored as 'cancelled'" in text
    assert (
        "by [status_note_rules] rule (10 rows): 'Case Transferred' (3)" in text and "'*has been cancelled*' (1)" in text
    )


def test_without_notes_rules_every_closed_row_is_a_resolution(district, tmp_path):
    """The same file under a mapping without rules: every closed row a resolution, as before (16 of 19)."""
    plain = load_mapping("311")
    from dataclasses import replace

    report = import_events(district, sf_file(tmp_path / "sf.csv"), mapping=replace(plain, status_note_rules=()))
    assert _by_notes(report) == {}
    k = overview_kpis(district, MAY, AS_OF)["current"]
    assert (k.events, k.cancelled) == (19, 0)
    assert k.closure_rate == pytest.approx(16 / 19)


# NYC's standard export: (Status, Resolution Description, closed?, expected status, rule)
NYC_ROWS = [
    (
        "Closed",
        "The Police Department responded to the complaint and took action to fix the condition.",
        True,
        "closed",
        None,
    ),
    (
        "Closed",
        "The Department of Environmental Protection determined that this complaint is a duplicate of a "
        "previously filed complaint. The original complaint is being addressed.",
        True,
        "cancelled",
        "*duplicate*",
    ),
    (
        "Closed",
        "This complaint is a duplicate of a building-wide condition already reported by another tenant.",
        True,
        "cancelled",
        "*duplicate*",
    ),
    (
        "Closed",
        "This complaint does not fall under the Police Department's jurisdiction.",
        True,
        "cancelled",
        "*does not fall under*",
    ),
    (
        "Closed",
        "The Department of Environmental Protection investigated this complaint and referred it to another "
        "agency or utility for further action.",
        True,
        "cancelled",
        "*referred it to another agency*",
    ),
    ("Closed", "N/A", True, "closed", None),
    (
        "Unspecified",
        "DSNY already has a request to investigate this reportedly abandoned vehicle and cannot open "
        "multiple service requests for the same vehicle at once.",
        True,
        "cancelled",
        "*cannot open multiple service requests*",
    ),  # unmapped status, derived closed: notes apply
    ("In Progress", "This complaint is a duplicate of a building-wide condition.", False, "responded", None),
]


def test_nyc_resolution_description(district, tmp_path):
    lon, lat = inside_points(len(NYC_ROWS), seed=23)
    pd.DataFrame(
        [
            {
                "Unique Key": f"7{k:05d}",
                "Created Date": (T0 + timedelta(hours=k)).strftime(US_TIME),
                "Closed Date": (T0 + timedelta(hours=k + 2)).strftime(US_TIME) if closed else None,
                "Agency": "DEP",
                "Complaint Type": "Water System",
                "Status": status,
                "Resolution Description": notes,
                "Latitude": f"{lat[k]:.8f}",
                "Longitude": f"{lon[k]:.8f}",
            }
            for k, (status, notes, closed, _, _) in enumerate(NYC_ROWS)
        ]
    ).to_csv(tmp_path / "nyc.csv", index=False)
    report = import_events(district, tmp_path / "nyc.csv")
    assert report.mapping == "311" and report.columns["status_note"] == "Resolution Description"
    assert _by_notes(report) == {
        "*duplicate*": 2,
        "*does not fall under*": 1,
        "*referred it to another agency*": 1,
        "*cannot open multiple service requests*": 1,
    }
    assert report.statuses["unmapped: Unspecified"] == 1  # both findings of that row are counted
    assert stored_events(district)["status"].tolist() == [row[3] for row in NYC_ROWS]
    k = overview_kpis(district, MAY, AS_OF)["current"]
    assert (k.events, k.cancelled) == (8, 5)
    assert k.closure_rate == pytest.approx(2 / 3)  # rows 0 and 5 closed, of 8 - 5


# 12345 export: (事件状态, 办理意见, closed?, expected status, rule)
ZH_ROWS = [
    ("已结案", "已联系物业清理完毕，市民表示满意", True, "closed", None),
    ("已结案", "该诉求为重复工单，已并入主单办理", True, "cancelled", "*重复工单*"),
    ("已结案", "重复，见工单G100", True, "cancelled", "重复"),
    ("已结案", "市民来电撤销诉求", True, "cancelled", "*撤销*"),
    ("已结案", "无效来电", True, "cancelled", "无效"),
    ("已结案", "退回：不属于本单位职责", True, "cancelled", "退回"),
    ("已结案", "经核实不属于重复诉求，已处理", True, "closed", "*不属于重复*"),  # an exception rule first
    ("处置中", "重复工单", False, "responded", None),
]


def test_chinese_handling_notes(district, tmp_path):
    lon, lat = inside_points(len(ZH_ROWS), seed=29)
    pd.DataFrame(
        [
            {
                "工单编号": f"G{k}",
                "受理时间": (T0 + timedelta(hours=k)).strftime("%Y-%m-%d %H:%M:%S"),
                "结案时间": (T0 + timedelta(hours=k + 3)).strftime("%Y-%m-%d %H:%M:%S") if closed else None,
                "事件类型": "噪声扰民",
                "事件状态": status,
                "办理意见": notes,
                "经度": f"{lon[k]:.8f}",
                "纬度": f"{lat[k]:.8f}",
            }
            for k, (status, notes, closed, _, _) in enumerate(ZH_ROWS)
        ]
    ).to_csv(tmp_path / "zh.csv", index=False, encoding="utf-8-sig")
    report = import_events(district, tmp_path / "zh.csv")
    assert report.mapping == "zh" and report.columns["status_note"] == "办理意见"
    assert _by_notes(report) == {"*重复工单*": 1, "重复": 1, "*撤销*": 1, "无效": 1, "退回": 1}
    assert stored_events(district)["status"].tolist() == [row[3] for row in ZH_ROWS]
    k = overview_kpis(district, MAY, AS_OF)["current"]
    assert k.cancelled == 5 and k.closure_rate == pytest.approx(2 / 3)


def test_a_note_in_a_column_never_stored_does_not_reject_the_row():
    """The notes are read, not stored: a NUL in them is no reason to reject the case (a NUL in
    a stored field still is; the reader refuses NULs in a CSV's first MB, so checked here)."""
    import polars as pl

    from data.ingest.validate import reject_unstorable

    frame = pl.DataFrame(
        {
            "status_note": ["Case Transferred - to\x00PG&E", "ok"],
            "description": ["pothole", "pot\x00hole"],
            "reason": [None, None],
        },
        schema_overrides={"reason": pl.String},
    )
    assert reject_unstorable(frame)["reason"].to_list() == [
        None,
        "text cannot be stored: field 'description' contains a NUL character (U+0000), which PostgreSQL cannot store",
    ]


@pytest.mark.parametrize(
    "rules,message",
    [
        ('"Case Transferred" = "canceled"', "'canceled' is not a status a note can give: use 'cancelled'"),
        ('"Case Transferred" = "resolved"', "use 'cancelled'"),
        ('"Case Transferred" = 3', "'cancelled'"),
        ('"*duplicate" = "cancelled"', "*text*"),
        ('"dup*licate" = "cancelled"', "*text*"),
        ('"**" = "cancelled"', "*text*"),
        ('"  " = "cancelled"', "*text*"),
    ],
)
def test_bad_note_rules_are_mapping_errors(rules, message):
    with pytest.raises(MappingError, match=".*".join(map(_re, message.split("*")))):
        parse_mapping(f'[columns]\nstatus_note = ["Notes"]\n\n[status_note_rules]\n{rules}\n', "mine")


def test_note_rules_only_for_events():
    with pytest.raises(MappingError, match="status_note_rules"):
        parse_mapping('table = "areas"\n[status_note_rules]\n"x" = "cancelled"\n')
    with pytest.raises(MappingError, match="status_note_rules"):
        parse_mapping('status_note_rules = "Duplicate"\n')


def _re(text: str) -> str:
    import re

    return re.escape(text)


def test_note_rules_keep_their_order_through_toml():
    m = load_mapping("311")
    assert m.status_note_rules[0].pattern == "Case Transferred"
    back = parse_mapping(m.to_toml(), "copy")
    assert back.status_note_rules == m.status_note_rules
    assert back.columns["status_note"] == m.columns["status_note"]


def test_cli_prints_the_notes_counts(tmp_path, capsys):
    from data.ingest import import_areas
    from queries.duckdb_store import DuckDBStore

    db = tmp_path / "cli.duckdb"  # the CLI opens its own store: one backend is enough for the printing
    store = DuckDBStore(db)
    import_areas(store, write_areas(tmp_path / "areas.geojson"))
    store.close()
    assert gridscope(["import", "events", str(sf_file(tmp_path / "sf.csv")), "--mapping", "311", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "status notes (column 'Status.Notes') say closed without a resolution" in out
    assert "rule (10 rows): 'Case Transferred' (3)" in out and "'Cancelled' (1)" in out
