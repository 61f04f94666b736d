"""Descriptive labels of a named actor in its sentence: "a former FBI lawyer", "his lover".

The analysis keeps no parse for the comparison stage (sentences, attributions and entity spans
only), so descriptions are read from the sentence text around a name's span with four light
patterns, each of which must close cleanly to count:

* **apposition after the name**: "Lisa Page, a former FBI lawyer, said"; the phrase starts with a
  determiner, a possessive or "former", ends at punctuation, a relative ("who", "whose"), a
  conjunction after its head noun, a preposition other than "of" ("a tax lawyer [at a firm]"; "the
  chief of staff" is kept) or a participle after its head, and holds no finite verb ("Sultani, the ministry said" is no apposition); a phrase followed by another name
  ("…, the council leader, Amina Rahimi") describes that name, not this one;
* **apposition before the name**: "his lover, Lisa Page," and "Rahimi's lawyer, Omar Sultani":
  a determiner or possessive phrase whose last word is a role or descriptor noun;
* **predicate nominal**: "Page was his lover", "Sultani is the latest critic": a copula
  right after the name, then a determiner phrase; negated copulas are left out;
* **title or role before the name**: "FBI agent Peter Strzok", "Tessel Gov. Amina
  Rahimi", "the disgraced FBI agent …", "militant leader …": a run of capitalised words, role
  nouns and a few modifiers ending in a title or role noun right before the name (honorifics
  alone, "Mr." or "Ms.", are house style, not descriptions).

Role and descriptor nouns come from ``role_nouns.txt``, ``attribution/person_nouns.txt``,
``attribution/titles.txt`` and ``descriptor_nouns.txt``. Pronoun subjects ("He was her lover")
are not linked to names: there is no coreference here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from framing.resources import read_lines

APPOSITION = "apposition"
APPOSITION_BEFORE = "apposition before the name"
PREDICATE = "predicate nominal"
PREMODIFIER = "title or role before the name"

#: Words that start a description phrase.
_STARTS = frozenset("a an the his her its their our another".split())
#: Determiners dropped from the front of a label (as name labels drop them).
_DROP = frozenset("a an the this that these those some".split())
#: Honorifics: how a paper names everyone, not a description.
HONORIFICS = frozenset("mr mrs ms miss dr mr. mrs. ms. dr. messrs messrs.".split())
_COPULAS = ("is", "was", "are", "were", "remains", "remained", "became", "becomes")
_COPULA_PAIRS = {("has", "been"), ("had", "been"), ("have", "been"), ("will", "be"),
                 ("would", "be")}
_ADVERBS = frozenset(
    "also still now once already long nonetheless reportedly widely both currently then "
    "previously formerly later perhaps probably certainly clearly".split())
_NEGATIONS = frozenset({"not", "never", "n't", "no"})
#: Words that end a description phrase without spoiling what came before.
_CUT = frozenset(
    "who whom whose which that where when while because after before since although though if "
    "as and or but nor than to until unless so".split())
#: Prepositions dropped from the end of a phrase cut before a relative ("with whom").
_PREPOSITIONS = frozenset("with of for in at on by from about to into among under over".split())
#: Finite verbs: a phrase holding one is a clause, not an apposition.
_VERBS = frozenset(
    """said says say told tells tell added adds noted notes wrote writes reported reports
    argued argues asked asks claimed claims stated states explained explains insisted insists
    is was are were has have had will would can could did does do may might should must shall
    according announced announces called calls declared declares""".split())
#: Modifiers a title run may hold before its role noun ("the disgraced FBI agent").
_MODIFIERS = frozenset(
    """former then ex top senior acting longtime veteran deputy assistant associate chief
    special interim incoming outgoing retired controversial militant radical rebel rogue
    conservative
    liberal progressive moderate leftist rightwing right-wing left-wing far-right far-left
    hardline prominent powerful influential billionaire celebrity national federal state local
    foreign domestic campaign security intelligence law enforcement justice defense press
    policy real estate political presidential congressional democratic republican majority
    minority house senate first""".split())
_ABBREVIATIONS = frozenset(
    """mr. mrs. ms. dr. sen. rep. gov. gen. lt. col. sgt. capt. maj. adm. prof. rev. st. jr.
    sr. inc. co. corp. ltd. no. vs. messrs. pres. atty. supt. cmdr. reps. sens.""".split())
#: Words that open sentences: capitalised there, but no part of a title run.
_OPENERS = frozenset(
    """yesterday today tonight tomorrow earlier later meanwhile then now still however also last
    this that there here instead moreover indeed thus finally first next once even only just yet
    in on at by for from with after before during under over when while since as if although
    though because but and or so according asked""".split())
#: Contractions that open a sentence ("It's Senator Rahimi who …"): no part of a title.
_CONTRACTIONS = frozenset("it's that's he's she's there's here's what's who's let's".split())
_NUMBERS = frozenset(
    "one two three four five six seven eight nine ten dozens hundreds thousands both all many "
    "several some".split())
_TOKEN = re.compile(r"\w[\w'’\-.]*|[^\w\s]")
_MAX_WORDS = 12


@cache
def descriptor_nouns() -> frozenset[str]:
    """Role, title and descriptor nouns (lower case, no dots)."""
    words: set[str] = set()
    for name in ("role_nouns.txt", "attribution/person_nouns.txt", "attribution/titles.txt",
                 "descriptor_nouns.txt"):
        words.update(w.lower() for w in read_lines(name))
    words |= {"sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "maj", "adm", "supt",
              "atty", "cmdr", "chairman", "chairwoman", "president", "vice", "speaker",
              "secretary", "director", "administrator", "commissioner", "leader", "founder"}
    return frozenset(words)


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def bare(self) -> str:
        return self.low.rstrip(".")

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def capital(self) -> bool:
        return self.text[0].isupper()


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        t, s = m.group(0), m.start()
        low = t.lower()
        if (t.endswith(".") and len(t) > 1 and low not in _ABBREVIATIONS
                and not re.fullmatch(r"(?:\w\.)+", t)):
            out.append(_Tok(t[:-1], s, s + len(t) - 1))
            out.append(_Tok(".", s + len(t) - 1, s + len(t)))
        else:
            out.append(_Tok(t, s, s + len(t)))
    return out


def _role(tok: _Tok) -> bool:
    w = tok.bare
    return w in descriptor_nouns() or w.rstrip("s") in descriptor_nouns()


def _label(text: str, toks: list[_Tok]) -> str:
    """The phrase as written, leading articles dropped, white space collapsed."""
    while len(toks) > 1 and toks[0].low in _DROP:
        toks = toks[1:]
    return re.sub(r"\s+", " ", text[toks[0].start: toks[-1].end]).strip(" ,")


def _phrase_after(toks: list[_Tok], i: int, clause_ok: bool) -> list[_Tok] | None:
    """The description phrase starting at ``toks[i]``, up to punctuation, a relative or
    conjunction, or a participle after its head; None when it is a clause (a finite verb before
    its end, unless ``clause_ok``) or too long."""
    out: list[_Tok] = []
    j = i
    while j < len(toks):
        t = toks[j]
        if not t.is_word and t.text not in ("'", "’", "-", "&"):
            break
        if t.low in _VERBS:
            if not clause_ok:
                return None
            break
        if t.low in ("and", "or") and out and not _role(out[-1]):
            out.append(t)  # "a loud and early critic": adjectives joined
            j += 1
            continue
        if (t.low in _CUT or (t.low in _PREPOSITIONS and t.low != "of")) and out:
            break  # "a tax lawyer [at Greenberg]": the role, not where it is held
        if (t.low.endswith("ing") and not t.capital and len(out) >= 2
                and out[-1].low not in _STARTS):
            break  # "a farmer hoping to win …" (not "Tessel Shipping Company")
        out.append(t)
        j += 1
        if len(out) > _MAX_WORDS:
            return None
    while out and (out[-1].low in _PREPOSITIONS or out[-1].low in _STARTS
                   or out[-1].low in _ADVERBS):
        out.pop()  # "a former FBI lawyer with [whom]", "a farmer [now] hoping"
    return out or None


def _valid(phrase: list[_Tok]) -> bool:
    content = [t for t in phrase if t.low not in _STARTS]
    if not content:
        return False
    head = content[-1].bare
    quantifiers = {"first", "last", "one", "only", "same", "other", "latest", "most", "best",
                   "least", "few", "many", "subject", "part", "lot", "kind", "sort", "number"}
    if head.isdigit() or head in quantifiers or (content[0].bare in quantifiers and any(
            t.low == "of" for t in content)):
        return False  # "the first to", "the last of the mayor's team", "one of them"
    return not any(t.low in _NEGATIONS for t in phrase)


def describe(sentence: str, start: int, end: int) -> list[tuple[str, str]]:
    """Descriptive labels of the name at ``sentence[start:end]``: (label, pattern) pairs."""
    # the name's own possessive ("Rahimi's") is part of it: nothing after it describes the name
    possessive = bool(re.match(r"['’]s?\b", sentence[end:end + 2])) or bool(
        re.search(r"['’]s?$", sentence[start:end]))
    while end < len(sentence) and sentence[end] in "'’":
        end += 1
    if sentence[end:end + 1] == "s" and possessive:
        end += 1
    toks = _tokens(sentence)
    first = next((k for k, t in enumerate(toks) if t.end > start), None)
    after = next((k for k, t in enumerate(toks) if t.start >= end), len(toks))
    if first is None:
        return []
    out: list[tuple[str, str]] = []
    after_ok = not possessive
    # 1. apposition after: ", a former FBI lawyer,"
    if after_ok and after + 1 < len(toks) and toks[after].text == ",":
        k = after + 1
        if toks[k].low in _STARTS or toks[k].low in ("former", "then", "onetime", "longtime"):
            phrase = _phrase_after(toks, k, clause_ok=False)
            if phrase is not None:
                stop = toks.index(phrase[-1]) + 1
                while stop < len(toks) and toks[stop].is_word and (
                        toks[stop].low in _PREPOSITIONS or toks[stop].low in _STARTS
                        or toks[stop].low in _ADVERBS):
                    stop += 1
                nxt = toks[stop] if stop < len(toks) else None
                closed = nxt is None or not nxt.is_word or nxt.low in _CUT or nxt.low.endswith(
                    "ing")
                next_name = (nxt is not None and nxt.text == "," and stop + 1 < len(toks)
                             and toks[stop + 1].capital and toks[stop + 1].low not in _VERBS)
                if closed and not next_name and _valid(phrase):
                    out.append((_label(sentence, phrase), APPOSITION))
    # 2. predicate nominal: "Page was his lover", the name opening its clause (not "… the post
    # offered to Sultani was the chair")
    k = after
    if after_ok and k < len(toks) and _opens_clause(toks, first):
        if toks[k].low in _COPULAS:
            k += 1
        elif k + 1 < len(toks) and (toks[k].low, toks[k + 1].low) in _COPULA_PAIRS:
            k += 2
        else:
            k = -1
        if k > 0:
            while k < len(toks) and (toks[k].low in _ADVERBS or toks[k].low.endswith("ly")):
                k += 1
            if k < len(toks) and toks[k].low in _STARTS and not _negated(toks, after, k):
                found = _phrase_after(toks, k, clause_ok=True)
                if found is not None and _valid(found):
                    out.append((_label(sentence, found), PREDICATE))
    # 3. title or role right before the name: "FBI agent Peter Strzok"
    k = first - 1
    run: list[_Tok] = []
    while k >= 0 and len(run) < 6:
        t = toks[k]
        if not t.is_word:
            break
        low = t.bare
        if t.low in _STARTS or low in _DROP:
            break
        if t.capital and (low in _OPENERS or low in _CUT or low in _PREPOSITIONS
                          or low in _NUMBERS or t.low in _CONTRACTIONS):
            break  # "Yesterday", "If", "Two of": capitalised at a sentence's start, no title
        if _role(t) or t.capital or low in _MODIFIERS or low.startswith(("then-", "ex-")) or (
                low == "of" and run and k > 0 and (toks[k - 1].capital or _role(toks[k - 1]))):
            run.insert(0, t)
            k -= 1
            continue
        if low.endswith("ed") and k > 0 and toks[k - 1].low in _STARTS and run:
            run.insert(0, t)  # "the disgraced FBI agent"
            k -= 1
        break
    while run and not (_role(run[0]) or run[0].capital or run[0].bare in _MODIFIERS
                       or run[0].bare.endswith("ed") or run[0].bare.startswith(("then-", "ex-"))):
        run = run[1:]
    if run and run[-1].bare in HONORIFICS:
        run = []  # "Mr." is how the paper names everyone; "conservative Mr." no title either
    # the run must end in a role noun ("FBI agent"), or be "Role of X" ("Secretary of State")
    of_role = any(t.bare == "of" and i > 0 and _role(run[i - 1]) for i, t in enumerate(run))
    if run and (_role(run[-1]) or of_role):
        while run and run[0].bare == "of":
            run = run[1:]
        label = _label(sentence, run)
        if label.lower() not in HONORIFICS and label.lower().rstrip(".") not in HONORIFICS:
            out.append((label, PREMODIFIER))
    # 4. apposition before: "his lover, Lisa Page" (the name then closes with punctuation or a verb)
    if first >= 2 and toks[first - 1].text == ",":
        k = first - 2
        before: list[_Tok] = []
        while k >= 0 and len(before) < 8 and toks[k].is_word:
            before.insert(0, toks[k])
            if toks[k].low in _STARTS or toks[k].low.endswith(("'s", "’s")):
                break
            k -= 1
        closes = after >= len(toks) or not toks[after].is_word or toks[after].low in _VERBS
        if (before and (before[0].low in _STARTS or before[0].low.endswith(("'s", "’s")))
                and _role(before[-1]) and closes and _valid(before)
                and not any(t.low in _VERBS for t in before)):
            out.append((_label(sentence, before), APPOSITION_BEFORE))
    return out


def _opens_clause(toks: list[_Tok], first: int) -> bool:
    """Whether the name starting at ``toks[first]`` (after any title) opens a clause: at the
    sentence's start, after punctuation, a conjunction, "that" or a verb of saying."""
    k = first - 1
    while k >= 0 and toks[k].is_word and (_role(toks[k]) or toks[k].bare in HONORIFICS):
        k -= 1
    if k < 0 or not toks[k].is_word:
        return True
    low = toks[k].low
    return low in _VERBS or low in ("and", "but", "that", "because", "while", "when", "as",
                                    "since", "although", "though", "if", "so", "whether")


def _negated(toks: list[_Tok], lo: int, hi: int) -> bool:
    return any(t.low in _NEGATIONS or t.low.endswith("n't") for t in toks[lo:hi])
