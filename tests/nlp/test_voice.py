"""Voice per sentence from the attributions covering it; speakers of loaded spans."""

from __future__ import annotations

import pytest

from framing.models import Attribution, Source, Span
from framing.nlp.voice import charge, sentence_voice, speaker_of

NAMED = Source("Amina Rahimi", "named_person", Span(0, 12))
VAGUE = Source("critics", "vague", Span(0, 7))
NONE = Source("", "none", None)


def _attr(kind: str, content: Span, source: Source, cue: Span | None = None) -> Attribution:
    return Attribution(kind, content, source, cue, None if cue is None else "say")


def test_author_voice_without_attribution() -> None:
    assert sentence_voice(Span(0, 40), "The river rose by two metres overnight.", [], True) == "author"


def test_fragment_is_other() -> None:
    assert sentence_voice(Span(0, 12), "Page 2 of 3", [], False) == "other"


def test_question() -> None:
    text = "Will the bridge hold?"
    a = _attr("reported", Span(0, 21), NAMED, Span(0, 4))
    assert sentence_voice(Span(0, 21), text, [a], True) == "question"
    assert sentence_voice(Span(0, 23), "“Will the bridge hold?”", [], True) == "question"


def test_attributed_when_content_covers_the_sentence() -> None:
    a = _attr("reported", Span(20, 60), NAMED, Span(13, 17))
    assert sentence_voice(Span(0, 60), "x" * 60, [a], True) == "attributed"


def test_cue_in_sentence_credits_it() -> None:
    # "She said so." followed by content in the next sentence: the cue sentence is hers too
    a = _attr("direct_quote", Span(100, 160), NAMED, Span(4, 8))
    assert sentence_voice(Span(0, 12), "x" * 12, [a], True) == "attributed"


def test_small_overlap_keeps_author_voice() -> None:
    a = _attr("reported", Span(0, 10), NAMED, Span(200, 204))
    assert sentence_voice(Span(0, 100), "x" * 100, [a], True) == "author"


@pytest.mark.parametrize(
    ("kind", "source"),
    [("reported", VAGUE), ("hedged", Source("reportedly", "vague")), ("agentless_passive", NONE)],
)
def test_vague_voice(kind: str, source: Source) -> None:
    a = _attr(kind, Span(0, 50), source, Span(10, 14))
    assert sentence_voice(Span(0, 50), "x" * 50, [a], True) == "vague"


def test_chain_with_anonymous_origin_is_vague() -> None:
    outer = _attr("reported", Span(30, 80), Source("the channel", "media", Span(0, 11)), Span(12, 20))
    chain = Attribution(
        "chain", Span(30, 80), Source("security sources", "anonymous", Span(22, 38)), Span(21, 27),
        "cite", parent=outer,
    )
    assert sentence_voice(Span(0, 80), "x" * 80, [outer, chain], True) == "vague"


def test_speaker_is_the_source_only_inside_quotation_marks() -> None:
    outer = _attr("reported", Span(0, 100), NAMED, Span(0, 4))
    inner = _attr("direct_quote", Span(40, 70), Source("Omar Sultani", "named_person"), None)
    # verbatim: inside the quote, the quoted source chose the words
    assert charge(Span(50, 55), [outer, inner]) == ("Omar Sultani", None)
    # paraphrase: the outlet's wording of Amina Rahimi's claim
    assert charge(Span(10, 15), [outer, inner]) == ("author", "Amina Rahimi")
    assert speaker_of(Span(10, 15), [outer, inner]) == "author"
    # a quoted fragment inside reported speech is the source's own wording again
    assert charge(Span(10, 15), [outer], quoted=[Span(8, 20)]) == ("Amina Rahimi", None)
    assert charge(Span(150, 155), [outer, inner]) == ("author", None)
    # hedges and agentless passives carry nobody's claim
    hedge = _attr("hedged", Span(200, 260), Source("reportedly", "vague"), Span(200, 210))
    assert charge(Span(220, 230), [hedge]) == ("author", None)


def test_the_cue_verb_is_the_outlets_word() -> None:
    # "The host complained the visitors were rude": content 20-60, cue "complained" 9-19
    reported = _attr("reported", Span(9, 60), NAMED, Span(9, 19))
    assert charge(Span(9, 19), [reported]) == ("author", None)


def test_chain_paraphrase_is_reported_for_its_origin() -> None:
    outer = _attr("reported", Span(30, 80), Source("the channel", "media", Span(0, 11)), Span(12, 20))
    chain = Attribution("chain", Span(30, 80), Source("security sources", "anonymous"),
                        Span(21, 27), "cite", parent=outer)
    assert charge(Span(40, 45), [outer, chain]) == ("author", "security sources")


def test_speaker_without_a_name_is_labelled_readably() -> None:
    orphan = _attr("direct_quote", Span(0, 40), NONE)
    assert speaker_of(Span(5, 10), [orphan]) == "(unidentified source)"
    unnamed = _attr("reported", Span(0, 40), Source("", "anonymous", Span(50, 66)), Span(45, 49))
    assert charge(Span(5, 10), [unnamed]) == ("author", "(anonymous source)")


@pytest.mark.slow
def test_build_sentences_assigns_voice() -> None:
    from framing.nlp.attribution import extract_attributions
    from framing.nlp.pipeline import load_nlp
    from framing.nlp.voice import build_sentences
    from framing.settings import Settings

    text = (
        "The floods destroyed 300 homes in the valley. "
        "“We have nowhere to go,” said Amina Rahimi. "
        "Some experts say the dams were poorly built. "
        "Was anyone warned?"
    )
    doc = load_nlp(Settings().spacy_model)(text)
    sents = build_sentences(doc, extract_attributions(doc), [], [])
    assert [s.voice for s in sents] == ["author", "attributed", "vague", "question"]


def test_identified_source_wins_over_a_hedge_or_spurious_cue() -> None:
    # "The army said in a statement that the man was reportedly killed": the army stands behind
    # the sentence even though a hedge and a source-less cue ("statement") also cover it.
    said = _attr("reported", Span(20, 80), Source("The army", "named_org", Span(0, 8)),
                 Span(9, 13))
    hedge = _attr("hedged", Span(40, 80), Source("reportedly", "vague", None))
    spurious = _attr("reported", Span(10, 80), NONE, Span(19, 28))
    assert sentence_voice(Span(0, 80), "x" * 80, [spurious, hedge, said], True) == "attributed"
    assert sentence_voice(Span(0, 80), "x" * 80, [spurious, hedge], True) == "vague"


def test_chain_rests_on_its_origin() -> None:
    outer = _attr("reported", Span(30, 90), Source("Radio Delta", "media", Span(0, 11)),
                  Span(12, 20))
    chain = Attribution("chain", Span(30, 90), Source("security sources", "anonymous",
                                                      Span(29, 45)), Span(22, 28), "cite",
                        parent=outer)
    assert sentence_voice(Span(0, 90), "x" * 90, [outer, chain], True) == "vague"
    named_origin = Attribution("chain", Span(30, 90), NAMED, Span(22, 28), "cite", parent=outer)
    assert sentence_voice(Span(0, 90), "x" * 90, [outer, named_origin], True) == "attributed"
