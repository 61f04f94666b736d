"""Headline speech: "Senator Rips Progressivism at Conference", "Governor Goes After Rival",
"Clinton: I Support Statehood", "Clinton to Planned Parenthood: Trump Will Reverse Roe".

Headline grammar reports speech with verbs of attack or praise and an object, no clause and no
quotation; the subject said something about the object. Title case often hides the verb from
the tagger ("Rips" tagged a proper noun), so the verb is found by its word form after a subject
of nouns or names, not by its part of speech.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from framing.models import Attribution, Span
from framing.nlp.attribution.quotes import find_quotes
from framing.nlp.attribution.sources import ORG_WORDS, _SourceResolver
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


#: Section labels that open headlines with a colon ("Exclusive: …", "Analysis: …").
HEADLINE_LABELS = frozenset({
    "exclusive", "breaking", "update", "updated", "watch", "video", "videos", "photos", "photo",
    "analysis", "opinion", "editorial", "poll", "report", "live", "revealed", "factbox",
    "explainer", "timeline", "q&a", "interview", "review", "correction", "commentary", "column",
    "letters", "letter", "obituary", "podcast", "quiz", "recap", "transcript", "world", "news",
})
#: Words of the part before a headline's colon, at most ("Clinton to Planned Parenthood").
MAX_COLON_SPEAKER_WORDS = 6


def headline_colon(doc: Doc, items: list[Attribution], headline_end: int) -> list[Attribution]:
    """``items`` with a ``reported`` attribution for a headline "Name: words" or "Name to
    Audience: words": the name said the words. A label before the colon ("UPDATE:",
    "Revealed:", "Watch:") is no speaker: the part before it must hold a name that is not all
    capitals, and no verb."""
    if headline_end <= 0:
        return items
    text = doc_text(doc)
    colon = text.find(":", 0, headline_end)
    if colon <= 0 or any(a.cue is not None and a.cue.start < headline_end for a in items
                         if a.kind != "hedged"):
        return items
    span = doc.char_span(0, colon, alignment_mode="contract")
    if span is None or not 0 < len([t for t in span if not t.is_punct]) <= MAX_COLON_SPEAKER_WORDS:
        return items
    words = [t for t in span if not t.is_punct]
    if any(t.pos_ in ("VERB", "AUX") and t.lower_ != "to" for t in words):
        return items
    name: list[Token] = []
    for t in words:
        if t.lower_ == "to":
            break
        name.append(t)
    # title case hides names from the tagger ("Lund" a common noun): a capitalised noun that is
    # no section label counts too
    names = [t for t in name if t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "NORP")
             or (t.is_title and t.pos_ == "NOUN" and t.lower_ not in HEADLINE_LABELS)]
    if not names or all(t.is_upper for t in names) or len(names) < len(name) - 1:
        return items
    content_start = colon + 1
    while content_start < headline_end and text[content_start].isspace():
        content_start += 1
    if content_start >= headline_end:
        return items
    resolver = _SourceResolver(text, find_quotes(text))
    source = resolver.resolve(name, doc)
    if source.kind in ("vague", "none"):
        # a capitalised name the tagger took for a common noun ("Lund: …")
        source = replace(source, kind="named_org" if any(t.lower_ in ORG_WORDS for t in name)
                         else "named_person")
    out = [*items, Attribution("reported", Span(content_start, headline_end), source,
                               Span(colon, colon + 1), ":")]
    return sorted(out, key=lambda a: (a.content.start, a.content.end, a.kind))
