"""The varied filters every benchmark times its queries with (one definition for all)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from queries import EventFilter

RUNS = 20
"""Filters per benchmark: p50/p95 are taken over this many runs."""


def varied_filters(
    categories: Sequence[str], street_ids: Sequence[str], rng: np.random.Generator, end: date, *, within_days: int = 200
) -> list[EventFilter]:
    """20 filters: windows of 7-90 days ending up to ``within_days`` before ``end``;
    every 3rd with two categories, every 4th with a street, every 5th with two sources."""
    out = []
    for i in range(RUNS):
        days = int(rng.choice([7, 30, 30, 90]))
        last = end - timedelta(days=int(rng.integers(0, max(1, within_days - days))))
        kw: dict = {}
        if i % 3 == 1:
            kw["categories"] = list(rng.choice(list(categories), 2, replace=False))
        if i % 4 == 2:
            kw["street_ids"] = [str(rng.choice(list(street_ids)))]
        if i % 5 == 3:
            kw["sources"] = ["hotline", "app"]
        out.append(EventFilter.for_dates(last - timedelta(days=days - 1), last, **kw))
    return out
