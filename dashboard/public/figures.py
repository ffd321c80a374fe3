"""Display rows, colour classes and HTML pieces the public app and the static site share
(frames of :mod:`queries.answers.public` in, strings out; no Streamlit)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.public.text import count_text, pct_text, period_month_text, tr, unit_name, withheld_text
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


def month_rows(frame: pd.DataFrame, meta: PublicMeta, lang: str) -> list[list[str]]:
    """The district's months, newest first: month, received, on-time rate, satisfaction rate."""
    rows = []
    for _, r in frame.iloc[::-1].iterrows():
        received = count_text(r["received"]) if pd.notna(r["received"]) else withheld_text(r["withheld"], meta, lang)
        rows.append(
            [
                period_month_text(str(r["period_label"]), r["period_end"], lang),
                received,
                pct_text(r["on_time_rate"]),
                pct_text(r["satisfaction_rate"]),
            ]
        )
    return rows


def month_headers(lang: str) -> list[str]:
    """Column headings of :func:`month_rows`."""
    return [tr(k, lang) for k in ("pub_trend_month", "pub_col_received", "pub_col_on_time", "pub_col_satisfaction")]


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
