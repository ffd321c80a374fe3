"""The public side's answers (issue 12): figures of the published layer only.

Every function takes a :class:`~queries.published.PublishedLayer` (the ``pub_*`` tables,
never the internal store) and returns plain values or frames the public app and the static
site both show, so the two give the same figures. Withheld figures stay ``None``/NaN with
the reason in ``withheld`` (``under_k`` | ``secondary`` | ``sensitive``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from queries.published import PublishedLayer

LEVELS: tuple[str, ...] = ("street", "community")
"""The levels the public map and tables offer (the district is the summary)."""


@dataclass(frozen=True)
class PublicMeta:
    """What ``pub_meta`` says about the layer: how far it reaches and how it was protected."""

    through_date: date | None
    published_at: str
    lag_days: int
    min_count: int
    rounding_base: int
    max_res: int
    district_zh: str
    district_en: str
    latest_month: str
    latest_week: str
    sensitive_mode: str = "street"
    """How sensitive categories were published: ``street`` (district and streets only) or ``hide``."""


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def published_meta(layer: PublishedLayer) -> PublicMeta:
    """The layer's ``pub_meta`` as typed values (missing keys: neutral defaults)."""
    rows = layer.fetch("public_meta")
    values = dict(zip(rows["key"].astype(str), rows["value"], strict=True))
    try:
        through = date.fromisoformat(str(values.get("through_date", "")).strip())
    except ValueError:
        through = None
    return PublicMeta(
        through_date=through,
        published_at=str(values.get("published_at") or ""),
        lag_days=_int(values.get("lag_days"), 7),
        min_count=_int(values.get("min_count"), 10),
        rounding_base=_int(values.get("rounding_base"), 0),
        max_res=_int(values.get("max_res"), 8),
        district_zh=str(values.get("district_zh") or ""),
        district_en=str(values.get("district_en") or ""),
        latest_month=str(values.get("latest_month") or ""),
        latest_week=str(values.get("latest_week") or ""),
        sensitive_mode="hide" if str(values.get("sensitive_mode") or "") == "hide" else "street",
    )


