"""Street scope (issue 10): a store scoped to one street answers every named query with that
street's rows only, on DuckDB and on PostGIS (reader role and admin role).

The enumeration test walks ``query_names()``: a query whose SQL names a table holding street
data (:data:`SCOPE_WORDS`) is run through the scoped store with every parameter set of the
parity test (``tests/queries/test_parity.py``) plus sets aimed at the scoped street, and

* every returned row with an area, street, community, grid, event, sensor or H3 cell column
  must belong to the street, judged against the demo city itself (not the database);
* a query taking ``street_ids`` must give, unfiltered, what the unscoped store gives filtered
  to the street (rows outside it dropped); a row-per-entity query without a limit must give
  exactly the unscoped rows of the street; a query for one event, sensor or area inside the
  street must give the unscoped answer, and for one outside it nothing (or zero counts).

A query that names such a table without a parameter set fails ``test_every_query_is_classified``
unless :data:`NOT_SCOPED` lists it with a reason; named statements must be refused.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import h3
import pandas as pd
import psycopg
import pytest
from openpyxl import load_workbook

from data.demo import City
from data.exports import csv_bytes, read_notes, xlsx_bytes
from data.store import StoreReadOnly, StoreUnavailable
from queries.filters import EventFilter
from queries.scoped_store import SCOPED_APPENDS, ScopedStore, scoped_store
from queries.sql_files import param_names, query_names, raw_sql
from queries.store_base import writes_data
from tests.queries.conftest import parity_city
from tests.queries.test_parity import START, assert_same_result, orders_rows, parity_params

pytestmark = pytest.mark.postgis

SCOPE_WORDS = re.compile(
    r"\b(areas|events|event_log|sensors|readings|event_days|reading_hours|reading_sketches|event_rollup|"
    r"import_rejects)\b",
    re.IGNORECASE,
)
"""Tables holding street data (or rows of any street): a query naming one must be checked."""

NOT_SCOPED: dict[str, str] = {}
"""Queries that name such a table but read no street data, with the reason."""

MEMBERSHIP_ONLY: dict[str, str] = {}
"""Queries whose rows are checked for membership only, with the reason (besides every query with
GROUPING SETS, see :func:`membership_only`)."""

GROUPING_REASON = (
    "grouping sets: its district and H3-cell rows total what the store shows, so they differ from the "
    "unscoped rows by design (cells cross streets); every row's street, community and cell is checked"
)


def membership_only(name: str) -> str | None:
    """Why ``name``'s rows are checked for membership only, or None."""
    if name in MEMBERSHIP_ONLY:
        return MEMBERSHIP_ONLY[name]
    texts = [re.sub(r"--[^\n]*", "", raw_sql(name, d)) for d in ("duckdb", "postgis") if _has(name, d)]
    return GROUPING_REASON if any(re.search(r"\bGROUPING\s+SETS\b", s, re.IGNORECASE) for s in texts) else None


MAX_SETS = 4
"""Parity parameter sets per query at most (spread over its table), beside the aimed ones."""

AREA_COLUMNS = ("area_id", "street_id", "community_id", "grid_id")
LIMITED = ("limit",)


@dataclass
class Scope:
    """What the scoped street holds, from the demo city (the oracle)."""

    street: str
    district: set[str]
    areas: set[str]
    events: set[str]
    sensors: set[str]
    other_street: str
    event_in: str
    event_out: str
    sensor_in: str
    sensor_out: str
    grid_in: str
    h3s: list[int]
    _cells: dict[int, set[int]] = field(default_factory=dict)

    def cells(self, res: int) -> set[int]:
        """H3 cells at ``res`` holding an event or a sensor of the street."""
        if res not in self._cells:
            self._cells[res] = {int(h3.cell_to_parent(h3.int_to_str(c), res), 16) for c in self.h3s}
        return self._cells[res]


