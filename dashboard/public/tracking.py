"""Track my report (查询办理进度): case number + code → the stages reached and their days,
whether it was closed on time, how to rate it; nothing else.

The published layer holds only a keyed digest of (case number, code); the app computes the
digest of what was typed under the lookup key (which can check a code, not make one) and
looks it up. A wrong pair, an unknown case and a case whose
code is wrong all get the same words; tries are limited per session and per case number
(:mod:`dashboard.public.limits`).
"""

from __future__ import annotations

import hmac
import html
import os
import unicodedata
from dataclasses import dataclass
from math import ceil

import streamlit as st

from dashboard.public.layer import forget_layer
from dashboard.public.limits import CASE_LIMIT, SlidingLimit, session_limit
from dashboard.public.text import date_text, tr
from data.publish.tracking import LOOKUP_SETTING, key_id, parse_lookup_key, tracking_digest
from data.store import StoreUnavailable
from queries.answers.public import Tracking, tracking
from queries.published import PublishedLayer

MAX_CASE, MAX_CODE = 40, 20


def tracking_key() -> bytes | None:
    """The lookup key (``GRIDSCOPE_PUBLIC_LOOKUP_KEY``, from ``gridscope publish lookup-key``):
    it checks a case number and code against the published digests and cannot make a code.
    The district's own key (``GRIDSCOPE_PUBLIC_TRACKING_KEY``) is never read here and does not
    belong on the public server. ``None`` when unset or malformed (look-ups then say so)."""
    try:
        return parse_lookup_key(os.environ.get(LOOKUP_SETTING, ""))
    except ValueError:
        return None


def key_matches(layer: PublishedLayer, key: bytes) -> bool:
    """Whether ``key`` is the lookup key the layer's digests were made with
    (``pub_meta.tracking_key_id``). A wrong key (the district's own key set by mistake, or a
    layer published before the lookup key existed) would answer every right code "not found"
    and use up the case's tries; look-ups then say the service is not available instead."""
    meta = layer.fetch("public_meta")
    ids = meta.loc[meta["key"] == "tracking_key_id", "value"].astype(str).tolist()
    return bool(ids) and hmac.compare_digest(ids[0], key_id(key))


def normalise_code(text: str) -> str:
    """The code without any spaces (people type "48 21"); the case number is only trimmed
    (:func:`~data.publish.tracking.tracking_digest` trims and NFKC-normalises both)."""
    return "".join(text.split())


@dataclass(frozen=True)
class LookUp:
    """The outcome of one try: ``found`` (with ``result``), ``not_found``, ``limited`` (with
    ``minutes`` to wait), ``empty``, ``too_long`` or ``not_ready`` (no key configured)."""

    outcome: str
    result: Tracking | None = None
    minutes: int = 0


def look_up(
    layer: PublishedLayer,
    key: bytes | None,
    case_no: str,
    code: str,
    session: SlidingLimit,
    per_case: SlidingLimit = CASE_LIMIT,
) -> LookUp:
    """Check the input, apply both limits, then look the digest up. Every well-formed try
    counts for the session; a wrong one also counts for its case number."""
    case_no, code = unicodedata.normalize("NFKC", case_no).strip(), normalise_code(code)
    if not case_no or not code:
        return LookUp("empty")
    if len(case_no) > MAX_CASE or len(code) > MAX_CODE:
        return LookUp("too_long")
    if key is None or not key_matches(layer, key):
        return LookUp("not_ready")
    case_key = case_no.upper()
    if session.blocked("session") or per_case.blocked(case_key):
        wait = max(session.wait_s("session"), per_case.wait_s(case_key))
        return LookUp("limited", minutes=max(1, ceil(wait / 60)))
    session.record("session")
    found = tracking(layer, tracking_digest(key, case_no, code))
    if found is None:
        per_case.record(case_key)
        return LookUp("not_found")
    return LookUp("found", result=found)


def result_html(result: Tracking, lang: str) -> str:
    """The stages with their days, the outcome and how to rate (the app's own words only)."""
    stages = "".join(
        "<li>"
        + html.escape(tr("pub_track_stage_on", lang, stage=tr(f"pub_stage_{s}", lang), date=date_text(d, lang)))
        + "</li>"
        for s, d in result.stages
    )
    status = result.status if result.status in ("open", "closed", "cancelled") else "open"
    lines = [tr(f"pub_track_status_{status}", lang)]
    if status == "closed" and result.closed_on_time is not None:
        lines.append(tr("pub_track_on_time_yes" if result.closed_on_time else "pub_track_on_time_no", lang))
    if result.rated:
        lines.append(tr("pub_track_rated", lang))
    elif result.can_rate:
        lines.append(tr("pub_track_rate_how", lang))
    body = "".join(f"<p>{html.escape(x)}</p>" for x in lines)
    title = html.escape(tr("pub_track_stages", lang))
    return (
        f'<div class="pub-root" data-testid="pub-track-result" role="status"><p><strong>{title}</strong></p>'
        f'<ol class="pub-stages">{stages}</ol>{body}</div>'
    )


def render_tracking(layer: PublishedLayer, lang: str) -> None:
    """The look-up form and the last answer of this session."""
    st.html(f'<h2 id="track">{html.escape(tr("pub_track_title", lang))}</h2>')
    st.markdown(tr("pub_track_intro", lang))
    state = st.session_state
    if "pub_track_limit" not in state:
        state["pub_track_limit"] = session_limit()
    with st.form("pub_track_form", enter_to_submit=True):
        case_no = st.text_input(tr("pub_track_case", lang), max_chars=MAX_CASE, key="pub_case", autocomplete="off")
        code = st.text_input(tr("pub_track_code", lang), max_chars=MAX_CODE, key="pub_code", autocomplete="off")
        sent = st.form_submit_button(tr("pub_track_submit", lang))
    if sent:
        try:
            state["pub_track_answer"] = look_up(layer, tracking_key(), case_no, code, state["pub_track_limit"])
        except StoreUnavailable:  # the layer went away mid-session: the next page reconnects
            forget_layer()
            state.pop("pub_track_answer", None)
            st.error(tr("pub_no_layer", lang))
            return
    answer: LookUp | None = state.get("pub_track_answer")
    if answer is None:
        return
    if answer.outcome == "found" and answer.result is not None:
        st.html(result_html(answer.result, lang))
    elif answer.outcome == "limited":
        st.warning(tr("pub_track_limited", lang, minutes=answer.minutes))
    else:
        key = {"empty": "pub_track_empty", "too_long": "pub_track_too_long", "not_ready": "pub_track_not_ready"}
        st.warning(tr(key.get(answer.outcome, "pub_track_not_found"), lang))
