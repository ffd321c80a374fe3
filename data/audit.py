"""The audit trail (全程留痕): who did what and when, appended to ``audit_log`` on either store.

:func:`record_audit` validates every value before it reaches the store (the action from
:data:`ACTIONS`, actor and page as bounded single-line text, details as a JSON object of at most
:data:`MAX_DETAILS_CHARS` characters) and appends one row through the named statement
``audit_append``; :func:`list_audit` and :func:`count_audit` read it back through the named
queries ``audit_list`` / ``audit_count``, every value a bound parameter.

Append-only: on PostGIS the table takes rows only through a SECURITY DEFINER function and a
trigger refuses UPDATE, DELETE and TRUNCATE (migration 011); on DuckDB nothing in the store
protocol changes or deletes a row, but a single file has no roles (docs/AUDIT.md). A DuckDB file
opened read-only (replicas) keeps its rows in a spool beside it (:mod:`data.audit_spool`).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath

import pandas as pd

from data.audit_spool import spool_row
from data.store import Store

ACTIONS: tuple[str, ...] = (
    "page_view",
    "export",
    "sla_change",
    "import",
    "user_change",
    "sign_in",
    "refused",
)
"""What a row records (docs/CONTRACTS: issue 10)."""

MAX_TEXT = 200
"""Longest actor or page (characters); longer ones are cut and marked with …."""

MAX_ROLE = 40
"""Longest role name."""

MAX_VALUE_CHARS = 1000
"""Longest string inside details; longer ones are cut and marked with …."""

MAX_LIST_ITEMS = 100
"""Most items of a list inside details; the rest are counted, not kept."""

MAX_DEPTH = 4
"""Deepest nesting of details (objects and lists); deeper values are kept as their text."""

MAX_DETAILS_CHARS = 16_384
"""Longest details JSON text (the PostGIS CHECK holds the same bound)."""

TRUNCATED = "_truncated"
"""Key listing the details keys left out to keep the text under :data:`MAX_DETAILS_CHARS`."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AuditError(ValueError):
    """An audit row that cannot be recorded as given (unknown action, no actor, bad details)."""


