"""Attribution v1: who stands behind each assertion, from quotes and the dependency parse.

Rules after the PARC attribution scheme (Pareti 2016) and rule-based quote attribution in
GenderGapTracker (Asr et al. 2021): a cue (reporting verb, "according to", "reportedly"), its
source (the cue's subject, the object of "according to", the object of "citing"), and its content
(the complement clause, the quoted text, or the clause the cue modifies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from framing.models import Attribution, Source, Span
from framing.resources import read_lines, read_table

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

OPEN_QUOTES = "“‘«"
CLOSE_QUOTES = "”’»"
STRAIGHT = '"'
#: Quotes shorter than this (in words) are scare quotes or titles, not speech.
MIN_QUOTE_WORDS = 4

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


def cue_stance(lemma: str | None) -> str | None:
    """Stance of a cue lemma: ``neutral``, ``evaluative`` or ``epistemic`` (None when unknown)."""
    if lemma is None:
        return None
    return cue_lemmas().get(lemma)


# ---------------------------------------------------------------- quotes


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
        if start is None and is_open:
            start = i + 1
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
    toks = [t for t in tokens if not t.is_punct or t.text in "'’"]
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


def _trim_source_tokens(head: Token) -> list[Token]:
    """Source phrase: the subject subtree without relative clauses or trailing punctuation."""
    drop = [c for c in head.children if c.dep_ in ("relcl", "acl") and not _mentions_anonymity(c)]
    toks = _subtree_tokens(head, drop)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        toks.pop()
    while toks and (toks[0].is_punct or toks[0].is_space):
        toks.pop(0)
    return toks or [head]


def _mentions_anonymity(tok: Token) -> bool:
    return any(
        t.lower_ in ("anonymity", "anonymous", "unnamed", "unidentified") for t in tok.subtree
    )


def classify_source(tokens: Sequence[Token], doc: Doc) -> tuple[str, str | None]:
    """Source kind and role (title) of a source phrase."""
    nouns = source_nouns()
    lowers = [t.lower_ for t in tokens]
    if any(w in ("anonymity", "anonymous", "unnamed", "unidentified") for w in lowers):
        return "anonymous", None
    span_start, span_end = tokens[0].i, tokens[-1].i + 1
    ents = [e for e in doc.ents if e.start >= span_start and e.end <= span_end]
    persons = [e for e in ents if e.label_ == "PERSON"]
    orgs = [e for e in ents if e.label_ in ("ORG", "GPE", "NORP", "FAC")]
    if persons:
        role_toks = [
            t
            for t in tokens
            if t.i < persons[0].start and not t.is_punct and t.lower_ not in ("the", "a", "an")
        ]
        role = " ".join(t.text for t in role_toks) or None
        for c in doc[persons[0].start : persons[0].end].root.children:
            if c.dep_ == "appos" and c.i >= span_start and c.i < span_end:
                role = " ".join(t.text for t in c.subtree if not t.is_punct)
        return "named_person", role
    heads = [t for t in tokens if t.dep_ not in ("det", "amod", "compound", "poss", "case")]
    head = tokens[-1]
    for t in tokens:
        if t.head not in tokens or t.head == t:
            head = t
            break
    head_kind = nouns.get(head.lower_) or nouns.get(head.lemma_.lower())
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
        return (
            "named_person" if len([t for t in tokens if t.pos_ == "PROPN"]) >= 2 else "named_org"
        ), None
    _ = heads
    return "vague", None


class _SourceResolver:
    """Resolves pronoun sources to the nearest preceding named source of a fitting kind."""

    def __init__(self) -> None:
        self.history: list[Source] = []

    def resolve(self, tokens: Sequence[Token], doc: Doc) -> Source:
        span = _span_of(tokens)
        if len(tokens) == 1 and tokens[0].lower_ in PRONOUNS:
            want = PRONOUNS[tokens[0].lower_]
            for prev in reversed(self.history):
                if want == "person" and prev.kind != "named_person":
                    continue
                if want == "org" and prev.kind not in ("named_org", "media", "official"):
                    continue
                if prev.kind in ("named_person", "named_org", "media", "official"):
                    return Source(prev.name, prev.kind, span, prev.role)
            return Source(tokens[0].text, "vague" if want != "person" else "none", span)
        kind, role = classify_source(tokens, doc)
        name = doc.text[span.start : span.end]
        if kind == "named_person":
            persons = [
                e
                for e in doc.ents
                if e.label_ == "PERSON" and e.start >= tokens[0].i and e.end <= tokens[-1].i + 1
            ]
            if persons:
                name = persons[0].text
        source = Source(name, kind, span, role)
        if kind in ("named_person", "named_org", "media", "official"):
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


def extract_attributions(doc: Doc) -> list[Attribution]:
    """All attributions in a parsed article, in text order."""
    text = doc.text
    resolver = _SourceResolver()
    found: list[Attribution] = []
    quotes = find_quotes(text)
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
    # quotes nobody was found for: credit to the previous speaker in the paragraph, if any
    for k, q in enumerate(quote_spans):
        if k in claimed_quotes:
            continue
        prev = [
            a
            for a in found
            if a.kind in ("direct_quote", "reported")
            and a.content.end <= q.start
            and "\n\n" not in text[a.content.end : q.start]
        ]
        if prev:
            speaker = prev[-1]
            found.append(Attribution("direct_quote", q, speaker.source, None, None))
        else:
            found.append(Attribution("direct_quote", q, Source("", "none", None), None, None))
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
