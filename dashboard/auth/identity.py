"""Who is using the dashboard: the signed-in person matched to a row of ``users``, or the
demo user when sign-in is off (``dashboard/auth/config.py``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import replace

import streamlit as st

from data.users import ROLES, User, bind_subject, sign_in_user

from .config import AuthConfig, resolve

LOG = logging.getLogger("gridscope.auth")

DEMO_USER = User(subject="demo", email="", display_name="Demo", role="admin", streets=())
"""Who everyone is in demo mode: an administrator of the whole district."""

RECHECK_SECONDS = 10.0
"""How long a session keeps its looked-up user before reading ``users`` again (a removed user
loses access within this time, at their next page load)."""

_CACHE_KEY = "_auth_user"


def _auth_section() -> Mapping[str, object] | None:
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, OSError):
        return None
    except Exception:  # noqa: BLE001 - a malformed secrets file: treated as an incomplete [auth]
        return {"redirect_uri": ""}
    return section if isinstance(section, Mapping) and section else None


def auth_config() -> AuthConfig:
    """The sign-in configuration of this run (``GRIDSCOPE_AUTH`` and ``[auth]`` in secrets)."""
    from dashboard.state import current_settings

    return resolve(current_settings().auth, _auth_section())


def is_demo_mode() -> bool:
    """True when sign-in is off (no OIDC provider configured and ``GRIDSCOPE_AUTH=demo``)."""
    return auth_config().kind == "demo"


def claims() -> dict[str, object]:
    """The signed-in person's identity claims (``st.user``); empty when nobody is signed in."""
    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001 - outside a Streamlit run there is no user
        return {}
    return dict(info) if info.get("is_logged_in") else {}


def identity_email(info: Mapping[str, object]) -> str | None:
    """The e-mail to match on, unless the provider says it is not verified."""
    email = info.get("email")
    if not isinstance(email, str) or not email or info.get("email_verified") is False:
        return None
    return email


def current_user() -> User | None:
    """The user of this session: :data:`DEMO_USER` in demo mode; with sign-in, the ``users``
    row matched on the OIDC subject, else a row added by e-mail and not signed in to yet
    (whose subject is then bound, :func:`_bind`); ``None`` when nobody is signed in, the
    person is not in ``users`` (default deny) or the configuration is refused."""
    config = auth_config()
    if config.kind == "demo":
        return DEMO_USER
    if config.kind != "signin":
        return None
    info = claims()
    subject = str(info.get("sub") or "")
    email = identity_email(info)
    if not subject and not email:
        return None
    key = (subject, email)
    cached = st.session_state.get(_CACHE_KEY)
    if cached is not None and cached[0] == key and time.monotonic() - cached[1] < RECHECK_SECONDS:
        return cached[2]
    from dashboard.state import get_base_store

    user = sign_in_user(get_base_store(), subject or None, email)
    if user is not None and user.role not in ROLES:
        user = None
    if user is not None and subject and email and user.subject != subject:
        user = _bind(user, email, subject)
    st.session_state[_CACHE_KEY] = (key, time.monotonic(), user)
    return user


def _bind(user: User, email: str, subject: str) -> User:
    """The first sign-in of a user added by e-mail: bind the provider's subject to the row
    (through the writer store; the reader cannot write) so that no other account with that
    e-mail can sign in as them later. When it cannot be written now it is tried again at the
    next sign-in, and the person is let in as the row says."""
    from dashboard.state import get_writer_store

    from .trail import audit

    try:
        if bind_subject(get_writer_store(), email, subject):
            audit(
                "user_change",
                page="sign-in",
                change="bind",
                before={"subject": user.subject},
                after={"subject": subject},
            )
            return replace(user, subject=subject)
    except Exception:  # noqa: BLE001 - read-only store or replica: the row stays matched by e-mail for now
        LOG.warning("could not bind subject %r to the user added as %r", subject, user.subject, exc_info=True)
    return user


def forget_user() -> None:
    """Drop the session's looked-up user (after sign-out or a change of the users table)."""
    st.session_state.pop(_CACHE_KEY, None)
