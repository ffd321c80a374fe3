"""The hotspot page's view state in the URL: reading it once, writing it on every run.

Copying the address reproduces the analysis: the filters (``start``, ``end``, ``cat``,
``src``, ``street``, ``dept``: read and written by :mod:`dashboard.components.filters`, as on
every page), the unit (``unit``, ``res``), the method and its settings (``method``, ``conf``,
``fdr``, ``slice``) and the selected unit (``sel``). Values that do not fit the options are
ignored, never trusted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import streamlit as st

from dashboard.components import url_state as url
from dashboard.components.filters import stage_filters
from queries import EventFilter
from queries.answers.hotspots import H3_RESOLUTIONS, METHODS

CONFIDENCES = (0.90, 0.95, 0.99)
SLICES = {"week": 7, "day": 1}
_LOADED = "hs_url_loaded"


@dataclass(frozen=True)
class Controls:
    """The analysis controls' values."""

    unit: str
    res: int
    method: str
    confidence: float
    fdr: bool
    slice: str


def seed_from_url(units: Collection[str]) -> None:
    """Put the URL's analysis settings into session state, once per session, before widgets draw.

    ``units`` are the units this store offers (``h3`` and the area levels it has). Every value
    goes through :mod:`dashboard.components.url_state`: anything malformed or not offered is
    ignored (the widget keeps its default). The filters are the filter bar's (every page).
    """
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    values = {
        "hs_unit": url.get_choice("unit", units),
        "hs_res": url.get_int("res", H3_RESOLUTIONS),
        "hs_method": url.get_choice("method", METHODS),
        "hs_conf": url.get_float("conf", CONFIDENCES),
        "hs_fdr": url.get_flag("fdr"),
        "hs_slice": url.get_choice("slice", SLICES),
        "hs_selected": url.get_text("sel"),  # an id: the page checks it against the units analysed
    }
    for key, value in values.items():
        if value is not None:
            st.session_state[key] = value


def write_to_url(flt: EventFilter, controls: Controls, selected: str | None) -> None:
    """Stage the current view for the address (written once at the end of the run; ``lang``
    is the app's)."""
    stage_filters(flt)
    url.stage(
        {
            "unit": controls.unit,
            "res": str(controls.res),
            "method": controls.method,
            "conf": f"{controls.confidence:.2f}",
            "fdr": "1" if controls.fdr else "0",
            "slice": controls.slice,
            "sel": selected or None,
        }
    )
