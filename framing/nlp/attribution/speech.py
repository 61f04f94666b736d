"""Which cues really report speech: the last check every attribution passes, on both paths.

A verb is a cue only when it introduces speech, writing, belief or a speech act with content
(PARC's attribution relation, Pareti 2016). An actor's action is the author's assertion about that
actor: "The ministry released a video", "Police ordered her held", "Halden Build did not reply
to questions", "has not commented on the release". Look-alikes that name rather than report are
not attributions: "a group called X", "known locally as", "named after". A hedge on the verb
itself ("Aldane allegedly promised …") makes the whole act the alleged content: the hedge stands
behind the sentence, not the actor.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from framing.models import Attribution
from framing.nlp.attribution.cues import cue_lemmas, cue_stance
from framing.nlp.attribution.hedges import HEDGE_ADVERBS, hedge_attribution
from framing.nlp.attribution.quotes import find_quotes
from framing.nlp.attribution.rates import cue_rates, frame_lemma, rarely_speech
from framing.nlp.attribution.sources import DOCUMENT_NOUNS
from framing.nlp.attribution.tokens import _passive, _tok_span, cue_tokens, cue_verb, doc_text
from framing.resources import read_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Cue kinds that carry someone's claim through a cue word (others are judged elsewhere).
_CHECKED_KINDS = frozenset({"reported", "chain"})
#: Dependencies of a clause a cue verb introduces ("said that …", "said, …", "urged X to …").
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "parataxis", "advcl", "conj", "csubj", "ROOT",
                          "relcl", "pcomp", "acl"})
_QUOTE_MARKS = frozenset('"“”‘’«»\'')


@cache
def plain_report_lemmas() -> frozenset[str]:
    """Verbs that report only with content ("said", "replied", "commented", "reported on")."""
    return frozenset(read_lines("attribution/plain_report_lemmas.txt"))


@cache
def institutional_lemmas() -> frozenset[str]:
    """Acts of an institution ("ordered her held", "approved the sale"): actions unless they
    introduce a that-clause or a quote."""
    return frozenset(read_lines("attribution/institutional_lemmas.txt"))


@cache
def speech_nouns() -> frozenset[str]:
    """Nouns and other non-verb words that can carry a cue ("in a statement", "according to")."""
    return frozenset(read_lines("attribution/speech_nouns.txt")) | DOCUMENT_NOUNS


@cache
def naming_lemmas() -> frozenset[str]:
    """Verbs that name rather than report in their passive or participle ("known as")."""
    return frozenset(read_lines("attribution/naming_lemmas.txt"))


def _speech_word(tokens: list[Token]) -> bool:
    """A cue without a verb needs a word of speech or a document ("statement", "according to",
    "poll") or a punctuation cue ("PENCE:", "― Name")."""
    return any(t.is_punct or t.lemma_.lower() in speech_nouns() or t.lower_ in speech_nouns()
               or (t.pos_ not in ("NOUN", "PROPN") and t.lemma_.lower() in cue_lemmas())
               for t in tokens)


def _that_clause(verb: Token) -> bool:
    return any(c.dep_ == "ccomp" and any(m.dep_ == "mark" and m.lower_ == "that"
                                         for m in c.children) for c in verb.children)


_MENTION_NOUNS = frozenset({"word", "words", "term", "terms", "phrase", "label", "name",
                            "expression", "slogan"})


def _mentions_word(doc: Doc, a: Attribution) -> bool:
    """The content mentions a word rather than reports a claim ("the word 'ransom'")."""
    span = doc.char_span(a.content.start, a.content.end, alignment_mode="expand")
    if span is None:
        return False
    words = [t for t in span if not t.is_punct and t.pos_ != "DET"]
    return bool(words) and words[0].lower_ in _MENTION_NOUNS and len(words) <= 4


def has_clause(doc: Doc, a: Attribution, verb: Token, quotes: bool = True) -> bool:
    """The content of ``a`` (cue verb ``verb``) is a clause or a quotation, not a bare noun
    phrase or an adjunct ("a request for comment", "asked on Monday")."""
    span = doc.char_span(a.content.start, a.content.end, alignment_mode="expand")
    if span is None:
        return True  # content outside the parse (a quote over paragraphs): trust it
    if quotes and any(t.text in _QUOTE_MARKS or t.text.startswith(("“", '"')) for t in span):
        return True
    # "..., X said": the cue verb hangs on the content's verb
    if verb.dep_ in ("parataxis", "ccomp", "advcl") and span.start <= verb.head.i < span.end:
        return True
    # the cue verb itself is no clause of its content ("X referenced the floods"), nor is a
    # clause describing a noun of it ("commented on the reason, which had been …")
    described = {t.i for c in span if _describes_noun(c, verb) for t in c.subtree}
    return any(t.dep_ in ("ccomp", "xcomp", "parataxis") or (
        t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSE_DEPS) for t in span
        if t.i != verb.i and t.i not in described)


def _describes_noun(tok: Token, verb: Token) -> bool:
    """A clause that describes a noun of the content ("the reason for canceling the interview",
    "the interview, which had been planned"), not the content of a speech noun ("a statement
    that it was sending doctors")."""
    head = tok.head
    if tok.dep_ == "pcomp" and head.dep_ == "prep":
        head = head.head  # "reason for canceling": the preposition hangs on the noun
    elif tok.dep_ not in ("relcl", "acl"):
        return False
    if head.i == verb.i or head.pos_ not in ("NOUN", "PROPN", "PRON"):
        return False
    return tok.dep_ == "relcl" or head.lemma_.lower() not in speech_nouns()


def _has_quote(doc: Doc, a: Attribution) -> bool:
    """The content holds a quotation (not merely an apostrophe: "the board’s office")."""
    return bool(find_quotes(doc_text(doc)[a.content.start : a.content.end], min_words=1))


def _names_only(verb: Token) -> bool:
    """"a group called X", "is known locally as", "named after": naming, not reporting."""
    if verb.lemma_.lower() not in naming_lemmas():
        return False
    return _passive(verb) or verb.dep_ in ("acl", "amod") or verb.tag_ == "VBN" and not any(
        c.dep_ in ("nsubj", "aux") for c in verb.children)


#: Verbs of telling that, negated, tell nothing ("did not disclose", "would not confirm").
DISCLOSURE_LEMMAS = frozenset({"disclose", "confirm", "reveal", "specify", "elaborate",
                               "identify", "detail", "divulge"})
#: Verbs of refusing whose complement is a speech verb: "declined to comment".
REFUSAL_LEMMAS = frozenset({"decline", "refuse"})


def _refuses_to_speak(verb: Token) -> bool:
    """"declined to comment", "refused to say whether …", "declined to confirm that …": a
    refusal to speak is an act of the source, not a claim it makes."""
    if verb.lemma_.lower() not in REFUSAL_LEMMAS:
        return False
    # "declined to elaborate", "refused to define what …": whatever the refused verb, the
    # refusal credits the source with no claim
    return any(c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") for c in verb.children)


def _hedged_action(verb: Token) -> Token | None:
    """A hedge adverb on the cue verb itself ("allegedly promised"), if any."""
    return next((c for c in verb.children if c.dep_ == "advmod"
                 and c.lower_ in HEDGE_ADVERBS), None)


#: Verbs of seeming: the outlet's own hedge, never someone's claim ("appears to", "seems").
OUTLET_HEDGES = frozenset({"appear", "seem"})
#: First-person sources: outside quotation marks, the outlet or its writer ("we have learned",
#: "I asked the minister").
FIRST_PERSON = frozenset({"i", "we"})


def _outlet_itself(doc: Doc, a: Attribution) -> bool:
    """The source is the writer or the newsroom itself ("We've learned that …"), not quoted."""
    if a.source.span is None or a.cue is None:
        return False
    text = doc_text(doc)
    if text[a.source.span.start : a.source.span.end].strip().lower() not in FIRST_PERSON:
        return False
    return not any(s <= a.cue.start < e for s, e in find_quotes(text, min_words=1))


def speech_verdict(doc: Doc, a: Attribution) -> str:
    """``"keep"``, ``"drop"`` (an action or a look-alike) or ``"hedge"`` (the verb is the
    hedged content) for one attribution."""
    return _speech_verdict(doc, a)[0]


def _speech_verdict(doc: Doc, a: Attribution) -> tuple[str, str]:
    """The verdict and the rule that gave it (O: the outlet itself, G: a negated report, S: rarely speech in this frame, N: no word of speech, L: naming, A: a participle
    describing a noun, H: hedged act, E: neither source nor clause, R: a refusal to speak,
    I: institutional act, X: action on a thing, W: mention of a word, P: plain report without
    content)."""
    if a.kind not in _CHECKED_KINDS:
        return ("keep", "")
    verb = cue_verb(doc, a)
    if verb is None:
        # noun cues ("in a statement"), "according to", punctuation cues; not "about", "show"
        tokens = cue_tokens(doc, a)
        return ("keep", "") if not tokens or _speech_word(tokens) else ("drop", "N")
    if verb.lemma_.lower() in OUTLET_HEDGES:
        return ("drop", "O")  # "did not appear to pay off": the outlet's own hedge (guideline)
    if _outlet_itself(doc, a):
        return ("drop", "O")  # "We've learned that …": the outlet speaking in its own voice
    if _names_only(verb):
        return ("drop", "L")
    if verb.dep_ == "amod":
        return ("drop", "A")  # a participle describing a noun: "written questions"
    if _hedged_action(verb) is not None:
        return ("hedge", "H")
    if _refuses_to_speak(verb):
        return ("drop", "R")  # "declined to comment", "refused to say more": no claim
    if any(c.dep_ == "neg" for c in verb.children) and not _has_quote(doc, a) and (
            verb.lemma_.lower() in plain_report_lemmas() | DISCLOSURE_LEMMAS):
        return ("drop", "G")  # "did not disclose what …", "would not say whether …": no claim
    if (a.source.span is None or a.source.kind == "none") and not has_clause(doc, a, verb):
        return ("drop", "E")  # neither a source nor a claim: "Officials dodge blame"
    lemma = verb.lemma_.lower()
    # "calling it crude propaganda" labels; "claimed responsibility", "praised the police"
    # judge a speech act: the frame rates speak only for the rest
    labels = any(c.dep_ == "oprd" for c in verb.children) or cue_stance(lemma) == "evaluative"
    # "went on to say that …", "began to indicate …": the speech verb is the complement
    labels = labels or any(c.dep_ in ("xcomp", "advcl") and c.lemma_.lower() in cue_lemmas()
                           and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
                           and not rarely_speech(c.lemma_.lower(), True)
                           for c in verb.children)
    frame = frame_lemma(verb)
    if not labels and not _mentions_word(doc, a) and rarely_speech(
            frame if frame in cue_rates() else lemma, has_clause(doc, a, verb)):
        return ("drop", "S")  # an act in this frame, by PolNeAR's cue rates
    if lemma in institutional_lemmas():
        return ("keep", "") if _that_clause(verb) or _has_quote(doc, a) else ("drop", "I")
    if lemma not in cue_lemmas():
        # outside the reporting lexicon, an action on a thing is no report ("blocked the road"):
        # a direct object, no clause, no complement of saying or intending
        acts_on = any(c.dep_ == "dobj" for c in verb.children) and not any(
            c.dep_ in ("ccomp", "xcomp", "oprd", "parataxis", "dative") for c in verb.children)
        if acts_on and not has_clause(doc, a, verb, quotes=False):
            return ("drop", "X")
        if _mentions_word(doc, a):
            return ("drop", "W")
        return ("keep", "")
    if lemma in plain_report_lemmas() and not has_clause(doc, a, verb):
        return ("drop", "P")
    return ("keep", "")


def _redundant_label(doc: Doc, a: Attribution, items: list[Attribution]) -> bool:
    """A punctuation cue ("…told supporters: “…”") whose content holds another relation's verb
    cue: the verb already reports the quote, and the colon's "speaker" is only its object."""
    if a.cue is None or a.kind not in _CHECKED_KINDS:
        return False
    cue = doc_text(doc)[a.cue.start : a.cue.end].strip()
    if not cue or any(ch.isalnum() for ch in cue):
        return False
    return any(b is not a and b.cue is not None and a.content.contains(b.cue)
               and cue_verb(doc, b) is not None for b in items)


def keep_speech(doc: Doc, items: list[Attribution]) -> list[Attribution]:
    """``items`` without actions and look-alikes; a hedged action becomes a hedge.

    A chain whose citing attribution is dropped loses its parent (it stands on its own).
    """
    out: list[Attribution] = []
    dropped: set[int] = set()
    for a in items:
        verdict = "drop" if _redundant_label(doc, a, items) else speech_verdict(doc, a)
        if verdict == "keep":
            out.append(a)
            continue
        dropped.add(id(a))
        verb = cue_verb(doc, a) if verdict == "hedge" else None
        adverb = _hedged_action(verb) if verb is not None else None
        if adverb is not None:
            hedge = hedge_attribution(adverb, adverb.sent, _tok_span(adverb))
            if hedge is not None:
                out.append(hedge)
    return [a if a.parent is None or id(a.parent) not in dropped else replace(a, parent=None)
            for a in out]