def percent_1dp(share: float | None) -> Decimal | None:
    """A share (0..1) as a percentage with one decimal, half up: 0.8725 → 87.3 (``None`` stays)."""
    if share is None or pd.isna(share):
        return None
    return Decimal(repr(float(share) * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _count(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _rate(value: Any) -> float | None:
    return None if _missing(value) else float(value)


PERIODS: tuple[str, ...] = ("month", "week")
"""The published period kinds a citizen may choose: calendar months and ISO weeks."""


def district_periods(layer: PublishedLayer, period: str = "month") -> pd.DataFrame:
    """The district's row per published month or ISO week (all categories and sources), oldest first."""
    return layer.fetch(
        "public_stats", period=period, level="district", category_group="all", source="all", period_label=None
    ).reset_index(drop=True)


def district_months(layer: PublishedLayer) -> pd.DataFrame:
    """The district's row per published month (all categories and sources), oldest first."""
    return district_periods(layer, "month")


@dataclass(frozen=True)
class PeriodSummary:
    """One month's or week's district figures and the change against the one before."""

    period: str
    label: str
    start: date
    end: date
    received: int | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    withheld: str | None
    previous_label: str | None
    previous_received: int | None
    previous_on_time_rate: float | None
    previous_satisfaction_rate: float | None

    @property
    def complete(self) -> bool:
        """Whether the month or week is published to its last day (else counts are not comparable)."""
        if self.period == "week":
            return self.end.weekday() == 6
        return (self.end + timedelta(days=1)).month != self.end.month

    @property
    def on_time_change_pp(self) -> Decimal | None:
        """Change of the on-time rate in percentage points, as the two shown percentages differ."""
        now, before = percent_1dp(self.on_time_rate), percent_1dp(self.previous_on_time_rate)
        return None if now is None or before is None else now - before

    @property
    def received_change(self) -> int | None:
        """Reports received in this period minus the one before (``None`` if either is withheld)."""
        if self.received is None or self.previous_received is None:
            return None
        return self.received - self.previous_received


def period_summary(layer: PublishedLayer, period: str = "month", label: str | None = None) -> PeriodSummary | None:
    """The district's figures for the month (``YYYY-MM``) or ISO week (``YYYY-Www``) ``label``
    (default: the latest published one) and the one before it; ``None`` when the layer has no
    such period."""
    frame = district_periods(layer, period)
    if frame.empty:
        return None
    labels = frame["period_label"].astype(str).tolist()
    label = label or labels[-1]
    if label not in labels:
        return None
    i = labels.index(label)
    row = frame.iloc[i]
    prev = frame.iloc[i - 1] if i > 0 else None
    return PeriodSummary(
        period=period,
        label=label,
        start=pd.Timestamp(row["period_start"]).date(),
        end=pd.Timestamp(row["period_end"]).date(),
        received=_count(row["received"]),
        on_time_rate=_rate(row["on_time_rate"]),
        satisfaction_rate=_rate(row["satisfaction_rate"]),
        withheld=None if pd.isna(row["withheld"]) else str(row["withheld"]),
        previous_label=None if prev is None else str(prev["period_label"]),
        previous_received=None if prev is None else _count(prev["received"]),
        previous_on_time_rate=None if prev is None else _rate(prev["on_time_rate"]),
        previous_satisfaction_rate=None if prev is None else _rate(prev["satisfaction_rate"]),
    )


def month_summary(layer: PublishedLayer, month: str | None = None) -> PeriodSummary | None:
    """:func:`period_summary` of the month ``month`` (default: the latest published one)."""
    return period_summary(layer, "month", month)


def units(layer: PublishedLayer, level: str) -> pd.DataFrame:
    """The published units of ``level`` with names, parent and GeoJSON geometry."""
    return layer.fetch("public_units", level=level)


def area_figures(layer: PublishedLayer, level: str, label: str, period: str = "month") -> pd.DataFrame:
    """Every unit of ``level`` with its figures for the month or week ``label`` (all categories
    and sources), withheld ones included (NaN figures, ``withheld`` set), ordered by name."""
    shapes = units(layer, level)
    stats = layer.fetch(
        "public_stats", period=period, level=level, category_group="all", source="all", period_label=label
    )
    keep = ["unit_id", "received", "closed", "closure_rate", "on_time_rate", "median_days_to_close"]
    keep += ["satisfaction_rate", "withheld"]
    merged = shapes.merge(stats[keep], on="unit_id", how="left")
    return merged.sort_values(["parent_id", "name_zh", "unit_id"], na_position="first").reset_index(drop=True)


def category_figures(layer: PublishedLayer, label: str, period: str = "month") -> pd.DataFrame:
    """The district's figures per category group in the month or week ``label`` with the
    groups' names and sensitivity, largest first (withheld ones last)."""
    stats = layer.fetch("public_group_stats", period=period, level="district", unit_id="district", period_label=label)
    groups = layer.fetch("public_groups")
    groups = groups[groups["kind"] == "category_group"].rename(columns={"code": "category_group"})
    merged = stats.merge(groups[["category_group", "name_zh", "name_en", "sensitive"]], on="category_group", how="left")
    merged["name_zh"] = merged["name_zh"].fillna(merged["category_group"])
    merged["name_en"] = merged["name_en"].fillna(merged["category_group"])
    return merged.sort_values(["received", "category_group"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def sensitive_groups(layer: PublishedLayer) -> pd.DataFrame:
    """The category groups published only at street level or not at all."""
    groups = layer.fetch("public_groups")
    return groups[(groups["kind"] == "category_group") & groups["sensitive"].fillna(False).astype(bool)]


# --- Track my report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tracking:
    """What a citizen may see of their own report: stages and days, outcome, rating."""

    stages: tuple[tuple[str, date | None], ...]
    status: str
    closed_on_time: bool | None
    rated: bool
    can_rate: bool


def _flag(value: Any) -> bool | None:
    return None if _missing(value) else bool(value)


def tracking(layer: PublishedLayer, digest: str) -> Tracking | None:
    """The report behind ``digest``, or ``None`` when the layer holds no such digest."""
    case = layer.fetch("public_tracking_case", digest=digest)
    if case.empty:
        return None
    stages = layer.fetch("public_tracking_stages", digest=digest)
    row = case.iloc[0]
    reached = tuple(
        (str(s), None if pd.isna(d) else pd.Timestamp(d).date())
        for s, d in zip(stages["stage"], stages["reached_on"], strict=True)
    )
    return Tracking(
        stages=reached,
        status=str(row["status"]),
        closed_on_time=_flag(row["closed_on_time"]),
        rated=bool(_flag(row["rated"])),
        can_rate=bool(_flag(row["can_rate"])),
    )


__all__ = [
    "LEVELS",
    "PERIODS",
    "PeriodSummary",
    "PublicMeta",
    "Tracking",
    "area_figures",
    "category_figures",
    "district_months",
    "district_periods",
    "month_summary",
    "percent_1dp",
    "period_summary",
    "published_meta",
    "sensitive_groups",
    "tracking",
    "units",
]
