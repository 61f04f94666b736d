"""Judgements that real news needs and invented test articles rarely show.

Every sentence is invented for these tests (fictional names and places) in the style of real
reporting: acts that look like speech ("raised $3 million", "endorsed the governor"), a
quotation whose speaker is never found, and definite descriptions standing for a source the
article named ("the company says", "the candidate said"). Lexicon-only mode (no model).
"""

from __future__ import annotations

import pytest

from framing.models import AnalyzedArticle, Article, SentenceAnalysis
from framing.settings import Settings

pytestmark = pytest.mark.slow


def _analyse(body: str) -> AnalyzedArticle:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article("t", "Test Outlet", body)], Settings(use_model=False))
    return art


def _body(body: str) -> list[SentenceAnalysis]:
    return [s for s in _analyse(body).sentences if s.part == "body"]


# acts in frames PolNeAR's cue rates call actions (framing/resources/attribution/cue_rates.tsv)
@pytest.mark.parametrize("text", [
    "Senator Ilse Varro raised $3 million in the last quarter.",
    "The dockworkers' union endorsed Governor Petra Lund on Tuesday.",
    "Mayor Anton Brel is looking to cut the transit budget next year.",
    "The Halvik campaign gave reporters a tour of its new office.",
])
def test_acts_in_an_action_frame_are_the_author_s(text: str) -> None:
    (s,) = _body(text)
    assert s.voice == "author", [(a.kind, a.cue_lemma) for a in s.attributions]


@pytest.mark.parametrize("text", [
    "Senator Ilse Varro called for an inquiry into the contracts.",
    "Senator Ilse Varro said the contracts were signed in secret.",
    "The union praised Governor Petra Lund for the deal.",  # judges a speech act: still speech
])
def test_speech_in_a_speech_frame_is_attributed(text: str) -> None:
    (s,) = _body(text)
    assert s.voice == "attributed", [(a.kind, a.cue_lemma) for a in s.attributions]


def test_a_quotation_with_no_speaker_found_is_attributed_not_vague() -> None:
    sents = _body(
        "The letter was read out at the meeting.\n\n"
        "\"We will not move. We have lived here for forty years. Nobody asked us.\""
    )
    quoted = [s for s in sents if "forty years" in s.text or "Nobody" in s.text]
    assert quoted and all(s.voice == "attributed" for s in quoted), [
        (s.text, s.voice) for s in sents]


def test_an_explicitly_anonymous_quotation_stays_vague() -> None:
    (s,) = _body("\"They knew for weeks,\" said an official who asked not to be named.")
    assert s.voice == "vague"


@pytest.mark.parametrize(("text", "kind"), [
    ("Brandmoor Foods will close its Harlow plant. The company says it lost money there for "
     "a decade.", "named_org"),
    ("Maria Castellano spoke in Dunmere on Friday. The candidate said the tax would be repealed.",
     "named_person"),
])
def test_a_definite_description_stands_for_the_source_named_before(text: str, kind: str) -> None:
    s = _body(text)[-1]
    kinds = {a.source.kind for a in s.attributions}
    assert s.voice == "attributed" and kind in kinds, [
        (a.kind, a.source.name, a.source.kind) for a in s.attributions]


def test_a_bare_plural_group_stays_vague() -> None:
    (s,) = _body("Analysts say the merger will raise prices.")
    assert s.voice == "vague"


@pytest.mark.parametrize(("title", "voice"), [
    ("Maria Castellano Rips Farm Bill at Dunmere Rally", "attributed"),  # title case hides "Rips"
    ("Governor Lund Goes After Rival Over Transit Cuts", "attributed"),
    ("Senator slams critics of the port deal", "attributed"),
    ("Dock workers end strike after pay deal", "author"),
    ("Flood waters go down after two weeks", "author"),  # "go" without "after" reports nothing
])
def test_headline_speech_verbs(title: str, voice: str) -> None:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article("t", "Test Outlet", "The rally ended at noon.",
                                       title=title)], Settings(use_model=False))
    assert [s.voice for s in art.sentences if s.part == "title"] == [voice]


