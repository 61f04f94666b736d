"""Agreement statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from framing.validation.agreement import (
    accuracy,
    alpha_two,
    bootstrap_interval,
    cohen_kappa,
    confusion,
    krippendorff_alpha_nominal,
)

# Tool A A B B, annotator A B B B.
TOOL = ["A", "A", "B", "B"]
ANNOTATOR = ["A", "B", "B", "B"]


def test_accuracy_and_kappa_by_hand() -> None:
    assert accuracy(TOOL, ANNOTATOR) == 0.75
    # p_o = 3/4; p_e = (2*1 + 2*3) / 16 = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2
    assert cohen_kappa(TOOL, ANNOTATOR) == pytest.approx(0.5)


def test_alpha_two_coders_by_hand() -> None:
    # values: A 3 times, B 5 times, n = 8; one disagreeing unit: o_AB = o_BA = 1
    # alpha = 1 - (n - 1) * 2 / (2 * 3 * 5) = 1 - 14/30 = 8/15
    assert alpha_two(TOOL, ANNOTATOR) == pytest.approx(8 / 15)


def test_alpha_with_missing_values_and_three_coders_by_hand() -> None:
    units = [("1", "1", None), ("1", "2", "2"), (None, None, "1")]
    # unit 1: o_11 += 2; unit 2 (m=3): o_12 = o_21 = 1, o_22 = 1; unit 3 is not pairable.
    # n_1 = 3, n_2 = 2, n = 5; alpha = 1 - 4 * 2 / (2 * 3 * 2) = 1/3
    assert krippendorff_alpha_nominal(units) == pytest.approx(1 / 3)


def test_perfect_and_degenerate_agreement() -> None:
    assert cohen_kappa(["A", "B"], ["A", "B"]) == 1.0
    assert alpha_two(["A", "B"], ["A", "B"]) == 1.0
    assert cohen_kappa(["A", "A"], ["A", "A"]) == 1.0
    assert math.isnan(alpha_two(["A", "A"], ["A", "A"]))  # no variation: alpha undefined
    assert math.isnan(cohen_kappa([], []))
    with pytest.raises(ValueError, match="differ in length"):
        accuracy(["A"], ["A", "B"])


def test_confusion_rows_are_truth() -> None:
    assert confusion(ANNOTATOR, TOOL) == {"A": {"A": 1}, "B": {"A": 1, "B": 2}}


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate() -> None:
    pairs = list(zip(TOOL * 10, ANNOTATOR * 10, strict=True))

    def acc(ps: list[tuple[str, str]]) -> float:
        return accuracy([a for a, _ in ps], [b for _, b in ps])

    first = bootstrap_interval(pairs, acc, 300, seed=7)
    assert first == bootstrap_interval(pairs, acc, 300, seed=7)
    low, high = first
    assert low is not None and high is not None
    assert low < 0.75 < high
    assert 0.5 < low and high < 0.95
    assert bootstrap_interval(pairs[:1], acc, 100) == (None, None)


def test_bootstrap_within_strata_keeps_stratum_sizes() -> None:
    seen: list[int] = []

    def count_x(items: list[str]) -> float:
        seen.append(items.count("x"))
        return float(items.count("x"))

    bootstrap_interval(["x", "x", "y", "y", "y"], count_x, 50, strata=["s", "s", "t", "t", "t"])
    assert set(seen) == {2}
