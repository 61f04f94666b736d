"""Pairwise contrasts between outlets (or outlet groups) on every feature of one event.

For each pair and feature: the difference of means, its percentile bootstrap interval, a
two-sided permutation-test p-value, Hedges' g and Cliff's delta, and the Benjamini–Hochberg
(1995) adjusted p-value over all tests of the event at that level (outlet or group).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from framing.compare import stats
from framing.compare.profiles import group_scores
from framing.compare.stats import SMALL_SAMPLE
from framing.models import ArticleScores, Contrast

#: Random relabellings when exact enumeration is too large.
N_PERMUTATIONS = 9999


def _values(rows: Sequence[ArticleScores], feature: str) -> list[float]:
    out = []
    for r in rows:
        v = r.features.get(feature, math.nan)
        if v is not None and not math.isnan(v):
            out.append(float(v))
    return out


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def contrast_pair(
    a: Sequence[float],
    b: Sequence[float],
    n_boot: int,
    confidence: float,
    seed: int,
    n_permutations: int = N_PERMUTATIONS,
    precomputed: tuple[float, float, float] | None = None,
    *,
    names: tuple[str, str] = ("a", "b"),
    feature: str = "",
    level: str = "outlet",
    event: str | None = None,
) -> Contrast:
    """``a`` minus ``b``: difference of means, its bootstrap interval, permutation p-value and
    effect sizes (``p_adjusted`` is left None: the correction runs over a whole event's tests).

    ``names``, ``feature``, ``level`` and ``event`` label the row; ``precomputed`` is
    (p, low, high) from the batched tests of :func:`build_contrasts`.
    """
    ma, mb = _mean(a), _mean(b)
    diff = None if ma is None or mb is None else ma - mb

    def row(low: float | None = None, high: float | None = None, p: float | None = None,
            g: float | None = None, delta: float | None = None, note: str = "") -> Contrast:
        return Contrast(event, level, names[0], names[1], feature, len(a), len(b), ma, mb, diff,
                        low, high, p, None, g, delta, note)

    if len(a) < 2 or len(b) < 2:
        return row(note="not estimable: fewer than 2 articles with a value on a side "
                        f"(n={len(a)} vs {len(b)})")
    notes = []
    if len(a) < SMALL_SAMPLE or len(b) < SMALL_SAMPLE:
        floor = stats.smallest_pvalue(len(a), len(b), n_permutations)
        notes.append(
            f"small sample (n={len(a)} vs {len(b)}): interval and p-value unreliable; "
            f"smallest attainable p={floor:.3g}"
        )
    low: float | None
    high: float | None
    p: float | None
    if precomputed is not None:
        p, low, high = precomputed
    else:
        ci = stats.bootstrap_difference(a, b, n_boot, confidence, seed)
        low, high = ci if ci is not None else (None, None)
        p = stats.permutation_pvalue(a, b, n_permutations, seed)
    g = stats.hedges_g(a, b)
    if g is None:
        notes.append("no variance on either side: effect size not defined")
    return row(low, high, p, g, stats.cliffs_delta(a, b), "; ".join(notes))


def build_contrasts(
    scores: Sequence[ArticleScores],
    features: Sequence[str],
    n_boot: int,
    confidence: float,
    seed: int,
    by: str = "outlet",
    event: str | None = None,
    n_permutations: int = N_PERMUTATIONS,
) -> list[Contrast]:
    """Every pair of outlets (``by="outlet"``) or groups (``by="group"``) on every feature.

    Pairs are ordered by name (``a`` < ``b``). With one outlet there are no pairs and the result
    is empty; the caller reports that. The BH correction runs over all tests returned here.
    """
    groups = group_scores(scores, by)
    rows: list[Contrast] = []
    for name_a, name_b in itertools.combinations(sorted(groups), 2):
        ga, gb = groups[name_a], groups[name_b]
        values = {f: (_values(ga, f), _values(gb, f)) for f in features}
        # features measured on every article share one batch of relabellings and resamples
        full = [f for f in features if len(values[f][0]) == len(ga) and len(values[f][1]) == len(gb)]
        batch: dict[str, tuple[float, float, float]] = {}
        if full and len(ga) >= 2 and len(gb) >= 2:
            xa = np.array([values[f][0] for f in full], dtype=float).T
            xb = np.array([values[f][1] for f in full], dtype=float).T
            ps = stats.permutation_pvalues(xa, xb, n_permutations, seed)
            lows, highs = stats.bootstrap_differences(xa, xb, n_boot, confidence, seed)
            batch = {
                f: (float(ps[k]), float(lows[k]), float(highs[k])) for k, f in enumerate(full)
            }
        for feature in features:
            a, b = values[feature]
            row = contrast_pair(
                a, b, n_boot, confidence, seed, n_permutations, batch.get(feature),
                names=(name_a, name_b), feature=feature, level=by, event=event,
            )  # fmt: skip
            missing = len(ga) - len(a) + len(gb) - len(b)
            if missing:
                note = "; ".join(x for x in (row.note, f"{missing} article(s) without a value") if x)
                row = replace(row, note=note)
            rows.append(row)
    adjusted = stats.benjamini_hochberg([r.p_value for r in rows])
    return [replace(r, p_adjusted=q) for r, q in zip(rows, adjusted, strict=True)]
