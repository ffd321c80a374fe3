"""The brief as one self-contained HTML file: masthead, headline and KPI row, sources and
categories; the later sections are in :mod:`.sections`. Every value that comes from the data
(names, codes, ids) is HTML-escaped; charts are inline PNG ``data:`` URIs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from queries.answers.brief import Brief, Mix
from queries.answers.kpis import Kpis

from . import charts
from .markup import delta, e, table
from .sections import hotspots_section, notes_section, ranking_section, sensors_section, supervision_section
from .strings import Words
from .style import page, stylesheet

__all__ = ["KpiCard", "document", "headline_text", "kpi_cards", "render_html", "render_parts", "scope_name"]

SIDE_BY_SIDE_ROWS = 8
"""A breakdown with at most this many rows shows its table and chart side by side."""


def scope_name(brief: Brief, w: Words) -> str:
    """The street's name, or "whole district"."""
    return w.name(
        {"name_zh": brief.scope.name_zh, "name_en": brief.scope.name_en},
        fallback=brief.scope.street_id or w.t("brief_district"),
    )


def _masthead(brief: Brief, w: Words) -> str:
    wk = brief.week
    period = w.t("brief_period", week=wk.label, monday=w.day(wk.monday), sunday=w.day(wk.sunday))
    return (
        f'<header class="masthead"><div class="org">{e(w.t("brief_org"))}</div>'
        f"<h1>{e(w.t('brief_title'))} · {e(scope_name(brief, w))}</h1>"
        f'<div class="period">{e(period)}</div>'
        f'<div class="asof">{e(w.t("brief_as_of", as_of=w.moment(brief.as_of)))}</div></header>'
    )


def headline_text(brief: Brief, w: Words) -> str:
    """The headline sentence (plain text)."""
    h = brief.headline
    cur = h.current
    if not cur.events:
        return w.t("brief_headline_empty", week=brief.week.label)
    if h.previous is None:
        vs = w.t("brief_no_prev")
    else:
        diff = cur.events - h.previous.events
        key = "brief_more" if diff > 0 else ("brief_fewer" if diff < 0 else "brief_same")
        vs = w.t(key, n=f"{abs(diff):,}", pct=w.rel(cur.events, h.previous.events).lstrip("+−"))
    return w.t(
        "brief_headline",
        events=w.int(cur.events),
        avg=w.num(h.daily_average()),
        vs_prev=vs,
        closure=w.pct(cur.closure_rate),
        on_time=w.pct(cur.on_time_rate),
        satisfaction=w.pct(cur.satisfaction_rate),
        overdue=w.int(cur.open_overdue),
    )


@dataclass(frozen=True)
class KpiCard:
    """One KPI of the headline row as shown: its label, value and the two changes (formatted)."""

    key: str
    label: str
    value: str
    vs_prev: str
    vs_last_year: str


def kpi_cards(brief: Brief, w: Words) -> list[KpiCard]:
    """The six KPI cards (received, daily average, closure, on-time closure, satisfaction,
    open overdue) with their changes against the week before and the same week last year,
    formatted in ``w``'s language: the brief and the dashboard's weekly page show these."""
    h = brief.headline

    def change(k: Kpis | None, field: str, kind: str) -> str:
        if k is None:
            return w.na
        now, then = getattr(h.current, field), getattr(k, field)
        if kind == "rate":
            return w.pp(now, then)
        if kind == "avg":
            return w.rel(now / h.days, then / h.days)
        return w.signed(now - then) if field == "open_overdue" else w.rel(now, then)

    cards = [
        ("brief_kpi_events", w.int(h.current.events), "events", "count"),
        ("brief_kpi_daily", w.num(h.daily_average()), "events", "avg"),
        ("brief_kpi_closure", w.pct(h.current.closure_rate), "closure_rate", "rate"),
        ("brief_kpi_on_time", w.pct(h.current.on_time_rate), "on_time_rate", "rate"),
        ("brief_kpi_satisfaction", w.pct(h.current.satisfaction_rate), "satisfaction_rate", "rate"),
        ("brief_kpi_overdue", w.int(h.current.open_overdue), "open_overdue", "count"),
    ]
    return [
        KpiCard(key, w.t(key), value, change(h.previous, field, kind), change(h.last_year, field, kind))
        for key, value, field, kind in cards
    ]


def _kpi_cards(brief: Brief, w: Words) -> str:
    cells = "".join(
        f'<td><div class="kpi-label">{e(c.label)}</div><div class="kpi-value">{e(c.value)}</div>'
        f'<div class="kpi-delta">{e(w.t("brief_vs_prev"))} {delta(c.vs_prev)}</div>'
        f'<div class="kpi-delta">{e(w.t("brief_vs_ly"))} {delta(c.vs_last_year)}</div></td>'
        for c in kpi_cards(brief, w)
    )
    return f'<table class="kpis"><tr>{cells}</tr></table>'


def _overview(brief: Brief, w: Words) -> str:
    return (
        f"<section><h2>{e(w.t('brief_sec_overview'))}</h2>"
        f'<p class="headline">{e(headline_text(brief, w))}</p>{_kpi_cards(brief, w)}</section>'
    )


