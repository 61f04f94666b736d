"""Sources: typing a source phrase (named person / organisation, media, official, vague, anonymous)
and resolving it (pronouns, surnames, acronyms, partitives, documents, "citing" chains)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from framing.models import Source
from framing.nlp.attribution.tokens import (
    _phrase_head,
    _span_of,
    _strip_punct,
    _subtree_tokens,
)
from framing.resources import read_lines, read_table

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

#: Pronoun sources and what they can stand for ("person", "org" or "any").
PRONOUNS = {row["pronoun"]: row["wants"] for row in read_table("attribution/pronouns.tsv")}
#: Words that make an organisation's name a news outlet's.
MEDIA_WORDS = frozenset(read_lines("attribution/media_words.txt"))
#: Titles before a name that make it a person's ("Brigadier (retd) Nasir Iqbal Malik").
TITLES = frozenset(read_lines("attribution/titles.txt"))
#: Words that make a run of capitalised words an organisation's name, whatever else is near.
ORG_WORDS = frozenset(read_lines("attribution/org_words.txt"))
#: Heads of partitive source phrases ("one of the officials", "some of his aides").
PARTITIVES = frozenset(read_lines("attribution/partitives.txt"))
#: Documents that speak for whoever issued them ("the ministry's statement said").
DOCUMENT_NOUNS = frozenset(read_lines("attribution/document_nouns.txt"))
#: A relative pronoun as a cue's subject stands for the noun its clause hangs on.
RELATIVE_PRONOUNS = frozenset(read_lines("attribution/relative_pronouns.txt"))


@cache
def source_nouns() -> dict[str, str]:
    return {row["word"]: row["kind"] for row in read_table("source_nouns.tsv")}


def _trim_source_tokens(head: Token) -> list[Token]:
    """Source phrase: the subject subtree without relative clauses or trailing punctuation."""
    drop = [c for c in head.children if c.dep_ in ("relcl", "acl") and not _mentions_anonymity(c)]
    return _strip_punct(_subtree_tokens(head, drop)) or [head]


def _mentions_anonymity(tok: Token) -> bool:
    return any(
        t.lower_ in ("anonymity", "anonymous", "unnamed", "unidentified") for t in tok.subtree
    )


def ents_within(doc: Doc, start: int, end: int) -> list[SpacySpan]:
    """Entities lying wholly inside tokens ``[start, end)``, read from the token IOB tags.

    ``Doc.ents`` walks the whole document on every call; this looks at the span only.
    """
    from spacy.tokens import Span as SpacySpanType

    out = []
    i = start
    while i < end:
        tok = doc[i]
        if tok.ent_iob_ != "B":
            i += 1
            continue
        j = i + 1
        while j < len(doc) and doc[j].ent_iob_ == "I":
            j += 1
        if j <= end:
            out.append(SpacySpanType(doc, i, j, label=tok.ent_type_))
        i = j
    return out


def classify_source(tokens: Sequence[Token], doc: Doc) -> tuple[str, str | None]:
    """Source kind and role (title) of a source phrase."""
    nouns = source_nouns()
    lowers = [t.lower_ for t in tokens]
    if any(w in ("anonymity", "anonymous", "unnamed", "unidentified") for w in lowers):
        return "anonymous", None
    part = _partitive(tokens)
    if part is not None:
        return classify_source(part, doc)  # "one of the Pakistani officials": the officials
    span_start, span_end = tokens[0].i, tokens[-1].i + 1
    ents = ents_within(doc, span_start, span_end)
    # "Mr. Karimi's aides" are not Mr. Karimi: a possessor does not name the source
    # nor is a name inside one of its prepositional phrases ("Traders in Qissa Khwani Bazaar")
    persons = [
        e
        for e in ents
        if e.label_ == "PERSON"
        and e.root.dep_ != "poss"
        and not (e.root.dep_ == "pobj" and span_start <= e.root.head.i < span_end)
    ]
    orgs = [e for e in ents if e.label_ in ("ORG", "GPE", "NORP", "FAC")]
    if persons:
        first = span_start
        while first < persons[0].start and (doc[first].pos_ == "DET" or doc[first].is_punct):
            first += 1
        # "Former intelligence officer General (retd)": the words before the name, as written
        role = doc[first : persons[0].start].text.strip(" ,;:—–-") or None
        for c in doc[persons[0].start : persons[0].end].root.children:
            if c.dep_ == "appos" and c.i >= span_start and c.i < span_end:
                role = _words([t for t in c.subtree if not t.is_punct])
        return "named_person", role
    titled = _titled_name(tokens, doc, orgs)
    if titled is not None:
        return "named_person", titled or None
    head = _phrase_head(tokens)
    head_kind = nouns.get(head.lower_) or nouns.get(head.lemma_.lower())
    words = [t for t in tokens if t.pos_ != "DET" and not t.is_punct]
    title_name = len(words) >= 2 and all(t.is_title or t.is_upper for t in words) and bool(orgs)
    if (
        head_kind in ("anonymous", "vague")
        and not title_name  # "Doctors Without Borders" is a name, "Pakistani sources" is not
        and not any(e.root.i == head.i and len(e) > 1 and e.label_ in ("ORG", "FAC") for e in orgs)
    ):
        # "Insiders", "Pakistani sources", "Afghan analysts": the head noun decides
        return head_kind, None
    if head.lemma_.lower() in RECORD_NOUNS and not persons and not orgs:
        # "according to tax returns released Friday", "the court records show": a record
        # speaks for the office that keeps it (the guideline: official for public records)
        return "official", None
    if head.lemma_.lower() in ("poll", "survey") and not any(
            e.label_ in ("ORG", "FAC") and not _outlet_name(e.text) for e in orgs):
        # a poll speaks for whoever ran it, in the news mostly an outlet ("the CBS News poll",
        # "a new poll", "the USA Today survey"); a named pollster is an organisation
        return "media", None
    if _vague_plural(tokens, head, ents):
        return "vague", None
    described = None if head_kind is not None or any(
        e.start <= head.i < e.end and e.label_ in ("ORG", "FAC", "GPE") for e in orgs
    ) else _definite_description(head, doc)
    if described is not None:
        return described, None
    if orgs:
        if any(_outlet_name(e.text) for e in orgs) or head_kind == "media":
            return "media", None
        if head_kind in ("official",) and head.pos_ != "PROPN":
            # "Pakistani officials", "Afghan Interior Ministry spokesman"
            if head.lower_ in (
                "ministry",
                "government",
                "army",
                "police",
                "embassy",
                "office",
                "department",
                "agency",
            ):
                return "named_org", None
            return "official", None
        return "named_org", None
    if head_kind is not None:
        if (
            head_kind == "official"
            and head.lower_ in ("ministry", "government", "army", "police", "embassy", "department")
            and any(t.pos_ == "PROPN" for t in tokens)
        ):
            return "named_org", None
        return head_kind, None
    if any(t.lower_ in ("some", "many", "several") for t in tokens):
        return "vague", None
    if head.pos_ == "PROPN":
        if _outlet_name(" ".join(t.text for t in tokens if t.pos_ == "PROPN")):
            return "media", None
        if any(w in ORG_WORDS for w in lowers):
            return "named_org", None  # "Human Rights Watch"
        return (
            "named_person" if len([t for t in tokens if t.pos_ == "PROPN"]) >= 2 else "named_org"
        ), None
    return "vague", None


def _vague_plural(tokens: Sequence[Token], head: Token, ents: Sequence[SpacySpan]) -> bool:
    """Members of a group, unnamed: "some Republicans", "Democrats and some Republicans",
    "Republicans" (a bare plural of a party or nationality, not the party's name)."""
    words = [t for t in tokens if not t.is_punct]
    if any(t.lower_ in ("some", "many", "several", "most", "few") and t.dep_ in ("det", "amod")
           for t in words):
        return True
    plural_groups = [t for t in words if t.tag_ in ("NNPS", "NNS") and any(
        e.label_ == "NORP" and e.start <= t.i < e.end for e in ents)]
    return bool(plural_groups) and head in plural_groups and not any(
        t.dep_ == "det" and t.lower_ in ("the", "these", "those") for t in words)


#: Records that speak for the office keeping them when no issuer is named.
RECORD_NOUNS = frozenset({"record", "return", "filing", "document", "transcript",
                          "agreement", "indictment", "complaint", "affidavit", "ruling"})


@cache
def person_nouns() -> frozenset[str]:
    """Role nouns that describe a person ("the candidate", "the author")."""
    return frozenset(read_lines("attribution/person_nouns.txt"))


_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "ee")
_NOT_PERSON_ER = frozenset({"paper", "newspaper", "letter", "number", "order", "center", "centre",
                            "sector", "border", "chamber", "quarter", "matter", "factor", "power"})


