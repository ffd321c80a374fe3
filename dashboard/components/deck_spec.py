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

Layers that do not change with the filters (grid outlines, the district outline, area names)
are serialised once per data version (:class:`LayerJSON`, :func:`layer_json`) and spliced into
every deck that shows them: the same text as serialising them with the deck.
"""

from __future__ import annotations

import json
import uuid
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


@dataclass(frozen=True)
class LayerJSON:
    """A layer already serialised (its JSON text), put in a deck's layers like the layer."""

    text: str


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=default_serialize, separators=(",", ":"))


def _with_records(layer: object) -> object:
    data = getattr(layer, "data", None)
    if isinstance(data, pd.DataFrame):
        layer.data = data.to_dict(orient="records")  # type: ignore[attr-defined]
    return layer


def layer_json(layer: pdk.Layer) -> LayerJSON:
    """``layer`` serialised as :func:`deck_spec` serialises it inside a deck."""
    return LayerJSON(_dumps(_with_records(layer)))


def deck_spec(deck: pdk.Deck) -> DeckSpec:
    """``deck`` serialised once (compact JSON, keys sorted like pydeck's own ``to_json``);
    :class:`LayerJSON` layers are put in as they are."""
    fragments: dict[str, str] = {}
    layers = []
    for layer in deck.layers:
        if isinstance(layer, LayerJSON):
            token = f"layer-{uuid.uuid4().hex}"  # no data holds this text
            fragments[json.dumps(token)] = layer.text
            layers.append(token)
        else:
            layers.append(_with_records(layer))
    deck.layers = layers
    text = _dumps(deck)
    for token, fragment in fragments.items():
        text = text.replace(token, fragment, 1)
    tooltip = getattr(deck, "_tooltip", None)
    return DeckSpec(text, tooltip if isinstance(tooltip, dict) else None)


__all__ = ["DeckSpec", "LayerJSON", "deck_spec", "layer_json"]
