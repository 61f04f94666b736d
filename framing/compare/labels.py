"""The words each outlet uses for each actor of an event ("Daesh" / "Khawarij" / "ISIS-K"), and
how it describes them ("a former FBI lawyer", "his lover").

Mentions are the named entities of the nlp layer (people, organisations, places) plus every match
of the alias table in the event's sentences; laws, events and works are not actors and are left
out. Mentions of one actor are grouped, in this order, by

1. the same normalised name ("the DNC" / "DNC"; "Kim Jong-un" / "Kim Jong Un"),
2. the alias table (``framing/resources/aliases.tsv`` or a user table),
3. people and organisations: :mod:`framing.compare.actors`, the resolution sources.csv uses too
   (surnames, first-name variants, middle initials and titles for people: "Mr. Trump" / "Donald
   Trump", "Bill" / "William Kristol"; acronyms and "X Department" / "Department of X" for
   organisations: "DOJ" / "Justice Department"); other names by name parts, when only one
   actor qualifies ("Korea" stays apart beside "North Korea" and "South Korea"),
4. acronyms of other names ("UAE" / "United Arab Emirates"),
5. noun-phrase heads: a bare head noun joins the only actor with a longer mention ending in it
   ("the caravan" / "the migrant caravan"),
6. branches: a parent name used in an event that mentions exactly one of its branches ("Daesh"
   where ISIS-K is the only Islamic State branch in the event),
7. generic labels of the alias table ("militants", "terrorists", "Khawarij") join the event's
   most-mentioned actor of their type,
8. embedding similarity of the mention strings (MiniLM, computed by the caller): greedy
   average-linkage merging above a threshold, never joining two different alias-table actors
   or two resolved people or organisations.

Each outlet's labels of an actor are its name variants (``kind`` "name") and the descriptions
beside its names (``kind`` "description": appositions, predicate nominals, titles and role
nouns before the name; :mod:`framing.compare.descriptions`).

The approach follows the candidate-merging idea of Hamborg, Zhukova & Gipp (2019, NewsWCL50),
simplified; its agreement with NewsWCL50's concept annotations is measured by
``framing eval newswcl50``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from framing.compare.actors import (
    CONNECTORS,
    DETERMINERS,
    LAW_OR_EVENT_HEADS,
    NAME_PARTICLES,
    NOT_ACTOR_LABELS,
    ORG_HEADS,
    ORG_NAME_WORDS,
    PERSON_TITLES,
    PLACE_LABELS,
    TITLES,
    Actors,
    NameMention,
    entity_class,
    is_name,
    normalize_mention,
    resolve_actors,
    strip_titles,
    titled,
)
from framing.compare.actors import compact as _compact
from framing.compare.actors import initials as _initials
from framing.compare.descriptions import describe
from framing.models import AnalyzedArticle, LabelRow

__all__ = [
    "CONNECTORS", "DETERMINERS", "NAME_PARTICLES", "ORG_HEADS", "TITLES", "Alias", "Grouping",
    "Mention", "alias_index", "alias_pattern", "build_labels", "entity_type", "extract_mentions",
    "group_mentions", "is_name", "label_key", "load_aliases", "lookup_alias", "normalize_mention",
    "person_names", "strip_titles",
]

#: Mean cosine similarity of two mention groups' strings for them to merge (MiniLM scale). Chosen
#: for precision: on NewsWCL50 events 0-4 B-cubed precision is about 0.84 here, while F1 keeps
#: rising to lower thresholds because NewsWCL50's concepts are broad ("USA" holds "White House"
#: and "American officials"); see framing.evaluation.newswcl50.
DEFAULT_THRESHOLD = 0.6
#: Entity labels that can name an actor.
ACTOR_ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
ENTITY_TYPES = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
}
#: Actor types whose descriptions are not collected (places are not actors).
_NOT_DESCRIBED = frozenset({"place", "country"})
_STRIP = " \t\n\"'“”‘’()[]{},.;:!?"


@dataclass(frozen=True)
class Alias:
    """One row of an alias table; an empty ``actor`` marks a generic label of ``type``."""

    alias: str
    actor: str
    type: str
    note: str = ""

    @property
    def case_sensitive(self) -> bool:
        letters = [c for c in self.alias if c.isalpha()]
        return bool(letters) and all(c.isupper() for c in letters)


def load_aliases(path: str | Path | None = None, include_default: bool = True) -> list[Alias]:
    """Rows of the default alias table and/or a user table (TSV: alias, actor, type, note).

    A user row overrides a default row with the same normalised alias.
    """
    rows: dict[str, Alias] = {}
    origin: dict[str, int] = {}
    sources: list[str] = []
    if include_default:
        sources.append(
            resources.files("framing.resources").joinpath("aliases.tsv").read_text(encoding="utf-8")
        )
    if path is not None:
        if not Path(path).is_file():
            raise ValueError(f"alias table {path}: no such file")
        sources.append(Path(path).read_text(encoding="utf-8"))
    for n, text in enumerate(sources):
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            continue
        if [h.strip().lower() for h in header[:3]] != ["alias", "actor", "type"]:
            where = path if n == len(sources) - 1 and path is not None else "aliases.tsv"
            raise ValueError(f"{where}: alias table needs the columns alias, actor, type[, note]")
        for line_no, rec in enumerate(reader, start=2):
            if not rec or not rec[0].strip():
                continue
            if len(rec) < 3:
                raise ValueError(f"{path}: line {line_no}: expected alias, actor, type")
            alias = Alias(rec[0].strip(), rec[1].strip(), rec[2].strip(),
                          rec[3].strip() if len(rec) > 3 else "")  # fmt: skip
            key = normalize_mention(alias.alias)
            if key in rows and origin.get(key) == n:
                continue  # a spelling variant of a row above ("ISIS K" after "ISIS-K")
            rows[key] = alias
            origin[key] = n
    return list(rows.values())


def lookup_alias(text: str, aliases: Mapping[str, Alias]) -> Alias | None:
    """The alias-table row a mention matches, honouring case-sensitive (capitalised) aliases."""
    row = aliases.get(normalize_mention(text))
    if row is None:
        return None
    if row.case_sensitive and _compact(text) != _compact(row.alias):
        return None
    return row


def alias_index(rows: Sequence[Alias]) -> dict[str, Alias]:
    return {normalize_mention(r.alias): r for r in rows}


def alias_pattern(rows: Sequence[Alias]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(case-insensitive, case-sensitive) regexes matching any alias as whole words; longest
    aliases first so "Islamic State Khorasan Province" wins over "Islamic State"."""

    def build(items: list[str], flags: int) -> re.Pattern[str]:
        if not items:
            return re.compile(r"(?!x)x")
        parts = []
        for a in sorted(items, key=len, reverse=True):
            pieces = re.split(r"(\s+|-)", a)
            esc = "".join(
                r"[\s\-]+" if p.isspace() else r"[\s\-]?" if p == "-" else
                re.escape(p).replace("'", "['’]")
                for p in pieces if p
            )  # fmt: skip
            parts.append(esc)
        return re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])", flags)

    ci = [r.alias for r in rows if not r.case_sensitive]
    cs = [r.alias for r in rows if r.case_sensitive]
    return build(ci, re.IGNORECASE), build(cs, 0)


