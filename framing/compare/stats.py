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

#: Fewer articles than this (on a side): an interval, p-value or contrast is reported and marked
#: as a small sample.
SMALL_SAMPLE = 5
#: Exact enumeration of all relabellings is used when there are at most this many.
MAX_EXACT_PERMUTATIONS = 20_000
#: Differences within this tolerance of the observed one count as "at least as extreme".
_TIE_TOL = 1e-12


def _arr(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)


def mean_difference(a: Sequence[float], b: Sequence[float]) -> float:
    """mean(a) - mean(b)."""
    return float(_arr(a).mean() - _arr(b).mean())


def _labellings(n1: int, n2: int, n_permutations: int, seed: int) -> tuple[np.ndarray, bool]:
    """0/1 matrix (rows: relabellings; 1 = in the first sample) and whether it is exhaustive."""
    n = n1 + n2
    n_labellings = math.comb(n, n1)
    if n_labellings <= max(MAX_EXACT_PERMUTATIONS, n_permutations):
        m = np.zeros((n_labellings, n), dtype=np.float64)
        for row, idx in enumerate(itertools.combinations(range(n), n1)):
            m[row, list(idx)] = 1.0
        return m, True
    rng = np.random.default_rng(seed)
    base = np.concatenate([np.ones(n1), np.zeros(n2)])
    return rng.permuted(np.broadcast_to(base, (n_permutations, n)), axis=1), False


def permutation_pvalues(
    a: np.ndarray, b: np.ndarray, n_permutations: int = 9999, seed: int = 0
) -> np.ndarray:
    """Column-wise :func:`permutation_pvalue` for samples ``a`` (n1, F) and ``b`` (n2, F), with
    the same relabellings for every column (one matrix product instead of F tests)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n1, n2 = x.shape[0], y.shape[0]
    pooled = np.concatenate([x, y], axis=0)
    total = pooled.sum(axis=0)
    observed = np.abs(x.mean(axis=0) - y.mean(axis=0))
    labels, exact = _labellings(n1, n2, n_permutations, seed)
    sums = labels @ pooled
    stat = np.abs(sums / n1 - (total - sums) / n2)
    extreme = np.sum(stat >= observed - _TIE_TOL, axis=0)
    if exact:
        return extreme / labels.shape[0]
    return (extreme + 1) / (n_permutations + 1)


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
    if x.size == 0 or y.size == 0:
        return None
    return float(permutation_pvalues(x[:, None], y[:, None], n_permutations, seed)[0])


def smallest_pvalue(n1: int, n2: int, n_permutations: int = 9999) -> float:
    """The smallest p-value ``permutation_pvalue`` can return for these sample sizes."""
    n_labellings = math.comb(n1 + n2, n1)
    if n_labellings <= max(MAX_EXACT_PERMUTATIONS, n_permutations):
        return (2 if n1 == n2 else 1) / n_labellings
    return 1 / (n_permutations + 1)


def bootstrap_differences(
    a: np.ndarray, b: np.ndarray, n_boot: int = 2000, confidence: float = 0.95, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise :func:`bootstrap_difference` (same resamples for every column)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    ix = rng.integers(0, x.shape[0], size=(n_boot, x.shape[0]))
    iy = rng.integers(0, y.shape[0], size=(n_boot, y.shape[0]))
    # resampling weights: how often each article is drawn, so the means are matrix products
    wx = np.apply_along_axis(np.bincount, 1, ix, minlength=x.shape[0]) / x.shape[0]
    wy = np.apply_along_axis(np.bincount, 1, iy, minlength=y.shape[0]) / y.shape[0]
    diffs = wx @ x - wy @ y
    alpha = (1 - confidence) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha], axis=0)
    return low, high


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
    low, high = bootstrap_differences(x[:, None], y[:, None], n_boot, confidence, seed)
    return float(low[0]), float(high[0])


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