def _key_name(mix: Mix, row: pd.Series, w: Words) -> str:
    if mix.dim == "source":
        return w.source(str(row["key"]))
    return w.name(row, fallback=str(row["key"]))


def _movers(mix: Mix, w: Words) -> str:
    def items(frame: pd.DataFrame) -> str:
        sep = "、" if w.lang == "zh" else "; "
        return sep.join(
            w.t("brief_mover_item", name=_key_name(mix, r, w), change=w.signed(r["change"]), share=w.pct(r["share"]))
            for _, r in frame.iterrows()
        )

    if not mix.has_previous:
        return ""
    up, down = mix.movers_up(), mix.movers_down()
    line_up = w.t("brief_movers_up", items=items(up)) if len(up) else w.t("brief_movers_none")
    line_down = w.t("brief_movers_down", items=items(down)) if len(down) else w.t("brief_movers_none_down")
    return f'<p class="note">{e(line_up)}</p><p class="note">{e(line_down)}</p>'


def _mix_block(mix: Mix, title_key: str, w: Words, with_charts: bool, top: int = 10) -> str:
    rows = []
    for _, r in mix.table.iterrows():
        rows.append(
            [
                (e(_key_name(mix, r, w)), False),
                (e(w.int(r["events"])), True),
                (e(w.pct(r["share"])), True),
                (e(w.int(r["prev_events"]) if mix.has_previous else w.na), True),
                (delta(w.signed(r["change"]) if mix.has_previous else w.na), True),
                (e(w.int(r["ly_events"]) if mix.has_last_year else w.na), True),
            ]
        )
    headers = [(e(w.t("brief_col_key")), False)] + [
        (e(w.t(k)), True)
        for k in ("brief_col_events", "brief_col_share", "brief_col_prev", "brief_col_change", "brief_col_ly")
    ]
    chart = ""
    wide = len(mix.table) > SIDE_BY_SIDE_ROWS
    if with_charts:
        shown = mix.table.head(top)
        png = charts.bar_chart(
            [_key_name(mix, r, w) for _, r in shown.iterrows()],
            shown["events"].tolist(),
            shown["prev_events"].tolist() if mix.has_previous else None,
            (w.t("brief_col_events"), w.t("brief_col_prev")),
            width_in=5.6 if wide else 3.4,
        )
        chart = f'<div><img class="chart" alt="{e(w.t(title_key))}" src="{charts.png_data_uri(png)}"></div>'
    head = f'<div class="keep"><h3>{e(w.t(title_key))}</h3>{_movers(mix, w)}</div>'
    if len(rows) <= SIDE_BY_SIDE_ROWS:
        return f'{head}<div class="two"><div>{table(headers, rows)}</div>{chart}</div>'
    # a long table must be free to break across pages (a flex row cannot): the chart follows it
    return f'{head}{table(headers, rows)}<div class="wide-chart keep">{chart}</div>'


def _mix_section(brief: Brief, w: Words, with_charts: bool) -> str:
    title = f"<h2>{e(w.t('brief_sec_mix'))}</h2>"
    if not brief.has_events:
        return f'<section>{title}<p class="empty">{e(w.t("brief_mix_empty"))}</p></section>'
    return (
        f"<section>{title}{_mix_block(brief.by_source, 'brief_by_source', w, with_charts)}"
        f"{_mix_block(brief.by_category, 'brief_by_category', w, with_charts)}</section>"
    )


def render_parts(brief: Brief, lang: str = "zh", *, with_charts: bool = True) -> dict[str, str]:
    """The brief's parts as escaped HTML fragments, in order: ``masthead``, ``overview``,
    ``mix``, ``hotspots``, ``supervision``, ``departments``, ``sensors``, ``notes`` (the
    dashboard's weekly page shows them one per screen; :func:`render_html` joins them)."""
    w = Words(lang)
    return {
        "masthead": _masthead(brief, w),
        "overview": _overview(brief, w),
        "mix": _mix_section(brief, w, with_charts),
        "hotspots": hotspots_section(brief, w, with_charts),
        "supervision": supervision_section(brief, w),
        "departments": ranking_section(brief, w),
        "sensors": sensors_section(brief, w),
        "notes": notes_section(brief, w),
    }


def document(brief: Brief, lang: str, parts: dict[str, str]) -> str:
    """The whole HTML document of :func:`render_parts`' ``parts``."""
    w = Words(lang)
    footer = w.t("brief_footer", scope=scope_name(brief, w), week=brief.week.label)
    title = f"{w.t('brief_title')} {brief.week.label} · {scope_name(brief, w)}"
    return page(lang, title, stylesheet(footer), "".join(parts.values()))


def render_html(brief: Brief, lang: str = "zh", *, with_charts: bool = True) -> str:
    """The whole brief as one HTML document in ``lang`` (``zh`` or ``en``); ``with_charts=False``
    leaves out the pictures (faster, for tests of the text)."""
    return document(brief, lang, render_parts(brief, lang, with_charts=with_charts))
