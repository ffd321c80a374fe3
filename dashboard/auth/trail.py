"""The dashboard's audit trail (全程留痕): :func:`audit` records what the signed-in user did.

Every page view (once per page and address, not on every rerun), export, SLA change, import,
sign-in and refusal (those two from :mod:`dashboard.auth.gate` and :func:`dashboard.auth.require`)
goes to ``audit_log`` through :func:`data.audit.record_audit`, on the process's base store (on
PostGIS the reader role appends through migration 011's function). A failed write never takes
the page down and is never silent: the page shows a warning with a reference, and the server
log has the error with the same reference.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

import streamlit as st

from data.audit import record_audit
from data.store import Store

LOG = logging.getLogger("gridscope.audit")

PAGE_KEY = "_audit_page"
"""Session key of the page being rendered (its url path), the default ``page`` of a row."""

_VIEWED = "_audit_viewed"
_PENDING = "_audit_pending"  # references of failed writes not yet shown by a completed run
_IN_PAGE = "_audit_in_page"  # the page is being rendered: a warning can go on it now
_IGNORED_PARAMS = frozenset({"lang"})  # the language is no filter: switching it is no new view


def audit_store() -> Store:
    """The unscoped store of the process, which the trail is written to and read from (a
    street scope does not apply to it)."""
    from dashboard.state import get_base_store

    return get_base_store()


def _who() -> tuple[str, str | None]:
    """``(actor, role)`` of this session: the user's e-mail (else subject) and role; a person
    signed in but not in ``users`` is their identity claim with no role."""
    from dashboard.auth.identity import claims, current_user, identity_email

    user = current_user()
    if user is not None:
        return user.email or user.subject, user.role
    info = claims()
    return (identity_email(info) or str(info.get("sub") or "") or "anonymous"), None


def audit(action: str, page: str = "", **details: object) -> bool:
    """Record ``action`` (``page_view``, ``export``, ``sla_change``, ``import``, ``sign_in``,
    ``refused`` ...) by the current user on ``page`` (default: the page being rendered) with
    ``details``; True when recorded. Never raises: a failure is a warning on the page and an
    error with the same reference in the server log."""
    try:
        actor, role = _who()
        record_audit(
            audit_store(),
            actor=actor,
            role=role,
            action=action,
            page=page or str(st.session_state.get(PAGE_KEY, "")),
            details=details or None,
        )
    except Exception:  # noqa: BLE001 - the audit must not take the page down, but must leave a trace
        ref = uuid.uuid4().hex[:8]
        LOG.exception("audit write failed: %s on %r with %s, reference %s", action, page, sorted(details), ref)
        # Kept until a run of the page completes: a write in a callback (before the page) or
        # one followed by st.rerun() (the SLA save) is shown by the next run's begin_page().
        st.session_state.setdefault(_PENDING, []).append(ref)
        if st.session_state.get(_IN_PAGE):
            _warn(ref)
        return False
    return True


def _warn(ref: str) -> None:
    from dashboard.i18n import t

    st.warning(t("audit_write_failed", ref=ref), icon=":material/warning:")


def begin_page(url_path: str) -> None:
    """Before the page: note it (the ``page`` of this run's audit rows) and show the warnings
    of failed audit writes that no completed run has shown yet."""
    st.session_state[PAGE_KEY] = url_path or "home"
    st.session_state[_IN_PAGE] = True
    for ref in st.session_state.get(_PENDING, []):
        _warn(ref)


def record_page_view(url_path: str, params: Mapping[str, object]) -> None:
    """A ``page_view`` row when this page or its address (its filters) changed since this
    session's last recorded view; reruns with the same address record nothing."""
    page = url_path or "home"
    query = {k: v for k, v in sorted(params.items()) if k not in _IGNORED_PARAMS}
    try:
        who = _who()
    except Exception:  # noqa: BLE001 - audit() below says so; the key then is the page and address
        who = ("", None)
    key = (page, repr(query), who)
    if st.session_state.get(_VIEWED) != key:
        audit("page_view", page, query=query)
        st.session_state[_VIEWED] = key  # also after a failed write: it warns once, not on every rerun
    # the run completed: its warnings were shown
    st.session_state[_PENDING] = []
    st.session_state[_IN_PAGE] = False


def export_callback(kind: str, file_name: str, rows: int, notes: object = ()) -> None:
    """``on_click`` of a download button: an ``export`` row with the file, its rows and the
    filters it was made with (``notes``: the (label, value) rows written into the file)."""
    filters = dict(notes) if isinstance(notes, list | tuple) else notes
    audit("export", kind=kind, file=file_name, rows=rows, filters=filters or {})
