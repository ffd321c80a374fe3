"""The public app's figures: the summary sentence and headline numbers, the map by street or
community with its table, the monthly or weekly trend, the categories and how privacy is
protected."""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.public.figures import (
    area_headers,
    area_rows,
    bars_html,
    category_headers,
    category_rows,
    count_classes,
    legend_items_html,
    period_headers,
    period_rows,
    table_html,
    trend_periods,
    trend_title,
)
from dashboard.public.maps import PHONE_MAP_WIDTH, map_height, public_deck
from dashboard.public.text import (
    count_change_text,
    count_text,
    date_text,
    pct_text,
    period_text,
    rate_change_text,
    summary_sentence,
    tr,
    unit_name,
)
from queries.answers import public as answers
from queries.answers.public import PeriodSummary, PublicMeta
from queries.published import PublishedLayer

from .layer import answer


def kpis_html(summary: PeriodSummary, meta: PublicMeta, lang: str) -> str:
    """Three large figures with their change against last month (or week) in words."""
    received = count_text(summary.received) if summary.received is not None else tr("pub_not_published", lang)
    period = summary.period
    partial = tr(
        "pub_partial_period",
        lang,
        this=tr(f"pub_this_word_{period}", lang),
        date=date_text(summary.end, lang),
        prev=tr(f"pub_prev_{period}", lang),
    )
    cards = [
        (
            tr("pub_kpi_received", lang),
            received,
            count_change_text(summary.received, summary.previous_received, lang, period)
            if summary.complete
            else partial,
        ),
        (
            tr("pub_kpi_on_time", lang),
            pct_text(summary.on_time_rate),
            rate_change_text(summary.on_time_rate, summary.previous_on_time_rate, lang, period),
        ),
        (
            tr("pub_kpi_satisfaction", lang),
            pct_text(summary.satisfaction_rate),
            rate_change_text(summary.satisfaction_rate, summary.previous_satisfaction_rate, lang, period),
        ),
    ]
    esc = html.escape
    items = "".join(
        f'<li><span class="pub-kpi-label">{esc(a)}</span><span class="pub-kpi-value">{esc(b)}</span>'
        f'<span class="pub-kpi-change">{esc(c)}</span></li>'
        for a, b, c in cards
    )
    return f'<ul class="pub-kpis" data-testid="pub-kpis">{items}</ul>'


def privacy_html(meta: PublicMeta, sensitive: pd.DataFrame, lang: str) -> str:
    """How the figures are protected, in plain words, with this layer's own parameters."""
    items = [
        tr("pub_privacy_lag", lang, lag=meta.lag_days),
        tr("pub_privacy_k", lang, k=meta.min_count),
        tr("pub_privacy_secondary", lang),
        tr("pub_privacy_rounding_on", lang, base=meta.rounding_base)
        if meta.rounding_base
        else tr("pub_privacy_rounding_off", lang, k=meta.min_count),
    ]
    if len(sensitive):
        names = "、" if lang == "zh" else ", "
        items.append(
            tr(
                "pub_privacy_sensitive_hide" if meta.sensitive_mode == "hide" else "pub_privacy_sensitive",
                lang,
                groups=names.join(unit_name(r, lang) for _, r in sensitive.iterrows()),
            )
        )
    items += [tr("pub_privacy_never", lang), tr("pub_privacy_tracking", lang)]

    def bold(text: str) -> str:
        parts = html.escape(text).split("**")
        return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))

    body = "".join(f"<li>{bold(x)}</li>" for x in items)
    title = html.escape(tr("pub_privacy_title", lang))
    return f'<section class="pub-root pub-privacy"><h2>{title}</h2><ul>{body}</ul></section>'


