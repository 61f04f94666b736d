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
from typing import TYPE_CHECKING, Any

from framing.models import AnalyzedArticle, LoadedSpan, SentenceAnalysis, Span
from framing.nlp.attribution.tokens import doc_text
from framing.resources import read_lines, read_table
from framing.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    from spacy.tokens import Doc

    from framing.nlp.bias_model import Heads, ScoredSpan, SentenceScores
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


def _lexicon_matches(doc: Doc) -> list[tuple[int, int, str, float]]:
    """Every lexicon match of the parse: (first token, token after the last, category, weight)."""
    words, phrases = loaded_terms()
    lowers = [t.lower_ for t in doc]
    taken: set[int] = set()
    out: list[tuple[int, int, str, float]] = []
    for i, j, p in _match_phrases(lowers, sorted(phrases, key=len, reverse=True)):
        if any(k in taken for k in range(i, j)):
            continue
        out.append((i, j, *phrases[p]))
        taken.update(range(i, j))
    for tok in doc[:-2]:  # hyphenated compounds the tokenizer splits: "witch-hunt", "so-called"
        hyphen, second = doc[tok.i + 1], doc[tok.i + 2]
        if hyphen.text != "-" or tok.whitespace_ or hyphen.whitespace_ or tok.i in taken:
            continue
        entry = words.get(f"{tok.lower_}-{second.lower_}")
        if entry is not None:
            out.append((tok.i, second.i + 1, *entry))
            taken.update((tok.i, hyphen.i, second.i))
    for tok in doc:
        if tok.i in taken or tok.is_punct or tok.is_space:
            continue
        entry = words.get(tok.lower_) or words.get(tok.lemma_.lower())
        if entry is None:
            continue
        if entry[0] == "intensifier" and tok.dep_ not in ("advmod", "amod", "acomp"):
            continue
        out.append((tok.i, tok.i + 1, *entry))
    return out


def find_loaded_lexicon(doc: Doc) -> list[LoadedSpan]:
    """Loaded spans from the packaged lexicon, all charged to the author until voice assigns them.

    Entries below :data:`LEXICON_MIN_WEIGHT` are model features only, and a match on a name or a
    descriptor of a named entity (:func:`name_tokens`) is left out unless it is an epithet.
    """
    names = name_tokens(doc)
    out: list[LoadedSpan] = []
    for i, j, cat, weight in _lexicon_matches(doc):
        if weight < LEXICON_MIN_WEIGHT or any(k in names for k in range(i, j)):
            continue
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        out.append(LoadedSpan(Span(start, end), doc_text(doc)[start:end], weight, (cat,), "author"))
    out.sort(key=lambda s: (s.span.start, s.span.end))
    return out


#: Entity types whose names (and the descriptors of those names) are not loaded wording.
NAME_ENTITY_TYPES = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                               "WORK_OF_ART", "LAW", "LANGUAGE"})
#: Dependencies that join a descriptor to the name it describes, either way round: "poultry
#: magnate Ronald Cameron", "the businessman Donald Trump", "Ana Lind, a retired teacher",
#: "Russian hackers".
_DESCRIBES = frozenset({"appos", "compound", "amod", "nmod"})
#: Dependencies of the words that premodify a descriptor noun ("a *reality television* star").
_PREMODIFIERS = frozenset({"compound", "amod", "nmod", "nummod", "quantmod", "npadvmod"})
#: Lexicon categories whose strong entries are epithets: loaded even when they name someone.
EPITHET_CATEGORIES = frozenset({"labelling", "evaluative"})
#: A labelling or evaluative entry of this weight or more is an epithet: on real news most of its
#: matches are loaded (the weight is that measured share; ``resources/README.md``), so it stays
#: a span even where it describes a named entity ("the brutal dictator Assad").
EPITHET_WEIGHT = 0.5
#: Entries below this weight (loaded in under 30% of their matches on real news) are features
#: of the learned heads only, never spans.
LEXICON_MIN_WEIGHT = 0.3


def _title_case(sent: Any) -> bool:
    """A headline in title case, where the tagger takes ordinary words for proper nouns."""
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.text[:1].isupper() for t in words) >= 0.6 * len(words)


def _premodified(tok: Any) -> set[int]:
    """A descriptor noun and the words that premodify it, recursively."""
    out = {tok.i}
    for c in tok.children:
        if c.i < tok.i and c.dep_ in _PREMODIFIERS:
            out |= _premodified(c)
    return out


