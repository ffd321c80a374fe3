"""Every page on every subset of area levels the importer accepts (AppTest).

Stores hold only grids, only communities, only streets, each pair, the district alone or
no areas at all (``tests/dashboard/sparse_stores.py``: areas and events imported from
files by the real importer). Before issue 9, ``/chain`` raised TypeError / IndexError on
such stores and the overview's top 10 (streets only) was empty. Now the top 10 ranks the
coarsest level present, the drill-down starts there and its breadcrumb skips the missing
levels, and unit choices offer only the levels present. Expected counts per area come
from the events' coordinates by arithmetic on the block layout, not from the code under test.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import all_strings
from queries import DuckDBStore, EventFilter
from queries.answers.rankings import top_areas
from tests.dashboard.apptest import run_app
from tests.dashboard.sparse_stores import (
    ALL_LEVELS,
    EVENT_LEVELS,
    N_EVENTS,
    SUBSETS,
    build_store,
    events_csv,
    fill_store,
    subset_id,
)
from tests.importer.conftest import expected_areas

PAGES = {
    "overview": None,
    "hotspots": "dashboard/pages/hotspots.py",
    "chain": "dashboard/pages/chain.py",
    "trends": "dashboard/pages/trends.py",
    "sensors": "dashboard/pages/sensors.py",
    "import": "dashboard/pages/data_import.py",
}
TITLES = {
    "overview": "overview_title",
    "hotspots": "hotspots_title",
    "chain": "chain_title",
    "trends": "trends_title",
    "sensors": "sensors_title",
    "import": "import_title",
}
NAMES = {"street": "Street {}", "community": "Community {}", "grid": "Grid {}"}


def en(key: str) -> str:
    return all_strings()[key]["en"]


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> pd.DataFrame:
    """The imported events with the area ids their coordinates fall in (by arithmetic)."""
    frame = pd.read_csv(events_csv(tmp_path_factory.mktemp("ev") / "events.csv"))
    ids = pd.DataFrame([expected_areas(x, y) for x, y in zip(frame["lon"], frame["lat"], strict=True)])
    return pd.concat([frame, ids], axis=1).assign(reported_at=lambda d: pd.to_datetime(d["reported_at"]))


def default_window(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The pages' default window: the last 30 days with data (``[start, end)``)."""
    last = events["reported_at"].max().normalize()
    first = events["reported_at"].min().normalize()
    start = max(first, last - timedelta(days=29))
    return start, last + timedelta(days=1)


def in_window(events: pd.DataFrame) -> pd.DataFrame:
    start, end = default_window(events)
    return events[(events["reported_at"] >= start) & (events["reported_at"] < end)]


def counts(events: pd.DataFrame, level: str, parent: tuple[str, str] | None = None) -> dict[str, int]:
    sel = in_window(events)
    if parent is not None:
        sel = sel[sel[f"{parent[0]}_id"] == parent[1]]
    return sel[f"{level}_id"].value_counts().to_dict()


def present(levels: tuple[str, ...]) -> list[str]:
    return [lv for lv in EVENT_LEVELS if lv in levels]


def open_page(monkeypatch, db, page: str) -> AppTest:
    at = run_app(monkeypatch, db, "en", page=PAGES[page])
    assert not at.exception, [e.message for e in at.exception]
    assert en(TITLES[page]) in [t.value for t in at.title]
    return at


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables with {columns}"
    return found[0]


subsets = pytest.mark.parametrize("levels", SUBSETS, ids=[subset_id(s) for s in SUBSETS])


@pytest.fixture
def db(area_store, levels):
    return area_store(levels)


# --- the stores themselves -------------------------------------------------------------------------------


