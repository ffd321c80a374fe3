"""Backend parity: every named query gives the same answer on DuckDB and PostGIS.

The test enumerates ``queries/sql`` (``query_names()``), so a new query cannot be added
without joining it: a query missing from :func:`parity_params` fails
``test_every_query_has_parity_params``. Both stores hold the same small demo city.

Equal means: the same columns; the same rows (in the same order when the query has a
top-level ORDER BY, as a multiset otherwise); integers exactly, floats within 1e-9,
timestamps to the microsecond, geometry WKB as equal geometries.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from data.demo import City
from queries.filters import EventFilter
from queries.sql_files import param_names, query_names, raw_sql

pytestmark = pytest.mark.postgis

START = datetime(2026, 6, 1)
END = datetime(2026, 7, 1)
NOW = datetime(2026, 7, 1)
"""Reference window: June 2026 (the small city ends 2026-06-30)."""

STATEMENTS: dict[str, str] = {
    "assign_event_areas": "tests/queries/test_area_assignment.py (both backends equal to geo.assign_points_to_areas)",
    "delete_areas_except": "test_delete_areas_except_parity below",
    "delete_import_rejects": "tests/importer/test_import_batches.py (re-running a killed import, both backends)",
    "update_category_sla": "tests/queries/test_chain_statements.py::test_update_category_sla_parity",
    "refresh_event_deadlines": "tests/queries/test_deadlines.py::test_refresh_event_deadlines_parity",
    "delete_reading_hours": "tests/lake/test_lake_store.py::test_load_is_idempotent_on_both_backends",
    "delete_reading_sketches": "tests/lake/test_lake_store.py::test_load_is_idempotent_on_both_backends",
    "delete_event_days": "tests/lake/test_lake_store.py::test_load_is_idempotent_on_both_backends",
    **{
        f"user_{name}": "tests/data/test_users.py::test_same_users_on_both_backends_and_reader_only_reads"
        for name in ("list", "match", "insert", "update", "delete", "sign_in", "bind_subject")
    },
    **{
        f"audit_{name}": "tests/data/test_audit.py::test_both_backends_store_the_same_rows (and the filter tests)"
        for name in ("append", "list", "count", "actors")
    },
}
"""Named statements (no result rows) that change data, with the test proving their parity."""


def parity_params(city: City) -> dict[str, list[dict[str, object]]]:
    """Parameter sets for every named query: each query runs once per set, on both backends.

    A set may hold more parameters than a query uses (the window keys); each backend gets
    the ones its SQL names, and a parameter the SQL needs but the set lacks is an error.

    A plain window, a long window with every filter list set (values taken from the city),
    and the levels / resolutions the pages use.
    """
    cats = tuple(city.categories["code"].iloc[[0, 3, 5]])
    streets = city.areas.loc[city.areas.level == "street", "area_id"]
    communities = city.areas.loc[city.areas.level == "community", "area_id"]
    grids = city.areas.loc[city.areas.level == "grid", "area_id"]
    month = EventFilter(START, END)
    quarter = EventFilter(
        START - timedelta(days=90),
        END,
        categories=cats,
        sources=("hotline", "app", "patrol"),
        departments=tuple(city.departments["code"].iloc[:6]),
        street_ids=tuple(streets.iloc[:4]),
        community_ids=tuple(communities.iloc[::2]),
        grid_ids=tuple(grids.iloc[::3]),
    )
    windows = [month, quarter, EventFilter(START - timedelta(days=400), END)]

    def with_window(**extra: object) -> list[dict[str, object]]:
        return [{**w.params(), "prev_start": w.previous().start, "now": NOW, **extra} for w in windows]

    levels = [{"level": lv} for lv in ("street", "community", "grid")]
    june = city.events[(city.events.reported_at >= START) & (city.events.reported_at < END)]
    top = {lv: june[f"{lv}_id"].value_counts().index[0] for lv in ("street", "community", "grid")}
    cell9 = int(
        pd.Series([h3.cell_to_parent(h3.int_to_str(int(c)), 9) for c in june["h3"]]).value_counts().index[0], 16
    )
    in_area = [p for lv in ("street", "grid") for p in with_window(level=lv, area_id=top[lv])]
    in_cell = with_window(res=9, cell=cell9)
    chain = chain_params(city, with_window)
    return {
        **chain,
        "area_shapes": levels,
        "assumed_sla_categories": with_window(),  # with assumed SLAs: tests/queries/test_sla_assumed.py
        "count_events_by_area": [p for lv in ("street", "community", "grid") for p in with_window(level=lv)],
        "count_events_by_area_slice": [p for lv in ("street", "grid") for p in with_window(level=lv, slice_days=7)]
        + with_window(level="community", slice_days=1),
        "count_events_by_cell": [p for res in (7, 8, 9, 10) for p in with_window(res=res)],
        "count_events_by_cell_slice": with_window(res=9, slice_days=7)
        + with_window(res=8, slice_days=14)
        + with_window(res=7, slice_days=1),
        "daily_trend": with_window(),
        "event_date_range": [{}],
        # the demo city's events come from no file (source_hash null): tests/importer/test_import_unchanged.py
        "event_source_hashes": [
            {"ids": "\x1f".join(city.events["event_id"].iloc[:300])},
            {"ids": ""},
            {"ids": "'; DROP TABLE events; --"},
        ],
        "event_points": [{}],
        "import_reject_summary": [{"batch_id": "b1"}, {"batch_id": "b2"}, {"batch_id": "'; DROP TABLE events; --"}],
        "import_rejects_page": [{"batch_id": "b1", "limit": 3}, {"batch_id": "b1", "limit": 100}],
        "list_import_batches": [
            {"kind": None, "sha256": None, "batch_id": None, "limit": 10},
            {"kind": "events", "sha256": "ab" * 32, "batch_id": None, "limit": 1},
            {"kind": None, "sha256": None, "batch_id": "b3", "limit": 10},
        ],
        "kpi_summary": with_window(),
        "list_area_events": [{**p, "limit": 50} for p in in_area],
        "list_areas": levels,
        "list_categories": [{}],
        "list_cell_events": [{**p, "limit": 50} for p in in_cell],
        "list_departments": [{}],
        "sensor_points": [{}],
        "lake_days": [{"table": "readings"}, {"table": "events"}, {"table": "other"}],
        "lake_readings": [{"start": END - timedelta(days=2), "end": END - timedelta(days=1)}],
        "lake_sensors": [{}],
        "lake_events": [{"start": START, "end": START + timedelta(days=1)}],
        "street_ranking": with_window(limit=10),
        "weekly_area_events": in_area,
        "weekly_cell_events": in_cell,
        **issue16_params(city, with_window),
        **publish_params(),
    }


def publish_params() -> dict[str, list[dict[str, object]]]:
    """Parameter sets of the published layer's queries (issue 12, data/publish/): both grains,
    a sensitive list (empty and not), two H3 resolutions, a cut-off inside the city."""
    from data.publish.tracking import hmac_pads

    through_end = END - timedelta(days=7)
    counts = [
        {
            "grain": g,
            "step": f"1 {g}",
            "sensitive": s,
            "res": r,
            "start": START - timedelta(days=60),
            "through_end": through_end,
        }
        for g, r, s in (("month", 8, []), ("week", 7, ["noise", "neighbour_dispute"]))
    ]
    return {
        "publish_counts": counts,
        "publish_medians": counts,
        "publish_data_range": [{}],
        "publish_groups": [{}],
        "publish_areas": [{}],
        "publish_tracking": [
            {
                "start": START,
                "through_end": through_end,
                **dict(zip(("ipad", "opad"), hmac_pads(key), strict=True)),
                **dict(zip(("code_ipad", "code_opad"), hmac_pads(key[::-1]), strict=True)),
            }
            for key in (b"parity-key-0123456789", b"\x00'; DROP TABLE events; --" * 3)
        ],
    }


def chain_params(city: City, with_window) -> dict[str, list[dict[str, object]]]:
    """Parameter sets of the chain, trends and sensors pages' queries (issue 5)."""
    streets = city.areas.loc[city.areas.level == "street", "area_id"]
    communities = city.areas.loc[city.areas.level == "community"]
    over = city.readings.merge(city.sensors, on="sensor_id").query("value > threshold")
    busiest = over["sensor_id"].value_counts().index[0]
    sensor = city.sensors.set_index("sensor_id").loc[busiest]
    cell9 = int(h3.cell_to_parent(h3.int_to_str(int(sensor["h3"])), 9), 16)
    drill = [(lv, None) for lv in ("street", "community", "grid")] + [
        ("community", streets.iloc[1]),
        ("grid", communities["area_id"].iloc[3]),
    ]
    with_kind = [{**p, "kind": k} for k in (None, "noise", "water_level") for p in with_window()]
    trend = [
        {**p, "ly_start": p["start"] - timedelta(weeks=52), "ly_end": p["end"] - timedelta(weeks=52), "grain": g}
        for g in ("day", "week", "month")
        for p in with_window()
    ]
    return {
        "area_ranking": [p for lv, parent in drill for p in with_window(level=lv, parent_id=parent, min_events=20)],
        "chain_funnel": with_window(),
        "department_ranking": with_window(min_events=50) + with_window(min_events=1),
        "overdue_by_department": with_window(),
        "overdue_cases": with_window(limit=200),
        "sensor_alarm_summary": with_kind,
        "sensor_alarms": [{**p, "limit": 300} for p in with_kind],
        "sensor_cell_series": [{**p, "kind": sensor["kind"], "res": 9, "cell": cell9} for p in with_window()],
        "sensor_series": with_window(sensor_id=busiest),
        "sensor_stats": with_kind,
        "sensor_stats_by_cell": [{**p, "res": r} for r in (8, 10) for p in with_kind],
        "sensor_stats_by_grid": with_kind,
        "reading_rollups_present": [{}],
        "readings_present": [{k: v for k, v in p.items() if k in ("start", "end")} for p in with_window()],
        "sensor_stats_rollup": with_kind,
        "sensor_stats_by_cell_rollup": [{**p, "res": r} for r in (8, 10) for p in with_kind],
        "sensor_stats_by_grid_rollup": with_kind,
        "sensor_cell_series_rollup": [{**p, "kind": sensor["kind"], "res": 9, "cell": cell9} for p in with_window()],
        "sensor_series_rollup": with_window(sensor_id=busiest),
        "sla_compliance": with_window(),
        "source_comparison": with_window(),
        "stage_durations": [p for by in ("department", "category", "source") for p in with_window(by=by)],
        "trend_breakdown": [
            {**p, "dim": d} for d in ("category", "source", "department", "street", "none") for p in trend
        ],
        "trend_periods": trend,
    }


