"""Claims of one event aligned across outlets on their factual core and their speaker.

Each candidate sentence (:func:`claim_sentences`) is compared on its **factual core**
(:func:`core_text`): the loaded spans the analysis charges to the outlet and evaluative modifiers
("barbaric", "sharply") dropped (quoted words are the speaker's claim and stay), a closing frame
of a source nobody can identify (", police said") cut, numbers normalised ("eleven" = "11",
"11,000" = "11000", "11,000,000" = "11 million") and each actor's labels replaced by one label
(:func:`neutralize`), so that "This barbaric atrocity killed eleven workers" and "An explosion at
the dam killed 11 workers, police said" are one claim. An identified speaker's frame ("Boehner
said") stays: on the labelled pairs, cutting it lost more true pairs than it won.

The **speaker** is part of a claim: a sentence credited to an identified source (a named person
or organisation, an outlet) has that speaker, matched across outlets by surname for people and by
name for organisations (:func:`speaker_keys`). Sentences of two different identified speakers are
never in one claim ("X said the bill is unlawful" and "Y said the bill is unlawful" are two
claims). A sentence in the outlet's own voice, or credited to a source nobody can identify
("critics say", "a source said", "officials said", an office-holder named by role only), has no
speaker and may join an identified speaker's claim when the cores match: outlets often state in
their own voice what another credits to police.

Cores are embedded by the caller (MiniLM, L2-normalised; see ``framing.nlp.encoder``) and grouped
by average-linkage agglomerative clustering on cosine distance (a sentence joins a claim when its
mean similarity to the claim's sentences is at least ``threshold``), speakers kept apart. A claim
is carried by the outlets with a sentence in it. An outlet **omits** a claim only when none of its
sentences of the event carries it: a sentence in another claim (or a clause of a headline or lead
sentence, which often packs several facts) as similar as ``carry_threshold`` to one of the claim's
sentences, of a compatible speaker, carries it too (``Claim.carried_elsewhere``). Headline and
lead claims (at least half of the carrying outlets have it in a headline or one of the first
``LEAD_INDEX`` body sentences) rank first.

Syndicated copy (an article flagged as an exact or near duplicate of another outlet's article) is
not independent coverage: an outlet that carries a claim only through such copies is listed in
``via_copy`` and does not count towards ``n_independent``.

Thresholds were tuned on the dev half of a labelled set of BASIL sentence pairs and measured on
the other half (``framing eval claims``, ``annotations/basil-claim-pairs.jsonl``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from framing.compare.clustering import (
    APART,
    MAX_EXACT,
    cluster_by_threshold,
    conflicts,
    normalise,
    similar_pairs,
)
from framing.compare.labels import DETERMINERS, ORG_HEADS, TITLES
from framing.models import (
    AnalyzedArticle,
    Attribution,
    Claim,
    ClaimSentence,
    LabelRow,
    SentenceAnalysis,
    Span,
)
from framing.resources import read_lines

#: Mean cosine similarity of the factual cores of two sentences for them to express the same
#: claim (MiniLM scale). Tuned on the dev half of the labelled BASIL pairs (``framing eval
#: claims``): the best pair F1 there of 0.40-0.60 (0.774; the former 0.65, read off the invented
#: demo corpus, gave 0.70 on the sentence text). A cut this low is safe only with the speaker
#: rule, which keeps apart the statements of two people saying the same thing.
DEFAULT_THRESHOLD = 0.5
#: Cosine similarity at which one of an outlet's sentences outside a claim (or a clause of its
#: headline or lead) carries it, matched against the claim's closest sentence: the outlet is then
#: not listed as omitting the claim. Chosen on the same dev half: 0.5-0.75 trade false omissions
#: (0.09-0.23 of labelled same-fact units) against different-fact pairs counted as carried
#: (0.31-0.15); 0.6 halves the false omissions of clustering alone for 3 of 48 such pairs.
CARRY_THRESHOLD = 0.6
#: The headline and this many first body sentences are an article's lead.
LEAD_INDEX = 2
#: Sentences shorter than this (words) are not claims ("Dead men do not testify" has 5).
MIN_WORDS = 4
#: A core shorter than this (words) is not used: the sentence is compared on its whole text.
MIN_CORE_WORDS = 4

EmbedFn = Callable[[Sequence[str]], Any]


def copied_outlets(
    sents: Sequence[ClaimSentence], copies: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """Outlets whose every sentence in the claim comes from a copy of another outlet's article
    that also carries the claim (``copies``: id of a copy -> ids of the articles it copies; the
    mapping is directed, so the original keeps its claim as independent coverage)."""
    by_outlet: dict[str, set[str]] = {}
    for s in sents:
        by_outlet.setdefault(s.outlet, set()).add(s.article_id)
    out = []
    for outlet, ids in sorted(by_outlet.items()):
        others = {a for o, a_ids in by_outlet.items() if o != outlet for a in a_ids}
        if all(copies.get(a, frozenset()) & others for a in ids):
            out.append(outlet)
    return tuple(out)


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def main_attribution(s: SentenceAnalysis) -> Attribution | None:
    """The attribution whose content covers most of the sentence (hedges and agentless
    passives name nobody and are skipped); None when there is none."""
    best, best_cover = None, 0
    for a in s.attributions:
        if a.kind in ("hedged", "agentless_passive"):
            continue
        cover = _overlap(a.content, s.span)
        if cover > best_cover:
            best, best_cover = a, cover
    return best


#: Words of a source phrase that are no part of a name: titles and offices ("Rep.", "Speaker").
_NOT_NAME = DETERMINERS | TITLES | frozenset(
    """vice speaker leader chairman chairwoman chair whip attorney congressman congresswoman
    ambassador adviser advisor aide press counsel director secretary""".split()
)
#: Source phrases that start with these describe someone without identifying them.
_INDEFINITE = frozenset("a an one some several many other another two three four".split())
#: Last words that make a speaker an organisation, matched on its whole name ("White House").
_ORG_LAST = ORG_HEADS | frozenset(read_lines("attribution/org_words.txt")) | frozenset(
    read_lines("attribution/media_words.txt")) | {"house", "senate", "congress"}
_NAME_STRIP = " \t\n\"'“”‘’()[]{},;:!?"


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-cased capitalised words of a source phrase that can identify it: no determiners,
    titles, initials or possessives (``"Rep. Anthony D. Weiner's"`` -> ``("anthony", "weiner")``);
    empty for a description ("the congressman", "a White House official")."""
    words = name.replace("’", "'").split()
    if not words or words[0].lower() in _INDEFINITE:
        return ()
    out = []
    for w in words:
        w = re.sub(r"'s?$", "", w.strip(_NAME_STRIP))
        if not w or not w[0].isupper():
            continue
        low = w.lower().rstrip(".")
        if low in _NOT_NAME or len(low) < 2 or not any(c.isalpha() for c in low):
            continue
        out.append(low)
    return tuple(out)


