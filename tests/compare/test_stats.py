"""Contrast statistics against scipy and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from framing.compare.stats import (
    benjamini_hochberg,
    bootstrap_difference,
    cliffs_delta,
    hedges_g,
    mean_difference,
    permutation_pvalue,
)


def test_exact_permutation_matches_hand_count() -> None:
    # a=[1,2] b=[3,4]: of the C(4,2)=6 splits, |diff| >= 2 for {1,2}|{3,4} and {3,4}|{1,2}
    assert permutation_pvalue([1, 2], [3, 4]) == pytest.approx(2 / 6)
    assert permutation_pvalue([1.0], [1.0]) == 1.0


def test_exact_permutation_matches_scipy() -> None:
    a = [0.9, 0.7, 0.8, 0.95, 0.6]
    b = [0.2, 0.5, 0.3, 0.65, 0.1, 0.4]
    ref = sps.permutation_test(
        (a, b),
        lambda x, y: abs(np.mean(x) - np.mean(y)),
        permutation_type="independent",
        alternative="greater",
        n_resamples=np.inf,
    )
    assert permutation_pvalue(a, b) == pytest.approx(ref.pvalue)


def test_monte_carlo_permutation_is_seeded_and_close_to_exact() -> None:
    rng = np.random.default_rng(1)
    a = list(rng.normal(0.5, 1, 12))
    b = list(rng.normal(0, 1, 13))
    p1 = permutation_pvalue(a, b, n_permutations=4000, seed=3)
    p2 = permutation_pvalue(a, b, n_permutations=4000, seed=3)
    assert p1 == p2
    t = sps.ttest_ind(a, b)  # large-sample agreement with the t-test, loosely
    assert p1 is not None and abs(p1 - t.pvalue) < 0.05


def test_permutation_empty_side() -> None:
    assert permutation_pvalue([], [1.0, 2.0]) is None


def test_hedges_g_hand_computed() -> None:
    a, b = [2.0, 4.0, 6.0], [1.0, 2.0, 3.0]
    # pooled var = (2*4 + 2*1) / 4 = 2.5; d = 2 / sqrt(2.5); J = 1 - 3/(4*6-9) = 0.8
    assert hedges_g(a, b) == pytest.approx(2 / math.sqrt(2.5) * 0.8)
    assert hedges_g([1.0], [1.0, 2.0]) is None
    assert hedges_g([1.0, 1.0], [1.0, 1.0]) is None


def test_cliffs_delta_hand_computed() -> None:
    assert cliffs_delta([3, 4], [1, 2]) == 1.0
    assert cliffs_delta([1, 2], [1, 2]) == 0.0
    # pairs: (1,1)=, (1,3)<, (2,1)>, (2,3)< -> (1 - 2) / 4
    assert cliffs_delta([1, 2], [1, 3]) == pytest.approx(-0.25)
    assert cliffs_delta([], [1]) is None


def test_bootstrap_difference() -> None:
    a = [0.8, 0.9, 0.85, 0.95, 0.7]
    b = [0.1, 0.2, 0.15, 0.3, 0.05]
    ci = bootstrap_difference(a, b, n_boot=2000, seed=1)
    assert ci is not None
    low, high = ci
    assert low <= mean_difference(a, b) <= high
    assert low > 0.5
    assert bootstrap_difference([1.0], [1.0, 2.0]) is None
    assert bootstrap_difference(a, b, seed=1) == bootstrap_difference(a, b, seed=1)


def test_benjamini_hochberg_matches_scipy() -> None:
    ps = [0.01, 0.04, 0.03, 0.5, 0.002, 0.2]
    expected = sps.false_discovery_control(ps, method="bh")
    got = benjamini_hochberg(ps)
    assert got == pytest.approx(list(expected))


def test_benjamini_hochberg_hand_and_missing() -> None:
    # m=3: sorted 0.01, 0.02, 0.04 -> 0.03, 0.03, 0.04
    assert benjamini_hochberg([0.04, None, 0.01, 0.02]) == pytest.approx([0.04, None, 0.03, 0.03])
    assert benjamini_hochberg([None]) == [None]


def test_batched_tests_equal_single_ones() -> None:
    from framing.compare.stats import bootstrap_differences, permutation_pvalues

    rng = np.random.default_rng(5)
    for n1, n2 in ((3, 4), (14, 15)):  # exact enumeration, then Monte Carlo
        a, b = rng.random((n1, 3)), rng.random((n2, 3))
        ps = permutation_pvalues(a, b, 999, seed=2)
        lows, highs = bootstrap_differences(a, b, 500, 0.95, seed=2)
        for k in range(3):
            assert ps[k] == pytest.approx(permutation_pvalue(a[:, k], b[:, k], 999, seed=2))
            ci = bootstrap_difference(list(a[:, k]), list(b[:, k]), 500, 0.95, seed=2)
            assert ci == pytest.approx((lows[k], highs[k]))
