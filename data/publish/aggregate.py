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

import numpy as np
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


GROUPING_SETS: tuple[tuple[str, ...], ...] = tuple(
    (*unit, *combo)
    for unit in ((), ("street_id",), ("community_id",), ("cell",))
    for combo in ((), ("grp",), ("source",))
)
"""The published roll-ups (the same twelve as ``publish_medians``' GROUPING SETS)."""

_FLAGS = {
    "street_id": "g_street",
    "community_id": "g_community",
    "cell": "g_cell",
    "grp": "g_grp",
    "source": "g_source",
}


def _obj(values: np.ndarray) -> pd.Series:
    """``values`` as an object column (pandas would otherwise copy strings into Arrow, which
    costs more than the whole suppression at 1M events)."""
    return pd.Series(values, dtype=object, copy=False)


def _rollups(fine: pd.DataFrame) -> pd.DataFrame:
    """The finest counts summed over every grouping set, in ``publish_medians``' row shape."""
    parts = []
    for keys in GROUPING_SETS:
        g = fine.groupby(["period_start", "sens", *keys], dropna=False, sort=False)[list(COUNTS)].sum()
        g = g.reset_index()
        for column, flag in _FLAGS.items():
            g[flag] = 0 if column in keys else 1
            if column not in keys:
                g[column] = None
        parts.append(g)
    return pd.concat(parts, ignore_index=True)


def _tidy(raw: pd.DataFrame, grain: str, values: tuple[str, ...]) -> pd.DataFrame:
    """Rows with GROUPING flags as rows keyed by :data:`KEY` (sensitive categories only
    under their own group; units with a NULL id dropped: they count only in their parents)."""
    raw = raw[~(raw["sens"].astype(bool) & (raw["g_grp"] == 1))]
    level = pd.Series("district", index=raw.index, dtype=object)
    unit = pd.Series("district", index=raw.index, dtype=object)
    for name, flag, column in (("street", "g_street", "street_id"), ("community", "g_community", "community_id")):
        sel = (raw[flag] == 0).to_numpy()
        level[sel] = name
        unit[sel] = raw.loc[sel, column].astype(object).to_numpy()
    sel = (raw["g_cell"] == 0).to_numpy()
    level[sel] = "cell"
    codes, uniques = pd.factorize(raw.loc[sel, "cell"])  # format each distinct cell once
    names = np.array([format(int(c), "x") for c in uniques] + [None], dtype=object)
    unit[sel] = names[codes]  # code -1 (NULL cell) picks the trailing None
    out = pd.DataFrame(
        {
            "period": _obj(np.full(len(raw), grain, dtype=object)),
            "period_start": _obj(pd.to_datetime(raw["period_start"]).to_numpy().astype("datetime64[D]").astype(object)),
            "level": _obj(level.to_numpy()),
            "unit_id": _obj(unit.to_numpy()),
            "category_group": _obj(raw["grp"].astype(object).where(raw["g_grp"] == 0, "all").to_numpy()),
            "source": _obj(raw["source"].astype(object).where(raw["g_source"] == 0, "all").to_numpy()),
        }
    )
    for c in values:
        out[c] = raw[c].to_numpy()
    return out[out["unit_id"].notna()].reset_index(drop=True)


def fetch_counts(
    store: Store, grain: str, first_day: date, through: date, res: int, sensitive: Sensitive
) -> pd.DataFrame:
    """The counts and median of ``grain`` periods as tidy rows keyed by :data:`KEY` (no zero
    rows): ``publish_counts`` at the finest grain summed up here (counts add up), the medians
    from ``publish_medians`` (they do not).

    Rows of sensitive categories appear only under their own group: the ``'all'`` rows and
    the source rows exclude them.
    """
    params = {
        "grain": grain,
        "step": f"1 {grain}",
        "sensitive": list(sensitive.codes),
        "res": res,
        "start": periods(grain, first_day, through)[0].start,
        "through_end": end_of_day(through),
    }
    counts = _tidy(_rollups(store.fetch("publish_counts", **params)), grain, COUNTS)
    for c in COUNTS:
        counts[c] = counts[c].astype("int64")
    medians = _tidy(store.fetch("publish_medians", **params), grain, ("median_close_s",))
    out = counts.merge(medians, on=list(KEY), how="left", validate="one_to_one")
    out["median_close_s"] = out["median_close_s"].astype("float64")
    return out


