"""What every map of the dashboard shares: tooltips, legend chips, the kept view, the deck
and reading a click.

Tooltips are one ``tip`` field per map object: Streamlit HTML-escapes every ``{field}``
value of a pydeck tooltip (see :mod:`dashboard.safe_text`), so names from data reach a
tooltip only as that field's value, never inside the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from dashboard.layers import make_deck, view_for
from dashboard.state import current_settings


def tooltips(title: pd.Series, lines: Sequence[tuple[str, pd.Series | Sequence[str]]]) -> pd.Series:
    """One tooltip per row: the ``title`` in bold, then a ``label: value`` line per entry of
    ``lines`` (values already formatted; a list is taken in row order)."""
    tip = "<b>" + title.astype(str) + "</b>"
    for label, values in lines:
        column = values if isinstance(values, pd.Series) else pd.Series(list(values), index=title.index, dtype=object)
        tip = tip + "<br/>" + label + ": " + column.astype(str)
    return tip


def range_chips(edges: Sequence[float], colors: Sequence[str], fmt: str = "{:,.0f}") -> list[tuple[str, str]]:
    """``(css colour, "low–high")`` per bin of a legend (``colors``: one per bin, in order)."""
    return [
        (colors[i], f"{fmt.format(edges[i])}–{fmt.format(edges[i + 1])}")
        for i in range(min(len(colors), max(len(edges) - 1, 0)))
    ]


def legend_html(title: str, chips: Iterable[tuple[str, str]], *, gap: int = 10, testid: str | None = None) -> str:
    """A legend line: ``title:`` then a colour chip and its text per ``(css colour, text)``."""
    body = "".join(
        f'<span style="display:inline-block;margin-right:{gap}px"><span style="display:inline-block;width:14px;'
        f'height:14px;background:{css};vertical-align:middle;border:1px solid #999"></span> {text}</span>'
        for css, text in chips
    )
    attr = f' data-testid="{testid}"' if testid else ""
    return f'<div style="font-size:0.85rem"{attr}>{title}: {body}</div>'


def render_legend(title: str, chips: Iterable[tuple[str, str]], *, gap: int = 10, testid: str | None = None) -> None:
    """Draw :func:`legend_html` (the app's own HTML: titles and texts are the app's labels)."""
    st.markdown(legend_html(title, chips, gap=gap, testid=testid), unsafe_allow_html=True)


def kept_view(key: str, outline: pd.DataFrame, hexes: pd.Series | None = None) -> pdk.ViewState:
    """The map's view, kept in session state under ``key`` once there are areas to centre
    on (so a rerun does not move the map); else centred on ``hexes``."""
    if key not in st.session_state and len(outline):
        st.session_state[key] = view_for(outline)
    return st.session_state.get(key) or view_for(outline, hexes=hexes)


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    """The deck of ``layers`` over the configured basemap (none unless intranet tiles are set)."""
    return make_deck(layers, view, current_settings().tile_url)


def clicked_object(event: Any, layer_id: str) -> dict | None:
    """The object of ``layer_id`` picked on a ``st.pydeck_chart(on_select=...)`` map, if any."""
    return ((event or {}).get("selection", {}).get("objects", {}).get(layer_id) or [None])[0]
