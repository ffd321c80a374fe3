"""geo.quantile_sketch: keys sort as values, representatives within α, quantiles within α."""

from __future__ import annotations

import numpy as np
import pytest

from geo.quantile_sketch import ALPHA, bucket_keys, key_values, sketch_quantile


def test_keys_sort_as_values_and_representatives_within_alpha() -> None:
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.lognormal(2, 2, 5000), -rng.lognormal(0, 1, 500), np.zeros(20), [1e-12, 1.0]])
    keys = bucket_keys(values)
    order = np.argsort(values)
    assert np.all(np.diff(keys[order]) >= 0)
    reps = key_values(keys)
    nonzero = np.abs(values) >= 1e-9
    assert np.all(np.abs(reps[nonzero] - values[nonzero]) <= ALPHA * np.abs(values[nonzero]) * (1 + 1e-12))
    assert np.all(reps[~nonzero] == 0)


@pytest.mark.parametrize("seed", range(5))
def test_merged_quantile_within_alpha(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parts = [rng.gamma(2, 20, rng.integers(1, 300)) for _ in range(12)]
    parts.append(np.zeros(5))
    merged_keys, merged_counts = np.unique(np.concatenate([bucket_keys(p) for p in parts]), return_counts=True)
    exact = float(np.percentile(np.concatenate(parts), 95))
    assert sketch_quantile(merged_keys, merged_counts, 0.95) == pytest.approx(exact, rel=ALPHA)
    assert np.isnan(sketch_quantile(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 0.95))
