"""Dashboard users, their roles and street scope (issue 10), kept in the store's ``users`` table.

A person who signs in is matched on the OIDC subject (``sub``), then on the e-mail (case
folded); nobody else gets in (default deny). Roles and what each may do:

=============  ====================================================================
``leader``     view every internal page
``analyst``    view, export (downloads, briefs)
``supervisor`` view, export, edit SLAs
``admin``      view, export, edit SLAs, import data, manage users, read the audit log
=============  ====================================================================

``streets`` limits a user to those street areas (empty: the whole district); the dashboard
then reads through ``queries.scoped_store.scoped_store``. Every change is validated before
it reaches the store: a bad value raises :class:`UserError` with a message that says what to
fix, and the store is left unchanged. Values reach SQL only as parameters of the named
queries ``user_*`` (queries/sql).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from data.store import Store

ROLES: tuple[str, ...] = ("leader", "analyst", "supervisor", "admin")
"""The four roles, from the fewest rights to the most."""

ACTIONS: tuple[str, ...] = ("view", "export", "edit_sla", "import", "manage_users", "view_audit")
"""What the dashboard asks :func:`can` about."""

RIGHTS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view"}),
    "analyst": frozenset({"view", "export"}),
    "supervisor": frozenset({"view", "export", "edit_sla"}),
    "admin": frozenset(ACTIONS),
}
"""The actions each role may take."""

DISTRICT_WIDE: frozenset[str] = frozenset({"edit_sla", "import", "manage_users", "view_audit"})
"""Actions that change or show the whole district (SLAs are per category for every street; the
audit trail and the users table span every street): never for a user scoped to streets."""

MAX_TEXT = 254
"""Longest subject, e-mail or display name accepted."""

_EMAIL = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.][^@\s,;<>\"']*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class UserError(ValueError):
    """A user value that cannot be stored; ``str()`` says which and what to fix (English).

    ``code`` and ``params`` let a page say the same in the reader's language: the page's
    message ``users_err_<code>`` takes ``params`` (``field`` is one of ``FIELDS``)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


FIELDS: dict[str, str] = {"email": "the e-mail", "subject": "the subject", "display_name": "the display name"}
"""The user fields a :class:`UserError` can name, with their English label."""


@dataclass(frozen=True)
class User:
    """A dashboard user: who (OIDC subject, e-mail, name), the role and the street scope."""

    subject: str
    email: str
    display_name: str
    role: str
    streets: tuple[str, ...] = ()
    """Street ``area_id`` values the user may see; empty: the whole district."""


def can(user: User | None, action: str) -> bool:
    """Whether ``user`` may take ``action`` (one of :data:`ACTIONS`); ``None`` may do nothing,
    and a user scoped to streets none of :data:`DISTRICT_WIDE`.

    >>> can(User("s", "a@b.cn", "A", "supervisor"), "edit_sla"), can(User("s", "", "", "leader"), "export")
    (True, False)
    >>> can(User("s", "", "", "supervisor", ("110101001",)), "edit_sla")
    False
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if user is None or (user.streets and action in DISTRICT_WIDE):
        return False
    return action in RIGHTS.get(user.role, frozenset())


def parse_streets(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Street ids from ``"s1,s2"`` (or a list), stripped, empty ones dropped, first-seen order.

    >>> parse_streets(" s2, s1,,s2 ")
    ('s2', 's1')
    """
    parts = text.split(",") if isinstance(text, str) else list(text or ())
    seen: dict[str, None] = {}
    for part in parts:
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)


def _user(row: pd.Series) -> User:
    def text(name: str) -> str:
        value = row[name]
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    return User(text("subject"), text("email"), text("display_name"), text("role"), parse_streets(text("streets")))


def list_users(store: Store) -> list[User]:
    """Every user, by subject."""
    return [_user(row) for _, row in store.fetch("user_list").iterrows()]


def find_user(store: Store, subject: str | None, email: str | None = None) -> User | None:
    """The user with OIDC ``subject``, else the one with ``email`` (case folded), else ``None``."""
    if not subject and not email:
        return None
    rows = store.fetch("user_match", subject=subject or None, email=email or None)
    return _user(rows.iloc[0]) if len(rows) else None


def sign_in_user(store: Store, subject: str | None, email: str | None) -> User | None:
    """The user a signed-in person is: the row with OIDC ``subject``, else a row added by
    e-mail that nobody has signed in to yet (its subject is still the e-mail) with ``email``;
    a row with a provider's subject is never matched by e-mail."""
    if not subject and not email:
        return None
    rows = store.fetch("user_sign_in", subject=subject or None, email=email or None)
    return _user(rows.iloc[0]) if len(rows) else None


def bind_subject(store: Store, email: str, subject: str) -> bool:
    """At the first sign-in of a user added by ``email``: the row's subject becomes the
    provider's ``subject`` (later sign-ins match it, never the e-mail again); True when a row
    was bound (none when the subject is already someone's or the row has a subject)."""
    store.execute("user_bind_subject", email=email, subject=subject, now=datetime.now().replace(microsecond=0))
    return sign_in_user(store, subject, None) is not None


def _text(field: str, value: str) -> str:
    label = FIELDS[field]
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise UserError(
            "too_long",
            f"{label} is too long ({len(value)} characters; at most {MAX_TEXT})",
            field=field,
            length=len(value),
            limit=MAX_TEXT,
        )
    if _CONTROL.search(value):
        raise UserError("control", f"{label} contains a control character", field=field)
    return value


