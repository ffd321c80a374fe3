"""The counts behind the published figures: one named query per grain, then a dense frame.

``publish_counts`` returns the KPI counts (the ``kpi_counts`` fragment the overview uses) per
period and grouping set; :func:`dense_counts` turns them into one row for every unit ×
period × (category group | source) combination, zeros where nothing was reported, so the
suppression sees every cell and the pattern of withheld cells is complete and stable.

Combinations published per unit and period: all events (``'all'``/``'all'``), each category
group with all sources, each source with all (non-sensitive) category groups. A category
group is the category's default department (``categories.department``); a sensitive
category is a group of its own (data/publish/sensitive.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data.contracts import SOURCES
from data.store import Store

from .periods import Period, end_of_day, periods
from .sensitive import Sensitive

LEVELS: tuple[str, ...] = ("district", "street", "community", "cell")
"""Published unit levels, coarse to fine."""

COUNTS: tuple[str, ...] = (
    "events",
    "cancelled",
    "closed",
    "closed_untimed",
    "closed_on_time",
    "open_overdue",
    "rated",
    "satisfied",
)
"""The kpi_counts columns carried to the protection step (never published as such)."""

KEY: tuple[str, ...] = ("period", "period_start", "level", "unit_id", "category_group", "source")
"""Identity of one ``pub_stats`` row."""


@dataclass(frozen=True)
class Groups:
    """Category groups and sources of one publication."""

    frame: pd.DataFrame
    """``kind, code, name_zh, name_en, sensitive`` (the ``pub_groups`` rows)."""
    sources: tuple[str, ...]

    @property
    def category_groups(self) -> tuple[str, ...]:
        """Codes of every category group, sensitive ones included."""
        return tuple(self.frame.loc[self.frame["kind"] == "category_group", "code"])

    @property
    def sensitive_groups(self) -> frozenset[str]:
        """Codes of the sensitive category groups."""
        f = self.frame
        return frozenset(f.loc[(f["kind"] == "category_group") & f["sensitive"], "code"])


def load_groups(store: Store, sensitive: Sensitive, sources_seen: set[str]) -> Groups:
    """``pub_groups``: departments of the non-sensitive categories, each sensitive category,
    and the sources (the contract's five plus any other the store holds)."""
    cats = store.fetch("publish_groups")
    rows: dict[str, tuple[str, str, bool]] = {}
    for r in cats.to_dict("records"):
        code = str(r["code"])
        if code in sensitive.codes:
            rows[code] = (str(r["name_zh"]), str(r["name_en"]), True)
        else:
            dept = str(r["department"] or "")
            rows.setdefault(dept, (str(r["department_zh"] or dept), str(r["department_en"] or dept), False))
    for code in sensitive.codes:  # a listed code without a category row still gets its group
        rows.setdefault(code, (code, code, True))
    sources = tuple(
        sorted(
            set(SOURCES) | sources_seen, key=lambda s: (s not in SOURCES, SOURCES.index(s) if s in SOURCES else 0, s)
        )
    )
    frame = pd.DataFrame(
        [("category_group", code, zh, en, sens) for code, (zh, en, sens) in sorted(rows.items())]
        + [("source", s, s, s, False) for s in sources],
        columns=["kind", "code", "name_zh", "name_en", "sensitive"],
    )
    return Groups(frame, sources)


def fetch_counts(
    store: Store, grain: str, first_day: date, through: date, res: int, sensitive: Sensitive
) -> pd.DataFrame:
    """The counts of ``grain`` periods as tidy rows keyed by :data:`KEY` (no zero rows).

    Rows of sensitive categories appear only under their own group: the ``'all'`` rows and
    the source rows exclude them.
    """
    first = periods(grain, first_day, through)[0].start
    raw = store.fetch(
        "publish_counts",
        grain=grain,
        step=f"1 {grain}",
        sensitive=list(sensitive.codes),
        res=res,
        start=first,
        through_end=end_of_day(through),
    )
    raw = raw[~(raw["sens"].astype(bool) & (raw["g_grp"] == 1))]
    level = pd.Series("district", index=raw.index)
    unit = pd.Series("district", index=raw.index, dtype=object)
    for name, flag, column in (("street", "g_street", "street_id"), ("community", "g_community", "community_id")):
        sel = raw[flag] == 0
        level[sel] = name
        unit[sel] = raw.loc[sel, column]
    sel = raw["g_cell"] == 0
    level[sel] = "cell"
    unit[sel] = [format(int(c), "x") if pd.notna(c) else None for c in raw.loc[sel, "cell"]]
    out = pd.DataFrame(
        {
            "period": grain,
            "period_start": pd.to_datetime(raw["period_start"]).dt.date,
            "level": level,
            "unit_id": unit,
            "category_group": raw["grp"].where(raw["g_grp"] == 0, "all"),
            "source": raw["source"].where(raw["g_source"] == 0, "all"),
        }
    )
    for c in COUNTS:
        out[c] = raw[c].astype("int64")
    out["median_close_s"] = raw["median_close_s"].astype("float64")
    # events outside any known street/community (NULL ids) count only in their parents
    return out[out["unit_id"].notna()].reset_index(drop=True)


def dense_counts(counts: pd.DataFrame, cal: list[Period], units: pd.DataFrame, groups: Groups) -> pd.DataFrame:
    """Every unit × period × combination of one grain with its counts (zeros where none).

    ``units``: ``level, unit_id`` of the published units. Counts of units not published
    (ids no area row names) are dropped; they stay in their parents' totals.
    """
    grain = cal[0].grain
    combos = pd.DataFrame(
        [("all", "all")] + [(g, "all") for g in groups.category_groups] + [("all", s) for s in groups.sources],
        columns=["category_group", "source"],
    )
    cal_frame = pd.DataFrame(
        {
            "period": grain,
            "period_start": [p.start for p in cal],
            "period_end": [p.end for p in cal],
            "period_label": [p.label for p in cal],
        }
    )
    grid = cal_frame.merge(units[["level", "unit_id"]], how="cross").merge(combos, how="cross")
    out = grid.merge(counts, on=list(KEY), how="left", validate="one_to_one")
    for c in COUNTS:
        out[c] = out[c].fillna(0).astype("int64")
    out["sensitive"] = out["category_group"].isin(groups.sensitive_groups)
    return out
