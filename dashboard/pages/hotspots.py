"""Hotspot analysis (热点分析) for analysts: Gi*, Local Moran, emerging hot spots, drill-down."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.charts import show_chart
from dashboard.components import columns as col
from dashboard.components import numbers as num
from dashboard.components.cached import cached_answer
from dashboard.components.downloads import download_buttons, file_name, filter_notes, localised
from dashboard.components.filters import last_day, render_filters
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
    fitted_view,
    render_legend,
    tooltips,
    with_tips,
)
from dashboard.components.map_view import area_shapes, available_levels, orientation_layers
from dashboard.components.names import category_names, department_names
from dashboard.hotspot_view import (
    fmt_p,
    fmt_stat,
    label_colors,
    legend_entries,
    ranked,
    result_geojson,
    selection_layer_area,
    selection_layer_h3,
)
from dashboard.i18n import name_column, t
from dashboard.layers import area_layer, area_records, h3_layer
from dashboard.safe_text import md
from dashboard.state import get_store
from data.store import Store
from geo.emerging import TooFewSlices
from geo.periods import periods
from queries import EventFilter
from queries.answers.hotspots import (
    EVENT_LIMIT,
    H3_RESOLUTIONS,
    METHODS,
    HotspotAnalysis,
    HotspotRequest,
    analyse_hotspots,
    unit_events,
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
    names = unit_names(store, table, controls.unit)
    if int(table["events"].sum()) == 0:
        st.info(t("no_data"))
    table = render_map(store, table, names, label_text, controls)
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
    store: Store, table: pd.DataFrame, names: pd.Series, label_text: dict[str, str], controls: Controls
) -> pd.DataFrame:
    """The units coloured by label, the selected one outlined, names, the district outline and
    a scale bar, and the legend; a click selects a unit. Returns ``table`` with its ``color``
    and tooltip columns."""
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
    layers = [main_layer, *orientation_layers(store, levels, label_level)]
    view, marks = fitted_view("hs_view", outline, 540, hexes=table["unit_id"] if unit == "h3" else None)
    layers.extend(marks)
    chosen = st.session_state.get("hs_selected") or ""
    if chosen in set(table["unit_id"]):  # outline the selected unit on top
        layers.append(
            selection_layer_h3(chosen) if unit == "h3" else selection_layer_area(area_shapes(store, unit), chosen)
        )
    key = map_key(controls)
    event = st.pydeck_chart(deck(layers, view), height=540, key=key, on_select="rerun", selection_mode="single-object")
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
            for lb, c, n in legend_entries(method, table["label"])
        ],
        gap=12,
        testid="hs-legend",
    )
    return table


def render_ranking(
    store: Store,
    flt: EventFilter,
    analysis: HotspotAnalysis,
    table: pd.DataFrame,
    names: pd.Series,
    label_text: dict[str, str],
    controls: Controls,
) -> pd.DataFrame:
    """The strongest units and the result's CSV and GeoJSON downloads; returns the units shown."""
    st.subheader(t("hotspots_ranking"))
    top = ranked(table)
    col.dataframe(
        pd.DataFrame(
            {
                "rank": top["rank"],
                "unit": names.loc[top.index],
                "events": top["events"],
                "stat": top["z"].round(3),
                "p": top["p_adjusted"],
                "label": top["label"].map(label_text),
            }
        ),
        hide_index=True,
        width="stretch",
        height=360,
        key="hs_table",
        column_config={
            "rank": col.count(t("hotspots_col_rank"), width="small"),
            "unit": col.name(t("hotspots_col_unit")),
            "events": col.count(t("col_events"), width="small"),
            "stat": col.number(t(f"hotspots_stat_{controls.method}"), "%.3f", width="small"),
            "p": col.p_value(t("hotspots_col_p")),
            "label": col.text(t("hotspots_label")),
        },
    )
    export = table.drop(columns=["color", *TIP_COLUMNS])
    stat = t(f"hotspots_stat_{controls.method}")
    shown = localised(
        export.assign(name=names.loc[export.index].to_numpy(), label_text=export["label"].map(label_text)),
        {
            "rank": t("hotspots_col_rank"),
            "unit_id": t("export_unit_id"),
            "name": t("export_unit_name"),
            "events": t("col_events"),
            "z": stat,
            "p_value": t("export_p_raw"),
            "p_adjusted": t("export_p_adjusted"),
            "label_text": t("hotspots_label"),
            "label": t("export_label_code"),
        },
    )
    notes = filter_notes(
        store,
        flt,
        t("hotspots_title"),
        [
            (t("export_method"), t(f"hotspots_method_{controls.method}")),
            (
                t("export_unit"),
                f"{t('unit_h3')} r{controls.res}" if controls.unit == "h3" else t(f"level_{controls.unit}"),
            ),
            (t("hotspots_confidence"), f"{controls.confidence:.0%}"),
            (t("hotspots_fdr"), t("export_on") if controls.fdr else t("export_off")),
        ],
    )
    d1, d2, d3 = st.columns(3)
    download_buttons(
        shown,
        notes,
        name=file_name("hotspots", flt, controls.method),
        key="hs_export",
        label=t("hotspots_export_what"),
        columns=(d1, d3),
    )
    d2.download_button(
        t("hotspots_download_geojson"),
        result_geojson(export, analysis.wkb, unit=controls.unit),
        file_name="hotspots.geojson",
        mime="application/geo+json",
        key="hs_geojson",
    )
    return top


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