class _Groups:
    """Union-find over mention strings, with the alias actor a group is tied to."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.actor: dict[int, str] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        ai, aj = self.actor.get(ri), self.actor.get(rj)
        if ai is not None and aj is not None and ai != aj:
            return False  # two different alias-table actors never merge
        self.parent[rj] = ri
        if ai is None and aj is not None:
            self.actor[ri] = aj
        self.actor.pop(rj, None)
        return True

    def roots(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return out


@dataclass(frozen=True)
class Grouping:
    """Group label per mention string, why it joined its group, and each group's actor."""

    labels: tuple[int, ...]
    links: tuple[str, ...]
    actor: Mapping[int, str] = field(default_factory=dict)  # label -> display name
    actor_type: Mapping[int, str] = field(default_factory=dict)


def group_mentions(
    texts: Sequence[str],
    aliases: Sequence[Alias] = (),
    embeddings: np.ndarray | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    weights: Sequence[int] | None = None,
    entity_labels: Sequence[str | None] | None = None,
    rules: frozenset[str] = frozenset(
        {"alias", "name", "acronym", "head", "branch", "generic", "embedding", "names_apart"}
    ),
    actor_keys: Sequence[str | None] | None = None,
    actors: Actors | None = None,
) -> Grouping:
    """Group mention strings of one event into actors (see the module docstring).

    ``weights`` are mention counts (for choosing an event's main actor and display names);
    ``embeddings`` are L2-normalised vectors of ``texts`` (no embedding step when None).
    ``actor_keys`` are the people and organisations ``actors`` resolved the texts to (None: not
    one); without them, and with the "name" rule, the texts are resolved here, each alone (one
    text may appear twice when its two mentions are two actors: a surname two people share).
    """
    n = len(texts)
    w = list(weights) if weights is not None else [1] * n
    ents = list(entity_labels) if entity_labels is not None else [None] * n
    norms = [normalize_mention(t) for t in texts]
    stripped = [strip_titles(x) for x in norms]
    names = [is_name(t) for t in texts]
    g = _Groups(n)
    links = ["entity" if e else "mention" for e in ents]
    index = alias_index(aliases) if "alias" in rules else {}
    alias_rows: list[Alias | None] = [lookup_alias(t, index) for t in texts]
    if actor_keys is None or actors is None:
        if "name" in rules:
            actors = resolve_actors(
                NameMention(t, entity_class(e)) for t, e in zip(texts, ents, strict=True))
            actor_keys = [actors.actor(t) for t in texts]
        else:
            actor_keys = [None] * n
    keys = [None if alias_rows[i] is not None else actor_keys[i] for i in range(n)]

    # 1. same normalised string (titles dropped for names), unless resolved to two actors
    first: dict[str, int] = {}
    for i in range(n):
        key = stripped[i] if names[i] else norms[i]
        if key in first:
            j = first[key]
            if keys[i] is not None and keys[j] is not None and keys[i] != keys[j]:
                continue
            if g.union(j, i):
                links[i] = "same name"
        else:
            first[key] = i
    # 2. alias table: one group per actor; generic labels one group per type
    by_actor: dict[str, int] = {}
    generic_roots: dict[str, int] = {}
    for i, row in enumerate(alias_rows):
        if row is None:
            continue
        links[i] = "alias table" if row.actor else f"generic label ({row.type})"
        key = row.actor or f"@generic:{row.type}"
        root = g.find(i)
        if key in by_actor:
            g.union(by_actor[key], i)
        else:
            by_actor[key] = i
            if g.actor.get(root) is None:
                g.actor[root] = key
        if not row.actor:
            generic_roots[row.type] = by_actor[key]
    types = {r.actor: r.type for r in aliases if r.actor}

    # 3. people and organisations as resolved (framing.compare.actors); other names by parts
    members_of: dict[str, list[int]] = defaultdict(list)
    for i, akey in enumerate(keys):
        if akey is not None:
            members_of[akey].append(i)
    for akey, same in members_of.items():
        assert actors is not None
        why = {i: actors.reason(texts[i]) for i in same}
        anchor = next((i for i in same if not why[i]), same[0])
        for i in same:
            if i != anchor and g.union(anchor, i) and links[i] in ("entity", "mention"):
                links[i] = why[i] or "same name"
        root = g.find(anchor)
        if g.actor.get(root) is None:
            g.actor[root] = f"@actor:{akey}"
    if "name" in rules:
        multi = [i for i in range(n)
                 if names[i] and keys[i] is None and len(stripped[i].split()) > 1]
        for i in range(n):
            if not names[i] or alias_rows[i] is not None or keys[i] is not None:
                continue
            a = stripped[i].split()
            cands = set()
            for j in multi:
                b = stripped[j].split()
                row_j = alias_rows[j]
                if len(b) <= len(a) or (row_j is not None and not row_j.actor):
                    continue
                if b[-len(a) :] == a and b[-1] not in ORG_HEADS:
                    cands.add(g.find(j))
                elif b[: len(a)] == a and b[-1] not in ORG_HEADS and "of" not in b and (
                    ents[j] in (None, "PERSON")
                ):
                    cands.add(g.find(j))
            cands.discard(g.find(i))
            if len(cands) == 1 and g.union(cands.pop(), i):
                links[i] = "name part"
    # 4. acronyms
    if "acronym" in rules:
        by_initials: dict[str, set[int]] = defaultdict(set)
        for j in range(n):
            if names[j] and keys[j] is None and len(norms[j].split()) > 1:
                by_initials[_initials(norms[j])].add(j)
        for i in range(n):
            c = _compact(texts[i])
            if 2 <= len(c) <= 6 and c.isupper() and keys[i] is None:
                found = {g.find(j) for j in by_initials.get(c.lower(), set())} - {g.find(i)}
                if len(found) == 1 and g.union(found.pop(), i):
                    links[i] = "acronym"
    # 5. noun-phrase heads
    if "head" in rules:
        by_head: dict[str, set[int]] = defaultdict(set)
        for j in range(n):
            toks = norms[j].split()
            if len(toks) > 1:
                by_head[toks[-1]].add(j)
        for i in range(n):
            toks = norms[i].split()
            if names[i] or len(toks) != 1 or alias_rows[i] is not None:
                continue
            heads = {g.find(j) for j in by_head.get(toks[0], set())} - {g.find(i)}
            if len(heads) == 1 and g.union(heads.pop(), i):
                links[i] = "noun-phrase head"
    # 6. a parent name stands for its only branch in the event
    present = {g.actor[r] for r in g.roots() if r in g.actor}
    if "branch" in rules:
        for parent in sorted(p for p in present if not p.startswith("@")):
            branches = [a for a in present if a.startswith(parent + "/")]
            if len(branches) == 1:
                pr = next(r for r in g.roots() if g.actor.get(r) == parent)
                br = next(r for r in g.roots() if g.actor.get(r) == branches[0])
                members = g.roots()[pr]
                g.actor.pop(pr, None)
                if g.union(br, pr):
                    for i in members:
                        links[i] = f"parent name for the only branch mentioned ({parent})"
                else:  # pragma: no cover - the parent tag was removed above
                    g.actor[pr] = parent
    # 7. generic labels join the event's most-mentioned actor of their type
    roots = g.roots()
    if "generic" in rules:
        for typ, gi in generic_roots.items():
            groot = g.find(gi)
            best: tuple[int, str, int] | None = None
            for r, members in roots.items():
                actor = g.actor.get(r)
                if actor is None or actor.startswith("@generic") or types.get(actor) != typ:
                    continue
                cand = (sum(w[i] for i in members), actor, r)
                if best is None or (cand[0], cand[1]) > (best[0], best[1]):
                    best = cand
            if best is not None:
                members = roots[groot]
                g.actor.pop(groot, None)
                g.union(best[2], groot)
                for i in members:
                    links[i] = f"generic label ({typ}) attached to the event's main {typ}"
    # 8. embedding similarity: greedy average linkage
    if "embedding" in rules and embeddings is not None and n > 1:
        _merge_by_embedding(
            g, np.asarray(embeddings, dtype=float), threshold, links,
            names if "names_apart" in rules else None,
        )  # fmt: skip

    roots = g.roots()
    order = sorted(roots, key=lambda r: (-sum(w[i] for i in roots[r]), min(roots[r])))
    label_of = {r: k for k, r in enumerate(order)}
    labels = tuple(label_of[g.find(i)] for i in range(n))
    display: dict[int, str] = {}
    actor_type: dict[int, str] = {}
    for r, k in label_of.items():
        members = roots[r]
        tag = g.actor.get(r)
        if tag is not None and tag.startswith("@actor:") and actors is not None:
            display[k] = actors.display(tag[len("@actor:"):])
            actor_type[k] = actors.kind(tag[len("@actor:"):])
            continue
        if tag is not None and not tag.startswith("@generic"):
            display[k] = tag.replace("/", " / ")
            actor_type[k] = types.get(tag, "")
            continue
        pool = [i for i in members if names[i]] or members
        best_i = max(pool, key=lambda i: (w[i], len(texts[i]), -i))
        display[k] = texts[best_i].strip(_STRIP)
        if tag is not None:
            actor_type[k] = tag.split(":", 1)[1]
        else:
            labs = Counter(e for e in (ents[i] for i in members) if e is not None)
            actor_type[k] = ENTITY_TYPES.get(labs.most_common(1)[0][0], "") if labs else ""
    return Grouping(labels, tuple(links), display, actor_type)


