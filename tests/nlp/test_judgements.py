"""Voice, source kind and who chose the loaded words, phenomenon by phenomenon.

Every sentence here is invented for these tests (names, places and outlets are fictional) and
follows the challenge-set guideline (``../shared/data/challenge/GUIDELINE.md``): a sentence is
``author`` when the outlet asserts it itself (an actor's action included), ``attributed`` when an
identified source stands behind it, ``vague`` for anonymous or vague sources, hedges and agentless
passive speech acts; a loaded word belongs to the quoted source only inside quotation marks.
The lexicon-only mode is used so that the loaded words are known in advance.
"""

from __future__ import annotations

import pytest

from framing.models import AnalyzedArticle, Article, SentenceAnalysis
from framing.settings import Settings

pytestmark = pytest.mark.slow


def _analyse(body: str, title: str | None = None) -> AnalyzedArticle:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article("t", "Test Outlet", body, title=title)],
                              Settings(use_model=False))
    return art


def _sentence(body: str, title: str | None = None, index: int = -1) -> SentenceAnalysis:
    return [s for s in _analyse(body, title).sentences if s.part == "body"][index]


def _kinds(s: SentenceAnalysis) -> set[str]:
    out = set()
    for a in s.attributions:
        node = a
        while node is not None:
            if node.source.span is not None:
                out.add(node.source.kind)
            node = node.parent
    return out


# A: an actor's action is the outlet's assertion about that actor
@pytest.mark.parametrize("text", [
    "The port authority ignored three safety audits before the collapse.",
    "Farmers blocked the northern highway with tractors on Monday.",
    "The cabinet has been exploiting the crisis for months.",
    "Brandholm Energy did not respond to a request for comment.",
    "The agency has not commented on the leaked memo.",
    "The council released a two-minute video of the meeting on Friday.",
    "A district court ordered the two men held for a week.",
    "The mayor's office did not reply to written questions.",
    "Dock workers blocked the harbour’s main gate for two hours.",  # an apostrophe is no quote
    "The shipping line declined to comment.",
    "The port authority refused to say whether the cranes had been inspected.",
])
def test_actions_are_the_author_s(text: str) -> None:
    s = _sentence(text)
    assert s.voice == "author", [(a.kind, a.cue_lemma) for a in s.attributions]


# C, D: reported speech and according to, with identified sources
@pytest.mark.parametrize(("text", "kind"), [
    ("Health Minister Oren Valby said the clinics would reopen in June.", "named_person"),
    ("According to the Harbour Workers Union, 40 cranes stood idle.", "named_org"),
    ("A police spokesman said the road would stay closed overnight.", "official"),
    ("The head of Tessel General Hospital said six patients were in intensive care.",
     "official"),
])
def test_identified_sources_are_attributed(text: str, kind: str) -> None:
    s = _sentence(text)
    assert s.voice == "attributed"
    assert kind in _kinds(s)


# E: anonymous sources, also by a relative clause or the verb's phrase
@pytest.mark.parametrize("text", [
    "A customs officer who asked not to be named said the crates had been opened twice.",
    "Two engineers who declined to be identified said the pumps had failed in March.",
    "Officials said on condition of anonymity that the talks had stalled.",
    "Sources in the finance ministry say the budget will be cut again.",
])
def test_unnamed_sources_are_anonymous(text: str) -> None:
    s = _sentence(text)
    assert s.voice == "vague"
    assert _kinds(s) == {"anonymous"}


def test_a_later_mention_of_anonymous_officials_stays_anonymous() -> None:
    body = ("Three officials who spoke on condition of anonymity said the convoy left at dawn. "
            "The officials said it carried medical supplies.")
    s = _sentence(body)
    assert s.voice == "vague" and _kinds(s) == {"anonymous"}


# F: vague groups
@pytest.mark.parametrize("text", [
    "Some economists in Tessel believe the currency will fall further.",
    "Critics argue the scheme rewards the largest landowners.",
])
def test_unspecified_groups_are_vague(text: str) -> None:
    s = _sentence(text)
    assert s.voice == "vague" and _kinds(s) == {"vague"}


# G: chains take the voice of their origin; outlets are media
def test_chain_with_an_anonymous_origin_is_vague_and_the_outlet_is_media() -> None:
    text = ("The Harbour Chronicle reported, citing a port official who asked not to be named, "
            "that the ship had been inspected twice.")
    s = _sentence(text)
    assert s.voice == "vague"
    assert _kinds(s) == {"media", "anonymous"}


def test_quoted_as_saying_is_a_chain_to_the_person_quoted() -> None:
    text = "Radio Selden quoted Mira Hask as saying the vote had been fair."
    s = _sentence(text)
    assert s.voice == "attributed"
    chain = [a for a in s.attributions if a.kind == "chain"]
    assert chain and chain[0].source.name == "Mira Hask"
    assert chain[0].source.kind == "named_person"
    assert chain[0].parent is not None and chain[0].parent.source.kind == "media"


def test_a_group_named_after_an_outlet_mention_is_not_an_outlet() -> None:
    body = ("The Coast Channel said the pass was closed. "
            "The militia, also known as the Red Hand, denied blocking it.")
    s = _sentence(body)
    assert "media" not in _kinds(s)


def test_an_outlet_described_once_stays_an_outlet() -> None:
    body = ("Velde Morgen, a regional newspaper, said the mill would close. "
            "Velde Morgen also said 300 jobs would go.")
    s = _sentence(body)
    assert _kinds(s) == {"media"}


