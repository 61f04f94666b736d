"""Sentence assembly: which voice each sentence speaks in, and who each loaded span belongs to."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from framing.models import (
    UNIDENTIFIED_SOURCE_KINDS,
    Attribution,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)
from framing.nlp.attribution.signatures import SIGN_LEMMA
from framing.nlp.attribution.tokens import _passive, cue_verb, doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

#: Share of a sentence's characters an attribution's content must cover to credit the sentence.
COVER_SHARE = 0.4


def origin_source(attr: Attribution) -> Source:
    """The source that ultimately stands behind an attribution (a chain's origin)."""
    return attr.source


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _is_assertion(sent: SpacySpan) -> bool:
    return any(t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX") for t in sent) or any(
        t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm", []) for t in sent
    )


def _identified(a: Attribution) -> bool:
    """An identified source stands behind ``a``.

    A direct quotation whose speaker was not found is still an identified person's words (the
    guideline: every sentence of a quotation is ``attributed``; real news often names the speaker
    a paragraph later, or only in a byline or a sign-off), so only an explicitly anonymous or
    vague speaker makes a quotation ``vague``.
    """
    if a.kind in ("hedged", "agentless_passive"):
        return False
    if a.kind == "direct_quote":
        return a.source.kind not in ("anonymous", "vague")
    return a.source.kind not in UNIDENTIFIED_SOURCE_KINDS


#: Subordinators that make an adverbial clause background to the main clause ("As X announces
#: that …, he is set to …", "after X said …").
SUBORDINATORS = frozenset({"as", "while", "when", "whenever", "because", "since", "after",
                           "before", "although", "though", "if", "unless", "until", "whereas",
                           "once"})


def in_subordinate_clause(verb: Token) -> bool:
    """The verb sits in a relative, adjectival or marked adverbial clause, or a prepositional
    phrase, not in the sentence's main clause ("the lawsuit Lynch announced", "As Obama
    announces that …", "after saying …")."""
    tok = verb
    for _ in range(40):  # the path to the root; bounded against odd parses
        if tok.dep_ == "ROOT" or tok.head.i == tok.i:
            return False
        if tok.dep_ in ("relcl", "acl", "pcomp", "pobj", "amod", "csubj"):
            return True
        if tok.dep_ == "advcl" and any(
                c.dep_ in ("mark", "advmod") and c.lower_ in SUBORDINATORS
                for c in tok.children):  # "as X said", "when she claimed that …"
            return True
        tok = tok.head
    return False


def _noun_cue_is_topic(doc: Doc, a: Attribution) -> bool:
    """A speech noun the sentence talks about ("Clinton's Claim That … Isn't True", "his remarks
    loomed large"): the subject or object of the outlet's own predicate, not a frame of
    attribution ("in a statement", "according to")."""
    if a.cue is None:
        return False
    span = doc.char_span(a.cue.start, a.cue.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    last = span[-1]
    if last.i > 0 and doc[last.i - 1].tag_ == "POS":
        return True  # "X's claim", "Clinton’s Claim That …" (title case can tag it a verb)
    if last.pos_ != "NOUN" or any(t.pos_ in ("VERB", "AUX") for t in span):
        return False  # "expressed concern that …": the verb reports
    return last.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "conj") or (
        last.dep_ == "pobj" and last.head.lower_ not in ("in", "according", "to", "by", "from"))


def sentence_voice(
    sent_span: Span, text: str, attrs: Sequence[Attribution], is_assertion: bool,
    subordinate: Collection[int] = (), quoted: Sequence[Span] = (),
) -> str:
    """Voice of a sentence from the attributions covering it.

    ``question`` for questions; ``attributed`` when an identified source stands behind most of
    it; ``vague`` when the covering source is anonymous, vague or missing (hedges, agentless
    passives); ``author`` for an assertion nobody is credited with; ``other`` for fragments.
    Attributions in ``subordinate`` (ids) have their cue in a subordinate clause of this
    sentence ("the budget that X announced", "As X announces that …, Y"): the main clause is the
    outlet's assertion, so they do not decide the sentence's voice. A question inside
    quotation marks (``quoted``) is the speaker's, not the outlet's ``question``.
    """
    stripped = text.strip().rstrip("\"'”’ ")
    if stripped.endswith("?"):
        mark = sent_span.start + text.rfind("?")
        # a question inside quotation marks is the speaker's, not the outlet's own question
        if not any(q.start <= mark < q.end for q in quoted) and not any(
                a.kind == "direct_quote" and a.cue_lemma != SIGN_LEMMA
                and a.content.start <= mark < a.content.end for a in attrs):
            return "question"
    length = max(1, sent_span.end - sent_span.start)
    covering: list[Attribution] = []
    for a in attrs:
        if id(a) in subordinate:
            continue
        cover = _overlap(a.content, sent_span)
        if (a.cue is not None and sent_span.start <= a.cue.start < sent_span.end
                and a.cue_lemma != SIGN_LEMMA):  # a signature line is no assertion of its own
            cover = max(cover, int(COVER_SHARE * length) + 1)
        if cover >= COVER_SHARE * length:
            covering.append(a)
    # reported speech inside another source's claim ("Sources say X ordered Y") stands on the
    # outer source: the sentence's voice is the outer one's
    covering = [a for a in covering if not any(
        b is not a and a.cue is not None and b.content.contains(a.cue) and a.parent is not b
        and b.kind not in ("hedged", "agentless_passive") for b in covering)] or covering
    if covering:
        # A chain rests on its origin ("X reported, citing security sources" is as strong as
        # the security sources); otherwise one identified source standing behind the sentence
        # makes it attributed, even when a hedge or a spurious cue also covers it.
        chains = [a for a in covering if a.kind == "chain"]
        if chains:
            identified = any(a.source.kind not in UNIDENTIFIED_SOURCE_KINDS for a in chains)
        else:
            identified = any(_identified(a) for a in covering)
        return "attributed" if identified else "vague"
    return "author" if is_assertion else "other"


#: Attribution kinds whose content is someone's claim (hedges and agentless passives have none).
CLAIM_KINDS = frozenset({"direct_quote", "reported", "according_to", "chain"})


def _source_label(src: Source) -> str:
    if src.name:
        return src.name
    # a quote or a cue whose speaker was not found is still someone else's, not the outlet's
    return "(unidentified source)" if src.kind == "none" else f"({src.kind} source)"


#: A pair of single quotation marks around words ("Calls Hunting A 'Horror Show'", "‘fake’"):
#: the opening mark after a space or an opening bracket, the closing one before a space or
#: punctuation, so apostrophes inside words ("Trump's", "rock 'n' roll" aside) do not pair.
_SINGLE_QUOTE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))['‘](?=\w)([^'‘’\n]{1,150}?)(?<=[\w.,!?])['’](?=[\s.,;:!?)\]—–-]|$)")


def quoted_regions(text: str, offset: int = 0) -> list[Span]:
    """Character ranges inside quotation marks in ``text`` (double, and single quotation marks
    around words), shifted by ``offset``."""
    from framing.nlp.attribution import find_quotes

    out = [Span(offset + s, offset + e) for s, e in find_quotes(text, min_words=1)]
    for m in _SINGLE_QUOTE.finditer(text):
        inner = Span(offset + m.start(1), offset + m.end(1))
        if not any(q.overlaps(inner) for q in out):
            out.append(inner)
    return sorted(out, key=lambda q: (q.start, q.end))


def charge(
    span: Span, attrs: Sequence[Attribution], quoted: Sequence[Span] = (),
    sentence: Span | None = None,
) -> tuple[str, str | None]:
    """Who chose the words of ``span``, and whose claim they sit in: ``(speaker, reported_for)``.

    The guideline's rule: the quoted source chose the words only inside quotation marks
    (``quoted``: the article's quotation regions within the span's sentence); paraphrase in
    reported speech, the cue verb and everything else outside the marks are the outlet's wording
    (``"author"``), and for
    paraphrase ``reported_for`` names the source whose claim it is (the innermost claim holding
    the span; a chain's innermost is its origin). A sentence of a quotation that has no marks of
    its own (the middle of a quotation running over paragraphs) and a signed letter or post are
    the speaker's throughout; words inside marks that no claim holds are still a source's.
    """
    holders = [a for a in attrs if a.kind in CLAIM_KINDS and a.content.contains(span)
               and not (a.cue is not None and a.cue.overlaps(span))]
    in_marks = any(q.contains(span) for q in quoted)
    if not holders:
        if in_marks:
            claims = [a for a in attrs if a.kind in CLAIM_KINDS]
            return (_source_label(claims[0].source) if claims else "(unidentified source)"), None
        return "author", None
    signed = [a for a in holders if a.cue_lemma == SIGN_LEMMA]
    if signed:  # a reader's letter or post: every word in it is the signer's
        return _source_label(signed[0].source), None
    inner = min(holders, key=lambda a: (a.content.end - a.content.start, a.kind != "chain"))
    if in_marks:
        return _source_label(inner.source), None
    if inner.kind == "direct_quote":
        # outside the marks, in the sentence that names the speaker ("…,” Mr. Ryan said
        # stiffly.): the outlet's words; elsewhere in the quotation (a paragraph without marks
        # of its own, marks nested inside it, a block after "X stated:") the speaker's
        cue_here = inner.cue is not None and (sentence is None or sentence.contains(inner.cue))
        if not quoted or not cue_here:
            return _source_label(inner.source), None
    return "author", _source_label(inner.source)


def speaker_of(span: Span, attrs: Sequence[Attribution], quoted: Sequence[Span] = ()) -> str:
    """``"author"`` or the name of the quoted source whose words ``span`` is (:func:`charge`)."""
    return charge(span, attrs, quoted)[0]


def build_sentences(
    doc: Doc, attrs: Sequence[Attribution], loaded: Sequence[LoadedSpan], hedges: Sequence[Span],
    headline_end: int = 0,
) -> list[SentenceAnalysis]:
    """One SentenceAnalysis per non-empty sentence, attributions and spans assigned by offset.

    Sentences before ``headline_end`` are the headline: headline grammar drops the finite verb
    ("Three engineers freed after talks", "Tarsovian butchers massacre families"), so a headline
    is an assertion even where the parse finds none.
    """
    text = doc_text(doc)
    sents = []
    for sent in doc.sents:
        if not any(ch.isalnum() for ch in sent.text):
            continue  # a stray quote mark or bullet the parser split off: no words to analyse
        toks = [t for t in sent if not t.is_space]
        sents.append((sent, toks, Span(toks[0].idx, toks[-1].idx + len(toks[-1].text))))
    # each attribution, span and hedge goes to the sentences it touches, found by bisection
    # (a scan of every item per sentence made long articles quadratic)
    starts = [span.start for _, _, span in sents]
    by_attr: list[set[int]] = [set() for _ in sents]
    for n, a in enumerate(attrs):
        k = max(0, bisect.bisect_right(starts, a.content.start) - 1)
        while k < len(sents) and sents[k][2].start < a.content.end:
            if _overlap(a.content, sents[k][2]) > 0:
                by_attr[k].add(n)
            k += 1
        if a.cue is not None:
            k = bisect.bisect_right(starts, a.cue.start) - 1
            if k >= 0 and sents[k][2].contains(a.cue):
                by_attr[k].add(n)
    by_loaded: list[list[LoadedSpan]] = [[] for _ in sents]
    for ls in loaded:
        k = bisect.bisect_right(starts, ls.span.start) - 1
        if k >= 0 and ls.span.start < sents[k][2].end:
            by_loaded[k].append(ls)
    by_hedge: list[list[Span]] = [[] for _ in sents]
    for h in hedges:
        k = bisect.bisect_right(starts, h.start) - 1
        if k >= 0 and h.start < sents[k][2].end:
            by_hedge[k].append(h)
    # quotation marks over the whole article: a quotation opened in an earlier sentence or
    # paragraph still holds this sentence's words
    regions = quoted_regions(text)
    out: list[SentenceAnalysis] = []
    for k, (sent, toks, span) in enumerate(sents):
        s_attrs = tuple(attrs[n] for n in sorted(by_attr[k]))
        s_text = text[span.start : span.end]
        quoted = tuple(Span(max(q.start, span.start), min(q.end, span.end))
                       for q in regions if q.overlaps(span))
        s_loaded = tuple(
            replace(ls, speaker=who, reported_for=claim)
            for ls in by_loaded[k]
            for who, claim in [charge(ls.span, s_attrs, quoted, span)]
        )
        assertion = _is_assertion(sent) or span.start < headline_end
        subordinate = set()
        for a in s_attrs:
            if a.cue is None or not span.contains(a.cue) or a.kind == "chain":
                continue  # a chain's "citing" or "as saying" links it to its origin
            verb = cue_verb(doc, a)
            if verb is not None and in_subordinate_clause(verb):
                subordinate.add(id(a))
            elif a.kind == "reported" and _noun_cue_is_topic(doc, a):
                subordinate.add(id(a))
            elif (a.kind == "reported" and a.source.span is None and a.source.kind == "none"
                  and verb is not None and not _passive(verb)):
                # an active cue with no source phrase at all ("did not appear to pay off",
                # "Revealed: …"): nobody is credited, vaguely or otherwise (an agentless
                # passive, "have been praised for", still is a vague speech act)
                subordinate.add(id(a))
        voice = sentence_voice(span, s_text, s_attrs, assertion, subordinate, quoted)
        out.append(
            SentenceAnalysis(
                index=len(out),
                span=span,
                text=s_text,
                voice=voice,
                attributions=s_attrs,
                loaded=s_loaded,
                hedges=tuple(by_hedge[k]),
                n_words=sum(1 for t in toks if not t.is_punct),
                is_assertion=assertion,
                quoted=quoted,
            )
        )
    return out
