"""Who gets quoted: per event and outlet, each source and how often it is cited.

Pure functions over ``AnalyzedArticle``; no NLP model is touched here. Identified sources (a named
person or organisation, an office, an outlet) and unidentified ones (anonymous: "officials who
spoke on condition of anonymity"; vague: "some analysts") are listed alike, with ``identified``
telling them apart; hedges and agentless passives, which name nobody, are not sources. Names are matched across outlets after light
normalisation (case, a leading "the", possessive "'s", white space), and a bare surname is folded
into the one full name of the same event that ends with it ("Khan" -> "Imran Khan") when exactly one
such name exists.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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


def _surname_map(keys: Iterable[str]) -> dict[str, str]:
    """Bare surname -> the single full name of the event that ends with it."""
    full = [k for k in set(keys) if " " in k]
    by_last: dict[str, set[str]] = defaultdict(set)
    for k in full:
        by_last[k.rsplit(" ", 1)[1]].add(k)
    return {last: next(iter(names)) for last, names in by_last.items() if len(names) == 1}


def _identified(a: Attribution) -> bool:
    return a.source.kind not in UNIDENTIFIED_SOURCE_KINDS and bool(a.source.name.strip())


def _listed(a: Attribution) -> bool:
    """A source someone could be counted as: identified, or an anonymous or vague phrase."""
    return bool(a.source.name.strip()) and a.source.kind != "none" and a.kind not in (
        "hedged", "agentless_passive")


def count_sources(analyzed: Sequence[AnalyzedArticle]) -> list[SourceCount]:
    """Sources per (event, outlet), with counts and whether only that outlet cites them.

    Rows are sorted by event, outlet, then most-cited first, then name: the same input gives the
    same table.
    """
    by_event: dict[str | None, list[tuple[str, str, Attribution]]] = defaultdict(list)
    for art in analyzed:
        for a in unique_attributions(art):
            if _listed(a):
                by_event[art.article.event].append((art.article.outlet, art.article.id, a))
    rows: list[SourceCount] = []
    for event in sorted(by_event, key=lambda e: (e is None, e or "")):
        items = by_event[event]
        keys = [normalize_name(a.source.name) for _, _, a in items]
        persons = [
            k for k, (_, _, a) in zip(keys, items, strict=True) if a.source.kind == "named_person"
        ]
        surnames = _surname_map(persons)
        agg: dict[tuple[str, str], _Cell] = {}
        outlets_of: dict[str, set[str]] = defaultdict(set)
        for key, (outlet, art_id, a) in zip(keys, items, strict=True):
            if a.source.kind == "named_person" and " " not in key:
                key = surnames.get(key, key)
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
                    only_this_outlet=n_outlets == 1,
                    identified=kind not in UNIDENTIFIED_SOURCE_KINDS,
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
            ]
        )
    return out