def _merge_by_embedding(
    g: _Groups,
    x: np.ndarray,
    threshold: float,
    links: list[str],
    names: Sequence[bool] | None = None,
) -> None:
    """Merge groups while the best pair's mean pairwise cosine similarity is >= threshold.

    With ``names``, two groups that each hold a proper name (or an alias-table actor) never merge: similar names ("Kabul",
    "Afghanistan"; "Peshawar", "Khyber Pakhtunkhwa") are related, not the same actor, and names
    are grouped by the name rules and the alias table instead. Descriptions ("North Korean
    leader") still join a named group by similarity.
    """
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    roots = g.roots()
    keys = list(roots)
    k = len(keys)
    sums = np.stack([x[roots[r]].sum(axis=0) for r in keys])
    counts = np.array([len(roots[r]) for r in keys], dtype=float)
    dots = sums @ sums.T
    sim = dots / np.outer(counts, counts)
    tag_names = sorted({t for t in (g.actor.get(r) for r in keys) if t is not None})
    tag = np.array([tag_names.index(t) if (t := g.actor.get(r)) is not None else -1 for r in keys])

    has_name = np.array(
        [
            names is not None and (g.actor.get(r) is not None or any(names[i] for i in roots[r]))
            for r in keys
        ],
        dtype=bool,
    )

    def conflicts(a: int) -> np.ndarray:
        t = int(tag[a])
        return ((t >= 0) & (tag >= 0) & (tag != t)) | (has_name[a] & has_name)

    for a in range(k):
        sim[a, conflicts(a)] = -np.inf
    np.fill_diagonal(sim, -np.inf)
    alive = np.ones(k, dtype=bool)
    while True:
        a, b = divmod(int(np.argmax(sim)), k)
        best = sim[a, b]
        if not np.isfinite(best) or best < threshold:
            return
        if (tag[b] >= 0) > (tag[a] >= 0) or (tag[a] < 0 and tag[b] < 0 and counts[b] > counts[a]):
            a, b = b, a  # the group that joins (and is marked as joined by similarity) is b
        moved = roots[keys[b]]
        g.union(keys[a], keys[b])
        for i in moved:
            links[i] = f"embedding similarity ({best:.2f})"
        roots[keys[a]] = roots[keys[a]] + moved
        dots[a, :] += dots[b, :]
        dots[:, a] += dots[:, b]
        counts[a] += counts[b]
        if tag[a] < 0:
            tag[a] = tag[b]
        has_name[a] = has_name[a] or has_name[b]
        alive[b] = False
        row = dots[a, :] / (counts[a] * counts)
        row[~alive | conflicts(a)] = -np.inf
        row[a] = -np.inf
        sim[a, :] = row
        sim[:, a] = row
        sim[b, :] = -np.inf
        sim[:, b] = -np.inf


