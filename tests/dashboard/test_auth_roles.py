"""Sign-in, roles and refusals (issue 10) under AppTest, with an OIDC provider configured in
the secrets and ``st.user`` set as Streamlit sets it after a sign-in.

For every role: the pages in its navigation, whether the SLA edit form and the downloads are
there; a refused SLA edit and import called anyway (the handler itself, bypassing the hidden
button) leave the store unchanged. Demo mode starts with no settings and shows its banner;
``GRIDSCOPE_AUTH=required`` without a provider says so instead of any page; a signed-in
stranger sees only "no access yet".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.users import add_user
from queries import DuckDBStore
from tests.dashboard.apptest import APP, shown

AUTH = {
    "redirect_uri": "http://127.0.0.1:8611/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length-0123456789",
    "client_id": "gridscope",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:8612/.well-known/openid-configuration",
}
STREET = "110199001"
PAGE = str(Path(APP).parent / "dashboard/pages/data_import.py")

PEOPLE = {
    "leader": {"sub": "kc-leader", "email": "leader@example.org", "name": "Leader L"},
    # added by e-mail only: matched on the e-mail (the provider's subject is not known yet)
    "analyst": {"sub": "kc-new-subject", "email": "Analyst@Example.org", "name": "Analyst A"},
    "supervisor": {"sub": "kc-supervisor", "email": "sup@example.org", "name": "Supervisor S"},
    "admin": {"sub": "kc-admin", "email": "admin@example.org", "name": "Admin A"},
}
BASE_PAGES = {"", "hotspots", "chain", "trends", "sensors", "event", "weekly", "overview"}
NAV = {
    "leader": BASE_PAGES,
    "analyst": BASE_PAGES,
    "supervisor": BASE_PAGES,
    "admin": BASE_PAGES | {"import", "audit", "users"},
}


@pytest.fixture
def users_db(small_db_file: Path) -> Path:
    store = DuckDBStore(small_db_file)
    add_user(store, role="leader", subject="kc-leader", email="leader@example.org")
    add_user(store, role="analyst", email="analyst@example.org", display_name="分析员甲", streets=[STREET])
    add_user(store, role="supervisor", subject="kc-supervisor")
    add_user(store, role="admin", subject="kc-admin", display_name="Admin A")
    store.close()
    return small_db_file


def _app(monkeypatch, db: Path, person: dict | None, lang: str = "en", auth: dict | None = AUTH) -> AppTest:
    monkeypatch.setenv("GRIDSCOPE_DB", str(db))
    monkeypatch.delenv("GRIDSCOPE_DSN", raising=False)
    monkeypatch.delenv("GRIDSCOPE_AUTH", raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    if auth is not None:
        at.secrets["auth"] = dict(auth)
    at.user = {"is_logged_in": True, **person} if person else {"is_logged_in": False}
    at.session_state["lang"] = lang
    return at


def nav_paths(at: AppTest) -> set[str]:
    """The url paths of the pages in the run's navigation (hidden alias included)."""
    return {p["url_pathname"] for p in at._registered_pages.values() if "url_pathname" in p}


def no_page(at: AppTest) -> bool:
    """True when the run registered no page of the app: only the gate's own page (sign-in,
    no access, refused) answering every address, with no menu."""
    return not [p for p in at._registered_pages.values() if p.get("script_path")]


def _sla_form_shown(at: AppTest) -> bool:
    return any(b.label in ("Save", "保存") for b in at.get("form_submit_button")) or bool(
        [w for w in at.selectbox if w.key == "chain_sla_code"]
    )


@pytest.mark.parametrize("role", ["leader", "analyst", "supervisor", "admin"])
def test_each_role_sees_its_pages_and_buttons(monkeypatch, users_db, role):
    at = _app(monkeypatch, users_db, PEOPLE[role])
    at.run()
    assert not at.exception
    assert nav_paths(at) == NAV[role]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert {"leader": "Leader", "analyst": "Analyst", "supervisor": "Supervisor", "admin": "Administrator"}[
        role
    ] in sidebar
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not [h for h in at.get("html") if "gs-demo-banner" in h.proto.body]  # sign-in on: no demo banner
    if role == "analyst":
        assert "Data scope" in sidebar  # scoped to one street
    at.switch_page("dashboard/pages/chain.py")
    at.run()
    assert not at.exception
    assert _sla_form_shown(at) == (role in ("supervisor", "admin"))
    downloads = [d.label for d in at.get("download_button")]
    assert bool(downloads) == (role != "leader"), downloads


