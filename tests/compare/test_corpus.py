"""Corpus-wide contrasts with events as strata: pooled within-event differences, event
bootstrap, sign-flip p-values, BH over features, heterogeneity; and pooled outlet means."""

from __future__ import annotations

import math

import numpy as np
import pytest

from framing.compare.corpus import (
    CONTRASTS_HEADER,
    OUTLETS_HEADER,
    CorpusContrast,
    CorpusOutlet,
    corpus_contrasts,
    corpus_outlets,
    event_bootstrap_means,
    sign_flip_pvalues,
    smallest_sign_flip_pvalue,
)
from framing.models import ArticleScores

Table = dict[str, dict[str, list[float]]]


def _scores(table: Table, feature: str = "x", group: dict[str, str] | None = None,
            other: float = 0.0) -> list[ArticleScores]:  # fmt: skip
    """{event: {outlet: [value per article]}} as ArticleScores; feature "y" is ``other``."""
    out = []
    for event, outlets in table.items():
        for outlet, values in outlets.items():
            for i, v in enumerate(values):
                out.append(ArticleScores(
                    f"{event}-{outlet}-{i}", outlet, event, (group or {}).get(outlet),
                    {feature: v, "y": other},
                ))  # fmt: skip
    return out


def _row(rows: list[CorpusContrast], feature: str, a: str = "A", b: str = "B") -> CorpusContrast:
    return next(r for r in rows if (r.feature, r.a, r.b) == (feature, a, b))


def test_constant_difference_is_exact() -> None:
    # A is B + 1 in every one of 6 events, whatever the event's level
    table = {f"e{i}": {"A": [i + 1.0], "B": [float(i)]} for i in range(6)}
    rows = corpus_contrasts(_scores(table), ["x"], n_boot=500)
    assert len(rows) == 1
    r = rows[0]
    assert (r.a, r.b, r.n_events) == ("A", "B", 6)
    assert r.difference == pytest.approx(1.0)
    assert r.mean_a == pytest.approx(3.5) and r.mean_b == pytest.approx(2.5)
    assert r.difference_low == pytest.approx(1.0) and r.difference_high == pytest.approx(1.0)
    assert r.p_value == pytest.approx(2 / 64)  # all-plus and all-minus of the 2^6 sign vectors
    assert r.p_adjusted_bh == pytest.approx(2 / 64)  # one test in the family
    assert r.same_sign_share == 1.0
    assert (r.loo_low, r.loo_high) == (pytest.approx(1.0), pytest.approx(1.0))
    assert r.finding == "Over 6 events, A's x is higher than B's by 1.0 [95% interval 1.0, 1.0] (p_adj = 0.031)"
    assert r.note == ""


def test_lower_difference_reads_as_lower() -> None:
    table = {f"e{i}": {"A": [0.0], "B": [2.0 + 0.1 * i]} for i in range(8)}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=500)[0]
    assert r.difference is not None and r.difference < 0
    assert r.difference_high is not None and r.difference_high < 0
    assert r.finding.startswith("Over 8 events, A's x is lower than B's by 2.4 [")
    lo, hi = r.finding.split("[95% interval ")[1].split("]")[0].split(", ")
    assert 0 < float(lo) <= 2.4 <= float(hi)


def test_zero_difference() -> None:
    table = {f"e{i}": {"A": [float(i)], "B": [float(i)]} for i in range(5)}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=200)[0]
    assert r.difference == 0.0 and r.p_value == pytest.approx(1.0)
    assert (r.difference_low, r.difference_high) == (0.0, 0.0)
    assert r.finding.startswith("no clear difference over 5 events between A and B in x")
    # 5 events: the smallest attainable p is 2/32 > 0.05
    assert "smallest attainable p=0.0625" in r.note


def test_symmetric_differences_are_not_significant() -> None:
    table = {f"e{i}": {"A": [1.0 if i % 2 else -1.0], "B": [0.0]} for i in range(10)}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=500)[0]
    assert r.difference == pytest.approx(0.0)
    assert r.p_value == pytest.approx(1.0)
    assert r.difference_low is not None and r.difference_low < 0 < (r.difference_high or 0)
    assert r.same_sign_share == 0.0  # D = 0: no event has d_e = 0
    assert "no clear difference over 10 events" in r.finding