@dataclass(frozen=True)
class Grid:
    """Layout of the dense frame: for each grain its periods, then every unit (coarse to
    fine, by id), then every combination (all/all, each category group, each source).

    Row of (grain g, period p, unit u, combination c) = ``offset[g] + (p * U + u) * C + c``,
    so the suppression finds parents and siblings by arithmetic, not by joins.
    """

    units: pd.DataFrame
    """``pub_units`` rows in layout order (RangeIndex = unit number)."""
    combos: pd.DataFrame
    """``category_group, source`` in layout order."""
    calendars: dict[str, list[Period]]
    offsets: dict[str, int]

    @property
    def n_units(self) -> int:
        """U."""
        return len(self.units)

    @property
    def n_combos(self) -> int:
        """C."""
        return len(self.combos)

    def rows(self, grain: str, p: np.ndarray, u: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Row numbers of (p, u, c) in ``grain`` (arrays broadcast)."""
        return self.offsets[grain] + (p * self.n_units + u) * self.n_combos + c


def make_grid(units: pd.DataFrame, groups: Groups, calendars: dict[str, list[Period]]) -> Grid:
    """The layout for ``units`` (any order; sorted here), ``groups`` and ``calendars``."""
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    ordered = units.assign(_r=units["level"].map(rank)).sort_values(["_r", "unit_id"], kind="stable")
    ordered = ordered.drop(columns="_r").reset_index(drop=True)
    combos = pd.DataFrame(
        [("all", "all")] + [(g, "all") for g in groups.category_groups] + [("all", s) for s in groups.sources],
        columns=["category_group", "source"],
    )
    offsets, at = {}, 0
    for grain, cal in calendars.items():
        offsets[grain] = at
        at += len(cal) * len(ordered) * len(combos)
    return Grid(ordered, combos, calendars, offsets)


def _codes(values: pd.Series, vocab: list[object]) -> np.ndarray:
    return pd.Categorical(values, categories=vocab).codes.astype(np.int64)


def dense_counts(counts: dict[str, pd.DataFrame], grid: Grid, groups: Groups) -> pd.DataFrame:
    """Every grain × period × unit × combination with its counts (zeros where none), in
    :class:`Grid` order. Counts of units not published (ids no area row names) are dropped;
    they stay in their parents' totals.
    """
    U, C = grid.n_units, grid.n_combos  # noqa: N806 - the layout's letters
    unit_key = (grid.units["level"] + "\x1f" + grid.units["unit_id"]).tolist()
    combo_key = (grid.combos["category_group"] + "\x1f" + grid.combos["source"]).tolist()
    parts = []
    for grain, cal in grid.calendars.items():
        n = len(cal) * U * C
        p_idx = np.repeat(np.arange(len(cal)), U * C)
        u_idx = np.tile(np.repeat(np.arange(U), C), len(cal))
        c_idx = np.tile(np.arange(C), len(cal) * U)
        frame = pd.DataFrame(
            {
                "period": _obj(np.full(n, grain, dtype=object)),
                "period_start": _obj(np.array([q.start for q in cal], dtype=object)[p_idx]),
                "period_end": _obj(np.array([q.end for q in cal], dtype=object)[p_idx]),
                "period_label": _obj(np.array([q.label for q in cal], dtype=object)[p_idx]),
                "level": _obj(grid.units["level"].to_numpy(dtype=object)[u_idx]),
                "unit_id": _obj(grid.units["unit_id"].to_numpy(dtype=object)[u_idx]),
                "category_group": _obj(grid.combos["category_group"].to_numpy(dtype=object)[c_idx]),
                "source": _obj(grid.combos["source"].to_numpy(dtype=object)[c_idx]),
            }
        )
        got = counts[grain]
        p = _codes(got["period_start"], [q.start for q in cal])
        u = _codes(got["level"] + "\x1f" + got["unit_id"], unit_key)
        c = _codes(got["category_group"] + "\x1f" + got["source"], combo_key)
        keep = (p >= 0) & (u >= 0) & (c >= 0)
        at = (p[keep] * U + u[keep]) * C + c[keep]
        for col in COUNTS:
            values = np.zeros(n, dtype=np.int64)
            values[at] = got[col].to_numpy()[keep]
            frame[col] = values
        median = np.full(n, np.nan)
        median[at] = got["median_close_s"].to_numpy(dtype=float)[keep]
        frame["median_close_s"] = median
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["sensitive"] = out["category_group"].isin(groups.sensitive_groups).to_numpy()
    return out
