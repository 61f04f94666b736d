"""Attribution overhead: spaCy parse alone vs parse + attribution extraction.

Usage::

    python benchmarks/bench_attribution.py                 # demo corpus repeated to ~50k words
    python benchmarks/bench_attribution.py --polnear PATH  # PolNeAR dev texts (research data)
    python benchmarks/bench_attribution.py --rules         # without the learned head

Prints words, parse seconds, attribution seconds and the overhead in percent of parse time.
Goal (issue 3): attribution adds at most 15% to the parse time. Run it on an idle machine: the
figures are wall-clock times of a single process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def _texts(polnear: str | None, words: int) -> list[str]:
    if polnear:
        from framing.evaluation.polnear import load_split

        return [d.text for d in load_split(Path(polnear), "dev")]
    from framing.api import demo_corpus_path

    base = [
        json.loads(line)["text"]
        for line in demo_corpus_path().read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out: list[str] = []
    n = 0
    while n < words:
        for t in base:
            out.append(t)
            n += len(t.split())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polnear", help="PolNeAR folder (uses its dev texts)")
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--rules", action="store_true", help="rules only, no learned head")
    parser.add_argument("--repeat", type=int, default=3, help="attribution passes (best of)")
    args = parser.parse_args()

    from framing.nlp.attribution import extract_attributions
    from framing.nlp.pipeline import load_nlp
    from framing.settings import Settings

    nlp = load_nlp(Settings().spacy_model)
    texts = _texts(args.polnear, args.words)
    n_words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:5]))  # warm up
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    parse_s = time.perf_counter() - t0
    extract_attributions(docs[0], use_head=not args.rules)  # loads the head once
    best = float("inf")
    n_attr = 0
    for _ in range(args.repeat):
        t1 = time.perf_counter()
        n_attr = sum(len(extract_attributions(d, use_head=not args.rules)) for d in docs)
        best = min(best, time.perf_counter() - t1)
    print(
        json.dumps(
            {
                "texts": len(texts),
                "words": n_words,
                "attributions": n_attr,
                "head": "rules" if args.rules else "default",
                "parse_s": round(parse_s, 3),
                "parse_words_per_s": round(n_words / parse_s),
                "attribution_s": round(best, 3),
                "overhead_pct": round(100 * best / parse_s, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
