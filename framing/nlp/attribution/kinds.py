"""Source kinds settled over the whole article, after each source was typed from its phrase.

A phrase alone often cannot tell: "a diplomat who asked not to be named" is anonymous by its
relative clause, "officials said on condition of anonymity" by the verb's phrase, "the officials"
later on by their first mention; "Dremmel Today, a Tarsovian newspaper" is a news outlet by its
appositive and stays one when it comes back bare; "Ferrow" is a journalist when the article
introduced her as "Radio Kestrel reporter Nadia Ferrow"; "Lidia Prusk, the mayor of Arvo" is a
person whatever the entity tagger says; "some diplomats" are a vague group, not an office.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from framing.models import Attribution, Source
from framing.nlp.attribution.sources import ORG_WORDS, source_nouns
from framing.nlp.attribution.tokens import _phrase_head, cue_verb, doc_text
from framing.resources import read_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Words that unname a source outright.
ANONYMITY_WORDS = frozenset({"anonymity", "anonymous", "anonymously", "unnamed", "unidentified"})
#: Clauses that unname a source: "who asked not to be named", "declined to be identified",
#: "on condition that he not be named", "not authorised to speak".
UNNAMING = re.compile(
    r"\b(?:not|n't|never)\s+(?:to\s+)?be(?:ing)?\s+(?:named|identified|quoted|cited)\b"
    r"|\b(?:declin|refus)\w*\s+to\s+be\s+(?:named|identified|quoted)\b"
    r"|\bwithout\s+being\s+(?:named|identified)\b"
    r"|\bnot\s+authori[sz]ed\s+to\s+(?:speak|talk|comment|discuss)\b"
    r"|\bon\s+(?:the\s+)?condition\s+(?:of|that)\b"
    # the standard phrases of unnamed sourcing: "people briefed on the matter", "a source
    # familiar with the talks", "officials with knowledge of the plan"
    r"|\b(?:briefed\s+on|familiar\s+with|with\s+(?:direct\s+)?knowledge\s+of)\b",
    re.IGNORECASE,
)
#: Quantifiers that make a group unspecified ("some diplomats", "many in Brennock").
VAGUE_QUANTIFIERS = frozenset({"some", "many", "several", "few", "most", "numerous", "various",
                               "certain", "other", "others"})
_VERB_DEPS_FOR_MANNER = frozenset({"prep", "advcl", "advmod", "npadvmod", "dep"})


@cache
def media_nouns() -> frozenset[str]:
    """Nouns that describe a news outlet or one of its journalists."""
    return frozenset(read_lines("attribution/media_nouns.txt"))


@cache
def outlet_name_words() -> frozenset[str]:
    """Words that make a proper name an outlet's ("Orsund Ledger", "Radio Kestrel")."""
    return frozenset(read_lines("attribution/media_words.txt")) | frozenset(
        read_lines("attribution/outlet_name_words.txt"))


def _source_head(doc: Doc, src: Source) -> Token | None:
    if src.span is None:
        return None
    span = doc.char_span(src.span.start, src.span.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return _phrase_head(list(span))


def _unnamed_by_clause(tokens: list[Token]) -> bool:
    if any(t.lower_ in ANONYMITY_WORDS for t in tokens):
        return True
    if not tokens:
        return False
    doc = tokens[0].doc
    start, end = min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)
    return UNNAMING.search(doc_text(doc)[start:end]) is not None


def _own_phrase(head: Token) -> list[Token]:
    """The source's phrase with its relative clause, without a source it cites ("Lorrey
    Broadcasting, citing a diplomat who asked not to be named")."""
    skip: set[int] = set()
    for c in head.children:
        if c.lemma_.lower() in ("cite", "quote", "accord"):
            skip.update(t.i for t in c.subtree)
    return [t for t in head.subtree if t.i not in skip]


