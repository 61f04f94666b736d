"""framing eval claims: the labelled BASIL claim pairs (standoff: offsets and hashes, no text)
resolve against the corpus, and the pair and omission scores follow their definitions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from framing.evaluation.claims import (
    PAIRS_FILE,
    ClaimPair,
    PairSide,
    check_pairs,
    load_pairs,
    score_pairs,
    side_text,
)
from framing.models import AnalyzedArticle, Article, Claim, ClaimSentence, SentenceAnalysis, Span


def test_the_pairs_file_is_standoff_and_balanced() -> None:
    pairs = load_pairs(PAIRS_FILE)
    assert 150 <= len(pairs) <= 300
    assert len({p.id for p in pairs}) == len(pairs)
    labels = Counter(p.label for p in pairs)
    assert labels["same_fact"] >= 100 and labels["not_same_fact"] >= 50
    events = {p.event for p in pairs}
    assert len(events) >= 12
    split_of: dict[str, set[str]] = {}
    for p in pairs:
        split_of.setdefault(p.event, set()).add(p.split)
        assert p.a.outlet != p.b.outlet and p.reason
        assert p.a.article.startswith(p.event) and p.b.article.startswith(p.event)
    assert all(len(s) == 1 for s in split_of.values())  # an event is dev or test, never both
    assert {next(iter(s)) for s in split_of.values()} == {"dev", "test"}
    for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines():  # no corpus text kept
        raw = json.loads(line)
        assert set(raw) <= {"id", "event", "split", "a", "b", "label", "reason", "annotator"}
        assert set(raw["a"]) == set(raw["b"]) == {"article", "file", "outlet", "part", "start",
                                                  "end", "sha256"}


@pytest.mark.data
def test_the_pairs_resolve_against_basil(shared_data: Path) -> None:
    if not (shared_data / "basil" / "articles").is_dir():
        pytest.skip("no BASIL folder")
    from framing.evaluation.basil import load_basil

    pairs = load_pairs(PAIRS_FILE)
    events = {p.event for p in pairs}
    items = [i for i in load_basil(shared_data) if i.event in events]
    assert {i.event for i in items} == events
    check_pairs(pairs, items)  # offsets inside the part, sha256 of the text as recorded
    by_id = {i.article.id: i for i in items}
    for p in pairs:
        for side in (p.a, p.b):
            assert by_id[side.article_id].outlet == side.outlet
            text = side_text(side, by_id)
            assert len(text.split()) >= 3 and not text[:1].isspace()  # a whole sentence
    moved = PairSide(pairs[0].a.article, pairs[0].a.outlet, pairs[0].a.part,
                     Span(pairs[0].a.span.start + 1, pairs[0].a.span.end), pairs[0].a.sha256)
    drifted = ClaimPair("x", pairs[0].event, "dev", moved, pairs[0].b, "same_fact", "")
    with pytest.raises(ValueError, match="sha256"):
        check_pairs([drifted], items)


@pytest.mark.data
@pytest.mark.slow
def test_one_event_is_scored_before_and_after(shared_data: Path) -> None:
    if not (shared_data / "basil" / "articles").is_dir():
        pytest.skip("no BASIL folder")
    from framing.evaluation import run_eval

    r = run_eval("claims", shared_data, limit=1)
    json.dumps(r)  # --json prints it
    assert r["events"] == 1 and r["articles"] == 3
    assert set(r["results"]) == {"before", "after"}
    for res in r["results"].values():
        assert 0.0 <= res["all"]["pair"]["f1"] <= 1.0
        assert res["all"]["pairs"] == res["dev"]["pairs"] + res["test"]["pairs"]


def _side(aid: str, outlet: str, start: int, end: int) -> PairSide:
    return PairSide(aid, outlet, "body", Span(start, end), "")


def test_pair_and_omission_scores_follow_their_definitions() -> None:
    # three outlets, one sentence each at 0-10, 11-20, 21-30
    arts = {}
    for aid, outlet in (("e_1", "A"), ("e_2", "B"), ("e_3", "C")):
        sents = tuple(SentenceAnalysis(i, Span(s, e), "x" * (e - s), "author")
                      for i, (s, e) in enumerate(((0, 10), (11, 20), (21, 30))))
        arts[f"b-{aid}"] = AnalyzedArticle(Article(f"b-{aid}", outlet, "x" * 30), sents, (), "t")

    def cs(outlet: str, n: int, i: int) -> ClaimSentence:
        return ClaimSentence(outlet, f"b-e_{n}", i, "body", "x")

    one = Claim(1, cs("A", 1, 0), (cs("A", 1, 0), cs("B", 2, 0)), ("A", "B"), ("C",), True, 0)
    two = Claim(2, cs("A", 1, 1), (cs("A", 1, 1),), ("A",), ("B", "C"), False, 1)
    three = Claim(3, cs("C", 3, 1), (cs("C", 3, 1),), ("C",), ("A", "B"), False, 1)
    pairs = [
        # same fact, one claim: a true positive, no omission between A and B
        ClaimPair("p1", "e", "dev", _side("e_1", "A", 0, 10), _side("e_2", "B", 0, 10),
                  "same_fact", ""),
        # same fact, two claims: missed, and each outlet listed as omitting the other's
        ClaimPair("p2", "e", "dev", _side("e_1", "A", 11, 20), _side("e_3", "C", 11, 20),
                  "same_fact", ""),
        # different facts in two claims: a true negative; B's omission of claim 2 is checkable
        ClaimPair("p3", "e", "test", _side("e_1", "A", 12, 19), _side("e_2", "B", 21, 30),
                  "not_same_fact", ""),
    ]
    r = score_pairs(pairs, {"e": [one, two, three]}, arts, {"p1": True, "p2": False})
    assert (r["pair"]["tp"], r["pair"]["fn"], r["pair"]["fp"], r["pair"]["tn"]) == (1, 1, 0, 1)
    assert r["pair"]["precision"] == 1.0 and r["pair"]["recall"] == 0.5
    om = r["omission"]
    # labelled carried units: (1, B), (1, A), (2, C), (3, A); (2, C) and (3, A) listed omitted
    assert (om["carried_units"], om["false_omissions"]) == (4, 2)
    # checkable omissions: (2, C), (3, A), and (2, B) from the not-same pair (B's sentence 2 is
    # in no claim); two of three are contradicted
    assert om["checkable_omissions"] == 3 and om["precision_upper_bound"] == pytest.approx(1 / 3,
                                                                                          abs=1e-4)
    assert om["pairs_carrying_each_other"] == {"same_fact": 0.5, "not_same_fact": 0.0}
    assert r["errors"] == ["p2"] and r["sentences_in_claims"] == pytest.approx(5 / 6, abs=1e-4)