def test_events_missing_an_outlet_are_skipped() -> None:
    table: Table = {f"e{i}": {"A": [1.0], "B": [0.0]} for i in range(4)}
    table["only_a"] = {"A": [100.0]}
    table["only_b"] = {"B": [-100.0]}
    rows = corpus_contrasts(_scores(table), ["x"], n_boot=200)
    r = rows[0]
    assert r.n_events == 4
    assert r.mean_a == pytest.approx(1.0) and r.mean_b == pytest.approx(0.0)
    assert r.difference == pytest.approx(1.0)
    assert r.p_value == pytest.approx(2 / 16)


def test_articles_without_an_event_are_left_out() -> None:
    table = {f"e{i}": {"A": [1.0], "B": [0.0]} for i in range(4)}
    stray = [ArticleScores("s1", "A", None, None, {"x": 50.0}),
             ArticleScores("s2", "B", None, None, {"x": -50.0})]  # fmt: skip
    assert corpus_contrasts(_scores(table) + stray, ["x"], n_boot=100) == corpus_contrasts(
        _scores(table), ["x"], n_boot=100
    )
    assert corpus_contrasts(stray, ["x"]) == []


def test_several_articles_per_event_are_averaged_first() -> None:
    # A has 3 articles in e0 (mean 2) and 1 in e1: each event counts once
    table = {"e0": {"A": [1.0, 2.0, 3.0], "B": [0.0]}, "e1": {"A": [4.0], "B": [1.0, 3.0]}}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=200)[0]
    assert r.n_events == 2
    assert r.mean_a == pytest.approx(3.0)  # (2 + 4) / 2, not the article mean 2.5
    assert r.mean_b == pytest.approx(1.0)  # (0 + 2) / 2
    assert r.difference == pytest.approx(2.0)
    assert r.p_value == pytest.approx(2 / 4)


def test_nan_values_are_skipped() -> None:
    table = {f"e{i}": {"A": [1.0, math.nan], "B": [0.0]} for i in range(5)}
    table["e_nan"] = {"A": [math.nan], "B": [0.0]}
    rows = corpus_contrasts(_scores(table), ["x", "y"], n_boot=200)
    x = _row(rows, "x")
    assert x.n_events == 5 and x.mean_a == pytest.approx(1.0)
    assert x.difference == pytest.approx(1.0)
    assert _row(rows, "y").n_events == 6  # "y" has a value in every event
    outs = {(o.outlet, o.feature): o for o in corpus_outlets(_scores(table), ["x"], n_boot=100)}
    assert outs[("A", "x")].n_events == 5 and outs[("A", "x")].n_articles == 5
    assert outs[("B", "x")].n_events == 6 and outs[("B", "x")].n_articles == 6


def test_fewer_than_two_events_is_not_estimable() -> None:
    one = corpus_contrasts(_scores({"e0": {"A": [3.0], "B": [1.0]}}), ["x"])[0]
    assert one.n_events == 1 and one.difference == pytest.approx(2.0)  # descriptive only
    assert one.drivers == (("e0", 2.0),)
    for field in ("difference_low", "difference_high", "p_value", "p_adjusted_bh",
                  "same_sign_share", "loo_low", "loo_high"):  # fmt: skip
        assert getattr(one, field) is None, field
    assert one.finding == "not estimable: fewer than 2 shared events (n=1)"
    assert not one.estimable
    # no shared event at all
    none = corpus_contrasts(_scores({"e0": {"A": [3.0]}, "e1": {"B": [1.0]}}), ["x"])[0]
    assert none.n_events == 0 and none.difference is None and none.mean_a is None
    assert none.drivers == () and none.finding.startswith("not estimable")
    assert corpus_contrasts(_scores({"e0": {"A": [1.0]}, "e1": {"A": [2.0]}}), ["x"]) == []


def test_bh_adjustment_within_a_pair() -> None:
    # x: constant +1 over 6 events (p = 2/64); y: no difference (p = 1). BH with m = 2.
    table = {f"e{i}": {"A": [i + 1.0], "B": [float(i)]} for i in range(6)}
    rows = corpus_contrasts(_scores(table, other=0.5), ["x", "y"], n_boot=200)
    x, y = _row(rows, "x"), _row(rows, "y")
    assert x.p_value == pytest.approx(2 / 64) and y.p_value == pytest.approx(1.0)
    assert x.p_adjusted_bh == pytest.approx(2 * 2 / 64)
    assert y.p_adjusted_bh == pytest.approx(1.0)
    # the interval excludes 0 but the adjusted p does not reach 0.05
    assert x.finding.startswith("no clear difference over 6 events")
    # with 7 events the adjusted p is 2 * 2/128 = 0.03125 < 0.05
    table7 = {f"e{i}": {"A": [i + 1.0], "B": [float(i)]} for i in range(7)}
    x7 = _row(corpus_contrasts(_scores(table7, other=0.5), ["x", "y"], n_boot=200), "x")
    assert x7.p_adjusted_bh == pytest.approx(2 * 2 / 128)
    assert x7.finding.startswith("Over 7 events, A's x is higher than B's by 1.0 [95% interval 1.0, 1.0]")


