"""Property test of the published layer over random small cities and random protection
parameters (hypothesis, derandomized: the same examples every run, so it cannot fail by
chance): nothing under k, no relation with exactly one unknown (events received and closed
counts), no rate that gives a withheld count or an exact count behind a rounded one, nothing
personal, figures equal to an independent recount, and publishing twice gives identical
tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from data.publish import NothingToPublish, PublishConfig, Sensitive, build_published
from queries import DuckDBStore

from .checks import check_no_personal_data, check_rates, check_relations, check_values
from .cities import load_random_city, random_city, reference_counts


@pytest.fixture(scope="module")
def scratch_store():
    """One in-memory store the examples reload (creating a store per example is slower)."""
    store = DuckDBStore(":memory:")
    yield store
    store.close()


cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "n_events": st.integers(0, 700),
        "n_streets": st.integers(1, 4),
        "max_communities": st.integers(1, 4),
        "k": st.integers(1, 15),
        "base": st.sampled_from([0, 0, 5, 3]),
        "lag": st.integers(0, 10),
        "res": st.integers(6, 9),
        "sensitive": st.sampled_from([(), ("cat_1",), ("cat_2", "cat_4")]),
        "mode": st.sampled_from(["street", "hide"]),
    }
)


@settings(
    derandomize=True,
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its case as drawn
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases)
def test_protection_holds_for_random_cities(scratch_store, case) -> None:
    city = random_city(case["seed"], case["n_events"], case["n_streets"], case["max_communities"])
    load_random_city(scratch_store, city)
    sens = Sensitive(case["sensitive"], case["mode"]) if case["sensitive"] else Sensitive()
    config = PublishConfig(
        min_count=case["k"],
        lag_days=case["lag"],
        rounding_base=case["base"],
        max_res=case["res"],
        sensitive=sens,
        tracking_key=b"property-test-key-0123",
        published_on=date(2026, 7, 1),
    )
    if case["n_events"] == 0:
        with pytest.raises(NothingToPublish):
            build_published(scratch_store, config)
        return
    last = city.events["reported_at"].max().date()
    if last - timedelta(days=case["lag"]) < city.events["reported_at"].min().date():
        with pytest.raises(NothingToPublish):
            build_published(scratch_store, config)
        return
    pub = build_published(scratch_store, config)
    through = datetime.combine(pub.through_date + timedelta(days=1), datetime.min.time())
    assert pub.through_date == last - timedelta(days=case["lag"])
    tables = pub.tables
    assert pd.to_datetime(tables["pub_stats"]["period_end"]).max().date() == pub.through_date
    ref = reference_counts(city, through, case["res"], sens.codes)
    check_values(tables, ref, case["k"], case["base"], sens.codes, sens.mode)
    check_relations(tables, ref, case["k"], sens.codes, sens.mode)
    check_rates(tables, ref, case["k"], case["base"])
    area_ids = set(city.areas["area_id"])
    check_no_personal_data(tables, city.events, case["res"], area_ids)
    again = build_published(scratch_store, config).tables
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), again[name].reset_index(drop=True), obj=name)
