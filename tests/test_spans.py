"""Index arrays of runs (gridwatch.mapview.spans) are exactly numpy's repeat idioms, in every corner."""

from __future__ import annotations

import numpy as np
import pytest

from gridwatch.mapview import spans


@pytest.mark.parametrize("seed", range(6))
def test_runs_and_ranges_are_numpys_repeat(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    lengths = rng.integers(0, 6, n)
    lengths[rng.random(n) < 0.2] = 0  # empty runs, also first and last
    if seed % 2:
        lengths[0] = lengths[-1] = 0
    starts = rng.integers(-50, 10_000, n)
    if seed == 5:
        monkeypatch.setattr(spans, "BLOCK", 7)  # blocks end inside runs
    expected_ids = np.repeat(np.arange(n), lengths)
    expected_ranges = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
    assert np.array_equal(spans.run_ids(lengths), expected_ids)
    assert np.array_equal(spans.ranges(starts, lengths), expected_ranges)


def test_nothing_in_nothing_out():
    assert len(spans.run_ids(np.zeros(5, dtype=np.int64))) == 0
    assert len(spans.ranges(np.arange(5), np.zeros(5, dtype=np.int64))) == 0
    assert len(spans.ranges(np.empty(0), np.empty(0))) == 0