def make_scope(city: City) -> Scope:
    """The scope of the street whose sensors raise the most alarms (so sensor queries have rows)."""
    areas = city.areas
    parent = areas.set_index("area_id")["parent_id"]
    over = city.readings.merge(city.sensors, on="sensor_id").query("value > threshold")
    busiest = over["sensor_id"].value_counts().index[0]
    grid = city.sensors.set_index("sensor_id").loc[busiest, "grid_id"]
    street = parent[parent[grid]]
    communities = set(areas.loc[(areas.level == "community") & (areas.parent_id == street), "area_id"])
    grids = set(areas.loc[(areas.level == "grid") & areas.parent_id.isin(communities), "area_id"])
    events = city.events[city.events.street_id == street]
    sensors = city.sensors[city.sensors.grid_id.isin(grids)]
    others = city.events[city.events.street_id != street].sort_values("event_id")
    return Scope(
        street=street,
        district=set(areas.loc[areas.level == "district", "area_id"]),
        areas={street, *communities, *grids},
        events=set(events["event_id"]),
        sensors=set(sensors["sensor_id"]),
        other_street=str(areas.loc[(areas.level == "street") & (areas.area_id != street), "area_id"].iloc[0]),
        event_in=str(events.sort_values("event_id")["event_id"].iloc[0]),
        event_out=str(others["event_id"].iloc[0]),
        sensor_in=str(busiest),
        sensor_out=str(city.sensors.loc[~city.sensors.sensor_id.isin(sensors.sensor_id), "sensor_id"].iloc[0]),
        grid_in=str(events["grid_id"].value_counts().index[0]),
        h3s=[int(c) for c in pd.concat([events["h3"], sensors["h3"]]).unique()],
    )


def reads_scoped_tables(name: str) -> bool:
    """True when the query's SQL (either dialect, fragments expanded) names a street-data table."""
    for dialect in ("duckdb", "postgis"):
        with contextlib.suppress(KeyError):
            if SCOPE_WORDS.search(re.sub(r"--[^\n]*", "", raw_sql(name, dialect))):
                return True
    return False


def is_statement(name: str) -> bool:
    """True for a named statement that writes (refused by a scoped store)."""
    return any(writes_data(raw_sql(name, d)) for d in ("duckdb", "postgis") if _has(name, d))


def _has(name: str, dialect: str) -> bool:
    try:
        raw_sql(name, dialect)
    except KeyError:
        return False
    return True


def own_params(city: City) -> dict[str, list[dict[str, object]]]:
    """Parameter sets for queries the parity table lacks (other helpers' work in progress)."""
    end = datetime(2026, 7, 1)
    return {
        "publish_areas": [{"tolerance": 0.0001}],
        "publish_counts": [
            {"grain": g, "step": f"1 {g}", "sensitive": [], "res": 8, "start": START, "through_end": end}
            for g in ("month", "week")
        ],
        "publish_data_range": [{}],
        "publish_tracking": [{"start": START, "through_end": end}],
    }


_TABLES: dict[int, dict[str, list[dict[str, object]]]] = {}
"""The parameter table per city (parity_params builds it in about 0.1 s; asked once per query)."""