def test_bh_family_is_per_pair() -> None:
    # three outlets: each pair has its own family of 2 features
    table = {f"e{i}": {"A": [i + 1.0], "B": [float(i)], "C": [float(i)]} for i in range(7)}
    rows = corpus_contrasts(_scores(table, other=0.5), ["x", "y"], n_boot=100)
    assert [(r.a, r.b, r.feature) for r in rows] == [
        ("A", "B", "x"), ("A", "B", "y"), ("A", "C", "x"), ("A", "C", "y"),
        ("B", "C", "x"), ("B", "C", "y"),
    ]  # fmt: skip
    assert _row(rows, "x", "A", "C").p_adjusted_bh == pytest.approx(2 * 2 / 128)
    assert _row(rows, "x", "B", "C").p_adjusted_bh == pytest.approx(1.0)


def test_drivers_and_heterogeneity() -> None:
    d = {"e0": 0.5, "e1": 3.0, "e2": -1.0, "e3": 2.0, "e4": 3.0, "e5": 0.1}
    table = {e: {"A": [v], "B": [0.0]} for e, v in d.items()}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=200)[0]
    # largest |d_e| first, ties by event id
    assert r.drivers == (("e1", 3.0), ("e4", 3.0), ("e3", 2.0))
    total = sum(d.values())
    assert r.difference == pytest.approx(total / 6)
    assert r.same_sign_share == pytest.approx(5 / 6)
    loo = [(total - v) / 5 for v in d.values()]
    assert r.loo_low == pytest.approx(min(loo)) and r.loo_high == pytest.approx(max(loo))


def test_group_level() -> None:
    table = {f"e{i}": {"A": [2.0], "A2": [4.0], "B": [1.0]} for i in range(6)}
    groups = {"A": "left", "A2": "left", "B": "right"}
    rows = corpus_contrasts(_scores(table, group=groups), ["x"], by="group", n_boot=100)
    assert [(r.a, r.b, r.level) for r in rows] == [("left", "right", "group")]
    assert rows[0].difference == pytest.approx(2.0)  # left: mean of its articles, 3


def test_deterministic_for_a_seed() -> None:
    rng = np.random.default_rng(3)
    table = {f"e{i:02d}": {"A": list(rng.normal(0.3, 1, 2)), "B": list(rng.normal(0, 1, 1))}
             for i in range(30)}  # fmt: skip
    scores = _scores(table)
    one = corpus_contrasts(scores, ["x", "y"], n_permutations=999, n_boot=300, seed=5)
    two = corpus_contrasts(scores, ["x", "y"], n_permutations=999, n_boot=300, seed=5)
    assert one == two
    other = corpus_contrasts(scores, ["x", "y"], n_permutations=999, n_boot=300, seed=6)
    assert _row(other, "x").difference_low != _row(one, "x").difference_low
    # 30 events: Monte Carlo p, never 0
    x = _row(one, "x")
    assert x.p_value is not None and x.p_value >= 1 / 1000
    assert "Monte Carlo" in x.note
    # a feature's result does not depend on the others compared with it
    # (up to rounding; the BH family is smaller, so p_adjusted_bh differs)
    alone = corpus_contrasts(scores, ["x"], n_permutations=999, n_boot=300, seed=5)[0]
    for field in ("n_events", "mean_a", "mean_b", "difference", "difference_low",
                  "difference_high", "p_value", "loo_low", "loo_high", "same_sign_share"):  # fmt: skip
        assert getattr(alone, field) == pytest.approx(getattr(x, field), rel=1e-12), field
    assert [e for e, _ in alone.drivers] == [e for e, _ in x.drivers]
    assert [v for _, v in alone.drivers] == pytest.approx([v for _, v in x.drivers])


