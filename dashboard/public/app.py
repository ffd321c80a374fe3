"""The public app (``public_app.py``): the district's published figures for citizens and
"Track my report". It reads only the published layer (:mod:`dashboard.public.layer`), never
the internal store or the internal pages; everything it shows is in the address
(``?lang=en&elder=1&view=track&level=community&month=2026-10``)."""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import replace

import streamlit as st

from dashboard.public.address import LEVELS, Address, address_params, read_address
from dashboard.public.layer import answer, get_layer
from dashboard.public.overview import render_overview
from dashboard.public.style import app_css
from dashboard.public.text import date_text, district_name, month_text, tr
from dashboard.public.tracking import render_tracking
from dashboard.safe_text import md
from data.store import StoreUnavailable
from queries.answers import public as answers

LOG = logging.getLogger(__name__)

_LANG_JS = """
export default function(component) {
  const lang = (component.data && component.data.lang) || 'zh-CN';
  document.documentElement.setAttribute('lang', lang);
}
"""

_doc_lang = st.components.v2.component("gridscope_public_lang", js=_LANG_JS)
"""Sets ``<html lang>`` to the page's language (screen readers pronounce the text right)."""


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


def pick_month(address: Address, months: list[str]) -> str:
    """The month select (newest first); the address's month when published, else the latest."""
    lang = address.lang
    month = address.month if address.month in months else months[-1]
    st.session_state["pub_month"] = month
    st.selectbox(
        tr("pub_month_choice", lang),
        months[::-1],
        key="pub_month",
        format_func=lambda m: month_text(m, lang),
        on_change=lambda: _go(address, month=st.session_state["pub_month"]),
    )
    return month


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
    with contextlib.suppress(Exception):  # no component runtime (AppTest): the attribute is cosmetic
        _doc_lang(key="pub_doc_lang", data={"lang": "en" if lang == "en" else "zh-CN"}, height=0)
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
    months = answer(answers.district_months, layer)["period_label"].astype(str).tolist()
    if not months:
        st.info(tr("pub_no_data", lang))
        return
    if address.month is not None and address.month not in months:
        st.warning(
            tr(
                "pub_bad_month",
                lang,
                value=md(address.month),
                first=month_text(months[0], lang),
                last=month_text(months[-1], lang),
            )
        )
    month = address.month if address.month in months else months[-1]
    render_overview(
        layer, meta, lang, month, lambda: pick_month(address, months), lambda: pick_level(address), address.elder
    )
