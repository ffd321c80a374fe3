"""The public app (``public_app.py``): the district's published figures for citizens and
"Track my report". It reads only the published layer (:mod:`dashboard.public.layer`), never
the internal store or the internal pages; everything it shows is in the address
(``?lang=en&elder=1&view=track&level=community&month=2026-10``, ``&period=week&week=2026-W43``)."""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import replace

import streamlit as st

from dashboard.public.address import LEVELS, PERIODS, Address, address_params, read_address
from dashboard.public.layer import answer, get_layer
from dashboard.public.maps import PHONE_MAP_WIDTH, WIDE_MAP_WIDTH
from dashboard.public.overview import render_overview
from dashboard.public.style import app_css
from dashboard.public.text import date_text, district_name, month_text, tr, week_text
from dashboard.public.tracking import render_tracking
from dashboard.safe_text import md
from data.store import StoreUnavailable
from queries.answers import public as answers

LOG = logging.getLogger(__name__)

_PAGE_JS = """
export default function(component) {
  const { data, setStateValue } = component;
  document.documentElement.setAttribute('lang', (data && data.lang) || 'zh-CN');
  let known = (data && data.width) || 0;
  function name() {  // the map's zoom buttons in the page's language
    for (const [sel, text] of [['.mapboxgl-ctrl-zoom-in', data.zoom_in], ['.mapboxgl-ctrl-zoom-out', data.zoom_out]]) {
      document.querySelectorAll(sel).forEach((b) => {
        if (text && b.title !== text) { b.title = text; b.setAttribute('aria-label', text); }
      });
    }
  }
  name();
  const observer = new MutationObserver(name);
  observer.observe(document.body, {childList: true, subtree: true});
  function report() {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return;
    const css = getComputedStyle(main);
    const width = Math.floor(main.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight));
    if (width > 0 && Math.abs(width - known) > 24) { known = width; setStateValue('width', width); }
  }
  if (data.report) report();
  let timer = null;
  const onResize = () => { clearTimeout(timer); if (data.report) timer = setTimeout(report, 400); };
  window.addEventListener('resize', onResize);
  return () => { window.removeEventListener('resize', onResize); clearTimeout(timer); observer.disconnect(); };
}
"""

_page = st.components.v2.component("gridscope_public_page", js=_PAGE_JS)
"""Sets ``<html lang>`` to the page's language (screen readers pronounce the text right), names
the map's zoom buttons in it, and reports the width of the page's column, so the map is fitted
to the screen it is drawn on."""


def _page_width(lang: str, report: bool) -> int:
    """The column's width in pixels: as the browser reported it, else guessed from the user
    agent (a phone's, or a desktop's full column) until it does. Only a page with the map
    asks the browser (``report``): the answer reruns the page."""
    known = st.session_state.get("pub_page_width")
    if not isinstance(known, int):
        agent = st.context.headers.get("User-Agent") or ""
        known = PHONE_MAP_WIDTH if "Mobi" in agent else WIDE_MAP_WIDTH
    reported = None
    with contextlib.suppress(Exception):  # no component runtime (AppTest): the guess stands
        result = _page(
            key="pub_page",
            data={
                "lang": "en" if lang == "en" else "zh-CN",
                "width": known,
                "report": report,
                "zoom_in": tr("pub_zoom_in", lang),
                "zoom_out": tr("pub_zoom_out", lang),
            },
            height=0,
            on_width_change=lambda: None,
        )
        reported = getattr(result, "width", None)
    if isinstance(reported, int | float) and 200 <= reported <= 4000:
        known = int(reported)
    st.session_state["pub_page_width"] = known
    return known


def _go(address: Address, **changes: object) -> None:
    """Move to ``address`` with ``changes`` (the callback of every control: the address holds the state)."""
    st.query_params.from_dict(address_params(replace(address, **changes, problems=())))  # type: ignore[arg-type]


def _controls(address: Address) -> None:
    """Language and elder mode (one tap each), then the two views; in rows that wrap, never stack."""
    lang = address.lang
    row = st.container(horizontal=True, gap="small")
    row.button(
        tr("pub_lang_switch", lang),
        key="pub_lang_button",
        on_click=_go,
        args=(address,),
        kwargs={"lang": "en" if lang == "zh" else "zh"},
    )
    row.button(
        tr("pub_elder_off" if address.elder else "pub_elder_on", lang),
        key="pub_elder_button",
        on_click=_go,
        args=(address,),
        kwargs={"elder": not address.elder},
    )
    views = st.container(horizontal=True, gap="small")
    for view in ("overview", "track"):
        views.button(
            tr(f"pub_view_{view}", lang),
            key=f"pub_view_{view}",
            type="primary" if address.view == view else "secondary",
            on_click=_go,
            args=(address,),
            kwargs={"view": view},
        )


