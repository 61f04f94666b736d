"""Hedges and agentless passives: "reportedly", "is said to", "is accused of", "it is claimed".

One helper for the rules and the learned path: :func:`is_hedge` says whether a token is such a
cue, :func:`hedge_attribution` makes its attribution (the source is vague or nobody).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from framing.models import Attribution, Source, Span
from framing.nlp.attribution.content import _clause_span, _sentence_span
from framing.nlp.attribution.tokens import _agent, _passive
from framing.resources import read_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

#: Adverbs that hedge a claim without naming its source.
HEDGE_ADVERBS = frozenset(read_lines("attribution/hedge_adverbs.txt"))
#: Verbs whose agentless passive accuses ("is accused of", "it is claimed that").
ACCUSATION_LEMMAS = frozenset(read_lines("attribution/accusation_lemmas.txt"))
#: Verbs whose agentless passive hedges ("is said to", "is believed to").
HEDGE_PASSIVE_LEMMAS = frozenset(read_lines("attribution/hedge_passive_lemmas.txt"))
HEDGE_LEMMAS = ACCUSATION_LEMMAS | HEDGE_PASSIVE_LEMMAS


def agentless_passive(tok: Token, lemmas: frozenset[str] = HEDGE_LEMMAS) -> bool:
    """A passive verb of one of ``lemmas`` with no "by" agent ("Pakistan is accused of …")."""
    lemma = tok.lemma_.lower()
    return (
        tok.pos_ in ("VERB", "AUX")
        and _passive(tok)
        and _agent(tok) is None
        and lemma in lemmas
        # "was charged with fraud", "is accused of X", "is believed to": the passive names what
        # is alleged; "was charged in 2014 and extradited" reports a court's act
        and (lemma in HEDGE_PASSIVE_LEMMAS or _has_content(tok))
    )


#: Prepositions that carry what an accusation alleges ("accused of", "charged with").
ALLEGATION_PREPS = frozenset({"of", "with", "for", "over", "to"})


def _has_content(tok: Token) -> bool:
    """An accusing passive says what is alleged: a clause, or "of/with/for/to …"."""
    return any(
        c.dep_ in ("ccomp", "xcomp", "csubjpass", "expl")
        or (c.dep_ == "nsubjpass" and c.lower_ == "it")  # "it is alleged …"
        or (c.dep_ == "prep" and c.lower_ in ALLEGATION_PREPS
            and any(g.dep_ in ("pobj", "pcomp") for g in c.children))
        for c in tok.children)


def is_hedge(tok: Token) -> bool:
    """A hedge adverb, or an agentless passive of a hedging or accusing verb."""
    return tok.lower_ in HEDGE_ADVERBS or agentless_passive(tok)


def hedge_attribution(tok: Token, sent: SpacySpan, cue: Span) -> Attribution | None:
    """The attribution of a hedge cue ``tok`` (one that :func:`is_hedge`), with cue span ``cue``.

    ``hedged`` for "reportedly" and "is said to", ``agentless_passive`` for "is accused of" and
    "it is claimed that"; None for an agentless passive that is neither ("was believed").
    """
    low = tok.lower_
    if low in HEDGE_ADVERBS:
        head = tok.head if tok.head != tok else tok
        content = _clause_span(head) if head.pos_ in ("VERB", "AUX") else _sentence_span(sent)
        return Attribution("hedged", content, Source(tok.text, "vague", None), cue, low)
    lemma = tok.lemma_.lower()
    xcomp = next((c for c in tok.children if c.dep_ == "xcomp"), None)
    if lemma in HEDGE_PASSIVE_LEMMAS and lemma not in ACCUSATION_LEMMAS and xcomp is not None:
        kind = "hedged"
    elif lemma in ACCUSATION_LEMMAS or any(c.dep_ == "ccomp" for c in tok.children):
        kind = "agentless_passive"
    else:
        return None
    return Attribution(kind, _clause_span(tok), Source("", "none", None), cue, lemma)


def headline_passives(
    doc: Doc, items: list[Attribution], headline_end: int
) -> list[Attribution]:
    """Headline grammar drops the auxiliary of a passive: "Rescue teams praised", "Minister
    blamed for delays" are agentless passive speech acts, not the subject's own speech.

    In sentences that end before ``headline_end``, a past-participle judging verb (an
    accusation or an evaluative cue verb) with a subject and no object or clause of its own
    becomes an ``agentless_passive`` with no source, replacing what the cue finder made of it.
    """
    from framing.nlp.attribution.cues import cue_stance

    if headline_end <= 0:
        return items
    out = list(items)
    for sent in doc.sents:
        if sent.start_char >= headline_end:
            break
        root = sent.root
        if root.pos_ in ("NOUN", "PROPN"):  # "Minister blamed for delays": a participle on it
            root = next((c for c in root.children if c.dep_ == "acl"), root)
            has_subject = True
        else:
            has_subject = any(c.dep_ == "nsubj" for c in root.children)
        lemma = root.lemma_.lower()
        if root.tag_ not in ("VBD", "VBN") or not (
                lemma in ACCUSATION_LEMMAS or cue_stance(lemma) == "evaluative"):
            continue
        kids = {c.dep_ for c in root.children}
        if not has_subject or kids & {"dobj", "ccomp", "xcomp", "dative", "attr", "oprd"}:
            continue
        cue = Span(root.idx, root.idx + len(root.text))
        out = [a for a in out if a.cue is None or not a.cue.overlaps(cue)]
        out.append(Attribution("agentless_passive", _sentence_span(sent), Source("", "none", None),
                               cue, lemma))
    return sorted(out, key=lambda a: (a.content.start, a.content.end, a.kind))
