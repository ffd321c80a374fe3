"""Typed, validated reads of the page address (``st.query_params``).

Pages read URL parameters only through these getters. Each returns a value from the
allowed set or range, or ``None`` when the parameter is absent, empty or malformed: an
edited, truncated or stale link never reaches a widget, session state or a query
unchecked, and never raises. When a key is repeated the last value counts (as
``st.query_params`` does). The ``parse_*`` functions hold the rules (pure, tested
directly); the getters apply them to the current address.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date

import streamlit as st

MAX_LENGTH = 500
"""Longer values are not ids, dates or numbers this app writes: ignored without parsing."""

_INT = re.compile(r"[0-9]{1,6}", re.ASCII)
_DECIMAL = re.compile(r"[0-9]{1,6}(\.[0-9]{1,9})?", re.ASCII)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _clean(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        return None
    value = value.strip()
    return value or None


def parse_choice(value: object, allowed: Iterable[str], *, fold_case: bool = False) -> str | None:
    """``value`` if it is one of ``allowed`` (case-insensitively with ``fold_case``), else None.

    >>> parse_choice("EN", ("zh", "en"), fold_case=True), parse_choice("xx", ("zh", "en"))
    ('en', None)
    """
    text = _clean(value)
    if text is None:
        return None
    options = list(allowed)
    if text in options:
        return text
    if fold_case:
        folded = {o.casefold(): o for o in options}
        return folded.get(text.casefold())
    return None


def parse_int(value: object, allowed: Collection[int]) -> int | None:
    """An ASCII-digit integer among ``allowed``, else None (``"²"`` and ``"٩"`` are not digits here).

    >>> parse_int("9", range(7, 11)), parse_int("²", range(7, 11)), parse_int("09", range(7, 11))
    (9, None, 9)
    """
    text = _clean(value)
    if text is None or not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if number in allowed else None


def parse_float(value: object, allowed: Collection[float], *, tol: float = 1e-9) -> float | None:
    """A plain decimal (``0.95``; no sign, exponent, ``nan`` or ``inf``) equal to one of ``allowed``.

    Returns the allowed value itself, so ``"0.950"`` gives exactly ``0.95``.

    >>> parse_float("0.950", (0.9, 0.95)), parse_float("nan", (0.9, 0.95)), parse_float("1e-1", (0.1,))
    (0.95, None, None)
    """
    text = _clean(value)
    if text is None or not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return next((a for a in allowed if abs(a - number) <= tol), None)


def parse_flag(value: object) -> bool | None:
    """``"1"`` → True, ``"0"`` → False, anything else None."""
    return {"1": True, "0": False}.get(_clean(value) or "")


def parse_day(value: object, first: date | None = None, last: date | None = None) -> date | None:
    """A ``YYYY-MM-DD`` day within ``[first, last]`` (bounds optional), else None.

    >>> parse_day("2026-06-01"), parse_day("2026-02-30"), parse_day("20260601")
    (datetime.date(2026, 6, 1), None, None)
    """
    text = _clean(value)
    if text is None or not _DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if (first is not None and day < first) or (last is not None and day > last):
        return None
    return day


def parse_text(value: object, max_length: int = 100) -> str | None:
    """Printable text of at most ``max_length`` characters (an id to look up), else None.

    >>> parse_text("8a31aa5ab1fffff"), parse_text("a\x00b"), parse_text("x" * 101)
    ('8a31aa5ab1fffff', None, None)
    """
    text = _clean(value)
    if text is None or len(text) > max_length or not text.isprintable():
        return None
    return text


def parse_members(value: object, allowed: Collection[str]) -> list[str]:
    """The comma-separated items of ``value`` that are in ``allowed``, in order, without repeats."""
    text = _clean(value)
    if text is None:
        return []
    out: list[str] = []
    for item in text.split(","):
        item = item.strip()
        if item in allowed and item not in out:
            out.append(item)
    return out


def _get(name: str) -> str | None:
    try:
        return st.query_params.get(name)
    except Exception:  # noqa: BLE001 - an unreadable address is an absent parameter
        return None


def has(name: str) -> bool:
    """Whether the address carries ``name`` at all (even empty)."""
    return _get(name) is not None


def get_choice(name: str, allowed: Iterable[str], *, fold_case: bool = False) -> str | None:
    """URL parameter ``name`` if it is one of ``allowed`` (see :func:`parse_choice`)."""
    return parse_choice(_get(name), allowed, fold_case=fold_case)


def get_int(name: str, allowed: Collection[int]) -> int | None:
    """URL parameter ``name`` as an integer among ``allowed`` (see :func:`parse_int`)."""
    return parse_int(_get(name), allowed)


def get_float(name: str, allowed: Collection[float]) -> float | None:
    """URL parameter ``name`` as one of the numbers ``allowed`` (see :func:`parse_float`)."""
    return parse_float(_get(name), allowed)


def get_flag(name: str) -> bool | None:
    """URL parameter ``name`` as ``0``/``1`` (see :func:`parse_flag`)."""
    return parse_flag(_get(name))


def get_day(name: str, first: date | None = None, last: date | None = None) -> date | None:
    """URL parameter ``name`` as a day within the bounds (see :func:`parse_day`)."""
    return parse_day(_get(name), first, last)


def get_text(name: str, max_length: int = 100) -> str | None:
    """URL parameter ``name`` as short printable text (see :func:`parse_text`)."""
    return parse_text(_get(name), max_length)


def get_members(name: str, allowed: Collection[str]) -> list[str] | None:
    """URL parameter ``name`` as a list of allowed items; None when the parameter is absent."""
    value = _get(name)
    return None if value is None else parse_members(value, allowed)


def drop(*names: str) -> None:
    """Remove ``names`` from the address (those present), in one change of the address."""
    present = [name for name in names if name in st.query_params]
    if present:
        st.query_params.from_dict({k: v for k, v in st.query_params.to_dict().items() if k not in present})


# --- writing the address: once per run, so browser Back steps through whole states ----------------------
#
# Every change of ``st.query_params`` pushes one browser history entry. A page that set its
# parameters one by one left half-written states behind (Back after a drill-down landed on
# ``?level=street`` without its area). Pages therefore *stage* what the address should say
# and the app writes it once at the end of the run (:func:`flush`, called by streamlit_app.py).

_PLAN = "_url_plan"
_WRITTEN = "_url_written"


def begin_run() -> None:
    """Start a run with nothing staged (streamlit_app.py calls it before the page)."""
    st.session_state[_PLAN] = {}


def stage(values: dict[str, str | None]) -> None:
    """Say what the address should hold at the end of this run: ``None`` or ``""`` removes a key.

    Keys not staged are left as they are (another page's or an unknown parameter)."""
    st.session_state.setdefault(_PLAN, {}).update(values)


def set_now(values: dict[str, str | None]) -> None:
    """Change the address now, in one step (before an ``st.rerun``: a move the next run reads)."""
    current = st.query_params.to_dict()
    wanted = {k: v for k, v in current.items() if k not in values} | {k: v for k, v in values.items() if v}
    if wanted != current:
        st.query_params.from_dict(wanted)


def flush() -> None:
    """Write the staged values to the address, in one change (none when it already says so),
    and remember them: :func:`changed` then tells a value the user brought (an edited or
    pasted link, browser Back) from one this app wrote."""
    plan: dict[str, str | None] = st.session_state.pop(_PLAN, None) or {}
    if not plan:
        return
    current = st.query_params.to_dict()
    repeated = any(len(st.query_params.get_all(k)) > 1 for k in current)
    wanted = {k: v for k, v in current.items() if k not in plan} | {k: v for k, v in plan.items() if v}
    if wanted != current or repeated:
        st.query_params.from_dict(wanted)
    written = st.session_state.setdefault(_WRITTEN, {})
    written.update({k: v or None for k, v in plan.items()})


def changed(name: str) -> bool:
    """Whether parameter ``name`` differs from what this app last wrote there (absent counts
    as a value): a link the user opened, edited or went Back to."""
    value = _get(name)
    return (value if value else None) != st.session_state.get(_WRITTEN, {}).get(name)