def pick_period(address: Address) -> str:
    """按月 / 按周: one tap between months and ISO weeks (the sentence, map, trend follow)."""
    lang = address.lang
    st.session_state["pub_period"] = address.period
    st.segmented_control(
        tr("pub_period_choice", lang),
        PERIODS,
        key="pub_period",
        required=True,
        format_func=lambda p: tr(f"pub_period_{p}", lang),
        on_change=lambda: _go(address, period=st.session_state["pub_period"] or address.period),
    )
    return address.period


def pick_label(address: Address, periods: dict[str, str], label: str) -> str:
    """The month or week select (newest first, ``periods``: label → words); ``label`` chosen."""
    lang, field = address.lang, address.period
    key = f"pub_{field}"
    st.session_state[key] = label
    st.selectbox(
        tr(f"pub_{field}_choice", lang),
        list(periods)[::-1],
        key=key,
        format_func=lambda p: periods.get(p, p),
        on_change=lambda: _go(address, **{field: st.session_state[key]}),
    )
    return label


def pick_level(address: Address) -> str:
    """Street or community for the map and its table."""
    lang = address.lang
    st.session_state["pub_level"] = address.level
    st.radio(
        tr("pub_level_choice", lang),
        LEVELS,
        key="pub_level",
        format_func=lambda lv: tr(f"pub_level_{lv}_option", lang),
        horizontal=True,
        on_change=lambda: _go(address, level=st.session_state["pub_level"]),
    )
    return address.level


def main() -> None:
    """Render the public app for the current address."""
    st.set_page_config(page_title=tr("pub_app_title_plain", "zh"), layout="centered", initial_sidebar_state="collapsed")
    try:
        address = read_address(st.query_params.to_dict())
    except Exception:  # noqa: BLE001 - an address Streamlit could not decode: the defaults
        address = Address(problems=(("pub_param_unreadable", ""),))
    lang = address.lang
    st.session_state["lang"] = lang
    st.html(f"<style>{app_css(address.elder)}</style>")
    width = _page_width(lang, report=address.view == "overview")
    try:
        layer = get_layer()
        meta = answer(answers.published_meta, layer)
    except (StoreUnavailable, OSError, RuntimeError) as exc:
        LOG.warning("public layer unavailable: %s", exc)
        st.html(f'<h1 class="pub-root">{html.escape(tr("pub_app_title_plain", lang))}</h1>')
        st.error(tr("pub_no_layer", lang))
        return
    st.html(f'<h1 class="pub-root">{html.escape(tr("pub_app_title", lang, district=district_name(meta, lang)))}</h1>')
    if meta.through_date is not None:
        through = tr("pub_data_through", lang, date=date_text(meta.through_date, lang), lag=meta.lag_days)
        st.html(f'<p class="pub-root pub-muted" data-testid="pub-through">{html.escape(through)}</p>')
    _controls(address)
    if address.elder:
        st.html(f'<p class="pub-root pub-muted">{html.escape(tr("pub_elder_state_on", lang))}</p>')
    for key, value in address.problems:  # values from the address reach Markdown escaped
        st.warning(tr(key, lang, value=md(value)))
    if address.view == "track":
        render_tracking(layer, lang)
        return
    period = address.period
    frame = answer(answers.district_periods, layer, period)
    if frame.empty:
        st.info(tr("pub_no_data", lang))
        return
    periods = {
        str(r["period_label"]): week_text(str(r["period_label"]), r["period_start"], r["period_end"], lang)
        if period == "week"
        else month_text(str(r["period_label"]), lang)
        for _, r in frame.iterrows()
    }
    labels = list(periods)
    wanted = address.week if period == "week" else address.month
    if wanted is not None and wanted not in periods:
        st.warning(tr(f"pub_bad_{period}", lang, value=md(wanted), first=periods[labels[0]], last=periods[labels[-1]]))
    label = wanted if wanted in periods else labels[-1]
    pickers = (lambda: pick_period(address), lambda: pick_label(address, periods, label), lambda: pick_level(address))
    render_overview(layer, meta, lang, period, label, pickers, address.elder, width)
