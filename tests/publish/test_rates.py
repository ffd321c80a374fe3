"""Published rates never give a withheld count away (data/publish/rounding.py): a rate is
published only where its numerator is published or at least k, and with rounding on it is
the ratio of the rounded counts (an exact rate behind a rounded count gives the exact one)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.publish.rounding import figures

COUNTS = ["events", "cancelled", "closed", "closed_untimed", "closed_on_time", "open_overdue", "rated", "satisfied"]


def _figures(row: tuple[int, ...], *, closed_hidden: bool = False, base: int = 0) -> pd.Series:
    frame = pd.DataFrame([row], columns=COUNTS)
    frame["median_close_s"] = 86400.0
    return figures(frame, pd.Series([None], dtype=object), np.array([closed_hidden]), k=10, base=base).iloc[0]


def test_a_closed_count_under_k_takes_its_closure_rate_with_it() -> None:
    # 12 received, none cancelled, 3 closed: a closure rate of 0.25 x 12 would give the withheld 3
    row = _figures((12, 0, 3, 0, 2, 9, 3, 3))
    assert row["received"] == 12
    assert pd.isna(row["closed"]) and pd.isna(row["closure_rate"])
    assert pd.isna(row["on_time_rate"])  # 2 on time of 12: over k, but the 2 would follow
    assert pd.isna(row["satisfaction_rate"])


def test_a_closed_count_withheld_by_a_relation_takes_its_closure_rate_with_it() -> None:
    row = _figures((40, 0, 30, 0, 20, 5, 12, 11), closed_hidden=True)
    assert row["received"] == 40 and pd.isna(row["closed"]) and pd.isna(row["closure_rate"])
    assert row["on_time_rate"] == pytest.approx(20 / 35, abs=5e-5)  # closed on time / (closed + overdue)
    assert row["satisfaction_rate"] == pytest.approx(11 / 12, abs=5e-5)


def test_rates_need_their_numerator_at_k() -> None:
    row = _figures((20, 0, 15, 0, 12, 0, 12, 9))
    assert row["closed"] == 15 and row["closure_rate"] == pytest.approx(0.75)
    assert row["on_time_rate"] == pytest.approx(0.8)
    assert pd.isna(row["satisfaction_rate"])  # 9 satisfied of 12 ratings: 9 is under k


def test_with_rounding_the_rates_are_ratios_of_the_rounded_counts() -> None:
    # 47 received, 46 closed: exact 0.9787 would say 46/47 behind the published 45 and 45
    exact = _figures((47, 0, 46, 0, 40, 1, 30, 29))
    assert exact["closure_rate"] == pytest.approx(0.9787) and exact["on_time_rate"] == pytest.approx(0.8511)
    row = _figures((47, 0, 46, 0, 40, 1, 30, 29), base=5)
    assert row["received"] == 45 and row["closed"] == 45
    assert row["closure_rate"] == 1.0  # 45 / 45
    assert row["on_time_rate"] == pytest.approx(0.8889, abs=1e-9)  # 40 / 45: closed 46 + overdue 1 = 47, rounded
    assert row["satisfaction_rate"] == 1.0  # 30 / 30
