"""Cues: the cue-verb lexicon and its stance, which tokens can be a cue, and cue groups."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from framing.nlp.attribution.tokens import SUBJECT_DEPS
from framing.resources import read_lines, read_table

if TYPE_CHECKING:
    from spacy.tokens import Token

#: Parts of speech a cue token can have (others are never scored: keeps the head cheap).
CUE_POS = frozenset({"VERB", "AUX", "NOUN", "ADP", "ADJ", "ADV", "PUNCT", "SCONJ", "PART"})
#: Punctuation that can be a cue ("PENCE:", "― Name").
CUE_PUNCT = frozenset({":", "―", "—", "–", "-"})
#: Objects that make "claim" a verb of taking, not of saying ("claimed hundreds of lives").
TAKEN = frozenset(read_lines("attribution/taken.txt"))
#: Adverbs the cue classifier learns from "also said", "again warned": never a cue alone.
FOCUS_ADVERBS = frozenset(read_lines("attribution/focus_adverbs.txt"))
#: Marks of a clause that sets a second speaker against the first ("…, while B says Y").
CONTRAST_MARKS = frozenset(read_lines("attribution/contrast_marks.txt"))


@cache
def cue_lemmas() -> dict[str, str]:
    """Cue-verb lemma -> stance (neutral / evaluative / epistemic), from packaged lists."""
    table = {row["lemma"]: row["stance"] for row in read_table("cue_verbs.tsv")}
    for verb in read_lines("lexicons/report_verbs_recasens2013.txt"):
        table.setdefault(verb, "neutral")
    return table


def cue_stance(lemma: str | None) -> str | None:
    """Stance of a cue lemma: ``neutral``, ``evaluative`` or ``epistemic`` (None when unknown)."""
    if lemma is None:
        return None
    return cue_lemmas().get(lemma)


def cue_candidate(pos: str, text: str) -> bool:
    """Can a token of this part of speech and text be part of a cue?

    The one test of which tokens the cue classifier scores, in training
    (``framing.evaluation.polnear``) and at run time (``extract``).
    """
    if pos == "PUNCT":
        return text in CUE_PUNCT
    return pos in CUE_POS


def is_cue_candidate(tok: Token) -> bool:
    """Tokens the cue classifier scores (:func:`cue_candidate` of a token)."""
    return cue_candidate(tok.pos_, tok.text)


def is_cue_verb(tok: Token) -> bool:
    """A reporting verb of the cue lexicon (the rules' cue test)."""
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in cue_lemmas()


def _group_cues(tokens: Sequence[Token]) -> list[list[Token]]:
    """Adjacent cue tokens form one cue ("according to", "has said", "called for")."""
    groups: list[list[Token]] = []
    for tok in tokens:
        if groups and tok.i == groups[-1][-1].i + 1:  # callers pass one sentence's tokens
            groups[-1].append(tok)
        else:
            groups.append([tok])
    return groups


def _cue_head(group: Sequence[Token]) -> Token:
    ids = {t.i for t in group}
    roots = [t for t in group if t.head.i not in ids or t.head.i == t.i]
    verbs = [t for t in roots if t.pos_ in ("VERB", "AUX")]
    return (verbs or roots or list(group))[0]


def _inside_verb_cue(cue: Token, heads: set[int]) -> bool:
    """A noun cue in a reporting verb's phrase ("said in a statement"): part of the verb's cue."""
    if cue.pos_ not in ("NOUN", "PROPN") or cue.dep_ != "pobj":
        return False
    prep = cue.head
    verb = prep.head
    return prep.dep_ == "prep" and verb.i in heads and verb.pos_ in ("VERB", "AUX")


def _not_speech(cue: Token) -> bool:
    """A cue word used in a sense that reports nothing: "the floods claimed 40 lives".

    ("also known as" stays: PolNeAR annotators mark it as an attribution of the name.)
    """
    if cue.lemma_.lower() == "claim":
        objs = [c for c in cue.children if c.dep_ == "dobj"]
        # "claimed hundreds of lives": the object of the quantity
        objs += [
            o
            for c in objs
            for p in c.children
            if p.dep_ == "prep" and p.lower_ == "of"
            for o in p.children
            if o.dep_ == "pobj"
        ]
        return any(o.lower_ in TAKEN or o.lemma_.lower() in TAKEN for o in objs)
    return False


def _second_report_of(tok: Token, detected: bool = False) -> Token | None:
    """The reporting verb whose subject also says ``tok``: "X said A and promised B" (``tok`` =
    "promised", conjoined with "said" or, as the parser often has it, with A's verb). ``tok``
    must be a reporting verb of the lexicon unless the cue classifier ``detected`` it."""
    if tok.dep_ != "conj" or tok.pos_ not in ("VERB", "AUX"):
        return None
    if not detected and tok.lemma_.lower() not in cue_lemmas():
        return None
    if any(c.dep_ in SUBJECT_DEPS for c in tok.children):
        return None
    up = tok.head
    if is_cue_verb(up):
        return up
    if up.dep_ == "ccomp" and is_cue_verb(up.head) and up.head.i < tok.i:
        return up.head
    # "said in a statement that A, and called for B": A hangs on "statement"
    if up.dep_ in ("ccomp", "acl") and up.head.dep_ == "pobj" and up.head.head.dep_ == "prep":
        verb = up.head.head.head
        if is_cue_verb(verb) and verb.i < tok.i:
            return verb
    return None


def _rival_report(tok: Token) -> bool:
    """A contrastive adverbial clause headed by a reporting verb with a subject of its own."""
    return (
        tok.dep_ == "advcl"
        and tok.lemma_.lower() in cue_lemmas()
        and any(c.dep_ in SUBJECT_DEPS for c in tok.children)
        and any(c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS for c in tok.children)
    )
