"""Throughput of fast mode (``--fast``, the static model) against the default model and the lexicon.

    python benchmarks/bench_fast.py --data ../shared/data/polnear [--articles 100] [--json]
        [--repeats 1] [--modes lexicon,tuned,static]

Real news text: the first ``--articles`` PolNeAR training articles (``data/train/text/*``, sorted
by name), read at run time from ``--data`` and never stored. Each mode analyses the same articles
with ``analyze_articles`` after a warm-up (model loading is a one-off, not throughput):

- ``lexicon``: ``--no-model`` (parse, attribution, voice, lexicon);
- ``tuned``: the default fine-tuned MiniLM (``encoder_backend`` as given, default ``auto``);
- ``static``: ``--fast``, the static embeddings distilled from MiniLM with their heads.

Prints words per second of the whole analysis per mode (best of ``--repeats``), the ratio to the
lexicon mode, and the loaded-language step alone (whole minus lexicon time) in sentences per
second. Timings depend on the machine and its load; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from framing.models import Article
from framing.settings import Settings

MODES = {"lexicon": {"use_model": False}, "tuned": {"loaded_model": "tuned"},
         "static": {"loaded_model": "static"}}


def polnear_articles(data: Path, n: int) -> list[Article]:
    """The first ``n`` PolNeAR training texts as articles (one outlet; text read, not kept)."""
    folder = data / "data" / "train" / "text"
    paths = sorted(p for p in folder.iterdir() if p.is_file())[:n]
    if not paths:
        raise SystemExit(f"no PolNeAR texts under {folder}")
    return [Article(id=p.stem, outlet="polnear", text=p.read_text(encoding="utf-8"))
            for p in paths]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/polnear"))
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--modes", default="lexicon,tuned,static")
    ap.add_argument("--backend", default="auto", help="encoder backend of the tuned model")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from framing.nlp.loaded import model_info
    from framing.nlp.pipeline import analyze_articles

    arts = polnear_articles(args.data, args.articles)
    n_words = sum(len(a.text.split()) for a in arts)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    base = Settings(encoder_backend=args.backend)
    res: dict[str, object] = {"articles": len(arts), "words": n_words}
    seconds: dict[str, float] = {}
    n_sent = 0
    for mode in modes:
        settings = base.updated(**MODES[mode])
        analyze_articles(arts[:2], settings)  # load every model once
        best = float("inf")
        for _ in range(args.repeats):
            t = time.perf_counter()
            analyzed = analyze_articles(arts, settings)
            best = min(best, time.perf_counter() - t)
        n_sent = len({s.text for a in analyzed for s in a.sentences})
        seconds[mode] = best
        res[f"{mode}_model"] = model_info(settings).get("bias_model", "lexicon-v1")
        res[f"{mode}_words_per_s"] = round(n_words / best)
    res["distinct_sentences"] = n_sent
    if "lexicon" in seconds:
        for mode in modes:
            if mode == "lexicon":
                continue
            res[f"{mode}_ratio_to_lexicon"] = round(seconds["lexicon"] / seconds[mode], 3)
            step = seconds[mode] - seconds["lexicon"]
            res[f"{mode}_loaded_step_sentences_per_s"] = (
                round(n_sent / step, 1) if step > 0 else "within noise of the lexicon run")
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
