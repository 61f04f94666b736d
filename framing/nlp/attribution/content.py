"""Content: the span an attribution credits (complement clause, inverted clause, sentence)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from framing.models import Span
from framing.nlp.attribution.cues import _rival_report, _second_report_of
from framing.nlp.attribution.tokens import SUBJECT_DEPS, _subtree_tokens

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token


def _clause_span(verb: Token, exclude: Iterable[Token] = ()) -> Span:
    toks = _subtree_tokens(verb, exclude)
    toks = [t for t in toks if not t.is_space]
    while toks and toks[-1].is_punct and toks[-1].text not in '”"’)':
        toks.pop()
    while toks and toks[0].is_punct and toks[0].text not in '“"(':
        toks.pop(0)
    if not toks:
        return Span(verb.idx, verb.idx + len(verb.text))
    return Span(min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks))


def _sentence_span(sent: SpacySpan, exclude: Sequence[Token] = ()) -> Span:
    skip = {t.i for ex in exclude for t in ex.subtree}
    toks = [t for t in sent if t.i not in skip and not t.is_space]
    while toks and toks[-1].is_punct:
        toks.pop()
    while toks and toks[0].is_punct:
        toks.pop(0)
    if not toks:
        return Span(sent.start_char, sent.end_char)
    return Span(toks[0].idx, toks[-1].idx + len(toks[-1].text))


def _according_anchor(acc: Token) -> Token:
    """The verb an "according to X" phrase hangs on (``acc`` itself when there is none)."""
    anchor = acc.head if acc.head.i != acc.i else acc
    while anchor.head.i != anchor.i and anchor.pos_ not in ("VERB", "AUX"):
        anchor = anchor.head
    return anchor


def _stolen_subject(acc: Token) -> Token | None:
    """The content's subject when the parser hung it on the source as an apposition.

    "According to officials in the ministry, Rahimullah, who ..., was behind the attacks": the
    parse makes "Rahimullah" an apposition of the source and leaves "was" without a subject. The
    last apposition inside the source is then the subject of the content, not part of the source.
    """
    anchor = _according_anchor(acc)
    if anchor.i == acc.i or anchor.i < acc.i or anchor.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ in SUBJECT_DEPS for c in anchor.children):
        return None
    to = next((c for c in acc.children if c.lower_ == "to"), None)
    obj = None if to is None else next((c for c in to.children if c.dep_ == "pobj"), None)
    if obj is None:
        return None
    appos = [
        t
        for t in obj.subtree
        if t.dep_ == "appos" and t.i < anchor.i and not _under_clause(t, obj)
    ]
    return appos[-1] if appos else None


def _under_clause(tok: Token, top: Token) -> bool:
    """Is ``tok`` inside a relative or other clause that hangs below ``top``?"""
    node = tok
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ in ("relcl", "acl", "advcl", "ccomp"):
            return True
        node = node.head
    return False


def _hull(tokens: Iterable[Token]) -> Span | None:
    toks = [t for t in tokens if not t.is_space]
    # trailing punctuation and a dangling conjunction ("…, yet" when the parser hangs "yet" there)
    while toks and (
        (toks[-1].is_punct and toks[-1].text not in '”"’)') or toks[-1].dep_ == "cc"
    ):
        toks.pop()
    while toks and toks[0].is_punct and toks[0].text not in '“"(':
        toks.pop(0)
    if not toks:
        return None
    return Span(min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks))


def _inverted_advcl(cue: Token) -> bool:
    """An adverbial reporting clause that frames its head: own subject, no mark but "as"."""
    return any(c.dep_ in SUBJECT_DEPS for c in cue.children) and all(
        c.lower_ == "as" for c in cue.children if c.dep_ == "mark"
    )


def _content_tokens(
    cue: Token, group: Sequence[Token], skip: set[int], sent: SpacySpan
) -> list[Token]:
    """Content of a cue from the parse: complement clause, inverted clause, objects, or sentence."""
    group_ids = {t.i for t in group}
    # "A said that X, while B maintains Y": B's clause is B's content, not A's ("A said X and
    # promised Y" keeps Y in A's content: PolNeAR's annotators nest it there)
    rivals = [d for d in cue.subtree if d.i != cue.i and _rival_report(d)]

    def subtree(tok: Token, drop: Iterable[Token] = ()) -> list[Token]:
        dropped = set(skip) | group_ids
        for r in rivals:
            dropped.update(t.i for t in r.subtree)
        for d in drop:
            dropped.update(t.i for t in d.subtree)
        return [t for t in tok.subtree if t.i not in dropped]

    if any(t.lower_ == "according" for t in group):
        acc = next(t for t in group if t.lower_ == "according")
        anchor = _according_anchor(acc)
        toks = subtree(anchor, drop=[acc]) if anchor.i != acc.i else []
        stolen = _stolen_subject(acc)
        if toks and stolen is not None:
            toks = sorted([*toks, *stolen.subtree], key=lambda t: t.i)
        return toks or [t for t in sent if t.i not in skip and t.i not in group_ids]
    comp = [
        c for c in cue.children if c.dep_ in ("ccomp", "parataxis", "csubj") and c.i not in skip
    ]
    if not comp:
        # "said in a statement that Z": the parser often hangs the clause on "statement"
        comp = [
            g
            for p in cue.children
            if p.dep_ == "prep"
            for o in p.children
            if o.dep_ == "pobj"
            for g in o.children
            if g.dep_ in ("acl", "ccomp")
            and g.i not in skip
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in g.children)
        ]
    if not comp:
        # "X said, citing Y, that Z": the parser often hangs the clause on "citing"
        comp = [
            g
            for c in cue.children
            if c.lemma_.lower() == "cite"
            for g in c.children
            if g.dep_ == "ccomp" and g.i not in skip
        ]
    if comp:
        return [t for c in comp for t in subtree(c)]
    before = cue.doc[cue.left_edge.i - 1].text if cue.left_edge.i > 0 else ""
    inverted = (
        cue.dep_ == "parataxis"
        # "…, as the minister warned" is inverted; "…, calling them X" and "…, though some
        # complained about Y" are not (no subject of its own, or a concessive/temporal clause)
        or (cue.dep_ == "advcl" and _inverted_advcl(cue))
        # "…, and she said" is inverted; "X said A and called for B" shares X and has objects
        or (cue.dep_ == "conj" and any(c.dep_ in SUBJECT_DEPS for c in cue.children))
    ) or (
        # "…, he said" hung on the main verb as ccomp (not "X said that the police called Y")
        cue.dep_ == "ccomp" and cue.i > cue.head.i and before in (",", "”", '"', "—", "–")
    )
    if inverted and cue.head.i != cue.i:
        head = cue.head
        if head.pos_ in ("VERB", "AUX") or cue.dep_ == "parataxis":
            toks = subtree(head, drop=[cue])
            if len(toks) >= 3:
                return toks
    objs = [
        c
        for g in group
        for c in g.children
        if c.dep_ in ("dobj", "xcomp", "prep", "attr", "acomp", "oprd", "pobj", "advcl", "dative")
        and c.i not in group_ids
        and c.i not in skip
    ]
    toks = [t for c in objs for t in subtree(c)]
    if len([t for t in toks if not t.is_punct]) >= 2 or (
        toks
        and (cue.dep_ in ("pcomp", "relcl") or _second_report_of(cue, detected=True) is not None)
    ):
        # one word is enough where the sentence would be wrong: "Instead of blaming Pakistan, …",
        # "who requested anonymity", "said A and promised compensation"
        return toks
    return [t for t in sent if t.i not in skip and t.i not in group_ids]
