"""The hotspot page's view state in the URL: reading it once, writing it on every run.

Copying the address reproduces the analysis: the filters (``start``, ``end``, ``cat``,
``src``, ``street``, ``dept``; lists comma-separated), the unit (``unit``, ``res``), the
method and its settings (``method``, ``conf``, ``fdr``, ``slice``) and the selected unit
(``sel``). Values that do not fit the options are ignored, never trusted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard.components import url_state as url
from dashboard.components.filters import last_day
from queries import EventFilter
from queries.answers.hotspots import H3_RESOLUTIONS, METHODS

CONFIDENCES = (0.90, 0.95, 0.99)
SLICES = {"week": 7, "day": 1}
FILTER_KEYS = {"cat": "f_categories", "src": "f_sources", "street": "f_streets", "dept": "f_departments"}
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


def seed_from_url(options: dict[str, set[str]], first: date, last: date, units: Collection[str]) -> None:
    """Put the URL's values into session state, once per session, before widgets draw.

    ``options`` maps ``cat``/``src``/``street``/``dept`` to their allowed values; ``units``
    are the units this store offers (``h3`` and the area levels it has). Every value goes
    through :mod:`dashboard.components.url_state`: anything malformed or not offered is
    ignored (the widget keeps its default).
    """
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    start, end = url.get_day("start", first, last), url.get_day("end", first, last)
    if start and end and start <= end:
        st.session_state["f_dates"] = (start, end)
    for param, key in FILTER_KEYS.items():
        picked = url.get_members(param, options[param])
        if picked is not None:
            st.session_state[key] = picked
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
    """Mirror the current view into the query parameters (``lang`` is the app's)."""
    values = {
        "start": flt.start.date().isoformat(),
        "end": last_day(flt).isoformat(),
        "cat": ",".join(flt.categories),
        "src": ",".join(flt.sources),
        "street": ",".join(flt.street_ids),
        "dept": ",".join(flt.departments),
        "unit": controls.unit,
        "res": str(controls.res),
        "method": controls.method,
        "conf": f"{controls.confidence:.2f}",
        "fdr": "1" if controls.fdr else "0",
        "slice": controls.slice,
        "sel": selected or "",
    }
    for key, value in values.items():
        if value:
            if st.query_params.get(key) != value:
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]
