"""Hotspot analysis (热点分析) for analysts: Gi*, Local Moran, emerging hot spots, drill-down."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.cached import cached_answer, cached_payload
from dashboard.components.deck_spec import DeckSpec, deck_spec
from dashboard.components.filters import last_day, render_filters
from dashboard.components.hotspot_sections import render_ranking, render_unit
from dashboard.components.hotspot_state import (
    CONFIDENCES,
    SLICES,
    Controls,
    seed_from_url,
    write_to_url,
)
from dashboard.components.map_kit import (
    TIP_COLUMNS,
    area_places,
    cell_places,
    clicked_object,
    deck,
    map_width,
    render_legend,
    tooltips,
    view_and_scale,
    with_tips,
)
from dashboard.components.map_view import area_shapes, available_levels, orientation_json
from dashboard.hotspot_view import (
    fmt_p,
    fmt_stat,
    label_colors,
    legend_entries,
    selection_layer_area,
    selection_layer_h3,
)
from dashboard.i18n import current_language, name_column, t
from dashboard.layers import area_layer, area_records, h3_layer
from dashboard.state import get_store
from data.store import Store
from geo.emerging import TooFewSlices
from queries.answers.hotspots import (
    H3_RESOLUTIONS,
    METHODS,
    HotspotRequest,
    analyse_hotspots,
)


def render() -> None:
    """The page: controls, the analysis map and legend, the ranking beside the selected unit."""
    store = get_store()
    units = ["h3", *available_levels(store)]  # only the area levels this store has
    seed_from_url(units)
    flt = render_filters(store, departments=True)
    st.title(t("hotspots_title"))
    st.caption(t("hotspots_caption", start=flt.start.date(), end=last_day(flt), days=flt.length.days))
    controls = render_controls(units)
    request = HotspotRequest(
        flt,
        unit=controls.unit,
        res=controls.res,
        method=controls.method,
        confidence=controls.confidence,
        fdr=controls.fdr,
        slice_days=SLICES[controls.slice],
        # With FDR, a pseudo p-value (>= 2 / (perms + 1)) must beat alpha * rank / n:
        # 999 draws leave nothing significant on ~2,000 cells, 4999 draws do.
        permutations=4999 if controls.fdr else 999,
    )
    try:
        with st.spinner(t("hotspots_running")):
            analysis = cached_answer(analyse_hotspots, store, request)
    except TooFewSlices as exc:  # only this; any other failure is the page's error message (dashboard/status.py)
        st.warning(t("hotspots_too_few_slices", slice=t(f"hotspots_slice_{controls.slice}"), needed=exc.needed))
        write_to_url(flt, controls, None)
        return

    table = analysis.table
    label_text = {lb: t(f"hotspots_label_{lb}") for lb in table["label"].unique()}
    names = cached_answer(hotspot_names, store, request, current_language())
    if int(table["events"].sum()) == 0:
        st.info(t("no_data"))
    table = render_map(store, request, table, label_text, controls)
    st.caption(t(f"hotspots_note_{controls.method}", slices=analysis.n_slices, perms=request.permutations))
    left, right = st.columns([3, 2])
    with left:
        top = render_ranking(store, flt, analysis, table, names, label_text, controls)
    with right:
        selected = render_selection(table, top, names, label_text)
    if selected:
        unit_name = dict(zip(table["unit_id"], names, strict=True))[selected]
        render_unit(
            store, flt, table.set_index("unit_id").loc[selected], selected, unit_name, label_text, controls, right
        )
    write_to_url(flt, controls, selected or None)


def render_controls(units: list[str]) -> Controls:
    """Unit, resolution, method, confidence, FDR and (emerging) the time slice."""
    # Defaults go into session state (not the widgets' own defaults): the URL may have set them.
    for key, default in (("hs_res", 9), ("hs_conf", 0.95), ("hs_fdr", True)):
        st.session_state.setdefault(key, default)
    if st.session_state.get("hs_unit") not in units:  # a level the store (no longer) has
        st.session_state["hs_unit"] = "h3"
    c1, c2 = st.columns([3, 2])
    c3, c4, c5 = st.columns([3, 1, 1], vertical_alignment="bottom")
    unit = c1.radio(
        t("hotspots_unit"),
        units,
        horizontal=True,
        key="hs_unit",
        format_func={u: t("unit_h3") if u == "h3" else t(f"level_{u}") for u in units}.get,
    )
    res = c2.radio(t("h3_resolution"), list(H3_RESOLUTIONS), horizontal=True, key="hs_res", disabled=unit != "h3")
    method = c3.radio(
        t("hotspots_method"),
        list(METHODS),
        horizontal=True,
        key="hs_method",
        format_func={m: t(f"hotspots_method_{m}") for m in METHODS}.get,
        help=t("hotspots_method_help"),
    )
    confidence = c4.selectbox(t("hotspots_confidence"), CONFIDENCES, key="hs_conf", format_func=lambda c: f"{c:.0%}")
    fdr = c5.toggle(t("hotspots_fdr"), key="hs_fdr", help=t("hotspots_fdr_help"))
    slice_name = "week"
    if method == "emerging":
        slice_name = st.radio(
            t("hotspots_slice"),
            list(SLICES),
            horizontal=True,
            key="hs_slice",
            format_func={s: t(f"hotspots_slice_{s}") for s in SLICES}.get,
        )
    return Controls(unit, int(res), method, float(confidence), bool(fdr), slice_name)


def unit_names(store: Store, table: pd.DataFrame, unit: str) -> pd.Series:
    """What the ranking, the picker and the tooltips call each unit: an area's name, an H3
    cell by the street and community it lies in, then its id."""
    if unit != "h3":
        return table[name_column()].fillna(table["unit_id"]).astype(str)
    places = cell_places(store, table["unit_id"])
    return (places + " · " + table["unit_id"].astype(str)).str.lstrip(" ·")


def hotspot_names(store: Store, request: HotspotRequest, lang: str) -> pd.Series:
    """:func:`unit_names` of the analysis of ``request`` in ``lang`` (the page's language;
    cached: placing H3 cells in their street and community takes a while)."""
    return unit_names(store, cached_answer(analyse_hotspots, store, request).table, request.unit)


def map_key(controls: Controls) -> str:
    """The map widget's key: a new one (a map without Streamlit's own selection, which fades
    every other unit) whenever the selection is cleared or picked elsewhere, or the unit,
    resolution or method changes."""
    shown = (controls.unit, controls.res, controls.method)
    if st.session_state.get("hs_map_shows") != shown:
        if "hs_map_shows" in st.session_state:
            new_map_selection()
        st.session_state["hs_map_shows"] = shown
    generation = st.session_state.get("hs_map_gen", 0)
    return "hs_map" if not generation else f"hs_map_{generation}"


def new_map_selection() -> None:
    """Forget the map's own selection (the next map is drawn under a new key)."""
    st.session_state["hs_map_gen"] = st.session_state.get("hs_map_gen", 0) + 1
    st.session_state["hs_last_click"] = None


