""" "Track my report" (查询办理进度): keyed digests of (case number, code) → stages and dates.

The case number is the event id the hotline or app gave the citizen (``events.event_id``).
The store holds no verification code, so the code is derived: six digits of a keyed HMAC of
the event id (:func:`verification_code`, under ``HMAC(K, "gridscope verification code v1")``
where K is the district's secret key ``GRIDSCOPE_PUBLIC_TRACKING_KEY``). The hotline reads it
out with ``gridscope publish tracking-code EVENT_ID``; nobody without K can compute it. A
source system that issues its own codes would import them into a column of their own (the
importer does not read one today): the digest would then be made from that code instead,
nothing else changes.

Two keys are derived from K, one per purpose, so the public server never holds K:

- the **code key** ``HMAC(K, "gridscope verification code v1")`` makes the codes; only the
  internal side (``gridscope publish`` and ``publish tracking-code``) has it;
- the **lookup key** ``HMAC(K, "gridscope tracking digest v1")`` (:func:`lookup_key`) makes
  the digests: the published layer holds only ``tracking_digest(lookup key, case_no, code)``
  = HMAC-SHA256 of ``case_no || 0x1F || code``. The public app gets this key alone
  (``GRIDSCOPE_PUBLIC_LOOKUP_KEY``, 64 hex digits, printed by ``gridscope publish
  lookup-key``): with it a code can be checked, not made, so a leak of the public server
  gives no code and no way to compute one (only, as with any lookup, tries against the
  published digests, which the app limits).

Per case: the stages reached with their dates (no times) up to the cut-off, the status
(open | closed | cancelled), whether it was closed on time, whether it was rated and
whether it can still be rated. Nothing else: no description, place, department or staff.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from data.contracts import STAGES
from data.store import Store

from .config import PublishConfig
from .periods import end_of_day

TRACKED_STAGES: tuple[str, ...] = STAGES[:-1]
"""Stages with a date (``rated`` has none; ``pub_tracking_case.rated`` says it)."""

KEY_SETTING = "GRIDSCOPE_PUBLIC_TRACKING_KEY"
"""The district's secret key K (internal side only: publishing and the hotline's codes)."""
LOOKUP_SETTING = "GRIDSCOPE_PUBLIC_LOOKUP_KEY"
"""The lookup key derived from K, the only tracking key the public app has (64 hex digits)."""


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


def lookup_key(key: bytes) -> bytes:
    """The lookup key of the district's key ``key``: HMAC-SHA256(K, "gridscope tracking digest
    v1"). It makes and checks the digests; it cannot make a verification code."""
    return hmac.new(key, b"gridscope tracking digest v1", hashlib.sha256).digest()


def key_id(lookup: bytes) -> str:
    """A public fingerprint of the lookup key (``pub_meta.tracking_key_id``): the app checks
    that its key is the one the digests were made with, without the key being published."""
    return hmac.new(lookup, b"gridscope lookup key id v1", hashlib.sha256).hexdigest()[:16]


def lookup_key_text(key: bytes) -> str:
    """:func:`lookup_key` as the 64 hex digits ``GRIDSCOPE_PUBLIC_LOOKUP_KEY`` holds."""
    return lookup_key(key).hex()


def parse_lookup_key(text: str) -> bytes | None:
    """``GRIDSCOPE_PUBLIC_LOOKUP_KEY`` as bytes (``None`` when empty); anything but 64 hex
    digits is refused (it is printed by ``gridscope publish lookup-key``, never typed).

    >>> parse_lookup_key(lookup_key_text(b"k" * 16)) == lookup_key(b"k" * 16)
    True
    """
    raw = "".join(text.split())
    if not raw:
        return None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValueError(
            f"{LOOKUP_SETTING} must be the 64 hex digits `gridscope publish lookup-key` prints, "
            f"got {len(raw)} characters"
        )
    return key


