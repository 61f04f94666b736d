"""framing eval challenge: the scorer on a hand-made set, and the dev-set goals (data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.evaluation.challenge import GOALS, load_challenge, score_challenge
from framing.models import (
    AnalyzedArticle,
    Attribution,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)

TEXT = ('Mayor Ilse Rand said the bridge would reopen. "Those thugs wrecked it," she said. '
        "The shameful delay cost millions.")


def _set(tmp_path: Path) -> Path:
    s1, s2, s3 = TEXT.split(". ", 1)[0] + ".", '"Those thugs wrecked it," she said.', (
        "The shameful delay cost millions.")
    gold = [
        {"part": "title", "text": "Bridge to reopen", "category": "J", "voice": "author",
         "sources": [], "loaded": [], "evaluative_cues": []},
        {"part": "body", "text": s1, "category": "C", "voice": "attributed",
         "sources": [{"text": "Ilse Rand", "kind": "named_person"}], "loaded": [],
         "evaluative_cues": []},
        {"part": "body", "text": s2, "category": "N", "voice": "attributed",
         "sources": [{"text": "she", "kind": "named_person"}],
         "loaded": [{"text": "thugs", "speaker": "she"}], "evaluative_cues": []},
        {"part": "body", "text": s3, "category": "M", "voice": "author", "sources": [],
         "loaded": [{"text": "shameful", "speaker": "author"},
                    {"text": "cost millions", "speaker": "author"}], "evaluative_cues": []},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"id": "c1", "outlet": "O", "event": "e", "title":
                                "Bridge to reopen", "text": TEXT, "gold": gold}) + "\n")
    return path


def _analysis(item_article) -> AnalyzedArticle:  # type: ignore[no-untyped-def]
    rand = Source("Ilse Rand", "named_person", Span(6, 15))
    she = Source("Ilse Rand", "official", Span(72, 75))  # kind deliberately wrong
    said = Attribution("reported", Span(21, 44), rand, Span(16, 20), "say")
    quote = Attribution("direct_quote", Span(47, 70), she, Span(76, 80), "say")
    sents = (
        SentenceAnalysis(0, Span(0, 16), "Bridge to reopen", "author", part="title"),
        SentenceAnalysis(1, Span(0, 45), TEXT[0:45], "attributed", (said,)),
        SentenceAnalysis(2, Span(46, 81), TEXT[46:81], "attributed", (quote,),
                         loaded=(LoadedSpan(Span(53, 58), "thugs", 0.9, (), "author"),)),
        SentenceAnalysis(3, Span(82, 115), TEXT[82:115], "vague",
                         loaded=(LoadedSpan(Span(86, 94), "shameful", 0.8, (), "author"),
                                 LoadedSpan(Span(95, 100), "delay", 0.4, (), "author"))),
    )
    return AnalyzedArticle(item_article, sents, (), "test")


def test_scorer_counts_every_judgement(tmp_path: Path) -> None:
    (item,) = load_challenge(_set(tmp_path))
    assert TEXT[53:58] == "thugs" and TEXT[86:94] == "shameful" and TEXT[72:75] == "she"
    r = score_challenge([item], [_analysis(item.article)])
    assert r["sentences"] == 4
    assert r["voice_accuracy"] == 0.75  # the last sentence is author, not vague
    assert r["voice_per_class"] == {"attributed": 1.0, "author": 0.5}
    assert r["voice_confusion"] == {"author -> vague": 1}
    assert r["source_kind_accuracy"] == 0.5 and r["source_kind_confusion"] == {
        "named_person -> official": 1}
    # predicted: thugs (hit), shameful (hit), delay (false alarm); gold: thugs, shameful, and
    # "cost millions" missed
    assert (r["loaded_precision"], r["loaded_recall"]) == (0.6667, 0.6667)
    assert r["charge_accuracy"] == 0.5 and r["charge_confusion"] == {"source -> author": 1}
    assert not r["goals"]["voice_accuracy"]["met"]
    assert {e["category"] for e in r["errors"]} == {"N", "M"}


def test_gold_text_must_be_in_the_article(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "c9", "outlet": "O", "text": "One sentence.", "gold": [
        {"part": "body", "text": "Another sentence.", "voice": "author"}]}) + "\n")
    with pytest.raises(ValueError, match="c9|bad.jsonl:1"):
        load_challenge(path)


@pytest.mark.slow
@pytest.mark.data
def test_dev_set_goals_hold(shared_data: Path) -> None:
    """The development set's goals (issue 14) hold with the shipped pipeline."""
    from framing.evaluation.challenge import evaluate

    path = shared_data / "challenge" / "dev.jsonl"
    if not path.is_file():
        pytest.skip("no challenge dev set")
    r = evaluate(path)
    for name, goal in GOALS.items():
        assert r[name] >= goal, (name, r[name], goal)