def render_map(
    store: Store, request: HotspotRequest, table: pd.DataFrame, label_text: dict[str, str], controls: Controls
) -> pd.DataFrame:
    """The units coloured by label, the selected one outlined, names, the district outline and
    a scale bar, and the legend; a click selects a unit. Returns ``table`` with its ``color``
    and tooltip columns. The map is built once for every session (:func:`hotspot_map`)."""
    chosen = st.session_state.get("hs_selected") or ""
    if chosen not in set(table["unit_id"]):
        chosen = ""
    width = map_width("hs_view")
    spec, table = cached_payload(hotspot_map, store, request, controls, chosen, width)
    key = map_key(controls)
    event = st.pydeck_chart(spec, height=540, key=key, on_select="rerun", selection_mode="single-object")
    layer_id = "hs-h3" if controls.unit == "h3" else "hs-areas"
    clicked = (clicked_object(event, layer_id) or {}).get("unit_id")
    last = st.session_state.get("hs_last_click")
    if clicked and clicked != last:
        st.session_state["hs_last_click"] = clicked
        st.session_state["hs_selected"] = clicked
    elif not clicked and last:  # the map's own selection was cleared (its button, or a second click)
        st.session_state["hs_last_click"] = None
        if st.session_state.get("hs_selected") == last:
            st.session_state["hs_selected"] = ""
    render_legend(
        t("hotspots_legend"),
        [
            (f"rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})", f"{label_text.get(lb, lb)} ({n:,})")
            for lb, c, n in legend_entries(controls.method, table["label"])
        ],
        gap=12,
        testid="hs-legend",
    )
    return table


