"""Dashboard users (issue 10): validated changes, matching by subject then e-mail, the same
effect on DuckDB and PostGIS, the reader role only reads, and ``gridscope users``."""

from __future__ import annotations

import json

import psycopg
import pytest
import shapely

from cli import main as gridscope
from data.users import (
    ROLES,
    User,
    UserError,
    add_user,
    bind_subject,
    can,
    find_user,
    list_users,
    remove_user,
    set_user,
    sign_in_user,
)
from queries import DuckDBStore, StoreReadOnly
from queries.postgis_migrations import READER_ROLE
from queries.postgis_store import PostGISStore
from tests.queries.conftest import create_test_database, drop_test_database


def _streets(city):
    return city.areas[city.areas.level == "street"]


def _with_streets(store, city) -> None:
    streets = _streets(city)
    store.insert_frame("areas", streets.assign(geom=shapely.to_wkb(streets["geom"].to_numpy())))


@pytest.fixture
def duck(small_city):
    store = DuckDBStore(":memory:")
    _with_streets(store, small_city)
    yield store
    store.close()


def _changes(store, street_ids: list[str]) -> None:
    """The same sequence of changes, for the parity test."""
    add_user(store, role="leader", email="Wang.Fang@example.org", display_name="王芳")
    add_user(store, role="analyst", subject="kc-7f3a", email="li@example.org", streets=street_ids[:2])
    add_user(store, role="admin", subject="kc-0001", display_name="Admin")
    set_user(store, "wang.fang@example.org", role="supervisor", streets=[street_ids[3]])
    set_user(store, "kc-7f3a", streets=())
    add_user(store, role="analyst", subject="gone", email="gone@example.org")
    remove_user(store, "gone@example.org")


def test_rights_of_each_role():
    expected = {
        "leader": {"view"},
        "analyst": {"view", "export"},
        "supervisor": {"view", "export", "edit_sla"},
        "admin": {"view", "export", "edit_sla", "import", "manage_users", "view_audit"},
    }
    actions = ("view", "export", "edit_sla", "import", "manage_users", "view_audit")
    for role in ROLES:
        user = User("s", "", "", role)
        assert {a for a in actions if can(user, a)} == expected[role], role
        scoped = User("s", "", "", role, ("110199001",))  # nothing that spans the district
        assert {a for a in actions if can(scoped, a)} == expected[role] & {"view", "export"}, role
    assert not any(can(None, a) for a in actions)
    assert not can(User("s", "", "", "superuser"), "view")  # an unknown role may do nothing
    with pytest.raises(ValueError, match="unknown action"):
        can(User("s", "", "", "admin"), "delete_everything")


def test_changes_are_stored_and_matched_by_subject_then_email(duck, small_city):
    ids = list(_streets(small_city)["area_id"])
    _changes(duck, ids)
    users = {u.subject: u for u in list_users(duck)}
    assert sorted(users) == ["kc-0001", "kc-7f3a", "wang.fang@example.org"]
    assert users["wang.fang@example.org"] == User(
        "wang.fang@example.org", "Wang.Fang@example.org", "王芳", "supervisor", (ids[3],)
    )
    assert users["kc-7f3a"].streets == () and users["kc-7f3a"].role == "analyst"
    # subject first: another row's e-mail does not win over the subject
    assert find_user(duck, "kc-7f3a", "wang.fang@example.org").subject == "kc-7f3a"
    # unknown subject: the e-mail, case folded
    assert find_user(duck, "unknown-sub", "WANG.FANG@EXAMPLE.ORG").subject == "wang.fang@example.org"
    assert find_user(duck, "unknown-sub", "nobody@example.org") is None
    assert find_user(duck, "unknown-sub", None) is None
    assert find_user(duck, "", "") is None


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(role="boss", email="a@example.org"), "role must be one of leader, analyst, supervisor, admin"),
        (dict(role="leader", email="not-an-address"), "is not an e-mail address"),
        (dict(role="leader", email="a@example"), "is not an e-mail address"),
        (dict(role="leader", email="a@example.org", streets=["no-such-street"]), "no street area 'no-such-street'"),
        (dict(role="leader"), "give the OIDC subject"),
        (dict(role="leader", subject="x\x1b[2J"), "control character"),
        (dict(role="leader", subject="kc-0001"), "already exists"),
        (
            dict(role="admin", email="a@example.org", streets=["110199001"]),
            "an administrator manages the whole district",
        ),
        (dict(role="leader", subject="new", email="LI@example.org"), "already belongs to user 'kc-7f3a'"),
    ],
)
def test_refused_values_change_nothing(duck, small_city, change, message):
    _changes(duck, list(_streets(small_city)["area_id"]))
    before = duck.fetch("user_list")
    with pytest.raises(UserError, match=message):
        add_user(duck, **change)
    assert duck.fetch("user_list").equals(before)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(role="owner"), "unknown role 'owner'"),
        (dict(email="nope"), "is not an e-mail address"),
        (dict(email="li@EXAMPLE.org"), "already belongs to user 'kc-7f3a'"),
        (dict(streets=["110199001", "zzz"]), "no street area 'zzz'"),
        (dict(streets=["110199001"]), "an administrator manages the whole district"),  # kc-0001 is an admin
    ],
)
def test_refused_changes_change_nothing(duck, small_city, change, message):
    _changes(duck, list(_streets(small_city)["area_id"]))
    before = duck.fetch("user_list")
    with pytest.raises(UserError, match=message):
        set_user(duck, "kc-0001", **change)
    assert duck.fetch("user_list").equals(before)


