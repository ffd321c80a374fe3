"""The public app's figures: the summary sentence and headline numbers, the map by street or
community with its table, the monthly trend, the categories and how privacy is protected."""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import show_chart
from dashboard.public.figures import (
    area_headers,
    area_rows,
    category_headers,
    category_rows,
    count_classes,
    legend_items_html,
    month_headers,
    month_rows,
    table_html,
)
from dashboard.public.maps import MAP_HEIGHT, public_deck
from dashboard.public.text import (
    count_change_text,
    count_text,
    date_text,
    month_text,
    pct_text,
    period_month_text,
    rate_change_text,
    summary_sentence,
    tr,
    unit_name,
)
from queries.answers import public as answers
from queries.answers.public import MonthSummary, PublicMeta
from queries.published import PublishedLayer

from .layer import answer


def kpis_html(summary: MonthSummary, meta: PublicMeta, lang: str) -> str:
    """Three large figures with their change against last month in words."""
    received = count_text(summary.received) if summary.received is not None else tr("pub_not_published", lang)
    cards = [
        (
            tr("pub_kpi_received", lang),
            received,
            count_change_text(summary.received, summary.previous_received, lang)
            if summary.complete
            else tr("pub_partial_month", lang, date=date_text(summary.end, lang)),
        ),
        (
            tr("pub_kpi_on_time", lang),
            pct_text(summary.on_time_rate),
            rate_change_text(summary.on_time_rate, summary.previous_on_time_rate, lang),
        ),
        (
            tr("pub_kpi_satisfaction", lang),
            pct_text(summary.satisfaction_rate),
            rate_change_text(summary.satisfaction_rate, summary.previous_satisfaction_rate, lang),
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
            tr("pub_privacy_sensitive", lang, groups=names.join(unit_name(r, lang) for _, r in sensitive.iterrows()))
        )
    items += [tr("pub_privacy_never", lang), tr("pub_privacy_tracking", lang)]

    def bold(text: str) -> str:
        parts = html.escape(text).split("**")
        return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))

    body = "".join(f"<li>{bold(x)}</li>" for x in items)
    title = html.escape(tr("pub_privacy_title", lang))
    return f'<section class="pub-root pub-privacy"><h2>{title}</h2><ul>{body}</ul></section>'


def trend_figure(months: pd.DataFrame, lang: str) -> go.Figure:
    """Reports per month as bars with the number written on each (no hover needed)."""
    labels = [
        period_month_text(str(m), end, lang)
        for m, end in zip(months["period_label"], months["period_end"], strict=True)
    ]
    values = pd.to_numeric(months["received"], errors="coerce")
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=[count_text(v) if pd.notna(v) else tr("pub_not_published", lang) for v in values],
            textposition="outside",
            marker_color="#2b6cb0",
            cliponaxis=False,
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"size": 15, "color": "#1a1a1a"},
        yaxis={"title": tr("pub_trend_axis", lang), "rangemode": "tozero"},
        xaxis={"type": "category"},
        plot_bgcolor="#ffffff",
        showlegend=False,
    )
    return fig


def render_overview(
    layer: PublishedLayer,
    meta: PublicMeta,
    lang: str,
    month: str,
    month_picker: Callable[[], str],
    level_picker: Callable[[], str],
    elder: bool = False,
) -> None:
    """Every section of the figures view for ``month``: the sentence first, then the month
    and map-level choices (``*_picker`` draw them and return the choice)."""
    summary = answer(answers.month_summary, layer, month)
    if summary is None:
        st.info(tr("pub_no_data", lang))
        return
    sentence = summary_sentence(summary, meta, lang)
    st.html(f'<p class="pub-root pub-sentence" data-testid="pub-sentence">{html.escape(sentence)}</p>')
    st.html(f'<div class="pub-root">{kpis_html(summary, meta, lang)}</div>')
    if meta.rounding_base:
        st.markdown(tr("pub_rounded_note", lang, base=meta.rounding_base))
    month = month_picker()
    level = level_picker()
    render_map_and_table(layer, meta, lang, level, month, elder)
    months = answer(answers.district_months, layer)
    st.html(f'<h2 class="pub-root">{html.escape(tr("pub_trend_title", lang))}</h2>')
    show_chart(trend_figure(months, lang), key="pub_trend", width="stretch")
    st.html(
        '<div class="pub-root">'
        + table_html(month_headers(lang), month_rows(months, meta, lang), testid="pub-month-table", lang=lang)
        + "</div>"
    )
    categories = answer(answers.category_figures, layer, month)
    if len(categories):
        title = tr("pub_categories_title", lang, month=month_text(month, lang))
        st.html(
            f'<div class="pub-root"><h2>{html.escape(title)}</h2>'
            + table_html(
                category_headers(lang), category_rows(categories, meta, lang), testid="pub-category-table", lang=lang
            )
            + "</div>"
        )
    st.html(privacy_html(meta, answer(answers.sensitive_groups, layer), lang))


def render_map_and_table(
    layer: PublishedLayer, meta: PublicMeta, lang: str, level: str, month: str, elder: bool = False
) -> None:
    """The map of ``level`` with its key, then the same figures as a table."""
    level_word = tr(f"pub_level_{level}", lang)
    heading = tr("pub_map_title", lang, level=level_word, month=month_text(month, lang))
    st.html(f'<h2 class="pub-root">{html.escape(heading)}</h2>')
    frame = answer(answers.area_figures, layer, level, month)
    classes = count_classes(frame["received"])
    deck = public_deck(frame, classes, lang, labels=level == "street", label_size=16 if elder else 13)
    if deck is not None:
        st.pydeck_chart(deck, height=MAP_HEIGHT, key=f"pub_map_{level}")
        st.html(f'<p class="pub-root pub-muted">{html.escape(tr("pub_map_alt", lang, level=level_word))}</p>')
    withheld = bool(frame["received"].isna().any())
    st.html(f'<div class="pub-root">{legend_items_html(classes, meta, lang, any_withheld=withheld)}</div>')
    parents = None
    if level == "community":
        streets = answer(answers.units, layer, "street")
        parents = {str(r["unit_id"]): unit_name(r, lang) for _, r in streets.iterrows()}
    title = tr("pub_table_title", lang, level=level_word, month=month_text(month, lang))
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
