"""The public app's PostGIS connection: it survives a database restart (the backend
terminated), and a publication replaced on the same day is a new cache key (the content hash
in ``pub_meta``), so its answers are not served stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import psycopg
import pytest

from dashboard.public import layer as layer_module
from data.publish import PublishConfig, build_published
from data.publish.postgis import PUBLIC_ROLE, write_postgis
from data.store import StoreUnavailable
from queries.answers import public as answers
from queries.postgis_store import PostGISStore
from queries.published import PostGISPublished
from tests.publish.cities import load_random_city, random_city
from tests.queries.conftest import ADMIN_DSN, _dsn_for, create_test_database, drop_test_database

pytestmark = pytest.mark.postgis

CONFIG = PublishConfig(min_count=5, lag_days=0, published_on=date(2026, 7, 1))


@pytest.fixture
def pg_layer():
    """A throwaway database holding a published random city; its public DSN and a publisher."""
    dsn = create_test_database()
    store = PostGISStore(dsn)

    def publish(seed: int, n_events: int) -> None:
        load_random_city(store, random_city(seed, n_events, 2, 2))
        write_postgis(dsn, build_published(store, CONFIG))

    try:
        publish(5, 400)
        database = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
        yield _dsn_for(database, PUBLIC_ROLE), database, publish
    finally:
        store.close()
        drop_test_database(dsn)


def _terminate(database: str) -> int:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
            [database, PUBLIC_ROLE],
        ).fetchall()
    return len(rows)


def test_the_next_fetch_after_a_terminated_backend_works(pg_layer) -> None:
    public_dsn, database, _ = pg_layer
    layer = PostGISPublished(public_dsn)
    try:
        before = layer.fetch("public_meta")
        assert _terminate(database) == 1  # the layer's one connection, as after a server restart
        after = layer.fetch("public_meta")
        assert after.sort_values("key").values.tolist() == before.sort_values("key").values.tolist()
        months = answers.district_months(layer)
        assert len(months) == 3 and months["received"].notna().all()  # March to May 2026
    finally:
        layer.close()


def test_an_unreachable_layer_is_store_unavailable_and_the_app_drops_its_connection(pg_layer, monkeypatch) -> None:
    public_dsn, database, _ = pg_layer
    layer = PostGISPublished(public_dsn)
    monkeypatch.setattr(layer, "_dsn", public_dsn.replace(database, "h7_no_such_database"))
    _terminate(database)
    cleared = []
    monkeypatch.setattr(layer_module, "forget_layer", lambda: cleared.append(True))
    with pytest.raises(StoreUnavailable, match="cannot reach the published layer"):
        layer_module.answer(answers.published_meta, layer)
    assert cleared == [True]  # the next page opens a new connection instead of this dead one
    layer.close()


def test_a_same_day_republish_is_a_new_cache_key_and_new_answers(pg_layer) -> None:
    public_dsn, _, publish = pg_layer
    layer = PostGISPublished(public_dsn)
    try:
        key = layer.cache_key()
        received = layer_module.answer(answers.district_months, layer)["received"].tolist()
        meta = dict(layer.fetch("public_meta")[["key", "value"]].itertuples(index=False, name=None))
        assert meta["published_at"] == "2026-07-01" and len(meta["publication"]) == 32
        publish(5, 400)  # the same data again: the same publication
        assert layer.cache_key() == key
        publish(6, 900)  # new data, the same day
        assert layer.cache_key() != key
        again = layer_module.answer(answers.district_months, layer)["received"].tolist()
        assert again != received and sum(again) > sum(received)
    finally:
        layer.close()


def test_the_content_hash_follows_the_tables(small_store) -> None:
    one = build_published(small_store, CONFIG).tables["pub_meta"].set_index("key")["value"]
    two = build_published(small_store, CONFIG).tables["pub_meta"].set_index("key")["value"]
    assert one["publication"] == two["publication"]
    other = build_published(small_store, replace(CONFIG, min_count=6)).tables["pub_meta"].set_index("key")["value"]
    assert other["publication"] != one["publication"]


def test_forget_layer_makes_the_next_page_open_the_layer_again(pub_file, monkeypatch) -> None:
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_DB", str(pub_file))
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_DSN", raising=False)
    layer_module.forget_layer()
    first = layer_module.get_layer()
    assert layer_module.get_layer() is first  # one connection per process
    layer_module.forget_layer()
    second = layer_module.get_layer()
    assert second is not first
    assert answers.published_meta(second).min_count == 10
    layer_module.forget_layer()