@cache
def role_nouns() -> frozenset[str]:
    """Nouns of occupation, office or standing that describe a person ("mogul", "nominee")."""
    return frozenset(read_lines("role_nouns.txt"))


def _role_noun(tok: Any) -> bool:
    roles = role_nouns()
    if tok.pos_ not in ("NOUN", "PROPN"):
        return False
    lower = tok.lower_
    if lower in roles or tok.lemma_.lower() in roles or (lower.endswith("s") and lower[:-1] in roles):
        return True  # the last for plurals a title-case headline leaves unlemmatised ("Scions")
    # "front-runner": the tokenizer splits it into front, -, runner
    doc = tok.doc
    return (tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_
            and f"{doc[tok.i - 2].lower_}-{tok.lower_}" in roles)


def _nominal_premodifiers(tok: Any) -> set[int]:
    """A role noun and the nouns compounded with it ("*reality television* star"), not its
    adjectives, which may judge ("a corrupt politician")."""
    out = {tok.i}
    for c in tok.children:
        if c.i < tok.i and (c.dep_ in ("compound", "nmod") or c.text == "-"):
            out |= _nominal_premodifiers(c)
    return out


def epithet_tokens(doc: Doc) -> set[int]:
    """Tokens of strong labelling or evaluative lexicon entries ("thug", "brutal", "so-called")."""
    out: set[int] = set()
    for i, j, cat, weight in _lexicon_matches(doc):
        if cat in EPITHET_CATEGORIES and weight >= EPITHET_WEIGHT:
            out.update(range(i, j))
    return out


def name_tokens(doc: Doc) -> set[int]:
    """Tokens that name an entity or describe a named one, epithets excepted.

    Names: tokens of a PERSON, ORG, GPE, NORP (…) entity, and proper nouns outside title-case
    headlines. Descriptors: a common noun in apposition to a name or compounded with it, either
    way round ("billionaire businessman Donald Trump", "Ana Lind, a retired teacher"), or a noun
    a nationality or group describes ("Russian hackers"), with its premodifiers; a role noun
    (``role_nouns.txt``: "the real estate mogul") with the nouns compounded with it. What a
    researcher would call loaded there is an epithet (:func:`epithet_tokens`: "the brutal
    dictator Assad"), which stays.
    """
    names: set[int] = set()
    sents = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
    for sent in sents:
        title = _title_case(sent)
        names.update(t.i for t in sent
                     if t.ent_type_ in NAME_ENTITY_TYPES or (t.pos_ == "PROPN" and not title))
    out = set(names)
    for i in names:
        tok = doc[i]
        for c in tok.children:
            # an adjective on the name itself ("embattled Trump") is the writer's, not a title
            if c.dep_ in _DESCRIBES and c.i not in names and c.pos_ in ("NOUN", "PROPN"):
                out |= _premodified(c)
        # the name describes a noun: in apposition to it ("the businessman Donald Trump"), or
        # as a nationality or group ("Russian hackers"); a person's name compounded with a noun
        # ("Trump supporters") is left alone, where a mis-tagged verb too often is the noun
        head = tok.head
        if (head.i != i and head.i not in names and head.pos_ in ("NOUN", "PROPN")
                and (tok.dep_ == "appos" or (tok.dep_ in _DESCRIBES and tok.ent_type_ == "NORP"))):
            out |= _premodified(head)
    for tok in doc:  # a role describes a person even apart from a name ("the mogul")
        if _role_noun(tok):
            out |= _nominal_premodifiers(tok)
            if tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_:
                out.update((tok.i - 2, tok.i - 1))  # "front-" of "front-runner"
    return out - epithet_tokens(doc)


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
        # a hedge verb, adverb, adjective or modal; the same word as a noun ("the suspect",
        # "his claims", "an estimate") names a thing and hedges nothing
        if tok.i not in taken and tok.lower_ in single and tok.pos_ not in NOUN_TAGS:
            out.append(Span(tok.idx, tok.idx + len(tok.text), "hedge"))
    out.sort(key=lambda s: (s.start, s.end))
    return out


#: Parts of speech a single hedge word never hedges as (spaCy's universal POS tags).
NOUN_TAGS = frozenset({"NOUN", "PROPN"})


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
#: noun end). "brutal regime", "terror group", "notorious terrorist commander". A token paired
#: with itself (mod == noun) is a name mark instead: a token of a name or of a descriptor of a
#: named entity (:func:`name_tokens`), which no model span may rest on alone.
ModifierPair = tuple[int, int, int, int]