def test_sign_flip_monte_carlo_agrees_with_exact() -> None:
    rng = np.random.default_rng(0)
    d = rng.normal(0.4, 1, size=(14, 3))
    exact, is_exact = sign_flip_pvalues(d)
    assert is_exact
    # 2^14 = 16384 sign vectors > 5000 draws: Monte Carlo once the exact limit is below 14
    mc, is_exact = sign_flip_pvalues(d, n_permutations=5000, seed=1, max_exact_events=10)
    assert not is_exact
    assert mc == pytest.approx(exact, abs=0.02)
    assert np.all(mc >= 1 / 5001)
    assert smallest_sign_flip_pvalue(6) == pytest.approx(2 / 64)
    assert smallest_sign_flip_pvalue(40, 9999) == pytest.approx(1 / 10000)


def test_corpus_outlets_mean_and_interval() -> None:
    table = {"e0": {"A": [1.0, 3.0], "B": [5.0]}, "e1": {"A": [4.0]}, "e2": {"A": [6.0]}}
    outs = corpus_outlets(_scores(table), ["x"], n_boot=2000, seed=1)
    assert [(o.outlet, o.feature) for o in outs] == [("A", "x"), ("B", "x")]
    a, b = outs
    assert a.n_events == 3 and a.n_articles == 4
    assert a.mean == pytest.approx(4.0)  # events 2, 4, 6
    assert a.low is not None and a.high is not None
    assert 2.0 <= a.low < 4.0 < a.high <= 6.0
    # the interval is that of the event bootstrap
    low, high = event_bootstrap_means(np.array([[2.0], [4.0], [6.0]]), 2000, 0.95, 1)
    assert (a.low, a.high) == (pytest.approx(low[0]), pytest.approx(high[0]))
    assert b.n_events == 1 and b.mean == pytest.approx(5.0) and b.low is None
    assert "not estimable" in b.note
    missing = corpus_outlets(_scores(table), ["absent"])
    assert all(o.n_events == 0 and o.mean is None for o in missing)


def test_rows_match_headers() -> None:
    table = {f"e{i}": {"A": [i + 1.0], "B": [float(i)]} for i in range(6)}
    r = corpus_contrasts(_scores(table), ["x"], n_boot=100)[0]
    row = r.to_row()
    assert CorpusContrast.HEADER == CONTRASTS_HEADER
    assert len(row) == len(CONTRASTS_HEADER)
    assert CONTRASTS_HEADER[:12] == (
        "feature", "a", "b", "n_events", "mean_a", "mean_b", "difference", "difference_low",
        "difference_high", "p_value", "p_adjusted_bh", "finding",
    )  # fmt: skip
    cells = dict(zip(CONTRASTS_HEADER, row, strict=True))
    assert cells["difference"] == "1.0" and cells["p_value"] == "0.03125"
    assert cells["drivers"] == "e0=1.0; e1=1.0; e2=1.0"
    o = corpus_outlets(_scores({"e0": {"A": [1.0]}}), ["x"])[0]
    assert CorpusOutlet.HEADER == OUTLETS_HEADER
    assert dict(zip(OUTLETS_HEADER, o.to_row(), strict=True))["mean_low"] == ""


def test_a_basil_sized_corpus_gives_every_row() -> None:
    """50 events x 3 outlets x 40 features, 5% missing: every pair and feature estimable (its
    speed is measured in benchmarks, not asserted here)."""
    rng = np.random.default_rng(1)
    features = [f"f{k}" for k in range(40)]
    scores = [
        ArticleScores(f"{e}-{o}", o, f"e{e}", None,
                      {f: float(rng.normal()) if rng.random() > 0.05 else math.nan
                       for f in features})
        for e in range(50) for o in ("Fox", "NYT", "HPO")
    ]  # fmt: skip
    rows = corpus_contrasts(scores, features)
    outs = corpus_outlets(scores, features)
    assert len(rows) == 3 * 40 and len(outs) == 3 * 40
    assert all(r.estimable and r.n_events >= 40 for r in rows)
    assert all(o.n_events >= 40 and o.low is not None for o in outs)


def test_findings_use_plain_feature_names_and_points_for_shares() -> None:
    table = {f"e{i}": {"Fox": [0.5 + 0.01 * i], "NYT": [0.3 + 0.01 * i]} for i in range(7)}
    r = corpus_contrasts(_scores(table, feature="author_voice_share"), ["author_voice_share"],
                         n_boot=300)[0]
    assert r.finding.startswith(
        "Over 7 events, Fox's share of assertions in its own voice is higher than NYT's by "
        "20 points [95% interval 20, 20]"
    )
    assert r.difference == pytest.approx(0.2)  # the CSV keeps the share itself
