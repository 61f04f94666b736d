"""Loaded language and hedges.

v1 is a lexicon scorer over packaged term lists (``resources/loaded_terms.tsv``); a lexicon alone
is a floor, not a detector (Recasens et al. 2013). The learned detector plugs in through
``apply_model``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from framing.models import AnalyzedArticle, LoadedSpan, SentenceAnalysis, Span
from framing.nlp.attribution.tokens import doc_text
from framing.resources import read_lines, read_table
from framing.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    from spacy.tokens import Doc

    from framing.nlp.bias_model import Heads, SentenceScores
    from framing.nlp.tuned import TunedModel

log = logging.getLogger(__name__)


@cache
def loaded_terms() -> tuple[dict[str, tuple[str, float]], dict[tuple[str, ...], tuple[str, float]]]:
    """Single-word terms and multi-word phrases -> (category, weight)."""
    words: dict[str, tuple[str, float]] = {}
    phrases: dict[tuple[str, ...], tuple[str, float]] = {}
    for row in read_table("loaded_terms.tsv"):
        entry = (row["category"], float(row["weight"]))
        parts = tuple(row["term"].lower().split())
        if len(parts) == 1:
            words[parts[0]] = entry
        else:
            phrases[parts] = entry
    return words, phrases


@cache
def hedge_terms() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """Single-word hedges (Hyland 2005) and multi-word hedge phrases."""
    single = {w for w in read_lines("lexicons/hedges_hyland2005.txt") if " " not in w}
    phrases = [tuple(p.split()) for p in read_lines("lexicons/hedges_hyland2005.txt") if " " in p]
    for p in read_lines("hedge_phrases.txt"):
        parts = tuple(p.lower().split())
        if len(parts) == 1:
            single.add(parts[0])
        else:
            phrases.append(parts)
    # "about", "around" etc. are hedges only for numbers; too noisy as bare words
    single -= {
        "about",
        "around",
        "approximately",
        "roughly",
        "quite",
        "often",
        "usually",
        "generally",
        "mostly",
        "largely",
        "mainly",
        "somewhat",
        "relatively",
        "rather",
    }
    return frozenset(single), tuple(sorted(set(phrases), key=len, reverse=True))


def _match_phrases(
    lowers: Sequence[str], phrases: Sequence[tuple[str, ...]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    out = []
    for i in range(len(lowers)):
        for p in phrases:
            if tuple(lowers[i : i + len(p)]) == p:
                out.append((i, i + len(p), p))
    return out


def find_loaded_lexicon(doc: Doc) -> list[LoadedSpan]:
    """Loaded spans from the packaged lexicon, all charged to the author until voice assigns them."""
    words, phrases = loaded_terms()
    lowers = [t.lower_ for t in doc]
    taken: set[int] = set()
    out: list[LoadedSpan] = []
    for i, j, p in _match_phrases(lowers, sorted(phrases, key=len, reverse=True)):
        if any(k in taken for k in range(i, j)):
            continue
        cat, weight = phrases[p]
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        out.append(LoadedSpan(Span(start, end), doc_text(doc)[start:end], weight, (cat,), "author"))
        taken.update(range(i, j))
    for tok in doc[:-2]:  # hyphenated compounds the tokenizer splits: "witch-hunt", "so-called"
        hyphen, second = doc[tok.i + 1], doc[tok.i + 2]
        if hyphen.text != "-" or tok.whitespace_ or hyphen.whitespace_ or tok.i in taken:
            continue
        entry = words.get(f"{tok.lower_}-{second.lower_}")
        if entry is not None:
            start, end = tok.idx, second.idx + len(second.text)
            out.append(LoadedSpan(Span(start, end), doc_text(doc)[start:end], entry[1], (entry[0],),
                                  "author"))
            taken.update((tok.i, hyphen.i, second.i))
    for tok in doc:
        if tok.i in taken or tok.is_punct or tok.is_space:
            continue
        entry = words.get(tok.lower_) or words.get(tok.lemma_.lower())
        if entry is None:
            continue
        cat, weight = entry
        if cat == "intensifier" and tok.dep_ not in ("advmod", "amod", "acomp"):
            continue
        start, end = tok.idx, tok.idx + len(tok.text)
        out.append(LoadedSpan(Span(start, end), tok.text, weight, (cat,), "author"))
    out.sort(key=lambda s: (s.span.start, s.span.end))
    return out


def find_hedges(doc: Doc) -> list[Span]:
    """Hedge and evidential markers (certainty, measured apart from loaded language)."""
    single, phrases = hedge_terms()
    lowers = [t.lower_ for t in doc]
    taken: set[int] = set()
    out: list[Span] = []
    for i, j, _ in _match_phrases(lowers, phrases):
        if any(k in taken for k in range(i, j)):
            continue
        out.append(Span(doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), "hedge"))
        taken.update(range(i, j))
    for tok in doc:
        if tok.i not in taken and tok.lower_ in single:
            out.append(Span(tok.idx, tok.idx + len(tok.text), "hedge"))
    out.sort(key=lambda s: (s.start, s.end))
    return out


LOADED_MODELS: tuple[str, ...] = ("tuned", "heads", "static")


def _chosen(settings: Settings) -> Heads | TunedModel | None:
    """The model ``settings.loaded_model`` names, when it is installed."""
    if settings.loaded_model not in LOADED_MODELS:
        raise ValueError(f"unknown loaded_model {settings.loaded_model!r}; choose one of "
                         f"{list(LOADED_MODELS)}")
    if settings.loaded_model == "tuned":
        from framing.nlp.tuned import shipped_tuned

        return shipped_tuned()
    if settings.loaded_model == "static":
        from framing.nlp.static import shipped_static

        return shipped_static()
    from framing.nlp.bias_model import shipped_heads

    return shipped_heads()


def model_info(settings: Settings) -> dict[str, str]:
    """Names of the loaded-language models a run uses (the lexicon alone with ``use_model=False``)."""
    if not settings.use_model:
        return {"loaded_language": "lexicon-v1"}
    model = _chosen(settings)
    if model is None:
        return {"loaded_language": f"lexicon-v1 (no shipped {settings.loaded_model} model)"}
    if not _encoder_matches(model.encoder, settings.encoder):
        return {"loaded_language": f"lexicon-v1 (heads need encoder {model.encoder})"}
    from framing.nlp.static import is_static, static_info

    if is_static(model.encoder):  # no transformer: a table look-up in numpy
        return {"loaded_language": f"lexicon-v1 + {model.version}",
                "loaded_encoder": static_info(model),
                "encoder_backend": "numpy (static embeddings)",
                "bias_model": model.version}
    from framing.nlp.encoder import backend_in_use
    from framing.nlp.tuned import TunedModel

    spec = model.encoder_spec() if isinstance(model, TunedModel) else settings.encoder
    info = {
        "loaded_language": f"lexicon-v1 + {model.version}",
        "loaded_encoder": model.encoder,
        "encoder_backend": backend_in_use(settings.encoder_backend, spec),
        "bias_model": model.version,
    }
    if isinstance(model, TunedModel):
        info["loaded_encoder"] = (f"{model.encoder} + fine-tuned layers "
                                  f"(tuned.npz sha256 {model.spec['npz_sha256'][:12]})")
    return info


def _encoder_matches(trained_on: str, requested: str | None) -> bool:
    from framing.nlp.encoder import DEFAULT_ENCODER
    from framing.nlp.static import is_static

    if is_static(trained_on):  # the static model carries its own vectors: --model is not used
        return True
    return (requested or DEFAULT_ENCODER) == trained_on


#: A modifier and the noun it modifies, as character offsets: (mod start, mod end, noun start,
#: noun end). "brutal regime", "terror group", "notorious terrorist commander".
ModifierPair = tuple[int, int, int, int]


def modifier_pairs(doc: Doc) -> list[ModifierPair]:
    """Adjective and noun modifiers (``amod``, ``compound``) with the noun they modify."""
    return [
        (t.idx, t.idx + len(t), t.head.idx, t.head.idx + len(t.head))
        for t in doc
        if t.dep_ in ("amod", "compound") and t.head.pos_ in ("NOUN", "PROPN") and t.head.i != t.i
    ]


def widen(start: int, end: int, pairs: Sequence[ModifierPair]) -> tuple[int, int]:
    """A span widened to the modifier-noun pairs it touches (one step, not transitively).

    A charged word is annotated with the phrase it belongs to in PTC ("a *brutal regime*"); the
    word heads mark the charged word. Widening a run to its modifier or head noun gives the phrase.
    """
    s, e = start, end
    for ms, me, hs, he in pairs:
        if (ms < end and start < me) or (hs < end and start < he):
            s, e = min(s, ms, hs), max(e, me, he)
    return s, e


#: Lexicon categories outside what the training corpora annotate: kept in model mode, re-scored.
KEEP_LEXICON_CATEGORIES = frozenset({"epistemic_verb", "intensifier"})
#: Lexicon categories whose strong entries are evidence of their own.
LEXICON_EVIDENCE = frozenset({"labelling", "evaluative"})
#: Share of BABE SG2 words matching a labelling or evaluative lexicon entry of at least this
#: weight that the annotators marked biased (``framing eval density``, "lexicon_precision"):
#: an entry of weight 0.8 or more is loaded 70% of the time, of 0.7 or more 62%, of 0.6 or
#: more 54% (all more likely loaded than not; weaker entries are not evidence on their own).
LEXICON_PRECISION: tuple[tuple[float, float], ...] = ((0.8, 0.704), (0.7, 0.621), (0.6, 0.543))


def lexicon_precision(weight: float) -> float | None:
    """Measured probability that a word of a lexicon entry of ``weight`` is loaded (None below
    the weakest band measured as more likely loaded than not)."""
    return next((p for w, p in LEXICON_PRECISION if weight >= w), None)


def apply_model(
    analyzed: list[AnalyzedArticle], settings: Settings, heads: Heads | TunedModel | None = None,
    pairs: Sequence[Mapping[str, Sequence[ModifierPair]]] | None = None,
    base_vectors: dict[str, np.ndarray] | None = None,
) -> list[AnalyzedArticle]:
    """Sentence bias probabilities and model-scored loaded spans (lexicon-only when disabled).

    Each distinct sentence text is encoded once (batched by length, capped at the encoder's
    ``MAX_LENGTH`` pieces). Model spans are runs of words the loaded or labelling head scores at
    or above its held-out F1 cut; their score is the calibrated probability. Lexicon spans the
    model covers lend it their category; uncovered lexicon spans survive only for categories the
    training data do not annotate (epistemic verbs, intensifiers), with the model's score.
    ``heads`` defaults to the shipped model ``settings.loaded_model`` names (the fine-tuned model,
    the frozen-encoder heads or the static fast model). ``pairs`` (one mapping per article, ``"title"``/``"body"`` to
    :func:`modifier_pairs` in that part's offsets) widen each model span to the phrase it belongs
    to (:func:`widen`); the span keeps the speaker of its scored words. ``base_vectors``, a dict
    to fill, receives the base encoder's embedding of each sentence text when the fine-tuned
    model computes them in its own pass (:func:`framing.nlp.tuned.score_sentences_tuned`).
    """
    if not settings.use_model or not analyzed:
        return analyzed
    heads = heads if heads is not None else _chosen(settings)
    if heads is None:
        log.warning("no shipped %s loaded-language model; lexicon only", settings.loaded_model)
        return analyzed
    if not _encoder_matches(heads.encoder, settings.encoder):
        log.warning("loaded-language heads were trained on %s; lexicon only", heads.encoder)
        return analyzed
    from framing.nlp.bias_model import score_sentences
    from framing.nlp.tuned import TunedModel, score_sentences_tuned

    texts = sorted({s.text for a in analyzed for s in a.sentences})
    floor = settings.loaded_min_probability
    if isinstance(heads, TunedModel):
        scores = score_sentences_tuned(texts, heads, backend=settings.encoder_backend,
                                       floor=floor, cache_dir=settings.cache_dir,
                                       base_vectors=base_vectors)
    else:
        from framing.nlp.static import is_static

        encoder = heads.encoder if is_static(heads.encoder) else settings.encoder
        scores = score_sentences(texts, heads, encoder,
                                 backend=settings.encoder_backend, floor=floor,
                                 cache_dir=settings.cache_dir)
    scored = dict(zip(texts, scores, strict=True))
    if pairs is not None and len(pairs) != len(analyzed):
        raise ValueError(f"{len(pairs)} pair lists for {len(analyzed)} articles")
    out = []
    for k, art in enumerate(analyzed):
        sents = []
        for s in art.sentences:
            res = scored[s.text]
            spans = _merge_spans(s, res, () if pairs is None else pairs[k].get(s.part, ()),
                                 floor)
            sents.append(replace(s, loaded=tuple(spans), bias_probability=res.bias_probability,
                                 loaded_expected=round(float(sum(res.word_scores)), 4)))
        out.append(replace(art, sentences=tuple(sents)))
    return out


@cache
def loaded_speech_verbs() -> frozenset[str]:
    """Speech verbs loaded beyond judging the speech act ("ranted", "whined")."""
    return frozenset(read_lines("loaded_speech_verbs.txt"))


def _on_plain_cue(span: Span, sentence: SentenceAnalysis) -> bool:
    """The span lies on a cue verb that only reports or judges the speech act ("said",
    "claimed", "is accused of"): its stance is measured apart (``evaluative_cue_share``)."""
    for a in sentence.attributions:
        if a.cue is not None and a.cue.contains(span):
            return (a.cue_lemma or "").lower() not in loaded_speech_verbs()
    return False


def _merge_spans(
    sentence: SentenceAnalysis, res: SentenceScores, pairs: Sequence[ModifierPair] = (),
    floor: float = 0.0,
) -> list[LoadedSpan]:
    """Model spans (widened to their phrase, with lexicon categories inside them) plus the kept
    lexicon-only spans that reach ``floor``; each charged to whoever chose its words
    (:func:`framing.nlp.voice.charge`). A span on a plain cue verb is left out."""
    from framing.nlp.voice import charge, quoted_regions

    base = sentence.span.start
    quoted = quoted_regions(sentence.text, base)
    out: list[LoadedSpan] = []
    lex = list(sentence.loaded)
    for ms in res.spans:
        words = Span(base + ms.start, base + ms.end)
        if _on_plain_cue(words, sentence):
            continue
        s, e = widen(words.start, words.end, pairs)
        span = Span(max(s, sentence.span.start), min(e, sentence.span.end))
        cats = list(ms.categories)
        for ls in lex:
            if ls.span.overlaps(span):
                cats.extend(c for c in ls.categories if c not in cats)
        who = charge(words, sentence.attributions, quoted)
        if out and out[-1].span.overlaps(span):  # two runs widened into one phrase
            prev = out.pop()
            span = Span(min(prev.span.start, span.start), max(prev.span.end, span.end))
            cats = [*prev.categories, *(c for c in cats if c not in prev.categories)]
            score, who = max((prev.score, (prev.speaker, prev.reported_for)), (ms.score, who))
        else:
            score = ms.score
        out.append(LoadedSpan(span, sentence.text[span.start - base : span.end - base], score,
                              tuple(cats or ["evaluative"]), who[0], who[1]))
    for ls in lex:
        if any(o.span.overlaps(ls.span) for o in out) or _on_plain_cue(ls.span, sentence):
            continue
        scores = [float(p) for (s, e), p in zip(res.words, res.word_scores, strict=True)
                  if base + s < ls.span.end and ls.span.start < base + e]
        score = round(max(scores), 4) if scores else 0.0
        prior = lexicon_precision(ls.score) if set(ls.categories) & LEXICON_EVIDENCE else None
        if prior is not None:
            score = max(score, prior)  # the entry alone is more likely loaded than not
        elif not set(ls.categories) & KEEP_LEXICON_CATEGORIES:
            continue
        if score >= floor:
            out.append(replace(ls, score=score))
    out.sort(key=lambda x: (x.span.start, x.span.end))
    return out