# ----------------------------------------------------------------------------- event mentions


@dataclass(frozen=True)
class Mention:
    """One mention of a possible actor in an article sentence."""

    outlet: str
    article_id: str
    sentence_index: int
    text: str
    entity_label: str | None
    sentence: str
    #: where ``text`` starts in ``sentence`` (-1: unknown; no description is read then)
    start: int = -1


def not_actor_names(analyzed: Sequence[AnalyzedArticle]) -> set[str]:
    """Normalised names the event's entities tag as a law, an event, a work or a product more
    often than as a person, organisation or place ("Justice Against Sponsors of Terrorism
    Act")."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for art in analyzed:
        for e in art.entities:
            if e.label in NOT_ACTOR_LABELS:
                counts[normalize_mention(e.text)][0] += 1
            elif e.label in ACTOR_ENTITY_LABELS:
                counts[normalize_mention(e.text)][1] += 1
    return {k for k, (no, yes) in counts.items() if no and no >= yes}


def extract_mentions(
    analyzed: Sequence[AnalyzedArticle], aliases: Sequence[Alias] = ()
) -> list[Mention]:
    """Alias-table matches in every sentence (headline included) and the named entities of the
    body; where both cover the same words, the alias match is kept. Names of laws, events and
    works are left out, whatever the tagger labelled one mention of them."""
    ci, cs = alias_pattern(aliases)
    outlets = {normalize_mention(a.article.outlet) for a in analyzed}
    not_actors = not_actor_names(analyzed)
    out: list[Mention] = []
    for art in analyzed:
        a = art.article
        persons = person_names(art)
        # (start, end) of the alias matches in each sentence's text, by sentence index
        taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for s in art.sentences:
            for pattern in (ci, cs):
                for m in pattern.finditer(s.text):
                    if any(m.start() < t[1] and t[0] < m.end() for t in taken[s.index]):
                        continue
                    taken[s.index].append((m.start(), m.end()))
                    out.append(Mention(a.outlet, a.id, s.index, m.group(0), None, s.text,
                                       m.start()))
        body = [s for s in art.sentences if s.part == "body"]
        for e in art.entities:
            if e.label not in ACTOR_ENTITY_LABELS:
                continue
            sent = next((s for s in body if s.span.start <= e.span.start < s.span.end), None)
            if sent is None:
                continue
            start = e.span.start - sent.span.start
            end = e.span.end - sent.span.start
            if any(start < t[1] and t[0] < end for t in taken[sent.index]):
                continue
            raw = e.text.replace("’", "'")
            lead = len(raw) - len(raw.lstrip(_STRIP))
            text = re.sub(r"'s$", "", raw).strip(_STRIP)
            if not text or not any(c.isupper() for c in text):
                continue  # "mosques": a common noun tagged as an entity
            norm = normalize_mention(text)
            if norm in outlets:
                continue  # an outlet naming itself ("told Kabul Dispatch") is not an actor
            words = norm.split()
            if norm in not_actors or (len(words) > 1 and words[-1] in LAW_OR_EVENT_HEADS):
                continue  # "the Affordable Care Act", "the Benghazi hearings": not actors
            label = entity_type(text, e.label, sent.text[:start], persons, sent.text[end:])
            out.append(Mention(a.outlet, a.id, sent.index, text, label, sent.text, start + lead))
    return _titled_persons(out)


#: One capitalised word after another (each with an optional comma and "and"/"or"): a flat
#: repetition, so a run of capitalised words is matched one way only (nested repetitions of the
#: same words backtrack exponentially: 22 words took 3 s, a title-case line for ever).
_PLACE_BEFORE = re.compile(
    r"\b(?:in|near|from|across|into|around|outside)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'-]*,?\s+(?:(?:and|or)\s+)?)*$")
_PLACE_AFTER = re.compile(r"^\s+(?:district|districts|province|provinces|valley|region|city|"
                          r"town|village|villages|county|state)\b", re.IGNORECASE)


def person_names(article: AnalyzedArticle) -> set[str]:
    """Lower-cased names and surnames of the article's sources typed as named persons (the
    attribution's typing: titles, roles and later mentions, not the entity tagger alone)."""
    out: set[str] = set()
    for sent in article.sentences:
        for att in sent.attributions:
            if att.source.kind == "named_person" and att.source.name:
                words = strip_titles(normalize_mention(att.source.name)).split()
                if words:
                    out.add(" ".join(words))
                    out.add(words[-1])
    return out


