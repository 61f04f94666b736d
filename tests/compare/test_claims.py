"""Claim alignment on hand-made embeddings (no model needed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from framing.compare.claims import ClaimSentence, align_claims
from framing.models import (
    AnalyzedArticle,
    Article,
    Attribution,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=float)
    return v / np.linalg.norm(v)


def test_claims_are_aligned_and_omissions_listed() -> None:
    sents = [
        ClaimSentence("A", "a1", 0, "title", "Commander killed in Peshawar"),
        ClaimSentence("B", "b1", 0, "title", "Militant commander shot dead in Peshawar"),
        ClaimSentence("A", "a1", 5, "body", "Pakistan sheltered the group for years"),
        ClaimSentence("C", "c1", 7, "body", "The arrests were made on Saturday in raids"),
        ClaimSentence("B", "b1", 6, "body", "Three men were arrested in raids on Saturday"),
        ClaimSentence("C", "c1", 1, "body", "A commander was killed in Peshawar on Wednesday"),
    ]
    emb = np.stack([
        _unit(1, 0.1, 0, 0), _unit(1, 0, 0.1, 0), _unit(0, 0, 0, 1),
        _unit(0, 1, 0, 0.05), _unit(0, 1, 0.05, 0), _unit(1, 0.05, 0.05, 0),
    ])  # fmt: skip
    claims = align_claims(sents, emb, ["A", "B", "C", "D"], threshold=0.8)
    assert len(claims) == 3
    first = claims[0]
    assert first.is_lead and first.outlets == ("A", "B", "C") and first.omitted_by == ("D",)
    assert first.claim_id == 1 and len(first.sentences) == 3
    # non-lead claims: carried by more outlets first
    assert claims[1].outlets == ("B", "C") and not claims[1].is_lead
    assert claims[2].outlets == ("A",) and claims[2].omitted_by == ("B", "C", "D")
    assert claims[2].representative.text == "Pakistan sheltered the group for years"


def test_representative_tie_goes_to_the_first_sentence_whatever_the_noise() -> None:
    # two sentences equally close to their centre: float noise of 1e-7 must not decide
    a = ClaimSentence("Kabul Times", "k1", 4, "body", "The market reopened on Monday")
    b = ClaimSentence("Dawn Daily", "d1", 9, "body", "On Monday the market opened again")
    for noise in (1e-7, -1e-7):
        emb = np.stack([_unit(1, 0.2 + noise, 0), _unit(1, -0.2, 0)])
        for order in ((a, b), (b, a)):
            claims = align_claims(list(order), emb, ["Dawn Daily", "Kabul Times"], threshold=0.8)
            assert len(claims) == 1
            assert claims[0].representative is b  # "Dawn Daily" sorts first


def test_single_sentence_and_empty() -> None:
    one = [ClaimSentence("A", "a", 3, "body", "Only one claim here today")]
    claims = align_claims(one, np.ones((1, 4)) / 2, ["A"])
    assert len(claims) == 1 and claims[0].omitted_by == () and not claims[0].is_lead
    assert align_claims([], np.zeros((0, 4)), ["A"]) == []
    with pytest.raises(ValueError):
        align_claims(one, np.zeros((2, 4)), ["A"])


def test_report_sections_escape_user_text() -> None:
    from framing.compare.contrasts import build_contrasts
    from framing.compare.labels import LabelRow
    from framing.compare.terms import distinctive_terms
    from framing.models import ArticleScores, Comparison, OutletProfile, RunMetadata
    from framing.report.sections import comparison_sections

    evil = "<script>x()</script>"
    scores = [
        ArticleScores(f"{o}{i}", o, "e", None, {"author_voice_share": 0.1 * i})
        for o in (evil, "B") for i in range(3)
    ]  # fmt: skip
    sents = [ClaimSentence(evil, "a", 0, "title", "<b>Claim</b> here today"),
             ClaimSentence("B", "b", 0, "title", "Claim here today too")]  # fmt: skip
    claims = align_claims(sents, np.ones((2, 3)) / np.sqrt(3), [evil, "B"])
    run = RunMetadata("0", "0", {}, {}, "h", 1)
    profiles = (OutletProfile(evil, 3, {}), OutletProfile("B", 3, {}))
    full = Comparison(
        "e", profiles, tuple(scores), run,
        contrasts=tuple(build_contrasts(scores, ["author_voice_share"], 100, 0.95, 1)),
        terms=tuple(distinctive_terms({evil: ["<i>word</i> word"], "B": ["other words"]})),
        labels=(LabelRow("e", "<img>", "armed_group", 2, evil, "<u>x</u>", 2, 1.0, "alias", ()),),
        claims=tuple(claims),
    )  # fmt: skip
    html = "".join(comparison_sections([full]).values())
    assert "<script>" not in html and "<img>" not in html and "<u>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Claim&lt;/b&gt;" in html
    assert "Claims carried by more than one outlet" in html
    one = Comparison("e", profiles[:1], (), run, claims=None, claims_note="no encoder")
    html = "".join(comparison_sections([one]).values())
    assert "no pair to contrast" in html and "no encoder" in html


def test_syndicated_copy_is_not_independent_coverage() -> None:
    sents = [
        ClaimSentence("Wire", "w1", 5, "body", "Two officials said the commander was shot dead"),
        ClaimSentence("Paper", "p9", 5, "body", "Two officials said the commander was shot dead"),
        ClaimSentence("Paper", "p2", 6, "body", "The commander had lived in the city for years"),
        ClaimSentence("Wire", "w1", 7, "body", "The commander lived in the city for two years"),
        ClaimSentence("Daily", "d1", 8, "body", "The commander lived there for two years"),
    ]
    emb = np.stack([_unit(1, 0, 0), _unit(1, 0, 0), _unit(0, 1, 0.05), _unit(0, 1, 0),
                    _unit(0, 1, 0.02)])
    copies = {"p9": frozenset({"w1"})}  # p9 is Paper's reprint of the wire story w1
    claims = align_claims(sents, emb, ["Daily", "Paper", "Wire"], threshold=0.9, copies=copies)
    by_first = {c.representative.text.split()[0]: c for c in claims}
    shot = by_first["Two"]
    # Paper carries the shooting claim only through its copy of the wire story.
    assert shot.outlets == ("Paper", "Wire") and shot.via_copy == ("Paper",)
    assert shot.n_independent == 1
    # Paper's own article p2 carries the second claim: independent coverage.
    lived = by_first["The"]
    assert lived.outlets == ("Daily", "Paper", "Wire") and lived.via_copy == ()
    assert lived.n_independent == 3
    # among non-lead claims, more independent outlets rank first
    assert claims[0] is lived
    # without copies both outlets count
    plain = align_claims(sents, emb, ["Daily", "Paper", "Wire"], threshold=0.9)
    assert all(c.via_copy == () for c in plain)


def test_labels_of_one_actor_are_one_word_before_claims_are_compared() -> None:
    from types import SimpleNamespace

    from framing.compare.claims import label_map, neutralize

    def row(actor: str, kind: str, label: str, n: int, label_kind: str = "name"
            ) -> SimpleNamespace:
        return SimpleNamespace(actor=actor, actor_type=kind, label=label, count=n,
                               kind=label_kind)

    rows = [row("Red Hand", "armed_group", "Red Hand", 5), row("Red Hand", "armed_group",
                                                               "the bandits", 2),
            row("Red Hand", "armed_group", "RH", 1), row("Tessel", "place", "Tessel", 4),
            row("Tessel", "place", "the port city", 1), row("Ilse Rand", "person", "Rand", 3),
            row("Ilse Rand", "person", "the envoy", 2, "description")]
    names = label_map(rows)
    # places, one-name actors and descriptions ("the envoy") are left alone
    assert names == {"the bandits": "Red Hand", "rh": "Red Hand"}
    assert neutralize("The bandits' leader and an RH fighter died; RHINO did not.", names) == (
        "Red Hand' leader and an Red Hand fighter died; RHINO did not.")
    assert neutralize("Nothing to change.", {}) == "Nothing to change."


# ------------------------------------------------------------------ factual core and speakers


def _bow(texts: Sequence[str]) -> np.ndarray:
    """A stand-in encoder: hashed bag of lower-cased words, L2-normalised (no model needed)."""
    import re
    import zlib

    out = np.zeros((len(texts), 512))
    for i, t in enumerate(texts):
        for w in re.findall(r"\w+", t.lower()):
            out[i, zlib.crc32(w.encode()) % 512] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def _article(aid: str, outlet: str, title: str,
             sents: list[tuple[str, dict[str, Any]]]) -> AnalyzedArticle:
    """An analysed article from (sentence text, SentenceAnalysis fields) pairs; offsets in the
    fields (``loaded``, ``attributions``) are relative to the sentence and shifted here."""

    def shift(span: Span | None, by: int) -> Span | None:
        return None if span is None else Span(span.start + by, span.end + by)

    body = " ".join(t for t, _ in sents)
    out = [SentenceAnalysis(0, Span(0, len(title)), title, "author", part="title")]
    at = 0
    for i, (text, f) in enumerate(sents, 1):
        loaded = tuple(LoadedSpan(shift(ls.span, at), ls.text, ls.score, ls.categories,
                                  ls.speaker) for ls in f.get("loaded", ()))
        attrs = tuple(Attribution(a.kind, shift(a.content, at),
                                  Source(a.source.name, a.source.kind, shift(a.source.span, at)),
                                  shift(a.cue, at)) for a in f.get("attributions", ()))
        out.append(SentenceAnalysis(i, Span(at, at + len(text)), text, f.get("voice", "author"),
                                    attrs, loaded))
        at += len(text) + 1
    return AnalyzedArticle(Article(aid, outlet, body, title=title, event="e"), tuple(out), (),
                           "test")


def _said(text: str, name: str, kind: str, content: str, cue: str) -> Attribution:
    def span(part: str) -> Span:
        at = text.index(part)
        return Span(at, at + len(part))

    return Attribution("reported", span(content), Source(name, kind, span(name)), span(cue))


def test_numbers_are_normalised() -> None:
    from framing.compare.claims import normalize_numbers

    assert normalize_numbers("killed eleven workers") == "killed 11 workers"
    assert normalize_numbers("11,000 people and 43,885,310 dollars") == (
        "11000 people and 43885310 dollars")
    assert normalize_numbers("twenty-one guns, ten of 33 seats") == "21 guns, 10 of 33 seats"
    same = {normalize_numbers(t) for t in ("eleven million", "11,000,000", "11 million")}
    assert same == {"11 million"}
    assert normalize_numbers("a one-in-three chance") == "a 1-in-3 chance"
    assert normalize_numbers("no one knows; one of them") == "no one knows; one of them"
    assert normalize_numbers("$1.5 million") == "$1.5 million"


def test_loaded_words_and_frames_are_dropped_so_one_fact_is_one_claim() -> None:
    from framing.compare.claims import claim_sentences, claims_of_event

    loaded_text = "This barbaric atrocity killed eleven workers."
    plain_text = "An explosion at the dam killed 11 workers, police said."
    a = _article("a1", "Alpha", "Dam disaster", [(loaded_text, {"loaded": (
        LoadedSpan(Span(5, 22), "barbaric atrocity", 0.8, ("evaluative",), "author"),)})])
    b = _article("b1", "Beta", "Dam blast", [(plain_text, {"voice": "attributed", "attributions": (
        _said(plain_text, "police", "official", "An explosion at the dam killed 11 workers",
              "said"),)})])
    cores = {s.article_id: s for s in claim_sentences([a, b]) if s.part == "body"}
    assert cores["a1"].core == "This killed 11 workers."
    assert cores["b1"].core == "An explosion at the dam killed 11 workers"
    assert cores["b1"].speaker is None  # "police" identifies nobody: it may join the outlet's voice
    claims = claims_of_event([a, b], _bow, ["Alpha", "Beta"])
    (dam,) = [c for c in claims if len(c.sentences) == 2]
    assert dam.outlets == ("Alpha", "Beta") and dam.omitted_by == ()
    # compared on their text (the previous release), each outlet "omits" the other's
    before = claims_of_event([a, b], _bow, ["Alpha", "Beta"], threshold=0.5,
                             carry_threshold=None, speakers=False, core=False)
    assert all(len(c.outlets) == 1 and c.omitted_by for c in before)


def test_quoted_loaded_words_are_the_speaker_s_and_stay() -> None:
    from framing.compare.claims import core_text

    text = '"This is a felony," Issa said, calling the deal shameful.'
    s = SentenceAnalysis(1, Span(0, len(text)), text, "attributed", loaded=(
        LoadedSpan(Span(11, 18), "felony", 0.7, ("evaluative",), "Issa"),
        LoadedSpan(Span(48, 56), "shameful", 0.8, ("evaluative",), "author")))
    assert core_text(s) == '"This is a felony," Issa said, calling the deal.'


def test_two_different_speakers_are_never_one_claim() -> None:
    from framing.compare.claims import speaker_key

    assert speaker_key("Rep. Anthony D. Weiner") == speaker_key("Mr. Weiner") == "weiner"
    assert speaker_key("The White House") == "white house" != speaker_key("Robert F. Bauer")
    assert speaker_key("the congressman") is None and speaker_key("a White House official") is None
    from framing.compare.claims import speaker_keys

    ministry = [ClaimSentence("A", "a1", i, "body", "x", speaker=name) for i, name in
                enumerate(("the Interior Ministry", "Pakistan's Interior Ministry", "Ann Lee"))]
    keys = speaker_keys(ministry).tolist()
    assert keys[0] == keys[1] != keys[2]
    sents = [
        ClaimSentence("A", "a1", 3, "body", "Mayor Ann Lee said taxes will rise next year",
                      speaker="Ann Lee"),
        ClaimSentence("B", "b1", 4, "body", "Governor Tom Berg said taxes will rise next year",
                      speaker="Tom Berg"),
        ClaimSentence("C", "c1", 5, "body", "Taxes will rise next year, the paper learned"),
        ClaimSentence("B", "b1", 6, "body", "Ms. Lee said taxes would rise next year",
                      speaker="Ms. Lee"),
    ]
    emb = np.stack([_unit(1, 0.02, 0), _unit(1, 0, 0.02), _unit(1, 0.01, 0.01),
                    _unit(1, 0.03, 0)])
    claims = align_claims(sents, emb, ["A", "B", "C"], threshold=0.9)
    by_speaker = {c.speaker: c for c in claims}
    assert set(by_speaker) == {"Ann Lee", "Tom Berg"}  # the mayor's and the governor's claims
    lee = by_speaker["Ann Lee"]
    assert {(s.outlet, s.index) for s in lee.sentences} >= {("A", 3), ("B", 6)}
    assert sents[1] in by_speaker["Tom Berg"].sentences
    assert not {sents[0], sents[3]} & set(by_speaker["Tom Berg"].sentences)
    # the author-voice sentence may join one of them, never both
    assert sum(sents[2] in c.sentences for c in claims) == 1
    # without speakers (the previous release) all four are one claim
    assert len(align_claims(sents, emb, ["A", "B", "C"], threshold=0.9, speakers=False)) == 1


def test_an_outlet_whose_lead_carries_a_claim_does_not_omit_it() -> None:
    sents = [
        ClaimSentence("A", "a1", 1, "body", "The dam exploded on Monday"),
        ClaimSentence("C", "c1", 1, "body", "The dam blew up on Monday"),
        ClaimSentence("B", "b1", 0, "title", "Dam explodes on Monday as the minister resigns"),
        ClaimSentence("B", "b1", 4, "body", "The minister resigned over the dam"),
        ClaimSentence("D", "d1", 2, "body", "The minister quit his post over the dam"),
    ]
    emb = np.stack([_unit(1, 0, 0), _unit(1, 0.05, 0), _unit(0.7, 0.7, 0), _unit(0, 1, 0),
                    _unit(0.05, 1, 0)])
    outlets = ["A", "B", "C", "D"]
    claims = align_claims(sents, emb, outlets, threshold=0.8, carry_threshold=0.65)
    dam = next(c for c in claims if sents[0] in c.sentences)
    assert dam.outlets == ("A", "C")
    assert dam.carried_elsewhere == ("B",) and dam.omitted_by == ("D",)
    # before: B's headline was in no claim of A and C, so B was listed as omitting it
    old = align_claims(sents, emb, outlets, threshold=0.8)
    assert "B" in next(c for c in old if sents[0] in c.sentences).omitted_by


def test_a_clause_of_a_lead_sentence_carries_a_claim() -> None:
    from framing.compare.claims import claims_of_event, lead_clauses

    a = _article("a1", "Alpha", "Dam bursts in the valley", [
        ("The regional governor resigned on Friday.", {}),
        ("He had run the province since 2010 and built the dam.", {})])
    b = _article("b1", "Beta", "Storm season begins early", [
        ("Heavy rain fell across the valley for a third day, and the regional governor "
         "resigned on Friday after weeks of protests over the dam.", {}),
        ("Rivers rose by two metres in places.", {})])
    assert any(c.text.startswith("the regional governor resigned") for c in lead_clauses([b]))
    claims = claims_of_event([a, b], _bow, ["Alpha", "Beta"], threshold=0.6,
                             carry_threshold=0.6)
    resigned = next(c for c in claims if c.sentences[0].text.startswith("The regional governor"))
    assert resigned.outlets == ("Alpha",) and resigned.omitted_by == ()
    assert resigned.carried_elsewhere == ("Beta",)


def test_the_lead_is_the_headline_and_the_first_body_sentences() -> None:
    from framing.compare.claims import claim_sentences, is_lead

    art = _article("a1", "Alpha", "Storm hits. Dam bursts", [
        ("The storm hit the valley on Monday night.", {}),
        ("The dam burst early on Tuesday morning.", {}),
        ("Rivers rose by two metres in some places.", {})])
    # a headline of two sentences: the lead is still both body sentences after it
    title = SentenceAnalysis(1, Span(12, 22), "Dam bursts", "author", part="title")
    body = tuple(SentenceAnalysis(s.index + 1, s.span, s.text, s.voice, part=s.part)
                 for s in art.sentences[1:])
    art2 = AnalyzedArticle(art.article, (art.sentences[0], title, *body), (), "test")
    lead = {s.text: is_lead(s) for s in claim_sentences([art2])}
    assert lead["The storm hit the valley on Monday night."]
    assert lead["The dam burst early on Tuesday morning."]
    assert not lead["Rivers rose by two metres in some places."]


def test_speaker_keys_keep_rows_apart_in_the_component_path_too() -> None:
    from framing.compare.clustering import cluster_by_threshold

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(6, 16))
    x = np.vstack([c + 0.05 * rng.normal(size=(10, 16)) for c in centres])
    keys = rng.integers(-1, 3, size=len(x))
    exact = cluster_by_threshold(x, 0.6, keys=keys, max_exact=10_000)
    split = cluster_by_threshold(x, 0.6, keys=keys, max_exact=len(x) - 1)
    for labels in (exact, split):
        for lab in set(labels.tolist()):
            held = {int(k) for k in keys[labels == lab] if k >= 0}
            assert len(held) <= 1
    # the exact clusters are found in the component path (pieces only when a component is big)
    assert len(set(exact.tolist())) >= 6