def modifier_pairs(doc: Doc) -> list[ModifierPair]:
    """Adjective and noun modifiers (``amod``, ``compound``) with the noun they modify, then the
    name marks of the parse (a token paired with itself; :func:`name_tokens`)."""
    pairs = [
        (t.idx, t.idx + len(t), t.head.idx, t.head.idx + len(t.head))
        for t in doc
        if t.dep_ in ("amod", "compound") and t.head.pos_ in ("NOUN", "PROPN") and t.head.i != t.i
    ]
    marks = [(doc[i].idx, doc[i].idx + len(doc[i])) for i in sorted(name_tokens(doc))]
    return pairs + [(s, e, s, e) for s, e in marks]


def is_name_mark(pair: ModifierPair) -> bool:
    """The pair marks a name token (:data:`ModifierPair`), it joins no modifier to a noun."""
    return pair[0] == pair[2] and pair[1] == pair[3]


def widen(start: int, end: int, pairs: Sequence[ModifierPair]) -> tuple[int, int]:
    """A span widened to the modifier-noun pairs it touches (one step, not transitively).

    A charged word is annotated with the phrase it belongs to in PTC ("a *brutal regime*"); the
    word heads mark the charged word. Widening a run to its modifier or head noun gives the phrase.
    Name marks widen nothing.
    """
    s, e = start, end
    for ms, me, hs, he in pairs:
        if ms == hs and me == he:
            continue
        if (ms < end and start < me) or (hs < end and start < he):
            s, e = min(s, ms, hs), max(e, me, he)
    return s, e


#: Lexicon categories outside what the training corpora annotate: kept in model mode, re-scored.
KEEP_LEXICON_CATEGORIES = frozenset({"epistemic_verb", "intensifier"})
#: Lexicon categories whose strong entries are evidence of their own.
LEXICON_EVIDENCE = frozenset({"labelling", "evaluative"})
#: An entry's weight is the measured probability that a match of it is loaded on real news
#: (BABE SG2 biased words and the real-news challenge training set, shrunk toward its category;
#: ``resources/README.md``). From this weight on, a labelling or evaluative entry is more likely
#: loaded than not and is evidence of its own.
LEXICON_EVIDENCE_WEIGHT = 0.5


def lexicon_precision(weight: float) -> float | None:
    """Measured probability that a word of a lexicon entry of ``weight`` is loaded (None below
    :data:`LEXICON_EVIDENCE_WEIGHT`: such an entry is not evidence on its own)."""
    return weight if weight >= LEXICON_EVIDENCE_WEIGHT else None


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
            part_pairs = () if pairs is None else pairs[k].get(s.part, ())
            spans = _merge_spans(s, res, part_pairs, floor)
            sents.append(replace(s, loaded=tuple(spans), bias_probability=res.bias_probability,
                                 loaded_expected=expected_count(s, res, part_pairs),
                                 loaded_expected_author=expected_count(s, res, part_pairs,
                                                                       author_only=True)))
        out.append(replace(art, sentences=tuple(sents)))
    return out


def expected_count(
    sentence: SentenceAnalysis, res: SentenceScores, pairs: Sequence[ModifierPair] = (),
    author_only: bool = False,
) -> float:
    """Expected loaded words of a sentence: the sum of its words' calibrated probabilities, no
    cut, so a cut that trades recall for precision leaves densities built on it unbiased; words
    of names and descriptors (the name marks among ``pairs``) count 0, as they get no span.
    ``author_only``: only the words the outlet chose (:func:`framing.nlp.voice.charge`: outside
    quotation marks, paraphrase included)."""
    from framing.nlp.voice import charge, quoted_regions

    names = [Span(p[0], p[1]) for p in pairs if is_name_mark(p)]
    base = sentence.span.start
    quoted = sentence.quoted or quoted_regions(sentence.text, base)
    total = 0.0
    for (s, e), p in zip(res.words, res.word_scores, strict=True):
        if _on_name(base + s, base + e, names):
            continue
        if author_only and p >= 0.01 and charge(Span(base + s, base + e), sentence.attributions,
                                                 quoted, sentence.span)[0] != "author":
            continue
        total += float(p)
    return round(total, 4)


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


def _has_word(text: str) -> bool:
    """Some word of two letters or more: a lone letter ("f" of a bleeped word) is no span."""
    return any(sum(ch.isalpha() for ch in w) >= 2 for w in text.split())


def _evidence(ls: LoadedSpan) -> float | None:
    """The measured rate of being loaded of a lexicon span strong enough to be evidence."""
    return lexicon_precision(ls.score) if set(ls.categories) & LEXICON_EVIDENCE else None


