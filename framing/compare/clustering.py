"""Average-linkage clustering with a similarity cut that scales to research corpora.

Events (headline and lead vectors) and claims (sentence vectors) are grouped by average-linkage
agglomerative clustering on cosine distance, cut where the average similarity falls below a
threshold. All pairs is quadratic in memory (a 20,000-sentence event needs a 1.6 GB distance
matrix) and in time. Two facts make it near-linear without changing the result:

1. With a similarity cut, average linkage never joins two groups whose every cross pair is below
   the threshold (their average is below it too). So the connected components of the graph of
   pairs at or above the threshold can be clustered one at a time, exactly.
2. The graph is found without storing all pairs: rows are compared in blocks, and with
   publication dates only against the articles within ``max_days`` (a sorted window), so the
   cost grows with the number of articles times the articles in their week.

A component larger than ``max_exact`` (rare: thousands of near-identical texts, such as a
sentence repeated through a malformed article) is clustered exactly in pieces of ``max_exact``
in input order, and the pieces' clusters are then merged greedily in one pass by the same
average-similarity rule on their sums (for L2-normalised vectors the average similarity of two
groups is the dot product of their sums over the product of their sizes): an approximation of
average linkage, in time linear in the number of clusters times the merged groups.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)

#: Components up to this size are clustered exactly with scipy (all pairs of the component).
MAX_EXACT = 2_500
#: Rows compared at once when searching for similar pairs.
BLOCK = 1_024
#: Distance standing for "never together" (cosine distance is at most 2).
FAR = 4.0
#: Distance between rows that must never share a cluster whatever else joins them (two different
#: speakers' claims): large enough that no average over a cluster pair containing it reaches a cut.
APART = 1e9


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _day_numbers(dates: Sequence[dt.date | None] | None, n: int) -> np.ndarray | None:
    if dates is None:
        return None
    if len(dates) != n:
        raise ValueError(f"{n} vectors but {len(dates)} dates")
    return np.array([d.toordinal() if d is not None else -1 for d in dates], dtype=np.int64)


def similar_pairs(
    x: np.ndarray,
    threshold: float,
    days: np.ndarray | None = None,
    max_days: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) whose cosine similarity reaches ``threshold``; with ``days`` (ordinal
    day per row, -1 when unknown) only pairs at most ``max_days`` apart or with an unknown date.
    ``x`` must be L2-normalised."""
    n = x.shape[0]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    if days is None:
        for a in range(0, n, BLOCK):
            b = min(n, a + BLOCK)
            sims = x[a:b] @ x[a:].T
            i, j = np.nonzero(sims >= threshold)
            keep = (j + a) > (i + a)
            rows.append(i[keep] + a)
            cols.append(j[keep] + a)
    else:
        dated = np.flatnonzero(days >= 0)
        undated = np.flatnonzero(days < 0)
        order = dated[np.argsort(days[dated], kind="stable")]
        sorted_days = days[order]
        for a in range(0, len(order), BLOCK):
            b = min(len(order), a + BLOCK)
            hi = int(np.searchsorted(sorted_days, sorted_days[b - 1] + max_days, side="right"))
            block = order[a:b]
            window = order[a:hi]
            sims = x[block] @ x[window].T
            near = np.abs(sorted_days[a:b, None] - sorted_days[None, a:hi]) <= max_days
            i, j = np.nonzero((sims >= threshold) & near)
            keep = j > i  # window starts at a: column j is sorted position a + j
            rows.append(block[i[keep]])
            cols.append(window[j[keep]])
        if len(undated):
            for a in range(0, n, BLOCK):  # unknown dates are compared with every article
                b = min(n, a + BLOCK)
                sims = x[a:b] @ x[undated].T
                i, j = np.nonzero(sims >= threshold)
                r, c = i + a, undated[j]
                keep = (r != c) & ((days[r] >= 0) | (r < c))
                rows.append(r[keep])
                cols.append(c[keep])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return np.minimum(r, c), np.maximum(r, c)


def conflicts(keys: np.ndarray) -> np.ndarray:
    """Pairs of rows that may never share a cluster: both keyed (``>= 0``) and keyed apart."""
    keyed = keys >= 0
    return keyed[:, None] & keyed[None, :] & (keys[:, None] != keys[None, :])


