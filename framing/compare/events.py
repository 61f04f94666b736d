"""Event grouping for articles without an ``event`` field.

Articles are clustered by average-linkage agglomerative clustering on the cosine distance of their
embeddings (headline and lead, embedded by the caller), with articles published more than
``max_days`` apart kept apart. An article that already has an event keeps it; an article without
one joins the event most of its cluster's labelled articles belong to, or a new ``auto-NN`` event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from framing.compare.clustering import cluster_by_threshold
from framing.models import Article

#: Mean cosine similarity for two articles to report the same event (MiniLM, headline + lead).
DEFAULT_THRESHOLD = 0.5
#: Articles further apart than this (days) are never one event.
DEFAULT_MAX_DAYS = 7



def parse_date(value: str | None) -> dt.date | None:
    """The date of an ISO date or datetime string; None when absent or unreadable."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def event_text(article: Article, max_chars: int = 600) -> str:
    """What is embedded for event grouping: the headline and the start of the body."""
    head = (article.title or "").strip()
    body = article.text.strip()[:max_chars]
    return f"{head}. {body}" if head else body


def cluster_events(
    embeddings: np.ndarray,
    dates: Sequence[dt.date | None],
    threshold: float = DEFAULT_THRESHOLD,
    max_days: int = DEFAULT_MAX_DAYS,
) -> list[int]:
    """0-based cluster label per article."""
    n = embeddings.shape[0]
    if n != len(dates):
        raise ValueError(f"{n} embeddings but {len(dates)} dates")
    if n <= 1:
        return [0] * n
    # all pairs up to MAX_EXACT articles; beyond, per component of the similar-pair graph found
    # within each article's date window (near-linear; the same clusters)
    labels = cluster_by_threshold(embeddings, threshold, dates, max_days)
    return [int(v) for v in labels]


def assign_events(
    articles: Sequence[Article],
    embeddings: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    max_days: int = DEFAULT_MAX_DAYS,
) -> list[str]:
    """The event of each article: its own when it has one, else its cluster's.

    New events are named ``auto-01``, ``auto-02``, ... in order of their earliest article
    (publication date, then id), so the same input always gives the same names.
    """
    dates = [parse_date(a.published) for a in articles]
    labels = cluster_events(embeddings, dates, threshold, max_days)
    x = np.asarray(embeddings, dtype=float)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    labelled: dict[int, dict[str, list[int]]] = {}
    for i, (a, lab) in enumerate(zip(articles, labels, strict=True)):
        if a.event is not None:
            labelled.setdefault(lab, {}).setdefault(a.event, []).append(i)
    first: dict[int, tuple[str, str]] = {}
    for a, d, lab in zip(articles, dates, labels, strict=True):
        key = (d.isoformat() if d else "9999", a.id)
        if lab not in first or key < first[lab]:
            first[lab] = key
    taken = {a.event for a in articles if a.event is not None}
    names: dict[int, str] = {}
    counter = 0
    for lab in sorted(first, key=lambda k: first[k]):
        if lab in labelled:
            continue
        counter += 1
        while f"auto-{counter:02d}" in taken:
            counter += 1
        names[lab] = f"auto-{counter:02d}"
    out: list[str] = []
    for i, (a, lab) in enumerate(zip(articles, labels, strict=True)):
        if a.event is not None:
            out.append(a.event)
        elif lab in names:
            out.append(names[lab])
        else:  # join the labelled event of the cluster whose articles are closest on average
            sims = {e: float(np.mean(x[idx] @ x[i])) for e, idx in labelled[lab].items()}
            out.append(min(sims, key=lambda e: (-sims[e], e)))
    return out
