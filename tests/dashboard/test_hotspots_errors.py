"""The hotspot page names what went wrong (issue 9): "too few slices" only for a window with too
few slices; any other failure of the analysis (here the H3 weights' real error for cells of
mixed resolutions) is the page's error message with a reference, never "too few slices"."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest
import streamlit as st

from dashboard.i18n import all_strings
from tests.dashboard.test_hotspots_page import _open

TOO_FEW = {lang: all_strings()["hotspots_too_few_slices"][lang].split("{")[0] for lang in ("zh", "en")}


@pytest.fixture
def production_errors():
    """``client.showErrorDetails = "none"``, as configured for users (the suite runs with ``full``)."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "none")
    st.cache_data.clear()
    yield
    config.set_option("client.showErrorDetails", before)
    st.cache_data.clear()


def _mixed_resolutions(monkeypatch):
    """The extent's cells get one cell of another resolution: geo.weights raises its ValueError."""
    import h3

    import queries.answers.hotspots as hs

    real = hs.h3_extent_cells

    def extent(*args, **kwargs):
        cells = real(*args, **kwargs)
        other = h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(cells[0])), 7))
        return np.append(cells, other)

    monkeypatch.setattr(hs, "h3_extent_cells", extent)


@pytest.mark.parametrize("lang,method", [("zh", "emerging"), ("en", "gi_star")])
def test_another_error_is_not_called_too_few_slices(
    monkeypatch, small_db_file, production_errors, caplog, lang, method
):
    _mixed_resolutions(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="gridscope"):
        at = _open(monkeypatch, small_db_file, lang, method=method)
    assert not any(TOO_FEW[lang] in w.value for w in at.warning), [w.value for w in at.warning]
    [err] = at.error
    page_error = all_strings()["page_error"][lang].split("{")[0]
    assert err.value.startswith(page_error), err.value
    ref = re.search(r"[0-9a-f]{8}", err.value).group()
    [logged] = [r for r in caplog.records if ref in r.getMessage()]
    assert "H3 cells of one resolution expected" in str(logged.exc_info[1])


def test_too_few_slices_is_still_said(monkeypatch, small_db_file, production_errors):
    at = _open(monkeypatch, small_db_file, "zh", start="2026-06-20", end="2026-06-30", method="emerging")
    assert [w.value for w in at.warning if TOO_FEW["zh"] in w.value]
    assert not at.error
