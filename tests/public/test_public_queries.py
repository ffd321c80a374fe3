"""Every public_* named query gives the same rows on the published DuckDB file and on the
PostGIS schema ``published`` read as the role ``gridscope_public`` (their parity test: the
main parity suite runs on the internal store, which has no pub_* tables)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import psycopg
import pytest

from data.publish.tracking import tracking_digest
from data.store import StoreUnavailable
from queries.published import PUBLIC_TABLES, PostGISPublished
from queries.sql_files import query_names
from tests.public import pubfixture as fx
from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database
from tests.queries.test_parity import assert_same_result, orders_rows

DIGEST = tracking_digest(fx.LOOKUP_KEY, fx.CASE_NO, fx.CODE)
PARAMS: dict[str, list[dict[str, object]]] = {
    "public_meta": [{}],
    "public_units": [{"level": lv} for lv in ("district", "street", "community")],
    "public_groups": [{}],
    "public_stats": [
        {"period": "month", "level": "district", "category_group": "all", "source": "all", "period_label": None},
        {"period": "month", "level": "community", "category_group": "all", "source": "all", "period_label": "2026-11"},
        {"period": "week", "level": "district", "category_group": "all", "source": "all", "period_label": None},
    ],
    "public_group_stats": [{"period": "month", "level": "district", "unit_id": "district", "period_label": "2026-11"}],
    "public_tracking_case": [{"digest": DIGEST}],
    "public_tracking_stages": [{"digest": DIGEST}],
}


def test_every_public_query_has_parameters():
    assert sorted(n for n in query_names() if n.startswith("public_")) == sorted(PARAMS)


@pytest.fixture(scope="module")
def pg_public(pub_file) -> Iterator[str]:
    """A migrated throwaway database whose schema ``published`` holds the fixture layer; the
    DSN of the role gridscope_public."""
    admin = create_test_database()
    try:
        src = duckdb.connect(str(pub_file), read_only=True)
        with psycopg.connect(admin) as conn:
            for table in PUBLIC_TABLES:
                frame = src.execute(f"SELECT * FROM {table}").df()
                cols = ", ".join(frame.columns)
                with conn.cursor().copy(f"COPY published.{table} ({cols}) FROM STDIN") as copy:
                    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
                        copy.write_row(row)
        src.close()
        name = psycopg.conninfo.conninfo_to_dict(admin)["dbname"]
        yield _dsn_for(name, "gridscope_public")
    finally:
        drop_test_database(admin)


def test_public_queries_agree_on_both_backends(pub_layer, pg_public):
    pg = PostGISPublished(pg_public)
    try:
        for name, param_sets in PARAMS.items():
            for params in param_sets:
                duck, post = pub_layer.fetch(name, **params), pg.fetch(name, **params)
                assert len(duck), (name, params)
                for col in duck.columns:  # a column of NULLs: NaN from DuckDB, None from psycopg
                    if duck[col].isna().all() and post[col].isna().all():
                        duck[col] = post[col] = None
                assert_same_result(duck, post, orders_rows(name))
        assert pg.cache_key().endswith(fx.META["published_at"])
    finally:
        pg.close()


def test_the_public_role_reads_only_the_published_schema(pg_public):
    with psycopg.connect(pg_public) as conn:
        for table in ("public.events", "public.event_log", "public.import_rejects"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM {table}")
            conn.rollback()
        with pytest.raises(psycopg.Error):
            conn.execute("DELETE FROM published.pub_stats")


def test_an_unreachable_server_is_a_plain_message():
    with pytest.raises(StoreUnavailable, match="cannot reach the published layer"):
        PostGISPublished("postgresql://gridscope_public@127.0.0.1:1/x")
