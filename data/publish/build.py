"""Build the published layer from a store: every ``pub_*`` table as a DataFrame.

Reads the store only through the ``publish_*`` named queries. The protection (lag,
primary and secondary suppression, sensitive groups, rounding) is applied here, when the
tables are built: no published table ever holds an unprotected value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from data.store import Store

from . import schema
from .aggregate import KEY, dense_counts, fetch_counts, load_groups, make_grid
from .config import PublishConfig
from .periods import GRAINS, periods, through_date
from .rounding import figures
from .suppress import closed_withheld, primary, secondary
from .tracking import build_tracking, key_id, lookup_key
from .units import load_units


class NothingToPublish(ValueError):  # noqa: N818 - reads as a sentence at the call site
    """The store holds no event on or before the publication cut-off."""


@dataclass(frozen=True)
class Published:
    """The published tables (``schema.TABLES`` names → frames in their column order)."""

    tables: dict[str, pd.DataFrame]
    through_date: date
    tracking_built: bool


def _stats_frame(store: Store, config: PublishConfig, first_day: date, through: date):
    sens = config.sensitive
    counts = {g: fetch_counts(store, g, first_day, through, config.max_res, sens) for g in GRAINS}
    seen = set()
    cells: set[str] = set()
    for c in counts.values():
        seen |= set(c.loc[c["source"] != "all", "source"])
        cells |= set(c.loc[c["level"] == "cell", "unit_id"])
    groups = load_groups(store, sens, seen)
    units, names = load_units(store, sorted(cells), config.max_res, config.simplify_tolerance)
    grid = make_grid(units, groups, {g: periods(g, first_day, through) for g in GRAINS})
    dense = dense_counts(counts, grid, groups)
    reason = primary(dense, config.min_count, sens)
    reason = secondary(dense, reason, grid, groups, sens, config.min_count)
    closed_hidden = closed_withheld(dense, reason, grid, groups, sens, config.min_count)
    values = figures(dense, reason, closed_hidden, config.min_count, config.rounding_base)
    stats = pd.concat([dense[[*KEY[:2], "period_end", "period_label", *KEY[2:]]], values], axis=1)
    return stats[schema.columns("pub_stats")], grid.units, groups, names


def build_published(store: Store, config: PublishConfig) -> Published:
    """Every published table for ``store`` under ``config``.

    Raises :class:`NothingToPublish` when no event was reported on or before the cut-off.
    """
    rng = store.fetch("publish_data_range")
    first, last = rng.iloc[0]["first_day"], rng.iloc[0]["last_day"]
    if pd.isna(first):
        raise NothingToPublish("the store holds no events: nothing to publish")
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    through = through_date(last, config.lag_days, config.through)
    if through < first:
        raise NothingToPublish(
            f"no event was reported on or before the publication cut-off {through} "
            f"(first report {first}, last {last}, lag {config.lag_days} days)"
        )
    stats, units, groups, names = _stats_frame(store, config, first, through)
    tracking, cases = build_tracking(store, config, through)
    month = stats.loc[stats["period"] == "month", "period_label"]
    week = stats.loc[stats["period"] == "week", "period_label"]
    meta = {
        "through_date": through.isoformat(),
        "published_at": (config.published_on or date.today()).isoformat(),
        "lag_days": str(config.lag_days),
        "min_count": str(config.min_count),
        "rounding_base": str(config.rounding_base),
        "max_res": str(config.max_res),
        "district_zh": names["district_zh"],
        "district_en": names["district_en"],
        "latest_month": str(month.max()),
        "latest_week": str(week.iloc[np.argmax(stats.loc[week.index, "period_start"].to_numpy())]),
        "sensitive_mode": config.sensitive.mode if config.sensitive.codes else "",
        "tracking_key_id": key_id(lookup_key(config.tracking_key)) if config.tracking_key else "",
    }
    tables = {
        "pub_meta": pd.DataFrame(sorted(meta.items()), columns=["key", "value"]),
        "pub_units": units,
        "pub_groups": groups.frame,
        "pub_stats": stats,
        "pub_tracking": tracking,
        "pub_tracking_case": cases,
    }
    meta[schema.TOKEN_KEY] = schema.content_hash(tables)
    tables["pub_meta"] = pd.DataFrame(sorted(meta.items()), columns=["key", "value"])
    return Published(tables, through, config.tracking_key is not None)
