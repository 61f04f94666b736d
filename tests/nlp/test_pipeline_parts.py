"""Headline and body parsed as one text: nothing found in one part reaches into the other; the
limits that keep one article's analysis bounded (sentence length, quotation marks, time)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator

import pytest

from framing.models import AnalyzedArticle, Article, Attribution, LoadedSpan, Source, Span
from framing.nlp import pipeline
from framing.nlp.pipeline import (
    BudgetExceeded,
    analyze_articles,
    load_nlp,
    parse_text,
    quotes_as_text,
    split_long_sentences,
    time_budget,
)
from framing.settings import Settings

LEXICON = Settings(use_model=False)


def _spans(a: Attribution) -> Iterator[Span]:
    yield a.content
    if a.cue is not None:
        yield a.cue
    if a.source.span is not None:
        yield a.source.span
    if a.parent is not None:
        yield from _spans(a.parent)


def assert_offsets_inside(result: AnalyzedArticle) -> None:
    """Every offset of every sentence lies inside the text its part names."""
    art = result.article
    for s in result.sentences:
        text = (art.title or "") if s.part == "title" else art.text
        spans = [s.span, *s.hedges, *(x.span for x in s.loaded)]
        spans += [sp for a in s.attributions for sp in _spans(a)]
        for sp in spans:
            assert 0 <= sp.start <= sp.end <= len(text), (s.part, sp, len(text))
        assert s.text == text[s.span.start : s.span.end]
        for x in s.loaded:
            assert x.text == text[x.span.start : x.span.end]
    for e in result.entities:
        assert e.text == art.text[e.span.start : e.span.end]


def analyse(article: Article, settings: Settings = LEXICON) -> AnalyzedArticle:
    (result,) = analyze_articles([article], settings)
    assert_offsets_inside(result)
    return result


# --- the headline/body boundary -------------------------------------------------------------


def test_headline_ending_in_said_before_a_body_opening_with_a_quote() -> None:
    # issue 18: "analysis failed: ValueError: invalid span [-12, 27)"
    art = Article(id="a", outlet="b", title="days, said", text='"The terrorists had border,"')
    result = analyse(art)
    body = [s for s in result.sentences if s.part == "body"]
    assert body and body[0].text.startswith("The terrorists")
    for s in body:
        for a in s.attributions:  # the quote's cue ("said") is in the headline: not carried over
            assert a.cue is None and a.source.span is None
    for s in result.sentences:
        if s.part == "title":
            for a in s.attributions:
                assert a.content.end <= len(art.title or "")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Officials said", '"The border is closed," the minister said on Tuesday.'),
        ('"Terrorists crossed', 'the border," police said. Officials denied it.'),
        ("Police say: ", "“Militants attacked the post at dawn,” a spokesman said."),
        ("According to", "sources, the talks collapsed after the army was accused of lying."),
        ("Smith", "reportedly said the regime was brutal, according to aides."),
    ],
)
def test_spans_never_cross_the_headline_body_boundary(title: str, text: str) -> None:
    analyse(Article(id="x", outlet="o", title=title, text=text))


def _part_attr(content: Span, cue: Span | None = None, source: Span | None = None) -> Attribution:
    return Attribution(
        kind="reported",
        content=content,
        source=Source("X", "named_person", source),
        cue=cue,
        cue_lemma=None if cue is None else "say",
        cue_stance=None if cue is None else "neutral",
    )


def test_an_attribution_is_confined_to_the_part_holding_most_of_its_content() -> None:
    art = Article(id="a", outlet="o", title="Ten chars!", text="x" * 40)  # body starts at 12
    crossing = _part_attr(Span(5, 40), cue=Span(0, 4), source=Span(20, 22))
    in_title = _part_attr(Span(0, 9), cue=Span(0, 4), source=Span(5, 9))
    loaded = LoadedSpan(Span(8, 16), "xx", 0.9, ("labelling",), "author")
    attrs, spans, hedges = pipeline._confine(art, [crossing, in_title], [loaded], [Span(7, 13)])
    body_attr, title_attr = attrs
    assert body_attr.content == Span(12, 40)  # most of it is body: clipped to the body
    assert body_attr.cue is None and body_attr.cue_lemma is None  # the cue was in the headline
    assert body_attr.source.span == Span(20, 22)
    assert title_attr == in_title
    assert spans[0].span == Span(12, 16)
    assert hedges == [Span(7, 10)]  # most of it is headline


def test_a_source_in_the_other_part_is_dropped_with_its_name() -> None:
    attr = _part_attr(Span(14, 30), cue=Span(20, 24), source=Span(0, 3))
    placed = pipeline._place_attribution(attr, 12, 52, 12)
    assert placed is not None
    assert placed.content == Span(2, 18) and placed.cue == Span(8, 12)
    assert placed.source == Source("", "none")


def test_an_attribution_with_no_content_in_the_part_is_dropped() -> None:
    attr = _part_attr(Span(0, 5))
    assert pipeline._place_attribution(attr, 12, 52, 12) is None


# --- long sentences ---------------------------------------------------------------------------


def _sentence_lengths(text: str, limit: int) -> list[int]:
    doc = load_nlp(LEXICON.spacy_model, limit)(text)
    return [s.end_char - s.start_char for s in doc.sents]


def test_a_run_on_sentence_is_split_at_the_limit() -> None:
    words = " ".join(["word"] * 3000)  # 14,999 characters, no punctuation
    lengths = _sentence_lengths(words, 2000)
    assert max(lengths) <= 2000 and len(lengths) >= 8


def test_a_long_sentence_is_split_after_clause_punctuation() -> None:
    clause = " ".join(["word"] * 60)  # 299 characters
    text = ", ".join([clause] * 20) + "."
    doc = load_nlp(LEXICON.spacy_model, 2000)(text)
    sents = list(doc.sents)
    assert max(len(s.text) for s in sents) <= 2000
    assert all(s.text.rstrip().endswith((",", ".")) for s in sents)


def test_ordinary_sentences_are_not_split() -> None:
    text = " ".join(f"Officials said the road number {i} was closed." for i in range(300))
    doc = load_nlp(LEXICON.spacy_model, 2000)(text)
    assert all(s.text.strip().endswith(".") for s in doc.sents)


def test_split_long_sentences_leaves_a_single_huge_token_alone() -> None:
    doc = load_nlp(LEXICON.spacy_model, 0)("a" * 5000)
    split_long_sentences(doc, 100)
    assert len(doc) == 1


def test_a_huge_run_on_article_is_analysed_with_offsets_inside() -> None:
    text = " ".join(["militants"] * 5000)
    result = analyse(Article(id="long", outlet="o", title="Headline", text=text))
    body = [s for s in result.sentences if s.part == "body"]
    assert max(len(s.text) for s in body) <= LEXICON.max_sentence_chars


# --- quotation marks ------------------------------------------------------------------------


def test_past_the_quote_limit_quotes_are_read_as_text() -> None:
    text = " ".join(['"The terrorists attacked the border post," the minister said.'] * 30)
    art = Article(id="q", outlet="o", title='"Quoted" headline', text=text)
    few = Settings(use_model=False, max_quote_marks=10)
    assert quotes_as_text(art, few) and not quotes_as_text(art, LEXICON)
    parsed = parse_text(art, few)
    assert len(parsed) == len(parse_text(art)) and '"' not in parsed
    limited = analyse(art, few)
    normal = analyse(art)
    kinds = {a.kind for s in limited.sentences for a in s.attributions}
    assert "direct_quote" not in kinds
    assert "direct_quote" in {a.kind for s in normal.sentences for a in s.attributions}
    assert any('"' in s.text for s in limited.sentences)  # the user's text, quotes and all


# --- the time budget ------------------------------------------------------------------------


def test_time_budget_rejects_an_article_with_its_reason() -> None:
    arts = [Article(id=f"a{i}", outlet="o", text="Officials said the road was closed.")
            for i in range(3)]
    failed: list[tuple[str, str]] = []
    out = analyze_articles(arts, Settings(use_model=False, analysis_time_budget=1e-9),
                           on_error=lambda a, exc: failed.append((a.id, str(exc))))
    assert out == []
    assert failed == [(a.id, "analysis exceeded the time budget of 1e-09 s") for a in arts]
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_time_budget_interrupts_a_stage_that_runs_on_in_the_main_thread() -> None:
    import time

    with pytest.raises(BudgetExceeded, match="time budget of 0.05 s"):
        with time_budget(0.05):
            time.sleep(5)  # no check() call: only the timer can stop it
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_time_budget_in_a_worker_thread_checks_between_stages() -> None:
    import time

    outcome: list[str] = []

    def work() -> None:
        try:
            with time_budget(0.01) as check:
                time.sleep(0.05)
                check()
        except BudgetExceeded as exc:
            outcome.append(str(exc))

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert outcome == ["analysis exceeded the time budget of 0.01 s"]


def test_a_zero_budget_is_no_budget() -> None:
    with time_budget(0) as check:
        check()
    assert analyse(Article(id="z", outlet="o", text="Officials said it."),
                   Settings(use_model=False, analysis_time_budget=0)).sentences


# --- one unparseable text -------------------------------------------------------------------


def test_an_article_the_parser_cannot_take_does_not_end_the_batch() -> None:
    arts = [Article(id=str(i), outlet="o", text=f"Officials said road {i} was closed.")
            for i in range(5)]
    arts[2] = Article(id="bad", outlet="o", title="x\ud800y", text="Officials said \ud800 so.")
    failed: list[str] = []
    out = analyze_articles(arts, Settings(use_model=False, batch_size=2),
                           on_error=lambda a, exc: failed.append(a.id))
    assert [a.article.id for a in out] == ["0", "1", "3", "4"]
    assert failed == ["bad"]
    for a in out:
        assert_offsets_inside(a)


def test_without_on_error_a_parse_failure_propagates() -> None:
    bad = Article(id="bad", outlet="o", title="x\ud800y", text="Officials said so.")
    with pytest.raises(UnicodeEncodeError):
        analyze_articles([bad], LEXICON)


# --- runs without white space ----------------------------------------------------------------


def test_long_runs_are_broken_for_the_tokenizer_without_moving_offsets() -> None:
    from framing.nlp.pipeline import MAX_RUN_CHARS, break_long_runs

    for text in ["plain words", "x" * MAX_RUN_CHARS, "a " + "[" * 5000 + "]" * 5000 + " b"]:
        broken = break_long_runs(text)
        assert len(broken) == len(text)
        assert max(len(w) for w in broken.split()) <= MAX_RUN_CHARS
    assert break_long_runs("plain words") == "plain words"
    text = "{" * 3000 + "militants" + "}" * 3000
    result = analyse(Article(id="n", outlet="o", title="[" * 900, text=text))
    body = [s.text for s in result.sentences if s.part == "body"]
    assert any("militants" in t for t in body)
    assert all(" " not in t for t in body)  # the user's text, not the broken parse


@pytest.mark.slow
def test_parse_cached_reads_back_docs_and_tensors(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The cached parse (PolNeAR's) gives the same tokens, parse and tok2vec tensors."""
    import numpy as np

    from framing.nlp.pipeline import parse_cached

    texts = ["Officials said the bridge was closed.", "Police arrested two men on Monday."]
    model = Settings().spacy_model
    path = tmp_path / "c" / "docs.spacy"
    first = parse_cached(texts, model, path)
    assert path.exists() and path.with_suffix(".tensor.npy").exists()
    nlp = pipeline.load_nlp(model)

    def no_parse(*_: object, **__: object) -> None:
        raise AssertionError("parsed again instead of reading the cache")

    monkeypatch.setattr(type(nlp), "pipe", no_parse)
    again = parse_cached(texts, model, path)
    assert [[(t.text, t.dep_, t.head.i) for t in d] for d in again] == [
        [(t.text, t.dep_, t.head.i) for t in d] for d in first]
    for a, b in zip(again, first, strict=True):
        np.testing.assert_allclose(a.tensor, b.tensor, rtol=0, atol=1e-6)
