"""The public app's address: ``?lang=en&elder=1&view=track&level=community&month=2026-10``
(or ``&period=week&week=2026-W43`` for weeks).

Parsed, never trusted: anything unknown falls back to the default with a message in the
page's language (:func:`read_address` returns the keys of the messages with their values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

VIEWS = ("overview", "track")
LEVELS = ("street", "community")
PERIODS = ("month", "week")
MAX_PARAM = 40
"""Longer values are not echoed back in messages (the page never shows an attacker's essay)."""


@dataclass(frozen=True)
class Address:
    """The view the address asks for, with what was wrong in it (message key, value)."""

    lang: str = "zh"
    elder: bool = False
    view: str = "overview"
    level: str = "street"
    period: str = "month"
    month: str | None = None
    week: str | None = None
    problems: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _first(params: Mapping[str, object], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _shown(value: str) -> str:
    text = "".join(ch for ch in value if ch.isprintable())
    return text if len(text) <= MAX_PARAM else text[:MAX_PARAM] + "…"


def read_address(params: Mapping[str, object]) -> Address:
    """The :class:`Address` of the query parameters ``params`` (``st.query_params`` or a dict);
    ``month`` and ``week`` are checked against the published periods by the page (as given here)."""
    problems: list[tuple[str, str]] = []
    lang = (_first(params, "lang") or "zh").strip().lower()
    if lang not in ("zh", "en"):
        problems.append(("pub_bad_lang", _shown(lang)))
        lang = "zh"
    raw_elder = (_first(params, "elder") or "0").strip().lower()
    if raw_elder in ("1", "true", "on", "yes"):
        elder = True
    elif raw_elder in ("0", "false", "off", "no", ""):
        elder = False
    else:
        problems.append(("pub_bad_elder", _shown(raw_elder)))
        elder = False
    view = (_first(params, "view") or "overview").strip().lower()
    if view not in VIEWS:
        problems.append(("pub_bad_view", _shown(view)))
        view = "overview"
    level = (_first(params, "level") or "street").strip().lower()
    if level not in LEVELS:
        problems.append(("pub_bad_level", _shown(level)))
        level = "street"
    period = (_first(params, "period") or "month").strip().lower()
    if period not in PERIODS:
        problems.append(("pub_bad_period", _shown(period)))
        period = "month"
    month, week = (_first(params, name) for name in ("month", "week"))
    month = _shown(month.strip()) if month is not None and month.strip() else None
    week = _shown(week.strip()) if week is not None and week.strip() else None
    return Address(
        lang=lang, elder=elder, view=view, level=level, period=period, month=month, week=week, problems=tuple(problems)
    )


def address_params(address: Address) -> dict[str, str]:
    """The query parameters that reproduce ``address`` (defaults left out)."""
    out: dict[str, str] = {}
    if address.lang != "zh":
        out["lang"] = address.lang
    if address.elder:
        out["elder"] = "1"
    if address.view != "overview":
        out["view"] = address.view
    if address.level != "street":
        out["level"] = address.level
    if address.period != "month":
        out["period"] = address.period
    if address.month:
        out["month"] = address.month
    if address.week:
        out["week"] = address.week
    return out
