"""Attribution v1: who stands behind each assertion, from quotes and the dependency parse.

Rules after the PARC attribution scheme (Pareti 2016) and rule-based quote attribution in
GenderGapTracker (Asr et al. 2021): a cue (reporting verb, "according to", "reportedly"), its
source (the cue's subject, the object of "according to", the object of "citing"), and its content
(the complement clause, the quoted text, or the clause the cue modifies).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from framing.models import Attribution, Source, Span
from framing.resources import read_lines, read_table

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

    from framing.nlp.attribution_model import AttributionHead

log = logging.getLogger(__name__)

OPEN_QUOTES = "“‘«"
CLOSE_QUOTES = "”’»"
STRAIGHT = '"'
#: Quotes shorter than this (in words) are scare quotes or titles, not speech.
MIN_QUOTE_WORDS = 4

#: Dependency labels of a clause's subject.
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
HEDGE_ADVERBS = frozenset({"reportedly", "allegedly", "purportedly", "supposedly"})
ACCUSATION_LEMMAS = frozenset(
    {"accuse", "allege", "blame", "suspect", "charge", "claim", "link", "tie", "implicate"}
)
HEDGE_PASSIVE_LEMMAS = frozenset(
    {
        "believe",
        "say",
        "think",
        "report",
        "understand",
        "rumor",
        "rumour",
        "know",
        "expect",
        "fear",
        "consider",
    }
)
PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "they": "any",
    "it": "org",
    "we": "any",
    "i": "person",
}
MEDIA_WORDS = frozenset(
    {
        "news",
        "tv",
        "television",
        "times",
        "post",
        "press",
        "agency",
        "radio",
        "channel",
        "media",
        "daily",
        "tribune",
        "herald",
        "dispatch",
        "wire",
        "reuters",
        "afp",
        "ap",
        "bbc",
        "cnn",
        "broadcaster",
        "newspaper",
        "gazette",
        "journal",
        "service",
        "network",
        "ariana",
        "tolo",
        "dawn",
        "express",
        "observer",
        "telegraph",
        "guardian",
    }
)


@cache
def cue_lemmas() -> dict[str, str]:
    """Cue-verb lemma -> stance (neutral / evaluative / epistemic), from packaged lists."""
    table = {row["lemma"]: row["stance"] for row in read_table("cue_verbs.tsv")}
    for verb in read_lines("lexicons/report_verbs_recasens2013.txt"):
        table.setdefault(verb, "neutral")
    return table


@cache
def source_nouns() -> dict[str, str]:
    return {row["word"]: row["kind"] for row in read_table("source_nouns.tsv")}


def head_info() -> str:
    """Which attribution path runs: the learned head's version, or ``rules`` when it is absent."""
    from framing.nlp import attribution_model

    head = attribution_model.load_head()
    return "rules" if head is None else f"rules+head {head.version}"


def cue_stance(lemma: str | None) -> str | None:
    """Stance of a cue lemma: ``neutral``, ``evaluative`` or ``epistemic`` (None when unknown)."""
    if lemma is None:
        return None
    return cue_lemmas().get(lemma)


# ---------------------------------------------------------------- quotes


