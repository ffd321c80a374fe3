"""The weekly review (周例会): one ISO week's brief for projection at the meeting, with the same
brief as PDF and HTML downloads.

The figures come from :func:`queries.answers.brief.weekly_brief` (the data model the
``gridscope brief`` command renders). The KPI row is drawn with Streamlit metrics (large
numbers); every other section is the brief's own HTML fragment
(:func:`dashboard.brief.html.render_parts`: the tables, matplotlib charts and maps of the
PDF), so the screen, the HTML file and the PDF cannot disagree. Each section fills at least
one screen height (:data:`CSS`, the page's only style rules).

The address carries the week and the scope (``?week=2026-W47&street=110199002``): a value
that is malformed, outside the data's weeks or names no street gets a message, and the
page falls back to the last complete week / the whole district.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import dashboard.brief as brief_files
from dashboard.auth import can, current_user
from dashboard.auth.trail import export_callback
from dashboard.brief.html import document, headline_text, kpi_cards, render_parts
from dashboard.brief.markup import e
from dashboard.brief.strings import Words
from dashboard.components import url_state as url
from dashboard.components.cached import cached_answer
from dashboard.components.names import street_names
from dashboard.i18n import current_language, t
from dashboard.safe_text import md
from dashboard.state import data_now, get_store
from data.store import Store
from queries.answers.brief import Brief, EmptyStore, brief_week, weekly_brief
from queries.answers.brief_week import BadWeek, IsoWeek, weeks_back_to
from queries.answers.lookups import event_days

LOG = logging.getLogger("gridscope")

# (No bare strings at module level here: Streamlit's "magic" would print them on the page.)
# The pickers' widget keys; their values are also kept under ``<key>_kept`` between pages.
WEEK_KEY, STREET_KEY = "weekly_week", "weekly_street"
# Session state: ``((week, street, lang, digest of the figures), pdf bytes)`` of the last PDF made.
PDF_KEY = "weekly_pdf"
# The brief's parts shown after the KPI row, one per screen.
SECTIONS = ("mix", "hotspots", "supervision", "departments", "sensors", "notes")

CSS = """
[class*="st-key-weekly_sec_"] {
  min-height: calc(100vh - 5rem); padding: 1.2rem 0 2rem 0; border-top: 3px solid #e8c4c0;
  scroll-margin-top: 3.75rem;
}
.weekly-brief { font-size: 1.25rem; line-height: 1.55; color: #1d2733; }
.weekly-brief h1 { font-size: 2.4rem; margin: 0.2rem 0; }
.weekly-brief h2 { font-size: 2rem; color: #8c1d18; border-left: 6px solid #b3261e; padding-left: 0.6rem;
  margin: 0 0 0.8rem 0; }
.weekly-brief h3 { font-size: 1.4rem; margin: 1rem 0 0.4rem 0; }
.weekly-brief .org { color: #b3261e; letter-spacing: 0.08em; }
.weekly-brief .period { font-size: 1.5rem; font-weight: bold; }
.weekly-brief .asof, .weekly-brief .note { color: #56606b; font-size: 1.05rem; }
.weekly-brief .headline { background: #fbf3f2; border: 1px solid #e8c4c0; padding: 0.8rem 1.1rem;
  font-size: 1.55rem; margin: 0.6rem 0 1rem 0; }
.weekly-brief .empty { color: #56606b; font-style: italic; border: 1px dashed #c4ccd4; padding: 0.8rem 1rem; }
.weekly-brief table { border-collapse: collapse; width: 100%; margin: 0.4rem 0 1rem 0; font-size: 1.1rem; }
.weekly-brief th, .weekly-brief td { border-bottom: 1px solid #d5dbe1; padding: 0.35rem 0.6rem; text-align: left;
  vertical-align: top; }
.weekly-brief th { background: #eef2f6; }
.weekly-brief td.n, .weekly-brief th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.weekly-brief .up { color: #b3261e; }
.weekly-brief .down { color: #1b7f3b; }
.weekly-brief .two { display: flex; gap: 1.5rem; align-items: flex-start; }
.weekly-brief .two > div { flex: 1 1 0; min-width: 0; }
.weekly-brief img.chart { max-width: 100%; }
.weekly-brief img.map { display: block; width: auto; max-width: 100%; max-height: 72vh; margin: 0 auto; }
.weekly-brief .thumbs { display: flex; flex-wrap: wrap; gap: 0.6rem; }
.weekly-brief .thumbs img { width: 13rem; max-width: 46%; }
.weekly-brief footer.notes li { margin: 0.3rem 0; }
[class*="st-key-weekly_sec_overview"] [data-testid="stMetricValue"] { font-size: 2.8rem; }
[class*="st-key-weekly_sec_overview"] [data-testid="stMetricLabel"] p { font-size: 1.05rem; }
[class*="st-key-weekly_sec_overview"] [data-testid="stMetricDelta"] { font-size: 1rem; }
[class*="st-key-weekly_sec_overview"] [data-testid="stCaptionContainer"] { font-size: 1rem; }
@media (max-width: 640px) {
  [class*="st-key-weekly_sec_"] { min-height: 0; }
  .weekly-brief { font-size: 1rem; }
  .weekly-brief h1 { font-size: 1.6rem; }
  .weekly-brief h2 { font-size: 1.4rem; }
  .weekly-brief .headline, .weekly-brief .period { font-size: 1.1rem; }
  .weekly-brief .two { display: block; }
  .weekly-brief table { display: block; overflow-x: auto; font-size: 0.9rem; }
  .weekly-brief th, .weekly-brief td { white-space: nowrap; }
  .weekly-brief .thumbs img { max-width: 47%; }
  [class*="st-key-weekly_sec_overview"] [data-testid="stMetricValue"] { font-size: 1.6rem !important; }
}
"""


# The brief's HTML parts (:func:`render_parts`) and the whole document they make (a plain
# tuple: the page runs as a script, so a class of its own could not be pickled by the cache).
Rendered = tuple[dict[str, str], str]


def rendered_brief(store: Store, week: str, street: str | None, lang: str, now: datetime) -> Rendered:
    """The week's brief rendered in ``lang`` (parts for the page, the document for the download)."""
    brief = cached_answer(weekly_brief, store, week, street, now=now)
    parts = render_parts(brief, lang)
    return parts, document(brief, lang, parts)


def _fragment(html: str) -> None:
    st.html(f'<div class="weekly-brief">{html}</div>')


def render() -> None:
    """The page: pickers and downloads, then the brief one section per screen."""
    store = get_store()
    now = data_now()
    lang = current_language()
    st.html(f"<style>{CSS}</style>")
    st.title(t("weekly_title"))
    st.caption(t("weekly_caption"))
    try:
        default = cached_answer(brief_week, store, None, now)
    except EmptyStore:
        st.info(t("weekly_no_events"))
        return
    days = cached_answer(event_days, store)
    weeks = weeks_back_to(default, days[0] if days else None)
    week_col, street_col, html_col, pdf_col = st.columns([3.2, 2, 1.6, 1.6], vertical_alignment="bottom")
    week = pick_week(weeks, default, week_col)
    street = pick_street(store, street_col)
    url.stage({"week": week.label, "street": street})
    # Every week offered has ended (it is at most the last complete one), and the brief judges a
    # week as of its end capped at "now": as of its end, the same figures, and one cache entry
    # instead of one per minute.
    brief = cached_answer(weekly_brief, store, week.label, street, now=week.end)
    rendered = cached_answer(rendered_brief, store, week.label, street, lang, week.end)
    if can(current_user(), "export"):  # the brief's downloads: roles that may export only
        render_downloads(brief, rendered, lang, html_col, pdf_col)
    with st.container(key="weekly_sec_overview"):
        render_overview(brief, rendered, lang)
    for name in SECTIONS:
        with st.container(key=f"weekly_sec_{name}"):
            _fragment(rendered[0][name])


def _kept(key: str) -> str:
    return f"{key}_kept"


def _week_from_address(weeks: list[IsoWeek], default: IsoWeek) -> IsoWeek:
    """The week ``?week=`` names, or ``default`` with a message saying why not."""
    text = url.get_text("week", 40)
    if text is None:
        st.warning(t("weekly_bad_week_unreadable", default=default.label))
        return default
    try:
        week = IsoWeek.parse(text)
    except BadWeek:
        st.warning(t("weekly_bad_week", value=md(text), default=default.label))
        return default
    if week not in weeks:
        first, last = weeks[-1].label, weeks[0].label
        st.warning(t("weekly_week_out_of_range", value=week.label, first=first, last=last, default=default.label))
        return default
    return week


def pick_week(weeks: list[IsoWeek], default: IsoWeek, where: DeltaGenerator) -> IsoWeek:
    """The week picker (newest first, the last complete week by default; a week the address
    brings wins over the session's)."""
    labels = [w.label for w in weeks]
    if url.has("week") and url.changed("week"):
        value = _week_from_address(weeks, default).label
    else:
        value = st.session_state.get(WEEK_KEY, st.session_state.get(_kept(WEEK_KEY), default.label))
    st.session_state[WEEK_KEY] = value if value in labels else default.label
    by_label = {w.label: w for w in weeks}
    # the names are made now: a format_func may be called outside the run (language unknown)
    shown = {
        w.label: t(
            "weekly_week_latest" if w == default else "weekly_week_option",
            week=w.label,
            monday=f"{w.monday:%m-%d}",
            sunday=f"{w.sunday:%m-%d}",
        )
        for w in weeks
    }
    chosen = where.selectbox(t("weekly_week"), labels, key=WEEK_KEY, format_func=shown.get)
    st.session_state[_kept(WEEK_KEY)] = chosen
    return by_label[chosen]


def pick_street(store: Store, where: DeltaGenerator) -> str | None:
    """The scope picker: the whole district or one street (``?street=`` a street code)."""
    names = street_names(store)
    options = ["", *names]
    if url.has("street") and url.changed("street"):
        text = url.get_text("street", 100)
        value = text if text in names else ""
        if value == "":
            st.warning(t("weekly_bad_street", value=md(text or "")))
    else:
        value = st.session_state.get(STREET_KEY, st.session_state.get(_kept(STREET_KEY), ""))
    st.session_state[STREET_KEY] = value if value in options else ""
    mine = store.streets  # a street-scoped user: "all" is their streets, not the district
    shown = {"": "、".join(names.get(s, s) for s in mine) if mine else t("brief_district"), **names}
    chosen = where.selectbox(t("weekly_street"), options, key=STREET_KEY, format_func=shown.get)
    st.session_state[_kept(STREET_KEY)] = chosen
    return chosen or None


def _file_name(brief: Brief, lang: str, suffix: str) -> str:
    """``gridscope_brief_2026-W26_district_zh.pdf`` (ASCII: the street's code, not its name)."""
    return f"gridscope_brief_{brief.week.label}_{brief.scope.code.replace(',', '-')}_{lang}.{suffix}"


def _brief_notes(brief: Brief, lang: str) -> list[tuple[str, str]]:
    """What a brief download holds, for its audit row: the week, the street scope, the language."""
    return [("week", brief.week.label), ("street", brief.scope.code), ("lang", lang)]


def render_downloads(
    brief: Brief, rendered: Rendered, lang: str, html_col: DeltaGenerator, pdf_col: DeltaGenerator
) -> None:
    """The HTML download, and the PDF: made on click (WeasyPrint, a few seconds), then offered;
    a failure is a message with a reference, never a traceback."""
    html_col.download_button(
        t("weekly_download_html"),
        rendered[1].encode("utf-8"),
        file_name=_file_name(brief, lang, "html"),
        mime="text/html",
        key="weekly_dl_html",
        on_click=export_callback,
        args=("weekly_html", _file_name(brief, lang, "html"), 1, _brief_notes(brief, lang)),
        icon=":material/code:",
        width="stretch",
    )
    figures = "".join(html for name, html in rendered[0].items() if name != "notes")  # notes: generated at
    wanted = (brief.week.label, brief.scope.street_id, lang, hashlib.sha256(figures.encode()).hexdigest())
    slot = pdf_col.empty()
    held = st.session_state.get(PDF_KEY)
    if not (held and held[0] == wanted):
        if not slot.button(
            t("weekly_make_pdf"), key="weekly_make_pdf", icon=":material/picture_as_pdf:", width="stretch"
        ):
            return
        with st.spinner(t("weekly_making_pdf")):
            try:
                pdf = brief_files.html_to_pdf(rendered[1])
            except Exception:  # noqa: BLE001 - WeasyPrint, Pango or fonts missing: a message, not a traceback
                ref = uuid.uuid4().hex[:8]
                LOG.exception("weekly brief PDF failed, reference %s", ref)
                st.error(t("weekly_pdf_failed", ref=ref))
                return
        held = (wanted, pdf)
        st.session_state[PDF_KEY] = held
    slot.download_button(
        t("weekly_download_pdf"),
        held[1],
        file_name=_file_name(brief, lang, "pdf"),
        mime="application/pdf",
        key="weekly_dl_pdf",
        on_click=export_callback,
        args=("weekly_pdf", _file_name(brief, lang, "pdf"), 1, _brief_notes(brief, lang)),
        icon=":material/download:",
        type="primary",
        width="stretch",
    )


def render_overview(brief: Brief, rendered: Rendered, lang: str) -> None:
    """Section 1: the masthead, the headline sentence and the six KPI cards (vs the week
    before and vs the same week last year under each number)."""
    w = Words(lang)
    _fragment(rendered[0]["masthead"])
    _fragment(f'<h2>{e(w.t("brief_sec_overview"))}</h2><p class="headline">{e(headline_text(brief, w))}</p>')
    cards = kpi_cards(brief, w)
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        with column.container(border=True, key=f"weekly_kpi_{card.key}"):
            st.metric(card.label, card.value)
            st.caption(f"{w.t('brief_vs_prev')} {card.vs_prev}  \n{w.t('brief_vs_ly')} {card.vs_last_year}")


render()