def _unnamed(doc: Doc, a: Attribution, head: Token) -> bool:
    """The source's phrase, its relative clause or the verb's manner phrase unnames it."""
    if _unnamed_by_clause(_own_phrase(head)):
        return True
    verb = cue_verb(doc, a)
    if verb is None:
        return False
    for c in verb.children:
        if (c.dep_ in _VERB_DEPS_FOR_MANNER and not a.content.start <= c.idx < a.content.end
                and c.lemma_.lower() not in ("cite", "quote", "accord")):
            if _unnamed_by_clause(list(c.subtree)):
                return True
    return False


def _vague_group(head: Token) -> bool:
    if head.lower_ in VAGUE_QUANTIFIERS and head.pos_ in ("ADJ", "PRON", "DET", "NOUN"):
        return True  # "many in Brennock", "some say"
    return any(c.dep_ in ("det", "amod", "nummod", "quantmod") and c.lower_ in VAGUE_QUANTIFIERS
               for c in head.children)


def _outlet_by_description(head: Token) -> bool:
    """"Dremmel Today, a Tarsovian newspaper", "the Tarsovian daily Dremmel Today"."""
    outlets = media_nouns() - JOURNALIST_NOUNS
    if any(c.dep_ in ("appos", "compound", "nmod") and c.lemma_.lower() in outlets
           for c in head.children):
        return True
    return head.dep_ in ("appos", "compound") and head.head.lemma_.lower() in outlets


def _last_word(name: str) -> str:
    words = re.findall(r"[\w'’-]+", name)
    return words[-1].lower() if words else ""


_NOT_NAME_WORDS = frozenset({"the", "a", "an", "and", "of", "for", "in", "on", "at", "to", "some",
                             "many", "his", "her", "its", "their", "this", "these", "those"})


def _name_words(name: str) -> set[str]:
    """Capitalised words of a source's name, without articles and other function words."""
    return {w.lower() for w in re.findall(r"[\w'’-]+", name)
            if w[:1].isupper() and w.lower() not in _NOT_NAME_WORDS}


#: Nouns of a journalist (a person who is `media` as a source).
JOURNALIST_NOUNS = frozenset({"reporter", "journalist", "correspondent", "editor", "columnist",
                              "anchor", "presenter", "newsreader", "commentator"})


def _journalist_mentions(doc: Doc) -> set[str]:
    """Surnames the article introduces with a journalist's title ("reporter Nadia Ferrow",
    "Nadia Ferrow, an investigative reporter")."""
    out: set[str] = set()
    for ent in doc.ents:
        if ent.label_ not in ("PERSON", "ORG"):
            continue
        root = ent.root
        described = [c for c in root.children if c.dep_ in ("compound", "appos", "nmod")]
        if root.dep_ in ("appos", "compound"):
            described.append(root.head)
        if any(t.lemma_.lower() in JOURNALIST_NOUNS for t in described):
            out.add(ent[-1].lower_)
    return out


def _outlet_words(name: str) -> set[str]:
    """The name's first and last words when they make it an outlet's ("Radio Kestrel", "Orsund
    Ledger"; not "Free Press Circle")."""
    words = [w.lower() for w in re.findall(r"[\w'’-]+", name) if w.lower() != "the"]
    if not words:
        return set()
    found = {w for w in (words[0], words[-1]) if w in outlet_name_words()}
    if found <= AMBIGUOUS_OUTLET_WORDS and not {"news", "press"} & set(words):
        return set()  # "the UN children's agency", "the health service": not outlets
    return found


#: Outlet name words that also end other organisations' names.
AMBIGUOUS_OUTLET_WORDS = frozenset({"agency", "service", "network", "media"})


def _person_by_role(head: Token) -> bool:
    """A proper name with a person's role in apposition ("Lidia Prusk, the mayor of Arvo")."""
    if head.pos_ != "PROPN":
        return False
    nouns = source_nouns()
    return any(c.dep_ == "appos" and c.pos_ == "NOUN" and nouns.get(c.lower_) == "official"
               and c.lemma_.lower() not in ("ministry", "government", "army", "police",
                                            "department", "office", "agency", "embassy")
               for c in head.children)


