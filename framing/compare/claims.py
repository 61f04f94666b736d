"""Claims of one event aligned across outlets by sentence-embedding similarity.

Sentences are embedded by the caller (MiniLM, L2-normalised; see ``framing.nlp.encoder``) and
grouped by average-linkage agglomerative clustering on cosine distance (a sentence joins a claim
when its mean similarity to the claim's sentences is at least ``threshold``). A claim is carried
by the outlets with a sentence in it and omitted by the other outlets of the event. Headline and
lead claims (at least half of the carrying outlets have it in a headline or body sentence 0-2)
rank first. Actors' labels are replaced by one label per actor before embedding
(:func:`neutralize`), so outlets that name a group differently still share a claim.

Syndicated copy (an article flagged as an exact or near duplicate of another outlet's article) is
not independent coverage: an outlet that carries a claim only through such copies is listed in
``via_copy`` and does not count towards ``n_independent``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from framing.compare.clustering import MAX_EXACT, cluster_by_threshold
from framing.models import AnalyzedArticle, Claim, ClaimSentence, LabelRow

#: Mean cosine similarity for two sentences to express the same claim (MiniLM scale). Chosen by
#: reading the alignments of the invented demo corpus (0.6 joins opposite claims about one fact,
#: 0.7 misses paraphrases); no annotated claim-alignment corpus was available to tune it.
DEFAULT_THRESHOLD = 0.65
#: Sentences with index up to this (0-based, headline included) count as the lead.
LEAD_INDEX = 2
#: Sentences shorter than this (words) are not claims ("Dead men do not testify" has 5).
MIN_WORDS = 4


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


def claim_sentences(analyzed: Sequence[AnalyzedArticle]) -> list[ClaimSentence]:
    """Candidate claims of an event: headlines, and sentences that assert something (in the
    outlet's voice or a source's) with at least ``MIN_WORDS`` words."""
    out = []
    for art in analyzed:
        for s in art.sentences:
            text = " ".join(s.text.split())
            if len(text.split()) < MIN_WORDS:
                continue
            if s.part == "title" or s.voice in ("author", "attributed", "vague"):
                out.append(ClaimSentence(art.article.outlet, art.article.id, s.index, s.part, text))
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


def is_lead(s: ClaimSentence) -> bool:
    return s.part == "title" or s.index <= LEAD_INDEX


def cluster_embeddings(embeddings: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster labels (0-based) from average-linkage clustering with a cosine-distance cut at
    ``1 - threshold``. One row gives one cluster."""
    n = embeddings.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    if n > MAX_EXACT:  # the same clusters, one component of the similar-pair graph at a time
        return cluster_by_threshold(embeddings, threshold)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    dist = np.clip(pdist(np.asarray(embeddings, dtype=float), metric="cosine"), 0.0, 2.0)
    tree = linkage(dist, method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return np.asarray(labels, dtype=int) - 1


def align_claims(
    sentences: Sequence[ClaimSentence],
    embeddings: np.ndarray,
    outlets: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    copies: Mapping[str, frozenset[str]] | None = None,
) -> list[Claim]:
    """Claims ranked: claims more than one outlet carries independently first, lead claims
    first within each (by earliest sentence index), then by how many outlets carry them
    independently, then by size (so the report's tables number claims without gaps). ``outlets`` are all outlets of the event (for
    omissions); ``copies`` maps the id of a copy to the ids of the articles it copies."""
    if len(sentences) != embeddings.shape[0]:
        raise ValueError(f"{len(sentences)} sentences but {embeddings.shape[0]} embeddings")
    labels = cluster_embeddings(embeddings, threshold)
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        members.setdefault(lab, []).append(i)
    all_outlets = sorted(set(outlets))
    drafts = []
    for idx in members.values():
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
        via_copy = copied_outlets(sents, copies or {})
        # a lead claim: at least half of the outlets carrying it put it in a headline or lead
        in_lead = {s.outlet for s in sents if is_lead(s)}
        lead = 2 * len(in_lead) >= len(carrying)
        first = min(s.index for s in sents)
        independent = len(carrying) - len(via_copy)
        drafts.append(
            (
                (independent < 2, not lead, first if lead else 0, -independent, -len(sents),
                 medoid),
                sentences[medoid],
                tuple(sents),
                tuple(carrying),
                tuple(o for o in all_outlets if o not in carrying),
                lead,
                first,
                via_copy,
            )
        )
    drafts.sort(key=lambda d: d[0])
    return [
        Claim(rank, rep, sents, carrying, omitted, lead, first, via)
        for rank, (_, rep, sents, carrying, omitted, lead, first, via) in enumerate(drafts, 1)
    ]
