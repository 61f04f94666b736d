"""Pairwise contrasts: a planted difference is found; tiny corpora give honest output."""

from __future__ import annotations

import math

import pytest

from framing.compare.contrasts import build_contrasts
from framing.models import ArticleScores

FEATURES = ["author_voice_share", "hedging_rate"]


def _scores(outlet: str, voice: list[float], group: str | None = None) -> list[ArticleScores]:
    return [
        ArticleScores(f"{outlet}-{i}", outlet, "e", group, {
            "author_voice_share": v, "hedging_rate": 1.0 + 0.1 * (i % 3),
        })
        for i, v in enumerate(voice)
    ]  # fmt: skip


def test_planted_author_voice_contrast_is_found() -> None:
    loud = _scores("Loud", [0.80, 0.85, 0.90, 0.75, 0.88, 0.82], "X")
    calm = _scores("Calm", [0.20, 0.30, 0.25, 0.15, 0.28, 0.22], "Y")
    same = _scores("Same", [0.22, 0.28, 0.18, 0.26, 0.24, 0.21], "Y")
    rows = build_contrasts(loud + calm + same, FEATURES, 1000, 0.95, 7, event="e")
    assert len(rows) == 3 * 2  # 3 pairs x 2 features
    by = {(r.a, r.b, r.feature): r for r in rows}
    r = by[("Calm", "Loud", "author_voice_share")]
    assert r.difference == pytest.approx(0.2333333 - 0.8333333, abs=1e-6)
    assert r.high is not None and r.high < 0
    assert r.p_value is not None and r.p_value < 0.01
    assert r.p_adjusted is not None and r.p_adjusted < 0.05
    assert r.hedges_g is not None and r.hedges_g < -3
    assert r.cliffs_delta == -1.0
    null = by[("Calm", "Same", "author_voice_share")]
    assert null.p_adjusted is not None and null.p_adjusted > 0.2
    # identical hedging everywhere: no difference, p = 1
    h = by[("Calm", "Loud", "hedging_rate")]
    assert h.difference == pytest.approx(0.0) and h.p_value == pytest.approx(1.0)
    # group level: X vs Y
    groups = build_contrasts(loud + calm + same, FEATURES, 500, 0.95, 7, by="group")
    assert {(g.a, g.b) for g in groups} == {("X", "Y")}
    g = next(g for g in groups if g.feature == "author_voice_share")
    assert g.n_a == 6 and g.n_b == 12 and g.p_value is not None and g.p_value < 0.001


def test_one_outlet_gives_no_pairs() -> None:
    assert build_contrasts(_scores("Only", [0.1, 0.2]), FEATURES, 100, 0.95, 1) == []


def test_one_article_per_outlet_is_not_estimable() -> None:
    rows = build_contrasts(
        _scores("A", [0.9]) + _scores("B", [0.1]), FEATURES, 100, 0.95, 1
    )
    r = next(r for r in rows if r.feature == "author_voice_share")
    assert r.difference == pytest.approx(0.8)
    assert r.low is None and r.p_value is None and r.hedges_g is None and r.p_adjusted is None
    assert "not estimable" in r.note


def test_small_samples_are_marked() -> None:
    rows = build_contrasts(
        _scores("A", [0.9, 0.8]) + _scores("B", [0.1, 0.2, 0.3]), FEATURES, 100, 0.95, 1
    )
    r = next(r for r in rows if r.feature == "author_voice_share")
    assert r.p_value == pytest.approx(1 / 10)  # exact: the most extreme of C(5,2)=10 splits
    assert "small sample" in r.note and "smallest attainable p=0.1" in r.note


def test_nan_values_are_left_out_and_counted() -> None:
    a = _scores("A", [0.9, 0.8, math.nan])
    b = _scores("B", [0.1, 0.2])
    r = next(
        r for r in build_contrasts(a + b, FEATURES, 100, 0.95, 1)
        if r.feature == "author_voice_share"
    )
    assert r.n_a == 2 and "1 article(s) without a value" in r.note


