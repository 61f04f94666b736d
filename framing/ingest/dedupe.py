"""Exact and near-duplicate detection (syndicated wire copy) across articles."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from framing.models import Article, Flag

_TOKEN = re.compile(r"\w+", re.UNICODE)
#: A shingle in more articles than this is boilerplate, not evidence of copying.
MAX_POSTING = 200


def text_hash(text: str) -> str:
    """SHA-256 of whitespace-normalised text: the cache key of an article."""
    norm = " ".join(text.split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def shingles(text: str, n: int = 5) -> frozenset[int]:
    """Hashed word n-gram shingles (Broder 1997) of lower-cased text."""
    toks = [t.lower() for t in _TOKEN.findall(text)]
    if len(toks) < n:
        toks = toks + [""] * (n - len(toks)) if toks else toks
    return frozenset(
        int.from_bytes(hashlib.blake2b(" ".join(toks[i : i + n]).encode(), digest_size=8).digest())
        for i in range(len(toks) - n + 1)
    )


def duplicate_pairs(
    articles: Sequence[Article], threshold: float
) -> dict[tuple[int, int], tuple[str, str]]:
    """Index pairs ``(i, j)``, ``i < j``, of exact or near duplicates -> (kind, detail).

    Candidate pairs come from an inverted index over shingles, so the cost grows with the
    number of shared shingles rather than with the square of the corpus size. Shingles with the
    same articles are counted once with their number (reprinted wire copy shares hundreds of
    shingles among the same articles), and a pair is checked only when its shared shingles
    could still reach ``threshold``.
    """
    hashes = [text_hash(a.text) for a in articles]
    sh = [shingles(a.text) for a in articles]
    postings: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sh):
        for g in s:
            postings[g].append(i)
    # a boilerplate shingle shared by many articles is not evidence; the same set of articles
    # sharing many shingles is counted once per shingle set
    groups: Counter[tuple[int, ...]] = Counter(
        tuple(docs) for docs in postings.values() if 2 <= len(docs) <= MAX_POSTING
    )
    del postings
    shared: Counter[tuple[int, int]] = Counter()
    for docs, weight in groups.items():
        for x in range(len(docs)):
            for y in range(x + 1, len(docs)):
                shared[(docs[x], docs[y])] += weight
    by_hash: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(hashes):
        by_hash[h].append(i)
    pairs: dict[tuple[int, int], tuple[str, str]] = {}
    for group in by_hash.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                pairs[(group[x], group[y])] = ("exact_duplicate", "identical text")
    sizes = [len(s) for s in sh]
    for (i, j), n in shared.items():
        # the union is at least the larger set: below the threshold even then, skip the union
        if (i, j) in pairs or n / max(sizes[i], sizes[j]) < threshold:
            continue
        sim = n / len(sh[i] | sh[j])
        if sim >= threshold:
            pairs[(i, j)] = ("near_duplicate", f"shingle Jaccard {sim:.2f}")
    return pairs


def find_duplicates(articles: Sequence[Article], threshold: float) -> list[Flag]:
    """Flag exact and near-duplicate pairs (each article flagged with its counterpart)."""
    pairs = duplicate_pairs(articles, threshold)
    flags: list[Flag] = []
    for i, j in sorted(pairs):
        kind, detail = pairs[(i, j)]
        a, b = articles[i], articles[j]
        flags.append(Flag(a.id, kind, f"{detail} with {b.id} ({b.outlet})"))
        flags.append(Flag(b.id, kind, f"{detail} with {a.id} ({a.outlet})"))
    return flags