def _person_noun(tok: Token) -> bool:
    low = tok.lemma_.lower()
    return low in person_nouns() or (
        low.endswith(_PERSON_SUFFIXES) and low not in _NOT_PERSON_ER and len(low) > 4)


def _definite_description(head: Token, doc: Doc) -> str | None:
    """The kind of a definite description that stands for someone the article identified.

    "The company says", "the candidate said", "his campaign confirmed", "the Arizona Republican
    said": a singular noun with a definite determiner or a possessor refers back to one
    identified source (the guideline types it by the person or organisation meant), unlike a
    bare or quantified plural ("experts", "some residents"), which stays vague. A person noun
    stands for a named person when the article named a person before it (else an official,
    identified by role: "the local bishop"); any other noun for an organisation.
    """
    if head.pos_ not in ("NOUN", "PROPN") or head.tag_ in ("NNS", "NNPS"):
        return None
    definite = any(
        (c.dep_ == "det" and c.lower_ in ("the", "this", "that"))
        or (c.dep_ == "poss" and c.pos_ in ("PRON", "PROPN", "NOUN"))
        for c in head.children
    )
    if not definite:
        return None
    if head.pos_ == "PROPN" and not (head.lower_ in person_nouns() or head.is_lower):
        return None  # a name: typed by the name rules
    if _person_noun(head):
        named_before = any(e.label_ == "PERSON" and e.end <= head.i for e in doc.ents)
        return "named_person" if named_before else "official"
    return "named_org"