def test_a_reporter_introduced_as_such_is_media() -> None:
    body = ("Police detained Channel Nine reporter Ilka Morr on Tuesday. "
            "Last year Morr reported that the contracts had been signed without a tender.")
    s = _sentence(body)
    assert s.voice == "attributed" and _kinds(s) == {"media"}


# H, I: hedges and agentless passive speech acts
@pytest.mark.parametrize("text", [
    "The contract was reportedly signed before the tender closed.",
    "The governor allegedly promised the contractor a second bridge.",
    "The firm is accused of dumping waste in the river.",
    "The council has been criticised for closing the library.",
])
def test_hedges_and_agentless_passives_are_vague(text: str) -> None:
    assert _sentence(text).voice == "vague"


# J: headlines
def test_headline_grammar() -> None:
    art = _analyse("The bridge reopened on Sunday.", title="Dock workers end strike after pay deal")
    assert [s.voice for s in art.sentences if s.part == "title"] == ["author"]
    art = _analyse("The minister spoke on Monday.", title="Minister slams critics of flood plan")
    assert [s.voice for s in art.sentences if s.part == "title"] == ["attributed"]
    art = _analyse("The minister spoke on Monday.", title="Is the flood plan already dead?")
    assert [s.voice for s in art.sentences if s.part == "title"] == ["question"]
    # an action headline, and a passive with its auxiliary dropped
    art = _analyse("The dam burst on Monday.", title="Engineers dodge questions")
    assert [s.voice for s in art.sentences if s.part == "title"] == ["author"]
    art = _analyse("The dam held.", title="Volunteers praised after dam rescue")
    assert [s.voice for s in art.sentences if s.part == "title"] == ["vague"]


# K: datelines are not sentences of their own and not speakers
@pytest.mark.parametrize("opening", [
    "TESSEL (Coast Wire) - ",
    "TESSEL, March 4 (Coast Wire) — ",
    "TESSEL, Velmark, March 4 – ",
    "Tessel, 4 March — ",
])
def test_datelines(opening: str) -> None:
    art = _analyse(opening + "The ferry service resumed on Tuesday after a week of storms.\n\n"
                   "Passengers queued for hours.")
    body = [s for s in art.sentences if s.part == "body"]
    assert len(body) == 2
    assert body[0].text.startswith(opening.strip()[:5]) and body[0].voice == "author"


# L: look-alikes are not attributions
@pytest.mark.parametrize("text", [
    "The rebels, known locally as the Grey Coats, hold the eastern valley.",
    "The fire started in a warehouse called the Long Shed.",
    "The bridge is named after a nineteenth-century ferryman.",
    "The agreement never uses the word \"withdrawal\".",
    "The militia, also known as the Red Hand, controls the pass.",
])
def test_look_alikes_are_the_author_s(text: str) -> None:
    s = _sentence(text)
    assert s.voice == "author", [(a.kind, a.cue_lemma) for a in s.attributions]


# M, N, O: who chose the loaded words (verbatim vs paraphrase vs author)
def test_loaded_words_in_the_outlet_s_own_voice() -> None:
    # ("regime" was the example here; on real news it is loaded in 1 of 16 matches, so the
    # lexicon alone no longer marks it: loaded_terms.tsv)
    s = _sentence("The notorious gang's thugs beat protesters outside the court.")
    assert {ls.text.lower(): (ls.speaker, ls.reported_for) for ls in s.loaded} == {
        "notorious": ("author", None), "thugs": ("author", None)}


def test_loaded_words_inside_a_quote_belong_to_the_source() -> None:
    s = _sentence('"These thugs will answer for it," said Interior Minister Hal Brede.')
    (thugs,) = [ls for ls in s.loaded if ls.text.lower() == "thugs"]
    assert thugs.speaker == "Hal Brede" and thugs.reported_for is None


def test_paraphrase_is_the_outlet_s_wording_reported_for_the_source() -> None:
    s = _sentence("Interior Minister Hal Brede said the attackers were cowardly thugs.")
    charged = {ls.text.lower(): (ls.speaker, ls.reported_for) for ls in s.loaded}
    assert charged["cowardly"] == ("author", "Hal Brede")
    assert charged["thugs"] == ("author", "Hal Brede")


def test_a_quoted_fragment_in_reported_speech_is_the_source_s() -> None:
    s = _sentence('Hal Brede said the attackers were "cowardly" men.')
    (cowardly,) = [ls for ls in s.loaded if ls.text.lower() == "cowardly"]
    assert cowardly.speaker == "Hal Brede"


def test_later_sentences_of_a_multi_sentence_quote_belong_to_the_speaker() -> None:
    body = ('Hal Brede told reporters: "We will find them. These are cowardly thugs."')
    art = _analyse(body)
    charged = {ls.text.lower(): ls.speaker for s in art.sentences for ls in s.loaded}
    assert charged["cowardly"] == "Hal Brede" and charged["thugs"] == "Hal Brede"


def test_a_quote_introduced_with_a_colon_is_the_speaker_s_not_the_audience_s() -> None:
    art = _analyse('Ana Lind told reporters: "We were cheated in broad daylight. It was a fix."')
    body = [s for s in art.sentences if s.part == "body"]
    assert [s.voice for s in body] == ["attributed", "attributed"]
    assert all(a.source.name != "reporters" for s in body for a in s.attributions)
