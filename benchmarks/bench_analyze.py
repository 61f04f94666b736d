"""Throughput of the whole analysis against the bare spaCy parse on the same corpus.

    python benchmarks/bench_analyze.py --copies 25 [--n-process 2] [--threads 2] [--json]
        [--backend auto|torch|onnx|onnx-int8] [--loaded-model tuned|heads]

The corpus is the invented demo corpus repeated ``--copies`` times. Copies repeat sentences, which
the model step encodes once per distinct text; ``--unique`` makes every copy's sentences distinct
(a copy tag is inserted into each sentence) to measure the encoder without that help. Reports
words per second for: the bare parse (``nlp.pipe``), the analysis in lexicon mode
(``use_model=False``) and the analysis with the learned model, and the ratios to the bare parse.
Timings depend on the machine and its load; they are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import replace

from framing.api import demo_corpus_path, load
from framing.models import Article
from framing.settings import Settings


def corpus(copies: int, unique: bool) -> list[Article]:
    base = list(load([demo_corpus_path()]).articles)
    out = []
    for k in range(copies):
        for a in base:
            text = a.text
            if unique and k:
                # a copy tag before every sentence-final mark: distinct sentences, same count
                text = re.sub(r"([.!?])([\"”]?)(?=\s|$)", rf" v{k}\1\2", text)
            out.append(replace(a, id=f"{a.id}-{k}", text=text))
    return out


def words(articles: list[Article]) -> int:
    return sum(len(a.text.split()) for a in articles)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=25)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch default)")
    ap.add_argument("--unique", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--backend", default="auto", help="encoder backend (Settings.encoder_backend)")
    ap.add_argument("--loaded-model", default="tuned", choices=["tuned", "heads"],
                    help="loaded-language model (Settings.loaded_model)")
    args = ap.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from framing.nlp.encoder import backend_in_use, load_encoder
    from framing.nlp.loaded import model_info
    from framing.nlp.pipeline import analyze_articles, load_nlp

    arts = corpus(args.copies, args.unique)
    n_words = words(arts)
    settings = Settings(n_process=args.n_process, encoder_backend=args.backend,
                        loaded_model=args.loaded_model)
    nlp = load_nlp(settings.spacy_model)
    load_encoder(settings.encoder)  # model loading is a one-off, not throughput
    analyze_articles(arts[:2], settings)  # warm up every component

    t = time.perf_counter()
    for _ in nlp.pipe((a.text for a in arts), batch_size=settings.batch_size,
                      n_process=args.n_process):
        pass
    parse_s = time.perf_counter() - t

    t = time.perf_counter()
    analyze_articles(arts, settings.updated(use_model=False))
    lexicon_s = time.perf_counter() - t

    t = time.perf_counter()
    analyzed = analyze_articles(arts, settings)
    model_s = time.perf_counter() - t
    n_sent = sum(len(a.sentences) for a in analyzed)
    n_distinct = len({s.text for a in analyzed for s in a.sentences})

    res = {
        "articles": len(arts),
        "words": n_words,
        "sentences": n_sent,
        "distinct_sentences": n_distinct,
        "n_process": args.n_process,
        "torch_threads": torch.get_num_threads(),
        "encoder_backend": backend_in_use(settings.encoder_backend, settings.encoder),
        "bias_model": model_info(settings).get("bias_model", "none"),
        "parse_words_per_s": round(n_words / parse_s),
        "lexicon_words_per_s": round(n_words / lexicon_s),
        "model_words_per_s": round(n_words / model_s),
        "lexicon_ratio": round(parse_s / lexicon_s, 3),
        "model_ratio": round(parse_s / model_s, 3),
        "encoder_sentences_per_s": round(n_distinct / max(model_s - lexicon_s, 1e-9), 1),
    }
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
