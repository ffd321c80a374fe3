"""PostGIS schema: migrations applied once, `gridscope db init` idempotent, the schema equal
to the logical model, h3_parent equal to h3-py, geometry and index layout as promised."""

from __future__ import annotations

import h3
import numpy as np
import psycopg
import pytest

from cli import main as gridscope
from data.contracts import TABLES, column_names
from queries.duckdb_store import DuckDBStore
from queries.postgis_migrations import applied_versions, available_migrations, migrate

pytestmark = pytest.mark.postgis

CATALOG_SNAPSHOT = """
SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS item
FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = 'h3_parent'
UNION ALL SELECT 'grant', grantee || ' ' || privilege_type || ' ' || table_name
    FROM information_schema.role_table_grants WHERE table_schema = 'public'
UNION ALL SELECT 'migration', version || ' ' || name || ' ' || checksum FROM schema_migrations
ORDER BY 1, 2
"""


def _snapshot(dsn: str) -> list[tuple[str, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(CATALOG_SNAPSHOT).fetchall()


def test_migrations_apply_once_and_are_recorded(make_pg_database):
    dsn = make_pg_database(migrated=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        first = migrate(conn)
        second = migrate(conn)
        recorded = applied_versions(conn)
    files = available_migrations()
    assert [m.version for m in first] == [m.version for m in files]
    assert second == []
    assert recorded == {m.version: m.checksum for m in files}


def test_edited_migration_is_refused(make_pg_database):
    dsn = make_pg_database()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        with pytest.raises(RuntimeError, match="changed after it was applied"):
            migrate(conn)


def test_db_init_creates_then_changes_nothing(make_pg_database, capsys):
    dsn = make_pg_database(migrated=False)
    assert gridscope(["db", "init", "--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert out.count("applied 0") == len(available_migrations())
    before = _snapshot(dsn)
    assert gridscope(["db", "init", "--dsn", dsn]) == 0
    assert "(0 applied now)" in capsys.readouterr().out
    assert _snapshot(dsn) == before
    assert gridscope(["db", "status", "--dsn", dsn]) == 0


def test_db_init_creates_a_missing_database(make_pg_database, capsys):
    # make a name that surely does not exist yet, then let `db init` create it
    dsn = make_pg_database(migrated=False)
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    with psycopg.connect(psycopg.conninfo.make_conninfo(dsn, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{info["dbname"]}"')
    assert gridscope(["db", "init", "--dsn", dsn]) == 0
    assert "created database" in capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(available_migrations())


def test_db_init_on_closed_port_is_a_readable_error(capsys):
    assert gridscope(["db", "init", "--no-create-database", "--dsn", "postgresql://postgres@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "not reachable" in err and "127.0.0.1:1" in err and "Traceback" not in err


def test_columns_match_contracts_and_duckdb(pg_dsn):
    duck = DuckDBStore(":memory:")
    with psycopg.connect(pg_dsn) as conn:
        for table in (*TABLES, "meta", "demo_truth", "import_batches"):
            pg_cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "ORDER BY ordinal_position",
                    [table],
                )
            ]
            duck_cols = list(duck.sql(f'SELECT * FROM "{table}" LIMIT 0').columns)
            # the derived point column sits wherever ALTER TABLE left it; the rest in order
            assert [c for c in pg_cols if c != "geom"] == [c for c in duck_cols if c != "geom"], table
            assert ("geom" in pg_cols) == ("geom" in duck_cols), table
            if table in TABLES:
                assert [c for c in pg_cols if c != "geom" or table == "areas"] == [c.name for c in TABLES[table]]
                assert column_names(table) == [c.name for c in TABLES[table] if not c.internal]


def test_geometry_columns_are_4326_with_gist(pg_dsn):
    with psycopg.connect(pg_dsn) as conn:
        geoms = dict(
            conn.execute("SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = 'public'").fetchall()
        )
        indexes = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")]
        h3_type = conn.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'h3'"
        ).fetchone()[0]
    assert geoms == {"areas": 4326, "events": 4326}
    assert any("ON public.areas USING gist (geom)" in d for d in indexes)
    assert any("ON public.events USING gist (geom)" in d for d in indexes)
    assert any("ON public.events USING btree (h3)" in d for d in indexes)
    assert h3_type == "bigint"


def test_h3_parent_equals_h3_py(pg_dsn):
    rng = np.random.default_rng(7)
    lat, lng = rng.uniform(-80, 80, 200), rng.uniform(-180, 180, 200)
    cells = [h3.str_to_int(h3.latlng_to_cell(a, b, 12)) for a, b in zip(lat, lng, strict=True)]
    with psycopg.connect(pg_dsn) as conn:
        for res in range(0, 13):
            got = [
                r[0]
                for r in conn.execute(
                    "SELECT h3_parent(c, %s) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(c, i) ORDER BY i",
                    [res, cells],
                )
            ]
            assert got == [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(c), res)) for c in cells], res
        volatility = conn.execute("SELECT provolatile FROM pg_proc WHERE proname = 'h3_parent'").fetchone()[0]
    assert volatility == "i"  # IMMUTABLE: usable in indexes and inlined by the planner


def test_demo_command_loads_a_fresh_database(make_pg_database, small_city, capsys):
    dsn = make_pg_database(migrated=False)  # no schema yet: `demo` applies the migrations
    args = ["demo", "--dsn", dsn, "--size", "small", "--seed", "42", "--end-date", "2026-06-30"]
    assert gridscope(args) == 0
    assert "demo city 'small'" in capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "areas", "event_log", "readings")
        }
        index_count = conn.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'events'").fetchone()[0]
    assert counts == {
        "events": len(small_city.events),
        "areas": len(small_city.areas),
        "event_log": len(small_city.event_log),
        "readings": len(small_city.readings),
    }
    assert index_count == 5  # dropped for the bulk COPY and rebuilt (4 + the open events, migration 012)


def test_orphaned_test_databases_are_dropped_live_ones_kept(pg_dsn):
    import os

    from tests.queries.conftest import (
        ADMIN_DSN,
        DB_PREFIX,
        _alive,
        drop_orphaned_test_databases,
    )

    dead = next(p for p in range(4_000_000, 4_100_000) if not _alive(p))
    orphan = f"{DB_PREFIX}{dead}_deadbeef"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{orphan}"')
    dropped = drop_orphaned_test_databases()
    assert orphan in dropped
    mine = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    assert mine.startswith(f"{DB_PREFIX}{os.getpid()}_") and mine not in dropped
    with psycopg.connect(pg_dsn) as conn:  # this session's database is still there
        assert conn.execute("SELECT 1").fetchone() == (1,)
