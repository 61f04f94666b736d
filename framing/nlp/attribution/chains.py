"""Chains the cue finder reads as one relation: "X quoted Y as saying Z".

The outlet X reports; Y is the origin of Z (a chain, after PARC's nested attributions, Pareti
2016). The citing relation keeps X as its source and Y + "as saying Z" as its content; the chain
relation credits Z to Y through "as saying", with the citing relation as its parent. A chain takes
its origin's voice: "quoted an unnamed source as saying" is as strong as the unnamed source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framing.models import Attribution, Source
from framing.nlp.attribution.content import _clause_span
from framing.nlp.attribution.sources import _trim_source_tokens, _words, classify_source
from framing.nlp.attribution.tokens import _span_of, cue_verb

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Verbs of citing that take the origin as object ("quoted X as saying", "cited X as saying").
CITING_LEMMAS = frozenset({"quote", "cite"})
#: Verbs of the "as saying" phrase.
SAYING_LEMMAS = frozenset({"say", "state", "tell", "describe", "call", "warn", "claim"})


def _as_saying(verb: Token) -> Token | None:
    """The "saying" of "quoted X as saying …", on the verb or on its object."""
    heads = [verb] + [c for c in verb.children if c.dep_ == "dobj"]
    for h in heads:
        for prep in h.children:
            if prep.dep_ != "prep" or prep.lower_ != "as":
                continue
            for c in prep.children:
                if c.dep_ in ("pcomp", "pobj") and c.lemma_.lower() in SAYING_LEMMAS:
                    return c
    return None


def _citing_verb(doc: Doc, a: Attribution) -> Token | None:
    verb = cue_verb(doc, a)
    return verb if verb is not None and verb.lemma_.lower() in CITING_LEMMAS else None


def split_quoted_as_saying(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """Each "X quoted Y as saying Z" relation followed by its chain to Y (unless one exists)."""
    out: list[Attribution] = []
    chained = {a.parent.cue for a in items if a.kind == "chain" and a.parent is not None}
    for a in items:
        out.append(a)
        if a.kind != "reported" or a.cue in chained:
            continue
        verb = _citing_verb(doc, a)
        saying = None if verb is None else _as_saying(verb)
        origin = None if verb is None else next(
            (c for c in verb.children if c.dep_ == "dobj"), None)
        if verb is None or saying is None or origin is None:
            continue
        tokens = _trim_source_tokens(origin)
        kind, role = classify_source(tokens, doc)
        as_tok = saying.head
        content_heads = [c for c in saying.children if c.dep_ in ("ccomp", "dobj", "xcomp")]
        if not content_heads:
            continue
        content = _clause_span(content_heads[0])
        cue = _span_of([as_tok, saying])
        out.append(Attribution("chain", content, Source(_words(tokens), kind,
                                                        _span_of(tokens), role),
                               cue, saying.lemma_.lower(), parent=a))
    return out
