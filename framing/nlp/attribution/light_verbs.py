"""Speech through a speech-act noun: "gave assurances that …", "made the suggestion that …",
"expressed concern that …" report the subject's claim though no reporting verb carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from framing.models import Attribution, Span
from framing.nlp.attribution.tokens import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc
def speech_act_nouns(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """``items`` with a ``reported`` attribution for each light verb that reports speech through
    a speech-act noun with its content ("Both leaders gave assurances that they would work with
    …", "he made the suggestion that …", "Byrne expressed concern that …"): the verb's subject
    said the content."""
    from framing.nlp.attribution.content import _clause_span
    from framing.nlp.attribution.quotes import find_quotes
    from framing.nlp.attribution.sources import _SourceResolver, _trim_source_tokens
    from framing.nlp.attribution.tokens import _subject
    from framing.resources import read_lines

    nouns = frozenset(read_lines("attribution/speech_act_nouns.txt"))
    verbs = frozenset(read_lines("attribution/light_verbs.txt"))
    text = doc_text(doc)
    out = list(items)
    resolver: _SourceResolver | None = None
    for tok in doc:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in verbs:
            continue
        noun = next((c for c in tok.children if c.dep_ in ("dobj", "ccomp")
                     and c.lemma_.lower() in nouns), None)
        clause = None if noun is None else next(
            (c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(
                m.dep_ in ("mark", "aux") and m.lower_ in ("that", "to") for m in c.children)),
            None)
        subj = _subject(tok)
        if noun is None or clause is None or subj is None or subj.pos_ not in (
                "NOUN", "PROPN", "PRON"):
            continue
        cue = Span(tok.idx, noun.idx + len(noun.text))
        if any(a.cue is not None and a.cue.overlaps(cue) for a in out):
            continue
        if resolver is None:
            resolver = _SourceResolver(text, find_quotes(text))
        source = resolver.resolve(_trim_source_tokens(subj), doc)
        out.append(Attribution("reported", _clause_span(clause), source, cue,
                               noun.lemma_.lower()))
    return sorted(out, key=lambda x: (x.content.start, x.content.end, x.kind))
