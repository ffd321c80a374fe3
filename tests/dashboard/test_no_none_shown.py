"""Issue 16 (defect 5): no page shows ``None``, ``nan`` or ``-0.0`` in a table, metric or text,
in either language (a missing value is a dash, a change never negative zero)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from tests.dashboard.apptest import run_app

PAGES = [
    "dashboard/pages/overview.py",
    "dashboard/pages/trends.py",
    "dashboard/pages/hotspots.py",
    "dashboard/pages/chain.py",
    "dashboard/pages/sensors.py",
]
BAD = re.compile(r"(?<![\w.])(None|nan|NaN|NaT)(?![\w])|-0\.0+(?!\d*[1-9])(?=\D|$)")


def _cells(frame: pd.DataFrame) -> list[str]:
    out = [str(c) for c in frame.columns]
    for column in frame.columns:
        for v in frame[column]:
            if isinstance(v, float) and math.isnan(v):
                out.append("nan")
            elif v is None or v is pd.NaT:
                out.append("None")
            else:
                out.append(str(v))
    return out


def _bad(at) -> list[str]:
    texts: list[tuple[str, str]] = []
    for i, d in enumerate(at.dataframe):
        texts += [(f"table {i} ({d.proto.id[-20:]})", c) for c in _cells(d.value)]
    for m in at.metric:
        texts += [(f"metric {m.label}", str(m.value)), (f"metric {m.label} delta", str(m.delta or ""))]
    for kind in ("markdown", "caption", "info", "success", "warning", "subheader", "title"):
        texts += [(kind, str(e.value)) for e in getattr(at, kind)]
    return [f"{where}: {text!r}" for where, text in texts if BAD.search(text)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_none_nan_or_negative_zero(monkeypatch, small_db_file, page, lang):
    at = run_app(monkeypatch, small_db_file, lang, page=page, timeout=240)
    assert not at.exception, at.exception
    assert _bad(at) == []
    if page.endswith("chain.py"):  # the grid level: ranks below the minimum, the funnel's last row
        at.number_input(key="chain_min_events").set_value(40).run()
        assert not at.exception, at.exception
        assert _bad(at) == []


def test_the_pattern_catches_what_it_should():
    assert BAD.search("None") and BAD.search("-0.0 个百分点") and BAD.search("nan") and BAD.search("x -0.00%")
    assert not BAD.search("-0.05") and not BAD.search("Nonetheless") and not BAD.search("10.0") and not BAD.search("—")