def _exact(x: np.ndarray, threshold: float, days: np.ndarray | None, max_days: int,
           keys: np.ndarray | None = None) -> np.ndarray:
    """0-based labels of scipy's average linkage on all pairs of ``x`` (cut at ``threshold``);
    rows of different ``keys`` (``-1``: none) are never joined."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = x.shape[0]
    if n <= 1:
        return np.zeros(n, dtype=int)
    dist = np.clip(1.0 - x @ x.T, 0.0, 2.0)
    if days is not None:
        known = days >= 0
        apart = (np.abs(days[:, None] - days[None, :]) > max_days) & known[:, None] & known[None]
        dist[apart] = FAR
    if keys is not None:
        dist[conflicts(keys)] = APART
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    return np.asarray(fcluster(tree, t=1.0 - threshold, criterion="distance"), dtype=int) - 1


def _merge_groups(x: np.ndarray, labels: np.ndarray, threshold: float,
                  keys: np.ndarray | None = None) -> np.ndarray:
    """Groups (``labels``, in order of first appearance) merged greedily in that order: each
    joins the merged group with the highest average similarity when it reaches ``threshold``
    (for L2-normalised vectors the dot product of the sums over the product of the sizes), else
    starts one; a group keyed apart from a merged group (``keys``) never joins it. One pass,
    vectorised: O(groups x merged groups x dimensions)."""
    order = list(dict.fromkeys(labels.tolist()))
    sums = np.zeros((len(order), x.shape[1]))
    sizes = np.zeros(len(order))
    group_key = np.full(len(order), -1)
    target: dict[int, int] = {}
    merged = 0
    for g in order:
        mask = labels == g
        rows = x[mask]
        s, n = rows.sum(axis=0), float(len(rows))
        own = keys[mask] if keys is not None else np.zeros(0, dtype=int)
        k = int(own.max()) if own.size else -1
        if merged:
            sims = (sums[:merged] @ s) / (sizes[:merged] * n)
            if k >= 0:
                sims[(group_key[:merged] >= 0) & (group_key[:merged] != k)] = -np.inf
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                sums[best] += s
                sizes[best] += n
                group_key[best] = max(group_key[best], k)
                target[g] = best
                continue
        sums[merged], sizes[merged] = s, n
        group_key[merged] = k
        target[g] = merged
        merged += 1
    return np.array([target[g] for g in labels.tolist()], dtype=int)


def cluster_by_threshold(
    vectors: np.ndarray,
    threshold: float,
    dates: Sequence[dt.date | None] | None = None,
    max_days: int = 7,
    max_exact: int = MAX_EXACT,
    keys: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """0-based cluster label per row: average linkage on cosine similarity cut at ``threshold``
    (with ``dates``, rows more than ``max_days`` apart never together; with ``keys``, one int
    per row, ``-1`` for none, rows of different keys never together). Up to ``max_exact`` rows
    this is scipy's average linkage on all pairs; beyond, it is computed per connected component
    of the similar-pair graph (the same clusters, found in near-linear memory and time)."""
    x = normalise(vectors)
    n = x.shape[0]
    days = _day_numbers(dates, n)
    key_arr = None if keys is None else np.asarray(keys, dtype=np.int64).reshape(-1)
    if key_arr is not None and len(key_arr) != n:
        raise ValueError(f"{n} vectors but {len(key_arr)} keys")
    if n <= max_exact:
        return _exact(x, threshold, days, max_days, key_arr)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    # identical rows (a reprinted or repeated sentence, with its date) are one node of the graph:
    # 10,000 copies of one sentence would otherwise make 50 million pairs
    key = x if days is None else np.column_stack([x, days.astype(float)])
    unique, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    u_days = None if days is None else unique[:, -1].astype(np.int64)
    u_x = unique if days is None else unique[:, :-1]
    m = u_x.shape[0]
    r, c = similar_pairs(u_x, threshold, u_days, max_days)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(m, m))
    _, u_component = connected_components(graph, directed=False)
    component = u_component[inverse]
    labels = np.full(n, -1, dtype=int)
    next_label = 0
    members: dict[int, list[int]] = {}
    for i, k in enumerate(component.tolist()):
        members.setdefault(k, []).append(i)
    for idx_list in members.values():  # in order of each component's first row
        idx = np.asarray(idx_list)
        sub_days = None if days is None else days[idx]
        sub_keys = None if key_arr is None else key_arr[idx]
        if len(idx) <= max_exact:
            local = _exact(x[idx], threshold, sub_days, max_days, sub_keys)
        else:
            log.info("clustering a component of %d rows in pieces of %d", len(idx), max_exact)
            local = np.zeros(len(idx), dtype=int)
            offset = 0
            for a in range(0, len(idx), max_exact):
                piece = slice(a, a + max_exact)
                part_days = None if sub_days is None else sub_days[piece]
                part_keys = None if sub_keys is None else sub_keys[piece]
                local[piece] = _exact(x[idx[piece]], threshold, part_days, max_days,
                                      part_keys) + offset
                offset = int(local[piece].max()) + 1
            local = _merge_groups(x[idx], local, threshold, sub_keys)
        _, dense = np.unique(local, return_inverse=True)
        labels[idx] = dense + next_label
        next_label += int(dense.max()) + 1
    return labels
