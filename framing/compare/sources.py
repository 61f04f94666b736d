"""Who gets quoted: per event and outlet, each source and how often it is cited.

Pure functions over ``AnalyzedArticle``; no NLP model is touched here. Identified sources (a named
person or organisation, an office, an outlet) and unidentified ones (anonymous: "officials who
spoke on condition of anonymity"; vague: "some analysts") are listed alike, with ``identified``
telling them apart; hedges and agentless passives, which name nobody, are not sources.

Named people and organisations are resolved to actors by :mod:`framing.compare.actors`, the
resolution labels.csv uses too: within an event and across its outlets, "Trump", "Mr. Trump" and
"Donald J. Trump" are one row per outlet, as are "Bill" and "William Kristol", "FBI" and "Federal
Bureau of Investigation"; a surname two people of the event share stays apart unless the article
names only one of them. Each row keeps the outlet's own most used spelling (``source``) and names
the actor the same way for every outlet (``actor``). ``only_this_outlet`` is true when no other
outlet's articles of the event mention the actor at all: as a source, or as a named entity. Other
sources (offices, anonymous and vague ones) are matched after light normalisation (case, a
leading "the", possessive "'s", white space).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from framing.compare.actors import SOURCE_TYPES, Actors, event_actors, is_name, source_text
from framing.models import UNIDENTIFIED_SOURCE_KINDS, AnalyzedArticle, Attribution, SourceCount
from framing.scoring.features import unique_attributions

SOURCE_COLUMNS = (
    "event",
    "outlet",
    "source",
    "kind",
    "role",
    "n_attributions",
    "n_direct_quotes",
    "n_reported",
    "n_chain_origin",
    "n_articles",
    "n_outlets",
    "only_this_outlet",
    "identified",
    "actor",
    "n_outlets_mentioning",
)

_SPACE = re.compile(r"\s+")


@dataclass
class _Cell:
    names: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    kinds: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    roles: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    n: int = 0
    quotes: int = 0
    reported: int = 0
    chain: int = 0
    articles: set[str] = field(default_factory=set)


def normalize_name(name: str) -> str:
    """Matching key of a source name: case-folded, no leading article or possessive."""
    key = _SPACE.sub(" ", name.replace("’", "'")).strip().casefold()
    key = re.sub(r"^(the|a|an) ", "", key)
    key = re.sub(r"'s?$", "", key).strip(" ,.;:")
    return key


def _identified(a: Attribution) -> bool:
    return a.source.kind not in UNIDENTIFIED_SOURCE_KINDS and bool(a.source.name.strip())


def _listed(a: Attribution) -> bool:
    """A source someone could be counted as: identified, or an anonymous or vague phrase."""
    return bool(a.source.name.strip()) and a.source.kind != "none" and a.kind not in (
        "hedged", "agentless_passive")


def source_actor(a: Attribution, article_id: str, actors: Actors) -> str | None:
    """The actor key of an attribution's source: a named person or organisation resolved by
    ``actors``, else None."""
    typ = SOURCE_TYPES.get(a.source.kind)
    name = source_text(a.source.name)
    if typ is None or not is_name(name):
        return None
    return actors.actor(name, article_id, typ)


def count_sources(
    analyzed: Sequence[AnalyzedArticle], actors: Actors | None = None
) -> list[SourceCount]:
    """Sources per (event, outlet), with counts and whether only that outlet mentions them.

    ``actors`` is the resolution of the event's names (:func:`framing.compare.actors.
    event_actors`), for articles of one event; built here per event when None. Rows are sorted by event, outlet, then most-cited first,
    then name: the same input gives the same table.
    """
    by_event: dict[str | None, list[tuple[str, str, Attribution]]] = defaultdict(list)
    articles: dict[str | None, list[AnalyzedArticle]] = defaultdict(list)
    for art in analyzed:
        articles[art.article.event].append(art)
        for a in unique_attributions(art):
            if _listed(a):
                by_event[art.article.event].append((art.article.outlet, art.article.id, a))
    if actors is not None and len(articles) > 1:
        raise ValueError("count_sources: one resolution of actors given for several events")
    rows: list[SourceCount] = []
    for event in sorted(by_event, key=lambda e: (e is None, e or "")):
        items = by_event[event]
        res = actors if actors is not None else event_actors(articles[event])
        keys: list[str] = []
        for _, art_id, a in items:
            akey = source_actor(a, art_id, res)
            keys.append(akey if akey is not None else "=" + normalize_name(a.source.name))
        agg: dict[tuple[str, str], _Cell] = {}
        outlets_of: dict[str, set[str]] = defaultdict(set)
        for key, (outlet, art_id, a) in zip(keys, items, strict=True):
            outlets_of[key].add(outlet)
            cell = agg.setdefault((outlet, key), _Cell())
            cell.names[a.source.name] += 1
            cell.kinds[a.source.kind] += 1
            if a.source.role:
                cell.roles[a.source.role] += 1
            cell.n += 1
            if a.kind == "direct_quote":
                cell.quotes += 1
            elif a.kind == "chain":
                cell.chain += 1
            else:
                cell.reported += 1
            cell.articles.add(art_id)
        for (outlet, key), cell in agg.items():
            names, kinds, roles = cell.names, cell.kinds, cell.roles
            # the most frequent spelling names the row (longest on ties)
            name = max(names, key=lambda s: (names[s], len(s), s))
            kind = max(kinds, key=lambda s: (kinds[s], s))
            role = max(roles, key=lambda s: (roles[s], s)) if roles else None
            n_outlets = len(outlets_of[key])
            if key.startswith("="):  # not a name: matched by its words only
                actor, mentioning = "", outlets_of[key]
            else:
                actor = res.display(key)
                mentioning = outlets_of[key] | res.outlets.get(key, set())
            rows.append(
                SourceCount(
                    event=event,
                    outlet=outlet,
                    source=name,
                    kind=kind,
                    role=role,
                    n_attributions=cell.n,
                    n_direct_quotes=cell.quotes,
                    n_reported=cell.reported,
                    n_chain_origin=cell.chain,
                    n_articles=len(cell.articles),
                    n_outlets=n_outlets,
                    only_this_outlet=len(mentioning) <= 1,
                    identified=kind not in UNIDENTIFIED_SOURCE_KINDS,
                    actor=actor,
                    n_outlets_mentioning=len(mentioning),
                )
            )
    rows.sort(key=lambda r: (r.event is None, r.event or "", r.outlet, -r.n_attributions, r.source))
    return rows


def source_table(rows: Sequence[SourceCount]) -> list[list[str]]:
    """Rows of ``sources.csv`` (header first) as strings."""
    out = [list(SOURCE_COLUMNS)]
    for r in rows:
        out.append(
            [
                r.event or "",
                r.outlet,
                r.source,
                r.kind,
                r.role or "",
                str(r.n_attributions),
                str(r.n_direct_quotes),
                str(r.n_reported),
                str(r.n_chain_origin),
                str(r.n_articles),
                str(r.n_outlets),
                "true" if r.only_this_outlet else "false",
                "true" if r.identified else "false",
                r.actor,
                "" if r.n_outlets_mentioning is None else str(r.n_outlets_mentioning),
            ]
        )
    return out
