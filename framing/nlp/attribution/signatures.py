"""Signed text and lead-ins: letters pages, social-media round-ups, dash sign-offs, "X stated:".

Real news often prints readers' letters, posts or a quotation with the writer's name on a line
of its own after the text ("… the party itself.\\n\\nJoseph Pitaru.", "“…”\\n\\n-President
Obama, tweeting after the speech."). The text above such a signature is the signer's own words:
a direct quotation without quotation marks, its sentences ``attributed`` and its loaded words
the signer's. A bare name line counts only where the article has two or more of them (a letters
page); a line opening with a dash ("-", "—", "―") counts alone, and only under a quotation:
under prose it is the item's byline. A short paragraph that ends
with a reporting verb and a colon ("Dr. Ward stated:") introduces the next paragraph as the
speaker's words, with or without quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from framing.models import Attribution, Source, Span
from framing.nlp.attribution.sources import MEDIA_WORDS
from framing.nlp.attribution.tokens import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_DASHES = ("-", "—", "―", "–")
_HANDLE = re.compile(r"@\w{2,30}\.?")
#: The cue lemma of a signed block: every word in it is the signer's (``voice.charge``), and the
#: signature line is no assertion of its own.
SIGN_LEMMA = "sign"
#: Paragraphs of a signed block, at most, above one signature.
MAX_BLOCK_PARAGRAPHS = 3
#: Words of a signature line, at most ("-President Obama, tweeting after Clinton's speech.").
MAX_SIGNATURE_WORDS = 8


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def _label(line: str) -> bool:
    """A section label ("FACEBOOK.", "LETTERS.", "Lawbreaker?"): a heading, not signed text."""
    words = line.strip().rstrip(".:?!").split()
    return 0 < len(words) <= 3 and (line.strip().isupper() or line.strip().endswith("?"))


def _signer(doc: Doc, start: int, end: int) -> tuple[Span, str, bool] | None:
    """(name span, name, dashed) when the paragraph is a signature line."""
    raw = doc_text(doc)[start:end]
    line = raw.strip()
    lead = start + len(raw) - len(raw.lstrip())
    dashed = line.startswith(_DASHES)
    body = line.lstrip("".join(_DASHES) + " ")
    lead += len(line) - len(body)
    if not body or len(body.split()) > MAX_SIGNATURE_WORDS or body.endswith(("?", "!", ":")):
        return None
    if _HANDLE.fullmatch(body):
        name = body.rstrip(".")
        return Span(lead, lead + len(name)), name, dashed
    span = doc.char_span(lead, start + len(raw.rstrip()), alignment_mode="expand")
    if span is None or any(t.pos_ in ("VERB", "AUX") and t.i < span.start + 2 for t in span):
        return None
    persons = [e for e in span.ents if e.label_ == "PERSON" and e.start - span.start <= 3]
    if not persons and dashed:
        # "-President Obama, …": a run of capitalised names opens a dashed line
        run = []
        for t in span:
            if t.pos_ == "PROPN" and t.text.lstrip("".join(_DASHES))[:1].isupper():
                run.append(t)
            else:
                break
        if len(run) >= 2 and not any(t.lower_.strip("".join(_DASHES)) in MEDIA_WORDS
                                     for t in run):  # "- Reuters.": a wire credit
            first = run[0].idx + len(run[0].text) - len(run[0].text.lstrip("".join(_DASHES)))
            last = run[-1].idx + len(run[-1].text)
            return Span(first, last), doc_text(doc)[first:last], dashed
    if not persons:
        return None
    person = persons[0]
    if any(t.lower_ in MEDIA_WORDS for t in person):
        return None
    before = doc[span.start : person.start]
    if any(not (t.is_title or t.is_punct) for t in before):
        return None  # "In a speech, Obama …": not a name line
    head = body.split(",")[0]
    if not dashed and (len(head.split()) > 4 or "," in body and len(body.split(",")[1].split()) > 3):
        return None  # a bare line is a name with at most a place: "Ken Kenjo." "Gainesville, Fla."
    return Span(person.start_char, person.end_char), person.text, dashed


def _opens_with_quote(text: str, para: tuple[int, int]) -> bool:
    return text[para[0] : para[1]].lstrip()[:1] in OPEN_MARKS


#: Marks that open a quotation.
OPEN_MARKS = frozenset('"“«‘\'')


def signed_blocks(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """``items`` with a ``direct_quote`` for each block of text a signature line signs.

    Attributions inside a signed block whose source was not found are replaced by the signer;
    a name line signs the paragraphs above it, a handle line ("@name.") the paragraphs below it,
    up to the next signature or section label, at most :data:`MAX_BLOCK_PARAGRAPHS` of them.
    """
    text = doc_text(doc)
    paras = _paragraphs(text)
    found = {k: s for k, (a, b) in enumerate(paras) if k > 0
             for s in [_signer(doc, a, b)] if s is not None}
    handles = {k for k, s in found.items() if s[1].startswith("@") and not s[2]}
    bare = [k for k, s in found.items() if not s[2] and k not in handles]
    # a dash line signs a quotation above it ("“…”\n\n-President Obama, tweeting"); under prose
    # it is the item's byline ("… the party.\n\n- Amber Phillips."), the outlet's own words
    signers = {k: s for k, s in found.items()
               if (s[2] and _opens_with_quote(text, paras[k - 1]))
               or (k in handles and len(handles) >= 2)
               or (k not in handles and not s[2] and len(bare) >= 2)}
    out = list(items)
    for k, (name_span, name, _) in sorted(signers.items()):
        # a handle heads the post below it ("@handle." then the post); a name signs above
        step = 1 if k in handles else -1
        first = last = k
        while 0 <= last + step < len(paras) and abs(last + step - k) <= MAX_BLOCK_PARAGRAPHS:
            a, b = paras[last + step]
            if last + step in found or _label(text[a:b]):
                break
            last += step
        if last == k:
            continue
        first, last = min(k + step, last), max(k + step, last)
        block = Span(paras[first][0], paras[last][1])
        if any(a.cue is not None and block.contains(a.cue)
               and a.source.kind not in ("none",) and a.kind != "hedged"
               and a.content.start <= block.start and a.content.end >= block.end for a in out):
            continue  # the block is already credited as a whole
        out = [a if not (block.contains(a.content) and a.source.kind == "none")
               else replace(a, source=Source(name, "named_person", name_span))
               for a in out]
        sign_cue = Span(paras[k][0], paras[k][1])
        out.append(Attribution("direct_quote", block, Source(name, "named_person", name_span),
                               sign_cue, SIGN_LEMMA))
    return sorted(out, key=lambda a: (a.content.start, a.content.end, a.kind))


#: Words of a lead-in paragraph ("In a statement, the governor's office wrote:"), at most.
MAX_LEAD_IN_WORDS = 15


def lead_ins(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """``items`` with a ``direct_quote`` for each paragraph a lead-in introduces ("X stated:")."""
    from framing.nlp.attribution.cues import cue_lemmas
    from framing.nlp.attribution.quotes import find_quotes
    from framing.nlp.attribution.sources import _SourceResolver, _trim_source_tokens
    from framing.nlp.attribution.tokens import _subject

    text = doc_text(doc)
    paras = _paragraphs(text)
    out = list(items)
    resolver: _SourceResolver | None = None
    for k in range(len(paras) - 1):
        a, b = paras[k]
        line = text[a:b].rstrip()
        if not line.endswith(":") or len(line.split()) > MAX_LEAD_IN_WORDS:
            continue
        span = doc.char_span(a, a + len(line), alignment_mode="expand")
        if span is None:
            continue
        verbs = [t for t in span if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in cue_lemmas()]
        subj = _subject(verbs[-1]) if verbs else None
        if subj is None or subj.pos_ not in ("PROPN", "NOUN", "PRON"):
            continue
        block = Span(paras[k + 1][0], paras[k + 1][1])
        if any(x.kind == "direct_quote" and x.source.kind != "none" and x.content.contains(block)
               for x in out):
            continue
        if resolver is None:
            resolver = _SourceResolver(text, find_quotes(text))
        source = resolver.resolve(_trim_source_tokens(subj), doc)
        verb = verbs[-1]
        out = [x if not (block.contains(x.content) and x.source.kind == "none")
               else replace(x, source=source) for x in out]
        out.append(Attribution("direct_quote", block, source,
                               Span(verb.idx, verb.idx + len(verb.text)), verb.lemma_.lower()))
    return sorted(out, key=lambda x: (x.content.start, x.content.end, x.kind))

