"""The district's KPI targets on the page: read from the settings, and how a KPI card shows them.

A rate with a target is coloured by whether it meets it (green on target, red below), not
by the direction of its change; a rate without a target shows its change in grey. The
targets themselves come from :func:`queries.settings.load_targets` (environment, then
``.streamlit/secrets.toml``); other pages (the chain map's diverging scale) read them here.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.i18n import t
from dashboard.safe_text import html_text
from queries.settings import Targets, load_targets


def current_targets() -> Targets:
    """The KPI targets of the settings; the defaults, with a warning on the page, when a target
    setting is invalid (the message names it)."""
    try:
        secrets = dict(st.secrets)
    except Exception:  # noqa: BLE001 - no or a malformed secrets file: environment only
        secrets = {}
    try:
        return load_targets(secrets)
    except ValueError as exc:
        st.warning(t("tgt_bad_setting", error=str(exc)))
        return Targets()


@dataclass(frozen=True)
class TargetLook:
    """How a KPI shows its target: ``delta_color`` for ``st.metric`` and a short status text
    (``None`` without a target)."""

    delta_color: str
    status: str | None


_COLOURS = {"green": "#15803d", "red": "#b91c1c", "off": "#6b7280"}
"""Text colours of the target line (Streamlit's caption green/red, readable on white)."""


def _shown(target: float) -> str:
    return f"{target:.0%}" if round(target * 100, 6).is_integer() else f"{target:.1%}"


def target_look(targets: Targets, metric: str, value: float | None, label: str) -> TargetLook:
    """The look of rate ``metric`` (named ``label``) at ``value``: green with "… on target
    (≥ 90%)" when it meets its target, red with "… below target" when not, grey without a
    target or a value."""
    target = targets.for_metric(metric)
    meets = targets.meets(metric, value)
    if target is None or meets is None:
        return TargetLook("off", None)
    if meets:
        return TargetLook("green", t("tgt_met", name=label, target=_shown(target)))
    return TargetLook("red", t("tgt_missed", name=label, target=_shown(target)))


def render_target_line(looks: list[TargetLook]) -> None:
    """One caption under the KPI cards saying which rates meet their targets (in their colour,
    so the status is in the text, not only in the colour)."""
    parts = [
        f'<span style="color:{_COLOURS[look.delta_color]}">{html_text(look.status)}</span>'
        for look in looks
        if look.status
    ]
    if parts:
        # the app's own HTML (escaped text), not Markdown: no colour directive a name could imitate
        st.html(f'<p style="font-size:0.875rem;margin:0">{" · ".join(parts)}</p>')