#: Source kinds that identify a speaker. An office-holder named by role only ("a White House
#: official", "Pakistani officials", "the police chief") is a description, like an anonymous or
#: vague source: it may join a named speaker's claim.
IDENTIFIED_SPEAKER_KINDS = frozenset({"named_person", "named_org", "media"})


def sentence_speaker(s: SentenceAnalysis) -> str | None:
    """The identified source a sentence is credited to (its main attribution's), or None: the
    outlet's own voice, or a source nobody can identify (anonymous, vague, an office-holder named
    by role only, a bare description)."""
    if s.voice != "attributed":
        return None
    a = main_attribution(s)
    if a is None or a.source.kind not in IDENTIFIED_SPEAKER_KINDS:
        return None
    name = " ".join(a.source.name.split())
    return name if name_tokens(name) else None


def speaker_key(name: str | None) -> str | None:
    """Matching key of a speaker: an organisation's whole name ("white house"), a person's
    surname ("weiner" for "Anthony D. Weiner", "Mr. Weiner" and "Weiner"); None without one."""
    toks = name_tokens(name or "")
    if not toks:
        return None
    return " ".join(toks) if toks[-1] in _ORG_LAST else toks[-1]


def speaker_keys(sentences: Sequence[ClaimSentence]) -> np.ndarray:
    """One int per sentence: its speaker's key number, ``-1`` without an identified speaker.

    A headline's speaker counts only when a body sentence of the event is credited to the same
    speaker: headline grammar is often misread as attribution ("Indictment Expected for Grimm",
    "GOP Congressman Expected To Be Indicted")."""
    keys = [speaker_key(s.speaker) for s in sentences]
    # an organisation named short is the one named long that ends so, when only one does
    # ("interior ministry" -> "pakistan interior ministry")
    orgs = {k for k in keys if k and " " in k}
    longer: dict[str, set[str]] = defaultdict(set)
    for k in orgs:
        words = k.split()
        for i in range(1, len(words) - 1):
            longer[" ".join(words[i:])].add(k)
    keys = [k if k is None or len(longer.get(k, ())) != 1 else next(iter(longer[k]))
            for k in keys]
    in_body = {k for k, s in zip(keys, sentences, strict=True) if k and s.part != "title"}
    numbers: dict[str, int] = {}
    out = np.full(len(sentences), -1, dtype=np.int64)
    for i, (key, s) in enumerate(zip(keys, sentences, strict=True)):
        if key is not None and (s.part != "title" or key in in_body):
            out[i] = numbers.setdefault(key, len(numbers))
    return out