@pytest.mark.slow
def test_tiny_corpora_give_honest_output(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One outlet, and one article per outlet: every table is written, nothing crashes."""
    import csv
    import json

    from framing.api import run_analysis
    from framing.settings import Settings

    texts = {
        "a1": ("Alpha News", "Militants attacked a checkpoint in the north on Monday, police said. "
               "The attack was a cowardly act, officials claimed."),
        "a2": ("Alpha News", "Police arrested two suspects after the checkpoint attack. "
               "Officials said the investigation continues."),
        "b1": ("Beta Times", "Terrorists stormed a checkpoint on Monday. The brutal assault "
               "shocked residents, who reportedly fled."),
    }  # fmt: skip
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(
        json.dumps({"id": k, "outlet": o, "text": t, "event": "e"}) + "\n"
        for k, (o, t) in texts.items()
    ), encoding="utf-8")  # fmt: skip
    one_outlet = tmp_path / "one.jsonl"
    one_outlet.write_text("".join(
        json.dumps({"id": k, "outlet": o, "text": t, "event": "e"}) + "\n"
        for k, (o, t) in texts.items() if o == "Alpha News"
    ), encoding="utf-8")  # fmt: skip
    settings = Settings(bootstrap_samples=200)

    res = run_analysis([one_outlet], tmp_path / "out1", settings)
    rows = list(csv.DictReader(res.paths["contrasts.csv"].open(encoding="utf-8")))
    assert len(rows) == 1 and "no pair to contrast" in rows[0]["note"]
    assert res.paths["terms.csv"].read_text(encoding="utf-8").count("\n") == 1  # header only
    assert "there is no pair to contrast" in res.paths["report.html"].read_text(encoding="utf-8")

    res = run_analysis([corpus], tmp_path / "out2", settings)
    rows = list(csv.DictReader(res.paths["contrasts.csv"].open(encoding="utf-8")))
    assert rows and all(r["a"] == "Alpha News" and r["b"] == "Beta Times" for r in rows)
    assert all("not estimable" in r["note"] and r["p_value"] == "" for r in rows)
    claims = list(csv.DictReader(res.paths["claims.csv"].open(encoding="utf-8")))
    assert {r["outlet"] for r in claims} == {"Alpha News", "Beta Times"}
    assert res.paths["labels.csv"].exists()


def test_contrast_pair_returns_a_labelled_contrast() -> None:
    from framing.compare.contrasts import contrast_pair
    from framing.models import Contrast

    r = contrast_pair([0.9, 0.8, 0.7], [0.1, 0.2, 0.3], 200, 0.95, 3,
                      names=("A", "B"), feature="author_voice_share", level="group", event="e")
    assert isinstance(r, Contrast)
    assert (r.event, r.level, r.a, r.b, r.feature, r.n_a, r.n_b) == (
        "e", "group", "A", "B", "author_voice_share", 3, 3)
    assert r.mean_a == pytest.approx(0.8) and r.mean_b == pytest.approx(0.2)
    assert r.difference == pytest.approx(0.6)
    assert r.p_value == pytest.approx(0.1)  # exact: 2 of the C(6,3)=20 splits are as extreme
    assert r.p_adjusted is None  # the correction runs over the event's tests
    assert r.low is not None and r.high is not None and 0 < r.low <= r.high
    assert r.cliffs_delta == 1.0 and "small sample (n=3 vs 3)" in r.note
    one = contrast_pair([0.5], [0.1, 0.2], 100, 0.95, 1, names=("A", "B"), feature="f")
    assert one.difference == pytest.approx(0.35) and one.low is None and one.p_value is None
    assert one.note.startswith("not estimable") and (one.n_a, one.n_b) == (1, 2)


def test_outlets_and_groups_are_grouped_once() -> None:
    from framing.compare.profiles import group_scores
    from framing.models import NO_GROUP

    rows = _scores("A", [0.1, 0.2], "X") + _scores("B", [0.3]) + _scores("C", [0.4], "X")
    assert {k: [r.article_id for r in v] for k, v in group_scores(rows).items()} == {
        "A": ["A-0", "A-1"], "B": ["B-0"], "C": ["C-0"]}
    by_group = group_scores(rows, by="group")
    assert {k: [r.article_id for r in v] for k, v in by_group.items()} == {
        "X": ["A-0", "A-1", "C-0"], NO_GROUP: ["B-0"]}
    contrasts = build_contrasts(rows, ["author_voice_share"], 100, 0.95, 1, by="group")
    assert [(c.a, c.b, c.n_a, c.n_b) for c in contrasts] == [(NO_GROUP, "X", 1, 3)]
