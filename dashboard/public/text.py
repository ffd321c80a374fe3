"""Words and numbers of the public side in a given language (no Streamlit state), so the
public app and the static site say exactly the same thing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from dashboard.i18n import LANGUAGES, all_strings
from queries.answers.public import PeriodSummary, PublicMeta, percent_1dp

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


def week_number(label: str) -> tuple[int, int] | None:
    """``2026-W47`` as (2026, 47); ``None`` when the label is not an ISO week."""
    try:
        y, w = label.split("-W")
        year, week = int(y), int(w)
    except ValueError:
        return None
    return (year, week) if 1 <= week <= 53 else None


def span_text(start: date, end: date, lang: str, *, year: bool = True) -> str:
    """The days ``start``..``end``: 2026年6月22日至28日 / 22–28 June 2026 (the year left out when
    ``year`` is false and both days are in one year; a single day as that day)."""
    d = {"d1": start.day, "d2": end.day, "m1": start.month, "m2": end.month, "y1": start.year, "y2": end.year}
    d |= {"mon1": EN_MONTHS[start.month - 1], "mon2": EN_MONTHS[end.month - 1]}
    if start.year != end.year:
        return tr("pub_span_years", lang, **d)
    shape = "day" if start == end else "month" if start.month == end.month else "year"
    return tr(f"pub_span_{shape}" + ("" if year else "_noyear"), lang, **d)


def week_text(label: str, start: object, end: object, lang: str, key: str = "pub_week_label") -> str:
    """``2026-W26`` with its days: 2026年第26周（6月22日至28日） / Week 26 of 2026 (22–28 June)
    (``key``: the words around them); the days run to ``end`` (the cut-off in the latest week).
    The label as is when it is no week."""
    number = week_number(label)
    try:
        first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return label
    if number is None:
        return label
    year, week = number
    days = span_text(first, last, lang, year=first.year != year or last.year != year)
    return tr(key, lang, y=year, w=week, days=days)


def week_short_text(start: object, lang: str) -> str:
    """A week's first day, short: 6月22日 / 22 Jun (the weekly chart's axis)."""
    day = pd.Timestamp(start).date()  # type: ignore[arg-type]
    return tr("pub_week_short", lang, m=day.month, d=day.day, mon=EN_MONTHS[day.month - 1][:3])


def period_text(period: str, label: str, start: object, end: object, lang: str) -> str:
    """A month as :func:`month_text`, a week as in a heading's brackets: 2026年第26周，6月22日至28日."""
    return week_text(label, start, end, lang, key="pub_week_heading") if period == "week" else month_text(label, lang)


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


def summary_sentence(summary: PeriodSummary, meta: PublicMeta, lang: str) -> str:
    """The plain-language sentence: "本月（2026年11月1日至24日）共受理 1,234 件，按期办结率 87.2%，
    比上月提高 1.5 个百分点。", or for a week "本周（…）…比上周…" (parts whose figures are
    withheld are left out)."""
    latest = meta.latest_week if summary.period == "week" else meta.latest_month
    if summary.label == latest:
        when = tr(f"pub_this_{summary.period}", lang, span=span_text(summary.start, summary.end, lang))
    elif summary.period == "week":
        when = week_text(summary.label, summary.start, summary.end, lang, key="pub_that_week")
    else:
        when = tr("pub_that_month", lang, month=month_text(summary.label, lang))
    prev = tr(f"pub_prev_{summary.period}", lang)
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
            rate += tr("pub_sentence_join_change", lang) + tr(key, lang, pp=pp_text(change), prev=prev)
        parts.append(rate)
    return tr("pub_sentence_join", lang).join(parts) + tr("pub_sentence_end", lang)


def count_change_text(now: int | None, before: int | None, lang: str, period: str = "month") -> str:
    """ "比上月多 32 件" / "32 more than last month" (上周 / last week for a week; "" when
    either is withheld)."""
    if now is None or before is None:
        return ""
    prev = tr(f"pub_prev_{period}", lang)
    if now == before:
        return tr("pub_vs_prev_same", lang, prev=prev)
    key = "pub_vs_prev_count_up" if now > before else "pub_vs_prev_count_down"
    return tr(key, lang, n=count_text(abs(now - before)), prev=prev)


def rate_change_text(now: float | None, before: float | None, lang: str, period: str = "month") -> str:
    """ "比上月高 1.5 个百分点" / "1.5 points higher than last month" (上周 / last week for a
    week; "" when either is withheld)."""
    a, b = percent_1dp(now), percent_1dp(before)
    if a is None or b is None:
        return ""
    prev = tr(f"pub_prev_{period}", lang)
    if a == b:
        return tr("pub_vs_prev_same", lang, prev=prev)
    key = "pub_vs_prev_pp_up" if a > b else "pub_vs_prev_pp_down"
    return tr(key, lang, pp=pp_text(a - b), prev=prev)


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
