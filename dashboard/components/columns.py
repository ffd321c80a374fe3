"""Column configs for ``st.dataframe``, the same look for the same kind of value on every page.

Tables go through :func:`dataframe` (or :func:`shown`), which applies the formatting policy
of :mod:`dashboard.components.numbers`: one precision per column, a dash for a missing value
(Streamlit itself prints ``None``), p-values as ``<0.001``. A numeric column without missing
values stays numeric (it sorts as numbers) and is only formatted for display.

Formatting through a pandas Styler is slow to marshal (Streamlit renders every cell's display
text: ~30-60 ms a table), so :func:`dataframe` draws a table once per content, labels and
options and replays the drawn element afterwards (``st.cache_data`` records the element and
replays it on a hit), in every session: the same element, not marshalled again.
"""

from __future__ import annotations

import types
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.components import numbers
from dashboard.components.cached import MAX_ENTRIES, TTL_SECONDS, fingerprint
from dashboard.i18n import t

TIME_FORMAT = "YYYY-MM-DD HH:mm"
Width = Literal["small", "medium", "large"] | int | None
STYLE_LIMIT = 100_000
"""Cells above which a table is not styled (pandas' Styler renders every cell)."""


def _help(help_key: str | None) -> str | None:
    return t(help_key) if help_key else None


def text(label: str, help_key: str | None = None, width: Width = None) -> st.column_config.TextColumn:
    """A text column (names, ids, labels)."""
    return st.column_config.TextColumn(label, help=_help(help_key), width=width)


def name(label: str, help_key: str | None = None) -> st.column_config.TextColumn:
    """A long name (an area "community · grid", a street): wide, with its help."""
    return text(label, help_key, "large")


def count(label: str, help_key: str | None = None, width: Width = None) -> st.column_config.NumberColumn:
    """A whole number."""
    return st.column_config.NumberColumn(label, format="%d", help=_help(help_key), width=width)


def number(label: str, fmt: str, help_key: str | None = None, width: Width = None) -> st.column_config.NumberColumn:
    """A number in ``fmt`` (``"%.1f"``, ``"%.2f"``, ``"%.3f"``)."""
    return st.column_config.NumberColumn(label, format=fmt, help=_help(help_key), width=width)


def percent(label: str, help_key: str | None = None, width: Width = None) -> st.column_config.NumberColumn:
    """A rate (0..1) shown as a percentage with one decimal."""
    return st.column_config.NumberColumn(label, format="percent", help=_help(help_key), width=width)


def p_value(label: str, help_key: str | None = None) -> st.column_config.NumberColumn:
    """A p-value: three decimals, ``<0.001`` below (as the map's tooltip)."""
    return st.column_config.NumberColumn(label, format="p", help=_help(help_key), width="small")


def rate_bar(label: str, width: Width = None) -> st.column_config.ProgressColumn:
    """A rate (0..1) as a bar with its percentage (text with a dash when a rate is missing)."""
    return st.column_config.ProgressColumn(label, format="percent", min_value=0, max_value=1, width=width)


def when(label: str) -> st.column_config.DatetimeColumn:
    """A time to the minute."""
    return st.column_config.DatetimeColumn(label, format=TIME_FORMAT)


def rate_columns() -> dict[str, st.column_config.Column]:
    """The chain's rate and count columns (rankings, SLA and sources tables), labels now."""
    return {
        "closure_rate": percent(t("chain_col_closure_rate"), "kpi_help_closure"),
        "on_time_rate": percent(t("chain_col_on_time_rate"), "kpi_help_on_time"),
        "response_on_time_rate": percent(t("chain_col_response_on_time_rate"), "chain_help_response_on_time"),
        "reopen_rate": percent(t("chain_col_reopen_rate"), "chain_help_reopen"),
        "satisfaction_rate": percent(t("chain_col_satisfaction_rate"), "kpi_help_satisfaction"),
        "median_close_h": number(t("chain_col_median_close_h"), "%.1f"),
        "events": count(t("col_events")),
        "open_overdue": count(t("col_open_overdue")),
        "rank": count(t("chain_col_rank"), "chain_help_rank", "small"),
    }


def _display_texts(
    self: Styler,
    sparse_index: bool,
    sparse_cols: bool,
    max_rows: int | None = None,
    max_cols: int | None = None,
    blank: str = "&nbsp;",
    dxs: list[dict] | None = None,
    trim: bool = True,
) -> dict[str, Any]:
    """``Styler._translate`` for a Styler that only formats cells (see :func:`format_styler`)."""
    if self.hidden_rows or self.hidden_columns or self.ctx or self.table_styles or self.cell_context:
        return Styler._translate(self, sparse_index, sparse_cols, max_rows, max_cols, blank, dxs, trim)
    funcs = self._display_funcs
    cells: list[list[dict[str, Any]]] = [[] for _ in range(len(self.data))]
    for c in range(self.data.shape[1]):
        values = list(self.data.iloc[:, c])  # as pandas iterates the rows (Python scalars)
        formatted = any((r, c) in funcs for r in range(len(values)))  # before a look-up adds the default
        if not formatted and all(isinstance(v, str) for v in values):
            continue  # its text is its value
        for r, value in enumerate(values):
            cells[r].append({"id": f"row{r}_col{c}", "display_value": funcs[(r, c)](value)})
    return {"table_styles": [], "cellstyle": [], "body": cells}


