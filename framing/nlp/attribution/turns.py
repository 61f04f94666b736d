"""Turns: transcript speaker labels, dash sign-offs, quotes nobody was found for, and speakers
named after their quotation.

A capitalised label at the very start of an article's first paragraphs is a dateline
("ISLAMABAD: …"), not a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from framing.models import Attribution, Source, Span
from framing.resources import read_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from framing.nlp.attribution.sources import _SourceResolver

#: "PENCE: Well, look, ..." / "Poll: ..." at the start of a line: a speaker label (1-4 capitalised
#: words, an optional opening quote mark before it).
SPEAKER_LABEL = re.compile(
    r"(?m)^[ \t\u00a0]*[\"“]?[ \t]*([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,3})[ \t]*:[ \t\u00a0]+(?=\S)"
)
#: "…” ― Stephanie Egan": a dash and a name right after a closing quote sign the quote.
DASH_SIGNOFF = re.compile(
    r"[”\"’»]?[ \t\u00a0]*([―—–])[ \t\u00a0]*([A-Z][\w.'’-]*(?:[ \t\u00a0]+[A-Z][\w.'’-]*){0,3})"
    r"(?=[ \t\u00a0]*(?:$|\n|[“\"]))"
)
#: Labels that introduce something other than speech (lower case).
NOT_SPEAKERS = frozenset(read_lines("attribution/not_speakers.txt"))


def _speaker_turns(
    doc: Doc,
    found: list[Attribution],
    quote_spans: Sequence[Span],
    claimed: set[int],
    resolver: _SourceResolver,
) -> None:
    """Transcript speaker labels ("PENCE: …") and dash sign-offs ("“…” ― Name") as attributions.

    A label opens a turn that runs to the end of its line; it is a ``direct_quote`` when the label
    is in capitals (the transcript convention) or the turn opens with a quote mark, otherwise an
    ``according_to`` ("Poll: …"). Turns and quotes that already have an identified source keep it.
    """
    text = resolver.text

    def sourced(span: Span) -> bool:
        # credited already by a cue outside it (a cue inside is speech nested in this turn)
        return any(
            a.content.overlaps(span)
            and a.source.kind != "none"
            and not (a.cue is not None and span.contains(a.cue))
            for a in found
        )

    def source_of(start: int, end: int) -> Source | None:
        toks = doc.char_span(start, end, alignment_mode="expand")
        if toks is None or not len(toks):
            return None
        return resolver.resolve(list(toks), doc)

    labels = list(SPEAKER_LABEL.finditer(text))
    uses = Counter(m.group(1) for m in labels)
    for m in labels:
        name = m.group(1)
        if name.lower().rstrip(".") in NOT_SPEAKERS or len(name) < 2:
            continue
        if name.isupper() and uses[name] == 1 and _opens_first_paragraphs(text, m.start(1)):
            continue  # "ISLAMABAD: Pakistan and Afghanistan traded accusations …" is a dateline
        start = m.end()
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        content = _trimmed(text, start, stop)
        if content is None or len(text[content.start : content.end].split()) < 2:
            continue
        if sourced(content):
            continue
        capitals = name.isupper() and len(name) > 2
        # "Sanders: …" in a headline: a surname of someone the article names in full
        surname = resolver.full_name(name, doc) != name
        if not capitals and not surname and not _names_someone(doc, m.start(1), m.end(1)):
            continue  # "Stealth Over Health: …" is a headline, not a speaker
        source = source_of(m.start(1), m.end(1))
        if source is None:
            continue
        if surname:
            source = Source(resolver.full_name(name, doc), "named_person", source.span, None)
        elif capitals:
            # transcript labels name people: "PENCE" -> the "Mike Pence" the article names
            full = resolver.full_name(name.title(), doc)
            source = Source(full, "named_person", source.span, source.role)
        colon = text.index(":", m.end(1))
        verbatim = capitals or text[content.start] in "\"“"
        kind = "direct_quote" if verbatim else "according_to"
        found.append(Attribution(kind, content, source, Span(colon, colon + 1), ":"))
        claimed.update(k for k, q in enumerate(quote_spans) if content.overlaps(q))
    for k, q in enumerate(quote_spans):
        sign = DASH_SIGNOFF.match(text, q.end)
        if sign is None or sourced(q):
            continue
        source = source_of(sign.start(2), sign.end(2))
        if source is None:
            continue
        found.append(
            Attribution("direct_quote", q, source, Span(sign.start(1), sign.end(1)), sign.group(1))
        )
        claimed.add(k)


def _opens_first_paragraphs(text: str, i: int) -> bool:
    """Does ``i`` start the text's first or second paragraph (where a dateline stands)?"""
    before = text[:i].rstrip(" \t\u00a0\"“")
    return (not before or before.endswith("\n\n")) and before.count("\n\n") <= 1


