"""Governance-chain helpers: the per-category SLA edit (a named statement with bound values).

The dashboard may read PostGIS as the SELECT-only ``gridscope_reader`` role; an edit there
raises :class:`~data.store.StoreReadOnly`, which the page turns into a message.
"""

from __future__ import annotations

import math

from data.store import Store, StoreReadOnly

__all__ = ["READ_ONLY_SQLSTATES", "set_category_sla"]

READ_ONLY_SQLSTATES: dict[str, str] = {
    "42501": "insufficient_privilege",
    "25006": "read_only_sql_transaction",
}
"""PostgreSQL error codes that mean "this role may not write"."""

MAX_SLA_HOURS = 24 * 365
"""Largest SLA accepted (a year); anything longer is a typing mistake."""


def set_category_sla(store: Store, code: str, *, response_h: float, close_h: float) -> None:
    """Set the response and close SLA (hours) of category ``code``.

    Parameters
    ----------
    store : the store to write to
    code : ``categories.code``
    response_h, close_h : new SLA hours; both positive, ``response_h <= close_h``

    Raises
    ------
    ValueError
        When the hours are not finite, not positive, above :data:`MAX_SLA_HOURS`, or the
        response SLA exceeds the close SLA.
    KeyError
        When no category has ``code``.
    StoreReadOnly
        When the store's role may not write (the dashboard's PostGIS reader).
    """
    response_h, close_h = float(response_h), float(close_h)
    for name, value in (("response", response_h), ("close", close_h)):
        if not math.isfinite(value) or value <= 0 or value > MAX_SLA_HOURS:
            raise ValueError(f"the {name} SLA must be a number of hours in (0, {MAX_SLA_HOURS}], got {value}")
    if response_h > close_h:
        raise ValueError(f"the response SLA ({response_h} h) cannot be longer than the close SLA ({close_h} h)")
    known = store.fetch("list_categories")["code"]
    if code not in set(known):
        raise KeyError(f"no category {code!r}")
    try:
        store.execute("update_category_sla", code=code, sla_response_h=response_h, sla_close_h=close_h)
        store.execute("refresh_event_deadlines", category=code)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) in READ_ONLY_SQLSTATES or "read-only" in str(exc):
            raise StoreReadOnly(f"this connection may not change the SLA of {code!r}: "
                                f"{str(exc).splitlines()[0]}") from exc
        raise