@pytest.mark.parametrize("text", [
    # a report in a subordinate clause is background: the main clause is the outlet's
    "As Mayor Anton Brel announces that he is ready for a fight, his council is set to cut "
    "the transit budget by a third and close four depots next spring.",
    "The council passed the budget that Mayor Anton Brel announced last week after months of "
    "delays, closing four depots and two night lines across the city.",
    # a refusal credits the source with no claim, whatever is refused
    "Mayor Anton Brel declined to elaborate on the plan.",
    "Governor Petra Lund refused to define what a fair deal would include.",
])
def test_background_reports_and_refusals_are_the_author_s(text: str) -> None:
    (s,) = _body(text)
    assert s.voice == "author", [(a.kind, a.cue_lemma) for a in s.attributions]


def test_a_report_in_the_main_clause_still_speaks_for_the_sentence() -> None:
    (s,) = _body("Mayor Anton Brel announced on Monday that four depots will close, after "
                 "months of delays and two failed votes in the council.")
    assert s.voice == "attributed"


LETTERS = (
    "LETTERS.\n\n"
    "The council has wasted our money for years. I am tired of excuses.\n\n"
    "Maria Castellano.\n\n"
    "Dunmere, Ohio.\n\n"
    "The new depot is a disgrace and the mayor knows it.\n\n"
    "Anton Brel.\n\n"
    "\"Great result for the city. Proud of our crews.\"\n\n"
    "-Governor Petra Lund, writing after the vote."
)


def test_letters_and_sign_offs_are_the_signer_s_words() -> None:
    art = _analyse(LETTERS)
    voice = {s.text: s.voice for s in art.sentences if s.part == "body"}
    for text in ("The council has wasted our money for years.", "I am tired of excuses.",
                 "The new depot is a disgrace and the mayor knows it.", "Proud of our crews.\""):
        assert voice[text] == "attributed", voice
    # the signature and the section label are no assertions of the signer
    assert voice["Maria Castellano."] in ("author", "other")
    assert voice["LETTERS."] in ("author", "other")
    signers = {a.source.name for s in art.sentences for a in s.attributions if a.cue_lemma == "sign"}
    assert {"Maria Castellano", "Anton Brel"} <= signers


def test_one_name_line_alone_signs_nothing() -> None:
    # a single bare name line (a byline, a caption) is no letters page
    art = _analyse("The depot closed on Monday after two years of delays.\n\nMaria Castellano.")
    assert [s.voice for s in art.sentences if s.part == "body"][0] == "author"


def test_a_wire_credit_is_no_signature() -> None:
    art = _analyse("The depot closed on Monday after two years of delays.\n\n- Reuters.")
    assert [s.voice for s in art.sentences if s.part == "body"][0] == "author"


def _loaded_speakers(body: str) -> dict[str, str]:
    return {ls.text.lower(): ls.speaker for s in _analyse(body).sentences for ls in s.loaded}


def test_a_lead_in_with_a_colon_introduces_the_speaker_s_words() -> None:
    art = _analyse("Dr. Anton Brel stated:\n\nThe council's plan is a shameful betrayal of "
                   "the city.\n\nThe council did not reply.")
    voices = [s.voice for s in art.sentences if s.part == "body"]
    assert voices == ["attributed", "attributed", "author"]
    speakers = {ls.text.lower(): ls.speaker for s in art.sentences for ls in s.loaded}
    assert speakers.get("shameful") == "Anton Brel", speakers


def test_words_outside_the_marks_of_the_quoting_sentence_are_the_outlet_s() -> None:
    # "blatantly" describes how the speaker spoke: the outlet chose it
    speakers = _loaded_speakers(
        "\"We will not move,\" Mayor Anton Brel said, blatantly ignoring the court's order.")
    assert speakers.get("blatantly") == "author", speakers