@subsets
def test_sparse_store_assigns_events_to_the_levels_present(db, events, levels):
    """The fixture is what it claims: every event carries the ids of the levels present, none other."""
    store = DuckDBStore(db)
    try:
        got = store.sql("SELECT event_id, street_id, community_id, grid_id FROM events ORDER BY event_id")
    finally:
        store.close()
    assert len(got) == N_EVENTS
    exp = events.sort_values("event_id").reset_index(drop=True)
    for lv in EVENT_LEVELS:
        want = exp[f"{lv}_id"] if lv in levels else pd.Series([None] * N_EVENTS)
        assert got[f"{lv}_id"].fillna("-").tolist() == want.fillna("-").tolist(), lv


# --- overview ---------------------------------------------------------------------------------------------


@subsets
def test_overview_ranks_the_coarsest_level_present(monkeypatch, db, events, levels):
    at = open_page(monkeypatch, db, "overview")
    have = present(levels)
    assert ("f_streets" in [m.key for m in at.multiselect]) == ("street" in levels)  # no empty street filter
    radio = at.radio(key="overview_unit")
    assert radio.options == [en("unit_h3"), *[en(f"level_{lv}") for lv in have]]
    assert at.metric[0].value == f"{len(in_window(events)):,}"
    subheaders = [s.value for s in at.subheader]
    if not have:
        assert en("ranking_title_none") in subheaders
        assert any(en("ranking_no_areas") == i.value for i in at.info)
        return
    top = have[0]
    assert en(f"ranking_title_{top}") in subheaders
    ranking = table_with(at, "name_en", "closure_rate", "on_time_rate")
    exp = sorted(counts(events, top).items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert ranking["events"].tolist() == [n for _, n in exp]
    numbers = [a[1:] for a, _ in exp]
    assert ranking["name_en"].tolist() == [NAMES[top].format(n) for n in numbers]


@subsets
def test_overview_map_draws_every_unit_present(monkeypatch, db, levels):
    at = open_page(monkeypatch, db, "overview")
    for lv in present(levels):
        at.radio(key="overview_unit").set_value(lv).run()
        assert not at.exception, [e.message for e in at.exception]
        assert len(at.get("deck_gl_json_chart")) == 1


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgis", marks=pytest.mark.postgis)])
def full_store(request, tmp_path_factory):
    """Every level, imported into DuckDB (in memory) or a throwaway PostGIS database."""
    if request.param == "duckdb":
        store = DuckDBStore(":memory:")
        dsn = None
    else:
        from queries.postgis_store import PostGISStore
        from tests.queries.conftest import create_test_database

        dsn = create_test_database()
        store = PostGISStore(dsn)
    fill_store(store, tmp_path_factory.mktemp("full"), ALL_LEVELS)
    yield store
    store.close()
    if dsn:
        from tests.queries.conftest import drop_test_database

        drop_test_database(dsn)


def test_top_areas_rank_every_level_by_events(full_store, events):
    """Streets (street_ranking, PostGIS: its rollup) and communities/grids (area_ranking)
    give the same ids, counts and rates, equal to the events' areas counted by arithmetic."""
    start, end = default_window(events)
    flt = EventFilter(start.to_pydatetime(), end.to_pydatetime())
    now = end.to_pydatetime()
    for lv in EVENT_LEVELS:
        got = top_areas(full_store, flt, now, lv, limit=10)
        exp = sorted(counts(events, lv).items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        assert list(zip(got["area_id"], got["events"], strict=True)) == exp
        assert got["name_en"].tolist() == [NAMES[lv].format(a[1:]) for a, _ in exp]
        assert top_areas(full_store, flt, now, lv, limit=3)["area_id"].tolist() == [a for a, _ in exp[:3]]
        ranked = (
            full_store.fetch("area_ranking", **flt.params(), now=now, level=lv, parent_id=None, min_events=1)
            .set_index("area_id")
            .loc[got["area_id"]]
        )
        for col in ("events", "closed", "open_overdue", "closure_rate", "on_time_rate"):
            assert got[col].tolist() == pytest.approx(ranked[col].tolist(), abs=1e-12), (lv, col)
    with pytest.raises(ValueError):
        top_areas(full_store, flt, now, "district")


# --- chain: drill-down over the levels present -------------------------------------------------------------


def crumbs(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("chain_crumb_")]


@subsets
def test_chain_drills_down_through_the_levels_present(monkeypatch, db, events, levels):
    at = open_page(monkeypatch, db, "chain")
    have = present(levels)
    funnel = table_with(at, "waiting_share")
    assert funnel["reached"].iloc[0] == len(in_window(events))
    assert crumbs(at) == [en("chain_district_all")]
    if not have:
        assert any(en("chain_no_areas") == i.value for i in at.info)
        assert not at.get("deck_gl_json_chart")
        return
    path: list[tuple[str, str]] = []
    for depth, lv in enumerate(have):
        parent = path[-1] if path else None
        # the areas one level down: every area of ``lv`` under the current one, with its events
        ranking = table_with(at, "area_name", "reopen_rate")
        exp = counts(events, lv, parent)
        # a grid is named with its community (issue 16: grid names alone repeat across communities)
        in_community = (
            f" · {NAMES['community'].format(parent[1][1:])}"
            if lv == "grid" and parent and parent[0] == "community"
            else ""
        )
        assert dict(zip(ranking["area_name"], ranking["events"], strict=True)) == {
            NAMES[lv].format(a[1:]) + in_community: n for a, n in exp.items()
        }
        area = sorted(exp, key=lambda a: (-exp[a], a))[0]
        box = at.selectbox(key=f"chain_drill_{parent[1] if parent else 'district'}")
        box.set_value(area).run()
        assert not at.exception, [e.message for e in at.exception]
        path.append((lv, area))
        assert at.query_params["level"] in (lv, [lv]) and at.query_params["area"] in (area, [area])
        # the breadcrumb names only levels that exist
        assert crumbs(at) == [en("chain_district_all")] + [
            f"› {en(f'level_{plv}')}: {NAMES[plv].format(a[1:])}" for plv, a in path
        ]
        assert table_with(at, "waiting_share")["reached"].iloc[0] == exp[area]
        assert depth == len(crumbs(at)) - 2
    # at the finest level present: the area among its siblings, no further drill
    leaf_level, leaf = path[-1]
    siblings = counts(events, leaf_level, path[-2] if len(path) > 1 else None)
    ranking = table_with(at, "area_name", "reopen_rate")
    up = path[-2] if len(path) > 1 else None
    in_community = (
        f" · {NAMES['community'].format(up[1][1:])}" if leaf_level == "grid" and up and up[0] == "community" else ""
    )
    assert sorted(ranking["area_name"]) == sorted(NAMES[leaf_level].format(a[1:]) + in_community for a in siblings)
    assert en("chain_map_grid_hint") in [c.value for c in at.caption]
    assert not [s for s in at.selectbox if s.key and s.key.startswith("chain_drill_")]
    # back to the district
    at.button(key="chain_crumb_0").click().run()
    assert not at.exception and crumbs(at) == [en("chain_district_all")]
    assert "level" not in at.query_params


@subsets
def test_chain_address_of_a_missing_level_opens_the_district(monkeypatch, db, levels):
    """``?level=grid&area=G00`` on a store without grids (a link from another store)."""
    at = run_app(monkeypatch, db, "en", page=PAGES["chain"])
    for lv, area in (("grid", "G00"), ("community", "C00"), ("street", "S0")):
        at.query_params["level"], at.query_params["area"] = lv, area
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        if lv in levels:
            assert len(crumbs(at)) >= 2 and crumbs(at)[-1].endswith(NAMES[lv].format(area[1:]))
        else:
            assert crumbs(at) == [en("chain_district_all")]
            assert "level" not in at.query_params


# --- hotspots, trends, sensors, import -------------------------------------------------------------------------


@subsets
def test_hotspots_offer_only_the_levels_present(monkeypatch, db, events, levels):
    at = open_page(monkeypatch, db, "hotspots")
    have = present(levels)
    assert at.radio(key="hs_unit").options == [en("unit_h3"), *[en(f"level_{lv}") for lv in have]]
    for lv in have:
        at.radio(key="hs_unit").set_value(lv).run()
        assert not at.exception, [e.message for e in at.exception]
        shown = table_with(at, "rank", "unit", "stat")
        exp = counts(events, lv)
        assert shown["events"].sum() == sum(exp.values())


@subsets
def test_trends_break_down_by_street_only_when_there_are_streets(monkeypatch, db, levels):
    at = open_page(monkeypatch, db, "trends")
    dims = at.radio(key="trends_dim").options
    scopes = at.radio(key="trends_fc_scope").options
    assert (en("street") in dims) == ("street" in levels)
    assert (en("street") in scopes) == ("street" in levels)
    for dim in at.radio(key="trends_dim").options:
        assert dim in (en("category"), en("source"), en("department"), en("street"))


@subsets
def test_sensors_offer_grids_only_when_there_are_grids(monkeypatch, db, levels):
    at = open_page(monkeypatch, db, "sensors")
    want = [en("unit_h3")] + ([en("level_grid")] if "grid" in levels else [])
    assert at.radio(key="sensors_unit").options == want
    assert any(en("sensors_no_readings") == i.value for i in at.info)


@subsets
def test_import_page_opens(monkeypatch, db, levels):
    at = open_page(monkeypatch, db, "import")
    assert at.get("file_uploader")


@pytest.fixture(scope="module")
def orphan_db(tmp_path_factory):
    """Streets and grids whose parent codes name the communities the file leaves out."""
    return build_store(tmp_path_factory.mktemp("orphans"), ("street", "grid"), keep_parents=True)


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_open_when_parents_name_missing_areas(monkeypatch, orphan_db, page):
    open_page(monkeypatch, orphan_db, page)


def test_grids_naming_missing_communities_are_filed_under_their_streets(monkeypatch, orphan_db, events):
    """The importer takes the grids' parents by location (issue 9; before: the street had no grid
    under it, every event lacked its street id and the overview's top 10 streets was empty)."""
    at = open_page(monkeypatch, orphan_db, "overview")
    ranking = table_with(at, "name_en", "closure_rate", "on_time_rate")
    exp = sorted(counts(events, "street").items(), key=lambda kv: (-kv[1], kv[0]))
    assert ranking["events"].tolist() == [n for _, n in exp] and sum(n for _, n in exp) == len(in_window(events))
    at = open_page(monkeypatch, orphan_db, "chain")
    at.selectbox(key="chain_drill_district").set_value("S0").run()
    assert not at.exception, [e.message for e in at.exception]
    assert crumbs(at) == [en("chain_district_all"), "› Street: Street 0"]
    grids = table_with(at, "area_name", "reopen_rate")
    assert dict(zip(grids["area_name"], grids["events"], strict=True)) == {
        NAMES["grid"].format(a[1:]): n for a, n in counts(events, "grid", ("street", "S0")).items()
    }


def test_chain_says_when_an_area_has_nothing_under_it(monkeypatch, tmp_path, events):
    """Two streets, grids only in street 0: street 1 has no grid under it."""
    from data.ingest import import_areas, import_events
    from tests.importer.conftest import area_frame

    db = tmp_path / "gridscope.duckdb"
    store = DuckDBStore(db)
    try:
        frame = area_frame(("street", "grid"))
        frame[~frame["area_id"].str.startswith("G1")].to_file(tmp_path / "areas.geojson", driver="GeoJSON")
        import_areas(store, tmp_path / "areas.geojson")
        assert import_events(store, events_csv(tmp_path / "events.csv")).inserted == N_EVENTS
    finally:
        store.close()
    at = open_page(monkeypatch, db, "chain")
    at.selectbox(key="chain_drill_district").set_value("S1").run()
    assert not at.exception, [e.message for e in at.exception]
    assert crumbs(at) == [en("chain_district_all"), "› Street: Street 1"]
    assert table_with(at, "area_name", "reopen_rate").empty
    assert all_strings()["chain_no_children"]["en"].format(level="Grid") in [i.value for i in at.info]