def entity_type(
    text: str, label: str, before: str, persons: set[str], after: str = ""
) -> str:
    """The entity label of a mention, corrected where the tagger is weakest on names it has not
    seen: a titled name or a name the article quotes as a person is PERSON; a one-word
    organisation after "in", "near", "from" ("in Bajaur and Orakzai") or before "district" is a
    place; a place whose name holds an organisation word ("Centre for …") is an organisation."""
    norm = normalize_mention(text)
    words = norm.split()
    if label != "PERSON" and words and ((words[0] in PERSON_TITLES and _person_like(norm))
                                        or strip_titles(norm) in persons
                                        or (len(words) == 1 and norm in persons)):
        return "PERSON"
    if label == "ORG" and len(words) == 1 and not set(words) & ORG_NAME_WORDS and (
            _PLACE_BEFORE.search(before) or _PLACE_AFTER.match(after)):
        return "GPE"
    if label in ("GPE", "LOC", "FAC") and set(words) & ORG_NAME_WORDS:
        return "ORG"
    return label


def _person_like(norm: str) -> bool:
    """Whether the words after a title can be a person's name: "Justice Kennedy", not "Justice
    Against Sponsors of Terrorism Act" or "General Motors Company"."""
    words = strip_titles(norm).split()
    return (0 < len(words) <= 4 and words[-1] not in LAW_OR_EVENT_HEADS
            and not set(words) & (ORG_NAME_WORDS | {"of", "for", "against", "and", "on"}))


