"""The examples in the hotspot modules' docstrings run and hold."""

from __future__ import annotations

import doctest

import pytest

import geo.emerging
import geo.hotspots
import geo.moran
import geo.weights


@pytest.mark.parametrize("module", [geo.weights, geo.hotspots, geo.moran, geo.emerging], ids=lambda m: m.__name__)
def test_docstring_examples(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
