"""Extraction: the rules path, the learned path (cue classifier and source ranker), and the one
entry point that picks between them.

Rules after the PARC attribution scheme (Pareti 2016) and rule-based quote attribution in
GenderGapTracker (Asr et al. 2021): a cue (reporting verb, "according to", "reportedly"), its
source (the cue's subject, the object of "according to", the object of "citing"), and its content
(the complement clause, the quoted text, or the clause the cue modifies).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from framing.models import Attribution, Source, Span
from framing.nlp.attribution.chains import split_quoted_as_saying
from framing.nlp.attribution.content import (
    _clause_span,
    _content_tokens,
    _hull,
    _sentence_span,
    _stolen_subject,
)
from framing.nlp.attribution.cues import (
    FOCUS_ADVERBS,
    _cue_head,
    _group_cues,
    _inside_verb_cue,
    _not_speech,
    _second_report_of,
    cue_candidate,
    cue_stance,
    is_cue_verb,
)
from framing.nlp.attribution.headlines import headline_colon, headline_speech
from framing.nlp.attribution.hedges import (
    ACCUSATION_LEMMAS,
    HEDGE_ADVERBS,
    agentless_passive,
    headline_passives,
    hedge_attribution,
    is_hedge,
)
from framing.nlp.attribution.kinds import VAGUE_QUANTIFIERS, settle_kinds
from framing.nlp.attribution.light_verbs import speech_act_nouns
from framing.nlp.attribution.quotes import find_quotes, text_tail_is_colon
from framing.nlp.attribution.signatures import lead_ins, signed_blocks
from framing.nlp.attribution.sources import (
    RELATIVE_PRONOUNS,
    _citing,
    _citing_after,
    _document_issuer,
    _mentions_anonymity,
    _SourceResolver,
    _trim_source_tokens,
)
from framing.nlp.attribution.speech import keep_speech
from framing.nlp.attribution.tokens import (
    _agent,
    _passive,
    _span_of,
    _strip_punct,
    _subject,
    _tok_span,
    doc_text,
)
from framing.nlp.attribution.turns import _credit_orphan_quotes, _speaker_turns, speakers_after

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

    from framing.nlp.attribution_model import AttributionHead

log = logging.getLogger(__name__)


def head_info() -> str:
    """Which attribution path runs: the learned head's version, or ``rules`` when it is absent."""
    from framing.nlp import attribution_model

    head = attribution_model.load_head()
    return "rules" if head is None else f"rules+head {head.version}"


def extract_attributions_rules(doc: Doc) -> list[Attribution]:
    """Attributions found by the v1 rules alone (the path taken when no head is installed)."""
    text = doc_text(doc)
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
            # ---- "reportedly", "allegedly"; passives: "is accused of", "it is claimed that"
            if is_hedge(tok):
                made = hedge_attribution(tok, sent, _tok_span(tok))
                if made is not None:
                    found.append(made)
                continue
            if tok.pos_ not in ("VERB", "AUX"):
                continue
            lemma = tok.lemma_.lower()
            if not is_cue_verb(tok):
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


def extract_attributions(
    doc: Doc, head: AttributionHead | None = None, use_head: bool = True, acts: bool = False,
    headline_end: int = 0,
) -> list[Attribution]:
    """All attributions in a parsed article, in text order.

    With the learned head (``framing.nlp.attribution_model``; the packaged one unless ``head`` is
    given) a cue classifier finds cues and a ranker picks their sources; content comes from the
    parse and the quote marks. Without a head the v1 rules run.

    By default only claims stay: speech, writing or belief with content
    (:func:`framing.nlp.attribution.speech.keep_speech`). ``acts=True`` keeps every relation of
    the PARC/PolNeAR scheme, which also marks acts of a source that credit it with no claim
    ("did not respond to requests for comment", "has also commented on X's death", "a group
    called X"); ``framing eval polnear`` scores both. Sentences before ``headline_end`` are the
    headline (:func:`framing.nlp.attribution.hedges.headline_passives`). Odd input never raises: a failure
    on one cue drops that cue, a failure of the whole learned path falls back to the rules.
    """
    if head is None and use_head:
        from framing.nlp.attribution_model import load_head

        head = load_head()
    if head is not None:
        try:
            return _finish(doc, _extract_learned(doc, head), acts, headline_end)
        except Exception:  # one article must never fail because of attribution
            log.exception("learned attribution failed; falling back to rules")
    try:
        return _finish(doc, extract_attributions_rules(doc), acts, headline_end)
    except Exception:
        log.exception("rule attribution failed; article keeps no attributions")
        return []