def record_audit(
    store: Store,
    *,
    actor: str,
    role: str | None,
    action: str,
    page: str = "",
    details: Mapping[str, object] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one row to the audit trail.

    Parameters
    ----------
    store : the store to append to (on PostGIS the reader role may: migration 011)
    actor : who (the user's subject or e-mail; ``demo`` in demo mode); not empty
    role : their role at the time (``None`` when unknown, e.g. a refused sign-in)
    action : one of :data:`ACTIONS`
    page : the page's url path (``""`` for the command line)
    details : what exactly: filters of an export, old and new SLA, batch id and rows ...;
        keys are strings, values JSON-like (dates and times as ISO text, sets sorted)
    at : when; default now, in local time like every stored time (naive; an aware time is
        converted to local time)

    Raises
    ------
    AuditError
        When the action is unknown, the actor empty, or details not a mapping with string keys.
    """
    if action not in ACTIONS:
        raise AuditError(f"unknown audit action {action!r}; expected one of {', '.join(ACTIONS)}")
    who = _line(actor, MAX_TEXT)
    if not who:
        raise AuditError("an audit row needs an actor")
    row = {
        "at": _local(at),
        "actor": who,
        "role": (_line(role, MAX_ROLE) or None) if role is not None else None,
        "action": action,
        "page": _line(page, MAX_TEXT),
        "details": details_json(details),
    }
    if path := store.read_only_file():
        spool_row(path, row)  # a read-only DuckDB replica: merged when the file is writable
        return
    store.execute("audit_append", **row)


def _local(at: datetime | None) -> datetime:
    """``at`` (default now) as naive local time: an aware time is converted first, not just
    stripped of its zone."""
    if at is None:
        return datetime.now()
    return at.astimezone().replace(tzinfo=None) if at.tzinfo is not None else at


def details_json(details: Mapping[str, object] | None) -> str | None:
    """``details`` as compact JSON text (``None`` for none): values made JSON-safe, long
    strings and lists cut, then whole keys dropped from the end (listed under
    :data:`TRUNCATED`) until the text fits :data:`MAX_DETAILS_CHARS`.

    >>> details_json({"rows": 3, "file": "事件.csv", "day": date(2026, 6, 1)})
    '{"rows":3,"file":"事件.csv","day":"2026-06-01"}'
    """
    if details is None:
        return None
    if not isinstance(details, Mapping):
        raise AuditError(f"audit details must be a mapping, not {type(details).__name__}")
    if bad := [k for k in details if not isinstance(k, str)]:
        raise AuditError(f"audit details keys must be text, not {type(bad[0]).__name__}")
    if not details:
        return None
    clean = {_line(k, MAX_TEXT): _safe(v, 1) for k, v in details.items()}
    text = _dumps(clean)
    if len(text) <= MAX_DETAILS_CHARS:
        return text
    kept = dict(clean)
    dropped: list[str] = []
    while kept and len(_dumps({**kept, TRUNCATED: dropped})) > MAX_DETAILS_CHARS:
        dropped.insert(0, kept.popitem()[0])
        if len(_dumps({TRUNCATED: dropped})) > MAX_DETAILS_CHARS // 2:  # many long keys: count them
            dropped = [f"{len(dropped)} keys"]
    return _dumps({**kept, TRUNCATED: dropped})


def _dumps(value: object) -> str:
    # ensure_ascii=False keeps Chinese readable; lone surrogates would not encode as UTF-8
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _line(value: object, limit: int) -> str:
    """``value`` as one line of text: control characters as spaces, trimmed, at most ``limit``."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe(value: object, depth: int) -> object:
    """A JSON-safe copy of ``value`` (see :func:`details_json`)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"
    if isinstance(value, datetime | date | time | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, Decimal):
        return _safe(float(value), depth)
    if isinstance(value, enum.Enum):
        return _safe(value.value, depth)
    if isinstance(value, PurePath):
        return _safe(str(value), depth)
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalars
        return _safe(value.item(), depth)
    if depth > MAX_DEPTH:
        return _safe(str(value), depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {_line(k, MAX_TEXT): _safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        value = sorted(value, key=str)
    if isinstance(value, list | tuple):
        items = [_safe(v, depth + 1) for v in value[:MAX_LIST_ITEMS]]
        if len(value) > MAX_LIST_ITEMS:
            items.append(f"… {len(value) - MAX_LIST_ITEMS} more")
        return items
    return _safe(str(value), depth)


def list_audit(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> pd.DataFrame:
    """Audit rows newest first: ``since <= at < until``, by ``actor``, of ``action`` (each
    filter when given), ``limit`` rows after ``offset``; columns seq, at, actor, role, action,
    page, details (JSON text)."""
    return store.fetch(
        "audit_list", **_filters(since, until, actor, action), limit=_bounded(limit, 1), offset=_bounded(offset, 0)
    )


def count_audit(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> int:
    """How many rows :func:`list_audit` with these filters pages through."""
    return int(store.fetch("audit_count", **_filters(since, until, actor, action))["n"].iloc[0])


def audit_actors(store: Store) -> list[str]:
    """Everyone in the audit trail, sorted (the actor filter's choices)."""
    return [str(a) for a in store.fetch("audit_actors")["actor"]]


def _filters(
    since: datetime | None, until: datetime | None, actor: str | None, action: str | None
) -> dict[str, object]:
    return {"since": since, "until": until, "actor": actor or None, "action": action or None}


def _bounded(value: int, low: int) -> int:
    """``value`` as an int in [low, 10⁹] (a page size or offset from a page or the CLI)."""
    return min(max(int(value), low), 1_000_000_000)


def parse_details(text: object) -> dict[str, object]:
    """The details of a stored row as a dict (``{}`` for none or text that is not a JSON object)."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
