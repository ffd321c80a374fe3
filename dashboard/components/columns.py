"""Column configs for ``st.dataframe``, the same look for the same kind of value on every page."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t

TIME_FORMAT = "YYYY-MM-DD HH:mm"


def text(label: str, help_key: str | None = None) -> st.column_config.TextColumn:
    """A text column (names, ids, labels)."""
    return st.column_config.TextColumn(label, help=t(help_key) if help_key else None)


def count(label: str, help_key: str | None = None) -> st.column_config.NumberColumn:
    """A whole number."""
    return st.column_config.NumberColumn(label, format="%d", help=t(help_key) if help_key else None)


def number(label: str, fmt: str) -> st.column_config.NumberColumn:
    """A number in ``fmt`` (printf style, e.g. ``"%.1f"``)."""
    return st.column_config.NumberColumn(label, format=fmt)


def percent(label: str, help_key: str | None = None) -> st.column_config.NumberColumn:
    """A rate (0..1) shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent", help=t(help_key) if help_key else None)


def rate_bar(label: str) -> st.column_config.ProgressColumn:
    """A rate (0..1) as a bar with its percentage."""
    return st.column_config.ProgressColumn(label, format="percent", min_value=0, max_value=1)


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
        "rank": count(t("chain_col_rank"), "chain_help_rank"),
    }
