"""The hotspot page's view state in the URL: reading it once, writing it on every run.

Copying the address reproduces the analysis: the filters (``start``, ``end``, ``cat``,
``src``, ``street``, ``dept``; lists comma-separated), the unit (``unit``, ``res``), the
method and its settings (``method``, ``conf``, ``fdr``, ``slice``) and the selected unit
(``sel``). Values that do not fit the options are ignored, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from queries import EventFilter
from queries.hotspots import AREA_UNITS, H3_RESOLUTIONS, METHODS

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


def _list(value: str | None, allowed: set[str]) -> list[str]:
    return [v for v in (value or "").split(",") if v in allowed]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def seed_from_url(options: dict[str, set[str]], first: date, last: date) -> None:
    """Put the URL's values into session state, once per session, before widgets draw.

    ``options`` maps ``cat``/``src``/``street``/``dept`` to their allowed values.
    """
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    q = st.query_params
    start, end = _date(q.get("start")), _date(q.get("end"))
    if start and end and first <= start <= end <= last:
        st.session_state["f_dates"] = (start, end)
    for param, key in FILTER_KEYS.items():
        if param in q:
            st.session_state[key] = _list(q.get(param), options[param])
    units = {"h3", *AREA_UNITS}
    if q.get("unit") in units:
        st.session_state["hs_unit"] = q.get("unit")
    if q.get("res", "").isdigit() and int(q["res"]) in H3_RESOLUTIONS:
        st.session_state["hs_res"] = int(q["res"])
    if q.get("method") in METHODS:
        st.session_state["hs_method"] = q.get("method")
    try:
        conf = float(q.get("conf", ""))
        if conf in CONFIDENCES:
            st.session_state["hs_conf"] = conf
    except ValueError:
        pass
    if q.get("fdr") in ("0", "1"):
        st.session_state["hs_fdr"] = q.get("fdr") == "1"
    if q.get("slice") in SLICES:
        st.session_state["hs_slice"] = q.get("slice")
    if q.get("sel"):
        st.session_state["hs_selected"] = q.get("sel")


def write_to_url(flt: EventFilter, controls: Controls, selected: str | None) -> None:
    """Mirror the current view into the query parameters (``lang`` is the app's)."""
    values = {
        "start": flt.start.date().isoformat(),
        "end": (flt.end - timedelta(days=1)).date().isoformat(),  # the filter's end is exclusive
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