def _email(value: str) -> str:
    value = _text("email", value)
    if value and not _EMAIL.fullmatch(value):
        raise UserError("email", f"{value!r} is not an e-mail address (name@example.org)", value=value)
    return value


def _role(value: str) -> str:
    role = (value or "").strip().lower()
    if role not in ROLES:
        raise UserError(
            "role", f"unknown role {value!r}; the role must be one of {', '.join(ROLES)}", value=value, roles=ROLES
        )
    return role


def _streets(store: Store, streets: Sequence[str]) -> tuple[str, ...]:
    chosen = parse_streets(streets)
    if not chosen:
        return ()
    known = set(store.fetch("list_areas", level="street")["area_id"].astype(str))
    unknown = [s for s in chosen if s not in known]
    if unknown:
        shown = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
        named = ", ".join(map(repr, unknown))
        if not known:
            raise UserError(
                "no_streets",
                f"no street area {named} in the store; the store has no street areas yet (import areas first)",
            )
        raise UserError(
            "street", f"no street area {named} in the store; street area_ids are: {shown}", streets=named, known=shown
        )
    return chosen


def _validated(store: Store, user: User) -> User:
    email = _email(user.email)
    subject = _text("subject", user.subject) or email.lower()
    if not subject:
        raise UserError("who", "give the OIDC subject (sub) or the e-mail of the user")
    role, streets = _role(user.role), _streets(store, user.streets)
    if role == "admin" and streets:
        raise UserError(
            "admin_scope", "an administrator manages the whole district: give an admin no streets, or another role"
        )
    return User(
        subject=subject,
        email=email,
        display_name=_text("display_name", user.display_name),
        role=role,
        streets=streets,
    )


def _email_taken(store: Store, email: str, subject: str) -> None:
    if not email:
        return
    for other in list_users(store):
        if other.subject != subject and other.email.lower() == email.lower():
            raise UserError(
                "email_taken",
                f"the e-mail {email!r} already belongs to user {other.subject!r}",
                email=email,
                other=other.subject,
            )


def _params(user: User) -> dict[str, object]:
    return {
        "subject": user.subject,
        "email": user.email or None,
        "display_name": user.display_name or None,
        "role": user.role,
        "streets": ",".join(user.streets),
        "now": datetime.now().replace(microsecond=0),
    }


def add_user(
    store: Store,
    *,
    role: str,
    subject: str = "",
    email: str = "",
    display_name: str = "",
    streets: Sequence[str] = (),
) -> User:
    """Add a user and return it as stored. Without ``subject`` the subject is the e-mail
    (lower case), so a user can be added before their first sign-in and is matched by e-mail.

    Raises :class:`UserError` for an unknown role or street, a malformed e-mail, a subject or
    e-mail another user has; the store is then unchanged."""
    user = _validated(store, User(subject, email, display_name, role, tuple(streets)))
    if find_user(store, user.subject) is not None:
        raise UserError(
            "exists", f"user {user.subject!r} already exists (change it with `gridscope users set`)", who=user.subject
        )
    _email_taken(store, user.email, user.subject)
    store.execute("user_insert", **_params(user))
    return user


def resolve_user(store: Store, key: str) -> User:
    """The user whose subject, else e-mail (case folded), is ``key``; :class:`UserError` if none."""
    key = (key or "").strip()
    user = find_user(store, key, key if "@" in key else None)
    if user is None:
        raise UserError("not_found", f"no user {key!r} (list them with `gridscope users list`)", who=key)
    return user


def set_user(
    store: Store,
    key: str,
    *,
    role: str | None = None,
    email: str | None = None,
    display_name: str | None = None,
    streets: Sequence[str] | None = None,
) -> tuple[User, User]:
    """Change the given fields of user ``key`` (subject or e-mail; ``None``: keep); return
    ``(before, after)``. ``streets=()`` gives the whole district. Raises :class:`UserError`
    (store unchanged) like :func:`add_user`, or when no user is ``key``."""
    before = resolve_user(store, key)
    changes: dict[str, object] = {}
    if role is not None:
        changes["role"] = role
    if email is not None:
        changes["email"] = email
    if display_name is not None:
        changes["display_name"] = display_name
    if streets is not None:
        changes["streets"] = tuple(streets)
    after = _validated(store, replace(before, **changes))  # type: ignore[arg-type]
    after = replace(after, subject=before.subject)
    _email_taken(store, after.email, after.subject)
    if after != before:
        store.execute("user_update", **_params(after))
    return before, after


def remove_user(store: Store, key: str) -> User:
    """Remove user ``key`` (subject or e-mail) and return it; :class:`UserError` if none."""
    user = resolve_user(store, key)
    store.execute("user_delete", subject=user.subject)
    return user


def user_record(user: User) -> dict[str, object]:
    """``user`` as the audit trail records it (before / after of a ``user_change``)."""
    return {
        "subject": user.subject,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "streets": list(user.streets),
    }


def users_frame(users: Sequence[User]) -> pd.DataFrame:
    """``users`` as a table: subject, email, display_name, role, streets (comma-separated)."""
    return pd.DataFrame(
        [(u.subject, u.email, u.display_name, u.role, ",".join(u.streets)) for u in users],
        columns=["subject", "email", "display_name", "role", "streets"],
    )


__all__ = [
    "ACTIONS",
    "DISTRICT_WIDE",
    "RIGHTS",
    "ROLES",
    "FIELDS",
    "User",
    "UserError",
    "add_user",
    "bind_subject",
    "can",
    "find_user",
    "list_users",
    "parse_streets",
    "remove_user",
    "resolve_user",
    "set_user",
    "sign_in_user",
    "user_record",
    "users_frame",
]
