"""The weekly brief's sections beyond the KPI row: hotspots, the district map, supervision
(督办), the department ranking and sensors — each from the service the matching page uses
(:mod:`.hotspots`, :mod:`.counts`, :mod:`.chain`, :mod:`.sensors`), for one week's filter."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import h3
import numpy as np
import pandas as pd
import shapely

from data.store import Store
from geo.areas import assign_points_to_areas
from queries.answers.chain import department_ranking, overdue_by_department, overdue_cases
from queries.answers.counts import events_by_area, events_by_cell
from queries.answers.hotspots import HotspotRequest, analyse_hotspots
from queries.answers.lookups import area_shapes, areas
from queries.answers.sensors import alarm_summary
from queries.filters import EventFilter

__all__ = [
    "HOTSPOT_KINDS",
    "HOTSPOT_RES",
    "HOTSPOT_WEEKS",
    "MIN_HOTSPOT_WEEKS",
    "OVERDUE_TOP",
    "DistrictMap",
    "Hotspots",
    "Ranking",
    "SensorTotals",
    "SensorWeek",
    "Supervision",
    "department_section",
    "district_map",
    "hotspot_section",
    "sensor_section",
    "supervision_section",
]

HOTSPOT_WEEKS = 12
"""Weekly slices of the emerging hot-spot analysis (fewer when the data start later)."""
MIN_HOTSPOT_WEEKS = 8
"""Fewest whole weeks of data the brief runs the emerging analysis on."""
HOTSPOT_RES = 9
"""H3 resolution of the analysis: the hotspot page's default (≈ 0.1 km², one grid)."""
HOTSPOT_KINDS: tuple[str, ...] = ("new_hot", "intensifying_hot", "persistent_hot")
"""Emerging categories the brief lists, in this order."""
OVERDUE_TOP = 20
"""Most overdue open cases listed."""
_NAME_LEVELS = ("street", "community", "grid")


def _wkb(values: pd.Series) -> list[bytes]:
    """WKB as ``bytes`` (DuckDB returns bytearray, psycopg bytes or memoryview)."""
    return [bytes(v) for v in values]


def _in_scope(store: Store, level: str, flt: EventFilter) -> pd.DataFrame:
    """``area_id``, names and ``wkb`` of the areas of ``level`` inside the filter's streets
    (all of the level without a street)."""
    shapes = area_shapes(store, level)
    shapes = shapes.assign(wkb=_wkb(shapes["wkb"]))
    if not flt.street_ids or level == "district":
        return shapes.reset_index(drop=True)
    parent = pd.concat([areas(store, lv)[["area_id", "parent_id"]] for lv in ("grid", "community")])
    up = parent.set_index("area_id")["parent_id"].to_dict()

    def street_of(area_id: str) -> str | None:
        a: str | None = area_id
        seen = 0
        while a is not None and a not in flt.street_ids and seen < 4:
            a, seen = up.get(a), seen + 1
        return a

    keep = [street_of(a) in flt.street_ids for a in shapes["area_id"]]
    return shapes[np.asarray(keep, dtype=bool)].reset_index(drop=True)


@dataclass(frozen=True)
class Hotspots:
    """New, intensifying and persistent hot spots of the emerging analysis over the
    ``weeks`` weekly slices ending with the brief's week (``start`` .. ``end``).

    ``table``: ``unit_id`` (H3 hex at :data:`HOTSPOT_RES`), ``label`` (one of
    :data:`HOTSPOT_KINDS`), ``z`` (Mann-Kendall trend z), ``p_value``, ``events`` (all slices),
    ``week_events`` (this week), ``rank`` (the hotspot page's rank), ``lat``/``lng`` (cell
    centre) and ``{street,community,grid}_{id,zh,en}`` of the areas holding the centre.
    ``counts``: cells per hot category (all eight). ``reason`` is ``None`` when the analysis
    ran, else ``"too_few_weeks"`` or ``"no_events"``.
    """

    weeks: int
    start: datetime
    end: datetime
    table: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    reason: str | None = None

    def listed(self, per_kind: int = 4, limit: int = 10) -> pd.DataFrame:
        """The strongest ``per_kind`` of each listed kind (the table's order), at most ``limit``."""
        return self.table.groupby("label", sort=False).head(per_kind).head(limit)


