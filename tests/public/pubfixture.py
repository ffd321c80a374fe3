"""A small published layer written by hand (the CONTRACTS "Issue 12" tables), with known figures.

Three streets of two communities each; months 2026-08 to 2026-11 (November published
through the 24th). In November community C32 has 7 reports (under k = 10) and its sibling
C31 is withheld too (secondary: the street total would give it away). The district had
1,234 reports in November, 87.2 % closed on time (85.7 % in October: up 1.5 points).

ISO weeks 2026-W45 to 2026-W48 (W48 published Monday 23 to Tuesday 24 November): in W47 the
district had 301 reports, 87.0 % on time (84.0 % in W46: up 3.0 points); community C22 is
withheld in W47 (under k) with C21 (secondary). The weeks are not made to add up to the months
(the app shows each table as published).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from data.publish import schema
from data.publish.tracking import key_id, lookup_key, verification_code
from data.publish.tracking import tracking_digest as local_digest

TRACKING_KEY = b"fixture-tracking-key"
"""The district's key K (internal side: it makes the codes)."""
LOOKUP_KEY = lookup_key(TRACKING_KEY)
"""What the public app gets (GRIDSCOPE_PUBLIC_LOOKUP_KEY): checks codes, cannot make them."""
CASE_NO = "GS20261102-0042"
CODE = verification_code(TRACKING_KEY, CASE_NO)
OPEN_CASE_NO = "GS20261120-0007"
OPEN_CODE = verification_code(TRACKING_KEY, OPEN_CASE_NO)

STREETS = {"S1": ("东华街道", "Donghua"), "S2": ("西园街道", "Xiyuan"), "S3": ("南湖街道", "Nanhu")}
COMMUNITIES = {
    "C11": ("S1", "东华一社区", "Donghua 1"),
    "C12": ("S1", "东华二社区", "Donghua 2"),
    "C21": ("S2", "西园一社区", "Xiyuan 1"),
    "C22": ("S2", "西园二社区", "Xiyuan 2"),
    "C31": ("S3", "南湖一社区", "Nanhu 1"),
    "C32": ("S3", "南湖二社区", "Nanhu 2"),
}
MONTHS = {
    "2026-08": (date(2026, 8, 1), date(2026, 8, 31), [260, 230, 250, 190, 180, 15]),
    "2026-09": (date(2026, 9, 1), date(2026, 9, 30), [280, 235, 255, 205, 185, 11]),
    "2026-10": (date(2026, 10, 1), date(2026, 10, 31), [290, 240, 260, 210, 190, 12]),
    "2026-11": (date(2026, 11, 1), date(2026, 11, 24), [300, 250, 280, 200, 197, 7]),
}
DISTRICT_ON_TIME = {"2026-08": 0.84, "2026-09": 0.8525, "2026-10": 0.857, "2026-11": 0.872}
DISTRICT_SATISFIED = {"2026-08": 0.9, "2026-09": 0.91, "2026-10": 0.905, "2026-11": 0.93}
GROUPS = {"environment": ("市容环境", "Streets and cleanliness", False), "traffic": ("交通出行", "Traffic", False)}
GROUPS["dispute"] = ("邻里纠纷", "Neighbour disputes", True)
NOVEMBER_GROUPS = {"environment": 700, "traffic": 500, "dispute": 34}
WEEKS = {
    "2026-W45": (date(2026, 11, 2), date(2026, 11, 8), [60, 55, 50, 45, 40, 20]),
    "2026-W46": (date(2026, 11, 9), date(2026, 11, 15), [62, 58, 52, 40, 42, 22]),
    "2026-W47": (date(2026, 11, 16), date(2026, 11, 22), [70, 61, 60, 8, 80, 22]),
    "2026-W48": (date(2026, 11, 23), date(2026, 11, 24), [20, 18, 15, 12, 14, 11]),
}
WEEK_ON_TIME = {"2026-W45": 0.83, "2026-W46": 0.84, "2026-W47": 0.87, "2026-W48": 0.9}
W47_GROUPS = {"environment": 170, "traffic": 120, "dispute": 11}


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _units() -> pd.DataFrame:
    rows = [("district", "district", None, "示例区", "Example District", None, _box(116.40, 39.88, 116.52, 39.94))]
    for i, (sid, (zh, en)) in enumerate(STREETS.items()):
        x0 = 116.40 + 0.04 * i
        rows.append(("street", sid, "district", zh, en, None, _box(x0, 39.88, x0 + 0.04, 39.94)))
    for cid, (sid, zh, en) in COMMUNITIES.items():
        x0 = 116.40 + 0.04 * (int(sid[1]) - 1)
        y0 = 39.88 if cid.endswith("1") else 39.91
        rows.append(("community", cid, sid, zh, en, None, _box(x0, y0, x0 + 0.04, y0 + 0.03)))
    return pd.DataFrame(rows, columns=["level", "unit_id", "parent_id", "name_zh", "name_en", "res", "geojson"])


def _row(period, label, start, end, level, unit, received, on_time, satisfied, withheld=None, group="all"):
    shown = withheld is None
    closed = round(received * 0.95) if shown else None
    return {
        "period": period,
        "period_start": start,
        "period_end": end,
        "period_label": label,
        "level": level,
        "unit_id": unit,
        "category_group": group,
        "source": "all",
        "received": received if shown else None,
        "closed": closed,
        "closure_rate": closed / received if shown else None,
        "on_time_rate": on_time if shown else None,
        "median_days_to_close": 3.5 if shown else None,
        "satisfaction_rate": satisfied if shown else None,
        "withheld": withheld,
    }