def issue16_params(city: City, with_window) -> dict[str, list[dict[str, object]]]:
    """Parameter sets of the "what changed" panel, the overdue backlog and the event search and
    record (issue 16): hostile search texts included (they must match themselves, or nothing)."""
    from queries.answers.search import like_pattern

    events = city.events.sort_values("event_id")
    first_id = str(events["event_id"].iloc[0])
    described = str(events["description"].dropna().iloc[0])
    street = str(city.areas.loc[city.areas.level == "street", "name_zh"].iloc[0])
    texts = [first_id, first_id[:-2], described[:3], street[:2], "%", "_", "\\", "'; DROP TABLE events; --", "不存在"]
    cancelled = (
        str(events.loc[events["status"] == "cancelled", "event_id"].iloc[0])
        if (events["status"] == "cancelled").any()
        else first_id
    )
    ids = [first_id, str(events["event_id"].iloc[-1]), cancelled, "'; DROP TABLE events; --", ""]
    return {
        "change_counts": [{**p, "dim": d} for d in ("category", "street", "none") for p in with_window()],
        "overdue_backlog": with_window(),
        "overdue_backlog_cases": [{**p, "limit": 50} for p in with_window()],
        "search_events": [{"q": q, "pattern": like_pattern(q), "limit": 50} for q in texts],
        "event_record": [{"event_id": i} for i in ids],
        "event_history": [{"event_id": i} for i in ids],
    }


