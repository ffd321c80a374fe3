"""The weekly review meeting's brief (周例会简报): every figure of one ISO week, from the same
answer services as the pages, so the brief's numbers are the dashboard's.

- headline and KPI row: :func:`queries.answers.kpis.overview_kpis` for the week (its
  ``previous`` is the week before) and for the same week last year;
- by source and by category: ``trend_breakdown`` per week (the trends page's breakdown);
- hotspots, supervision, departments, sensors: :mod:`.brief_sections`.

Every period is judged as of its own end capped at ``now`` (README "Definitions"). A
comparison is ``None`` when the store's data start after that week's Monday (no data is not
zero events): the same week last year needs a year of data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from data.store import Store
from queries.answers.brief_sections import (
    DistrictMap,
    Hotspots,
    Ranking,
    SensorWeek,
    Supervision,
    department_section,
    district_map,
    hotspot_section,
    sensor_section,
    supervision_section,
)
from queries.answers.brief_week import BadWeek, IsoWeek, last_complete_week
from queries.answers.kpis import Kpis, overview_kpis
from queries.answers.lookups import areas, categories, event_days
from queries.filters import EventFilter

__all__ = [
    "MOVERS",
    "BadWeek",
    "Brief",
    "EmptyStore",
    "Headline",
    "IsoWeek",
    "Mix",
    "Scope",
    "UnknownStreet",
    "brief_week",
    "weekly_brief",
]

MOVERS = 3
"""Top movers listed up and down per breakdown."""
TIMEZONE_NOTE = "Asia/Shanghai"
"""The zone the importer stores wall-clock times in by default (a mapping's ``timezone``)."""


class UnknownStreet(ValueError):  # noqa: N818 - names the condition
    """The street code names no street of the store."""

    def __init__(self, code: str, known: list[str]) -> None:
        shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
        super().__init__(f"no street with code {code!r} in this store (streets: {shown or 'none'})")
        self.code = code


class EmptyStore(ValueError):  # noqa: N818 - names the condition
    """The store has no events, so there is no last complete week to pick."""

    def __init__(self) -> None:
        super().__init__("the store has no events: there is no last week to report; give --week YYYY-Www")


@dataclass(frozen=True)
class Scope:
    """The district (``street_id`` ``None``) or one street, with its names; on a store scoped
    to streets (a street-scoped user), "everything" is those ``streets``, named by their names."""

    street_id: str | None = None
    name_zh: str = ""
    name_en: str = ""
    streets: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """What the brief covers, for file names and the audit trail: the street's code, the
        scoped streets' codes, or ``district``."""
        return self.street_id or ",".join(self.streets) or "district"

    def street_ids(self) -> tuple[str, ...]:
        """The filter's street list."""
        return (self.street_id,) if self.street_id else ()


@dataclass(frozen=True)
class Headline:
    """The KPI row: this week, the week before and the same week last year (``None`` where
    the data do not reach back that far)."""

    current: Kpis
    previous: Kpis | None
    last_year: Kpis | None
    days: int = 7

    def daily_average(self, which: str = "current") -> float | None:
        """Events per day of ``current``, ``previous`` or ``last_year``."""
        k: Kpis | None = getattr(self, which)
        return None if k is None else k.events / self.days


@dataclass(frozen=True)
class Mix:
    """Events by ``dim`` (source or category) this week against the week before and last year.

    ``table``: ``key``, ``name_zh``, ``name_en`` (category names; empty for sources),
    ``events``, ``share`` (of this week's events), ``prev_events``, ``prev_share``,
    ``change`` (events - prev_events), ``ly_events`` (NaN without last year's data); one row per key
    seen in any of the three weeks, most events first. Shares are NaN when a week has no events.
    """

    dim: str
    table: pd.DataFrame
    has_previous: bool = True
    has_last_year: bool = False

    def movers_up(self, n: int = MOVERS) -> pd.DataFrame:
        """The ``n`` keys that grew most against the week before (ties by key)."""
        up = self.table[self.table["change"] > 0] if self.has_previous else self.table.iloc[0:0]
        return up.sort_values(["change", "key"], ascending=[False, True], kind="stable").head(n)

    def movers_down(self, n: int = MOVERS) -> pd.DataFrame:
        """The ``n`` keys that fell most against the week before (ties by key)."""
        down = self.table[self.table["change"] < 0] if self.has_previous else self.table.iloc[0:0]
        return down.sort_values(["change", "key"], ascending=[True, True], kind="stable").head(n)


@dataclass(frozen=True)
class Brief:
    """Everything the brief shows for one week (renderers read only this)."""

    week: IsoWeek
    scope: Scope
    now: datetime
    as_of: datetime
    first_day: date | None
    newest_event: datetime | None
    headline: Headline
    by_source: Mix
    by_category: Mix
    hotspots: Hotspots
    district: DistrictMap
    supervision: Supervision
    departments: Ranking
    sensors: SensorWeek
    timezone: str = TIMEZONE_NOTE
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))

    @property
    def has_events(self) -> bool:
        """Whether the week holds any event (of the scope)."""
        return self.headline.current.events > 0


def _covers(first_day: date | None, week: IsoWeek) -> bool:
    """Whether the data reach back to ``week``'s Monday."""
    return first_day is not None and first_day <= week.monday


