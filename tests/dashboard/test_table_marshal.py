"""Issue 11: the tables' fast Styler (dashboard.components.columns.format_styler) marshals to the
same bytes as pandas' own Styler with the same formats: the same data, display texts and (no)
CSS, so the page shows the same text (issue 16's number policy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from dashboard.components import columns as col
from dashboard.components.columns import format_styler
from dashboard.components.numbers import FORMATTERS


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "name": [f"第{i}网格 · 社区" for i in range(rows)],
            "rank": np.arange(1, rows + 1),
            "events": rng.integers(0, 50_000, rows),
            "rate": rng.random(rows),
            "hours": rng.random(rows) * 2_000 - 1,
            "p": rng.random(rows) / 100,
            "plain": rng.random(rows),  # no format: pandas' default display
            "when": pd.date_range("2026-06-01 08:00", periods=rows, freq="37min"),
            "text_na": ["—" if i % 3 else f"x{i}" for i in range(rows)],
        }
    )


FORMATS = {
    "rank": FORMATTERS["%d"],
    "events": FORMATTERS["count"],
    "rate": FORMATTERS["percent"],
    "hours": FORMATTERS["%.1f"],
    "p": FORMATTERS["%.3f"],
}


def _marshalled(styler: Styler) -> bytes:
    proto = ArrowData()
    marshall_styler(proto, styler.set_uuid("t"), "t")
    return proto.SerializeToString()


@pytest.mark.parametrize("rows", [0, 1, 12, 250])
def test_the_fast_styler_marshals_as_pandas_styler_does(rows):
    frame = _frame(rows)
    fast, slow = _marshalled(format_styler(frame, FORMATS)), _marshalled(frame.style.format(FORMATS))
    assert fast == slow
    if rows:
        proto = ArrowData()
        proto.ParseFromString(fast)
        from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

        shown = convert_arrow_bytes_to_pandas_df(proto.styler.display_values)
        assert shown["rate"].iloc[0] == f"{100 * frame['rate'].iloc[0]:.1f}%"
        assert shown["events"].iloc[0] == f"{frame['events'].iloc[0]:,}"


def test_shown_uses_the_fast_styler_for_numbers_without_gaps():
    frame = _frame(5)[["name", "events", "rate"]]
    data, cfg = col.shown(frame, {"name": col.text("n"), "events": col.count("e"), "rate": col.percent("r")})
    assert type(data) is Styler  # Streamlit tells a Styler by its exact type
    assert _marshalled(data) == _marshalled(
        frame.style.format({"events": FORMATTERS["%d"], "rate": FORMATTERS["percent"]})
    )
    assert cfg["rate"]["type_config"]["format"] is None  # the Styler's text, not Streamlit's percent
