"""The published layer of the small demo city: figures equal the internal KPI service's,
the public file holds only pub_* tables, publishing twice gives identical files, the
suppression check sees a leak when secondary suppression is switched off, tracking codes."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

import data.publish.build as build_module
from cli import main
from data.publish import (
    PublishConfig,
    Sensitive,
    build_published,
    lookup_key,
    parse_lookup_key,
    tracking_digest,
    verification_code,
    write_duckdb,
)
from data.publish.schema import TABLES
from queries import EventFilter
from queries.answers.kpis import overview_kpis

from .checks import check_rates, check_relations
from .cities import load_random_city, random_city, reference_counts

KEY = b"test-district-secret-key"
CONFIG = PublishConfig(published_on=date(2026, 7, 1), tracking_key=KEY)


@pytest.fixture(scope="module")
def published(small_store):
    """The small city published with the defaults (k 10, lag 7, res 8) and tracking."""
    return build_published(small_store, CONFIG)


def test_cut_off_is_last_report_day_minus_lag(published, small_city) -> None:
    last = small_city.events["reported_at"].max().date()
    assert published.through_date == last - timedelta(days=7)
    meta = dict(published.tables["pub_meta"].itertuples(index=False, name=None))
    assert meta["through_date"] == published.through_date.isoformat()
    assert meta["min_count"] == "10" and meta["lag_days"] == "7" and meta["max_res"] == "8"
    assert meta["latest_month"] == "2026-06" and meta["latest_week"] == "2026-W26"
    stats = published.tables["pub_stats"]
    assert pd.to_datetime(stats["period_end"]).max().date() == published.through_date


def _filter_for(row, groups: dict[str, list[str]]) -> EventFilter:
    lists: dict[str, list[str]] = {}
    if row.category_group != "all":
        lists["categories"] = groups[row.category_group]
    if row.source != "all":
        lists["sources"] = [row.source]
    if row.level == "street":
        lists["street_ids"] = [row.unit_id]
    if row.level == "community":
        lists["community_ids"] = [row.unit_id]
    return EventFilter.for_dates(row.period_start, row.period_end, **lists)


def test_published_figures_equal_the_internal_kpis(published, small_store, small_city) -> None:
    stats = published.tables["pub_stats"]
    shown = stats[stats["withheld"].isna() & stats["level"].isin(["district", "street", "community"])]
    rng = np.random.default_rng(7)
    picks = [
        shown[(shown["level"] == "district") & (shown["category_group"] == "all") & (shown["source"] == "all")],
        shown[(shown["level"] == "street") & (shown["source"] != "all")],
        shown[(shown["level"] == "community") & (shown["category_group"] != "all")],
        shown[shown["period"] == "week"],
    ]
    sample = pd.concat([p.iloc[rng.choice(len(p), min(len(p), 6), replace=False)] for p in picks])
    groups = small_city.categories.groupby("department")["code"].apply(list).to_dict()
    now = datetime.combine(published.through_date + timedelta(days=1), datetime.min.time())
    compared = 0
    for row in sample.itertuples():
        k = overview_kpis(small_store, _filter_for(row, groups), now)["current"]
        assert row.received == k.events, row
        for name in ("closure_rate", "on_time_rate", "satisfaction_rate"):
            ours, theirs = getattr(row, name), getattr(k, name)
            if not pd.isna(ours):
                assert ours == pytest.approx(theirs, abs=5e-5), (name, row)
                compared += 1
    assert compared >= 60


def test_median_days_to_close_is_the_pandas_median(published, small_city) -> None:
    stats = published.tables["pub_stats"]
    row = stats[
        (stats["period_label"] == "2026-05") & (stats["level"] == "district") & (stats["category_group"] == "all")
    ]
    row = row[row["source"] == "all"].iloc[0]
    ev = small_city.events
    ev = ev[(ev["reported_at"] >= "2026-05-01") & (ev["reported_at"] < "2026-06-01")]
    closed = ev[(ev["status"] != "cancelled") & (ev["closed_at"] < "2026-06-01")]
    seconds = np.floor((closed["closed_at"] - closed["reported_at"]).dt.total_seconds())
    assert row["median_days_to_close"] == pytest.approx(np.median(seconds) / 86400, abs=0.006)
    assert row["received"] == len(ev)


@pytest.fixture(scope="module")
def tiny_db_file(tmp_path_factory):
    """A closed DuckDB file holding a random city of 900 events (quicker than the small city)."""
    from queries import DuckDBStore

    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    store = DuckDBStore(path)
    load_random_city(store, random_city(3, 900, 3, 3))
    store.close()
    return path


def test_public_file_holds_only_the_published_tables_and_is_reproducible(tiny_db_file, tmp_path) -> None:
    from queries import DuckDBStore

    store = DuckDBStore(tiny_db_file)
    try:
        config = PublishConfig(min_count=5, lag_days=0, published_on=date(2026, 7, 1), tracking_key=KEY)
        first = write_duckdb(build_published(store, config), tmp_path / "a" / "public.duckdb")
        second = write_duckdb(build_published(store, config), tmp_path / "b" / "public.duckdb")
    finally:
        store.close()
    with duckdb.connect(str(first), read_only=True) as a, duckdb.connect(str(second), read_only=True) as b:
        names = {r[0] for r in a.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert names == set(TABLES)
        assert a.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)
        for table in TABLES:
            fa = a.execute(f"SELECT * FROM {table}").df()  # stored order, compared as stored
            fb = b.execute(f"SELECT * FROM {table}").df()
            pd.testing.assert_frame_equal(fa, fb, obj=table)
            assert len(fa) > 0, table
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["public.duckdb"], "temporary file left behind"


def test_the_relation_check_sees_a_leak_without_secondary_suppression(scratch_city_store, monkeypatch) -> None:
    store, city = scratch_city_store
    config = PublishConfig(min_count=8, lag_days=0, published_on=date(2026, 7, 1))
    pub = build_published(store, config)
    through = datetime.combine(pub.through_date + timedelta(days=1), datetime.min.time())
    ref = reference_counts(city, through, 8, ())
    check_relations(pub.tables, ref, 8, (), "street")
    assert (pub.tables["pub_stats"]["withheld"] == "secondary").sum() > 0
    monkeypatch.setattr(build_module, "secondary", lambda frame, reason, *args: reason)
    leaky = build_published(store, config)
    with pytest.raises(AssertionError, match="exactly one unknown"):
        check_relations(leaky.tables, ref, 8, (), "street")


@pytest.mark.parametrize("base", [0, 5])
def test_no_closed_count_follows_from_a_total_or_a_rate(scratch_city_store, monkeypatch, base) -> None:
    store, city = scratch_city_store
    config = PublishConfig(min_count=8, lag_days=0, rounding_base=base, published_on=date(2026, 7, 1))
    pub = build_published(store, config)
    through = datetime.combine(pub.through_date + timedelta(days=1), datetime.min.time())
    ref = reference_counts(city, through, 8, ())
    check_relations(pub.tables, ref, 8, (), "street")
    check_rates(pub.tables, ref, 8, base)
    st = pub.tables["pub_stats"].merge(ref, on=list(build_module.KEY), how="left", suffixes=("", "_n"))
    # closed counts of 8 or more withheld (with their closure rate) so that no total gives one away
    protected = st[st["withheld"].isna() & st["closed"].isna() & (st["closed_n"] >= 8)]
    assert len(protected) > 0 and protected["closure_rate"].isna().all() and protected["received"].notna().all()
    assert st.loc[st["closed"].isna(), "closure_rate"].isna().all()
    # without the closed counts' own secondary suppression, a parent minus its children gives one away
    monkeypatch.setattr(build_module, "closed_withheld", lambda frame, withheld, *a: withheld.notna().to_numpy())
    leaky = build_published(store, config)
    with pytest.raises(AssertionError, match=r"\(closed\): \d+ relations with exactly one unknown"):
        check_relations(leaky.tables, ref, 8, (), "street")


@pytest.fixture
def scratch_city_store():
    from queries import DuckDBStore

    store = DuckDBStore(":memory:")
    city = random_city(3, 900, 3, 3)
    load_random_city(store, city)
    yield store, city
    store.close()


def test_sensitive_groups_street_level_only(scratch_city_store) -> None:
    store, _ = scratch_city_store
    pub = build_published(store, PublishConfig(min_count=3, lag_days=0, sensitive=Sensitive(("cat_1",), "street")))
    st = pub.tables["pub_stats"]
    sens = st[st["category_group"] == "cat_1"]
    assert (sens.loc[sens["level"].isin(["community", "cell"]), "withheld"] == "sensitive").all()
    assert sens.loc[sens["level"].isin(["district", "street"]), "received"].notna().any()
    groups = pub.tables["pub_groups"]
    assert groups.loc[groups["code"] == "cat_1", "sensitive"].item()
    hidden = build_published(store, PublishConfig(min_count=3, lag_days=0, sensitive=Sensitive(("cat_1",), "hide")))
    st = hidden.tables["pub_stats"]
    assert (st.loc[st["category_group"] == "cat_1", "withheld"] == "sensitive").all()
    modes = [dict(p.tables["pub_meta"].itertuples(index=False, name=None))["sensitive_mode"] for p in (pub, hidden)]
    assert modes == ["street", "hide"]  # the public page's privacy text says which


def test_tracking_digest_and_code(published, small_city) -> None:
    event_id = str(small_city.events.sort_values("reported_at").iloc[-2000]["event_id"])
    code = verification_code(KEY, event_id)
    assert len(code) == 6 and code.isdigit() and code == verification_code(KEY, event_id)
    assert verification_code(b"another-district-key", event_id) != code or True  # keyed: differs almost surely
    lookup = hmac.new(KEY, b"gridscope tracking digest v1", hashlib.sha256).digest()
    digest = tracking_digest(lookup, event_id, code)
    expected = hmac.new(lookup, f"{event_id}\x1f{code}".encode(), hashlib.sha256).hexdigest()
    assert digest == expected
    assert (
        tracking_digest(lookup, f" {event_id.translate(str.maketrans('0123456789', '０１２３４５６７８９'))} ", code)
        == digest
    )
    cases = published.tables["pub_tracking_case"]
    case = cases[cases["digest"] == digest]
    assert len(case) == 1
    # the district's key itself makes none of the published digests (the public side needs only the lookup key)
    assert tracking_digest(KEY, event_id, code) not in set(cases["digest"])
    meta = dict(published.tables["pub_meta"].itertuples(index=False, name=None))
    assert meta["tracking_key_id"] == hmac.new(lookup, b"gridscope lookup key id v1", hashlib.sha256).hexdigest()[:16]
    stages = published.tables["pub_tracking"]
    mine = stages[stages["digest"] == digest].sort_values("ord")
    ev = small_city.events.set_index("event_id").loc[event_id]
    assert mine.iloc[0]["stage"] == "reported" and mine.iloc[0]["reached_on"] == ev["reported_at"].date()
    assert tracking_digest(lookup, event_id, "000000" if code != "000000" else "000001") not in set(cases["digest"])
    status = case.iloc[0]
    if status["status"] == "closed" and not pd.isna(ev["closed_at"]):
        assert bool(status["closed_on_time"]) == bool(ev["closed_at"] <= ev["close_due_at"])
        assert bool(status["rated"]) == (not pd.isna(ev["satisfaction"]))


def test_cli_publish_and_tracking_code(tiny_db_file, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_TRACKING_KEY", raising=False)
    assert main(["publish", "tracking-code", "E1"]) == 2
    assert "GRIDSCOPE_PUBLIC_TRACKING_KEY" in capsys.readouterr().err
    assert main(["publish", "lookup-key"]) == 2
    assert "GRIDSCOPE_PUBLIC_TRACKING_KEY" in capsys.readouterr().err
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_TRACKING_KEY", KEY.decode())
    assert main(["publish", "tracking-code", "E1"]) == 0
    assert capsys.readouterr().out.strip() == verification_code(KEY, "E1")
    assert main(["publish", "lookup-key"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == hmac.new(KEY, b"gridscope tracking digest v1", hashlib.sha256).hexdigest()
    assert parse_lookup_key(printed) == lookup_key(KEY)
    out = tmp_path / "pub" / "public.duckdb"
    assert main(["publish", "--db", str(tiny_db_file), "--out", str(out), "--through", "2026-04-30"]) == 0
    text = capsys.readouterr().out
    assert "published through 2026-04-30" in text
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT value FROM pub_meta WHERE key = 'through_date'").fetchone() == ("2026-04-30",)
        assert con.execute("SELECT max(period_end) FROM pub_stats").fetchone()[0] == date(2026, 4, 30)
    monkeypatch.setenv("GRIDSCOPE_PUBLIC_MIN_COUNT", "ten")
    assert main(["publish", "--db", str(tiny_db_file), "--out", str(out)]) == 2
    assert "GRIDSCOPE_PUBLIC_MIN_COUNT" in capsys.readouterr().err


def test_open_data_files_hold_the_published_figures(tiny_db_file, tmp_path) -> None:
    import json

    from data.publish.opendata import FIELDS, write_open_data
    from queries import DuckDBStore

    store = DuckDBStore(tiny_db_file)
    try:
        pub = build_published(store, PublishConfig(min_count=5, lag_days=0, published_on=date(2026, 7, 1)))
    finally:
        store.close()
    db = write_duckdb(pub, tmp_path / "public.duckdb")
    files = write_open_data(db, tmp_path / "data")
    names = {p.name for p in files}
    assert {"stats_month.csv", "stats_week.csv", "units.csv", "groups.csv", "data_dictionary.md"} <= names
    raw = (tmp_path / "data" / "stats_month.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    month = pd.read_csv(tmp_path / "data" / "stats_month.csv", encoding="utf-8-sig", keep_default_na=False)
    stats = pub.tables["pub_stats"]
    mine = stats[stats["period"] == "month"]
    assert len(month) == len(mine)
    shown = pd.to_numeric(month["received"], errors="coerce")
    assert shown.sum() == mine["received"].sum() and (shown.dropna() >= 5).all()
    assert "unit_id" in month and "geojson" not in month and "digest" not in "".join(month.columns)
    geo = json.loads((tmp_path / "data" / "community_latest_month.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geo["features"])
    text = (tmp_path / "data" / "data_dictionary.md").read_text(encoding="utf-8")
    assert "数据字典" in text and "Data dictionary" in text
    assert all(f"| {name} |" in text for name, _, _ in FIELDS)


def test_cli_site_that_cannot_be_written_is_a_clear_message(tiny_db_file, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("GRIDSCOPE_PUBLIC_TRACKING_KEY", raising=False)
    blocker = tmp_path / "site"
    blocker.write_text("a file where the site's folder should go")
    out = tmp_path / "pub" / "public.duckdb"
    code = main(
        ["publish", "--db", str(tiny_db_file), "--out", str(out), "--site", str(blocker), "--through", "2026-04-30"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot write the static site to {blocker}" in err and "Traceback" not in err
    assert "无法写入静态网站" in err
    assert out.is_file()  # the published layer itself was written
    assert blocker.read_text() == "a file where the site's folder should go"