def test_first_sign_in_by_e_mail_binds_the_subject_and_one_token_is_one_sign_in(monkeypatch, users_db):
    from data.audit import list_audit, parse_details
    from data.users import list_users

    token = {**PEOPLE["analyst"], "iat": 1764580000}
    for _ in range(2):  # a reload: a new session with the same identity token
        at = _app(monkeypatch, users_db, token)
        at.run()
        assert not at.exception and nav_paths(at) == NAV["analyst"]
    at = _app(monkeypatch, users_db, {**token, "iat": 1764583600})  # signed in again later
    at.run()
    # another account of the provider with the same e-mail address: no longer the analyst
    impostor = _app(monkeypatch, users_db, {**PEOPLE["analyst"], "sub": "kc-impostor"})
    impostor.run()
    assert [x.value for x in impostor.main.title] == ["No access yet"] and no_page(impostor)
    store = DuckDBStore(users_db)
    try:
        users = {u.email: u for u in list_users(store)}
        sign_ins = list_audit(store, action="sign_in")
        binds = list_audit(store, action="user_change")
    finally:
        store.close()
    assert users["analyst@example.org"].subject == "kc-new-subject"
    assert users["analyst@example.org"].streets == (STREET,) and users["analyst@example.org"].role == "analyst"
    assert sign_ins["actor"].tolist() == ["analyst@example.org"] * 2  # two tokens, not three sessions
    assert [parse_details(d)["change"] for d in binds["details"]] == ["bind"]


def test_refused_sla_edit_called_anyway_changes_nothing(monkeypatch, users_db):
    """The leader's page has no SLA form; the save handler called directly still refuses."""

    def script() -> None:
        import streamlit as st

        from dashboard.components.sla_editor import save_sla
        from dashboard.state import get_base_store

        store = get_base_store()
        if "before" not in st.session_state:  # a saved edit reruns the script: save once
            st.session_state["before"] = store.fetch("list_categories").to_dict("records")
            save_sla("garbage", 1.0, 2.0, {})
        st.session_state["after"] = store.fetch("list_categories").to_dict("records")

    for role, changed in (("leader", False), ("analyst", False), ("supervisor", True)):
        monkeypatch.setenv("GRIDSCOPE_DB", str(users_db))
        at = AppTest.from_function(script, default_timeout=120)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, **PEOPLE[role]}
        at.session_state["lang"] = "en"
        at.run()
        assert not at.exception
        before, after = at.session_state["before"], at.session_state["after"]
        assert (before != after) == changed, role
        if not changed:
            assert [e.value for e in at.error] == [
                f"Your role ({role.capitalize()}) may not change SLAs; nothing was done and no data changed."
            ]
        else:
            row = next(r for r in after if r["code"] == "garbage")
            assert (row["sla_response_h"], row["sla_close_h"]) == (1.0, 2.0)