def _stats() -> pd.DataFrame:
    rows = []
    for label, (start, end, counts) in MONTHS.items():
        by_c = dict(zip(COMMUNITIES, counts, strict=True))
        total = sum(counts)
        rows.append(
            _row(
                "month",
                label,
                start,
                end,
                "district",
                "district",
                total,
                DISTRICT_ON_TIME[label],
                DISTRICT_SATISFIED[label],
            )
        )
        for sid in STREETS:
            n = sum(v for c, v in by_c.items() if COMMUNITIES[c][0] == sid)
            rows.append(_row("month", label, start, end, "street", sid, n, 0.8 + int(sid[1]) / 100, 0.9))
        for cid, n in by_c.items():
            withheld = None
            if label == "2026-11" and cid == "C32":
                withheld = "under_k"
            elif label == "2026-11" and cid == "C31":
                withheld = "secondary"
            rows.append(_row("month", label, start, end, "community", cid, n, 0.85, 0.9, withheld))
            rows.append(_row("month", label, start, end, "community", cid, 0, 0, 0, "sensitive", group="dispute"))
        for group in GROUPS:
            n = NOVEMBER_GROUPS[group] if label == "2026-11" else total // 3
            rows.append(_row("month", label, start, end, "district", "district", n, 0.8, 0.9, group=group))
    for label, (start, end, counts) in WEEKS.items():
        by_c = dict(zip(COMMUNITIES, counts, strict=True))
        on_time = WEEK_ON_TIME[label]
        rows.append(_row("week", label, start, end, "district", "district", sum(counts), on_time, 0.93))
        for sid in STREETS:
            n = sum(v for c, v in by_c.items() if COMMUNITIES[c][0] == sid)
            rows.append(_row("week", label, start, end, "street", sid, n, 0.8 + int(sid[1]) / 100, 0.9))
        for cid, n in by_c.items():
            withheld = None
            if label == "2026-W47" and cid == "C22":
                withheld = "under_k"
            elif label == "2026-W47" and cid == "C21":
                withheld = "secondary"
            rows.append(_row("week", label, start, end, "community", cid, n, 0.85, 0.9, withheld))
        for group in GROUPS:
            n = W47_GROUPS[group] if label == "2026-W47" else sum(counts) // 3
            rows.append(_row("week", label, start, end, "district", "district", n, 0.8, 0.9, group=group))
    frame = pd.DataFrame(rows)
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["received"] = frame["received"].astype("Int64")
    frame["closed"] = frame["closed"].astype("Int64")
    return frame


def _tracking() -> tuple[pd.DataFrame, pd.DataFrame]:
    done = local_digest(LOOKUP_KEY, CASE_NO, CODE)
    open_ = local_digest(LOOKUP_KEY, OPEN_CASE_NO, OPEN_CODE)
    stages = [
        (done, "reported", date(2026, 11, 2), 1),
        (done, "dispatched", date(2026, 11, 2), 2),
        (done, "responded", date(2026, 11, 3), 3),
        (done, "closed", date(2026, 11, 5), 4),
        (open_, "reported", date(2026, 11, 20), 1),
        (open_, "dispatched", date(2026, 11, 21), 2),
    ]
    cases = [(done, "closed", True, False, True), (open_, "open", None, False, False)]
    return (
        pd.DataFrame(stages, columns=["digest", "stage", "reached_on", "ord"]),
        pd.DataFrame(cases, columns=["digest", "status", "closed_on_time", "rated", "can_rate"]),
    )


META = {
    "through_date": "2026-11-24",
    "published_at": "2026-12-01T08:00:00",
    "lag_days": "7",
    "min_count": "10",
    "rounding_base": "0",
    "max_res": "8",
    "district_zh": "示例区",
    "district_en": "Example District",
    "latest_month": "2026-11",
    "latest_week": "2026-W48",
    "sensitive_mode": "street",
    "tracking_key_id": key_id(LOOKUP_KEY),
}


def write_fixture(path: Path, **meta: str) -> Path:
    """Write the fixture layer to the DuckDB file ``path`` (``meta`` overrides pub_meta values)."""
    path.unlink(missing_ok=True)
    units = _units()
    groups = pd.DataFrame(
        [("category_group", c, zh, en, s) for c, (zh, en, s) in GROUPS.items()]
        + [
            ("source", "hotline", "12345 热线", "12345 hotline", False),
            ("source", "grid", "网格员", "Grid staff", False),
        ],
        columns=["kind", "code", "name_zh", "name_en", "sensitive"],
    )
    stats = _stats()
    stages, cases = _tracking()
    meta_frame = pd.DataFrame(list({**META, **meta}.items()), columns=["key", "value"])
    con = duckdb.connect(str(path))
    try:
        for table in schema.TABLES:  # the builder's own DDL, so the fixture cannot drift from it
            con.execute(schema.create_sql(table))
        for table, frame in [
            ("pub_meta", meta_frame),
            ("pub_units", units),
            ("pub_groups", groups),
            ("pub_stats", stats),
            ("pub_tracking", stages),
            ("pub_tracking_case", cases),
        ]:
            con.register("frame", frame)
            cols = ", ".join(schema.columns(table))
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM frame")
            con.unregister("frame")
    finally:
        con.close()
    return path
