"""A map's deck as the JSON text Streamlit sends, made once and shared by every session.

``st.pydeck_chart(deck)`` serialises the whole deck on every rerun with pydeck's own
``to_json`` (pretty-printed through Python's pure-Python JSON encoder: ~1.7 s for the
overview's count map on the default city, most of a rerun) and, with pandas 3, first turns
every layer's DataFrame into records. :func:`deck_spec` does it once with the C encoder
(compact, ~10x faster) and :class:`DeckSpec` carries the text and the tooltip:
``st.pydeck_chart`` accepts it in place of a deck (it only reads ``to_json()``, the tooltip
and the optional ``mapbox_key``/``width``/``layers``). Pages build their map's spec inside a
cached function (:func:`dashboard.components.cached.cached_payload`) keyed by what the map
shows, so a rerun that does not change the map neither rebuilds nor re-serialises it, and
the same spec text each rerun lets the browser's message cache skip re-sending it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize


@dataclass(frozen=True)
class DeckSpec:
    """A deck's JSON text and tooltip, as ``st.pydeck_chart`` reads them from a deck."""

    json: str
    _tooltip: dict | None = None
    mapbox_key: str | None = field(default=None)
    width: int | None = field(default=None)
    layers: None = field(default=None)  # nothing for Streamlit's pandas-3 workaround to convert

    def to_json(self) -> str:
        """The deck as JSON (what ``st.pydeck_chart`` sends to the browser)."""
        return self.json


def deck_spec(deck: pdk.Deck) -> DeckSpec:
    """``deck`` serialised once (compact JSON, keys sorted like pydeck's own ``to_json``)."""
    for layer in deck.layers:
        data = getattr(layer, "data", None)
        if isinstance(data, pd.DataFrame):
            layer.data = data.to_dict(orient="records")
    text = json.dumps(deck, sort_keys=True, default=default_serialize, separators=(",", ":"))
    tooltip = getattr(deck, "_tooltip", None)
    return DeckSpec(text, tooltip if isinstance(tooltip, dict) else None)


__all__ = ["DeckSpec", "deck_spec"]
