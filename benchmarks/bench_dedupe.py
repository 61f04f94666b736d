"""Near-duplicate search at research scale: seconds and pairs found for N articles.

    python benchmarks/bench_dedupe.py --n 10000 [--against REV] [--json]

The corpus is bench_scale's (PolNeAR train+dev texts, repeated past 924 with distinct ids and
light variation: reprints, as wire copy is reprinted by many outlets). Each size is timed, and the
peak memory a second call allocates is traced (tracemalloc: Python objects and numpy arrays),
for the installed :func:`framing.ingest.dedupe.duplicate_pairs`; ``--against REV`` also times the
``framing/ingest/dedupe.py`` of a git revision (e.g. one before a change) on the same articles
and checks that both find the same pairs. Timings depend on the machine and its load; they are
not asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import build_corpus  # noqa: E402

from framing.ingest import dedupe  # noqa: E402
from framing.models import Article  # noqa: E402
from framing.settings import Settings  # noqa: E402


def _module_at(rev: str) -> types.ModuleType:
    """``framing/ingest/dedupe.py`` as it was at git revision ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:framing/ingest/dedupe.py"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"dedupe_{rev}")
    exec(compile(source, f"{rev}:framing/ingest/dedupe.py", "exec"), module.__dict__)
    return module


def run(n: int, against: str | None) -> dict[str, Any]:
    threshold = Settings().near_duplicate_threshold
    with tempfile.TemporaryDirectory() as tmp:
        _, paths = build_corpus(n, Path(tmp))
        articles = [Article(r["id"], r["outlet"], r["text"], title=r["title"])
                    for p in paths for r in map(json.loads, p.open(encoding="utf-8"))]
    pairs, seconds, peak = _timed(dedupe.duplicate_pairs, articles, threshold)
    row: dict[str, Any] = {"articles": len(articles), "threshold": threshold,
                           "seconds": seconds, "peak_mb": peak, "pairs": len(pairs)}
    if against:
        before, seconds, peak = _timed(_module_at(against).duplicate_pairs, articles, threshold)
        row[f"seconds_at_{against}"] = seconds
        row[f"peak_mb_at_{against}"] = peak
        row["same_pairs"] = before == pairs
    return row


def _timed(fn: Any, *args: Any) -> tuple[Any, float, int]:
    """(result, seconds, peak MB allocated during a second call: Python objects and numpy
    arrays, as tracemalloc sees them; tracing slows the call, so it is not timed)."""
    t = time.perf_counter()
    result = fn(*args)
    seconds = round(time.perf_counter() - t, 1)
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, round(peak / 2**20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000])
    ap.add_argument("--against", help="also time the dedupe.py of this git revision")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [run(n, args.against) for n in args.n]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(r)


if __name__ == "__main__":
    main()
