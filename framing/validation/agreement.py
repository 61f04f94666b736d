"""Agreement between two label sequences: accuracy, Cohen's kappa, Krippendorff's alpha (nominal),
and seeded bootstrap intervals for any of them.

Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological
Measurement 20(1), 37-46. Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
Annenberg School for Communication Departmental Papers 43 (the coincidence-matrix form used here).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
Label = Hashable


def accuracy(a: Sequence[Label], b: Sequence[Label]) -> float:
    """Share of positions where ``a`` and ``b`` agree (NaN for empty input)."""
    _same_length(a, b)
    if not a:
        return math.nan
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(a: Sequence[Label], b: Sequence[Label]) -> float:
    """Cohen's kappa of two raters over the same items: (p_o - p_e) / (1 - p_e).

    NaN for empty input; 1.0 when both raters use one and the same label throughout (p_e = 1).
    """
    _same_length(a, b)
    n = len(a)
    if n == 0:
        return math.nan
    p_o = accuracy(a, b)
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if p_e >= 1.0:
        return 1.0 if p_o >= 1.0 else math.nan
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Label | None]]) -> float:
    """Krippendorff's alpha for nominal data.

    ``units`` holds, per item, the values the coders gave (None for a missing value); items with
    fewer than two values are not pairable and are left out. alpha = 1 - D_o / D_e with the
    coincidence matrix o_ck = sum over items of (pairs (c, k) within the item) / (m_u - 1).
    NaN when there are fewer than two pairable values or no expected disagreement (every value
    the same: alpha is undefined there, as Krippendorff notes).
    """
    coincidence: dict[tuple[Label, Label], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                coincidence[(c, k)] = coincidence.get((c, k), 0.0) + pairs / (m - 1)
    totals: dict[Label, float] = {}
    for (c, _k), v in coincidence.items():
        totals[c] = totals.get(c, 0.0) + v
    n = sum(totals.values())
    if n < 2:
        return math.nan
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return math.nan
    return 1.0 - (n - 1) * observed / expected


def alpha_two(a: Sequence[Label | None], b: Sequence[Label | None]) -> float:
    """Krippendorff's alpha (nominal) of two coders over the same items."""
    _same_length(a, b)
    return krippendorff_alpha_nominal([(x, y) for x, y in zip(a, b, strict=True)])


def confusion(
    truth: Sequence[Label], predicted: Sequence[Label]
) -> dict[str, dict[str, int]]:
    """Counts as ``{truth: {predicted: n}}`` with labels as strings, keys sorted."""
    _same_length(truth, predicted)
    table: dict[str, dict[str, int]] = {}
    for t, p in zip(truth, predicted, strict=True):
        row = table.setdefault(str(t), {})
        row[str(p)] = row.get(str(p), 0) + 1
    return {t: dict(sorted(row.items())) for t, row in sorted(table.items())}


def bootstrap_interval(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    n_resamples: int = 1000,
    seed: int = 42,
    confidence: float = 0.95,
    strata: Sequence[Hashable] | None = None,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of ``statistic`` over ``items`` (resampled with
    replacement, within ``strata`` when given, so each stratum keeps its size).

    Resamples where the statistic is NaN are dropped; (None, None) when fewer than half remain
    or there are fewer than two items. Efron & Tibshirani (1993), An Introduction to the
    Bootstrap, ch. 13.
    """
    if len(items) < 2:
        return None, None
    rng = random.Random(seed)
    groups: dict[Hashable, list[int]] = {}
    for i, s in enumerate(strata if strata is not None else [0] * len(items)):
        groups.setdefault(s, []).append(i)
    index_groups = [groups[k] for k in sorted(groups, key=repr)]
    values: list[float] = []
    for _ in range(n_resamples):
        picked = [g[rng.randrange(len(g))] for g in index_groups for _ in g]
        v = statistic([items[i] for i in picked])
        if not math.isnan(v):
            values.append(v)
    if len(values) < n_resamples / 2:
        return None, None
    values.sort()
    tail = (1.0 - confidence) / 2.0
    return _quantile(values, tail), _quantile(values, 1.0 - tail)


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of sorted values."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"label sequences differ in length: {len(a)} and {len(b)}")
