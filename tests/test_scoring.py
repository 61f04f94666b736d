"""Scoring: per-article features from hand-built analyses, with exact expected values."""

from __future__ import annotations

import math

import pytest

from framing.models import (
    AnalyzedArticle,
    Article,
    Attribution,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)
from framing.scoring import FEATURES, score_article


def _article() -> AnalyzedArticle:
    text = ("The cowardly attack shocked the city. Police said two men were held. "
            "Some experts argue the group is weak. Was it planned?")
    police = Source("Police", "official", Span(38, 44))
    experts = Source("Some experts", "vague", Span(70, 82))
    said = Attribution("reported", Span(50, 69), police, Span(45, 49), "say", "neutral")
    argue = Attribution("reported", Span(88, 107), experts, Span(82, 87), "argue", "evaluative")
    s0 = SentenceAnalysis(0, Span(0, 37), text[0:37], "author",
                          loaded=(LoadedSpan(Span(4, 12), "cowardly", 0.9, ("evaluative",),
                                             "author"),), n_words=6)
    s1 = SentenceAnalysis(1, Span(38, 69), text[38:69], "attributed", attributions=(said,),
                          n_words=6)
    s2 = SentenceAnalysis(2, Span(70, 107), text[70:107], "vague", attributions=(argue,),
                          loaded=(LoadedSpan(Span(102, 106), "weak", 0.5, ("evaluative",),
                                             "author", "Some experts"),), hedges=(Span(83, 88),),
                          n_words=7)
    s3 = SentenceAnalysis(3, Span(108, 122), text[108:122], "question", n_words=3)
    art = Article("t1", "Outlet", text, event="e")
    return AnalyzedArticle(art, (s0, s1, s2, s3), (), "test")


def test_features_exact() -> None:
    f = score_article(_article()).features
    assert list(f) == list(FEATURES)
    assert f["n_sentences"] == 4
    assert f["n_words"] == 22
    assert f["n_assertions"] == 3
    assert f["author_voice_share"] == pytest.approx(1 / 3)
    assert f["attributed_share"] == pytest.approx(1 / 3)
    assert f["vague_voice_share"] == pytest.approx(1 / 3)
    assert f["evaluative_author_claims"] == 1
    # "weak" paraphrases the experts: the outlet's wording. Words: 14 own, 8 paraphrase, 0 quoted
    assert f["loaded_density_author"] == pytest.approx(200 / 22)
    assert f["loaded_density_paraphrase"] == pytest.approx(100 / 8)
    assert f["loaded_density_quoted"] == 0.0
    assert math.isnan(f["loaded_expected_per100"])
    assert f["loaded_score_mean"] == pytest.approx(0.7)
    assert f["hedging_rate"] == pytest.approx(100 / 22)
    assert f["n_attributions"] == 2
    assert f["vague_source_share"] == pytest.approx(0.5)
    assert f["anonymous_source_share"] == 0
    assert f["evaluative_cue_share"] == pytest.approx(0.5)  # "argue" judges, "say" reports
    assert f["question_count"] == 1
    assert f["sources_official"] == 1 and f["sources_vague"] == 1
    assert math.isnan(f["bias_probability_mean"])


def test_quoted_density_counts_words_inside_direct_quotes() -> None:
    text = 'Guards hit back. "These thugs will pay," Khan said.'
    khan = Source("Khan", "named_person", Span(40, 44))
    quote = Attribution("direct_quote", Span(18, 38), khan, Span(45, 49), "say", "neutral")
    s0 = SentenceAnalysis(0, Span(0, 16), text[0:16], "author", n_words=3,
                          loaded_expected=0.4)
    s1 = SentenceAnalysis(1, Span(17, 50), text[17:50], "attributed", attributions=(quote,),
                          loaded=(LoadedSpan(Span(24, 29), "thugs", 0.8, ("labelling",),
                                             "Khan"),), n_words=6, loaded_expected=1.2)
    art = AnalyzedArticle(Article("q", "O", text), (s0, s1), (), "test")
    f = score_article(art).features
    assert f["loaded_density_quoted"] == pytest.approx(100 / 4)  # These thugs will pay
    assert f["loaded_density_author"] == 0.0
    assert f["loaded_expected_per100"] == pytest.approx(100 * 1.6 / 9)


def test_empty_article_has_zero_rates() -> None:
    art = AnalyzedArticle(Article("e", "O", "x"), (), (), "test")
    f = score_article(art).features
    assert f["author_voice_share"] == 0.0 and f["loaded_density_author"] == 0.0


def test_attribution_spanning_sentences_counted_once() -> None:
    base = _article()
    said = base.sentences[1].attributions[0]
    s1 = base.sentences[1]
    doubled = AnalyzedArticle(base.article, (base.sentences[0], s1,
                                             SentenceAnalysis(2, Span(70, 107), "x", "attributed",
                                                              attributions=(said,))), (), "t")
    assert score_article(doubled).features["n_attributions"] == 1


def test_every_feature_has_a_plain_name() -> None:
    from framing.scoring import FEATURES
    from framing.scoring.names import FEATURE_NAMES, SHARE_FEATURES, feature_name

    assert set(FEATURE_NAMES) == set(FEATURES)
    assert all(name and "_" not in name for name in FEATURE_NAMES.values())
    assert "author_voice_share" in SHARE_FEATURES and "n_words" not in SHARE_FEATURES
    assert feature_name("not_a_feature") == "not_a_feature"
