"""What changed (变化速览): the overview's short list of what moved since the previous period.

Three questions, each answered by the service its page already uses, so the numbers agree:

- **movers**: the categories and streets whose event counts changed most against the
  previous period of the same length (``change_counts.sql``), among those with at least
  ``min_count`` events in one of the two periods, so that 2 → 6 (+200 %) does not outrank
  400 → 520;
- **new hot spots**: grids the emerging hot-spot analysis of the hotspot page
  (:func:`queries.answers.hotspots.analyse_hotspots`, weekly slices) calls new or
  intensifying hot spots;
- **unusual days**: days of the period outside the trends page's anomaly band
  (:func:`queries.answers.trends.anomaly_band`), with the category that drove each most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from data.store import Store
from geo.emerging import MIN_SLICES, TooFewSlices
from queries.answers.hotspots import HotspotRequest, analyse_hotspots
from queries.answers.lookups import areas
from queries.answers.trends import anomaly_band, anomaly_drivers
from queries.filters import EventFilter

__all__ = [
    "ANOMALY_Z",
    "HOTSPOT_LABELS",
    "HOTSPOT_UNIT",
    "MIN_MOVER_COUNT",
    "MOVER_DIMS",
    "NewHotspots",
    "movers",
    "new_hotspots",
    "unusual_days",
]

MOVER_DIMS: tuple[str, ...] = ("category", "street")
"""What the movers are ranked by."""
MIN_MOVER_COUNT = 30
"""A key needs at least this many events in the period or the one before to be a mover."""
HOTSPOT_UNIT = "grid"

HOTSPOT_WEEKS = 12
"""The emerging analysis looks at the window's last 12 weeks at most (as the weekly brief does):
new hot spots are about recent weeks, and a multi-year window would cost minutes."""
"""Unit of the new-hot-spot list: grids have names a leader knows (H3 cells do not)."""
HOTSPOT_LABELS: tuple[str, ...] = ("new_hot", "intensifying_hot")
"""Emerging hot-spot classes the panel reports."""
ANOMALY_Z = 3.0
"""Half-width of the anomaly band, in robust standard deviations (the trends page's default)."""


def movers(
    store: Store, flt: EventFilter, dim: str, *, min_count: int = MIN_MOVER_COUNT, limit: int = 5
) -> pd.DataFrame:
    """The ``limit`` values of ``dim`` (``category`` or ``street``) whose filtered event count
    changed most (by absolute change) between ``flt``'s window and the one before it.

    Columns ``key``, ``current``, ``previous``, ``change`` (current − previous) and
    ``change_pct`` (change / previous; ``None`` when previous is 0), ranked by ``|change|``,
    then by key. Only keys with ``max(current, previous) >= min_count`` and a change other
    than zero; events without a value of ``dim`` are left out.
    """
    if dim not in MOVER_DIMS:
        raise ValueError(f"dim must be one of {list(MOVER_DIMS)}, got {dim!r}")
    before = flt.previous()
    rows = store.fetch("change_counts", **flt.params(), prev_start=before.start, dim=dim)
    rows = rows[rows["key"].notna()]
    frame = pd.DataFrame(
        {
            "key": rows["key"].astype(str),
            "current": rows["current_events"].astype("int64"),
            "previous": rows["previous_events"].astype("int64"),
        }
    )
    frame["change"] = frame["current"] - frame["previous"]
    frame = frame[(frame[["current", "previous"]].max(axis=1) >= min_count) & (frame["change"] != 0)]
    frame["change_pct"] = [c / p if p else None for c, p in zip(frame["change"], frame["previous"], strict=True)]
    frame = frame.assign(_abs=frame["change"].abs()).sort_values(["_abs", "key"], ascending=[False, True])
    return frame.drop(columns="_abs").head(limit).reset_index(drop=True)


@dataclass(frozen=True)
class NewHotspots:
    """Grids the emerging analysis calls new or intensifying hot spots (``table``: ``unit_id``,
    ``name_zh``, ``name_en``, ``events``, ``label``; strongest first), or why there is no
    analysis (``reason``: ``too_few_slices`` when the window holds fewer than
    :data:`geo.emerging.MIN_SLICES` whole weeks, ``no_areas`` without grids)."""

    table: pd.DataFrame
    reason: str | None = None
    slice_days: int = 7


def new_hotspots(store: Store, flt: EventFilter, *, limit: int = 5) -> NewHotspots:
    """The ``limit`` strongest new or intensifying hot-spot grids of ``flt``'s window, at most its
    last :data:`HOTSPOT_WEEKS` weeks (weekly slices, the hotspot page's emerging analysis and
    defaults), and their total in
    ``table.attrs["total"]``."""
    columns = ["unit_id", "name_zh", "name_en", "events", "label"]
    empty = pd.DataFrame(columns=columns)
    if flt.length > timedelta(weeks=HOTSPOT_WEEKS):
        flt = replace(flt, start=flt.end - timedelta(weeks=HOTSPOT_WEEKS))
    req = HotspotRequest(flt, unit=HOTSPOT_UNIT, method="emerging", slice_days=7)
    if int(flt.length.days) < MIN_SLICES * req.slice_days:
        return NewHotspots(empty, "too_few_slices")
    if not len(areas(store, HOTSPOT_UNIT)):  # a store without grids (streets only, or no areas)
        return NewHotspots(empty, "no_areas")
    try:
        analysis = analyse_hotspots(store, req)
    except TooFewSlices:
        return NewHotspots(empty, "too_few_slices")
    table = analysis.table
    if not len(table):
        return NewHotspots(empty, "no_areas")
    hits = table[table["label"].isin(HOTSPOT_LABELS)].sort_values("rank")
    out = hits[columns].head(limit).reset_index(drop=True)
    out.attrs["total"] = int(len(hits))
    return NewHotspots(out)


def unusual_days(store: Store, flt: EventFilter, first_day: date, *, z: float = ANOMALY_Z) -> pd.DataFrame:
    """Days of ``flt``'s window outside the anomaly band (the trends page's daily band):
    ``day``, ``observed``, ``expected``, ``anomaly`` (1 above, -1 below) and ``driver`` (the
    category that moved most that day; ``None`` when none stands out), most extreme first."""
    band = anomaly_band(store, flt, "day", z, first_day)
    columns = ["day", "observed", "expected", "anomaly", "driver"]
    if not len(band):
        return pd.DataFrame(columns=columns)
    flagged = band[band["anomaly"] != 0]
    if not len(flagged):
        return pd.DataFrame(columns=columns)
    drivers = anomaly_drivers(store, flt, flagged, "day")["category"]
    out = flagged.assign(
        day=flagged.index,
        driver=pd.Series(
            [drivers["key"].get(d) if d in drivers.index else None for d in flagged.index], dtype=object
        ).set_axis(flagged.index),
        _score=flagged["score"].abs(),
    ).sort_values(["_score", "day"], ascending=[False, True])
    return out[columns].reset_index(drop=True)