def test_a_quotation_closed_in_a_later_sentence_is_still_the_speaker_s() -> None:
    speakers = _loaded_speakers(
        "\"The council met in secret. Its plan is a shameful betrayal of the city,\" Mayor "
        "Anton Brel said.")
    assert speakers.get("shameful") == "Anton Brel", speakers


def test_single_quotation_marks_in_a_headline_hold_the_source_s_words() -> None:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article(
        "t", "Test Outlet", "The mayor spoke on Monday.",
        title="Mayor Anton Brel Calls Depot Plan A 'Shameful Betrayal'")],
        Settings(use_model=False))
    speakers = {ls.text.lower(): ls.speaker for s in art.sentences for ls in s.loaded}
    assert speakers.get("shameful") not in (None, "author"), speakers


@pytest.mark.parametrize(("text", "kind"), [
    ("Democrats and some Republicans have said the deal is unusual.", "vague"),
    ("Republicans said the plan would fail.", "vague"),  # members of a party, unnamed
    ("The new poll shows that the mayor is ahead by six points.", "media"),
    ("People briefed on the matter said one option was a seat on the board.", "anonymous"),
    ("A source familiar with the talks said the deal was close.", "anonymous"),
    ("Governor Petra Lund's son said she would run again.", "named_person"),
    ("The budget is too small, according to a post from Maria Castellano.", "named_person"),
])
def test_source_kinds_of_real_news(text: str, kind: str) -> None:
    (s,) = _body(text)
    kinds = {a.source.kind for a in s.attributions}
    assert kind in kinds, [(a.kind, a.source.name, a.source.kind) for a in s.attributions]


@pytest.mark.parametrize(("title", "voice"), [
    ("Lund to Farm Union: The Depot Will Stay Open", "attributed"),
    ("Lund: I Will Not Sign the Transit Bill", "attributed"),
    ("UPDATE: Council Passes the Transit Bill", "author"),  # a label, not a speaker
    ("Watch: Council Passes the Transit Bill", "author"),
])
def test_colon_headlines(title: str, voice: str) -> None:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article("t", "Test Outlet", "The vote ended at noon.",
                                       title=title)], Settings(use_model=False))
    assert {s.voice for s in art.sentences if s.part == "title"} == {voice}


def test_a_question_inside_quotation_marks_is_the_speaker_s() -> None:
    sents = _body("\"Who is going to pay for the new depot?\" Mayor Anton Brel asked on Monday.\n\n"
                  "Who will pay for it?")
    voice = {s.text: s.voice for s in sents}
    assert voice["Who will pay for it?"] == "question"
    assert all(v == "attributed" for t, v in voice.items() if "depot" in t or "Brel" in t), voice


def test_a_name_the_parser_hung_elsewhere_still_speaks() -> None:
    # the parser often makes "Anton Brel" an apposition of "plea" and leaves "said" subjectless
    (s,) = _body("As a part of his plea, Anton Brel, 44, said that he had taken the money.")
    assert s.voice == "attributed"
    assert {a.source.kind for a in s.attributions} == {"named_person"}


def test_went_on_to_say_reports_speech() -> None:
    (s,) = _body("Mr. Anton Brel went on to say that such deals were common in the past.")
    assert s.voice == "attributed"


def test_a_formal_charge_in_the_passive_is_no_hedge() -> None:
    # "is accused of" hedges; "was charged in 2014" reports a court's act (PolNeAR: rarely speech)
    (s,) = _body("Anton Brel was charged in Dunmere in 2014 and extradited this year.")
    assert s.voice == "author"
    (s,) = _body("Anton Brel is accused of taking bribes from the depot's builders.")
    assert s.voice == "vague"


def test_a_record_speaks_for_an_office() -> None:
    (s,) = _body("Anton Brel earned $2 million last year, according to tax returns released on "
                 "Friday.")
    assert {a.source.kind for a in s.attributions} == {"official"}


