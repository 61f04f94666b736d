"""Voice on real news from PolNeAR gold: the gold voice rule and the comparison, on a
hand-written brat fixture (invented text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.evaluation.polnear import (
    GoldRelation,
    PolnearDoc,
    article_parts,
    count_voices,
    gold_voice,
    read_ann,
    summarize_voices,
    voice_units,
)
from framing.models import Span

TITLE = "Harbour board defends toll rise"
BODY = ("The board chair said the new tolls would pay for the dredging. "
        "Critics say the board ignored smaller traders for years. "
        "Tolls will rise by ten percent. "
        "Officials were expected to meet on Friday, it was reported.")
RAW = f"{TITLE}\n  {BODY}\n"
BASE = len(TITLE) + 3


def _at(phrase: str) -> tuple[int, int]:
    start = RAW.index(phrase)
    return start, start + len(phrase)


def _t(tid: str, role: str, phrase: str) -> str:
    a, b = _at(phrase)
    return f"{tid}\t{role} {a} {b}\t{phrase}\n"


ANN = (
    _t("T1", "Source", "The board chair") + _t("T2", "Cue", "said")
    + _t("T3", "Content", "the new tolls would pay for the dredging")
    + "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n"
    + _t("T4", "Source", "Critics") + _t("T5", "Cue", "say")
    + _t("T6", "Content", "the board ignored smaller traders for years")
    + "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6\n"
    # a short content grazing the third sentence: under the share, so still the author's
    + _t("T7", "Cue", "reported") + _t("T8", "Content", "Officials")
    + "E3\tAttribution-no-source:T7 Cue:T7 Content:T8\n"
    + _t("T9", "Cue", "will") + _t("T10", "Content", "ten")
    + "E4\tAttribution-no-source:T9 Cue:T9 Content:T10\n"
)


def _sentences() -> list[tuple[int, int]]:
    """The raw text's sentences: the title line and the four body sentences."""
    out = [(0, len(TITLE))]
    at = BASE
    for sent in BODY.split(". "):
        sent = sent if sent.endswith(".") else sent + "."
        out.append((at, at + len(sent)))
        at += len(sent) + 1
    return out


def _identified(r: GoldRelation) -> bool:
    """Stand-in for the source typing: "Critics" is a vague group, the chair is identified."""
    return bool(r.source) and RAW[r.source[0][0]:r.source[0][1]] != "Critics"


def test_parts_and_units_follow_the_challenge_sets() -> None:
    title, body, base = article_parts(RAW)
    assert (title, body, base) == (TITLE, BODY, BASE)
    # a raw sentence running over the title line is cut at the boundary
    units = voice_units(RAW, [(0, BASE + 10), (BASE + 10, BASE + 20), (len(RAW) - 1, len(RAW))])
    assert [(p, s) for p, s, _ in units] == [
        ("title", Span(0, len(TITLE))), ("body", Span(0, 10)), ("body", Span(10, 20))]
    assert units[1][2] == Span(BASE, BASE + 10)


def test_gold_voice_rule() -> None:
    rels = read_ann(ANN)
    sents = _sentences()
    voices = [gold_voice(RAW, Span(a, b), rels, _identified) for a, b in sents]
    # title: no content; chair: attributed; critics: vague; "ten" grazes: author;
    # the last sentence's content covers under 0.4 of it: still author ("Officials" is 9 word
    # characters of 48); with "to meet on Friday" (14 more) it holds sourceless content: vague
    assert voices == ["author", "attributed", "vague", "author", "author"]
    longer = (*rels, GoldRelation(cue=(), content=(_at("to meet on Friday"),)))
    assert gold_voice(RAW, Span(*sents[4]), longer, _identified) == "vague"


def test_count_voices_against_a_prediction() -> None:
    from framing.models import SentenceAnalysis

    rels = read_ann(ANN)
    body_sents = _sentences()[1:]
    pred = [SentenceAnalysis(0, Span(0, len(TITLE)), TITLE, "question", part="title")]
    predicted_voices = ["attributed", "attributed", "other", "vague"]
    for k, ((a, b), v) in enumerate(zip(body_sents, predicted_voices, strict=True), start=1):
        pred.append(SentenceAnalysis(k, Span(a - BASE, b - BASE), RAW[a:b], v))
    conf: dict[str, dict[str, int]] = {}
    count_voices(RAW, rels, _sentences(), _identified, pred, conf)
    # question and other count as author
    assert conf == {"author": {"author": 2, "vague": 1}, "attributed": {"attributed": 1},
                    "vague": {"attributed": 1}}
    r = summarize_voices(conf)
    assert r["sentences"] == 5 and r["accuracy"] == 0.6
    assert r["per_class_recall"] == {"author": 0.6667, "attributed": 1.0, "vague": 0.0}
    assert r["gold_counts"] == {"author": 3, "attributed": 1, "vague": 1}


@pytest.mark.slow
def test_score_voice_with_the_parse(tmp_path: Path) -> None:
    """End to end on the fixture: the spaCy parse types the sources, the pipeline analyses."""
    from framing.evaluation.polnear import analyse_split, parse_docs, score_voice

    docs = [PolnearDoc("gazette_2016-01-01_tolls", RAW, read_ann(ANN), "aaaa")]
    r = score_voice(docs, parse_docs(docs), analyse_split(docs))
    assert r["gold_counts"] == {"author": 3, "attributed": 1, "vague": 1}
    assert r["sentences"] == 5 and 0.0 <= r["accuracy"] <= 1.0
