"""Hostile filter values reach SQL only as bound parameters, on both backends.

Every filter list (categories, sources, departments, street_ids, community_ids, grid_ids)
gets quotes, SQL injection, placeholder look-alikes, array-literal syntax, a 10k-character
string, emoji and Chinese, through every named query that takes the filter. The answer
must equal the answer for a plain value that matches nothing, or (mixed with a real
value) the answer for the real value alone, whose event count is checked with pandas.
Tables must be intact afterwards.

NUL (``\\x00``): PostgreSQL text cannot hold it, so :class:`EventFilter` refuses such a
value with a ``ValueError`` on both backends; the PostGIS store turns a NUL in any other
parameter into the same kind of error instead of a driver traceback.
"""

from __future__ import annotations

import pandas as pd
import pytest

from queries.filters import LIST_FIELDS, EventFilter
from queries.sql_files import param_names, query_names

from .test_parity import END, NOW, START, assert_same_result, orders_rows, parity_params

pytestmark = pytest.mark.postgis

HOSTILE: tuple[str, ...] = (
    "'",
    "''",
    '"',
    "\\",
    "'; DROP TABLE events; --",
    "x' OR '1'='1",
    "%",
    "%s",
    "%(start)s",
    ":start",
    "$1",
    "?",
    "{a,b}",
    "ARRAY['C01']",
    "NULL",
    "",
    " ",
    "\n\t",
    "x" * 10_000,
    "🚧😀👍🏽",
    "井盖缺失；道路破损",
    "Ｃ０１",
)
"""Values that must be treated as plain text, matching nothing in the demo city."""

ABSENT = "no-such-value"
COLUMN = {
    "categories": "category",
    "sources": "source",
    "departments": "department",
    "street_ids": "street_id",
    "community_ids": "community_id",
    "grid_ids": "grid_id",
}
WINDOW = EventFilter(START, END)


def filter_queries() -> list[str]:
    """Named queries that take the event filter lists."""
    return [n for n in query_names() if set(LIST_FIELDS) <= set(param_names(n, "duckdb"))]


def _run(store, name: str, base: dict[str, object], flt: EventFilter) -> pd.DataFrame:
    params = {**base, **flt.params()}
    return store.fetch(name, **{k: params[k] for k in param_names(name, store.dialect)})


def _real_value(city, field: str) -> str:
    """The most frequent value of the field's column in the window (surely matches)."""
    ev = city.events
    window = ev[(ev.reported_at >= START) & (ev.reported_at < END)]
    return window[COLUMN[field]].value_counts().index[0]


def test_hostile_values_are_plain_text(both_stores, small_city):
    assert filter_queries(), "no query takes the event filter: nothing was tested"
    before = {d: s.table_counts() for d, s in both_stores.items()}
    base_params = parity_params(small_city)
    for field in LIST_FIELDS:
        real = _real_value(small_city, field)
        hostile = EventFilter(START, END, **{field: HOSTILE})
        absent = EventFilter(START, END, **{field: (ABSENT,)})
        mixed = EventFilter(START, END, **{field: (real, *HOSTILE)})
        alone = EventFilter(START, END, **{field: (real,)})
        for name in filter_queries():
            base = base_params[name][0]
            ordered = orders_rows(name)
            for dialect, store in both_stores.items():
                where = f"{name} / {field} / {dialect}"
                try:
                    assert_same_result(_run(store, name, base, absent), _run(store, name, base, hostile), ordered)
                    assert_same_result(_run(store, name, base, alone), _run(store, name, base, mixed), ordered)
                except AssertionError as exc:
                    raise AssertionError(f"{where}: {exc}") from exc
        # independent check of "correct": the KPI count against pandas
        ev = small_city.events
        want = int(((ev.reported_at >= START) & (ev.reported_at < END) & (ev[COLUMN[field]] == real)).sum())
        for dialect, store in both_stores.items():
            kpi = _run(store, "kpi_summary", {"prev_start": WINDOW.previous().start, "now": NOW}, mixed)
            assert int(kpi.set_index("period").loc["current", "events"]) == want, (field, dialect)
            kpi = _run(store, "kpi_summary", {"prev_start": WINDOW.previous().start, "now": NOW}, hostile)
            assert int(kpi.set_index("period").loc["current", "events"]) == 0, (field, dialect)
    for dialect, store in both_stores.items():
        assert store.table_counts() == before[dialect], dialect
        assert before[dialect]["events"] == len(small_city.events)


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_nul_is_refused_by_the_filter(field):
    with pytest.raises(ValueError, match="NUL"):
        EventFilter(START, END, **{field: ("C01\x00",)})
    with pytest.raises(ValueError, match="NUL"):
        EventFilter.for_dates(START.date(), END.date(), **{field: ["\x00"]})


def test_postgis_turns_a_nul_parameter_into_value_error(both_stores):
    store = both_stores["postgis"]
    with pytest.raises(ValueError, match="NUL"):
        store.fetch("list_areas", level="grid\x00")
    assert len(store.fetch("list_areas", level="grid")) > 0  # the pool is fine afterwards
