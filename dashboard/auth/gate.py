"""The gate every run of the app passes before its navigation (``streamlit_app.py``).

* Refused configuration (``GRIDSCOPE_AUTH=required`` without a provider, an incomplete
  ``[auth]``, no Authlib): a clear message instead of any page.
* Sign-in on, nobody signed in: the sign-in page (``st.login``) and nothing else.
* Signed in but not in ``users``: "no access yet, ask your administrator" and a sign-out
  button, nothing else (default deny).
* Otherwise the sidebar shows who is signed in, the role and street scope, and a sign-out
  button; in demo mode every page opens with the demo banner.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Sequence
from typing import NoReturn

import streamlit as st

from dashboard.i18n import t
from dashboard.safe_text import md
from data.users import User

from . import DEMO_USER, auth_config, current_user, forget_user, role_label
from .identity import claims

LOG = logging.getLogger("gridscope")

_SIGNED_IN_KEY = "_auth_signed_in"


def _sign_out() -> None:
    forget_user()
    st.session_state.pop(_SIGNED_IN_KEY, None)
    st.logout()


def _sign_out_button(where: object = st.sidebar) -> None:
    where.button(  # type: ignore[attr-defined]
        t("auth_signout"), key="auth_signout", icon=":material/logout:", on_click=_sign_out
    )


def render_refused(problem: str, detail: str) -> None:
    """The page shown instead of the dashboard when the sign-in configuration is refused."""
    st.title(t("auth_refused_title"))
    st.error(t(problem, detail=md(detail)))


def render_sign_in(provider: str | None) -> None:
    """The sign-in page: what this is and the button that starts ``st.login``."""
    st.title(t("auth_signin_title"))
    st.write(t("auth_signin_intro"))
    if st.button(t("auth_signin_button"), type="primary", key="auth_signin", icon=":material/login:"):
        st.login(provider) if provider else st.login()


def render_no_access(info: dict[str, object]) -> None:
    """The page of someone signed in who is not in ``users``: whom to ask, sign-out."""
    who = str(info.get("email") or info.get("name") or "") or t("auth_no_access_unknown")
    st.title(t("auth_no_access_title"))
    st.info(t("auth_no_access_body", who=md(who)), icon=":material/lock:")
    _sign_out_button(st)


def render_account(user: User) -> None:
    """Sidebar: the signed-in user's name and role, their street scope, the sign-out button."""
    name = user.display_name or user.email or user.subject
    st.sidebar.caption(t("auth_signed_in_as", name=md(name), role=role_label(user.role)))
    if user.streets:
        from dashboard.components.names import street_names
        from dashboard.state import get_store

        names = street_names(get_store())
        st.sidebar.caption(t("auth_scope_streets", streets=md("、".join(names.get(s, s) for s in user.streets))))
    _sign_out_button()


def render_demo_banner() -> None:
    """The demo-mode banner at the top of every page (the app's own escaped HTML)."""
    st.html(
        '<div class="gs-demo-banner" role="status" style="background:#fff4e5;border:1px solid #f0a04b;'
        'border-radius:0.5rem;padding:0.45rem 0.9rem;color:#6b3b00;line-height:1.4;">'
        f'<span style="font-weight:600;margin-right:0.6rem;">⚠ {html.escape(t("auth_demo_banner"))}</span>'
        f'<span style="font-size:0.8rem;display:inline-block;">{html.escape(t("auth_demo_detail"))}</span></div>'
    )


_RECORDED: dict[tuple[str, str], None] = {}  # sign-ins (subject, token time) this process recorded, oldest first
_RECORDED_KEEP = 10_000
_RECORDED_LOCK = threading.Lock()  # sessions run in threads of one process


def _record_sign_in(user: User) -> None:
    """One ``sign_in`` row per sign-in: per identity token (its ``iat``/``auth_time``), not per
    browser session (a reload or a new tab is a new session with the same token). Remembered
    per process: a browser that moves to another replica may add one more row."""
    info = claims()
    issued = str(info.get("auth_time") or info.get("iat") or "")
    key = (user.subject, issued)
    if st.session_state.get(_SIGNED_IN_KEY) == key:
        return
    st.session_state[_SIGNED_IN_KEY] = key
    if issued:
        with _RECORDED_LOCK:
            if key in _RECORDED:
                return
            _RECORDED[key] = None
            while len(_RECORDED) > _RECORDED_KEEP:
                del _RECORDED[next(iter(_RECORDED))]
    from .trail import audit  # here: trail imports this package

    try:
        audit("sign_in", issued_at=issued or None)
    except Exception:  # noqa: BLE001 - signing in works even when the trail cannot be written
        LOG.exception("could not record a sign-in of %s", user.subject)


def _only(render: Callable[[], None], paths: Sequence[str]) -> NoReturn:
    """Show ``render`` alone and stop: a navigation without a menu whose every page (the
    app's addresses, so a bookmarked page is no "Page not found") is this one, replacing the
    menu an earlier run of the session showed (e.g. before signing out)."""
    pages = [st.Page(render, title=t("app_title"), url_path="signin", default=True)]
    pages += [
        st.Page(render, title=t("app_title"), url_path=path, visibility="hidden")
        for path in dict.fromkeys(paths)
        if path and path != "signin"
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover


def gate(paths: Sequence[str] = ()) -> User:
    """Return the user this run is for; otherwise render the refused, sign-in or no-access
    page, answering every address in ``paths`` with it, and stop the run (nothing after the
    gate runs, so no page and no store read)."""
    config = auth_config()
    if config.kind == "refused":
        LOG.error("sign-in configuration refused: %s %s", config.problem, config.detail)
        _only(lambda: render_refused(config.problem, config.detail), paths)
    if config.kind == "demo":
        return DEMO_USER
    info = claims()
    if not info:
        _only(lambda: render_sign_in(config.provider), paths)
    user = current_user()
    if user is None:
        _only(lambda: render_no_access(info), paths)
    assert user is not None
    _record_sign_in(user)
    render_account(user)
    return user
