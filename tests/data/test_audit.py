"""The audit trail (issue 10, 全程留痕): rows recorded and listed on both backends, hostile
details stored as inert JSON text, and on PostGIS an append-only table the dashboard's reader
role can append to but never change, delete or truncate (nor can the owner: a trigger)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pandas as pd
import psycopg
import pytest

from data.audit import (
    MAX_DETAILS_CHARS,
    MAX_LIST_ITEMS,
    MAX_VALUE_CHARS,
    TRUNCATED,
    AuditError,
    audit_actors,
    count_audit,
    details_json,
    list_audit,
    parse_details,
    record_audit,
)
from queries import StoreReadOnly, query_names
from queries.duckdb_store import DuckDBStore
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import PostGISStore
from queries.sql_files import raw_sql

T0 = datetime(2026, 6, 1, 9, 0)

ROWS = [  # (minutes after T0, actor, role, action, page, details)
    (0, "li@district.gov", "admin", "sign_in", "", None),
    (1, "li@district.gov", "admin", "page_view", "hotspots", {"q": {"start": "2026-06-01"}}),
    (2, "wang", "analyst", "export", "chain", {"file": "gridscope_chain.csv", "streets": ["S1", "S2"]}),
    (60, "wang", "analyst", "page_view", "home", None),
    (24 * 60, "li@district.gov", "admin", "sla_change", "chain", {"old": {"close_h": 24.0}, "new": {"close_h": 12.0}}),
]


def _fill(store) -> None:
    for minutes, actor, role, action, page, details in ROWS:
        record_audit(
            store, actor=actor, role=role, action=action, page=page, details=details, at=T0 + timedelta(minutes=minutes)
        )


@pytest.fixture(scope="module")
def pg_dsn_audit() -> Iterator[str]:
    from tests.queries.conftest import create_test_database, drop_test_database

    dsn = create_test_database()
    yield dsn
    drop_test_database(dsn)


@pytest.fixture(scope="module")
def reader_dsn(pg_dsn_audit: str) -> str:
    from tests.queries.conftest import _dsn_for

    return _dsn_for(psycopg.conninfo.conninfo_to_dict(pg_dsn_audit)["dbname"], READER_ROLE)


@pytest.fixture(scope="module")
def stores(pg_dsn_audit: str, reader_dsn: str) -> Iterator[dict[str, object]]:
    """The same rows on DuckDB (in memory) and on PostGIS, the PostGIS ones appended by the reader."""
    duck = DuckDBStore(":memory:")
    reader = PostGISStore(reader_dsn)
    assert reader.read_only
    _fill(duck)
    _fill(reader)
    yield {"duckdb": duck, "postgis": reader}
    duck.close()
    reader.close()


def test_record_and_list_on_duckdb():
    store = DuckDBStore(":memory:")
    _fill(store)
    rows = list_audit(store)
    assert list(rows.columns) == ["seq", "at", "actor", "role", "action", "page", "details"]
    assert list(rows["seq"]) == [5, 4, 3, 2, 1]  # newest first
    assert list(rows["action"]) == ["sla_change", "page_view", "export", "page_view", "sign_in"]
    assert rows["at"].iloc[0] == T0 + timedelta(days=1)
    assert parse_details(rows["details"].iloc[0]) == {"old": {"close_h": 24.0}, "new": {"close_h": 12.0}}
    assert parse_details(rows["details"].iloc[-1]) == {}
    assert audit_actors(store) == ["li@district.gov", "wang"]


@pytest.mark.postgis
@pytest.mark.parametrize("backend", ["duckdb", "postgis"])
@pytest.mark.parametrize(
    ("filters", "expected_seq"),
    [
        ({}, [5, 4, 3, 2, 1]),
        ({"actor": "wang"}, [4, 3]),
        ({"action": "page_view"}, [4, 2]),
        ({"actor": "li@district.gov", "action": "page_view"}, [2]),
        ({"since": T0 + timedelta(minutes=1), "until": T0 + timedelta(minutes=60)}, [3, 2]),  # until exclusive
        ({"since": T0 + timedelta(days=1)}, [5]),
        ({"until": T0}, []),
        ({"actor": "nobody"}, []),
        ({"actor": "wang' OR '1'='1"}, []),
    ],
)
def test_filters_and_paging_on_both_backends(stores, backend, filters, expected_seq):
    store = stores[backend]
    assert list(list_audit(store, **filters)["seq"]) == expected_seq
    assert count_audit(store, **filters) == len(expected_seq)
    pages = [list(list_audit(store, **filters, limit=2, offset=o)["seq"]) for o in (0, 2, 4)]
    assert sum(pages, []) == expected_seq


@pytest.mark.postgis
def test_both_backends_store_the_same_rows(stores):
    duck, pg = (list_audit(stores[b]) for b in ("duckdb", "postgis"))
    assert duck.astype(str).to_dict("records") == pg.astype(str).to_dict("records")
    assert audit_actors(stores["duckdb"]) == audit_actors(stores["postgis"])


HOSTILE = {
    "sql": "'); DELETE FROM audit_log; --",
    "nul": "a\x00b",
    "surrogate": "x\ud800y",
    "markup": "<script>alert(1)</script>",
    "emoji": "网格 😀",
    "newline": "a\nb",
    "nan": float("nan"),
    "inf": float("-inf"),
    "day": date(2026, 6, 1),
    "set": {"b", "a"},
    "tuple": (1, 2),
    "nested": {"a": {"b": {"c": {"d": {"e": "deep"}}}}},
    "long": "长" * (MAX_VALUE_CHARS + 50),
    "many": list(range(MAX_LIST_ITEMS + 7)),
}


def test_details_are_made_safe():
    text = details_json(HOSTILE)
    assert len(text) <= MAX_DETAILS_CHARS
    value = json.loads(text)
    assert value["sql"] == HOSTILE["sql"] and value["nul"] == "a\x00b" and value["newline"] == "a\nb"
    assert "\x00" not in text  # JSON escapes it: the text column never holds a NUL
    assert "x\\ud800y" in text and text.encode("utf-8")  # a lone surrogate as its escape: valid UTF-8
    assert value["nan"] is None and value["inf"] is None
    assert value["day"] == "2026-06-01" and value["set"] == ["a", "b"] and value["tuple"] == [1, 2]
    assert value["nested"] == {"a": {"b": {"c": {"d": "{'e': 'deep'}"}}}}  # depth 4, then text
    assert len(value["long"]) == MAX_VALUE_CHARS and value["long"].endswith("…")
    assert len(value["many"]) == MAX_LIST_ITEMS + 1 and value["many"][-1] == "… 7 more"


def test_oversized_details_drop_whole_keys_and_say_which():
    details = {f"k{i:03d}": "x" * 900 for i in range(40)}  # ~37 000 characters
    value = json.loads(text := details_json(details))
    assert len(text) <= MAX_DETAILS_CHARS
    kept = [k for k in value if k != TRUNCATED]
    assert kept == [f"k{i:03d}" for i in range(len(kept))] and 10 < len(kept) < 40
    assert value[TRUNCATED] == [f"k{i:03d}" for i in range(len(kept), 40)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"action": "delete_everything"},
        {"actor": "  "},
        {"actor": "\x00\n"},
        {"details": ["not", "a", "mapping"]},
        {"details": {1: "non-text key"}},
    ],
)
def test_invalid_rows_are_refused_and_nothing_is_written(kwargs):
    store = DuckDBStore(":memory:")
    with pytest.raises(AuditError):
        record_audit(store, **{"actor": "wang", "role": "analyst", "action": "export", **kwargs})
    assert count_audit(store) == 0


@pytest.mark.postgis
@pytest.mark.parametrize("backend", ["duckdb", "postgis"])
def test_hostile_details_round_trip(stores, backend, pg_dsn_audit):
    store = stores[backend]
    record_audit(store, actor="x\x00'; --" + "a" * 300, role="admin", action="export", page="p\nq", details=HOSTILE)
    row = list_audit(store, action="export", limit=1).iloc[0]
    assert row["details"] == details_json(HOSTILE)
    assert row["actor"] == ("x '; --" + "a" * 300)[:199] + "…" and row["page"] == "p q"


def test_the_store_protocol_cannot_delete_audit_rows():
    store = DuckDBStore(":memory:")
    _fill(store)
    with pytest.raises(KeyError):
        store.clear(["audit_log"])
    forged = list_audit(store).assign(actor="someone else")
    with pytest.raises(KeyError, match="append-only"):
        store.insert_frame("audit_log", forged)
    with pytest.raises(KeyError, match="append-only"):
        store.upsert_frame("audit_log", forged, keys=["seq"])
    assert list(list_audit(store)["actor"]) == [r[1] for r in reversed(ROWS)]
    # no named query but audit_append writes to the table, and none updates or deletes it
    writers = [
        name
        for name in query_names()
        for dialect in ("duckdb", "postgis")
        if "audit_log" in (text := raw_sql(name, dialect).lower())
        and any(w in text for w in ("update ", "delete ", "truncate", "insert ", "drop ", "alter "))
    ]
    assert set(writers) == {"audit_append"}
    assert "update" not in raw_sql("audit_append", "duckdb").lower().split("--")[0]


REFUSED = (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)


@pytest.mark.postgis
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "INSERT INTO audit_log (at, actor, action) VALUES (now(), 'forged', 'export')",
        "DROP TABLE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
        "DROP FUNCTION audit_log_refuse() CASCADE",
        "CREATE OR REPLACE FUNCTION audit_append(timestamp, text, text, text, text, text) RETURNS bigint "
        "LANGUAGE sql AS 'SELECT 1::bigint'",
    ],
)
def test_reader_cannot_change_the_audit_log(stores, reader_dsn, statement):
    before = list_audit(stores["postgis"], limit=1000)
    with psycopg.connect(reader_dsn, autocommit=True) as reader:
        assert reader.execute("SELECT current_user").fetchone()[0] == READER_ROLE
        with pytest.raises(REFUSED):
            reader.execute(statement)
        # even in a read-write transaction (the one audit_append runs in) the grants refuse it
        with pytest.raises(psycopg.errors.InsufficientPrivilege), reader.transaction():
            reader.execute("SET TRANSACTION READ WRITE")
            reader.execute(statement)
    assert list_audit(stores["postgis"], limit=1000).equals(before)
    with pytest.raises(StoreReadOnly):
        stores["postgis"].sql(statement)


@pytest.mark.postgis
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
)
def test_not_even_the_owner_changes_a_row(stores, pg_dsn_audit, statement):
    before = count_audit(stores["postgis"])
    with (
        psycopg.connect(pg_dsn_audit, autocommit=True) as owner,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
    ):
        owner.execute(statement)
    assert count_audit(stores["postgis"]) == before


@pytest.mark.postgis
def test_only_the_reader_may_append_and_only_through_the_function(pg_dsn_audit):
    with psycopg.connect(pg_dsn_audit) as conn:
        acl = conn.execute("SELECT proacl::text, prosecdef FROM pg_proc WHERE proname = 'audit_append'").fetchone()
        grants = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'audit_log' AND grantee = %s",
            [READER_ROLE],
        ).fetchall()
        pg_cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_log' "
                "ORDER BY ordinal_position"
            )
        ]
    assert acl[1] is True  # SECURITY DEFINER
    assert f"{READER_ROLE}=X/" in acl[0] and not acl[0].lstrip("{").startswith("=X") and ",=X" not in acl[0]
    assert grants == [("SELECT",)]
    assert pg_cols == list(DuckDBStore(":memory:").sql("SELECT * FROM audit_log LIMIT 0").columns)


@pytest.mark.postgis
def test_the_server_checks_what_a_caller_of_the_function_skipped(reader_dsn):
    with psycopg.connect(reader_dsn) as reader:
        for args in [
            ("", "admin", "export", "", None),  # empty actor
            ("x", "admin", "Export; DROP", "", None),  # malformed action
            ("x", "admin", "export", "", "y" * (MAX_DETAILS_CHARS + 1)),  # oversized details
        ]:
            with pytest.raises(psycopg.errors.CheckViolation), reader.transaction():
                reader.execute("SET TRANSACTION READ WRITE")
                reader.execute("SELECT audit_append(now()::timestamp, %s, %s, %s, %s, %s)", list(args))


def test_cli_lists_the_trail_filtered(tmp_path, capsys):
    from cli import main as gridscope

    db = tmp_path / "audit.duckdb"
    store = DuckDBStore(db)
    _fill(store)
    record_audit(store, actor="wang", role="analyst", action="export", details={"file": "a\x1b]0;x\x07.csv"})
    store.close()
    assert gridscope(["audit", "list", "--db", str(db), "--actor", "wang", "--action", "export"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split("\t") == ["seq", "at", "actor", "role", "action", "page", "details"]
    assert [line.split("\t")[0] for line in lines[1:]] == ["6", "3"] and "\x1b" not in out and "\x07" not in out
    assert "2 of 2 row(s)" in err
    assert gridscope(["audit", "list", "--db", str(db), "--since", "2026-06-02", "--until", "2026-06-02"]) == 0
    out, err = capsys.readouterr()
    assert [line.split("\t")[4] for line in out.splitlines()[1:]] == ["sla_change"]
    assert gridscope(["audit", "list", "--db", str(db), "--since", "2026-06-03", "--until", "2026-06-02"]) == 2
    assert "--since is after --until" in capsys.readouterr().err


def test_user_changes_from_the_cli_leave_their_before_and_after(tmp_path, capsys):
    from cli import main as gridscope

    db = str(tmp_path / "users.duckdb")
    assert gridscope(["users", "add", "--db", db, "--email", "chen@district.gov", "--role", "leader"]) == 0
    assert gridscope(["users", "set", "--db", db, "chen@district.gov", "--role", "analyst"]) == 0
    assert gridscope(["users", "remove", "--db", db, "chen@district.gov"]) == 0
    capsys.readouterr()
    store = DuckDBStore(db)
    try:
        rows = list_audit(store, action="user_change")
    finally:
        store.close()
    changes = [parse_details(d) for d in reversed(list(rows["details"]))]
    assert [c["change"] for c in changes] == ["add", "set", "remove"]
    assert changes[0]["after"]["role"] == "leader" and changes[0]["after"]["email"] == "chen@district.gov"
    assert (changes[1]["before"]["role"], changes[1]["after"]["role"]) == ("leader", "analyst")
    assert changes[2]["before"]["role"] == "analyst"
    assert all(a.startswith("cli:") for a in rows["actor"])


def test_an_aware_time_is_stored_as_local_time():
    from datetime import timezone

    store = DuckDBStore(":memory:")
    aware = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=8)))  # Beijing noon
    record_audit(store, actor="wang", role="analyst", action="export", at=aware)
    assert list_audit(store)["at"].iloc[0] == aware.astimezone().replace(tzinfo=None)


def test_read_only_replicas_spool_their_rows_and_merge_adds_each_once(tmp_path, capsys):
    from cli import main as gridscope
    from data.audit_spool import _MERGED_KEY, spool_dir, spooled_count

    db = tmp_path / "replicas.duckdb"
    DuckDBStore(db).close()
    replica = DuckDBStore(db, read_only=True)
    try:
        record_audit(
            replica, actor="wang", role="leader", action="page_view", page="overview", at=datetime(2026, 6, 1, 9)
        )
        record_audit(replica, actor="li", role="analyst", action="export", details={"file": "事件.csv", "rows": 3})
    finally:
        replica.close()
    assert spooled_count(db) == 2
    [spool] = spool_dir(db).glob("*.jsonl")
    kept = spool.read_bytes()
    store = DuckDBStore(db)
    try:
        assert count_audit(store) == 0  # not in the trail yet, but kept
    finally:
        store.close()
    assert gridscope(["audit", "merge", "--db", str(db)]) == 0
    assert "2 spooled audit row(s) merged" in capsys.readouterr().err
    assert spooled_count(db) == 0 and not list(spool_dir(db).glob("*.jsonl"))
    spool.write_bytes(kept)  # as if a merge was killed after its commit, before deleting the file
    assert gridscope(["audit", "list", "--db", str(db)]) == 0  # list merges first
    out, err = capsys.readouterr()
    assert "2 of 2 row(s)" in err and not spool.exists()
    store = DuckDBStore(db)
    try:
        rows = list_audit(store)
        assert spool.name in json.loads(store.get_meta(_MERGED_KEY) or "[]")
    finally:
        store.close()
    assert rows[["actor", "role", "action", "page"]].values.tolist() == [
        ["li", "analyst", "export", ""],
        ["wang", "leader", "page_view", "overview"],
    ]
    assert rows["at"].iloc[1] == pd.Timestamp(2026, 6, 1, 9)
    assert parse_details(rows["details"].iloc[0]) == {"file": "事件.csv", "rows": 3}


@pytest.mark.parametrize("backend", ["duckdb", "postgis"])
def test_the_store_stamps_each_row_with_its_own_clock(stores, backend, pg_dsn_audit):
    """``at`` is the caller's account (a holder of the reader's connection could backdate it);
    ``recorded_at`` is the store's clock, which audit_append() does not take."""
    store = stores[backend]
    before = datetime.now() - timedelta(seconds=5)
    record_audit(store, actor="late", role="leader", action="page_view", at=datetime(2020, 1, 1, 9))
    row = store.fetch("audit_list", since=None, until=None, actor="late", action=None, limit=1, offset=0)
    assert row["at"].iloc[0] == pd.Timestamp(2020, 1, 1, 9)
    seq = int(row["seq"].iloc[0])
    if backend == "duckdb":
        recorded = store.sql("SELECT recorded_at FROM audit_log WHERE seq = ?", [seq])["recorded_at"].iloc[0]
    else:  # the reader runs named queries only: read it as the owner
        with psycopg.connect(pg_dsn_audit) as conn:
            recorded = conn.execute("SELECT recorded_at FROM audit_log WHERE seq = %s", [seq]).fetchone()[0]
    assert before <= recorded <= datetime.now() + timedelta(seconds=5)