def _titled_persons(mentions: list[Mention]) -> list[Mention]:
    """A name the event gives a person's title anywhere ("Qari Hamidullah") is a person in every
    mention ("Hamidullah")."""
    titled = {strip_titles(normalize_mention(m.text)) for m in mentions
              if normalize_mention(m.text).split()[:1] and
              normalize_mention(m.text).split()[0] in PERSON_TITLES
              and _person_like(normalize_mention(m.text))}
    titled.discard("")
    return [replace(m, entity_label="PERSON")
            if m.entity_label not in (None, "PERSON")
            and strip_titles(normalize_mention(m.text)) in titled else m for m in mentions]


def label_key(text: str) -> str:
    """How a label is shown: the mention without a leading determiner, case kept."""
    t = text.replace("’", "'").strip(_STRIP)
    words = t.split()
    while len(words) > 1 and words[0].lower() in DETERMINERS:
        words = words[1:]
    return re.sub(r"\s+", " ", " ".join(words))


def build_labels(
    mentions: Sequence[Mention],
    aliases: Sequence[Alias] = (),
    embeddings: Mapping[str, np.ndarray] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    event: str | None = None,
    min_mentions: int = 2,
    max_examples: int = 2,
    actors: Actors | None = None,
) -> list[LabelRow]:
    """Group an event's mentions into actors and count each outlet's labels for each: its name
    variants, then the descriptions beside its names.

    ``embeddings`` maps a label (see ``label_key``) to its vector; ``actors`` is the event's
    resolution of people and organisations (:func:`framing.compare.actors.resolve_actors`;
    built from the mentions when None); actors with fewer than ``min_mentions`` mentions are
    left out. Rows are ordered by actor (most mentioned first), outlet, names before
    descriptions, then count.
    """
    if not mentions:
        return []
    if actors is None:
        actors = resolve_actors(
            NameMention(m.text, entity_class(m.entity_label), m.article_id, m.outlet)
            for m in mentions)
    index = alias_index(aliases)

    def unit_of(m: Mention) -> tuple[str, str]:
        """(label, actor key or ""): one label may name two actors (a shared surname)."""
        k = label_key(m.text)
        if lookup_alias(m.text, index) is not None:
            return k, ""
        text = (titled(m.text, m.sentence[:m.start]) if m.start >= 0 and m.entity_label == "PERSON"
                else m.text)
        return k, actors.actor(text, m.article_id, entity_class(m.entity_label)) or ""

    unit = [unit_of(m) for m in mentions]
    units = sorted(set(unit))
    counts = Counter(unit)
    ent: dict[tuple[str, str], str] = {}
    for m, u in zip(mentions, unit, strict=True):
        if m.entity_label:
            ent.setdefault(u, m.entity_label)
    emb = None
    if embeddings is not None and all(k in embeddings for k, _ in units):
        emb = np.stack([embeddings[k] for k, _ in units])
    grouping = group_mentions(
        [k for k, _ in units], aliases, emb, threshold, [counts[u] for u in units],
        [ent.get(u) for u in units], actor_keys=[a or None for _, a in units], actors=actors,
    )  # fmt: skip
    group_of = dict(zip(units, grouping.labels, strict=True))
    link_of = dict(zip(units, grouping.links, strict=True))
    per: dict[tuple[int, str, str], list[tuple[Mention, tuple[str, str]]]] = defaultdict(list)
    totals: Counter[int] = Counter()
    outlet_totals: Counter[tuple[int, str]] = Counter()
    for m, u in zip(mentions, unit, strict=True):
        gid = group_of[u]
        # case variants of one label are one label ("Militants" / "militants")
        per[(gid, m.outlet, normalize_mention(u[0]))].append((m, u))
        totals[gid] += 1
        outlet_totals[(gid, m.outlet)] += 1
    rows: list[LabelRow] = []
    for (gid, outlet, _), items in per.items():
        if totals[gid] < min_mentions:
            continue
        shown = Counter(u[0] for _, u in items).most_common(1)[0][0]
        link = next(link_of[u] for _, u in items if u[0] == shown)
        rows.append(
            LabelRow(
                event, grouping.actor[gid], grouping.actor_type.get(gid, ""), totals[gid],
                outlet, shown, len(items), len(items) / outlet_totals[(gid, outlet)],
                link, _examples([m for m, _ in items], max_examples),
            )
        )  # fmt: skip
    rows += _description_rows(mentions, [group_of[u] for u in unit], grouping, totals,
                              outlet_totals, event, min_mentions, max_examples)
    rows.sort(key=lambda r: (-r.actor_mentions, r.actor, r.outlet, r.kind != "name", -r.count,
                             r.label))
    return rows