def param_sets(city: City, scope: Scope, name: str) -> list[dict[str, object]]:
    """The parity sets of ``name`` (the two shorter windows) and variants aimed at the street."""
    key = id(city)
    if key not in _TABLES:
        _TABLES[key] = {**own_params(city), **parity_params(city)}
    table = _TABLES[key]
    short = [
        p
        for p in table.get(name, [])
        if not (isinstance(p.get("start"), datetime) and p["start"] < START - timedelta(days=100))
    ]
    base = short[:: max(1, -(-len(short) // MAX_SETS))]  # at most MAX_SETS, spread over the table
    names = set().union(*(param_names(name, d) for d in ("duckdb", "postgis") if _has(name, d)))
    extra: list[dict[str, object]] = []
    for p in base[:1]:
        if "event_id" in names:
            extra += [{**p, "event_id": scope.event_in}, {**p, "event_id": scope.event_out}]
        if "sensor_id" in names:
            extra += [{**p, "sensor_id": scope.sensor_in}, {**p, "sensor_id": scope.sensor_out}]
        if "area_id" in names:
            extra += [
                {**p, "level": "street", "area_id": scope.street},
                {**p, "level": "grid", "area_id": scope.grid_in},
                {**p, "level": "street", "area_id": scope.other_street},
            ]
        if "cell" in names and "res" in names:
            extra += [{**p, "res": 9, "cell": min(scope.cells(9))}]
        if "street_ids" in names:
            extra += [{**p, "street_ids": [scope.street, scope.other_street]}]
    seen, out = set(), []
    for p in base + extra:
        key = repr(sorted(p.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city(small_city: City) -> City:
    """The city the parity stores hold."""
    return parity_city(small_city)


@pytest.fixture(scope="module")
def scope(city: City) -> Scope:
    """The scoped street and what it holds."""
    return make_scope(city)


ROLLUP_ROWS = {
    "reading_hours": lambda s: pd.DataFrame(
        {
            "day": [pd.Timestamp("2026-06-10").date()],
            "kind": ["noise"],
            "level": ["sensor"],
            "res": pd.array([None], dtype="Int32"),
            "cell": pd.array([None], dtype="Int64"),
            "unit_key": [s.sensor_in],
            "hour": [pd.Timestamp("2026-06-10 08:00")],
            "sensors": [1],
            "readings": [60],
            "value_sum": [3000.0],
            "mean_value": [50.0],
            "max_value": [70.0],
            "exceedances": [3],
            "p95_value": [65.0],
            "threshold": [60.0],
            "first_over_ts": [pd.Timestamp("2026-06-10 08:10")],
        }
    ),
    "event_days": lambda s: pd.DataFrame(
        {
            "day": [pd.Timestamp("2026-06-10").date()],
            "level": ["grid"],
            "res": pd.array([None], dtype="Int32"),
            "cell": pd.array([None], dtype="Int64"),
            "unit_key": [s.grid_in],
            "category": ["c"],
            "source": ["app"],
            **{
                c: [1]
                for c in (
                    "events",
                    "cancelled",
                    "closed",
                    "closed_untimed",
                    "closed_on_time",
                    "open",
                    "responded",
                    "responded_on_time",
                    "rated",
                    "satisfied",
                    "reopened",
                )
            },
        }
    ),
}


@pytest.fixture(scope="module")
def stores(duck_store, pg_store, pg_reader_dsn, scope: Scope) -> Iterator[dict[str, tuple[object, ScopedStore]]]:
    """``{backend: (unscoped store, scoped store)}``: DuckDB, PostGIS as the reader role (the
    dashboard's), PostGIS as the admin role (switches to the reader role per read). Rollup rows of
    the street are added for the module (and removed): a scoped store must not show them."""
    from queries.postgis_store import PostGISStore

    reader = PostGISStore(pg_reader_dsn)
    for store in (duck_store, pg_store):
        for table, rows in ROLLUP_ROWS.items():
            store.insert_frame(table, rows(scope))
    made = {
        "duckdb": (duck_store, scoped_store(duck_store, (scope.street,))),
        "postgis": (reader, scoped_store(reader, (scope.street,))),
        "postgis-admin": (pg_store, scoped_store(pg_store, (scope.street,))),
    }
    try:
        yield made
    finally:
        for _, scoped in made.values():
            scoped.close()
        for store in (duck_store, pg_store):
            for table in ROLLUP_ROWS:
                store.execute(f"delete_{table}", since=None)
        reader.close()


# -- the row checks ------------------------------------------------------------------------


def outside_rows(frame: pd.DataFrame, scope: Scope, params: dict[str, object]) -> pd.Series:
    """True for each row that names an area, event, sensor or cell outside the street."""
    bad = pd.Series(False, index=frame.index)

    def off(col: str, allowed: set) -> None:
        nonlocal bad
        values = frame[col]
        bad |= values.notna() & ~values.isin(allowed)

    for col in AREA_COLUMNS:
        if col in frame:
            off(col, scope.areas)
    if "parent_id" in frame:
        off("parent_id", scope.areas | scope.district)
    if "event_id" in frame:
        off("event_id", scope.events)
    if "sensor_id" in frame:
        off("sensor_id", scope.sensors)
    if "cell" in frame and len(frame):
        res = int(params.get("res") or 9)
        cells = frame["cell"].dropna().astype("int64")
        bad.loc[cells.index] |= ~cells.isin(scope.cells(res))
    if "key" in frame and params.get("dim") == "street":
        off("key", scope.areas)
    return bad


def has_id_columns(frame: pd.DataFrame) -> bool:
    return any(c in frame for c in (*AREA_COLUMNS, "event_id", "sensor_id", "cell"))


def in_scope(frame: pd.DataFrame, scope: Scope, params: dict[str, object]) -> pd.DataFrame:
    return frame[~outside_rows(frame, scope, params)].reset_index(drop=True)


def _bound(name: str, store: object, params: dict[str, object]) -> dict[str, object]:
    return {k: params[k] for k in param_names(name, store.dialect)}


def _zero_or_empty(frame: pd.DataFrame) -> bool:
    numbers = frame.select_dtypes("number")
    counts = [c for c in numbers.columns if c in ("events", "readings", "sensors", "n", "present", "cases")]
    return frame.empty or bool((numbers[counts].fillna(0) == 0).all().all()) if counts else frame.empty


def check_query(name: str, base: object, scoped: ScopedStore, scope: Scope, params: dict[str, object]) -> int:
    """Run one parameter set through both stores and apply the checks (module docstring)."""
    got = scoped.fetch(name, **_bound(name, scoped, params))
    bad = outside_rows(got, scope, params)
    assert not bad.any(), f"rows outside street {scope.street}:\n{got[bad].head()}"
    ordered = orders_rows(name)
    names = param_names(name, base.dialect)
    target_in = params.get("event_id") == scope.event_in or params.get("sensor_id") == scope.sensor_in
    target_in |= params.get("area_id") in (scope.street, scope.grid_in)
    target_out = params.get("event_id") == scope.event_out or params.get("sensor_id") == scope.sensor_out
    target_out |= params.get("area_id") == scope.other_street
    if name.endswith("_rollup"):
        # rollups are absent to a scoped store: no values from them (the services read raw data)
        values = got.drop(columns=[c for c in got if c in (*AREA_COLUMNS, "sensor_id", "cell")], errors="ignore")
        numbers = values.select_dtypes("number").drop(columns=["threshold", "lon", "lat", "h3"], errors="ignore")
        assert got.empty or bool((numbers.fillna(0) == 0).all().all()), f"rollup values shown:\n{got.head()}"
    elif target_out:
        assert _zero_or_empty(got), f"an out-of-scope target gave rows:\n{got.head()}"
    elif "street_ids" in names and "limit" not in names:
        chosen = params.get("street_ids")
        narrowed = [scope.street] if chosen is None or scope.street in chosen else []
        want = in_scope(base.fetch(name, **_bound(name, base, {**params, "street_ids": narrowed})), scope, params)
        if chosen is not None and scope.street not in chosen:
            assert _zero_or_empty(got) or len(got) == len(want), got.head()
        else:
            assert_same_result(want, got.reset_index(drop=True), ordered)
    elif membership_only(name):
        pass
    elif target_in or (has_id_columns(got) and "limit" not in names):
        want = base.fetch(name, **_bound(name, base, params))
        want = in_scope(want, scope, params) if not target_in else want
        assert_same_result(want.reset_index(drop=True), got.reset_index(drop=True), ordered)
    return len(got)


# -- tests ---------------------------------------------------------------------------------

ENUMERATED = ("duckdb", "postgis")
"""Backends of the enumeration: DuckDB and PostGIS as the reader role (the dashboard's)."""

ADMIN_CHECKED = ["kpi_summary", "street_ranking", "event_points", "event_history", "sensor_stats", "area_shapes"]
"""Queries also checked through a scoped store over the admin role (SET LOCAL ROLE path)."""

CHECKED = [n for n in query_names() if reads_scoped_tables(n) and n not in NOT_SCOPED and not is_statement(n)]


def test_every_query_is_classified(city, scope):
    """A query naming a street-data table has parameter sets (so it is checked), is a refused
    statement, or is listed in NOT_SCOPED with a reason: a new query cannot slip through."""
    missing = [n for n in CHECKED if not param_sets(city, scope, n)]
    assert not missing, f"give these queries parameter sets (test_parity.parity_params or own_params): {missing}"
    assert "kpi_summary" in CHECKED and "event_history" in CHECKED and "sensor_series" in CHECKED
    assert not reads_scoped_tables("list_categories")


@pytest.mark.parametrize("name", CHECKED)
def test_scoped_query_returns_only_its_street(name, stores, city, scope):
    sets = param_sets(city, scope, name)
    total = 0
    for backend in ENUMERATED:
        base, scoped = stores[backend]
        for params in sets:
            try:
                total += check_query(name, base, scoped, scope, params)
            except AssertionError as exc:
                shown = {k: v for k, v in params.items() if v is not None}
                raise AssertionError(f"{name} on {backend} for {shown}:\n{exc}") from exc
    empty_by_design = {"reading_rollups_present"} | {n for n in CHECKED if "rollup" in n or "import_reject" in n}
    if name not in empty_by_design:
        assert total, f"{name} gave no rows in scope for any parameter set: the check proves nothing"


@pytest.mark.parametrize("name", ADMIN_CHECKED)
def test_scoped_admin_store_takes_the_reader_role(name, stores, city, scope):
    """Over the admin (superuser) store, which the policies do not bind, a scoped read switches
    to the reader role: the same checks on the pages' main queries."""
    base, scoped = stores["postgis-admin"]
    assert sum(check_query(name, base, scoped, scope, p) for p in param_sets(city, scope, name)[:3]) > 0


def test_rollups_are_absent_to_a_scoped_store(stores, scope):
    """Rollups of H3 cells cannot be split by street: a scoped store shows none (even rows of its
    own sensors and grids), so the sensors service reads raw readings."""
    from queries.answers.sensors import from_rollups

    flt = EventFilter(START, START + timedelta(days=30))
    for backend, (base, scoped) in stores.items():
        assert int(base.fetch("reading_rollups_present")["present"].iloc[0]) == 1, backend
        assert int(scoped.fetch("reading_rollups_present")["present"].iloc[0]) == 0, backend
        assert from_rollups(base, flt) and not from_rollups(scoped, flt), backend
        counts = scoped.table_counts()
        assert counts["reading_hours"] == counts["event_days"] == counts["import_rejects"] == 0, backend
        assert base.table_counts()["import_rejects"] > 0


def test_table_counts_match_the_city(stores, city, scope):
    readings = city.readings[city.readings.sensor_id.isin(scope.sensors)]
    logs = city.event_log[city.event_log.event_id.isin(scope.events)]
    for backend, (_, scoped) in stores.items():
        counts = scoped.table_counts()
        assert counts["areas"] == len(scope.areas), backend
        assert counts["events"] == len(scope.events), backend
        assert counts["event_log"] == len(logs), backend
        assert counts["sensors"] == len(scope.sensors), backend
        assert counts["readings"] == len(readings), backend
        assert counts["categories"] == len(city.categories), backend
        newest = city.events.loc[city.events.street_id == scope.street, "reported_at"].max()
        assert pd.Timestamp(scoped.data_freshness()) == newest, backend


def test_writes_and_free_sql_are_refused(stores, scope):
    statements = [n for n in query_names() if is_statement(n) and n not in SCOPED_APPENDS]
    assert "update_category_sla" in statements and "delete_areas_except" in statements
    for backend, (base, scoped) in stores.items():
        before = base.table_counts()
        for name in statements:
            with pytest.raises(StoreReadOnly):
                scoped.execute(name)
        for method, args in (
            ("sql", ("SELECT count(*) FROM events",)),
            ("insert_frame", ("events", pd.DataFrame({"event_id": ["x"]}))),
            ("upsert_frame", ("categories", pd.DataFrame({"code": ["x"]}), ["code"])),
            ("clear", (["events"],)),
            ("set_meta", ("k", "v")),
            ("checkpoint", ()),
            ("migrate", ()),
        ):
            with pytest.raises(StoreReadOnly):
                getattr(scoped, method)(*args)
        # a write statement smuggled through fetch() fails too (READ ONLY transaction / reader role)
        with pytest.raises(Exception):  # noqa: B017, PT011 - the driver's own error
            scoped.fetch("update_category_sla", code="x", sla_response_h=1.0, sla_close_h=2.0)
        assert base.table_counts() == before, backend


def test_cache_key_holds_the_scope(stores, scope):
    for backend, (base, scoped) in stores.items():
        other = scoped_store(base, (scope.other_street,))
        try:
            keys = {base.cache_key(), scoped.cache_key(), other.cache_key()}
            assert len(keys) == 3, backend
            assert scoped.cache_key().startswith(base.cache_key()), backend
            assert scoped_store(base, (scope.street,)).cache_key() == scoped.cache_key()
        finally:
            other.close()


def test_scoped_store_arguments():
    from queries.duckdb_store import DuckDBStore

    store = DuckDBStore(":memory:")
    try:
        with pytest.raises(ValueError, match="at least one street"):
            scoped_store(store, ())
        with pytest.raises(ValueError, match="comma"):
            scoped_store(store, ("a,b",))
        with pytest.raises(TypeError):
            scoped_store(scoped_store(store, ("a",)), ("a",))
        assert scoped_store(store, ("b", "a")) is scoped_store(store, ("a", "b", "a"))
        empty = scoped_store(store, ("nowhere",))
        assert empty.table_counts()["areas"] == 0 and empty.data_freshness() is None
        empty.close()
        empty.close()
        assert empty.fetch("event_points").empty
    finally:
        store.close()


def test_postgis_policies_deny_a_session_without_scope(pg_reader_dsn, scope):
    """The database enforces it: a reader session that declares no scope sees no street data;
    '*' sees all; a list sees its streets; the setting ends with the transaction."""
    with psycopg.connect(pg_reader_dsn) as conn:
        count = "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM areas), (SELECT count(*) FROM readings)"
        assert conn.execute(count).fetchone() == (0, 0, 0)
        conn.execute("SELECT set_config('gridscope.streets', %s, true)", [scope.street])
        events, areas, _ = conn.execute(count).fetchone()
        assert (events, areas) == (len(scope.events), len(scope.areas))
        conn.rollback()
        assert conn.execute(count).fetchone() == (0, 0, 0)
        conn.execute("SELECT set_config('gridscope.streets', '*', false)")
        assert conn.execute(count).fetchone()[0] > len(scope.events)


def test_postgis_scope_does_not_outlive_a_read(stores, scope):
    """Inside the base store's own transaction, a scoped read leaves the setting and the role
    as they were: the base store's next read sees every street again."""
    base, scoped = stores["postgis-admin"]
    total = base.table_counts()["events"]
    with base.transaction():
        assert scoped.table_counts()["events"] == len(scope.events)
        assert base.table_counts()["events"] == total
        with base.connection() as conn:
            assert conn.execute("SELECT current_user = session_user").fetchone()[0]


def test_postgis_without_policies_refuses_to_scope(make_pg_database):
    """A database without migration 015 cannot scope: fail closed, with what to run."""
    from queries.postgis_migrations import MIGRATIONS_DIR
    from queries.postgis_store import PostGISStore

    dsn = make_pg_database(migrated=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for path in sorted(MIGRATIONS_DIR.glob("0*.sql")):
            if int(path.name[:3]) < 15:
                conn.execute(path.read_text(encoding="utf-8"))
    store = PostGISStore(dsn)
    try:
        with pytest.raises(StoreUnavailable, match="migration 015"):
            scoped_store(store, ("S",)).fetch("list_areas", level="street")
    finally:
        store.close()


def test_event_rollup_readers_apply_the_scope():
    """The materialized view event_rollup has no policies: every query reading it adds the
    scope predicate (the fragment rollup_lists)."""
    readers = [n for n in query_names() if _has(n, "postgis") and "event_rollup" in raw_sql(n, "postgis")]
    assert {"kpi_summary", "daily_trend", "street_ranking"} <= set(readers)
    for name in readers:
        text = re.sub(r"--[^\n]*", "", raw_sql(name, "postgis"))
        uses = len(re.findall(r"\bFROM\s+event_rollup\b", text, re.IGNORECASE))
        assert text.count("gridscope_scope()") >= 2 * uses, name


def test_export_by_a_scoped_user_holds_only_its_street(stores, scope):
    """The overdue cases and search downloads (service, then the export writer) of a scoped user."""
    from queries.answers.chain import overdue_cases
    from queries.answers.search import search_events

    flt = EventFilter(START - timedelta(days=90), START + timedelta(days=30))
    now = datetime(2026, 7, 1)
    for backend, (base, scoped) in stores.items():
        for frame in (overdue_cases(scoped, flt, now), search_events(scoped, "E", limit=500)):
            _, back = read_notes(csv_bytes(frame, [("street", scope.street)]))
            assert len(back) == len(frame) > 0, backend
            assert set(back["street_id"]) == {scope.street}, backend
            assert set(back["event_id"]) <= scope.events, backend
            book = load_workbook(io.BytesIO(xlsx_bytes(frame, [("street", scope.street)])), read_only=True)
            head, *rows = list(book.worksheets[0].values)
            sheet = pd.DataFrame(rows, columns=head)
            assert len(sheet) == len(frame) and set(sheet["street_id"]) == {scope.street}, backend
        everyone = overdue_cases(base, flt, now)
        assert set(everyone["street_id"]) - {scope.street}, "the unscoped export has other streets"


def test_services_of_a_scoped_user_equal_the_street_filtered_answers(stores, scope):
    """The pages' services on a scoped store: the overview KPIs equal the unscoped KPIs filtered
    to the street (both backends), and the district brief of a scoped user is its street's brief."""
    from queries.answers.brief import weekly_brief
    from queries.answers.kpis import overview_kpis

    now = datetime(2026, 7, 1)
    flt = EventFilter(START - timedelta(days=28), now)
    for backend in ENUMERATED:
        base, scoped = stores[backend]
        street_only = replace(flt, street_ids=(scope.street,))
        assert overview_kpis(scoped, flt, now) == overview_kpis(base, street_only, now), backend
    base, scoped = stores["duckdb"]
    mine, street = weekly_brief(scoped, "2026-W25", now=now), weekly_brief(base, "2026-W25", scope.street, now=now)
    assert mine.headline == street.headline and mine.headline.current.events > 0
    # named after the user's street, not "the whole district"
    assert (mine.scope.name_zh, mine.scope.streets, mine.scope.code) == (
        street.scope.name_zh,
        (scope.street,),
        scope.street,
    )


def test_duckdb_file_store_scoped_from_many_threads(small_db_file, small_city):
    """A file store (its catalog is named after the file) read by eight threads at once through
    one scoped store: each read sees exactly the street's rows; the pool keeps one cursor per
    concurrent reader, and the same streets give the same scoped store."""
    from concurrent.futures import ThreadPoolExecutor

    from queries.duckdb_store import DuckDBStore

    scope = make_scope(small_city)
    store = DuckDBStore(small_db_file)
    try:
        scoped = scoped_store(store, (scope.street,))
        assert scoped_store(store, (scope.street, scope.street)) is scoped

        def read(i: int) -> set[str]:
            frame = scoped.fetch("event_points") if i % 2 else scoped.fetch("list_areas", level="grid")
            return set(frame["event_id"] if i % 2 else frame["area_id"])

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(read, range(32)))
        areas = small_city.areas
        grids = set(areas.loc[(areas.level == "grid") & areas.area_id.isin(scope.areas), "area_id"])
        for i, got in enumerate(results):
            assert got == (scope.events if i % 2 else grids), i
        scoped.close()
        assert len(scoped.fetch("event_points")) == len(scope.events)  # usable after close()
    finally:
        store.close()
    replica = DuckDBStore(small_db_file, read_only=True)  # the replicas' read-only file (TEMP views still work)
    try:
        assert scoped_store(replica, (scope.street,)).table_counts()["events"] == len(scope.events)
    finally:
        replica.close()


def test_a_scope_of_two_streets_sees_both(stores, city, scope):
    """Several streets: the union of their rows (PostGIS parses the setting's list)."""
    pair = (scope.street, scope.other_street)
    events = city.events[city.events.street_id.isin(pair)]
    flt = EventFilter(START, START + timedelta(days=30))
    params = {**flt.params(), "prev_start": flt.previous().start, "now": datetime(2026, 7, 1), "limit": 10}
    for backend in ENUMERATED:
        base, _ = stores[backend]
        both = scoped_store(base, pair)
        assert both.table_counts()["events"] == len(events), backend
        ranking = both.fetch("street_ranking", **{k: params[k] for k in param_names("street_ranking", both.dialect)})
        assert sorted(ranking["street_id"]) == sorted(pair), backend
