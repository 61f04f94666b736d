"""Fine-tuning the top layers of the MiniLM encoder with a sentence head and word heads.

The torch side of ``framing train loaded --finetune`` and of the ``--finetune`` measurements in
:mod:`framing.evaluation.finetune` and :mod:`framing.evaluation.joint` (which keep the corpora,
folds and scores): a fresh copy of the encoder has its top ``top_layers`` transformer layers
fine-tuned (embeddings and lower layers frozen) with a sentence head on the mean-pooled last layer
and word heads on each sub-word token, trained jointly; a word's score is the highest score of
its sub-word tokens. Seeds are fixed; on the CPU a run repeats its figures. Like every module
that touches torch, it lives in ``framing.nlp``.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


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


def round_layers(net: Any, top_layers: int) -> None:
    """Round the fine-tuned layers to float16 and back, as a saved model stores them."""
    import torch

    layers = net.encoder.encoder.layer
    with torch.no_grad():
        for layer in layers[len(layers) - top_layers :]:
            for p in layer.parameters():
                p.copy_(p.to(torch.float16).to(torch.float32))


def torch_info() -> dict[str, Any]:
    """The torch version and thread count of this process (recorded with training figures)."""
    import torch

    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