def _examples(ms: Sequence[Mention], max_examples: int) -> tuple[str, ...]:
    examples: list[str] = []
    for m in ms:
        if m.sentence not in examples:
            examples.append(m.sentence)
        if len(examples) >= max_examples:
            break
    return tuple(examples)


def _description_rows(
    mentions: Sequence[Mention],
    gids: Sequence[int],
    grouping: Grouping,
    totals: Mapping[int, int],
    outlet_totals: Mapping[tuple[int, str], int],
    event: str | None,
    min_mentions: int,
    max_examples: int,
) -> list[LabelRow]:
    """Each outlet's descriptions of each actor (appositions, predicate nominals, titles and
    role nouns before its names), counted once per sentence; ``share`` is of the outlet's name
    mentions of the actor."""
    found: dict[tuple[int, str, str], list[tuple[Mention, str, str]]] = defaultdict(list)
    seen: set[tuple[str, int, int, str]] = set()
    names_of: dict[int, set[str]] = defaultdict(set)
    for m, gid in zip(mentions, gids, strict=True):
        names_of[gid].add(normalize_mention(m.text))
    for m, gid in zip(mentions, gids, strict=True):
        if (m.start < 0 or grouping.actor_type.get(gid, "") in _NOT_DESCRIBED
                or m.entity_label in PLACE_LABELS or not is_name(m.text)
                or totals[gid] < min_mentions):
            continue
        for label, how in describe(m.sentence, m.start, m.start + len(m.text)):
            norm = normalize_mention(label)
            if not norm or norm in names_of[gid]:
                continue
            key = (m.article_id, m.sentence_index, gid, norm)
            if key in seen:
                continue
            seen.add(key)
            found[(gid, m.outlet, norm)].append((m, label, how))
    rows: list[LabelRow] = []
    for (gid, outlet, _), items in found.items():
        shown = Counter(label for _, label, _ in items).most_common(1)[0][0]
        how = Counter(h for _, _, h in items).most_common(1)[0][0]
        rows.append(LabelRow(
            event, grouping.actor[gid], grouping.actor_type.get(gid, ""), totals[gid], outlet,
            shown, len(items), len(items) / max(1, outlet_totals.get((gid, outlet), 0)), how,
            _examples([m for m, _, _ in items], max_examples), kind="description"))
    return rows
