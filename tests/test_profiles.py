"""Outlet profiles: bootstrap intervals, honest handling of tiny samples."""

from __future__ import annotations

import numpy as np
import pytest

from framing.compare.profiles import bootstrap_mean, build_profiles
from framing.models import ArticleScores


def test_bootstrap_matches_numpy_percentiles() -> None:
    values = [0.1, 0.4, 0.35, 0.8, 0.5, 0.45]
    est = bootstrap_mean(values, n_boot=4000, confidence=0.95, seed=7)
    rng = np.random.default_rng(7)
    arr = np.asarray(values)
    means = arr[rng.integers(0, 6, size=(4000, 6))].mean(axis=1)
    assert est.mean == pytest.approx(np.mean(values))
    assert est.low == pytest.approx(np.quantile(means, 0.025))
    assert est.high == pytest.approx(np.quantile(means, 0.975))
    assert est.low < est.mean < est.high
    assert est.n == 6 and est.note == ""


def test_bootstrap_deterministic() -> None:
    a = bootstrap_mean([1.0, 2.0, 3.0, 4.0, 9.0], 1000, 0.95, 42)
    b = bootstrap_mean([1.0, 2.0, 3.0, 4.0, 9.0], 1000, 0.95, 42)
    assert a == b


def test_single_article_not_estimable() -> None:
    est = bootstrap_mean([0.3], 1000, 0.95, 42)
    assert est.mean == 0.3 and est.low is None and est.high is None
    assert "not estimable" in est.note


def test_small_sample_marked_and_nan_counted() -> None:
    est = bootstrap_mean([0.3, float("nan"), 0.5], 500, 0.95, 1)
    assert est.n == 2
    assert "small sample" in est.note and "1 article(s) without a value" in est.note
    none = bootstrap_mean([float("nan")], 500, 0.95, 1)
    assert none.mean is None and none.n == 0


def test_profiles_by_outlet_and_group() -> None:
    scores = [
        ArticleScores("1", "A", "e", "G1", {"x": 1.0}),
        ArticleScores("2", "A", "e", "G1", {"x": 3.0}),
        ArticleScores("3", "B", "e", "G1", {"x": 5.0}),
        ArticleScores("4", "C", "e", None, {"x": 7.0}),
    ]
    profiles = build_profiles(scores, ["x"], 200, 0.95, 0)
    assert [(p.outlet, p.n_articles, p.features["x"].mean) for p in profiles] == [
        ("A", 2, 2.0), ("B", 1, 5.0), ("C", 1, 7.0)]
    groups = build_profiles(scores, ["x"], 200, 0.95, 0, by="group")
    assert [(p.outlet, p.n_articles) for p in groups] == [("(no group)", 1), ("G1", 3)]
    assert groups[1].features["x"].mean == 3.0
