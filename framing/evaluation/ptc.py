"""PTC (SemEval-2020 Task 11 training part): Loaded_Language and Name_Calling,Labeling spans.

Protocol: 5-fold cross-validation grouped by article (article ids shuffled with seed 42), the
organisers' span-identification F1 with partial-overlap credit (Da San Martino et al. 2019,
section 4: ``C(s, t, h) = |s ∩ t| / h``; precision averages over predicted spans, recall over gold
spans) per technique, plus token F1. Not leaderboard numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framing.nlp.bias_model import word_spans
from framing.nlp.loaded import ModifierPair

TECHNIQUES: tuple[str, ...] = ("Loaded_Language", "Name_Calling,Labeling")


@dataclass(frozen=True)
class PtcLine:
    """One line (sentence) of a PTC article, with word offsets relative to the line."""

    article: str
    start: int  # offset of the line in the article
    text: str
    words: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PtcCorpus:
    articles: dict[str, str]
    gold: dict[str, dict[str, list[tuple[int, int]]]]  # technique -> article -> spans
    lines: list[PtcLine]


def load_ptc(folder: Path, limit: int | None = None) -> PtcCorpus:
    """Articles, their lines and the gold spans of the two techniques."""
    art_dir = folder / "train-articles"
    labels = folder / "train-task2-TC.labels"
    if not art_dir.is_dir() or not labels.is_file():
        raise FileNotFoundError(f"{folder}: expected train-articles/ and train-task2-TC.labels")
    paths = sorted(art_dir.glob("article*.txt"))
    if limit is not None:
        paths = paths[:limit]
    articles = {p.stem.removeprefix("article"): p.read_text(encoding="utf-8") for p in paths}
    gold: dict[str, dict[str, list[tuple[int, int]]]] = {t: {} for t in TECHNIQUES}
    for line in labels.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or parts[1] not in gold or parts[0] not in articles:
            continue
        gold[parts[1]].setdefault(parts[0], []).append((int(parts[2]), int(parts[3])))
    lines: list[PtcLine] = []
    for aid, text in articles.items():
        pos = 0
        for raw in text.split("\n"):
            if raw.strip():
                lines.append(PtcLine(aid, pos, raw, tuple(word_spans(raw))))
            pos += len(raw) + 1
    return PtcCorpus(articles, gold, lines)


def article_folds(article_ids: Sequence[str], n_splits: int = 5) -> list[list[str]]:
    """Article ids in ``n_splits`` groups: sorted ids shuffled with seed 42, dealt round-robin."""
    ids = sorted(article_ids)
    rng = np.random.RandomState(42)
    rng.shuffle(ids)
    return [ids[k::n_splits] for k in range(n_splits)]


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def span_prf(
    pred: Mapping[str, Sequence[tuple[int, int]]], gold: Mapping[str, Sequence[tuple[int, int]]],
    articles: Iterable[str],
) -> dict[str, float]:
    """Span P/R/F1 with partial-overlap credit (SemEval-2020 Task 11 SI scorer, per technique).

    Overlapping spans of one article are merged first, as the organisers' scorer does.
    """
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for aid in articles:
        ps = _merge(pred.get(aid, ()))
        gs = _merge(gold.get(aid, ()))
        n_pred += len(ps)
        n_gold += len(gs)
        for s, e in ps:
            for gs_, ge in gs:
                inter = min(e, ge) - max(s, gs_)
                if inter > 0:
                    p_sum += inter / (e - s)
                    r_sum += inter / (ge - gs_)
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "n_pred": n_pred, "n_gold": n_gold}


def modifier_pairs_by_article(
    corpus: PtcCorpus, articles: Iterable[str] | None = None, model: str | None = None
) -> dict[str, list[ModifierPair]]:
    """Modifier-noun pairs of each article's lines (article offsets), from the analysis parser."""
    from framing.nlp.loaded import modifier_pairs
    from framing.nlp.pipeline import load_nlp
    from framing.settings import Settings

    keep = None if articles is None else set(articles)
    lines = [ln for ln in corpus.lines if keep is None or ln.article in keep]
    nlp = load_nlp(model or Settings().spacy_model)
    out: dict[str, list[ModifierPair]] = {}
    for ln, doc in zip(lines, nlp.pipe((ln.text for ln in lines), batch_size=256), strict=True):
        out.setdefault(ln.article, []).extend(
            (ln.start + a, ln.start + b, ln.start + c, ln.start + d)
            for a, b, c, d in modifier_pairs(doc)
        )
    return out


def widen_spans(
    pred: Mapping[str, Sequence[tuple[int, int]]], pairs: Mapping[str, Sequence[ModifierPair]]
) -> dict[str, list[tuple[int, int]]]:
    """Each predicted span widened to the modifier-noun pairs it touches (see ``widen``)."""
    from framing.nlp.loaded import widen

    return {a: [widen(s, e, pairs.get(a, ())) for s, e in spans] for a, spans in pred.items()}


def word_gold(corpus: PtcCorpus, technique: str) -> list[np.ndarray]:
    """Per line: whether each word overlaps a gold span of ``technique``."""
    out = []
    for ln in corpus.lines:
        spans = corpus.gold[technique].get(ln.article, [])
        lab = np.zeros(len(ln.words), dtype=bool)
        for k, (s, e) in enumerate(ln.words):
            a, b = ln.start + s, ln.start + e
            lab[k] = any(gs < b and a < ge for gs, ge in spans)
        out.append(lab)
    return out


def evaluate(
    data: Path, limit: int | None = None, encoder: str | None = None
) -> dict[str, Any]:
    """``framing eval ptc``: learned word heads and the lexicon floor, 5-fold by article."""
    from framing.evaluation.training import evaluate_ptc

    return evaluate_ptc(data, limit=limit, encoder=encoder)