def _sql_for_check(name: str) -> str:
    return re.sub(r"--[^\n]*", "", raw_sql(name, "duckdb"))


def orders_rows(name: str) -> bool:
    """True when the query's outermost SELECT has an ORDER BY (parentheses depth 0)."""
    sql = _sql_for_check(name)
    depth = 0
    for i, ch in enumerate(sql):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and sql[i : i + 8].upper() == "ORDER BY":
            return True
    return False


def _is_geometry(values: pd.Series) -> bool:
    first = values.dropna()
    return len(first) > 0 and isinstance(first.iloc[0], bytes | bytearray | memoryview)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable values: numbers as float, geometry as normalised WKT, nulls as None."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if _is_geometry(s):
            geoms = shapely.from_wkb([bytes(v) if v is not None else None for v in s])
            out[col] = pd.Series(shapely.to_wkt(shapely.normalize(geoms), rounding_precision=-1), dtype=object)
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.astype("datetime64[us]")
        else:
            out[col] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, columns=list(frame.columns))


def assert_same_result(duck: pd.DataFrame, pg: pd.DataFrame, ordered: bool) -> None:
    """Assert equal results under the parity rules (see module docstring)."""
    assert list(pg.columns) == list(duck.columns)
    assert len(pg) == len(duck)
    a, b = _normalise(duck), _normalise(pg)
    if not ordered and len(a):
        keys = list(a.columns)
        a = a.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)
        b = b.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype == np.float64 and y.dtype == np.float64:
            np.testing.assert_allclose(y.to_numpy(), x.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=col)
            ints = ~np.isnan(x.to_numpy()) & (x.to_numpy() == np.round(x.to_numpy()))
            assert (x.to_numpy()[ints] == y.to_numpy()[ints]).all(), f"{col}: counts differ"
        else:
            assert x.tolist() == y.tolist(), col