def _finish(
    doc: Doc, found: list[Attribution], acts: bool, headline_end: int = 0
) -> list[Attribution]:
    """The steps both paths share: "quoted X as saying" chains and headline passives; then,
    unless ``acts``, claims only with their source kinds settled over the article; cue stance
    last."""
    found = headline_passives(doc, split_quoted_as_saying(doc, found), headline_end)
    if not acts:
        found = headline_speech(doc, keep_speech(doc, found), headline_end)
        found = settle_kinds(doc, headline_colon(doc, found, headline_end))
        found = speakers_after(doc, lead_ins(doc, signed_blocks(doc, found)))
        found = speech_act_nouns(doc, found)
    return _with_stance(found)


def _with_stance(items: list[Attribution]) -> list[Attribution]:
    """Each attribution, and the one it is cited within, with the stance of its cue lemma."""
    done: dict[int, Attribution] = {}

    def stanced(a: Attribution) -> Attribution:
        if id(a) not in done:
            parent = None if a.parent is None else stanced(a.parent)
            done[id(a)] = replace(a, cue_stance=cue_stance(a.cue_lemma), parent=parent)
        return done[id(a)]

    return [stanced(a) for a in items]


def _at(scores: Any, i: int) -> float:
    return float(scores[i]) if i < len(scores) else 0.0


def _extract_learned(doc: Doc, head: AttributionHead) -> list[Attribution]:
    from framing.nlp.attribution_model import (
        cue_features,
        noun_prefix,
        quote_mask,
        sentence_has_quote,
        source_candidates,
        source_features,
        token_table,
    )

    text = doc_text(doc)
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
            if cue_candidate(table.pos[i], table.text[i])
            and head.cue.score(cue_features(doc[i], qmask, has_quote, table), _at(cue_dense, i))
            >= head.cue.threshold
        ]
        for t in sent:
            # hedges and agentless passives the classifier left out still count
            if t.lower_ in HEDGE_ADVERBS or agentless_passive(t, ACCUSATION_LEMMAS):
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
                and is_cue_verb(up)
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
            if all(t.lower_ in FOCUS_ADVERBS for t in group) and not is_cue_verb(cue.head):
                continue  # "also" of "he also bought": an adverb reports nothing on its own
            if all(t.dep_ in ("aux", "auxpass", "neg") for t in group) and not is_cue_verb(
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
    group_ids = {t.i for t in group}
    cue_span = _span_of(group) if any(not t.is_punct for t in group) else _tok_span(cue)
    according = any(t.lower_ == "according" for t in group)
    out: list[Attribution] = []
    if is_hedge(cue):
        made = hedge_attribution(cue, sent, cue_span)
        if made is not None:
            return [made]
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
    if not src_tokens and not according:
        # the ranker found no source: the cue verb's own subject, when it is a noun phrase
        # ("Marcel Lehel Lazar, 44, said that …")
        subj = _agent(cue) if _passive(cue) else _subject(cue)
        if subj is not None and (subj.pos_ in ("NOUN", "PROPN", "PRON") or (
                subj.lower_ in VAGUE_QUANTIFIERS)) and (  # "Many in Brennock believe …"
                sent.start <= subj.i < sent.end) and subj.i not in group_ids:
            src_tokens = _strip_punct(_trim_source_tokens(subj)) or [subj]
        elif subj is None and not _passive(cue):
            # a name the parser hung elsewhere, right before the verb ("…, Marcel Lazar, 44,
            # said"): the last person or organisation ending just before the cue
            ents_left = [e for e in sent.ents if e.label_ in ("PERSON", "ORG") and e.end <= cue.i]
            if ents_left:
                between = doc[ents_left[-1].end : group[0].i]
                if len(between) <= 4 and all(t.is_punct or t.pos_ == "NUM" for t in between):
                    src_tokens = list(ents_left[-1])
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
    issuer = _document_issuer(src_tokens) if src_tokens else None  # "according to a post from X"
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


def _function_words_only(group: Sequence[Token], heads: set[int]) -> bool:
    """A cue of prepositions or adverbs alone, hanging on a word that is a cue of its own."""
    if any(t.pos_ not in ("ADP", "ADV", "PART") or t.lower_ in HEDGE_ADVERBS for t in group):
        return False
    root = _cue_head(group)
    return root.head.i in heads and root.head.i != root.i
