"""Throughput of the one encoder pass (the joint graph of the shipped fine-tuned model) on real
news sentences: the floor under a whole default run's time.

    python benchmarks/bench_joint.py [--articles 40] [--int8] [--json]

Sentences are the PolNeAR dev texts in ``../shared/data/polnear/data/dev/text`` (read at run
time, never copied into the project), the first ``--articles`` files in name order, split at
sentence-final punctuation. They are tokenised once and run through the ONNX Runtime session of
the joint graph (:func:`framing.nlp.encoder.joint_model_path`; ``--int8`` its int8 weights) in
length-sorted batches of 32, as the analysis runs them; tokenising and pooling are not timed.
Timings depend on the machine and its load; they are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "data" / "dev" / "text"
_SPLIT = re.compile(r"(?<=[.!?])\s+")


def run(articles: int, int8: bool, batch: int = 32) -> dict[str, Any]:
    from framing.nlp import encoder
    from framing.nlp.tuned import shipped_tuned

    model = shipped_tuned()
    if model is None:
        raise SystemExit("the fine-tuned model is not installed")
    spec = model.encoder_spec()
    texts = [s for f in sorted(DATA.glob("*.txt"))[:articles]
             for s in _SPLIT.split(f.read_text(encoding="utf-8")) if s.strip()]
    tok = encoder.plain_tokenizer(spec)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    feeds = []
    tokens = 0
    for b in range(0, len(order), batch):
        enc = tok([texts[i] for i in order[b : b + batch]], padding=True, truncation=True,
                  max_length=model.max_length, return_tensors="np")
        feeds.append({n: np.asarray(enc[n], dtype=np.int64) for n in encoder._INPUTS})
        tokens += int(enc["attention_mask"].sum())
    session = encoder._new_session(str(encoder.joint_model_path(spec, int8)))
    session.run(None, feeds[0])  # warm-up
    t = time.perf_counter()
    for feed in feeds:
        session.run(None, feed)
    seconds = time.perf_counter() - t
    return {"graph": "joint int8" if int8 else "joint fp32", "articles": articles,
            "sentences": len(texts), "tokens": tokens, "seconds": round(seconds, 2),
            "sentences_per_s": round(len(texts) / seconds, 1),
            "threads": encoder.session_threads() or "ONNX Runtime default"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    row = run(args.articles, args.int8)
    print(json.dumps(row, indent=2) if args.json else row)


if __name__ == "__main__":
    main()
