"""Per-article features. Every name here is documented in FEATURES and in the README."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from framing.models import (
    SOURCE_KINDS,
    UNIDENTIFIED_SOURCE_KINDS,
    AnalyzedArticle,
    ArticleScores,
    Attribution,
    SentenceAnalysis,
)

#: name -> description. The single catalogue of per-article features (README "Features").
FEATURES: dict[str, str] = {
    "n_sentences": "sentences analysed",
    "n_words": "words (tokens that are not punctuation)",
    "n_assertions": "sentences that assert something (a finite verb; not a question)",
    "author_voice_share": "share of assertions in the outlet's own voice (credited to nobody)",
    "attributed_share": "share of assertions credited to an identified source",
    "vague_voice_share": "share of assertions credited to an anonymous or vague source, a hedge "
    "or an agentless passive",
    "evaluative_author_claims": "author-voice sentences carrying loaded language (unattributed "
    "evaluative claims), per article",
    "loaded_density_author": "loaded spans in the outlet's own wording (its own voice and its "
    "paraphrase of sources) per 100 words outside direct quotes",
    "loaded_density_paraphrase": "loaded spans in the outlet's paraphrase of a source's claim "
    "(reported speech, according to, chains) per 100 paraphrase words",
    "loaded_density_quoted": "loaded spans inside direct quotes (the source's own words) per 100 "
    "quoted words",
    "loaded_expected_per100": "expected loaded words per 100 words: the sum of the model's "
    "calibrated word probabilities, no cut (NaN in lexicon-only mode)",
    "loaded_expected_author_per100": "expected loaded words the outlet chose (its own voice and "
    "its paraphrase of sources) per 100 words outside direct quotes: the model's calibrated word "
    "probabilities, no cut (NaN in lexicon-only mode)",
    "loaded_score_mean": "mean score of loaded spans (0 when none)",
    "hedging_rate": "hedges and evidential markers per 100 words",
    "n_attributions": "attributions (quotes, reported speech, according-to, chains, hedges, "
    "agentless passives)",
    "direct_quote_share": "share of attributions that are direct quotes",
    "vague_source_share": "share of attributions whose source is anonymous, vague or none",
    "anonymous_source_share": "share of attributions whose source is anonymous",
    "chain_count": "attribution chains (a source citing another source)",
    "agentless_passive_count": "agentless passive accusations or claims ('is accused of')",
    "evaluative_cue_share": "share of cue verbs that characterise the speech act "
    "('claimed', 'admitted') rather than report it ('said')",
    "question_count": "sentences that are questions (incl. rhetorical)",
    "bias_probability_mean": "mean sentence bias probability from the learned model "
    "(NaN in lexicon-only mode)",
    **{f"sources_{k}": f"attributions whose source is of type '{k}'" for k in SOURCE_KINDS},
}

ASSERTION_VOICES = ("author", "attributed", "vague")


def _share(num: float, den: float) -> float:
    return num / den if den else 0.0


def _per100(num: float, words: float) -> float:
    return 100.0 * num / words if words else 0.0


_WORD = re.compile(r"\w+")
_CLAIMS = ("direct_quote", "reported", "according_to", "chain")


def wording_words(sentences: Sequence[SentenceAnalysis]) -> tuple[int, int, int]:
    """Words of the outlet's own voice, of its paraphrase of sources, and inside direct quotes."""
    own = para = quoted = 0
    for s in sentences:
        quotes = [a.content for a in s.attributions if a.kind == "direct_quote"]
        claims = [a.content for a in s.attributions if a.kind in _CLAIMS]
        for m in _WORD.finditer(s.text):
            at = s.span.start + m.start()
            if any(c.start <= at < c.end for c in quotes):
                quoted += 1
            elif any(c.start <= at < c.end for c in claims):
                para += 1
            else:
                own += 1
    return own, para, quoted


def unique_attributions(article: AnalyzedArticle) -> list[Attribution]:
    """Each attribution once (a sentence list repeats those spanning several sentences)."""
    seen: dict[tuple[str, int, int, int | None], Attribution] = {}
    for s in article.sentences:
        for a in s.attributions:
            key = (a.kind, a.content.start, a.content.end, a.cue.start if a.cue else None)
            seen.setdefault(key, a)
    return sorted(seen.values(), key=lambda a: (a.content.start, a.content.end, a.kind))