def render_unit(
    store: Store,
    flt: EventFilter,
    row: pd.Series,
    selected: str,
    name: str,
    label_text: dict[str, str],
    controls: Controls,
    side: DeltaGenerator,
) -> None:
    """The selected unit: its weekly events (in ``side``) and the list of its events."""
    if controls.unit == "h3":
        found = unit_events(store, flt, "h3", selected, res=controls.res, cell=int(row["cell"]), limit=EVENT_LIMIT)
    else:
        found = unit_events(store, flt, controls.unit, selected, limit=EVENT_LIMIT)
    ev, series = found.events, found.weekly
    with side:
        st.markdown(
            f"**{md(name)}** · {label_text.get(row['label'], row['label'])} · {t('tip_events')}: {int(row['events']):,}"
        )
        weeks = periods(flt.start, flt.end, "week").set_index("bucket")
        clipped = [bool(weeks["partial"].get(pd.Timestamp(w), False)) for w in series["week"]]
        ticks = [num.period_label(w, "week") for w in series["week"]]
        fig = go.Figure(
            go.Bar(
                x=ticks,
                y=series["events"],
                marker_color="#c0392b",
                marker_pattern_shape=["/" if c else "" for c in clipped],
                customdata=[
                    num.span(weeks["first"].get(pd.Timestamp(w), w), weeks["end"].get(pd.Timestamp(w), w))
                    for w in series["week"]
                ],
                hovertemplate="%{x} (%{customdata}): %{y:,}<extra></extra>",
            )
        )
        fig.update_layout(
            height=220,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis_title=t("hotspots_week"),
            yaxis_title=t("trend_y"),
        )
        fig.update_xaxes(type="category")
        show_chart(fig, width="stretch", key="hs_weekly")
        if any(clipped):
            st.caption(t("hotspots_partial_week"))
    st.subheader(t("hotspots_events", n=min(len(ev), EVENT_LIMIT), total=int(row["events"])))
    cats, depts = category_names(store), department_names(store)
    col.dataframe(
        pd.DataFrame(
            {
                "time": ev["reported_at"],
                "category": ev["category"].map(cats).fillna(ev["category"]),
                "status": [t(f"stage_{s}") for s in ev["status"]],
                "department": ev["department"].map(depts),
                "description": ev["description"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="hs_events",
        column_config={
            "time": col.when(t("hotspots_col_time")),
            "category": col.text(t("category")),
            "status": col.text(t("hotspots_col_status")),
            "department": col.text(t("department")),
            "description": col.text(t("hotspots_col_description")),
        },
    )


render()
