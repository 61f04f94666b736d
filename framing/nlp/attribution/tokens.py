"""Token and span helpers over the dependency parse, shared by every part of attribution."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from framing.models import Attribution, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Dependency labels of a clause's subject.
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


def _span_of(tokens: Sequence[Token]) -> Span:
    opened = any(t.text == "(" for t in tokens)
    toks = [t for t in tokens if not t.is_punct or t.text in "'’" or (opened and t.text == ")")]
    if not toks:
        toks = list(tokens)
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    return Span(start, end)


def _tok_span(tok: Token) -> Span:
    return Span(tok.idx, tok.idx + len(tok.text))


def _subtree_tokens(tok: Token, exclude: Iterable[Token] = ()) -> list[Token]:
    skip: set[int] = set()
    for ex in exclude:
        skip.update(t.i for t in ex.subtree)
    return [t for t in tok.subtree if t.i not in skip]


def _strip_punct(toks: list[Token]) -> list[Token]:
    """Drop punctuation and space at both ends; a bracket closing one opened inside stays."""
    toks = list(toks)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        if toks[-1].text == ")" and sum(t.text == "(" for t in toks) > sum(
            t.text == ")" for t in toks[:-1]
        ):
            break  # "the Inter-Services Public Relations (ISPR)"
        toks.pop()
    while toks and (toks[0].is_punct or toks[0].is_space):
        toks.pop(0)
    return toks


def _phrase_head(tokens: Sequence[Token]) -> Token:
    """The first token of a phrase whose syntactic head lies outside it (the last as fallback)."""
    ids = {t.i for t in tokens}
    return next((t for t in tokens if t.head.i not in ids or t.head.i == t.i), tokens[-1])


def _subject(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ in ("nsubj",):
            return c
    return None


def _agent(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in verb.children)


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per doc: spaCy rebuilds it from every token on each read, which
    made per-sentence and per-span reads cost the square of the article's length."""
    cached = doc.user_data.get("framing_text")
    if cached is None:
        cached = doc.user_data["framing_text"] = doc.text
    return str(cached)


def cue_tokens(doc: Doc, a: Attribution) -> list[Token]:
    """The tokens of an attribution's cue (none without a cue)."""
    if a.cue is None:
        return []
    span = doc.char_span(a.cue.start, a.cue.end, alignment_mode="expand")
    return [] if span is None else list(span)


def cue_verb(doc: Doc, a: Attribution) -> Token | None:
    """The verb heading an attribution's cue ("did not respond to" -> "respond"), or None."""
    span = cue_tokens(doc, a)
    verbs = [t for t in span if t.pos_ in ("VERB", "AUX")]
    if not verbs:
        return None
    ids = {t.i for t in span}
    heads = [t for t in verbs if t.head.i not in ids or t.head.i == t.i]
    return (heads or verbs)[-1]
