"""Words and numbers of the public side in a given language (no Streamlit state), so the
public app and the static site say exactly the same thing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from dashboard.i18n import LANGUAGES, all_strings
from queries.answers.public import MonthSummary, PublicMeta, percent_1dp

EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]
EN_MONTHS += ["October", "November", "December"]


def tr(key: str, lang: str, **fmt: object) -> str:
    """``key`` of ``locales/*.toml`` in ``lang`` (``zh`` | ``en``), ``{placeholders}`` filled."""
    entry = all_strings().get(key, {})
    text = entry.get(lang if lang in LANGUAGES else "zh") or entry.get("en") or key
    return text.format(**fmt) if fmt else text


def count_text(value: object) -> str:
    """A count with thousands separators (1,234); "—" for none."""
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]


def pct_text(share: object) -> str:
    """A share as a percentage with one decimal (87.2%); "—" for none."""
    value = percent_1dp(None if share is None or pd.isna(share) else float(share))  # type: ignore[arg-type]
    return "—" if value is None else f"{value}%"


def pp_text(change: Decimal) -> str:
    """The size of a change in percentage points, one decimal (1.5)."""
    return f"{abs(change):.1f}"


def month_text(label: str, lang: str) -> str:
    """``2026-11`` as 2026年11月 / November 2026 (the label as is when it is not a month)."""
    try:
        y, m = (int(p) for p in label.split("-"))
        if not 1 <= m <= 12:
            raise ValueError(label)
    except ValueError:
        return label
    return tr("pub_month_label", lang, y=y, m=m, mon=EN_MONTHS[m - 1])


def period_month_text(label: str, end: object, lang: str) -> str:
    """:func:`month_text`, with "（至23日）" / "(1–23)" when the month is published only to ``end``."""
    text = month_text(label, lang)
    try:
        last = pd.Timestamp(end).date()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text
    if (last + timedelta(days=1)).month == last.month:
        return tr("pub_month_partial", lang, month=text, day=last.day)
    return text


def date_text(day: date | None, lang: str) -> str:
    """A day as 2026年11月24日 / 24 November 2026."""
    if day is None:
        return "—"
    if lang == "en":
        return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def withheld_text(reason: object, meta: PublicMeta, lang: str) -> str:
    """Why a figure is not shown, in plain words (the generic words for an unknown reason)."""
    if reason in ("under_k", "secondary", "sensitive"):
        return tr(f"pub_withheld_{reason}", lang, k=meta.min_count)
    return tr("pub_not_published", lang)


def summary_sentence(summary: MonthSummary, meta: PublicMeta, lang: str) -> str:
    """The plain-language sentence: "本月（11月1日至24日）共受理 1,234 件，按期办结率 87.2%，
    比上月提高 1.5 个百分点。" (parts whose figures are withheld are left out)."""
    if summary.month == meta.latest_month:
        month_en = EN_MONTHS[summary.start.month - 1]
        month_zh = f"{summary.start.year}年{summary.start.month}月"
        span = tr(
            "pub_span_days",
            lang,
            month=month_en if lang == "en" else month_zh,
            d1=summary.start.day,
            d2=summary.end.day,
        )
        when = tr("pub_this_month", lang, span=span + (f" {summary.start.year}" if lang == "en" else ""))
    else:
        when = tr("pub_that_month", lang, month=month_text(summary.month, lang))
    parts: list[str] = []
    if summary.received is None:
        parts.append(tr("pub_sentence_withheld", lang, when=when, k=meta.min_count))
    else:
        key = "pub_sentence_received_one" if summary.received == 1 else "pub_sentence_received"
        parts.append(tr(key, lang, when=when, count=count_text(summary.received)))
    if summary.on_time_rate is not None:
        rate = tr("pub_sentence_on_time", lang, rate=pct_text(summary.on_time_rate))
        change = summary.on_time_change_pp
        if change is not None:
            key = "pub_sentence_up" if change > 0 else "pub_sentence_down" if change < 0 else "pub_sentence_same"
            rate += tr("pub_sentence_join_change", lang) + tr(key, lang, pp=pp_text(change))
        parts.append(rate)
    return tr("pub_sentence_join", lang).join(parts) + tr("pub_sentence_end", lang)


def count_change_text(now: int | None, before: int | None, lang: str) -> str:
    """ "比上月多 32 件" / "32 more than last month" ("" when either is withheld)."""
    if now is None or before is None:
        return ""
    if now == before:
        return tr("pub_vs_last_month_same", lang)
    key = "pub_vs_last_month_count_up" if now > before else "pub_vs_last_month_count_down"
    return tr(key, lang, n=count_text(abs(now - before)))


def rate_change_text(now: float | None, before: float | None, lang: str) -> str:
    """ "比上月高 1.5 个百分点" / "1.5 points higher than last month" ("" when either is withheld)."""
    a, b = percent_1dp(now), percent_1dp(before)
    if a is None or b is None:
        return ""
    if a == b:
        return tr("pub_vs_last_month_same", lang)
    key = "pub_vs_last_month_pp_up" if a > b else "pub_vs_last_month_pp_down"
    return tr(key, lang, pp=pp_text(a - b))


def unit_name(row: pd.Series, lang: str) -> str:
    """A unit's or group's name in ``lang`` (the other language's, then the id, when missing)."""
    for column in (f"name_{lang}", "name_zh", "name_en", "unit_id"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value
    return "—"


def district_name(meta: PublicMeta, lang: str) -> str:
    """The district's name in ``lang``."""
    return (meta.district_en if lang == "en" else meta.district_zh) or meta.district_zh or meta.district_en