def format_styler(frame: pd.DataFrame, formats: dict[str, Any]) -> Styler:
    """``frame.style.format(formats)``, translated for ``st.dataframe`` only as far as
    Streamlit reads a Styler.

    Streamlit reads three things of a Styler's translation: the table's and the cells' CSS
    (none here) and every cell's display text; pandas' own translation builds the whole HTML
    table (classes, attributes, headers) cell by cell first. This one gives the same display
    texts (each cell through the Styler's own display function, as pandas calls it) and no
    CSS, and leaves out the text columns, whose display text is their value (Streamlit starts
    from every value as text): the marshalled table is the same
    (``tests/dashboard/test_table_marshal.py``). The object stays a ``Styler`` (Streamlit
    recognises one by its exact type).
    """
    styler = frame.style.format(formats)
    styler._translate = types.MethodType(_display_texts, styler)  # type: ignore[method-assign]
    return styler


def shown(frame: pd.DataFrame, config: dict[str, Any]) -> tuple[pd.DataFrame | Styler, dict[str, Any]]:
    """``frame`` and ``config`` as the policy shows them.

    A number column (``count``/``number``/``percent``/``p_value``) with missing values
    becomes right-aligned text (``"—"`` where missing); one without keeps its numbers and is
    formatted by a Styler (Streamlit's own ``percent`` mixes precisions: ``12.34%``, ``50%``).
    Text columns show ``"—"`` for a missing value.
    """
    out = frame.copy()
    cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in config.items()}
    styles: dict[str, Any] = {}
    for column in out.columns:
        c = cfg.get(column)
        if not isinstance(c, dict):
            if out[column].dtype == object:
                out[column] = out[column].where(out[column].notna(), numbers.MISSING)
            continue
        type_config = dict(c.get("type_config") or {})
        kind, fmt = type_config.get("type"), type_config.get("format")
        if kind == "text" or (kind is None and out[column].dtype == object):
            out[column] = out[column].where(out[column].notna(), numbers.MISSING)
            continue
        if kind == "datetime" and out[column].isna().any():
            out[column] = [numbers.MISSING if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" for v in out[column]]
            c["type_config"] = {"type": "text", "max_chars": None, "validate": None}
            cfg[column] = c
            continue
        if kind == "progress" and out[column].isna().any():
            kind = "number"  # a bar cannot show a missing rate: percentages as text
        if kind != "number" or fmt not in numbers.FORMATTERS:
            continue
        formatter = numbers.FORMATTERS[fmt]
        if fmt == "p" or out[column].isna().any():
            out[column] = [formatter(v) for v in out[column]]
            type_config = {"type": "text", "max_chars": None, "validate": None}
            c["alignment"] = "right"
        else:
            type_config["format"] = None
            styles[column] = formatter
        c["type_config"] = type_config
        cfg[column] = c
    if styles and out.size <= STYLE_LIMIT and out.columns.is_unique and out.index.is_unique:
        return format_styler(out, styles), cfg
    for column in styles:  # too big to style: Streamlit formats it (numbers, no dash needed)
        fmt = config[column]["type_config"]["format"]
        cfg[column]["type_config"]["format"] = "%.3f" if fmt == "p" else fmt
    return out, cfg


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=MAX_ENTRIES)
def _drawn(key: str, _frame: pd.DataFrame, _config: dict[str, Any], _kwargs: dict[str, Any]) -> None:
    """Draw the table (``key``: what it shows and how); a hit replays the drawn element."""
    data, cfg = shown(_frame, _config)
    st.dataframe(data, column_config=cfg, **_kwargs)


def dataframe(frame: pd.DataFrame, column_config: dict[str, Any], **kwargs: Any) -> None:
    """``st.dataframe`` of ``frame`` through :func:`shown` (same keyword arguments, no
    selections), drawn once per content, column configuration and options for every session."""
    digest = fingerprint(frame)  # None: a value that cannot be hashed (drawn anew each time)
    if digest is None:
        data, cfg = shown(frame, column_config)
        st.dataframe(data, column_config=cfg, **kwargs)
        return
    options = repr(sorted(kwargs.items()))
    _drawn(f"{digest}|{column_config!r}|{options}", frame, column_config, kwargs)
