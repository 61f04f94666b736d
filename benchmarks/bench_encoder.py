"""Encoder throughput and feature fidelity of the torch, ONNX and int8 ONNX backends.

    python benchmarks/bench_encoder.py --copies 5 [--batch-sizes 8,32,64] [--threads 2] [--json]

Speed: sentences per second of ``encode_texts`` (sentence embeddings and word vectors, as the model
step uses it) on the demo corpus's sentences repeated ``--copies`` times with a copy tag inserted so
every sentence is distinct (as in ``bench_analyze.py --unique``), for each backend and batch size;
the best of ``--repeats`` runs. ``encode_texts`` sorts texts by length before batching (fewer pad
tokens); ``--unsorted`` also times shuffled fixed-size chunks, i.e. without that bucketing.

Fidelity (on the demo sentences, against torch fp32): cosine of the sentence embeddings, largest
absolute difference of sentence and word vectors, and the change of the shipped heads' outputs
(sentence ``bias_probability`` and the loaded head's word probabilities) through
``score_sentences``. Timings depend on the machine and its load; they are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”])\s+|\n+")


def sentences(copies: int) -> list[str]:
    """Distinct sentence-like texts of the demo corpus (a regex split, not the spaCy one)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_analyze import corpus

    out: list[str] = []
    for a in corpus(copies, unique=True):
        out += [s.strip() for s in _SPLIT.split(a.text) if s.strip()]
    return list(dict.fromkeys(out))


def time_backend(texts: list[str], backend: str, batch_size: int, repeats: int,
                 unsorted: bool) -> float:
    """Best sentences/s of ``encode_texts`` over ``repeats`` runs (after a warm-up call)."""
    from framing.nlp.bias_model import word_spans
    from framing.nlp.encoder import encode_texts

    words = [word_spans(t) for t in texts]
    encode_texts(texts[:4], words[:4], batch_size=batch_size, backend=backend)  # load / export
    best = float("inf")
    for r in range(repeats):
        t = time.perf_counter()
        if unsorted:
            order = list(range(len(texts)))
            random.Random(r).shuffle(order)
            for b in range(0, len(order), batch_size):
                chunk = order[b : b + batch_size]
                encode_texts([texts[i] for i in chunk], [words[i] for i in chunk],
                             batch_size=batch_size, backend=backend)
        else:
            encode_texts(texts, words, batch_size=batch_size, backend=backend)
        best = min(best, time.perf_counter() - t)
    return len(texts) / best


def fidelity(texts: list[str], backend: str) -> dict[str, Any]:
    """How far ``backend``'s features and head outputs are from torch fp32 on ``texts``."""
    from framing.nlp.bias_model import score_sentences, shipped_heads, word_spans
    from framing.nlp.encoder import encode_texts

    words = [word_spans(t) for t in texts]
    s_ref, w_ref = encode_texts(texts, words, backend="torch")
    s_got, w_got = encode_texts(texts, words, backend=backend)
    cos = (s_ref * s_got).sum(1) / (
        np.linalg.norm(s_ref, axis=1) * np.linalg.norm(s_got, axis=1)
    )
    w_cos = np.concatenate([
        (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
        for a, b in zip(w_ref, w_got, strict=True) if a.size
    ])
    out: dict[str, Any] = {
        "sentences": len(texts),
        "sentence_cosine_min": round(float(cos.min()), 6),
        "sentence_cosine_mean": round(float(cos.mean()), 6),
        "word_cosine_min": round(float(w_cos.min()), 6),
        "word_cosine_mean": round(float(w_cos.mean()), 6),
        "sentence_max_abs_diff": float(np.abs(s_ref - s_got).max()),
        "word_max_abs_diff": float(max(np.abs(a - b).max() for a, b in zip(w_ref, w_got,
                                                                         strict=True) if a.size)),
    }
    heads = shipped_heads()
    if heads is not None:
        ref = score_sentences(texts, heads, backend="torch")
        got = score_sentences(texts, heads, backend=backend)
        bias = np.array([abs(a.bias_probability - b.bias_probability)
                         for a, b in zip(ref, got, strict=True)])
        word = np.concatenate([np.abs(np.array(a.word_scores) - np.array(b.word_scores))
                               for a, b in zip(ref, got, strict=True) if a.word_scores])
        spans_changed = sum(
            [(s.start, s.end) for s in a.spans] != [(s.start, s.end) for s in b.spans]
            for a, b in zip(ref, got, strict=True)
        )
        out.update({
            "bias_probability_mean_abs_change": round(float(bias.mean()), 6),
            "bias_probability_max_abs_change": round(float(bias.max()), 6),
            "loaded_word_prob_mean_abs_change": round(float(word.mean()), 6),
            "loaded_word_prob_max_abs_change": round(float(word.max()), 6),
            "sentences_with_other_spans": int(spans_changed),
        })
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=5)
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--batch-sizes", default="32")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="torch / ORT threads (0: default)")
    ap.add_argument("--unsorted", action="store_true", help="also time unsorted batches")
    ap.add_argument("--no-fidelity", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    backends = [b for b in args.backends.split(",") if b]
    sizes = [int(b) for b in args.batch_sizes.split(",") if b]
    texts = sentences(args.copies)
    res: dict[str, Any] = {"sentences": len(texts), "threads": torch.get_num_threads(),
                           "speed": {}, "fidelity": {}}
    for backend in backends:
        for bs in sizes:
            res["speed"][f"{backend}/bs{bs}"] = round(
                time_backend(texts, backend, bs, args.repeats, False), 1)
            if args.unsorted:
                res["speed"][f"{backend}/bs{bs}/unsorted"] = round(
                    time_backend(texts, backend, bs, args.repeats, True), 1)
    if "torch" in backends:
        base = res["speed"][f"torch/bs{sizes[0]}"]
        res["speedup_vs_torch"] = {k: round(v / base, 3) for k, v in res["speed"].items()}
    if not args.no_fidelity:
        demo = sentences(1)
        for backend in backends:
            if backend != "torch":
                res["fidelity"][backend] = fidelity(demo, backend)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