def _outlet_name(name: str) -> bool:
    """A name whose first or last word is an outlet's ("Radio Kestrel", "Orsund Ledger", "the
    Associated Press"), not one with such a word inside ("Free Press Circle")."""
    words = name.lower().replace("-", " ").split()
    words = [w for w in words if w != "the"]
    return bool(words) and (words[0] in MEDIA_WORDS or words[-1] in MEDIA_WORDS)


def _words(toks: Sequence[Token]) -> str:
    """Tokens as text, clitics ("'s", "n't") joined to the word before."""
    out = ""
    for t in toks:
        glued = t.text.startswith(("'", "’")) or t.lower_ == "n't" or t.lower_ == "n’t"
        out += t.text if glued or not out else " " + t.text
    return out


def _trailing_name(tokens: Sequence[Token]) -> list[Token]:
    """The run of 2-4 capitalised proper nouns that ends a phrase ([] when there is none)."""
    run: list[Token] = []
    for t in reversed([t for t in tokens if not t.is_punct]):
        if t.pos_ != "PROPN" or not t.is_title:
            break
        run.insert(0, t)
    return run if 2 <= len(run) <= 4 else []


def _titled_name(
    tokens: Sequence[Token], doc: Doc, orgs: Sequence[SpacySpan]
) -> str | None:
    """A person's name the tagger missed: 2-4 capitalised names after a title or a role noun.

    "Brigadier (retd) Nasir Iqbal Malik", "Provincial government spokesperson Sobia Marwat".
    Returns the role text ("" when there is none to show), or None when this is no such name.
    """
    name = _trailing_name(tokens)
    if not name or any(t.lower_ in ORG_WORDS for t in name):
        return None
    head = _phrase_head(tokens)
    if head not in name and not any(t.dep_ == "appos" and t.head.i == head.i for t in name):
        return None  # "Traders in Qissa Khwani Bazaar": the name is a place in the phrase
    if any(e.label_ in ("GPE", "NORP", "FAC") and e.start <= name[0].i < e.end for e in orgs):
        return None
    start = name[0].i
    low = start
    while low > max(0, start - 6) and doc[low - 1].text not in (".", "!", "?", "\n", "\n\n"):
        low -= 1
    low = min(low, tokens[0].i)
    nouns = source_nouns()
    for j in range(low, start):
        t = doc[j]
        if t.lower_.rstrip(".") in TITLES or nouns.get(t.lower_) in ("official", "vague", "media"):
            first = min([j, *(c.i for c in t.subtree if c.i < j)])
            while first < start and doc[first].pos_ == "DET":
                first += 1
            return doc[first:start].text.strip()
    if name[0].lower_.rstrip(".") in TITLES:
        return ""
    return None