def test_an_organisation_is_not_a_person_for_sharing_a_word_with_one() -> None:
    sents = _body("White House Counsel Anton Brel said the offer was legal. The White House "
                  "said on Friday that no law was broken.")
    assert "named_org" in {a.source.kind for a in sents[-1].attributions}


@pytest.mark.parametrize(("text", "voice"), [
    ("We've learned that the depot will close in March.", "author"),  # the newsroom itself
    ("\"We have learned that the depot will close,\" Governor Petra Lund said.", "attributed"),
    ("In his speech, Governor Anton Brel referenced the floods of 2010.", "author"),  # a topic
    ("Governor Anton Brel discussed the budget with the council.", "author"),
    ("Governor Anton Brel discussed how the budget would be cut.", "attributed"),
])
def test_first_person_and_topic_verbs(text: str, voice: str) -> None:
    (s,) = _body(text)
    assert s.voice == voice, [(a.kind, a.cue_lemma, a.source.name) for a in s.attributions]


@pytest.mark.parametrize(("text", "voice"), [
    # an active cue with no source phrase credits nobody
    ("The mayor's strategy did not appear to pay off in the suburbs.", "author"),
    # an agentless passive speech act is still vague
    ("The port authority has been criticised for closing the depot.", "vague"),
    # a quantifier subject the ranker missed is still the (vague) source
    ("Many in Dunmere now believe the vote was decided in advance.", "vague"),
])
def test_sourceless_cues(text: str, voice: str) -> None:
    (s,) = _body(text)
    assert s.voice == voice, [(a.kind, a.cue_lemma, a.source.name) for a in s.attributions]


def test_a_dash_line_under_prose_is_a_byline() -> None:
    sents = _body("The council met on Monday. The depot will close in March.\n\n- Maria Castellano.")
    assert [s.voice for s in sents][:2] == ["author", "author"]


@pytest.mark.parametrize(("text", "title", "voice"), [
    ("The rally ended.", "Mayor Anton Brel’s Claim That the Depot Is Safe Isn’t True", "author"),
    ("On Saturday, the mayor and his angry remarks loomed large at the debate.", None, "author"),
    ("The mayor stretched the truth on Saturday, when she claimed that the depot was safe.",
     None, "author"),
    ("The campaign has not commented on the reason for canceling the interview, which had "
     "been planned since the summer.", None, "author"),
])
def test_speech_the_outlet_talks_about(text: str, title: str | None, voice: str) -> None:
    from framing.nlp.pipeline import analyze_articles

    (art,) = analyze_articles([Article("t", "Test Outlet", text, title=title)],
                              Settings(use_model=False))
    part = "title" if title else "body"
    assert [s.voice for s in art.sentences if s.part == part][0] == voice


@pytest.mark.parametrize(("text", "voice"), [
    ("Mayor Anton Brel made the suggestion that the depot should close.", "attributed"),
    ("Governor Petra Lund expressed concern that the depot may close.", "attributed"),
    ("Governor Petra Lund gave assurances that the depot would stay open.", "attributed"),
    ("The mayor made a promise to the voters.", "author"),  # no content: an act
])
def test_speech_act_nouns_with_content(text: str, voice: str) -> None:
    (s,) = _body(text)
    assert s.voice == voice, [(a.kind, a.cue_lemma, a.source.name) for a in s.attributions]


@pytest.mark.parametrize(("text", "voice"), [
    ("The mayor would not say whether the depot will close.", "author"),
    ("The council did not disclose what the options were.", "author"),
    ("The council did not disclose the options, but people briefed on the matter said one "
     "was a seat on the board.", "vague"),
    ("\"We will not say more,\" the council said.", "attributed"),
])
def test_a_negated_report_credits_no_claim(text: str, voice: str) -> None:
    (s,) = _body(text)
    assert s.voice == voice, [(a.kind, a.cue_lemma, a.source.name) for a in s.attributions]