def _names_someone(doc: Doc, start: int, end: int) -> bool:
    """Is most of the text between ``start`` and ``end`` a person, organisation or group name?"""
    named = sum(
        min(end, e.end_char) - max(start, e.start_char)
        for e in doc.ents
        if e.label_ in ("PERSON", "ORG", "NORP", "GPE") and e.start_char < end and start < e.end_char
    )
    return named * 2 >= end - start


def _trimmed(text: str, start: int, stop: int) -> Span | None:
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    while start < stop and text[start].isspace():
        start += 1
    return Span(start, stop) if stop > start else None


def _credit_orphan_quotes(
    found: list[Attribution], quote_spans: Sequence[Span], claimed: set[int], text: str
) -> None:
    """Quotes nobody was found for go to the previous speaker in the same paragraph, if any."""
    for k, q in enumerate(quote_spans):
        if k in claimed or any(a.content.overlaps(q) for a in found):
            continue
        prev = [
            a
            for a in found
            if a.kind in ("direct_quote", "reported")
            and a.content.end <= q.start
            and "\n\n" not in text[a.content.end : q.start]
        ]
        if prev:
            found.append(Attribution("direct_quote", q, prev[-1].source, None, None))
        else:
            # a quote of four words or more is someone's speech even when nobody is named
            found.append(Attribution("direct_quote", q, Source("", "none", None), None, None))


#: Sentences after a quotation within which its speaker may still be named.
MAX_SENTENCES_TO_SPEAKER = 2


def speakers_after(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """Quotations nobody was found for, credited to a speaker named up to two sentences after
    them, in the same or the next paragraph (real news: "“…?”\n\nMayor Brel asked on Monday.").
    A report of the speaker with no content of its own ("X asked on Monday") is that
    quotation's cue and goes; one with its own clause stays a claim of its own."""
    from framing.nlp.attribution.speech import has_clause
    from framing.nlp.attribution.tokens import cue_verb, doc_text

    text = doc_text(doc)
    starts = [s.start_char for s in doc.sents]
    out = list(items)
    for a in [x for x in out if x.kind == "direct_quote" and x.cue is None
              and x.source.kind == "none"]:
        later = sorted((b for b in out if b is not a and b.cue is not None
                        and b.kind in ("reported", "direct_quote")
                        and b.source.kind not in ("none",) and b.cue.start >= a.content.end),
                       key=lambda b: b.cue.start if b.cue is not None else 0)
        if not later:
            continue
        b = later[0]
        assert b.cue is not None
        between = text[a.content.end : b.cue.start]
        boundaries = sum(1 for s in starts if a.content.end < s <= b.cue.start)
        if between.count("\n\n") > 1 or boundaries > MAX_SENTENCES_TO_SPEAKER:
            continue
        verb = cue_verb(doc, b)
        own_claim = b.kind == "direct_quote" or (verb is not None and has_clause(doc, b, verb))
        if own_claim and boundaries > 1:
            continue
        credited = replace(a, source=b.source, cue=b.cue, cue_lemma=b.cue_lemma)
        out = [credited if x is a else x for x in out if own_claim or x is not b]
    return sorted(out, key=lambda x: (x.content.start, x.content.end, x.kind))
