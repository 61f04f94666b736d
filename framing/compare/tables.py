"""One event's comparison: outlet and group profiles and the cross-outlet tables.

Contrasts (outlets and groups), distinctive terms, who is quoted, framing over time, actor labels
and aligned claims. Labels and claims need sentence embeddings: the caller passes an ``embed``
function (texts -> L2-normalised array, one row per text), so this layer never loads a model;
when it raises ``ImportError``, ``OSError`` or ``RuntimeError`` (the encoder cannot be loaded),
labels are grouped without embeddings and claims are not aligned (``claims_note`` says why).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from framing.compare.actors import Actors, event_actors
from framing.compare.claims import claims_of_event, label_map
from framing.compare.contrasts import build_contrasts
from framing.compare.labels import build_labels, extract_mentions, label_key, load_aliases
from framing.compare.over_time import weekly_rows
from framing.compare.profiles import build_profiles
from framing.compare.sources import count_sources
from framing.compare.terms import distinctive_terms, outlet_texts
from framing.ingest.dedupe import duplicate_pairs
from framing.models import (
    AnalyzedArticle,
    Article,
    Claim,
    Comparison,
    LabelRow,
    RunMetadata,
)
from framing.scoring import FEATURES, score_articles
from framing.settings import Settings

log = logging.getLogger(__name__)

#: Texts -> L2-normalised sentence embeddings, one row per text.
EmbedFn = Callable[[Sequence[str]], np.ndarray]


def compare_events(
    analyzed: Sequence[AnalyzedArticle],
    settings: Settings,
    run: RunMetadata,
    embed: EmbedFn,
    aliases: str | Path | None = None,
) -> list[Comparison]:
    """One :class:`Comparison` per event (events by name, articles without one last)."""
    by_event: dict[str | None, list[AnalyzedArticle]] = defaultdict(list)
    for art in analyzed:
        by_event[art.article.event].append(art)
    return [
        compare_event(event, by_event[event], settings, run, embed, aliases)
        for event in sorted(by_event, key=lambda e: (e is None, e or ""))
    ]


def compare_event(
    event: str | None,
    analyzed: Sequence[AnalyzedArticle],
    settings: Settings,
    run: RunMetadata,
    embed: EmbedFn,
    aliases: str | Path | None = None,
) -> Comparison:
    """The articles of one event scored, profiled by outlet and group, and compared."""
    scores = score_articles(analyzed)
    feats = list(FEATURES)
    args = (settings.bootstrap_samples, settings.confidence, settings.seed)
    return cross_outlet_tables(
        Comparison(
            event,
            tuple(build_profiles(scores, feats, *args)),
            tuple(scores),
            run,
            group_profiles=tuple(build_profiles(scores, feats, *args, by="group")),
        ),
        analyzed,
        settings,
        embed,
        aliases,
    )


def cross_outlet_tables(
    comparison: Comparison,
    analyzed: Sequence[AnalyzedArticle],
    settings: Settings,
    embed: EmbedFn,
    aliases: str | Path | None = None,
) -> Comparison:
    """``comparison`` with its contrasts (outlets and groups), distinctive terms, sources, weeks,
    actor labels and claims filled in from the event's analysed articles."""
    event, scores = comparison.event, comparison.scores
    feats = list(FEATURES)
    args = (settings.bootstrap_samples, settings.confidence, settings.seed)
    contrasts = tuple(build_contrasts(scores, feats, *args, by="outlet", event=event))
    terms = tuple(distinctive_terms(outlet_texts(a.article for a in analyzed)))
    # one resolution of the event's people and organisations for sources and labels
    actors = event_actors(analyzed) if len(
        {a.article.event for a in analyzed}) <= 1 else None
    sources = tuple(count_sources(analyzed, actors))
    over_time = tuple(weekly_rows(analyzed, scores, *args))
    group_contrasts = (
        tuple(build_contrasts(scores, feats, *args, by="group", event=event))
        if len({s.group for s in scores if s.group}) > 1
        else ()
    )
    labels, claims, note = _labels_and_claims(event, analyzed, settings, embed, aliases, actors)
    return replace(
        comparison,
        contrasts=contrasts,
        group_contrasts=group_contrasts,
        terms=terms,
        labels=labels,
        claims=claims,
        claims_note=note,
        sources=sources,
        over_time=over_time,
    )


def _labels_and_claims(
    event: str | None,
    analyzed: Sequence[AnalyzedArticle],
    settings: Settings,
    embed: EmbedFn,
    aliases: str | Path | None,
    actors: Actors | None = None,
) -> tuple[tuple[LabelRow, ...], tuple[Claim, ...] | None, str]:
    """Actor labels, claims aligned across outlets (None when the encoder is unavailable) and a
    note saying why claims were not aligned ("" when they were)."""
    alias_rows = load_aliases(aliases)
    mentions = extract_mentions(analyzed, alias_rows)
    keys = sorted({label_key(m.text) for m in mentions})
    outlets = sorted({a.article.outlet for a in analyzed})
    copies = syndicated_copies([a.article for a in analyzed], settings.near_duplicate_threshold)
    try:
        label_vectors = dict(zip(keys, embed(keys), strict=True))
        labels = tuple(build_labels(mentions, alias_rows, label_vectors, event=event,
                                    actors=actors))
        # claims are compared with one label per actor ("Khawarij" / "Daesh" -> "ISIS-K"), on
        # their factual core, speakers kept apart
        claims = tuple(claims_of_event(analyzed, embed, outlets, label_map(labels), copies))
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("sentence encoder unavailable (%s): labels without embeddings, no claims", exc)
        labels = tuple(build_labels(mentions, alias_rows, None, event=event, actors=actors))
        return labels, None, f"Claims were not aligned: the sentence encoder is unavailable ({exc})."
    return labels, claims, ""


def syndicated_copies(articles: Sequence[Article], threshold: float) -> dict[str, frozenset[str]]:
    """Article id of each near-duplicate copy -> ids of the originals it copies.

    Of two near-duplicates the copy is the later one (then the longer: a reprint adds a credit
    line, then the larger id)."""
    copies: dict[str, set[str]] = defaultdict(set)
    for i, j in duplicate_pairs(articles, threshold):
        original, copy = sorted((articles[i], articles[j]),
                                key=lambda a: (a.published or "", len(a.text), a.id))
        copies[copy.id].add(original.id)
    return {k: frozenset(v) for k, v in copies.items()}
