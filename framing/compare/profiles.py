"""Outlet profiles: feature means with percentile bootstrap intervals over articles (Efron 1979)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from framing.compare.stats import SMALL_SAMPLE
from framing.models import ArticleScores, Estimate, OutletProfile


def bootstrap_mean(values: Sequence[float], n_boot: int, confidence: float, seed: int) -> Estimate:
    """Mean and percentile bootstrap interval of ``values``.

    NaN values (feature not measurable for an article) are left out and counted. With fewer than
    two values the interval is not estimable and ``low``/``high`` are None.
    """
    clean = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    n = int(clean.size)
    dropped = len(values) - n
    note = f"{dropped} article(s) without a value" if dropped else ""
    if n == 0:
        return Estimate(None, None, None, 0, "no values" + (f"; {note}" if note else ""))
    mean = float(clean.mean())
    if n < 2:
        return Estimate(
            mean, None, None, n, "; ".join(x for x in ("n=1: interval not estimable", note) if x)
        )
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = clean[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    notes = []
    if n < SMALL_SAMPLE:
        notes.append(f"small sample (n={n}): interval unreliable")
    if note:
        notes.append(note)
    return Estimate(mean, float(low), float(high), n, "; ".join(notes))


def group_scores(scores: Sequence[ArticleScores], by: str = "outlet") -> dict[str, list[ArticleScores]]:
    """Articles' scores by outlet (``by="outlet"``) or outlet group (``by="group"``, articles
    without a group under ``NO_GROUP``), in input order within each."""
    groups: dict[str, list[ArticleScores]] = defaultdict(list)
    for s in scores:
        groups[s.unit(by)].append(s)
    return dict(groups)


def build_profiles(
    scores: Sequence[ArticleScores],
    features: Sequence[str],
    n_boot: int,
    confidence: float,
    seed: int,
    by: str = "outlet",
) -> list[OutletProfile]:
    """One profile per outlet (``by="outlet"``) or outlet group (``by="group"``), sorted by name."""
    groups = group_scores(scores, by)
    profiles = []
    for name in sorted(groups):
        rows = groups[name]
        feats = {
            f: bootstrap_mean([r.features[f] for r in rows], n_boot, confidence, seed)
            for f in features
        }
        profiles.append(OutletProfile(name, len(rows), feats))
    return profiles
