"""A cell without neighbours (events far outside the district) through the page's analysis.

Its H3 cell joins the extent because it holds events, but no neighbouring cell does: it has
no local statistic. Every method labels it ``no_neighbours``, never significant, on both
backends (before issue 9 it was the strongest hot spot: ``hot_99``, ``HL``, ``new_hot``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest

from dashboard.hotspot_view import result_csv
from data.demo import load_city
from geo.hotspots import NO_NEIGHBOURS
from queries.answers.hotspots import HotspotRequest, analyse_hotspots
from queries.duckdb_store import DuckDBStore
from queries.filters import EventFilter
from queries.postgis_store import PostGISStore
from tests.conftest import END_DATE

END = datetime.combine(END_DATE + timedelta(days=1), datetime.min.time())
WINDOW = EventFilter(END - timedelta(days=42), END)
FAR = (40.05, 116.70)  # ~20 km north-east of the demo district


@pytest.fixture(scope="module")
def island_city(small_city):
    """The last six weeks of the small city, 60 of its events moved to one far-away spot."""
    events = small_city.events[small_city.events["reported_at"] >= pd.Timestamp(WINDOW.start)].copy()
    moved = events.index[::50][:60]
    events.loc[moved, "lat"], events.loc[moved, "lon"] = FAR
    events.loc[moved, "h3"] = h3.str_to_int(h3.latlng_to_cell(*FAR, 12))
    return replace(small_city, events=events.reset_index(drop=True))


@pytest.fixture(params=["duckdb", "postgis"])
def store(request, island_city, make_pg_database):
    s = DuckDBStore(":memory:") if request.param == "duckdb" else PostGISStore(make_pg_database())
    load_city(s, island_city)
    yield s
    s.close()


def test_a_far_away_cell_has_no_neighbours_in_every_method(store) -> None:
    far = h3.latlng_to_cell(*FAR, 9)
    for method in ("gi_star", "local_moran", "emerging"):
        table = analyse_hotspots(store, HotspotRequest(WINDOW, unit="h3", res=9, method=method, permutations=999)).table
        row = table[table["unit_id"] == far].iloc[0]
        assert row["events"] == 60
        assert row["label"] == NO_NEIGHBOURS, method
        assert not row["significant"] and np.isnan(row["p_value"]) and np.isnan(row["p_adjusted"])
        assert (table["label"] == NO_NEIGHBOURS).sum() == 1
        assert row["rank"] > (table["significant"]).sum()  # never ranked among the findings
    csv = result_csv(table, {NO_NEIGHBOURS: "无相邻单元"}).decode("utf-8-sig")
    assert f"{far}," in csv and "无相邻单元" in csv