def render_overview(
    layer: PublishedLayer,
    meta: PublicMeta,
    lang: str,
    period: str,
    label: str,
    pickers: tuple[Callable[[], str], Callable[[], str], Callable[[], str]],
    elder: bool = False,
    width: int = PHONE_MAP_WIDTH,
) -> None:
    """Every section of the figures view for the month or week ``label``: month-or-week first,
    the sentence, then the period and map-level choices (``pickers``: period kind, period,
    level; each draws its control and returns the choice); the map is fitted to ``width`` pixels."""
    period_picker, label_picker, level_picker = pickers
    period_picker()
    summary = answer(answers.period_summary, layer, period, label)
    if summary is None:
        st.info(tr("pub_no_data", lang))
        return
    sentence = summary_sentence(summary, meta, lang)
    st.html(f'<p class="pub-root pub-sentence" data-testid="pub-sentence">{html.escape(sentence)}</p>')
    st.html(f'<div class="pub-root">{kpis_html(summary, meta, lang)}</div>')
    if meta.rounding_base:
        st.markdown(tr("pub_rounded_note", lang, base=meta.rounding_base))
    label = label_picker()
    level = level_picker()
    when = period_text(period, label, summary.start, summary.end, lang)
    render_map_and_table(layer, meta, lang, level, period, label, when, elder, width)
    periods = answer(answers.district_periods, layer, period)
    shown = trend_periods(periods, period)
    st.html(f'<h2 class="pub-root">{html.escape(trend_title(period, lang))}</h2>')
    st.html(
        f'<div class="pub-root">{bars_html(shown, meta, lang, period)}'
        + table_html(
            period_headers(lang, period), period_rows(shown, meta, lang, period), testid="pub-month-table", lang=lang
        )
        + "</div>"
    )
    categories = answer(answers.category_figures, layer, label, period)
    if len(categories):
        title = tr("pub_categories_title", lang, period=when)
        st.html(
            f'<div class="pub-root"><h2>{html.escape(title)}</h2>'
            + table_html(
                category_headers(lang), category_rows(categories, meta, lang), testid="pub-category-table", lang=lang
            )
            + "</div>"
        )
    st.html(privacy_html(meta, answer(answers.sensitive_groups, layer), lang))


def render_map_and_table(
    layer: PublishedLayer,
    meta: PublicMeta,
    lang: str,
    level: str,
    period: str,
    label: str,
    when: str,
    elder: bool = False,
    width: int = PHONE_MAP_WIDTH,
) -> None:
    """The map of ``level`` for the month or week ``label`` (``when`` in words), fitted to a
    column ``width`` pixels wide, with its key, then the same figures as a table."""
    level_word = tr(f"pub_level_{level}", lang)
    heading = tr("pub_map_title", lang, level=level_word, period=when)
    st.html(f'<h2 class="pub-root">{html.escape(heading)}</h2>')
    frame = answer(answers.area_figures, layer, level, label, period)
    classes = count_classes(frame["received"])
    height = map_height(width)
    deck = public_deck(
        frame, classes, lang, labels=level == "street", label_size=16 if elder else 13, width=width, height=height
    )
    if deck is not None:
        st.pydeck_chart(deck, height=height, key=f"pub_map_{level}")
        st.html(f'<p class="pub-root pub-muted">{html.escape(tr("pub_map_alt", lang, level=level_word))}</p>')
    withheld = bool(frame["received"].isna().any())
    st.html(f'<div class="pub-root">{legend_items_html(classes, meta, lang, any_withheld=withheld)}</div>')
    parents = None
    if level == "community":
        streets = answer(answers.units, layer, "street")
        parents = {str(r["unit_id"]): unit_name(r, lang) for _, r in streets.iterrows()}
    title = tr("pub_table_title", lang, level=level_word, period=when)
    st.html(
        f'<div class="pub-root"><h2>{html.escape(title)}</h2>'
        + table_html(
            area_headers(lang, with_parent=parents is not None),
            area_rows(frame, meta, lang, with_parent=parents),
            testid="pub-area-table",
            lang=lang,
        )
        + "</div>"
    )
