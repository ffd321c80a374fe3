""" "Track my report" (查询办理进度): keyed digests of (case number, code) → stages and dates.

The case number is the event id the hotline or app gave the citizen (``events.event_id``).
The store holds no verification code, so the code is derived: six digits of a keyed HMAC of
the event id (:func:`verification_code`, a key derived from the district's secret key for
this one purpose). The hotline reads it out with ``gridscope publish tracking-code EVENT_ID``;
anyone without the key cannot compute it. A source system that issues its own codes would
import them into a column of their own (the importer does not read one today): the digest
would then be ``tracking_digest(key, event_id, that_code)`` instead, nothing else changes.

The published layer holds only ``tracking_digest(key, case_no, code)`` = HMAC-SHA256 with
the district's secret key (``GRIDSCOPE_PUBLIC_TRACKING_KEY``), so it never holds an id or a
code in the clear, and a digest cannot be tested against guessed ids without the key.
Per case: the stages reached with their dates (no times) up to the cut-off, the status
(open | closed | cancelled), whether it was closed on time, whether it was rated and
whether it can still be rated. Nothing else: no description, place, department or staff.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date, timedelta

import pandas as pd

from data.contracts import CANCELLED, STAGES
from data.store import Store

from .config import PublishConfig
from .periods import end_of_day

TRACKED_STAGES: tuple[str, ...] = STAGES[:-1]
"""Stages with a date (``rated`` has none; ``pub_tracking_case.rated`` says it)."""

KEY_SETTING = "GRIDSCOPE_PUBLIC_TRACKING_KEY"


class TrackingKeyMissing(ValueError):  # noqa: N818 - reads as a sentence
    """No district secret key: tracking digests and codes cannot be made."""

    def __init__(self) -> None:
        super().__init__(
            f"{KEY_SETTING} is not set: the tracking digests and verification codes need the "
            "district's secret key (at least 16 characters; keep it out of the public server's "
            f"reach) / 未设置 {KEY_SETTING}：办理进度查询需要本区的密钥（至少 16 个字符）"
        )


def parse_key(text: str) -> bytes | None:
    """The key setting as bytes (``None`` when empty); shorter than 16 characters is refused."""
    raw = text.strip()
    if not raw:
        return None
    if len(raw) < 16:
        raise ValueError(f"{KEY_SETTING} must be at least 16 characters long (a random secret), got {len(raw)}")
    return raw.encode("utf-8")


def _norm(text: str) -> str:
    """NFKC (full-width digits from a Chinese input method become ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def tracking_digest(key: bytes, case_no: str, code: str) -> str:
    """Hex HMAC-SHA256 (key = the district's secret) of the case number and code.

    Both are NFKC-normalised and trimmed first, so "Ｅ１２３ " and "E123" look up the same case.

    >>> len(tracking_digest(b"k" * 16, "E1", "123456"))
    64
    """
    msg = _norm(case_no).encode("utf-8") + b"\x1f" + _norm(code).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def _code_key(key: bytes) -> bytes:
    return hmac.new(key, b"gridscope verification code v1", hashlib.sha256).digest()


def verification_code(key: bytes, event_id: str) -> str:
    """The six-digit code the hotline gives the citizen for ``event_id``.

    >>> code = verification_code(b"k" * 16, "E1"); len(code), code.isdigit()
    (6, True)
    """
    mac = hmac.new(_code_key(key), _norm(event_id).encode("utf-8"), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


def _digests(key: bytes, ids: list[str]) -> list[str]:
    """``tracking_digest(key, id, verification_code(key, id))`` for each id, fast (the HMAC
    states are keyed once and copied)."""
    code_base = hmac.new(_code_key(key), digestmod=hashlib.sha256)
    base = hmac.new(key, digestmod=hashlib.sha256)
    out = []
    for raw in ids:
        case = _norm(raw).encode("utf-8")
        c = code_base.copy()
        c.update(case)
        code = f"{int.from_bytes(c.digest()[:8], 'big') % 1_000_000:06d}"
        d = base.copy()
        d.update(case + b"\x1f" + code.encode("ascii"))
        out.append(d.hexdigest())
    return out


def empty_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Empty ``pub_tracking`` and ``pub_tracking_case`` frames."""
    return (
        pd.DataFrame({"digest": [], "stage": [], "reached_on": [], "ord": []}).astype(
            {"digest": object, "stage": object, "reached_on": object, "ord": "int32"}
        ),
        pd.DataFrame({"digest": [], "status": [], "closed_on_time": [], "rated": [], "can_rate": []}).astype(
            {"digest": object, "status": object, "closed_on_time": "boolean", "rated": bool, "can_rate": bool}
        ),
    )


def build_tracking(store: Store, config: PublishConfig, through: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``pub_tracking`` and ``pub_tracking_case`` for the cases reported in the
    ``tracking_days`` up to ``through`` (empty frames without a key)."""
    if config.tracking_key is None:
        return empty_tables()
    end = end_of_day(through)
    ev = store.fetch("publish_tracking", start=end - timedelta(days=config.tracking_days), through_end=end)
    if ev.empty:
        return empty_tables()
    digest = pd.Series(_digests(config.tracking_key, [str(x) for x in ev["event_id"]]), index=ev.index)
    cancelled = ev["status"] == CANCELLED
    closed_at = pd.to_datetime(ev["closed_at"])
    untimed = closed_at.isna() & ev["status"].isin(["closed", "rated"])
    closed = ~cancelled & ((closed_at < end) | untimed)
    rated = closed & ev["rated"].astype(bool)
    on_time = (closed_at <= pd.to_datetime(ev["close_due_at"])).astype("boolean")
    on_time = on_time.where(closed & ~untimed & ev["close_due_at"].notna())
    cases = pd.DataFrame(
        {
            "digest": digest,
            "status": pd.Series("open", index=ev.index).where(~closed, "closed").where(~cancelled, "cancelled"),
            "closed_on_time": on_time.astype("boolean"),
            "rated": rated,
            "can_rate": closed & ~rated,
        }
    )
    parts = []
    for i, stage in enumerate(TRACKED_STAGES):
        ts = pd.to_datetime(ev[f"{stage}_at"])
        reached = ts < end
        on = ts.dt.date.where(reached)
        if stage == "closed":
            reached = reached | untimed  # closed, date unknown
        sel = reached & ~(cancelled & (stage == "closed"))
        parts.append(pd.DataFrame({"digest": digest[sel], "stage": stage, "reached_on": on[sel], "ord": i}))
    stages = pd.concat(parts, ignore_index=True).sort_values(["digest", "ord"], kind="stable")
    stages["ord"] = stages["ord"].astype("int32")
    return stages.reset_index(drop=True), cases.sort_values("digest", kind="stable").reset_index(drop=True)