def _line_opener(text: str, i: int) -> bool:
    """Is the mark at ``i`` the first thing on its line, with a word right after it?"""
    line_start = text.rfind("\n", 0, i) + 1
    return not text[line_start:i].strip() and i + 1 < len(text) and text[i + 1].isalnum()


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted text (inside the marks), tolerant of unbalanced marks.

    Handles curly and straight marks, and quotes that run over paragraphs (news style: a new
    paragraph re-opens the quote without closing the previous one). A quote left open at the end
    of a paragraph that does not continue is closed there, so one stray mark never swallows the rest
    of the article.
    """
    quotes: list[tuple[int, int]] = []
    start: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n" and start is not None and text.startswith("\n\n", i):
            j = i
            while j < n and text[j].isspace():
                j += 1
            quotes.append((start, i))
            # the next paragraph opening with a mark continues the quote
            start = j + 1 if j < n and (text[j] in OPEN_QUOTES or text[j] == STRAIGHT) else None
            i = j + 1 if start is not None else j
            continue
        is_open = ch in "“«" or (ch == STRAIGHT and start is None)
        is_close = ch in "”»" or (ch == STRAIGHT and start is not None)
        if ch == "‘" or ch == "’":
            i += 1  # single curly marks are mostly apostrophes; nested quotes stay inside
            continue
        if start is None and (is_open or (ch == "”" and _line_opener(text, i))):
            start = i + 1  # (a "”" typed at the start of a line opens a quote too)
        elif start is not None and is_close:
            quotes.append((start, i))
            start = None
        elif start is not None and ch in "“«":
            start = i + 1  # an unclosed quote re-opened: restart from the newer mark
        i += 1
    if start is not None:
        end = text.find("\n", start)
        quotes.append((start, end if end >= 0 else n))
    return [(s, e) for s, e in quotes if len(text[s:e].split()) >= MIN_QUOTE_WORDS]


# ---------------------------------------------------------------- sources


def _span_of(tokens: Sequence[Token]) -> Span:
    opened = any(t.text == "(" for t in tokens)
    toks = [t for t in tokens if not t.is_punct or t.text in "'’" or (opened and t.text == ")")]
    if not toks:
        toks = list(tokens)
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    return Span(start, end)


def _subtree_tokens(tok: Token, exclude: Iterable[Token] = ()) -> list[Token]:
    skip: set[int] = set()
    for ex in exclude:
        skip.update(t.i for t in ex.subtree)
    return [t for t in tok.subtree if t.i not in skip]


def _strip_punct(toks: list[Token]) -> list[Token]:
    """Drop punctuation and space at both ends; a bracket closing one opened inside stays."""
    toks = list(toks)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        if toks[-1].text == ")" and sum(t.text == "(" for t in toks) > sum(
            t.text == ")" for t in toks[:-1]
        ):
            break  # "the Inter-Services Public Relations (ISPR)"
        toks.pop()
    while toks and (toks[0].is_punct or toks[0].is_space):
        toks.pop(0)
    return toks


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
    if orgs:
        name = " ".join(e.text for e in orgs).lower()
        if any(w in MEDIA_WORDS for w in name.replace("-", " ").split()) or head_kind == "media":
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
        if any(w in MEDIA_WORDS for w in lowers):
            return "media", None
        if any(w in ORG_WORDS for w in lowers):
            return "named_org", None  # "Human Rights Watch"
        return (
            "named_person" if len([t for t in tokens if t.pos_ == "PROPN"]) >= 2 else "named_org"
        ), None
    return "vague", None


def _words(toks: Sequence[Token]) -> str:
    """Tokens as text, clitics ("'s", "n't") joined to the word before."""
    out = ""
    for t in toks:
        glued = t.text.startswith(("'", "’")) or t.lower_ == "n't" or t.lower_ == "n’t"
        out += t.text if glued or not out else " " + t.text
    return out


#: Titles before a name that make it a person's ("Brigadier (retd) Nasir Iqbal Malik").
TITLES = frozenset(
    {
        "mr", "mrs", "ms", "dr", "gen", "general", "brigadier", "colonel", "col", "major",
        "captain", "capt", "lieutenant", "lt", "sergeant", "maulana", "mullah", "mufti", "qari",
        "sheikh", "imam", "senator", "sen", "rep", "judge", "justice", "professor", "prof",
        "sir", "dame", "lord", "lady", "president", "minister", "governor", "mayor", "ambassador",
    }
)
#: Words that make a run of capitalised words an organisation's name, whatever else is near.
ORG_WORDS = frozenset(
    {
        "ministry", "office", "council", "party", "army", "police", "agency", "authority",
        "department", "company", "bank", "university", "group", "front", "movement", "committee",
        "court", "commission", "government", "institute", "centre", "center", "forces", "news",
        "times", "post", "television", "tv", "radio", "network", "association", "union", "league",
        "organisation", "organization", "foundation", "corporation", "inc", "ltd", "state",
        "watch", "international", "federation", "alliance", "coalition", "campaign", "fund",
    }
)


def _phrase_head(tokens: Sequence[Token]) -> Token:
    """The first token of a phrase whose syntactic head lies outside it (the last as fallback)."""
    ids = {t.i for t in tokens}
    return next((t for t in tokens if t.head.i not in ids or t.head.i == t.i), tokens[-1])


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


#: Heads of partitive source phrases ("one of the officials", "some of his aides").
PARTITIVES = frozenset(
    {"one", "two", "three", "some", "many", "most", "several", "each", "none", "all", "few"}
)


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
        j = i - 1
        while j >= 0:
            # a person named inside a quote is rarely the "he" who said it
            if doc[j].ent_type_ == "PERSON" and not self._quoted(doc[j].idx):
                end = j + 1
                while j > 0 and doc[j].ent_iob_ == "I":
                    j -= 1
                start = doc[j].idx
                stop = doc[end - 1].idx + len(doc[end - 1].text)
                return start, self.text[start:stop]
            j -= 1
        return None

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


# ---------------------------------------------------------------- content


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


def _tok_span(tok: Token) -> Span:
    return Span(tok.idx, tok.idx + len(tok.text))


def _is_cue_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in cue_lemmas()


def _subject(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ in ("nsubj",):
            return c
    return None


def _agent(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


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


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in verb.children)


def extract_attributions_rules(doc: Doc) -> list[Attribution]:
    """Attributions found by the v1 rules alone (the path taken when no head is installed)."""
    text = doc.text
    quotes = find_quotes(text)
    resolver = _SourceResolver(text, quotes)
    found: list[Attribution] = []
    quote_spans = [Span(s, e) for s, e in quotes]
    claimed_quotes: set[int] = set()

    def quote_index(span: Span) -> int | None:
        for k, q in enumerate(quote_spans):
            if span.overlaps(q) and (
                q.contains(span)
                or span.contains(q)
                or min(span.end, q.end) - max(span.start, q.start) > 0.5 * (q.end - q.start)
            ):
                return k
        return None

    def inside_quote(tok: Token) -> bool:
        return any(q.start <= tok.idx < q.end for q in quote_spans)

    for sent in doc.sents:
        for tok in sent:
            low = tok.lower_
            # ---- "according to X"
            if low == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                obj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
                if obj is None:
                    continue
                src_tokens = _trim_source_tokens(obj)
                origin_tok = _citing(obj) or _citing(tok)
                if origin_tok is not None:
                    cite_tok = origin_tok.head
                    src_tokens = [t for t in src_tokens if t.i < cite_tok.i and not t.is_punct]
                    src_tokens = src_tokens or [obj]
                source = resolver.resolve(src_tokens, doc)
                content = _sentence_span(sent, exclude=[tok])
                qi = quote_index(content)
                outer = Attribution(
                    "according_to", content, source, _span_of([tok, doc[tok.i + 1]]), "according to"
                )
                if qi is not None:
                    claimed_quotes.add(qi)
                found.append(outer)
                if origin_tok is not None:
                    origin = resolver.resolve(_trim_source_tokens(origin_tok), doc)
                    found.append(
                        Attribution(
                            "chain",
                            content,
                            origin,
                            _tok_span(origin_tok.head),
                            "cite",
                            parent=outer,
                        )
                    )
                continue
            # ---- "reportedly", "allegedly"
            if low in HEDGE_ADVERBS:
                head = tok.head if tok.head != tok else tok
                content = (
                    _clause_span(head) if head.pos_ in ("VERB", "AUX") else _sentence_span(sent)
                )
                found.append(
                    Attribution(
                        "hedged", content, Source(tok.text, "vague", None), _tok_span(tok), low
                    )
                )
                continue
            if tok.pos_ not in ("VERB", "AUX"):
                continue
            lemma = tok.lemma_.lower()
            # ---- passives: "is accused of", "it is claimed that", "is said to"
            if (
                _passive(tok)
                and _agent(tok) is None
                and (lemma in ACCUSATION_LEMMAS or lemma in HEDGE_PASSIVE_LEMMAS)
            ):
                xcomp = next((c for c in tok.children if c.dep_ == "xcomp"), None)
                if (
                    lemma in HEDGE_PASSIVE_LEMMAS
                    and lemma not in ACCUSATION_LEMMAS
                    and xcomp is not None
                ):
                    kind = "hedged"
                elif lemma in ACCUSATION_LEMMAS or any(c.dep_ == "ccomp" for c in tok.children):
                    kind = "agentless_passive"
                else:
                    continue
                content = _clause_span(tok)
                found.append(
                    Attribution(kind, content, Source("", "none", None), _tok_span(tok), lemma)
                )
                continue
            if not _is_cue_verb(tok):
                continue
            if inside_quote(tok):
                continue
            comp = next((c for c in tok.children if c.dep_ in ("ccomp", "parataxis")), None)
            subj = _subject(tok)
            if _passive(tok):
                subj = _agent(tok)
            if subj is None:
                continue
            if subj.lower_ in ("it", "this", "that") and comp is None:
                continue
            if comp is not None:
                content = _clause_span(comp)
            elif tok.dep_ in ("parataxis", "advcl", "conj") and tok.head.pos_ in ("VERB", "AUX"):
                # "…, X said" parsed with the main clause as head
                content = _clause_span(tok.head, exclude=[tok])
            elif any(
                q.start >= sent.start_char - 2 and q.start <= sent.end_char + 2 for q in quote_spans
            ):
                content = Span(sent.start_char, sent.end_char)
            else:
                continue
            origin_tok = _citing(tok)
            src_tokens = _trim_source_tokens(subj)
            source = resolver.resolve(src_tokens, doc)
            qi = quote_index(content)
            if qi is None:
                # quote in the same or the next sentence: "X said: “…”"
                for k, q in enumerate(quote_spans):
                    if (
                        k not in claimed_quotes
                        and sent.start_char - 1 <= q.start <= sent.end_char + 3
                    ):
                        qi = k
                        break
            if qi is not None and qi not in claimed_quotes:
                claimed_quotes.add(qi)
                outer = Attribution("direct_quote", quote_spans[qi], source, _tok_span(tok), lemma)
            else:
                outer = Attribution("reported", content, source, _tok_span(tok), lemma)
            found.append(outer)
            if origin_tok is not None:
                origin = resolver.resolve(_trim_source_tokens(origin_tok), doc)
                found.append(
                    Attribution(
                        "chain",
                        outer.content,
                        origin,
                        _tok_span(origin_tok.head),
                        "cite",
                        parent=outer,
                    )
                )
    _speaker_turns(doc, found, quote_spans, claimed_quotes, resolver)
    _credit_orphan_quotes(found, quote_spans, claimed_quotes, text)
    found.sort(key=lambda a: (a.content.start, a.content.end, a.kind))
    return _dedupe(found)


def _dedupe(items: list[Attribution]) -> list[Attribution]:
    seen: set[tuple[str, int, int, int | None]] = set()
    out: list[Attribution] = []
    for a in items:
        key = (a.kind, a.content.start, a.content.end, a.cue.start if a.cue else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(a if a.content.end > a.content.start else replace(a))
    return out


# ---------------------------------------------------------------- learned path


def extract_attributions(
    doc: Doc, head: AttributionHead | None = None, use_head: bool = True
) -> list[Attribution]:
    """All attributions in a parsed article, in text order.

    With the learned head (``framing.nlp.attribution_model``; the packaged one unless ``head`` is
    given) a cue classifier finds cues and a ranker picks their sources; content comes from the
    parse and the quote marks. Without a head the v1 rules run. Odd input never raises: a failure
    on one cue drops that cue, a failure of the whole learned path falls back to the rules.
    """
    if head is None and use_head:
        from framing.nlp.attribution_model import load_head

        head = load_head()
    if head is not None:
        try:
            return _extract_learned(doc, head)
        except Exception:  # one article must never fail because of attribution
            log.exception("learned attribution failed; falling back to rules")
    try:
        return extract_attributions_rules(doc)
    except Exception:
        log.exception("rule attribution failed; article keeps no attributions")
        return []


def _at(scores: Any, i: int) -> float:
    return float(scores[i]) if i < len(scores) else 0.0


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


#: Objects that make "claim" a verb of taking, not of saying ("claimed hundreds of lives").
TAKEN = frozenset({"life", "lives", "toll", "victim", "victims", "casualty", "casualties"})


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


def _function_words_only(group: Sequence[Token], heads: set[int]) -> bool:
    """A cue of prepositions or adverbs alone, hanging on a word that is a cue of its own."""
    if any(t.pos_ not in ("ADP", "ADV", "PART") or t.lower_ in HEDGE_ADVERBS for t in group):
        return False
    root = _cue_head(group)
    return root.head.i in heads and root.head.i != root.i


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


#: Adverbs the cue classifier learns from "also said", "again warned": never a cue alone.
FOCUS_ADVERBS = frozenset({"also", "again", "too", "still", "even", "then", "later", "repeatedly"})

#: Documents that speak for whoever issued them ("the ministry's statement said").
DOCUMENT_NOUNS = frozenset({
    "statement", "communique", "communiqué", "release", "letter", "memo", "report", "notice",
    "declaration", "announcement", "bulletin", "filing", "post", "tweet", "message", "note",
})


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


#: A relative pronoun as a cue's subject stands for the noun its clause hangs on.
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})


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
    if _is_cue_verb(up):
        return up
    if up.dep_ == "ccomp" and _is_cue_verb(up.head) and up.head.i < tok.i:
        return up.head
    # "said in a statement that A, and called for B": A hangs on "statement"
    if up.dep_ in ("ccomp", "acl") and up.head.dep_ == "pobj" and up.head.head.dep_ == "prep":
        verb = up.head.head.head
        if _is_cue_verb(verb) and verb.i < tok.i:
            return verb
    return None


#: Marks of a clause that sets a second speaker against the first ("…, while B says Y").
CONTRAST_MARKS = frozenset({"while", "whereas", "although", "though", "but"})


def _rival_report(tok: Token) -> bool:
    """A contrastive adverbial clause headed by a reporting verb with a subject of its own."""
    return (
        tok.dep_ == "advcl"
        and tok.lemma_.lower() in cue_lemmas()
        and any(c.dep_ in SUBJECT_DEPS for c in tok.children)
        and any(c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS for c in tok.children)
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


def _extract_learned(doc: Doc, head: AttributionHead) -> list[Attribution]:
    from framing.nlp.attribution_model import (
        CUE_POS,
        CUE_PUNCT,
        cue_features,
        noun_prefix,
        quote_mask,
        sentence_has_quote,
        source_candidates,
        source_features,
        token_table,
    )

    text = doc.text
    quote_ranges = find_quotes(text)
    qmask = quote_mask(doc, text, quote_ranges)
    nouns = noun_prefix(doc)
    table = token_table(doc)
    tensor = doc.tensor if doc.tensor is not None and len(doc.tensor) == len(doc) else None
    cue_dense = head.cue.dense_scores(tensor)
    src_dense = head.source.dense_scores(tensor)
    quote_spans = [Span(s, e) for s, e in quote_ranges]
    resolver = _SourceResolver(text, quote_ranges)
    found: list[Attribution] = []
    claimed: set[int] = set()
    consumed: set[int] = set()  # "citing" tokens already turned into a chain

    for sent in doc.sents:
        has_quote = sentence_has_quote(sent)
        cue_toks = [
            doc[i]
            for i in range(sent.start, sent.end)
            if (
                table.text[i] in CUE_PUNCT
                if table.pos[i] == "PUNCT"
                else table.pos[i] in CUE_POS  # the test of is_cue_candidate, on the table
            )
            and head.cue.score(cue_features(doc[i], qmask, has_quote, table), _at(cue_dense, i))
            >= head.cue.threshold
        ]
        for t in sent:
            # hedges and agentless passives the classifier left out still count
            if t.lower_ in HEDGE_ADVERBS or (
                t.pos_ in ("VERB", "AUX")
                and _passive(t)
                and _agent(t) is None
                and (t.lemma_.lower() in ACCUSATION_LEMMAS)
            ):
                if t not in cue_toks:
                    cue_toks.append(t)
        cue_toks.sort(key=lambda t: t.i)
        groups = _group_cues(cue_toks)
        heads = {_cue_head(g).i for g in groups}
        for k, group in enumerate(groups):
            cue = _cue_head(group)
            up = cue.head
            if (
                cue.lemma_.lower() == "cite"
                and cue.dep_ in ("advcl", "xcomp", "conj", "acl")
                and up.i not in heads
                and up.pos_ in ("VERB", "AUX")
                and up.lemma_.lower() in cue_lemmas()
            ):
                # "X said, citing Y": the reporting verb is the cue, "citing" opens the chain
                groups[k] = [up]
                heads.add(up.i)
            elif (
                cue.dep_ in ("aux", "auxpass", "neg")
                and up.pos_ in ("VERB", "AUX")
                and up.i not in heads
                and 0 < up.i - group[-1].i <= 2
            ):
                # an auxiliary alone ("had" of "had called"): the verb carries the cue
                groups[k] = [*group, *cue.doc[group[-1].i + 1 : up.i + 1]]
                heads.add(up.i)
        groups.sort(key=lambda g: g[0].i)
        absorbed: dict[int, int] = {}  # verb cue -> last token of its "in a statement"
        for group in groups:
            cue = _cue_head(group)
            if _inside_verb_cue(cue, heads):
                verb = cue.head.head.i
                absorbed[verb] = max(absorbed.get(verb, 0), group[-1].i)
        for group in groups:
            cue = _cue_head(group)
            if cue.i in consumed or _inside_verb_cue(cue, heads):
                continue
            if _not_speech(cue):
                continue
            if _function_words_only(group, heads):
                continue  # "about" of "talked to her about": the verb's cue already covers it
            if all(t.lower_ in FOCUS_ADVERBS for t in group) and not _is_cue_verb(cue.head):
                continue  # "also" of "he also bought": an adverb reports nothing on its own
            if all(t.dep_ in ("aux", "auxpass", "neg") for t in group) and not _is_cue_verb(
                cue.head
            ):
                continue  # "have" of "have so far reached": an auxiliary alone reports nothing
            if cue.i in absorbed and absorbed[cue.i] > group[-1].i:
                group = list(doc[group[0].i : absorbed[cue.i] + 1])
            try:
                made = _attribution_for_cue(
                    doc,
                    sent,
                    group,
                    cue,
                    head,
                    qmask,
                    quote_spans,
                    claimed,
                    resolver,
                    lambda c, cue=cue: head.source.score(  # type: ignore[misc]
                        source_features(cue, c, qmask, nouns), _at(src_dense, c.i)
                    ),
                    source_candidates,
                )
            except Exception:
                log.exception("attribution failed on cue %r", cue.text)
                continue
            for a in made:
                found.append(a)
                if a.kind == "chain" and a.cue is not None:
                    consumed.update(t.i for t in sent if t.idx == a.cue.start)
    _speaker_turns(doc, found, quote_spans, claimed, resolver)
    _credit_orphan_quotes(found, quote_spans, claimed, text)
    found.sort(key=lambda a: (a.content.start, a.content.end, a.kind))
    return _dedupe(found)


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
#: Labels that introduce something other than speech.
NOT_SPEAKERS = frozenset(
    {
        "a", "q", "note", "notes", "update", "updated", "correction", "clarification", "editor",
        "editor's note", "editor’s note", "photo", "photos", "video", "watch", "read", "read more",
        "related", "see also", "advertisement", "warning", "breaking", "exclusive", "live",
        "full text", "transcript", "opinion", "analysis", "editorial", "image", "credit",
        "caption", "source", "sources", "tags", "topics", "share", "listen", "subscribe", "also",
        "more", "contact", "email", "tel", "phone", "date", "time", "location", "summary",
        "background", "context", "ps", "p.s", "nb", "edit", "disclaimer", "graphic", "map",
        "chart", "table", "figure", "fig", "step", "part", "chapter", "section", "example",
        "the latest", "latest", "key points", "highlights", "what we know", "why it matters",
    }
)


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


def _attribution_for_cue(
    doc: Doc,
    sent: SpacySpan,
    group: Sequence[Token],
    cue: Token,
    head: AttributionHead,
    qmask: Sequence[bool],
    quote_spans: Sequence[Span],
    claimed: set[int],
    resolver: _SourceResolver,
    source_score: Callable[[Token], float],
    source_candidates: Callable[[Token], list[Token]],
) -> list[Attribution]:
    lemma = cue.lemma_.lower()
    low = cue.lower_
    group_ids = {t.i for t in group}
    cue_span = _span_of(group) if any(not t.is_punct for t in group) else _tok_span(cue)
    according = any(t.lower_ == "according" for t in group)
    out: list[Attribution] = []
    if low in HEDGE_ADVERBS:
        hd = cue.head if cue.head != cue else cue
        content = _clause_span(hd) if hd.pos_ in ("VERB", "AUX") else _sentence_span(sent)
        return [Attribution("hedged", content, Source(cue.text, "vague", None), cue_span, low)]
    if (
        cue.pos_ in ("VERB", "AUX")
        and _passive(cue)
        and _agent(cue) is None
        and (lemma in ACCUSATION_LEMMAS or lemma in HEDGE_PASSIVE_LEMMAS)
    ):
        xcomp = next((c for c in cue.children if c.dep_ == "xcomp"), None)
        if lemma in HEDGE_PASSIVE_LEMMAS and lemma not in ACCUSATION_LEMMAS and xcomp is not None:
            kind = "hedged"
        elif lemma in ACCUSATION_LEMMAS or any(c.dep_ == "ccomp" for c in cue.children):
            kind = "agentless_passive"
        else:
            kind = ""
        if kind:
            content = _clause_span(cue)
            return [Attribution(kind, content, Source("", "none", None), cue_span, lemma)]
    # ---- source
    src_tokens: list[Token] = []
    cite: tuple[Token, Token] | None = None
    if according:
        to = next((t for t in group if t.lower_ == "to"), None)
        if to is None and cue.i + 1 < len(doc) and doc[cue.i + 1].lower_ == "to":
            to = doc[cue.i + 1]
        obj = None if to is None else next((c for c in to.children if c.dep_ == "pobj"), None)
        if obj is not None:
            src_tokens = _trim_source_tokens(obj)
            stolen = _stolen_subject(next(t for t in group if t.lower_ == "according"))
            if stolen is not None:
                cut = stolen.left_edge.i
                src_tokens = _strip_punct([t for t in src_tokens if t.i < cut]) or [obj]
            origin_tok = _citing(obj)
            if origin_tok is not None:
                cite = (origin_tok.head, origin_tok)
    if not src_tokens and not according:
        cands = [c for c in source_candidates(cue) if c.i not in group_ids]
        best, best_p = None, 0.0
        for c in cands:
            p = source_score(c)
            if p > best_p:
                best, best_p = c, p
        if best is not None and best_p >= head.source.threshold:
            drop = [c for c in best.children if c.dep_ in ("relcl",) and not _mentions_anonymity(c)]
            if cue in best.subtree:
                drop.append(cue)
            skip = {t.i for d in drop for t in d.subtree}
            src_tokens = [
                t
                for t in best.subtree
                if t.i not in skip and t.i not in group_ids and sent.start <= t.i < sent.end
            ]
            src_tokens = _strip_punct(src_tokens) or [best]
    reporter = _second_report_of(cue, detected=True)
    if reporter is not None and not according:
        # "The agency said that …, and called for more funding": the agency called for it
        subj = _subject(reporter)
        if subj is not None and subj.pos_ in ("NOUN", "PROPN", "PRON"):
            src_tokens = _strip_punct(_trim_source_tokens(subj)) or [subj]
    if cite is None:
        origin_tok = _citing(cue)
        if origin_tok is not None:
            cite = (origin_tok.head, origin_tok)
        else:
            anchor = max([t.i for t in group] + [t.i for t in src_tokens])
            cite = _citing_after(doc, anchor, sent)
    if cite is not None:
        # "X, citing Y": the source phrase stops before "citing"
        src_tokens = _strip_punct([t for t in src_tokens if t.i < cite[0].i or t.i < cue.i])
    source = resolver.resolve(src_tokens, doc) if src_tokens else Source("", "none", None)
    # who the source phrase stands for; its span stays the phrase as written
    # "The ministry's statement said …": the ministry stands behind it, through a document
    issuer = _document_issuer(src_tokens) if src_tokens and not according else None
    stands_for = issuer
    if (
        len(src_tokens) == 1
        and src_tokens[0].lower_ in RELATIVE_PRONOUNS
        and cue.dep_ == "relcl"
        and cue.head.pos_ in ("NOUN", "PROPN")
    ):
        # "a shopkeeper, who asked not to be named": "who" is the shopkeeper
        stands_for = _strip_punct([t for t in cue.head.subtree if t.i < cue.left_edge.i])
    if stands_for:
        named = resolver.resolve(stands_for, doc)
        source = Source(named.name, named.kind, source.span, named.role)
    # ---- content
    skip_ids = {t.i for t in src_tokens}
    if cite is not None:
        skip_ids.update(t.i for t in cite[1].subtree)
        skip_ids.add(cite[0].i)
    text = resolver.text
    hull = _hull(_content_tokens(cue, group, skip_ids, sent))
    if hull is None:
        # "“…?” Clinton said." parsed as a sentence of its own: the quote just before is the content
        first = min([cue_span.start] + [t.idx for t in src_tokens])
        before = [
            q
            for k, q in enumerate(quote_spans)
            if k not in claimed
            and q.end <= first
            and len(text[q.end : first]) <= 4
            and not any(ch.isalnum() or ch == "\n" for ch in text[q.end : first])
        ]
        if not before:
            return []
        hull = before[-1]
    content = hull
    # a quote the content touches (or that follows a cue ending its sentence) is the content
    qi = None
    for k, q in enumerate(quote_spans):
        if q.start <= cue_span.start < q.end:
            continue  # the cue sits inside this quote
        if content.overlaps(q) or (
            k not in claimed
            and cue_span.end <= q.start
            and text_tail_is_colon(text, cue_span.end, q.start)
        ):
            qi = k
            break
    kind = "according_to" if according or issuer is not None else "reported"
    if qi is not None:
        q = quote_spans[qi]
        content = Span(min(content.start, q.start), max(content.end, q.end))
        if not according and issuer is None and qi not in claimed:
            kind = "direct_quote"
        claimed.add(qi)
        # "“Part one,” she said. “Part two.”": the quote resumes right after the cue
        if q.end <= cue_span.start and qi + 1 < len(quote_spans):
            nxt = quote_spans[qi + 1]
            tail = max([cue_span.end] + [t.idx + len(t.text) for t in src_tokens])
            gap = text[tail : nxt.start]
            if len(gap) <= 4 and not any(ch.isalnum() for ch in gap) and "\n" not in gap:
                content = Span(content.start, max(content.end, nxt.end))
                claimed.add(qi + 1)
    cue_lemma = "according to" if according else lemma
    outer = Attribution(kind, content, source, cue_span, cue_lemma)
    out.append(outer)
    if cite is not None:
        origin = resolver.resolve(_trim_source_tokens(cite[1]), doc)
        out.append(Attribution("chain", content, origin, _tok_span(cite[0]), "cite", parent=outer))
    return out


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


def text_tail_is_colon(text: str, start: int, end: int) -> bool:
    """Only white space, a comma or a colon between a cue and a following quote."""
    gap = text[start:end]
    return len(gap) <= 4 and all(ch.isspace() or ch in ":,—–-“\"‘" for ch in gap)