def test_refused_import_called_anyway_changes_nothing(monkeypatch, users_db, tmp_path):
    """The import handler of the import page run by a supervisor (who cannot open the page)
    refuses and the store keeps its events and batches; the same call as an admin imports."""
    csv = tmp_path / "events.csv"
    csv.write_text(
        "event_id,reported_at,category,lon,lat\n"
        "IMP-1,2026-06-20 08:00:00,garbage,116.40,39.91\nIMP-2,2026-06-20 09:00:00,garbage,116.41,39.92\n",
        encoding="utf-8",
    )

    def script(path: str, page_file: str) -> None:
        import sys
        import types
        from pathlib import Path

        import streamlit as st

        from dashboard.state import get_base_store
        from data.ingest.mappings import detect_mapping

        store = get_base_store()

        def counts() -> tuple[int, int]:
            c = store.table_counts()
            return c["events"], c["import_batches"]

        st.session_state["before"] = counts()
        # the page's functions without running the page (which refuses first: require + st.stop)
        text = Path(page_file).read_text(encoding="utf-8").rstrip()
        assert text.endswith("\nrender()")
        module = types.ModuleType("data_import_under_test")
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(text.removesuffix("render()"), page_file, "exec"), module.__dict__)
        page = module.__dict__
        mapping = detect_mapping(["event_id", "reported_at", "category", "lon", "lat"], "events")
        page["_import"](store, "events", Path(path), {"mapping": mapping, "crs": "EPSG:4326"}, "key")
        st.session_state["after"] = counts()

    for role, changed in (("supervisor", False), ("admin", True)):
        monkeypatch.setenv("GRIDSCOPE_DB", str(users_db))
        at = AppTest.from_function(script, args=(str(csv), PAGE), default_timeout=120)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, **PEOPLE[role]}
        at.session_state["lang"] = "en"
        at.run()
        assert not at.exception
        before, after = at.session_state["before"], at.session_state["after"]
        if changed:
            assert after == (before[0] + 2, before[1] + 1)
        else:
            assert after == before
            refusal = "Your role (Supervisor) may not import data; nothing was done and no data changed."
            assert [e.value for e in at.error] == [refusal]


def test_import_page_is_not_reachable_for_a_leader(monkeypatch, users_db):
    at = _app(monkeypatch, users_db, PEOPLE["leader"])
    at.run()
    assert "import" not in nav_paths(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("dashboard/pages/data_import.py")

    def script(page_file: str) -> None:  # the page file run anyway: it refuses itself
        import runpy

        runpy.run_path(page_file, run_name="data_import_page")

    monkeypatch.setenv("GRIDSCOPE_DB", str(users_db))
    page = AppTest.from_function(script, args=(PAGE,), default_timeout=120)
    page.secrets["auth"] = dict(AUTH)
    page.user = {"is_logged_in": True, **PEOPLE["leader"]}
    page.session_state["lang"] = "zh"
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] == ["您的角色（领导）无权导入数据，操作未执行，数据未作任何更改。"]
    assert not page.file_uploader and not page.main.title  # nothing of the page after the refusal


@pytest.mark.parametrize(
    "lang, title, body",
    [
        ("en", "No access yet", "You are signed in as **stranger\\@\u2060example\\.org**"),
        ("zh", "暂无访问权限", "您已登录为 **stranger\\@\u2060example\\.org**"),
    ],
)
def test_signed_in_stranger_sees_only_no_access(monkeypatch, users_db, lang, title, body):
    at = _app(monkeypatch, users_db, {"sub": "kc-stranger", "email": "stranger@example.org"}, lang)
    at.run()
    assert not at.exception
    assert [x.value for x in at.main.title] == [title]
    assert len(at.info) == 1 and at.info[0].value.startswith(body)
    assert [b.label for b in at.button] == ["Sign out" if lang == "en" else "退出登录"]
    assert no_page(at)  # no navigation, no page
    assert not at.metric and not at.dataframe
    assert not [c for c in at.sidebar.caption if "DuckDB" in c.value]  # not even the store's name


def test_unverified_email_does_not_match(monkeypatch, users_db):
    person = {**PEOPLE["analyst"], "email_verified": False}
    at = _app(monkeypatch, users_db, person)
    at.run()
    assert [x.value for x in at.main.title] == ["No access yet"]


