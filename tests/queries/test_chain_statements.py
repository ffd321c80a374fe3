"""The SLA edit statement: same effect on DuckDB and PostGIS; refused for the reader role."""

from __future__ import annotations

import pytest

from data.demo.catalog import categories_frame, departments_frame
from queries import DuckDBStore, StoreReadOnly
from queries.answers.chain import set_category_sla
from queries.postgis_store import PostGISStore

pytestmark = pytest.mark.postgis


def _load(store) -> None:
    store.insert_frame("departments", departments_frame())
    store.insert_frame("categories", categories_frame())


def test_update_category_sla_parity(make_pg_database):
    duck = DuckDBStore(":memory:")
    pg = PostGISStore(make_pg_database())
    try:
        for store in (duck, pg):
            _load(store)
            set_category_sla(store, "garbage", response_h=1.5, close_h=12)
            set_category_sla(store, "noise", response_h=3, close_h=36.25)
        a, b = duck.fetch("list_categories"), pg.fetch("list_categories")
        assert a.to_dict("records") == b.to_dict("records")
        rows = a.set_index("code")
        assert tuple(rows.loc["garbage", ["sla_response_h", "sla_close_h"]]) == (1.5, 12)
        assert tuple(rows.loc["noise", ["sla_response_h", "sla_close_h"]]) == (3, 36.25)
        # every other category kept its SLA
        original = categories_frame().set_index("code")
        others = rows.index.difference(["garbage", "noise"])
        assert rows.loc[others, "sla_close_h"].tolist() == original.loc[others, "sla_close_h"].tolist()
    finally:
        duck.close()
        pg.close()


def test_reader_role_gets_a_clear_refusal(pg_reader_dsn, pg_store):
    reader = PostGISStore(pg_reader_dsn)
    try:
        before = reader.fetch("list_categories")
        with pytest.raises(StoreReadOnly, match="may not change the SLA of 'garbage'"):
            set_category_sla(reader, "garbage", response_h=1, close_h=5)
        assert reader.fetch("list_categories").equals(before)
    finally:
        reader.close()


def test_chain_page_tells_the_reader_role_it_may_not_edit(monkeypatch, pg_reader_dsn, pg_store):
    """The page, on PostGIS as the dashboard's SELECT-only role: a clear message, nothing changed."""
    import streamlit as st

    from tests.dashboard.test_chain_page import TABLES, open_chain

    st.cache_resource.clear()
    st.cache_data.clear()
    at = open_chain(monkeypatch, dsn=pg_reader_dsn, lang="en")
    at.number_input(key="chain_sla_close_air_pollution").set_value(40.0)
    at.button(key="FormSubmitter:chain_sla_form-Save").click().run()
    assert not at.exception
    assert any("read-only" in e.value for e in at.error)
    sla = next(d.value for d in at.dataframe if set(TABLES["sla"]) <= set(d.value.columns))
    assert sla.set_index("name").loc["Air pollution (fumes, dust)", "sla_close_h"] == 48
    st.cache_resource.clear()
    st.cache_data.clear()