def _norm(text: str) -> str:
    """NFKC (full-width digits from a Chinese input method become ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def tracking_digest(lookup: bytes, case_no: str, code: str) -> str:
    """Hex HMAC-SHA256 under the lookup key ``lookup`` (:func:`lookup_key`, never the
    district's key itself) of the case number and code.

    Both are NFKC-normalised and trimmed first, so "Ｅ１２３ " and "E123" look up the same case.

    >>> len(tracking_digest(b"k" * 16, "E1", "123456"))
    64
    """
    msg = _norm(case_no).encode("utf-8") + b"\x1f" + _norm(code).encode("utf-8")
    return hmac.new(lookup, msg, hashlib.sha256).hexdigest()


def _code_key(key: bytes) -> bytes:
    return hmac.new(key, b"gridscope verification code v1", hashlib.sha256).digest()


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 key pads of ``key`` (RFC 2104), for the SQL HMAC."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def verification_code(key: bytes, event_id: str) -> str:
    """The six-digit code the hotline gives the citizen for ``event_id``: the first 48 bits of
    HMAC-SHA256 (a key derived from the district's key) of the id, modulo 1,000,000.

    >>> code = verification_code(b"k" * 16, "E1"); len(code), code.isdigit()
    (6, True)
    """
    mac = hmac.new(_code_key(key), _norm(event_id).encode("utf-8"), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:6], 'big') % 1_000_000:06d}"


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
    ``tracking_days`` up to ``through`` (empty frames without a key).

    The digests are computed by the store (``publish_tracking``: HMAC from the key pads), so
    event ids never reach this process; equal to :func:`tracking_digest` under
    :func:`lookup_key` of the id and its :func:`verification_code` for ids that are
    NFKC-normal and trimmed (as imported ids are).
    """
    if config.tracking_key is None:
        return empty_tables()
    end = end_of_day(through)
    ipad, opad = hmac_pads(lookup_key(config.tracking_key))
    code_ipad, code_opad = hmac_pads(_code_key(config.tracking_key))
    ev = store.fetch(
        "publish_tracking",
        start=end - timedelta(days=config.tracking_days),
        through_end=end,
        ipad=ipad,
        opad=opad,
        code_ipad=code_ipad,
        code_opad=code_opad,
    )
    if ev.empty:
        return empty_tables()
    digest = ev["digest"].to_numpy(dtype=object)
    cases = pd.DataFrame(
        {
            "digest": pd.Series(digest, dtype=object, copy=False),
            "status": pd.Series(ev["status"].to_numpy(dtype=object), dtype=object),
            "closed_on_time": ev["closed_on_time"].astype("boolean").to_numpy(),
            "rated": ev["rated"].astype(bool).to_numpy(),
            "can_rate": ev["can_rate"].astype(bool).to_numpy(),
        }
    )
    untimed = ev["untimed"].astype(bool).to_numpy()
    rows, ords, days = [], [], []
    for i, stage in enumerate(TRACKED_STAGES):
        on = pd.to_datetime(ev[f"{stage}_on"]).to_numpy().astype("datetime64[D]")
        sel = np.flatnonzero(~np.isnat(on) | (untimed if stage == "closed" else False))
        rows.append(sel)
        ords.append(np.full(len(sel), i, dtype=np.int32))
        days.append(on[sel])
    row, ord_, day = np.concatenate(rows), np.concatenate(ords), np.concatenate(days)
    order = np.lexsort((ord_, row))  # the cases come ordered by digest: keep (digest, ord)
    row, ord_, day = row[order], ord_[order], day[order]
    # Each digest once (a category; a row holds its number) and the days as Arrow dates: at 10M
    # events this table has ~33M rows, whose strings and date objects cost most of the publish.
    stages = pd.DataFrame(
        {
            "digest": pd.Categorical.from_codes(row, categories=pd.Index(digest, dtype=object)),
            "stage": pd.Categorical.from_codes(ord_, categories=list(TRACKED_STAGES)),
            "reached_on": pd.arrays.ArrowExtensionArray(pa.array(day, type=pa.date32(), from_pandas=True)),
            "ord": ord_,
        }
    )
    return stages, cases
