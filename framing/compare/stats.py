"""Two-sample statistics for outlet contrasts: permutation test, bootstrap interval of a
difference, effect sizes and the Benjamini–Hochberg correction.

Every function takes plain sequences of floats (NaN already removed by the caller) and is
deterministic for a given ``seed``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

#: Exact enumeration of all relabellings is used when there are at most this many.
MAX_EXACT_PERMUTATIONS = 20_000
#: Differences within this tolerance of the observed one count as "at least as extreme".
_TIE_TOL = 1e-12


def _arr(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)


def mean_difference(a: Sequence[float], b: Sequence[float]) -> float:
    """mean(a) - mean(b)."""
    return float(_arr(a).mean() - _arr(b).mean())


def permutation_pvalue(
    a: Sequence[float], b: Sequence[float], n_permutations: int = 9999, seed: int = 0
) -> float | None:
    """Two-sided permutation test of a difference in means (Fisher 1935; Good 2005).

    The statistic is ``|mean(a) - mean(b)|``. When the number of distinct relabellings is at most
    ``MAX_EXACT_PERMUTATIONS`` (or ``n_permutations``, whichever is larger) they are all
    enumerated and the exact p-value is returned (the observed labelling included). Otherwise
    ``n_permutations`` random relabellings are drawn and ``p = (k + 1) / (n + 1)`` (Phipson &
    Smyth 2010), so a Monte Carlo p-value is never zero. None when either side is empty.
    """
    x, y = _arr(a), _arr(b)
    n1, n2 = x.size, y.size
    if n1 == 0 or n2 == 0:
        return None
    pooled = np.concatenate([x, y])
    total = pooled.sum()
    n = n1 + n2
    observed = abs(x.mean() - y.mean())

    def stat(sum1: np.ndarray) -> np.ndarray:
        return np.abs(sum1 / n1 - (total - sum1) / n2)

    n_labellings = math.comb(n, n1)
    if n_labellings <= max(MAX_EXACT_PERMUTATIONS, n_permutations):
        sums = np.fromiter(
            (pooled[list(idx)].sum() for idx in itertools.combinations(range(n), n1)),
            dtype=float,
            count=n_labellings,
        )
        extreme = int(np.sum(stat(sums) >= observed - _TIE_TOL))
        return extreme / n_labellings
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.broadcast_to(pooled, (n_permutations, n)), axis=1)
    sums = shuffled[:, :n1].sum(axis=1)
    extreme = int(np.sum(stat(sums) >= observed - _TIE_TOL))
    return (extreme + 1) / (n_permutations + 1)


def smallest_pvalue(n1: int, n2: int, n_permutations: int = 9999) -> float:
    """The smallest p-value ``permutation_pvalue`` can return for these sample sizes."""
    n_labellings = math.comb(n1 + n2, n1)
    if n_labellings <= max(MAX_EXACT_PERMUTATIONS, n_permutations):
        return (2 if n1 == n2 else 1) / n_labellings
    return 1 / (n_permutations + 1)


def bootstrap_difference(
    a: Sequence[float],
    b: Sequence[float],
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``mean(a) - mean(b)``, resampling each side separately
    (Efron & Tibshirani 1993, ch. 13). None when either side has fewer than two values."""
    x, y = _arr(a), _arr(b)
    if x.size < 2 or y.size < 2:
        return None
    rng = np.random.default_rng(seed)
    mx = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    my = y[rng.integers(0, y.size, size=(n_boot, y.size))].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(mx - my, [alpha, 1 - alpha])
    return float(low), float(high)


def hedges_g(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Hedges' g: Cohen's d with the pooled standard deviation, times the small-sample correction
    ``J = 1 - 3 / (4 (n1 + n2) - 9)`` (Hedges 1981; Hedges & Olkin 1985).

    None when either side has fewer than two values or both sides have zero variance.
    """
    x, y = _arr(a), _arr(b)
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        return None
    pooled_var = ((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2)
    if pooled_var <= 0:
        return None
    d = (x.mean() - y.mean()) / math.sqrt(pooled_var)
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    return float(d * correction)


def cliffs_delta(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Cliff's delta: P(a > b) - P(a < b) over all pairs (Cliff 1993). None when a side is empty."""
    x, y = _arr(a), _arr(b)
    if x.size == 0 or y.size == 0:
        return None
    diff = x[:, None] - y[None, :]
    return float((np.sum(diff > 0) - np.sum(diff < 0)) / diff.size)


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg (1995) adjusted p-values (step-up, monotone, capped at 1).

    None entries (tests that could not be run) are passed through and not counted in ``m``.
    """
    present = [(i, p) for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    out: list[float | None] = [None] * len(pvalues)
    m = len(present)
    if m == 0:
        return out
    order = sorted(present, key=lambda t: t[1])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        _, p = order[rank - 1]
        running = min(running, p * m / rank)
        adjusted[rank - 1] = min(running, 1.0)
    for (i, _), q in zip(order, adjusted, strict=True):
        out[i] = q
    return out
