"""Finding an event and reading its record: a search by id or text fragment, and the event's
whole chain (``event_log``) with its stage times judged against its category's SLA.

Internal pages only: the record holds the description and the exact point. The search text
reaches SQL only as bound parameters; ``%``, ``_`` and ``\\`` in it are escaped, so they match
themselves (``search_events.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from data.contracts import STAGES
from data.store import Store

__all__ = [
    "MAX_QUERY_LENGTH",
    "SEARCH_LIMIT",
    "EventRecord",
    "SlaCheck",
    "event_record",
    "like_pattern",
    "search_events",
]

SEARCH_LIMIT = 50
"""Events a search lists at most."""

MAX_QUERY_LENGTH = 100
"""Longer search texts are cut to this many characters."""


def like_pattern(text: str) -> str:
    """A case-insensitive ``LIKE … ESCAPE '\\'`` pattern matching ``text`` anywhere, the text's
    ``\\``, ``%`` and ``_`` standing for themselves.

    >>> like_pattern("50%_Off\\\\")
    '%50\\\\%\\\\_off\\\\\\\\%'
    """
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def clean_query(text: str) -> str:
    """The search text as it is searched: stripped, at most :data:`MAX_QUERY_LENGTH` characters.

    Raises ``ValueError`` for text with a NUL character (no store can hold one, so nothing
    could match; PostgreSQL would refuse the parameter).
    """
    if "\x00" in text:
        raise ValueError("the search text cannot contain NUL (\\x00) characters")
    return text.strip()[:MAX_QUERY_LENGTH]


def search_events(store: Store, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Events whose id is ``text``, or whose id, description or grid/community/street name
    contains it (ignoring case): the exact id first (``exact`` true), then newest first, at
    most ``limit``. Empty for an empty text."""
    q = clean_query(text)
    # an empty text finds nothing (LIMIT 0 keeps the columns)
    return store.fetch("search_events", q=q, pattern=like_pattern(q), limit=int(limit) if q else 0)


@dataclass(frozen=True)
class SlaCheck:
    """One deadline of an event: ``kind`` (``respond`` or ``close``), when it was due, when the
    step happened (``None``: not yet), and ``state``: ``on_time``, ``late`` (done after the
    deadline), ``overdue`` (not done, deadline passed), ``pending`` (not done, not yet due),
    ``cancelled`` (closed without a resolution: no deadline applies), ``skipped`` (closed
    without a response time: handled on the spot, never response-overdue) or ``unknown``
    (closed without a close time, or no deadline stored). ``hours`` is how late (late, overdue) or how much time is left
    (pending), in hours; ``None`` otherwise."""

    kind: str
    due: datetime | None
    done: datetime | None
    state: str
    hours: float | None


def _ts(value: Any) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600.0


def judge(
    kind: str, due: datetime | None, done: datetime | None, now: datetime, status: str, closed: datetime | None
) -> SlaCheck:
    """:class:`SlaCheck` of one deadline as of ``now``, as the rates count it (README
    "Definitions"): a step done exactly at the deadline is on time, a step after ``now`` is not
    yet done, an event closed (``closed``, or ``status`` closed/rated without a close time)
    without a response time skipped the response."""
    if status == "cancelled":
        return SlaCheck(kind, due, done, "cancelled", None)
    if done is not None and done > now:
        done = None
    untimed = closed is None and status in ("closed", "rated")
    is_closed = untimed or (closed is not None and closed <= now)
    if done is None and kind == "close" and untimed:
        return SlaCheck(kind, due, None, "unknown", None)
    if done is None and kind == "respond" and is_closed:
        return SlaCheck(kind, due, None, "skipped", None)
    if due is None:
        return SlaCheck(kind, None, done, "unknown", None)
    if done is not None:
        return SlaCheck(
            kind, due, done, "on_time" if done <= due else "late", None if done <= due else _hours(done, due)
        )
    if due < now:
        return SlaCheck(kind, due, None, "overdue", _hours(now, due))
    return SlaCheck(kind, due, None, "pending", _hours(due, now))


@dataclass(frozen=True)
class EventRecord:
    """An event's record: ``event`` (the fields of ``event_record.sql``), ``history`` (``stage``,
    ``at``, ``actor``, ``note``, ``hours_since_report``: the ``event_log`` rows, or the event's
    own stage times when the log holds none, e.g. imported data; ``from_log`` says which) and
    ``sla`` (the respond and close deadlines judged as of the record's ``as_of``)."""

    event: dict[str, Any]
    history: pd.DataFrame
    from_log: bool
    sla: tuple[SlaCheck, SlaCheck]
    as_of: datetime


def _history_from_stages(event: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {"stage": s, "at": _ts(event.get(f"{s}_at")), "actor": None, "note": None}
        for s in STAGES[:-1]
        if _ts(event.get(f"{s}_at")) is not None
    ]
    return pd.DataFrame(rows, columns=["stage", "at", "actor", "note"]).sort_values("at", kind="stable")


def event_record(store: Store, event_id: str, now: datetime) -> EventRecord | None:
    """The record of the event with id ``event_id`` as of ``now`` (``None`` when no event has it)."""
    if "\x00" in event_id:
        return None
    rows = store.fetch("event_record", event_id=event_id)
    if not len(rows):
        return None
    event = {str(k): (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rows.iloc[0].to_dict().items()}
    log = store.fetch("event_history", event_id=event_id)
    from_log = bool(len(log))
    history = log if from_log else _history_from_stages(event)
    reported = _ts(event["reported_at"])
    since = [float("nan") if reported is None else _hours(_ts(a) or reported, reported) for a in history["at"]]
    history = history.assign(hours_since_report=pd.Series(since, index=history.index, dtype="float64"))
    history = history.reset_index(drop=True)
    status, closed = str(event["status"]), _ts(event["closed_at"])
    sla = (
        judge("respond", _ts(event["respond_due_at"]), _ts(event["responded_at"]), now, status, closed),
        judge("close", _ts(event["close_due_at"]), closed, now, status, closed),
    )
    return EventRecord(event, history, from_log, sla, now)