#: Evaluative adjectives, adverbs and intensifiers dropped from a claim's core. Written for
#: framing after the intensifier and evaluative entries of ``resources/loaded_terms.tsv``; kept
#: here (not a packaged list) because the analysis does not use it.
EVALUATIVE_MODIFIERS = frozenset("""
absolutely absurd alarming alarmingly angrily appalling atrocious barbaric beleaguered bigoted
bitterly bizarre blatant blatantly bloodthirsty brazen brazenly brutal brutally callous callously
catastrophic chaotic clearly completely controversial cowardly crazy crooked cynical cynically
deeply despicable devastating disastrous disgraceful disgusting dramatic dramatically draconian
embattled emphatically enormous evil extremely feisty fierce fiercely fiery furiously glorious
greedy hapless harsh harshly hateful heinous heroic highly horrible horrific horrifying hugely
hysterical incredibly infamous insane lavish lewd lurid malicious massive murderous nefarious
notorious obviously outrageous outrageously pathetic reckless recklessly remarkably ridiculous
ruthless ruthlessly savage scandalous shameful shameless shamelessly sharply shocking shockingly
sinister so-called staggering strongly stunning stunningly surprisingly terrible terribly testy
totally toxic tremendous undeniably undoubtedly unprecedented utterly valiant vehemently very
vicious viciously wildly xenophobic
""".split())
_EVALUATIVE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, EVALUATIVE_MODIFIERS), key=len, reverse=True))
    + r")(?![\w-])", re.IGNORECASE)

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000}
_NUM_WORD = "(?:" + "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True)) + ")"
_NUM_RUN = re.compile(rf"(?<![\w]){_NUM_WORD}(?:(?:\s+|-){_NUM_WORD})*(?![\w])", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,]*\d)")
_SCALED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s+(hundred|thousand|million|billion|trillion)\b",
                     re.IGNORECASE)


def _word_number(m: re.Match[str]) -> str:
    words = re.split(r"[\s-]+", m.group(0).lower())
    if words[0] in _SCALES:  # "a million", "43 million": no count of its own
        return m.group(0)
    if words == ["one"]:  # "one of them", "no one": a number only beside a hyphen ("one-in-three")
        before, after = m.string[max(0, m.start() - 1):m.start()], m.string[m.end():m.end() + 1]
        if "-" not in (before, after):
            return m.group(0)
    total = current = 0
    for w in words:
        if w in _UNITS or w in _TENS:
            current += _UNITS.get(w, 0) + _TENS.get(w, 0)
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return _plain(total + current)


def _scaled(m: re.Match[str]) -> str:
    return _plain(float(m.group(1)) * _SCALES[m.group(2).lower()])


def _plain(value: float) -> str:
    """A number as digits, whole millions and billions with their word ("11 million")."""
    for word in ("billion", "million"):
        unit = _SCALES[word]
        if value >= unit and (value / unit) * 100 == int((value / unit) * 100):
            return f"{value / unit:g} {word}"
    return str(int(value)) if value == int(value) else f"{value:g}"


def normalize_numbers(text: str) -> str:
    """Numbers as digits: "eleven" -> "11", "twenty-one" -> "21", "11,000" -> "11000"; whole
    millions and billions keep their word ("eleven million", "11,000,000" and "11 million" ->
    "11 million"). A bare "one" stays a word ("no one"), but "one-in-three" -> "1-in-3"."""
    text = _SCALED.sub(_scaled, text)
    text = _NUM_RUN.sub(_word_number, text)
    text = _THOUSANDS.sub(lambda m: _plain(int(m.group(0).replace(",", ""))), text)
    return text