def test_sign_in_page_then_sign_out(monkeypatch, users_db):
    at = _app(monkeypatch, users_db, None)
    at.run()
    assert not at.exception
    assert [x.value for x in at.main.title] == ["Please sign in"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert no_page(at)
    signed_in = _app(monkeypatch, users_db, PEOPLE["admin"])
    signed_in.run()
    assert "import" in nav_paths(signed_in)
    signed_in.sidebar.button[0].click().run()  # sign out
    assert not signed_in.exception
    assert [x.value for x in signed_in.main.title] == ["Please sign in"]


def test_demo_mode_starts_without_settings_and_shows_its_banner(monkeypatch, users_db):
    for lang, text in (("zh", "演示模式：未启用登录"), ("en", "Demo mode: sign-in is off")):
        at = _app(monkeypatch, users_db, None, lang, auth=None)
        at.run()
        assert not at.exception
        banners = [h.proto.body for h in at.get("html") if "gs-demo-banner" in h.proto.body]
        assert len(banners) == 1 and text in banners[0]
        assert NAV["admin"] <= nav_paths(at)  # everyone is an administrator in demo mode
        assert not at.sidebar.button  # no sign-out: nobody signed in


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_required_without_provider_refuses_to_start(monkeypatch, users_db, lang):
    monkeypatch.setenv("GRIDSCOPE_AUTH", "required")
    monkeypatch.setenv("GRIDSCOPE_DB", str(users_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    title = {"zh": "看板未启动：登录配置有误", "en": "The dashboard did not start: sign-in is misconfigured"}[lang]
    assert [x.value for x in at.main.title] == [title]
    assert "GRIDSCOPE_AUTH=required" in at.error[0].value and "server_metadata_url" in at.error[0].value
    assert no_page(at) and not at.metric


def test_incomplete_auth_section_is_refused(monkeypatch, users_db):
    at = _app(monkeypatch, users_db, PEOPLE["admin"], auth={"redirect_uri": AUTH["redirect_uri"]})
    at.run()
    assert "missing: cookie_secret, client_id, client_secret, server_metadata_url" in shown(at.error[0].value)
    assert no_page(at)


def test_preflight_refuses_required_without_provider(monkeypatch, tmp_path, capsys):
    from dashboard.auth.preflight import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    monkeypatch.setenv("GRIDSCOPE_AUTH", "required")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "no OIDC provider is configured" in err and "没有配置 OIDC 身份提供方" in err
    assert "Traceback" not in err
    monkeypatch.delenv("GRIDSCOPE_AUTH")
    assert main(["--server.address", "127.0.0.1"]) == 0  # demo on this machine: starts
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text('[server]\naddress = "127.0.0.1"\n', encoding="utf-8")
    assert main([]) == 0  # the project's config binds 127.0.0.1
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        'GRIDSCOPE_AUTH = "required"\n[auth]\n' + "".join(f'{k} = "{v}"\n' for k, v in AUTH.items()),
        encoding="utf-8",
    )
    assert main(["--server.address", "0.0.0.0"]) == 0  # required with a provider: starts, on any address


def test_preflight_refuses_demo_mode_served_to_other_machines(monkeypatch, tmp_path, capsys):
    from dashboard.auth.preflight import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GRIDSCOPE_AUTH", raising=False)
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "10.1.2.3")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "does not run on an address other machines reach (10.1.2.3)" in err and "人人都是管理员" in err
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS")
    assert main([]) == 2  # no address anywhere: Streamlit's default is every interface
    assert "(*)" in capsys.readouterr().err
    assert main(["--server.address=0.0.0.0"]) == 2
    monkeypatch.setenv("GRIDSCOPE_AUTH", "demo")  # on purpose
    assert main(["--server.address=0.0.0.0"]) == 0


@pytest.mark.parametrize("secret", ["change-me-to-64-random-hex-characters", "short-secret"])
def test_a_weak_cookie_secret_is_refused(monkeypatch, tmp_path, capsys, secret):
    from dashboard.auth.preflight import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n" + "".join(f'{k} = "{secret if k == "cookie_secret" else v}"\n' for k, v in AUTH.items()),
        encoding="utf-8",
    )
    assert main(["--server.address", "127.0.0.1"]) == 2
    err = capsys.readouterr().err
    assert "cookie_secret in [auth] of .streamlit/secrets.toml is the example value or too short" in err
    assert "至少 32 个字符" in err


