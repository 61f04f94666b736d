"""Average linkage with a similarity cut: per component of the similar-pair graph it gives the
same clusters as scipy on all pairs, within date windows too."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from framing.compare.clustering import cluster_by_threshold, normalise, similar_pairs
from framing.compare.events import cluster_events


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def _largest_component(x: np.ndarray, days: np.ndarray | None = None) -> tuple[int, int]:
    """(number of components, size of the largest) of the graph of pairs at 0.5 or more."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    r, c = similar_pairs(normalise(x), 0.5, days, 7)
    n = x.shape[0]
    k, comp = connected_components(coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n)),
                                   directed=False)
    return k, int(np.bincount(comp).max())


def _planted(n: int, k: int, noise: float, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 32))
    which = rng.integers(0, k, size=n)
    return centres[which] + noise * rng.normal(size=(n, 32))


@pytest.mark.parametrize("noise", [0.3, 0.8, 1.2])
def test_components_give_the_clusters_of_all_pairs(noise: float) -> None:
    x = _planted(400, 25, noise)
    n_components, largest = _largest_component(x)
    assert n_components > 1 and largest < 400
    exact = cluster_by_threshold(x, 0.5, max_exact=10_000)
    split = cluster_by_threshold(x, 0.5, max_exact=largest)
    assert _partition(exact) == _partition(split)
    assert len(_partition(exact)) > 1


def test_date_windows_give_the_clusters_of_all_pairs() -> None:
    rng = np.random.default_rng(3)
    x = _planted(300, 12, 0.6)
    start = dt.date(2024, 1, 1)
    dates: list[dt.date | None] = [start + dt.timedelta(days=int(d))
                                   for d in rng.integers(0, 90, size=300)]
    for i in range(0, 300, 37):
        dates[i] = None  # unknown dates meet every article
    days = np.array([d.toordinal() if d else -1 for d in dates])
    n_components, largest = _largest_component(x, days)
    assert n_components > 1 and largest < 300
    exact = cluster_by_threshold(x, 0.5, dates, max_days=7, max_exact=10_000)
    split = cluster_by_threshold(x, 0.5, dates, max_days=7, max_exact=largest)
    assert _partition(exact) == _partition(split)
    # two identical texts a month apart are two events, an undated copy joins one of them
    same = np.tile(x[:1], (3, 1))
    apart = [start, start + dt.timedelta(days=30), None]
    assert cluster_events(same, apart)[0] != cluster_events(same, apart)[1]


def test_similar_pairs_respect_threshold_and_window() -> None:
    x = normalise(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [1.0, 0.01]]))
    days = np.array([0, 3, 0, 20])
    r, c = similar_pairs(x, 0.9, days, max_days=7)
    assert sorted(zip(r.tolist(), c.tolist(), strict=True)) == [(0, 1)]
    r, c = similar_pairs(x, 0.9)
    assert sorted(zip(r.tolist(), c.tolist(), strict=True)) == [(0, 1), (0, 3), (1, 3)]


def test_a_component_larger_than_the_exact_limit_is_merged_back() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=32)
    x = base + 0.05 * rng.normal(size=(250, 32))  # 250 near-copies of one sentence
    labels = cluster_by_threshold(x, 0.5, max_exact=100)
    assert len(set(labels.tolist())) == 1


def test_repeated_rows_are_one_node_of_the_graph() -> None:
    """Thousands of copies of one sentence (a malformed article) no longer make a pair per two
    copies; the copies end in one cluster and the other clusters are those of all pairs."""
    x = _planted(300, 10, 0.3)
    copies = np.vstack([np.tile(x[:1], (2_000, 1)), x])
    labels = cluster_by_threshold(copies, 0.5, max_exact=400)
    assert len(set(labels[:2_000].tolist())) == 1
    rest = labels[2_000:]
    exact = cluster_by_threshold(x, 0.5, max_exact=10_000)
    assert _partition(rest) == _partition(exact)