def hotspot_map(
    store: Store, request: HotspotRequest, controls: Controls, chosen: str, width: int
) -> tuple[DeckSpec, pd.DataFrame]:
    """The analysis map as a deck spec (``chosen`` outlined) and the analysis table with its
    ``color`` and tooltip columns; draws nothing (cached by :func:`render_map`)."""
    table = cached_answer(analyse_hotspots, store, request).table
    label_text = {lb: t(f"hotspots_label_{lb}") for lb in table["label"].unique()}
    names = cached_answer(hotspot_names, store, request, current_language())
    unit, method = controls.unit, controls.method
    places = area_places(store, unit, table["unit_id"]) if unit != "h3" else pd.Series("", index=table.index)
    table = with_tips(
        table.assign(color=label_colors(table["label"])),
        tooltips(
            names,
            [
                *([(t("tip_place"), places)] if (places != "").any() else []),
                (t("hotspots_label"), table["label"].map(label_text)),
                (t("tip_events"), table["events"].map("{:,}".format)),
                (t(f"hotspots_stat_{method}"), fmt_stat(table["z"])),
                ("p", fmt_p(table["p_adjusted"])),
            ],
        ),
    )
    levels = available_levels(store)
    outline = area_shapes(store, levels[-1]) if levels else pd.DataFrame(columns=["area_id", "wkb"])
    layer_id = "hs-h3" if unit == "h3" else "hs-areas"
    fields = ["unit_id", "color", *TIP_COLUMNS]
    if unit == "h3":
        main_layer = h3_layer(table[fields].assign(hex=table["unit_id"]), layer_id=layer_id)
    else:
        shapes = area_shapes(store, unit)
        shapes = shapes[shapes["area_id"].isin(table["unit_id"])]
        main_layer = area_layer(
            area_records(
                shapes,
                table[fields].rename(columns={"unit_id": "area_id"}).assign(unit_id=table["unit_id"].to_numpy()),
            ),
            layer_id=layer_id,
        )
    label_level = "community" if unit == "community" else "street"
    layers = [main_layer, *orientation_json(store, levels, label_level)]
    view, marks = view_and_scale(outline, 540, width, hexes=table["unit_id"] if unit == "h3" else None)
    layers.extend(marks)
    if chosen in set(table["unit_id"]):  # outline the selected unit on top
        layers.append(
            selection_layer_h3(chosen) if unit == "h3" else selection_layer_area(area_shapes(store, unit), chosen)
        )
    return deck_spec(deck(layers, view)), table


def render_selection(table: pd.DataFrame, top: pd.DataFrame, names: pd.Series, label_text: dict[str, str]) -> str:
    """The unit picker (fed by this box, map clicks and the URL) and its clear button;
    returns the selected unit id ("" when none)."""
    st.subheader(t("hotspots_detail"))
    current = st.session_state.get("hs_selected") or ""
    if current not in set(table["unit_id"]):
        current = ""
    options = ["", *top["unit_id"]]
    if current not in options:
        options.append(current)
    by_id = dict(zip(table["unit_id"], names, strict=True))
    label_of = dict(zip(table["unit_id"], table["label"], strict=True))
    # Labels are computed now: format_func may be called outside the run (language unknown).
    option_text = {u: f"{by_id[u]} · {label_text.get(label_of[u], '')}" for u in options if u}
    option_text[""] = t("hotspots_none")
    # No widget key: the selection has one owner (session state "hs_selected", fed by this
    # box, map clicks and the URL); the box is redrawn at the current selection.
    choice = st.selectbox(t("hotspots_select"), options, index=options.index(current), format_func=option_text.get)
    # The combobox reports "" when it merely loses focus (e.g. to a map click): only a
    # real pick changes the selection; clearing has its own button.
    if choice and choice != current:  # redraw so the map outlines the pick too
        st.session_state["hs_selected"] = choice
        new_map_selection()
        st.rerun()
    if current and st.button(t("hotspots_clear"), key="hs_clear"):
        st.session_state["hs_selected"] = ""
        new_map_selection()
        st.rerun()
    if not current:
        st.info(t("hotspots_select_hint"))
    return current


render()
