"""Headline speech verbs: "Senator Rips Progressivism at Conference", "Governor Goes After Rival".

Headline grammar reports speech with verbs of attack or praise and an object, no clause and no
quotation; the subject said something about the object. Title case often hides the verb from
the tagger ("Rips" tagged a proper noun), so the verb is found by its word form after a subject
of nouns or names, not by its part of speech.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from framing.models import Attribution, Span
from framing.nlp.attribution.quotes import find_quotes
from framing.nlp.attribution.sources import _SourceResolver
from framing.nlp.attribution.tokens import doc_text
from framing.resources import read_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@cache
def headline_speech_verbs() -> dict[str, frozenset[str]]:
    """Headline speech verb lemmas -> the particles or prepositions that must follow ("" none)."""
    out: dict[str, set[str]] = {}
    for line in read_lines("attribution/headline_speech_verbs.txt"):
        verb, _, particle = line.lower().partition(" ")
        out.setdefault(verb, set()).add(particle)
    return {k: frozenset(v) for k, v in out.items()}


def _verb_lemma(tok: Token) -> str:
    """The lemma of a possibly mis-tagged headline verb ("Rips" -> "rip", "Goes" -> "go")."""
    low = tok.lower_
    if tok.pos_ in ("VERB", "AUX"):
        return tok.lemma_.lower()
    for cut in ("es", "s"):
        stem = low[: -len(cut)] if low.endswith(cut) else ""
        if stem in headline_speech_verbs():
            return stem
    return low


def _speech_verb_at(tokens: list[Token], k: int) -> int | None:
    """The index after the headline speech verb starting at ``tokens[k]``, if it is one."""
    particles = headline_speech_verbs().get(_verb_lemma(tokens[k]))
    if particles is None:
        return None
    nxt = tokens[k + 1].lower_ if k + 1 < len(tokens) else ""
    if nxt in particles:
        return k + 2
    return k + 1 if "" in particles else None


def headline_speech(doc: Doc, items: list[Attribution], headline_end: int) -> list[Attribution]:
    """``items`` with a ``reported`` attribution for each headline whose verb reports speech.

    The subject is the run of nouns and names before the verb ("Glenn Beck", "Texas Gov.
    Perry"); the content is the rest of the headline. A headline already holding an attribution
    keeps it.
    """
    if headline_end <= 0:
        return items
    text = doc_text(doc)
    resolver: _SourceResolver | None = None
    out = list(items)
    for sent in doc.sents:
        if sent.start_char >= headline_end:
            break
        span = Span(sent.start_char, sent.end_char)
        if any(a.cue is not None and span.contains(a.cue) for a in items):
            continue
        tokens = [t for t in sent if not t.is_space]
        for k in range(1, len(tokens) - 1):
            after = _speech_verb_at(tokens, k)
            if after is None or after >= len(tokens):
                continue
            subject = tokens[:k]
            while subject and (subject[0].is_punct or subject[0].pos_ == "DET"):
                subject = subject[1:]
            if not subject or not all(t.pos_ in ("PROPN", "NOUN", "ADJ", "PUNCT", "NUM")
                                      or t.is_title for t in subject):
                break  # a verb before: "Here is why X slams Y" is no headline subject
            if resolver is None:
                resolver = _SourceResolver(text, find_quotes(text))
            source = resolver.resolve(subject, doc)
            verb = tokens[k]
            cue = Span(verb.idx, tokens[after - 1].idx + len(tokens[after - 1].text))
            content = Span(tokens[after].idx, sent.end_char)
            out.append(Attribution("reported", content, source, cue, _verb_lemma(verb)))
            break
    return sorted(out, key=lambda a: (a.content.start, a.content.end, a.kind))
