"""Exact and near-duplicate detection (syndicated wire copy) across articles."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

import numpy as np

from framing.models import Article, Flag

_TOKEN = re.compile(r"\w+", re.UNICODE)
#: A shingle in more articles than this is boilerplate, not evidence of copying.
MAX_POSTING = 200


def text_hash(text: str) -> str:
    """SHA-256 of whitespace-normalised text: the cache key of an article."""
    norm = " ".join(text.split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _shingle_hashes(text: str, n: int) -> Iterator[int]:
    toks = [t.lower() for t in _TOKEN.findall(text)]
    if len(toks) < n:
        toks = toks + [""] * (n - len(toks)) if toks else toks
    for i in range(len(toks) - n + 1):
        yield int.from_bytes(
            hashlib.blake2b(" ".join(toks[i : i + n]).encode(), digest_size=8).digest())


def shingles(text: str, n: int = 5) -> frozenset[int]:
    """Hashed word n-gram shingles (Broder 1997) of lower-cased text."""
    return frozenset(_shingle_hashes(text, n))


def _shingle_array(text: str, n: int = 5) -> np.ndarray:
    """:func:`shingles` as a sorted array of unsigned 64-bit integers (8 bytes a shingle)."""
    return np.unique(np.fromiter(_shingle_hashes(text, n), dtype=np.uint64))


def duplicate_pairs(
    articles: Sequence[Article], threshold: float
) -> dict[tuple[int, int], tuple[str, str]]:
    """Index pairs ``(i, j)``, ``i < j``, of exact or near duplicates -> (kind, detail).

    Exact duplicates have the same :func:`text_hash`. Near duplicates have a shingle Jaccard of
    at least ``threshold``, counting in the intersection only shingles in at most
    :data:`MAX_POSTING` articles (boilerplate is not evidence of copying). See
    :func:`_near_pairs` for how they are found without comparing all pairs.
    """
    by_hash: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        by_hash[text_hash(a.text)].append(i)
    pairs: dict[tuple[int, int], tuple[str, str]] = {}
    for group in by_hash.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                pairs[(group[x], group[y])] = ("exact_duplicate", "identical text")
    for (i, j), sim in _near_pairs([_shingle_array(a.text) for a in articles], threshold):
        if (i, j) not in pairs:
            pairs[(i, j)] = ("near_duplicate", f"shingle Jaccard {sim:.2f}")
    return pairs


def _near_pairs(sets: Sequence[np.ndarray], threshold: float) -> list[tuple[tuple[int, int], float]]:
    """Pairs ``(i, j)`` of shingle sets (sorted uint64 arrays) whose shared non-boilerplate
    shingles over their union reach ``threshold``, with that similarity, in pair order.

    Prefix filtering (Chaudhuri, Ganti & Kaushik 2006; Bayardo, Ma & Srikant 2007): with the
    shingles of every article ordered from rarest to commonest, two articles that share at
    least ``k`` shingles share one among the first ``len - k + 1`` of each. A pair can reach
    ``threshold`` only if it shares at least ``threshold`` times the larger set, so only
    articles meeting in those prefixes are candidates, and each candidate is checked exactly.
    Shingles are numpy arrays, not Python sets: 10,000 articles (7.5 million shingles) peak at
    about 500 MB while searching, against 1.1 GB with sets and dicts, and reprinted copy (many
    articles sharing the same shingles) costs no more than distinct articles.
    """
    n = len(sets)
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    if n < 2 or not sizes.sum():
        return []
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    values = np.concatenate(sets)  # per article, sorted by value
    uniq, inverse, df = np.unique(values, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    # rank of each distinct shingle: rarest first, ties by value (any fixed order works)
    rank_of = np.empty(len(uniq), dtype=np.int64)
    rank_of[np.lexsort((uniq, df))] = np.arange(len(uniq))
    doc = np.repeat(np.arange(n, dtype=np.int64), sizes)
    evidence = df[inverse] <= MAX_POSTING
    e_doc, e_rank = doc[evidence], rank_of[inverse[evidence]]
    del doc
    order = np.lexsort((e_rank, e_doc))  # each article's evidence shingles, rarest first
    e_doc, e_rank = e_doc[order], e_rank[order]
    e_sizes = np.bincount(e_doc, minlength=n)
    e_start = np.concatenate([[0], np.cumsum(e_sizes)])[:-1]
    # at least ceil(threshold * |A|) shared shingles; one less for float rounding (exactness
    # only needs the bound not to be too high)
    need = np.maximum(1, np.ceil(threshold * sizes).astype(np.int64) - 1)
    prefix = e_sizes - need + 1
    in_prefix = (np.arange(len(e_doc)) - e_start[e_doc]) < prefix[e_doc]
    p_doc, p_rank = e_doc[in_prefix], e_rank[in_prefix]
    order = np.lexsort((p_doc, p_rank))
    p_doc, p_rank = p_doc[order], p_rank[order]
    starts = np.flatnonzero(np.concatenate([[True], p_rank[1:] != p_rank[:-1]]))
    lengths = np.diff(np.concatenate([starts, [len(p_rank)]]))
    keys: list[np.ndarray] = []
    for d in np.unique(lengths[lengths >= 2]).tolist():
        rows = p_doc[starts[lengths == d][:, None] + np.arange(d)]  # articles ascending
        rows = np.unique(rows, axis=0)  # reprints: the same articles meet in many shingles
        a, b = np.triu_indices(d, 1)
        keys.append(np.unique((rows[:, a] * n + rows[:, b]).reshape(-1)))
    if not keys:
        return []
    candidates = np.unique(np.concatenate(keys))
    out: list[tuple[tuple[int, int], float]] = []
    for key in candidates.tolist():
        i, j = divmod(key, n)
        a_set = values[offsets[i] : offsets[i + 1]]
        b_set = values[offsets[j] : offsets[j + 1]]
        if min(sizes[i], sizes[j]) / max(sizes[i], sizes[j]) < threshold:
            continue  # even a subset would fall short
        both = np.intersect1d(a_set, b_set, assume_unique=True)
        shared = int(np.count_nonzero(df[np.searchsorted(uniq, both)] <= MAX_POSTING))
        sim = shared / (int(sizes[i]) + int(sizes[j]) - len(both))
        if shared and sim >= threshold:
            out.append(((i, j), sim))
    return out


#: Counterparts named in one article's duplicate flag; past these the flag says how many more
#: (wire copy carried by hundreds of outlets would otherwise give each article hundreds of flags
#: and run.json a line for every pair).
MAX_NAMED = 10


def find_duplicates(articles: Sequence[Article], threshold: float) -> list[Flag]:
    """Flag exact and near duplicates: one flag per article and kind naming its counterparts
    (in input order, at most :data:`MAX_NAMED`, then how many more), e.g.
    ``shingle Jaccard 0.62 with a7 (Dawn), 0.71 with b2 (Wire)``."""
    pairs = duplicate_pairs(articles, threshold)
    found: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for i, j in sorted(pairs):
        kind, detail = pairs[(i, j)]
        found[(i, kind)].append((j, detail))
        found[(j, kind)].append((i, detail))
    flags: list[Flag] = []
    for i, kind in sorted(found, key=lambda k: (k[0], k[1] != "exact_duplicate")):
        others = sorted(found[(i, kind)])
        named = []
        for n, (j, detail) in enumerate(others[:MAX_NAMED]):
            b = articles[j]
            if n == 0:
                named.append(f"{detail} with {b.id} ({b.outlet})")
            elif kind == "near_duplicate":
                named.append(f"{detail.rsplit(' ', 1)[-1]} with {b.id} ({b.outlet})")
            else:
                named.append(f"{b.id} ({b.outlet})")
        text = ", ".join(named)
        if len(others) > MAX_NAMED:
            text += f" and {len(others) - MAX_NAMED} more"
        flags.append(Flag(articles[i].id, kind, text))
    return flags
