"""Display rows, colour classes and HTML pieces the public app and the static site share
(frames of :mod:`queries.answers.public` in, strings out; no Streamlit)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.public.text import (
    count_text,
    pct_text,
    period_month_text,
    span_text,
    tr,
    unit_name,
    week_short_text,
    week_text,
    withheld_text,
)
from queries.answers.public import PublicMeta

PALETTE: tuple[str, ...] = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
"""Light to dark blue, one per count class (ColorBrewer Blues)."""

WITHHELD_FILL = "#c8c8c8"
WITHHELD_STRIPE = "#555555"
"""Withheld areas: grey with dark diagonal stripes (also labelled "不予公开")."""


@dataclass(frozen=True)
class CountClass:
    """One legend class: counts ``lo``..``hi`` drawn in ``colour``."""

    lo: int
    hi: int
    colour: str


def count_classes(values: pd.Series) -> list[CountClass]:
    """Up to four classes over the published counts (quartile breaks, whole numbers, no empty class)."""
    shown = pd.to_numeric(values, errors="coerce").dropna().astype(int)
    if shown.empty:
        return []
    edges = sorted({int(round(q)) for q in np.quantile(shown, [0, 0.25, 0.5, 0.75, 1.0])})
    if len(edges) == 1:
        return [CountClass(edges[0], edges[0], PALETTE[-1])]
    classes = []
    for i in range(len(edges) - 1):
        lo = edges[i] if i == 0 else edges[i] + 1
        classes.append((lo, edges[i + 1]))
    colours = PALETTE[-len(classes) :] if len(classes) < len(PALETTE) else PALETTE
    return [CountClass(lo, hi, c) for (lo, hi), c in zip(classes, colours, strict=True)]


def class_colour(value: object, classes: list[CountClass]) -> str | None:
    """The colour of a published count (``None`` for a withheld one)."""
    if value is None or pd.isna(value) or not classes:
        return None
    v = int(value)  # type: ignore[call-overload]
    for c in classes:
        if v <= c.hi:
            return c.colour
    return classes[-1].colour


def area_rows(
    frame: pd.DataFrame, meta: PublicMeta, lang: str, *, with_parent: dict[str, str] | None = None
) -> list[list[str]]:
    """One display row per unit: name, [street], received, on-time rate, satisfaction rate;
    a withheld unit says why instead of a number."""
    rows = []
    for _, r in frame.iterrows():
        name = unit_name(r, lang)
        parent = [with_parent.get(str(r["parent_id"]), "—")] if with_parent is not None else []
        if pd.notna(r.get("withheld")) and pd.isna(r.get("received")):
            reason = withheld_text(r["withheld"], meta, lang)
            rows.append([name, *parent, reason, "—", "—"])
        else:
            rows.append(
                [
                    name,
                    *parent,
                    count_text(r["received"]),
                    pct_text(r["on_time_rate"]),
                    pct_text(r["satisfaction_rate"]),
                ]
            )
    return rows


def area_headers(lang: str, *, with_parent: bool = False) -> list[str]:
    """Column headings of :func:`area_rows`."""
    cols = ["pub_col_area", *(["pub_col_street"] if with_parent else []), "pub_col_received", "pub_col_on_time"]
    return [tr(c, lang) for c in [*cols, "pub_col_satisfaction"]]


def period_rows(frame: pd.DataFrame, meta: PublicMeta, lang: str, period: str = "month") -> list[list[str]]:
    """The district's months or weeks, newest first: period, received, on-time rate, satisfaction rate."""
    rows = []
    for _, r in frame.iloc[::-1].iterrows():
        received = count_text(r["received"]) if pd.notna(r["received"]) else withheld_text(r["withheld"], meta, lang)
        label = str(r["period_label"])
        rows.append(
            [
                week_text(label, r["period_start"], r["period_end"], lang)
                if period == "week"
                else period_month_text(label, r["period_end"], lang),
                received,
                pct_text(r["on_time_rate"]),
                pct_text(r["satisfaction_rate"]),
            ]
        )
    return rows


def period_headers(lang: str, period: str = "month") -> list[str]:
    """Column headings of :func:`period_rows`."""
    first = "pub_trend_week" if period == "week" else "pub_trend_month"
    return [tr(k, lang) for k in (first, "pub_col_received", "pub_col_on_time", "pub_col_satisfaction")]


def category_rows(frame: pd.DataFrame, meta: PublicMeta, lang: str) -> list[list[str]]:
    """One row per category group: name, received (or why not shown), on-time rate."""
    rows = []
    for _, r in frame.iterrows():
        received = count_text(r["received"]) if pd.notna(r["received"]) else withheld_text(r["withheld"], meta, lang)
        rows.append([unit_name(r, lang), received, pct_text(r["on_time_rate"])])
    return rows