def score_article(article: AnalyzedArticle) -> ArticleScores:
    """The FEATURES of one analysed article."""
    sents = article.sentences
    assertions = [s for s in sents if s.voice in ASSERTION_VOICES]
    author = [s for s in assertions if s.voice == "author"]
    n_words = sum(s.n_words for s in sents)
    loaded = [ls for s in sents for ls in s.loaded]
    own_words, para_words, quoted_words = wording_words(sents)
    author_loaded = [ls for ls in loaded if ls.speaker == "author"]
    para_loaded = [ls for ls in author_loaded if ls.reported_for is not None]
    quoted_loaded = [ls for ls in loaded if ls.speaker != "author"]
    expected = [s.loaded_expected for s in sents if s.loaded_expected is not None]
    author_expected = [s.loaded_expected_author for s in sents
                       if s.loaded_expected_author is not None]
    attrs = unique_attributions(article)
    kinds = [a.source.kind for a in attrs]
    cues = [a for a in attrs if a.cue_lemma and a.kind in ("direct_quote", "reported")]
    stances = [a.cue_stance for a in cues]
    probs = [s.bias_probability for s in sents if s.bias_probability is not None]
    feats: dict[str, float] = {
        "n_sentences": float(len(sents)),
        "n_words": float(n_words),
        "n_assertions": float(len(assertions)),
        "author_voice_share": _share(len(author), len(assertions)),
        "attributed_share": _share(
            sum(s.voice == "attributed" for s in assertions), len(assertions)
        ),
        "vague_voice_share": _share(sum(s.voice == "vague" for s in assertions), len(assertions)),
        "evaluative_author_claims": float(
            sum(1 for s in author if any(ls.speaker == "author" for ls in s.loaded))
        ),
        "loaded_density_author": _per100(len(author_loaded), own_words + para_words),
        "loaded_density_paraphrase": _per100(len(para_loaded), para_words),
        "loaded_density_quoted": _per100(len(quoted_loaded), quoted_words),
        "loaded_expected_per100": _per100(sum(expected), n_words) if expected else float("nan"),
        "loaded_expected_author_per100": _per100(sum(author_expected), own_words + para_words)
        if author_expected else float("nan"),
        "loaded_score_mean": _share(sum(ls.score for ls in loaded), len(loaded)),
        "hedging_rate": _per100(sum(len(s.hedges) for s in sents), n_words),
        "n_attributions": float(len(attrs)),
        "direct_quote_share": _share(sum(a.kind == "direct_quote" for a in attrs), len(attrs)),
        "vague_source_share": _share(
            sum(k in UNIDENTIFIED_SOURCE_KINDS for k in kinds), len(attrs)
        ),
        "anonymous_source_share": _share(sum(k == "anonymous" for k in kinds), len(attrs)),
        "chain_count": float(sum(a.kind == "chain" for a in attrs)),
        "agentless_passive_count": float(sum(a.kind == "agentless_passive" for a in attrs)),
        "evaluative_cue_share": _share(
            sum(st in ("evaluative", "epistemic") for st in stances), len(stances)
        ),
        "question_count": float(sum(s.voice == "question" for s in sents)),
        "bias_probability_mean": (sum(probs) / len(probs)) if probs else float("nan"),
    }
    for k in SOURCE_KINDS:
        feats[f"sources_{k}"] = float(sum(kind == k for kind in kinds))
    missing = set(FEATURES) ^ set(feats)
    if missing:  # the catalogue and the computation must never drift apart
        raise AssertionError(f"FEATURES out of sync: {sorted(missing)}")
    a = article.article
    return ArticleScores(a.id, a.outlet, a.event, a.group, {k: feats[k] for k in FEATURES})


def score_articles(articles: Iterable[AnalyzedArticle]) -> list[ArticleScores]:
    """Score many articles, keeping input order."""
    return [score_article(a) for a in articles]


def feature_names() -> Sequence[str]:
    return list(FEATURES)
