"""Issue 9: the import page says where each area's parent came from (the file, or by
location) and explains the parent warnings in the page's language (AppTest on the report)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data.ingest import import_areas
from queries.duckdb_store import DuckDBStore
from tests.dashboard.sparse_stores import sparse_area_frame


def _report_script(report, lang):
    import pandas as pd
    import streamlit as st

    from dashboard.components.import_report import render_report

    st.session_state["lang"] = lang
    render_report(report, pd.DataFrame(columns=["row_number", "reason", "raw"]), key_prefix="t")


@pytest.mark.parametrize(
    "lang,words",
    [
        (
            "zh",
            [
                "上级区域：0 个取自文件，8 个按位置确定（包含它的更高层级区域），2 个位于最高层级（无上级）。",
                "上级编码不是本文件中的区域（文件未包含或已拒收）：上级按位置确定：8",
            ],
        ),
        (
            "en",
            [
                "Parents: 0 from the file, 8 by location (the coarser area containing each), 2 at the top (no parent).",
                "parent code names no area of the file (left out or rejected): parent taken by location: 8",
            ],
        ),
    ],
)
def test_the_report_says_where_parents_came_from(tmp_path, lang, words):
    """Streets and grids, the grids naming the communities the file leaves out."""
    path = tmp_path / "areas.geojson"
    sparse_area_frame(("street", "grid"), keep_parents=True).to_file(path, driver="GeoJSON")
    store = DuckDBStore(":memory:")
    try:
        report = import_areas(store, path)
    finally:
        store.close()
    at = AppTest.from_function(_report_script, args=(report, lang), default_timeout=30)
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for w in words:
        assert w in text.replace("\\", ""), (w, text)