def _partitive(tokens: Sequence[Token]) -> list[Token] | None:
    """The "of" phrase of "one of the officials" (None when the phrase is not partitive)."""
    head = _phrase_head(tokens)
    if head.lower_ not in PARTITIVES:
        return None
    ids = {t.i for t in tokens}
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is not None:
                part = [t for t in obj.subtree if t.i in ids]
                return part or None
    return None


class _SourceResolver:
    """Types sources and resolves pronoun sources to the nearest fitting named speaker.

    A person pronoun ("he said") goes to whichever comes last before it: the latest named person
    source, or the latest person named in the text; an "it"/"they" pronoun to the latest
    organisation, media or official source. A bare surname becomes the full name the article used
    earlier ("Sultani" -> "Omar Sultani").
    """

    def __init__(self, text: str, quotes: Sequence[tuple[int, int]]) -> None:
        self.history: list[Source] = []
        self.text = text  # Doc.text joins every token: read it once per article
        self._full: dict[str, str] | None = None
        self._persons: list[tuple[int, int, int]] | None = None
        self._person_ends: list[int] = []
        merged: list[tuple[int, int]] = []  # quoted stretches, nested quotes merged
        for start, end in sorted(quotes):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self._quotes = merged

    def _quoted(self, idx: int) -> bool:
        k = bisect.bisect_right(self._quotes, (idx, len(self.text) + 1)) - 1
        return k >= 0 and self._quotes[k][0] <= idx < self._quotes[k][1]

    def full_name(self, name: str, doc: Doc) -> str:
        if " " in name.strip():
            return name
        if self._full is None:
            self._full = {}
            for e in doc.ents:
                if e.label_ == "PERSON" and len(e) >= 2:
                    self._full.setdefault(e[-1].text, e.text)
        return self._full.get(name.strip(), name)

    def _person_before(self, doc: Doc, i: int) -> tuple[int, str] | None:
        """The last person named outside quotes before token ``i``: (start, name).

        The people of a doc are listed once (by entity end) and found by bisection: a scan back
        from every pronoun made articles with many pronouns and few names quadratic.
        """
        if self._persons is None:
            self._persons = [
                (e.end, e.start_char, e.end_char) for e in doc.ents
                if e.label_ == "PERSON" and not self._quoted(doc[e.end - 1].idx)
            ]
            self._person_ends = [p[0] for p in self._persons]
        k = bisect.bisect_right(self._person_ends, i) - 1
        if k < 0:
            return None
        _, start, stop = self._persons[k]
        return start, self.text[start:stop]

    def resolve(self, tokens: Sequence[Token], doc: Doc) -> Source:
        span = _span_of(tokens)
        if len(tokens) == 1 and tokens[0].lower_ in PRONOUNS:
            want = PRONOUNS[tokens[0].lower_]
            prev_src: Source | None = None
            for prev in reversed(self.history):
                if want == "person" and prev.kind != "named_person":
                    continue
                if want == "org" and prev.kind not in ("named_org", "media", "official"):
                    continue
                if prev.kind in ("named_person", "named_org", "media", "official"):
                    prev_src = prev
                    break
            if want == "person" and tokens[0].lower_ != "i":
                mention = self._person_before(doc, tokens[0].i)
                at = -1 if prev_src is None or prev_src.span is None else prev_src.span.start
                if mention is not None and mention[0] > at:
                    name = self.full_name(mention[1], doc)
                    role = prev_src.role if prev_src is not None and prev_src.name == name else None
                    return Source(name, "named_person", span, role)
            if prev_src is not None:
                return Source(prev_src.name, prev_src.kind, span, prev_src.role)
            return Source(tokens[0].text, "vague" if want != "person" else "none", span)
        kind, role = classify_source(tokens, doc)
        name = self.text[span.start : span.end]
        if len(tokens) == 1 and tokens[0].pos_ == "PROPN":
            full = self.full_name(tokens[0].text, doc)
            if full != tokens[0].text:  # "Sharifi" after "Mohammad Naeem Sharifi"
                return self._remember(Source(full, "named_person", span, None))
        earlier = self._expanded_acronym(name) if kind == "named_org" else None
        if earlier is not None:
            # "the ISPR" after "the Inter-Services Public Relations (ISPR)": the same organisation
            return self._remember(Source(earlier.name, kind, span, earlier.role))
        if kind == "named_person":
            persons = [
                e for e in ents_within(doc, tokens[0].i, tokens[-1].i + 1) if e.label_ == "PERSON"
            ]
            run = _trailing_name(tokens)
            if persons:
                name = self.full_name(persons[0].text, doc)
            elif run:
                name = doc[run[0].i : run[-1].i + 1].text
        elif kind in ("named_org", "media") and role is None:
            # "Human Rights Watch, a New York-based group": the name, and the description as role
            head = _phrase_head(tokens)
            ids = {t.i for t in tokens}
            appos = [
                c for c in head.children
                if c.dep_ == "appos" and c.i in ids and c.i > head.i
                and doc[c.left_edge.i - 1].text != "("  # "… Relations (ISPR)" keeps its acronym
            ]
            if appos:
                cut = {t.i for t in appos[0].subtree}
                kept = _strip_punct([t for t in tokens if t.i not in cut and t.i < appos[0].i])
                desc = _strip_punct([t for t in tokens if t.i in cut])
                if kept and desc:
                    name = self.text[kept[0].idx : kept[-1].idx + len(kept[-1].text)]
                    role = self.text[desc[0].idx : desc[-1].idx + len(desc[-1].text)]
        return self._remember(Source(name, kind, span, role))

    def _expanded_acronym(self, name: str) -> Source | None:
        """An organisation named earlier with this acronym in brackets ("… (ISPR)")."""
        acronym = name.removeprefix("the ").removeprefix("The ")
        if not (acronym.isupper() and acronym.isalpha() and 2 <= len(acronym) <= 8):
            return None
        return next((h for h in reversed(self.history)
                     if h.kind == "named_org" and h.name.endswith(f"({acronym})")), None)

    def _remember(self, source: Source) -> Source:
        if source.kind in ("named_person", "named_org", "media", "official"):
            self.history.append(source)
        return source