def _on_name(start: int, end: int, names: Sequence[Span]) -> bool:
    return any(n.overlaps(Span(start, end)) for n in names)


def _off_names(
    ms: ScoredSpan, res: SentenceScores, text: str, base: int, names: Sequence[Span]
) -> ScoredSpan | None:
    """A model run of sentence ``text`` without the name words at its edges (None when only
    stop words are left); a run that loses words takes the highest score of those it keeps."""
    if not names:
        return ms
    inside = [(k, (s, e)) for k, (s, e) in enumerate(res.words) if ms.start <= s and e <= ms.end]
    if not inside:  # no word list (a hand-made score): judge the run as a whole
        return None if _on_name(base + ms.start, base + ms.end, names) else ms
    kept = [(k, w) for k, w in inside if not _on_name(base + w[0], base + w[1], names)]
    if len(kept) == len(inside):
        return ms
    from spacy.lang.en.stop_words import STOP_WORDS

    if all(text[s:e].lower() in STOP_WORDS for _, (s, e) in kept):
        return None  # what is left of "a pile of" without "pile" is "of"
    first, last = kept[0][1], kept[-1][1]
    score = max(res.word_scores[k] for k, _ in kept)
    return replace(ms, start=first[0], end=last[1], score=round(float(score), 4))


def _merge_spans(
    sentence: SentenceAnalysis, res: SentenceScores, pairs: Sequence[ModifierPair] = (),
    floor: float = 0.0,
) -> list[LoadedSpan]:
    """Model spans (widened to their phrase, with lexicon categories inside them) plus the kept
    lexicon-only spans that reach ``floor``; each charged to whoever chose its words
    (:func:`framing.nlp.voice.charge`). A span on a plain cue verb is left out."""
    from framing.nlp.voice import charge, quoted_regions

    base = sentence.span.start
    quoted = sentence.quoted or quoted_regions(sentence.text, base)
    names = [Span(p[0], p[1]) for p in pairs if is_name_mark(p)]
    # a phrase is not widened into a name ("thug" stays "thug", not "thug Ana Lind")
    pairs = [p for p in pairs if not is_name_mark(p)
             and not any(n.overlaps(Span(p[0], p[1])) or n.overlaps(Span(p[2], p[3]))
                         for n in names)]
    out: list[LoadedSpan] = []
    lex = list(sentence.loaded)
    for ms in res.spans:
        trimmed = _off_names(ms, res, sentence.text, base, names)
        if trimmed is None or not _has_word(sentence.text[trimmed.start : trimmed.end]):
            continue
        ms = trimmed
        words = Span(base + ms.start, base + ms.end)
        if _on_plain_cue(words, sentence):
            continue
        s, e = widen(words.start, words.end, pairs)
        span = Span(max(s, sentence.span.start), min(e, sentence.span.end))
        cats = list(ms.categories)
        score = ms.score
        for ls in lex:
            if ls.span.overlaps(span):
                cats.extend(c for c in ls.categories if c not in cats)
                prior = _evidence(ls)
                if prior is not None and ls.span.overlaps(words):
                    score = max(score, prior)  # the entry's own rate of being loaded
        who = charge(words, sentence.attributions, quoted, sentence.span)
        if out and out[-1].span.overlaps(span):  # two runs widened into one phrase
            prev = out.pop()
            span = Span(min(prev.span.start, span.start), max(prev.span.end, span.end))
            cats = [*prev.categories, *(c for c in cats if c not in prev.categories)]
            score, who = max((prev.score, (prev.speaker, prev.reported_for)), (score, who))
        out.append(LoadedSpan(span, sentence.text[span.start - base : span.end - base], score,
                              tuple(cats or ["evaluative"]), who[0], who[1]))
    for ls in lex:
        if any(o.span.overlaps(ls.span) for o in out) or _on_plain_cue(ls.span, sentence):
            continue
        scores = [float(p) for (s, e), p in zip(res.words, res.word_scores, strict=True)
                  if base + s < ls.span.end and ls.span.start < base + e]
        score = round(max(scores), 4) if scores else 0.0
        prior = _evidence(ls)
        if prior is not None:
            score = max(score, prior)  # the entry alone is more likely loaded than not
        elif not set(ls.categories) & KEEP_LEXICON_CATEGORIES:
            continue
        if score >= floor:
            out.append(replace(ls, score=score))
    out.sort(key=lambda x: (x.span.start, x.span.end))
    return out