def test_set_and_remove_unknown_user(duck):
    with pytest.raises(UserError, match="no user 'ghost'"):
        set_user(duck, "ghost", role="admin")
    with pytest.raises(UserError, match="no user 'ghost@example.org'"):
        remove_user(duck, "ghost@example.org")


def test_street_must_be_a_street_not_another_level(small_city):
    store = DuckDBStore(":memory:")
    areas = small_city.areas
    store.insert_frame("areas", areas.assign(geom=shapely.to_wkb(areas["geom"].to_numpy())))
    community = areas.loc[areas.level == "community", "area_id"].iloc[0]
    with pytest.raises(UserError, match="no street area"):
        add_user(store, role="leader", email="a@example.org", streets=[community])
    store.close()


@pytest.mark.postgis
def test_same_users_on_both_backends_and_reader_only_reads(small_city):
    dsn = create_test_database()
    pg = PostGISStore(dsn)
    duck = DuckDBStore(":memory:")
    ids = list(_streets(small_city)["area_id"])
    try:
        for store in (duck, pg):
            _with_streets(store, small_city)
            _changes(store, ids)
        cols = ["subject", "email", "display_name", "role", "streets"]
        a, b = duck.fetch("user_list"), pg.fetch("user_list")
        assert a[cols].to_dict("records") == b[cols].to_dict("records")
        assert a["created_at"].notna().all() and b["updated_at"].notna().all()
        for sub, email in [("kc-7f3a", "wang.fang@example.org"), ("x", "WANG.fang@example.org"), ("x", None)]:
            assert find_user(duck, sub, email) == find_user(pg, sub, email)
        for store in (duck, pg):
            # a row with a provider's subject is never signed in to by e-mail; one added by e-mail is
            assert sign_in_user(store, "other-account", "li@example.org") is None
            assert sign_in_user(store, "kc-wang", "WANG.fang@example.org").display_name == "王芳"
            assert not bind_subject(store, "li@example.org", "other-account")
            assert bind_subject(store, "Wang.Fang@example.org", "kc-wang")
            assert sign_in_user(store, "someone-else", "wang.fang@example.org") is None  # bound: no e-mail match
            assert sign_in_user(store, "kc-wang", None).role == "supervisor"
            assert not bind_subject(store, "Wang.Fang@example.org", "kc-wang-2")  # once only
        bound = duck.fetch("user_list")[cols].to_dict("records")
        assert pg.fetch("user_list")[cols].to_dict("records") == bound
        info = psycopg.conninfo.conninfo_to_dict(dsn)
        reader = PostGISStore(psycopg.conninfo.make_conninfo(**{**info, "user": READER_ROLE}))
        try:
            assert find_user(reader, "kc-0001").role == "admin"  # the dashboard reads users
            with pytest.raises((StoreReadOnly, psycopg.Error)):
                add_user(reader, role="admin", subject="intruder")
            with pytest.raises((StoreReadOnly, psycopg.Error)):
                set_user(reader, "kc-7f3a", role="admin")
        finally:
            reader.close()
        assert pg.fetch("user_list")[cols].to_dict("records") == bound  # the reader changed nothing
    finally:
        duck.close()
        pg.close()
        drop_test_database(dsn)


def test_cli_add_set_list_remove(small_db_file, capsys):
    db = ["--db", str(small_db_file)]
    assert (
        gridscope(
            [
                "users",
                "add",
                *db,
                "--email",
                "li@example.org",
                "--role",
                "analyst",
                "--name",
                "李伟",
                "--streets",
                "110199001, 110199002",
            ]
        )
        == 0
    )
    assert "added li@example.org" in capsys.readouterr().out
    assert gridscope(["users", "set", "li@example.org", *db, "--role", "supervisor", "--streets", ""]) == 0
    assert gridscope(["users", "list", *db]) == 0
    out = capsys.readouterr().out
    assert "li@example.org\tli@example.org\t李伟\tsupervisor\t(whole district)" in out
    assert gridscope(["users", "add", *db, "--email", "x@example.org", "--role", "leader", "--streets", "nope"]) == 2
    assert "no street area 'nope'" in capsys.readouterr().err
    assert gridscope(["users", "remove", "nobody", *db]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
    assert gridscope(["users", "remove", "li@example.org", *db]) == 0
    store = DuckDBStore(small_db_file)
    assert list_users(store) == []
    trail = store.sql("SELECT actor, action, details FROM audit_log ORDER BY seq")
    store.close()
    assert trail["action"].tolist() == ["user_change"] * 3  # add, set, remove; refused ones leave none
    assert [json.loads(d)["change"] for d in trail["details"]] == ["add", "set", "remove"]
    assert trail["actor"].str.startswith("cli:").all()
    with pytest.raises(SystemExit):  # argparse refuses an unknown role before anything runs
        gridscope(["users", "add", *db, "--email", "x@example.org", "--role", "boss"])