_DATELINE = re.compile(r"^[A-Z][A-Z.,' ’-]{2,}\s*[—–-]{1,2}\s*")


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"“\s*”|(?:^|(?<=\s))\"\s*\"(?=[\s.,;:!?]|$)", " ", text)  # emptied quotes
    text = re.sub(r"\(\s*\)", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:—–-")


def _trailing_frame(s: SentenceAnalysis) -> Span | None:
    """The closing "..., police said." of a body sentence credited to a source nobody can
    identify, when the frame is short and after the content: cut from the core, where it only
    tells what the speaker rule already knows (an identified speaker's frame stays: the name is
    shared by the outlets that report the same statement)."""
    if s.part != "body" or s.voice not in ("attributed", "vague"):
        return None
    a = main_attribution(s)
    if a is None or a.source.span is None or a.cue is None or name_tokens(a.source.name):
        return None
    if not s.span.start < a.content.end <= min(a.source.span.start, a.cue.start, s.span.end):
        return None
    if len(s.text[a.content.end - s.span.start:].split()) > 6:
        return None
    return Span(a.content.end, s.span.end)


def core_text(s: SentenceAnalysis) -> str:
    """The factual core of a sentence (module docstring): its text without the loaded spans
    charged to the outlet (quoted words are the speaker's claim and stay), evaluative
    modifiers, dateline and a closing unidentified attribution frame, numbers normalised. A core
    under ``MIN_CORE_WORDS`` words gives way to the whole sentence with numbers normalised."""
    text, base = s.text, s.span.start
    drop = [ls.span for ls in s.loaded if ls.speaker == "author"]
    frame = _trailing_frame(s)
    if frame is not None:
        drop.append(frame)
    chars = list(text)
    for span in drop:
        for k in range(max(0, span.start - base), min(len(text), span.end - base)):
            chars[k] = " "
    core = _EVALUATIVE.sub(" ", "".join(chars))
    core = _tidy(normalize_numbers(_DATELINE.sub("", core)))
    if len(core.split()) < MIN_CORE_WORDS:
        return _tidy(normalize_numbers(" ".join(text.split())))
    return core


def claim_sentences(analyzed: Sequence[AnalyzedArticle]) -> list[ClaimSentence]:
    """Candidate claims of an event: headlines, and sentences that assert something (in the
    outlet's voice or a source's) with at least ``MIN_WORDS`` words, with their speaker, factual
    core and whether they are in the lead (the headline or the first ``LEAD_INDEX`` body
    sentences)."""
    out = []
    for art in analyzed:
        body = 0
        for s in art.sentences:
            lead = s.part == "title" or body < LEAD_INDEX
            body += s.part == "body"
            text = " ".join(s.text.split())
            if len(text.split()) < MIN_WORDS:
                continue
            if s.part == "title" or s.voice in ("author", "attributed", "vague"):
                out.append(ClaimSentence(art.article.outlet, art.article.id, s.index, s.part,
                                         text, sentence_speaker(s), core_text(s), lead))
    return out


#: Clause boundaries of a headline or lead sentence ("X resigned on Friday, after Y said ...").
_CLAUSE = re.compile(r"\s*[;:—–]\s*|,?\s+(?:and|but|while|after|as|because)\s+|,\s+|\s+--\s+")


def lead_clauses(analyzed: Sequence[AnalyzedArticle]) -> list[ClaimSentence]:
    """Clauses (at least ``MIN_WORDS`` words) of every headline and lead sentence that has more
    than one: rows that can carry a claim (:func:`align_claims`) but are never claims."""
    out: list[ClaimSentence] = []
    for art in analyzed:
        body = 0
        for s in art.sentences:
            lead = s.part == "title" or body < LEAD_INDEX
            body += s.part == "body"
            if not lead:
                continue
            pieces = [p for p in _CLAUSE.split(core_text(s)) if len(p.split()) >= MIN_WORDS]
            if len(pieces) < 2:
                continue
            speaker = sentence_speaker(s)
            out.extend(ClaimSentence(art.article.outlet, art.article.id, s.index, s.part, p,
                                     speaker, p, True) for p in pieces)
    return out


def label_map(rows: Sequence[LabelRow]) -> dict[str, str]:
    """Each label of an actor named in more than one way -> the actor's most used label.

    Places and descriptions ("a former FBI lawyer") are left alone. Claims are compared on text
    with every label replaced, so that "the Khawarij ringleader was killed" and "the Daesh
    commander was killed" are one claim whatever each outlet calls the group.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.actor_type != "place" and r.kind == "name":  # descriptions are not names
            counts[r.actor][r.label] += r.count
    out: dict[str, str] = {}
    for labels in counts.values():
        if len(labels) < 2:
            continue
        canonical = min(labels, key=lambda w: (-labels[w], w))
        for label in labels:
            if label != canonical:
                out[label.lower()] = canonical
    return out


def neutralize(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with every label of ``mapping`` (whole words, any case, longest first) replaced
    by its actor's canonical label."""
    if not mapping:
        return text
    pattern = _label_pattern(tuple(sorted(mapping, key=lambda k: (-len(k), k))))
    return pattern.sub(lambda m: mapping[m.group(0).lower()], text)


@lru_cache(maxsize=16)
def _label_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern per label set, compiled once: an event's claims are all rewritten with the
    same labels (compiling it per sentence cost minutes on an event of 100,000 sentences)."""
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])",
                      re.IGNORECASE)


def claim_text(s: ClaimSentence) -> str:
    """What a claim sentence is compared on: its factual core, else its text."""
    return s.core if s.core is not None else s.text


def is_lead(s: ClaimSentence) -> bool:
    if s.lead is not None:
        return s.lead
    return s.part == "title" or s.index <= LEAD_INDEX


def cluster_embeddings(
    embeddings: np.ndarray, threshold: float, keys: np.ndarray | None = None
) -> np.ndarray:
    """Cluster labels (0-based) from average-linkage clustering with a cosine-distance cut at
    ``1 - threshold``; rows of different ``keys`` (``-1``: none) are never in one cluster. One
    row gives one cluster."""
    n = embeddings.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    if keys is not None and not (keys >= 0).any():
        keys = None
    if n > MAX_EXACT:  # the same clusters, one component of the similar-pair graph at a time
        return cluster_by_threshold(embeddings, threshold, keys=keys)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist, squareform

    dist = np.clip(pdist(np.asarray(embeddings, dtype=float), metric="cosine"), 0.0, 2.0)
    if keys is not None:
        square = squareform(dist)
        square[conflicts(keys)] = APART
        np.fill_diagonal(square, 0.0)
        dist = squareform(square, checks=False)
    tree = linkage(dist, method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return np.asarray(labels, dtype=int) - 1


def carriers(
    labels: np.ndarray,
    outlets: Sequence[str],
    vectors: np.ndarray,
    keys: np.ndarray,
    threshold: float,
) -> dict[int, set[str]]:
    """Cluster label -> outlets with a row as similar as ``threshold`` to one of its rows, of a
    compatible speaker. ``labels`` cover the first rows (claim sentences); further rows (lead
    clauses) only carry. ``vectors``, ``outlets`` and ``keys`` cover every row."""
    n = len(labels)
    r, c = similar_pairs(normalise(vectors), threshold)
    if len(r):
        ok = ~((keys[r] >= 0) & (keys[c] >= 0) & (keys[r] != keys[c]))
        r, c = r[ok], c[ok]
    out: dict[int, set[str]] = defaultdict(set)
    for i, j in ((r, c), (c, r)):
        mine = i < n
        for lab, row in zip(labels[i[mine]].tolist(), j[mine].tolist(), strict=True):
            out[lab].add(outlets[row])
    return out


def align_claims(
    sentences: Sequence[ClaimSentence],
    embeddings: np.ndarray,
    outlets: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    copies: Mapping[str, frozenset[str]] | None = None,
    *,
    speakers: bool = True,
    carry_threshold: float | None = None,
    clauses: Sequence[ClaimSentence] = (),
    clause_embeddings: np.ndarray | None = None,
) -> list[Claim]:
    """Claims ranked: claims more than one outlet carries independently first, lead claims
    first within each (by earliest sentence index), then by how many outlets carry them
    independently, then by size (so the report's tables number claims without gaps).

    ``outlets`` are all outlets of the event (for omissions); ``copies`` maps the id of a copy to
    the ids of the articles it copies. With ``speakers``, sentences of two different identified
    speakers are never in one claim. With ``carry_threshold``, an outlet one of whose sentences
    (or lead ``clauses``, embedded as ``clause_embeddings``) is that similar to one of a claim's
    sentences, with a compatible speaker, carries the claim elsewhere and does not omit it;
    without, an outlet omits every claim it has no sentence in."""
    if len(sentences) != embeddings.shape[0]:
        raise ValueError(f"{len(sentences)} sentences but {embeddings.shape[0]} embeddings")
    if clause_embeddings is not None and len(clauses) != clause_embeddings.shape[0]:
        raise ValueError(f"{len(clauses)} clauses but {clause_embeddings.shape[0]} embeddings")
    keys = speaker_keys([*sentences, *clauses])
    labels = cluster_embeddings(embeddings, threshold, keys[: len(sentences)] if speakers else None)
    near: dict[int, set[str]] = {}
    if carry_threshold is not None and len(sentences):
        rows = embeddings if clause_embeddings is None or not len(clauses) else np.vstack(
            [embeddings, clause_embeddings])
        row_keys = keys if speakers else np.full(len(keys), -1, dtype=np.int64)
        near = carriers(labels, [s.outlet for s in [*sentences, *clauses]][: rows.shape[0]],
                        rows, row_keys[: rows.shape[0]], carry_threshold)
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        members.setdefault(lab, []).append(i)
    all_outlets = sorted(set(outlets))
    drafts = []
    for lab, idx in members.items():
        sub = embeddings[idx]
        centre = sub.mean(axis=0)
        # rounded, ties to the first sentence in (outlet, article, index) order: float noise of
        # another encoder backend or thread count never picks a different representative
        score = np.round(sub @ centre, 4)
        medoid = min(
            (i for i, sc in zip(idx, score.tolist(), strict=True) if sc == score.max()),
            key=lambda i: (sentences[i].outlet, sentences[i].article_id, sentences[i].index),
        )
        sents = sorted(
            (sentences[i] for i in idx), key=lambda s: (s.outlet, s.article_id, s.index)
        )
        carrying = sorted({s.outlet for s in sents})
        elsewhere = tuple(o for o in all_outlets if o in near.get(lab, ()) and o not in carrying)
        via_copy = copied_outlets(sents, copies or {})
        # a lead claim: at least half of the outlets carrying it put it in a headline or lead
        in_lead = {s.outlet for s in sents if is_lead(s)}
        lead = 2 * len(in_lead) >= len(carrying)
        first = min(s.index for s in sents)
        independent = len(carrying) - len(via_copy)
        named = Counter(s.speaker for s in sents if s.speaker)
        speaker = min(named, key=lambda k: (-named[k], k)) if named else None
        drafts.append(
            (
                (independent < 2, not lead, first if lead else 0, -independent, -len(sents),
                 medoid),
                sentences[medoid],
                tuple(sents),
                tuple(carrying),
                tuple(o for o in all_outlets if o not in carrying and o not in elsewhere),
                lead,
                first,
                via_copy,
                speaker,
                elsewhere,
            )
        )
    drafts.sort(key=lambda d: d[0])
    return [
        Claim(rank, rep, sents, carrying, omitted, lead, first, via, speaker, elsewhere)
        for rank, (_, rep, sents, carrying, omitted, lead, first, via, speaker, elsewhere)
        in enumerate(drafts, 1)
    ]


def claims_of_event(
    analyzed: Sequence[AnalyzedArticle],
    embed: EmbedFn,
    outlets: Sequence[str],
    names: Mapping[str, str] | None = None,
    copies: Mapping[str, frozenset[str]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    carry_threshold: float | None = CARRY_THRESHOLD,
    speakers: bool = True,
    core: bool = True,
) -> list[Claim]:
    """The claims of one event's analysed articles: candidate sentences compared on their
    factual core (``core``; else their text) with every actor label of ``names`` neutralised,
    embedded with ``embed`` and aligned (:func:`align_claims`), lead clauses carrying claims
    when ``carry_threshold`` is set."""
    sentences = claim_sentences(analyzed)
    if not sentences:
        return []
    names = names or {}
    vectors = np.asarray(embed([neutralize(claim_text(s) if core else s.text, names)
                                for s in sentences]))
    clauses = lead_clauses(analyzed) if carry_threshold is not None else []
    clause_vectors = (np.asarray(embed([neutralize(claim_text(c), names) for c in clauses]))
                      if clauses else None)
    return align_claims(sentences, vectors, outlets, threshold, copies, speakers=speakers,
                        carry_threshold=carry_threshold, clauses=clauses,
                        clause_embeddings=clause_vectors)
