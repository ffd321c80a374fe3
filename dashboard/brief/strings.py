"""The brief's words and number formats in zh or en.

Strings come from ``dashboard/locales/*.toml`` (``brief.toml`` and the shared source, stage,
hotspot and sensor names), read here with :mod:`tomllib` rather than through
:mod:`dashboard.i18n`, which reads the language from Streamlit's session: the brief is also
made by the command line, without Streamlit, for a language given as an argument.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pandas as pd

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
LANGUAGES = ("zh", "en")


@cache
def _strings() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            merged.update(tomllib.load(fh))
    return merged


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA."""
    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


class Words:
    """Translation and formatting for one language (``zh`` or ``en``)."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
        self.lang = lang

    def t(self, key: str, **fmt: object) -> str:
        """The string ``key`` in this language, ``{placeholders}`` filled (raw, not escaped)."""
        entry = _strings().get(key)
        if entry is None:
            return key
        text = entry.get(self.lang) or entry.get("en") or key
        return text.format(**fmt) if fmt else text

    @property
    def na(self) -> str:
        """What a missing value shows."""
        return self.t("brief_na")

    def int(self, value: object) -> str:
        """``1,234``; the missing mark for ``None``/NaN."""
        return self.na if _missing(value) else f"{int(value):,}"  # type: ignore[call-overload]

    def num(self, value: object, digits: int = 1) -> str:
        """A decimal with ``digits`` places."""
        return self.na if _missing(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]

    def pct(self, value: object, digits: int = 1) -> str:
        """A rate 0..1 as ``89.1%``."""
        return self.na if _missing(value) else f"{100 * float(value):.{digits}f}%"  # type: ignore[arg-type]

    def signed(self, value: object) -> str:
        """``+12`` / ``−3`` / ``0`` (a count change)."""
        if _missing(value):
            return self.na
        v = int(value)  # type: ignore[call-overload]
        return f"+{v:,}" if v > 0 else (f"−{-v:,}" if v < 0 else "0")

    def rel(self, now: float | None, before: float | None) -> str:
        """Relative change ``+8.3%`` of a count; the missing mark when there is no base."""
        if _missing(now) or _missing(before) or not before:
            return self.na
        r = round(100 * (float(now) - float(before)) / float(before), 1)  # type: ignore[arg-type]
        return f"+{r:.1f}%" if r > 0 else (f"−{-r:.1f}%" if r < 0 else "0.0%")

    def pp(self, now: float | None, before: float | None) -> str:
        """Change of a rate in percentage points."""
        if _missing(now) or _missing(before):
            return self.na
        d = round(100 * (float(now) - float(before)), 1)  # type: ignore[arg-type]
        sign = "+" if d > 0 else ("−" if d < 0 else "")
        return self.t("brief_pp", sign=sign, value=f"{abs(d):.1f}")

    def day(self, value: date | datetime | None) -> str:
        """``2026-06-22`` (the date of a datetime)."""
        if value is None:
            return self.na
        return (value.date() if isinstance(value, datetime) else value).isoformat()

    def moment(self, value: datetime | None) -> str:
        """``2026-06-29 00:00``."""
        return self.na if value is None else value.strftime("%Y-%m-%d %H:%M")

    def name(self, row: object, prefix: str = "", fallback: str = "") -> str:
        """``{prefix}name_zh`` / ``{prefix}name_en`` of a row (mapping or Series), or
        ``{prefix}_zh``/``_en``; ``fallback`` when empty."""
        for key in (f"{prefix}name_{self.lang}", f"{prefix}_{self.lang}" if prefix else ""):
            if key and key in row:  # type: ignore[operator]
                value = row[key]  # type: ignore[index]
                if not _missing(value) and str(value).strip():
                    return str(value)
        return fallback

    def source(self, code: str) -> str:
        """A source's display name (the code when unknown)."""
        return self.t(f"source_{code}") if f"source_{code}" in _strings() else code

    def label(self, key: str, code: str) -> str:
        """``{key}{code}`` when such a string exists (stage, hot-spot kind, sensor kind), else the code."""
        return self.t(f"{key}{code}") if f"{key}{code}" in _strings() else code
