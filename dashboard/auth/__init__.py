"""Identity, roles and refusals of the internal dashboard (issue 10).

* :func:`current_user` — who this session is (:class:`User`), ``None`` when nobody may be
  let in (not signed in, not in ``users``: default deny); :data:`DEMO_USER` in demo mode.
* :func:`can` — whether a user may take an action (``view``, ``export``, ``edit_sla``,
  ``import``, ``manage_users``, ``view_audit``; rights per role in ``data/users.py``).
* :func:`require` — for a page or a button: refuse clearly (zh/en) and stop the run.
* :func:`allowed` — for an action handler: check the right *in the handler itself* (a
  hidden button may still be triggered), say so and return ``False`` when refused.

Sign-in is Streamlit's ``st.login``/``st.user``/``st.logout`` with the OIDC provider in
``.streamlit/secrets.toml``; :mod:`dashboard.auth.gate` renders the sign-in, no-access and
refused pages, the demo banner and the sign-out button.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from data.users import ACTIONS, RIGHTS, ROLES, User
from data.users import can as _can

from .config import AuthConfig
from .identity import DEMO_USER, auth_config, current_user, forget_user, is_demo_mode


def can(user: User | None, action: str) -> bool:
    """Whether ``user`` may take ``action`` (``None``: nothing)."""
    return _can(user, action)


def role_label(role: str) -> str:
    """The role's name in the page's language."""
    return t(f"auth_role_{role}") if role in ROLES else role


def refusal(action: str, user: User | None = None) -> str:
    """The message for a refused ``action`` (zh/en, names the role and the action)."""
    user = user if user is not None else current_user()
    return t("auth_refused_action", role=role_label(user.role) if user else "—", action=t(f"auth_action_{action}"))


def _record_refusal(action: str, page: str) -> None:
    """Leave a trace of the refusal in the audit trail."""
    from .trail import audit  # here: trail imports this package

    try:
        audit("refused", page=page, wanted=action)
    except Exception:  # noqa: BLE001 - a refusal is shown even when the trail cannot be written
        import logging

        logging.getLogger("gridscope").exception("could not record a refused %s", action)


def allowed(action: str, page: str = "") -> bool:
    """For an action handler: ``True`` when the current user may take ``action``; otherwise
    show the refusal, record it and return ``False`` (the handler then changes nothing)."""
    user = current_user()
    if can(user, action):
        return True
    st.error(refusal(action, user), icon=":material/block:")
    _record_refusal(action, page)
    return False


def require(action: str, page: str = "") -> User:
    """For a page or a section: return the user when they may take ``action``, else show a
    clear refusal and stop the run (``st.stop``)."""
    if not allowed(action, page):
        st.stop()
    user = current_user()
    assert user is not None  # allowed() is False for None
    return user


__all__ = [
    "ACTIONS",
    "DEMO_USER",
    "RIGHTS",
    "ROLES",
    "AuthConfig",
    "User",
    "allowed",
    "auth_config",
    "can",
    "current_user",
    "forget_user",
    "is_demo_mode",
    "refusal",
    "require",
    "role_label",
]