def _name_cells(store: Store, table: pd.DataFrame) -> pd.DataFrame:
    """Add the cell centres and the street, community and grid covering each."""
    centres = [h3.cell_to_latlng(c) for c in table["unit_id"]]
    lat = np.array([c[0] for c in centres], dtype=float)
    lng = np.array([c[1] for c in centres], dtype=float)
    out = table.assign(lat=lat, lng=lng)
    for level in _NAME_LEVELS:
        shapes = area_shapes(store, level)
        if len(shapes) and len(out):
            polys = shapely.from_wkb(np.array(_wkb(shapes["wkb"]), dtype=object))
            ids = assign_points_to_areas(lng, lat, polys, shapes["area_id"].to_numpy())
        else:
            ids = np.full(len(out), None, dtype=object)
        names = shapes.set_index("area_id")
        out[f"{level}_id"] = ids
        out[f"{level}_zh"] = pd.Series(ids, index=out.index).map(names["name_zh"]).fillna("")
        out[f"{level}_en"] = pd.Series(ids, index=out.index).map(names["name_en"]).fillna("")
    return out


def hotspot_section(store: Store, flt: EventFilter, first_day: date | None) -> Hotspots:
    """The emerging hot-spot analysis (:func:`~queries.answers.hotspots.analyse_hotspots`,
    H3 res 9, weekly slices, FDR, as on the hotspot page) of the :data:`HOTSPOT_WEEKS` weeks
    ending with ``flt``'s week, or of the whole weeks of data when fewer (at least
    :data:`MIN_HOTSPOT_WEEKS`)."""
    end = flt.end
    first_monday = None if first_day is None else first_day + timedelta(days=(7 - first_day.weekday()) % 7)
    have = 0 if first_monday is None else max(0, (end.date() - first_monday).days // 7)
    weeks = min(HOTSPOT_WEEKS, have)
    start = end - timedelta(weeks=weeks)
    cols = ["unit_id", "label", "z", "p_value", "events", "week_events", "rank"]
    empty = pd.DataFrame(columns=cols)
    if weeks < MIN_HOTSPOT_WEEKS:
        return Hotspots(weeks, start, end, empty, reason="too_few_weeks")
    window = replace(flt, start=start)
    analysis = analyse_hotspots(
        store, HotspotRequest(window, unit="h3", res=HOTSPOT_RES, method="emerging", slice_days=7)
    )
    table = analysis.table
    if int(table["events"].sum()) == 0:
        return Hotspots(weeks, start, end, empty, reason="no_events")
    labels = table["label"].astype(str)
    counts = {str(k): int(v) for k, v in labels[labels.str.endswith("_hot")].value_counts().items()}
    week = events_by_cell(store, flt, flt.end, HOTSPOT_RES).set_index("hex")["events"]
    hot = table[labels.isin(HOTSPOT_KINDS)].copy()
    hot["week_events"] = hot["unit_id"].map(week).fillna(0).astype("int64")
    hot["order"] = hot["label"].map({k: i for i, k in enumerate(HOTSPOT_KINDS)})
    hot = hot.sort_values(["order", "rank"], kind="stable")[cols].reset_index(drop=True)
    return Hotspots(weeks, start, end, _name_cells(store, hot), counts)


@dataclass(frozen=True)
class DistrictMap:
    """This week's events per area of ``level`` (the finest level the store has; ``"h3"``
    res 8 cells without areas) inside the scope: ``counts`` (``unit_id``, ``events``; areas
    without events have 0), ``shapes`` (``area_id``, names, ``wkb``) of the map level and
    ``outlines`` (the streets, drawn over it)."""

    level: str
    counts: pd.DataFrame
    shapes: pd.DataFrame
    outlines: pd.DataFrame


def district_map(store: Store, flt: EventFilter, now: datetime) -> DistrictMap:
    """The district map of the week's counts (:func:`~queries.answers.counts.events_by_area`)."""
    outlines = _in_scope(store, "street", flt)
    for level in ("grid", "community", "street"):
        shapes = _in_scope(store, level, flt)
        if len(shapes):
            got = events_by_area(store, flt, now, level).set_index("area_id")["events"]
            counts = pd.DataFrame(
                {
                    "unit_id": shapes["area_id"],
                    "events": shapes["area_id"].map(got).fillna(0).astype("int64").to_numpy(),
                }
            )
            return DistrictMap(level, counts, shapes, outlines)
    cells = events_by_cell(store, flt, now, 8)
    return DistrictMap(
        "h3",
        pd.DataFrame({"unit_id": cells["hex"], "events": cells["events"]}),
        pd.DataFrame(columns=["area_id", "name_zh", "name_en", "wkb"]),
        outlines,
    )


@dataclass(frozen=True)
class Supervision:
    """督办: open overdue cases at the week's end among all cases reported since ``since``
    (the first day of data) up to the week's end, in the scope.

    ``cases``: the :data:`OVERDUE_TOP` most overdue (``overdue_cases`` columns: event id,
    category, department, stage, street, grid, ``hours_overdue``); ``by_department``:
    ``overdue_by_department``; ``total`` / ``previous_total``: all such cases at this /
    the previous week's end."""

    since: datetime
    cases: pd.DataFrame
    by_department: pd.DataFrame
    total: int
    previous_total: int | None


def supervision_section(store: Store, flt: EventFilter, now: datetime, first_day: date | None) -> Supervision:
    """The overdue backlog at the week's end (:func:`~queries.answers.chain.overdue_cases`,
    :func:`~queries.answers.chain.overdue_by_department`), and its size a week earlier."""
    since = datetime.combine(first_day, time.min) if first_day else flt.start
    backlog = replace(flt, start=min(since, flt.start))
    by_dept = overdue_by_department(store, backlog, now)
    before = replace(backlog, end=flt.start)
    prev = None
    if first_day is not None and first_day < flt.start.date():
        prev = int(overdue_by_department(store, before, now)["open_overdue"].sum())
    return Supervision(
        backlog.start,
        overdue_cases(store, backlog, now, limit=OVERDUE_TOP),
        by_dept,
        int(by_dept["open_overdue"].sum()),
        prev,
    )


@dataclass(frozen=True)
class Ranking:
    """Departments of the week (``department_ranking``; ranked with at least ``min_events``
    events) with ``prev_rank`` and ``prev_on_time_rate`` of the week before."""

    table: pd.DataFrame
    min_events: int


def department_section(store: Store, flt: EventFilter, now: datetime, min_events: int) -> Ranking:
    """:func:`~queries.answers.chain.department_ranking` of the week and the week before."""
    cur = department_ranking(store, flt, now, min_events)
    prev = department_ranking(store, flt.previous(), now, min_events)
    prev = prev[["department", "rank", "on_time_rate"]].rename(
        columns={"rank": "prev_rank", "on_time_rate": "prev_on_time_rate"}
    )
    return Ranking(cur.merge(prev, on="department", how="left"), min_events)


@dataclass(frozen=True)
class SensorTotals:
    """One week's alarms over every kind: how many, how many became events, how many of those
    closed on time (``None`` for the whole week when the store has no readings in it)."""

    alarms: int
    to_events: int
    closed_on_time: int
    readings: int


@dataclass(frozen=True)
class SensorWeek:
    """``by_kind``: ``sensor_alarm_summary`` of the week (one row per sensor kind with alarms);
    totals of the week, the week before and the same week last year."""

    by_kind: pd.DataFrame
    current: SensorTotals | None
    previous: SensorTotals | None
    last_year: SensorTotals | None


def _sensor_totals(store: Store, flt: EventFilter, now: datetime) -> tuple[pd.DataFrame, SensorTotals | None]:
    as_of = min(flt.end, now)
    window = {"start": flt.start, "end": flt.end, "street_ids": list(flt.street_ids) or None}
    readings = int(store.fetch("sensor_stats", **window, kind=None)["readings"].sum())
    summary = alarm_summary(store, flt, as_of)
    if readings == 0:
        return summary, None
    return summary, SensorTotals(
        int(summary["alarms"].sum()), int(summary["to_events"].sum()), int(summary["closed_on_time"].sum()), readings
    )


def sensor_section(store: Store, flt: EventFilter, now: datetime) -> SensorWeek:
    """Alarms of the week (:func:`~queries.answers.sensors.alarm_summary`, each event judged as
    of the week's end) against the week before and last year."""
    by_kind, current = _sensor_totals(store, flt, now)
    _, previous = _sensor_totals(store, flt.previous(), now)
    ly = replace(flt, start=flt.start - timedelta(weeks=52), end=flt.end - timedelta(weeks=52))
    _, last_year = _sensor_totals(store, ly, now)
    return SensorWeek(by_kind, current, previous, last_year)