def _citing(verb: Token) -> Token | None:
    """The object of a 'citing X' modifier attached to a cue (the chain's origin)."""
    for c in verb.subtree:
        if (
            c.lemma_.lower() == "cite"
            and c.i != verb.i
            and c.dep_ in ("advcl", "xcomp", "acl", "conj", "pcomp", "prep")
        ):
            for g in c.children:
                if g.dep_ in ("dobj", "pobj", "attr"):
                    return g
    return None


def _document_issuer(tokens: Sequence[Token]) -> list[Token] | None:
    """The issuer of a document phrase: "the ministry" of "the ministry's statement" or of "a
    statement from/by/of the ministry"; None when the phrase is not a document or names nobody."""
    head = _phrase_head(tokens)
    if head.lemma_.lower() not in DOCUMENT_NOUNS:
        return None
    ids = {t.i for t in tokens}
    for c in head.children:
        if c.dep_ == "poss" and c.i in ids and c.pos_ in ("NOUN", "PROPN"):
            return _strip_punct([t for t in c.subtree if t.i in ids and t.dep_ != "case"])
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of") and c.i in ids:
            obj = next((o for o in c.children if o.dep_ == "pobj" and o.i in ids), None)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                return _strip_punct([t for t in obj.subtree if t.i in ids])
    return None


def _citing_after(doc: Doc, anchor: int, sent: SpacySpan) -> tuple[Token, Token] | None:
    """A "citing Y" right after a cue or its source (at most two tokens between), with Y's head."""
    for j in range(anchor + 1, min(anchor + 4, sent.end)):
        tok = doc[j]
        if tok.lower_ != "citing":
            continue
        obj = next((c for c in tok.children if c.dep_ in ("dobj", "pobj", "attr")), None)
        if obj is not None:
            return tok, obj
        for k in range(j + 1, min(j + 9, sent.end)):
            cand = doc[k]
            if cand.pos_ in ("NOUN", "PROPN", "PRON") and not (
                cand.head.i > k and cand.head.i < j + 9 and cand.head.pos_ in ("NOUN", "PROPN")
            ):
                return tok, cand
        return None
    return None