@pytest.mark.postgis
def test_postgis_sla_edit_goes_through_the_writer_connection(monkeypatch):
    """The dashboard reads as gridscope_reader; an SLA edit writes through GRIDSCOPE_WRITER_DSN.
    Without that setting the edit is refused as read-only and nothing changes."""
    from data.demo.catalog import categories_frame, departments_frame
    from queries.postgis_migrations import READER_ROLE
    from queries.postgis_store import PostGISStore
    from tests.queries.conftest import _dsn_for, create_test_database, drop_test_database

    dsn = create_test_database()
    owner = PostGISStore(dsn)
    try:
        owner.insert_frame("departments", departments_frame())
        owner.insert_frame("categories", categories_frame())
        import psycopg

        reader = _dsn_for(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"], READER_ROLE)

        def script() -> None:
            import streamlit as st

            from dashboard.components.sla_editor import save_sla
            from dashboard.state import get_store, get_writer_store

            if "done" not in st.session_state:
                st.session_state["done"] = True
                try:
                    st.session_state["reader_is_writer"] = get_store() is get_writer_store()
                except PermissionError as exc:  # no writer configured: StoreReadOnly
                    st.session_state["reader_is_writer"] = type(exc).__name__
                save_sla("garbage", 1.5, 3.0, {})  # a saved edit reruns the script

        def sla() -> tuple[float, float]:
            row = owner.fetch("list_categories").set_index("code").loc["garbage"]
            return float(row["sla_response_h"]), float(row["sla_close_h"])

        before = sla()
        for writer, expected in (("", before), (dsn, (1.5, 3.0))):
            monkeypatch.setenv("GRIDSCOPE_DSN", reader)
            monkeypatch.setenv("GRIDSCOPE_WRITER_DSN", writer)
            monkeypatch.delenv("GRIDSCOPE_AUTH", raising=False)
            at = AppTest.from_function(script, default_timeout=120)
            at.session_state["lang"] = "en"
            at.run()
            assert not at.exception
            assert sla() == expected, writer
            if not writer:
                assert at.error and "read-only" in at.error[0].value.lower()
                assert at.session_state["reader_is_writer"] == "StoreReadOnly"
            else:
                assert at.session_state["reader_is_writer"] is False and not at.error
    finally:
        owner.close()
        drop_test_database(dsn)


def test_admin_manages_users_on_the_users_page(monkeypatch, users_db):
    at = _app(monkeypatch, users_db, PEOPLE["admin"], "zh")  # zh: choices are named outside the run in zh
    at.run()
    at.switch_page("dashboard/pages/users.py")
    at.run()
    assert not at.exception
    assert [x.value for x in at.main.title] == ["用户管理"]
    assert len(at.dataframe[0].value) == 4
    at.text_input(key="users_add_email").input("new.person@example.org")
    at.selectbox(key="users_add_role").set_value("analyst")
    at.multiselect(key="users_add_streets").set_value([STREET])
    at.button(key="FormSubmitter:users_add_form-添加").click().run()
    assert not at.exception and not at.error
    assert [shown(s.value).replace("\u2060", "") for s in at.success] == ["已添加用户 new.person@example.org。"]
    table = at.dataframe[0].value.set_index("subject")
    assert table.loc["new.person@example.org", "role"] == "分析员"
    # a refused value changes nothing and says why
    at.text_input(key="users_add_email").input("not-an-address")
    at.button(key="FormSubmitter:users_add_form-添加").click().run()
    assert (
        shown(at.error[0].value).replace("\u2060", "")
        == "未保存：“not-an-address”不是邮箱地址（例如 `name@example.org`）"
    )
    assert len(at.dataframe[0].value) == 5
    # removing asks first; cancel keeps the user, confirm removes it
    at.selectbox(key="users_pick").set_value("new.person@example.org").run()
    at.button(key="users_remove_new.person@example.org").click().run()
    assert [shown(w.value).replace("\u2060", "") for w in at.warning][-1].startswith(
        "确定移除用户 new.person@example.org？"
    )
    at.button(key="users_remove_no_new.person@example.org").click().run()
    assert not at.exception and len(at.dataframe[0].value) == 5 and not at.warning
    at.button(key="users_remove_new.person@example.org").click().run()
    at.button(key="users_remove_yes_new.person@example.org").click().run()
    assert not at.exception and len(at.dataframe[0].value) == 4