def _mix(store: Store, dim: str, week: IsoWeek, scope: Scope, first_day: date | None) -> Mix:
    """Events by ``dim`` in the week, the week before and the same week last year."""
    prev, ly = week.previous(), week.last_year()
    streets = scope.street_ids()
    both = EventFilter(prev.start, week.end, street_ids=streets)
    frame = store.fetch("trend_breakdown", **both.params(), grain="week", dim=dim)
    frame = frame.assign(bucket=pd.to_datetime(frame["bucket"]), key=frame["key"].fillna("—"))
    has_ly = _covers(first_day, ly)
    ly_frame = (
        store.fetch(
            "trend_breakdown", **EventFilter(ly.start, ly.end, street_ids=streets).params(), grain="week", dim=dim
        )
        if has_ly
        else frame.iloc[0:0]
    )

    def per_key(rows: pd.DataFrame) -> pd.Series:
        return rows.assign(key=rows["key"].fillna("—")).groupby("key")["events"].sum().astype("int64")

    cur = per_key(frame[frame["bucket"] == pd.Timestamp(week.start)])
    before = per_key(frame[frame["bucket"] == pd.Timestamp(prev.start)])
    last = per_key(ly_frame)
    keys = sorted(set(cur.index) | set(before.index) | set(last.index))
    table = pd.DataFrame({"key": keys})
    table["events"] = cur.reindex(keys, fill_value=0).to_numpy()
    table["prev_events"] = before.reindex(keys, fill_value=0).to_numpy()
    table["ly_events"] = last.reindex(keys, fill_value=0).astype(float).to_numpy() if has_ly else float("nan")
    table["share"] = table["events"] / cur.sum() if cur.sum() else float("nan")
    table["prev_share"] = table["prev_events"] / before.sum() if before.sum() else float("nan")
    table["change"] = table["events"] - table["prev_events"]
    names = categories(store).set_index("code") if dim == "category" else pd.DataFrame(columns=["name_zh", "name_en"])
    table["name_zh"] = table["key"].map(names["name_zh"]).fillna("")
    table["name_en"] = table["key"].map(names["name_en"]).fillna("")
    table = table.sort_values(["events", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)
    cols = ["key", "name_zh", "name_en", "events", "share", "prev_events", "prev_share", "change", "ly_events"]
    return Mix(dim, table[cols], has_previous=_covers(first_day, prev), has_last_year=has_ly)


def _headline(store: Store, week: IsoWeek, scope: Scope, now: datetime, first_day: date | None) -> Headline:
    """KPIs of the week and the week before (one ``kpi_summary``), and of last year's week."""
    this = overview_kpis(store, EventFilter(week.start, week.end, street_ids=scope.street_ids()), now)
    ly = week.last_year()
    last = None
    if _covers(first_day, ly):
        last = overview_kpis(store, EventFilter(ly.start, ly.end, street_ids=scope.street_ids()), now)["current"]
    return Headline(this["current"], this["previous"] if _covers(first_day, week.previous()) else None, last)


def resolve_scope(store: Store, street: str | None) -> Scope:
    """The district (on a store scoped to streets: those streets), or the street with code
    ``street`` (:class:`UnknownStreet` when the store has none); a street's Chinese or English
    name is accepted too."""
    if not street and not store.streets:
        return Scope()
    streets = areas(store, "street")
    if not street:
        scoped = store.streets
        mine = streets[streets["area_id"].astype(str).isin(scoped)]
        return Scope(
            None, "、".join(mine["name_zh"].astype(str)), ", ".join(mine["name_en"].astype(str)), streets=scoped
        )
    for column in ("area_id", "name_zh", "name_en"):
        hit = streets[streets[column].astype(str) == str(street)]
        if len(hit):
            row = hit.iloc[0]
            return Scope(str(row["area_id"]), str(row["name_zh"] or ""), str(row["name_en"] or ""))
    raise UnknownStreet(str(street), sorted(streets["area_id"].astype(str)))


def brief_week(store: Store, week: str | IsoWeek | None, now: datetime | None = None) -> IsoWeek:
    """The week to report: ``week`` parsed (:class:`BadWeek` when malformed), or, when
    ``None``, the last complete ISO week before the store's newest event (capped at ``now``):
    the data's end, not the clock, so a store imported up to last Sunday, or a demo city
    ending in the past, reports its last full week rather than an empty one
    (:class:`EmptyStore` without events)."""
    if week is not None:
        return week if isinstance(week, IsoWeek) else IsoWeek.parse(week)
    newest = store.data_freshness()
    if newest is None:
        raise EmptyStore()
    now = now or datetime.now()
    return last_complete_week(min(pd.Timestamp(newest).to_pydatetime(), now))


def weekly_brief(
    store: Store,
    week: str | IsoWeek | None,
    street: str | None = None,
    *,
    now: datetime | None = None,
    min_events: int = 10,
) -> Brief:
    """The brief of ISO ``week`` (``"2026-W47"``; ``None``: :func:`brief_week`'s last complete
    week) for the district or one ``street`` (code or name), judged as of the week's end
    capped at ``now`` (default: the clock). ``min_events`` is the department ranking's
    minimum count. Raises :class:`BadWeek`, :class:`UnknownStreet`, :class:`EmptyStore`."""
    now = (now or datetime.now()).replace(microsecond=0)
    iso = brief_week(store, week, now)
    scope = resolve_scope(store, street)
    days = event_days(store)
    first_day = days[0] if days else None
    newest = store.data_freshness()
    flt = EventFilter(iso.start, iso.end, street_ids=scope.street_ids())
    return Brief(
        week=iso,
        scope=scope,
        now=now,
        as_of=min(iso.end, now),
        first_day=first_day,
        newest_event=pd.Timestamp(newest).to_pydatetime() if newest is not None else None,
        headline=_headline(store, iso, scope, now, first_day),
        by_source=_mix(store, "source", iso, scope, first_day),
        by_category=_mix(store, "category", iso, scope, first_day),
        hotspots=hotspot_section(store, flt, first_day),
        district=district_map(store, flt, now),
        supervision=supervision_section(store, flt, now, first_day),
        departments=department_section(store, flt, now, min_events),
        sensors=sensor_section(store, flt, now),
    )