def settle_kinds(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """Each attribution with its source kind settled over the article (see the module text);
    relations whose content is only the unnaming clause ("asked not to be named") are dropped."""
    anonymous_heads: set[str] = set()
    outlets: set[str] = set()
    persons: set[str] = set()
    journalists = _journalist_mentions(doc)
    settled: dict[int, Source] = {}
    ordered = sorted(items, key=lambda a: a.source.span.start if a.source.span else a.content.start)
    for a in ordered + ordered:  # twice: a later mention can settle an earlier one ("Prusk")
        src = settled.get(id(a.source), a.source)
        head = _source_head(doc, src)
        if head is None or src.kind == "none":
            continue
        kind = src.kind
        words = _name_words(src.name)
        if _unnamed(doc, a, head):
            kind = "anonymous"
        elif head.pos_ == "PRON":
            pass  # "he", "she", "they": the antecedent's kind, which the resolver copied
        elif head.lower_ in anonymous_heads and any(c.lower_ in ("the", "these", "those")
                                                    for c in head.children):
            kind = "anonymous"  # "the officials" of "officials who spoke on condition of ..."
        elif kind in ("official", "named_org", "named_person", "media") and _vague_group(head):
            kind = "vague"
        elif kind == "named_person" and words and _last_word(src.name) in ORG_WORDS:
            kind = "named_org"  # "National Audit Chamber" tagged as a person
        elif kind in ("named_org", "named_person") and (
                _outlet_words(src.name) or _outlet_by_description(head) or words & outlets):
            kind = "media"
        elif kind == "media" and head.pos_ == "PROPN" and not (
                _outlet_words(src.name) or _outlet_by_description(head) or words & outlets
                or words & journalists or head.lemma_.lower() in media_nouns()):
            kind = "named_org"  # "Free Press Circle": a press word inside an organisation's name
        elif kind == "named_org" and (_person_by_role(head) or (
                _last_word(src.name) in persons and len(words) <= 2)):
            # "Lazar" tagged an organisation after "Marcel Lazar" (a surname seen as a person's;
            # not "the White House" after "White House Counsel Robert Bauer")
            kind = "named_person"
        elif kind == "named_person" and words & journalists:
            kind = "media"
        elif kind == "named_org" and head.pos_ == "NOUN" and source_nouns().get(
                head.lower_) == "official" and head.lemma_.lower() not in ORG_HEADS:
            kind = "official"  # "the director of Arvo General Hospital"
        if kind == "anonymous":
            anonymous_heads.add(head.lower_)
        elif kind == "media" and head.pos_ == "PROPN":  # a name, not "a channel in Kabul"
            outlets.update(words)
        elif kind == "named_person" and head.pos_ == "PROPN":
            persons.add(_last_word(src.name))
        if kind != a.source.kind:
            settled[id(a.source)] = replace(a.source, kind=kind)
    out: list[Attribution] = []
    for a in items:
        if _only_unnaming(doc, a):
            continue
        src = settled.get(id(a.source), a.source)
        parent = a.parent
        if parent is not None and id(parent.source) in settled:
            parent = replace(parent, source=settled[id(parent.source)])
        out.append(a if src is a.source and parent is a.parent
                   else replace(a, source=src, parent=parent))
    return out


#: Heads that make an office phrase an organisation ("the Interior Ministry").
ORG_HEADS = frozenset({"ministry", "government", "army", "police", "embassy", "office",
                       "department", "agency", "authority", "administration", "commission",
                       "council"})


def _only_unnaming(doc: Doc, a: Attribution) -> bool:
    """"(a diplomat who) asked not to be named", "spoke on condition of anonymity": the unnaming
    clause is not a claim."""
    if a.kind not in ("reported", "chain"):
        return False
    content = doc_text(doc)[a.content.start : a.content.end]
    if len(content.split()) > 8:
        return False
    cue = "" if a.cue is None else doc_text(doc)[a.cue.start : a.cue.end]
    return UNNAMING.search(f"{cue} {content}") is not None or any(
        w in content.lower().split() for w in ANONYMITY_WORDS)