def category_headers(lang: str) -> list[str]:
    """Column headings of :func:`category_rows`."""
    return [tr(k, lang) for k in ("pub_col_category", "pub_col_received", "pub_col_on_time")]


def table_html(
    headers: list[str], rows: list[list[str]], *, caption: str = "", testid: str = "", lang: str = "zh"
) -> str:
    """An accessible table that turns into one card per row on a narrow screen (each cell then
    shows its heading), so a phone never scrolls sideways. Every text is escaped."""
    esc = html.escape
    sep = ": " if lang == "en" else "："
    labels = [esc(h + sep) for h in headers]
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row" data-label="{labels[0]}">{esc(c)}</th>'
                if i == 0
                else f'<td data-label="{labels[i]}">{esc(c)}</td>'
            )
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    attr = f' data-testid="{esc(testid)}"' if testid else ""
    return f'<table class="pub-table"{attr}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def legend_items_html(classes: list[CountClass], meta: PublicMeta, lang: str, *, any_withheld: bool) -> str:
    """The map's key: a swatch and its range per class, and the striped grey swatch with
    "少于 10 件，不予公开" when any unit is withheld."""
    items = [
        f'<li><span class="pub-swatch" style="background:{c.colour}" aria-hidden="true"></span>'
        f"{html.escape(tr('pub_legend_range', lang, lo=count_text(c.lo), hi=count_text(c.hi)))}</li>"
        for c in classes
    ]
    if any_withheld:
        items.append(
            '<li><span class="pub-swatch pub-swatch-withheld" aria-hidden="true"></span>'
            f"{html.escape(tr('pub_legend_withheld', lang, k=meta.min_count))}</li>"
        )
    title = html.escape(tr("pub_legend_title", lang))
    return f'<div class="pub-legend" data-testid="pub-legend"><strong>{title}</strong><ul>{"".join(items)}</ul></div>'


TREND_WEEKS = 13
"""Weeks in the weekly trend (a quarter)."""

BAR_COLOUR = "#2b6cb0"
"""The trend's bars (5.6:1 on white; each bar's number is written beside it)."""


def trend_periods(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """The periods the trend shows: every month, or the latest :data:`TREND_WEEKS` weeks."""
    return frame.tail(TREND_WEEKS) if period == "week" else frame


def trend_title(period: str, lang: str) -> str:
    """The trend's heading."""
    return tr("pub_trend_title_week", lang, n=TREND_WEEKS) if period == "week" else tr("pub_trend_title", lang)


def trend_label(row: pd.Series, period: str, lang: str) -> str:
    """A bar's name: 2026年6月 / June 2026 (partial months "（至23日）"), a week by its first day
    (a week published only in part by its days: 6月22日至23日)."""
    if period == "week":
        start, end = pd.Timestamp(row["period_start"]).date(), pd.Timestamp(row["period_end"]).date()
        return week_short_text(start, lang) if end.weekday() == 6 else span_text(start, end, lang, year=False)
    return period_month_text(str(row["period_label"]), row["period_end"], lang)


def bars_html(frame: pd.DataFrame, meta: PublicMeta, lang: str, period: str = "month") -> str:
    """The trend as rows of text and bars (oldest first), in HTML, not a picture: each row says
    the month (or week) and the number in the page's own text size, the bar only shows it;
    a withheld period says why instead of a bar. Readable on a phone at 18 or 22 px, no hover."""
    values = pd.to_numeric(frame["received"], errors="coerce")
    top = float(values.max()) if values.notna().any() else 0.0
    esc = html.escape
    items = []
    for (_, row), value in zip(frame.iterrows(), values, strict=True):
        name = esc(trend_label(row, period, lang))
        if pd.isna(value):
            bar = f'<span class="pub-bar-note">{esc(withheld_text(row["withheld"], meta, lang))}</span>'
            shown = "—"
        else:
            share = 100.0 * float(value) / top if top > 0 else 0.0
            bar = f'<span class="pub-bar" style="width:{share:.1f}%"></span>'
            shown = count_text(value)
        items.append(
            f'<li><span class="pub-bar-name">{name}</span><span class="pub-bar-track">{bar}</span>'
            f'<span class="pub-bar-value">{esc(shown)}</span></li>'
        )
    title = esc(trend_title(period, lang))
    return f'<ul class="pub-bars" aria-label="{title}" data-testid="pub-trend">{"".join(items)}</ul>'