@pytest.fixture(scope="module", autouse=True)
def _lake_rollups(both_stores, tmp_path_factory):
    """The readings rollups (issue 14) of the DuckDB parity store, loaded into both stores for
    this module (so the ``*_rollup`` queries return rows) and removed afterwards (other modules
    read the shared stores' sensors services from raw readings)."""
    from data.lake import export_lake, rollup
    from data.lake.load import load_rollups

    lake = tmp_path_factory.mktemp("parity_lake")
    export_lake(both_stores["duckdb"], "readings", lake / "readings")
    rollup("readings", lake / "readings", lake / "out")
    for store in both_stores.values():
        load_rollups(store, lake / "out", ("reading_hours", "reading_sketches"))
    yield
    for store in both_stores.values():
        for table in ("reading_hours", "reading_sketches"):
            store.execute(f"delete_{table}", since=None)


PUBLISHED_LAYER = "public_"
"""Queries of the published layer (pub_* tables, not in this store): their parity test is
tests/public/test_public_queries.py (the DuckDB file and PostGIS schema published)."""


def test_every_query_has_parity_params(small_city):
    table = parity_params(small_city)
    missing = sorted(set(query_names()) - set(table) - set(STATEMENTS))
    missing = [n for n in missing if not n.startswith(PUBLISHED_LAYER)]
    assert not missing, f"add these queries to parity_params() in {__file__}: {missing}"


@pytest.mark.parametrize(
    "name", [n for n in query_names() if n not in STATEMENTS and not n.startswith(PUBLISHED_LAYER)]
)
def test_query_parity(name, both_stores, small_city):
    param_sets = parity_params(small_city).get(name)
    assert param_sets, f"{name} has no parity params"
    ordered = orders_rows(name)
    nonempty = 0
    for params in param_sets:
        duck, pg = (
            both_stores[d].fetch(name, **{k: params[k] for k in param_names(name, d)}) for d in ("duckdb", "postgis")
        )
        try:
            assert_same_result(duck, pg, ordered)
        except AssertionError as exc:
            shown = {k: v for k, v in params.items() if v is not None}
            raise AssertionError(f"{name} differs between DuckDB and PostGIS for {shown}:\n{exc}") from exc
        nonempty += len(duck) > 0
    assert nonempty, f"{name} returned no rows for every parameter set: the parity test proves nothing"


def test_delete_areas_except_parity(make_pg_database, small_city):
    from queries.duckdb_store import DuckDBStore
    from queries.postgis_store import PostGISStore

    areas = small_city.areas.iloc[:40]
    areas = areas.assign(geom=shapely.to_wkb(areas["geom"].to_numpy()))
    keep = [*areas["area_id"].iloc[::3], "'; DROP TABLE areas; --", "不存在"]
    stores = [DuckDBStore(":memory:"), PostGISStore(make_pg_database())]
    try:
        left = []
        for store in stores:
            store.insert_frame("areas", areas)
            store.execute("delete_areas_except", keep=keep)
            left.append(store.sql("SELECT area_id FROM areas ORDER BY area_id")["area_id"].tolist())
        assert left[0] == left[1] == sorted(areas["area_id"].iloc[::3])
    finally:
        for store in stores:
            store.close()
