"""The published layer on PostGIS: the builder gives the same tables as on DuckDB, the writer
fills schema ``published``, and the role ``gridscope_public`` reads it and nothing else."""

from __future__ import annotations

from datetime import date

import pandas as pd
import psycopg
import pytest

from data.publish import PublishConfig, build_published
from data.publish.postgis import PUBLIC_ROLE, write_postgis
from data.publish.schema import TABLES
from queries import DuckDBStore
from queries.postgis_store import PostGISStore
from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database

from .cities import load_random_city, random_city

CONFIG = PublishConfig(min_count=4, lag_days=3, published_on=date(2026, 7, 1), tracking_key=b"pg-test-key-0123456")


@pytest.fixture(scope="module")
def pg_published():
    """A throwaway migrated database holding a random city, published into ``published``."""
    dsn = create_test_database()
    city = random_city(11, 800, 3, 3)
    store = PostGISStore(dsn)
    try:
        load_random_city(store, city)
        store.insert_frame(
            "import_rejects", pd.DataFrame({"batch_id": ["b"], "row_number": [1], "reason": ["x"], "raw": ["secret"]})
        )
        pub = build_published(store, CONFIG)
        write_postgis(dsn, pub)
        yield dsn, city, pub
    finally:
        store.close()
        drop_test_database(dsn)


def test_postgis_build_equals_duckdb_build(pg_published) -> None:
    _, city, pub = pg_published
    duck = DuckDBStore(":memory:")
    try:
        load_random_city(duck, city)
        other = build_published(duck, CONFIG)
    finally:
        duck.close()
    for name in TABLES:
        a = pub.tables[name].reset_index(drop=True)
        b = other.tables[name].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=name, check_dtype=False)


def test_published_schema_matches_the_builder(pg_published) -> None:
    dsn, _, pub = pg_published
    with psycopg.connect(dsn) as conn:
        for name in TABLES:
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'published' "
                    "AND table_name = %s ORDER BY ordinal_position",
                    [name],
                )
            ]
            assert cols == [c for c, _ in TABLES[name]], name
            (n,) = conn.execute(f"SELECT count(*) FROM published.{name}").fetchone()
            assert n == len(pub.tables[name]), name
        stats = pd.DataFrame(
            conn.execute(
                "SELECT period, period_start, level, unit_id, category_group, source, received, withheld "
                "FROM published.pub_stats ORDER BY 1, 2, 3, 4, 5, 6"
            ).fetchall(),
            columns=["period", "period_start", "level", "unit_id", "category_group", "source", "received", "withheld"],
        )
    mine = pub.tables["pub_stats"].sort_values(
        ["period", "period_start", "level", "unit_id", "category_group", "source"]
    )
    assert stats["received"].fillna(-1).tolist() == mine["received"].fillna(-1).astype(int).tolist()
    assert stats["withheld"].fillna("").tolist() == mine["withheld"].fillna("").tolist()


def test_public_role_reads_only_the_published_schema(pg_published) -> None:
    dsn, _, _ = pg_published
    database = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(_dsn_for(database, PUBLIC_ROLE), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pub_stats").fetchone()[0] > 0  # search_path = published
        assert conn.execute("SELECT count(*) FROM published.pub_tracking_case").fetchone()[0] > 0
        for table in ("events", "event_log", "import_rejects", "areas", "meta", "public.events"):
            with pytest.raises(psycopg.Error) as err:
                conn.execute(f"SELECT * FROM public.{table.removeprefix('public.')} LIMIT 1")
            assert isinstance(err.value, psycopg.errors.InsufficientPrivilege), table
        with pytest.raises(psycopg.Error):
            conn.execute("DELETE FROM published.pub_stats")
        with pytest.raises(psycopg.Error):
            conn.execute("CREATE TABLE published.x (a int)")


def test_publishing_as_the_public_role_is_refused_and_changes_nothing(pg_published) -> None:
    from data.store import StoreUnavailable

    dsn, _, pub = pg_published
    database = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    with pytest.raises(StoreUnavailable, match="owner's"):
        write_postgis(_dsn_for(database, PUBLIC_ROLE), pub)
    with psycopg.connect(dsn) as conn:
        (n,) = conn.execute("SELECT count(*) FROM published.pub_stats").fetchone()
    assert n == len(pub.tables["pub_stats"])
