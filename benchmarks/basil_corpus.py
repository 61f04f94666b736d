"""The BASIL events as a framing corpus, and what the corpus comparison makes of them.

    python benchmarks/basil_corpus.py --data ../shared/data --jsonl /tmp/basil.jsonl
    framing analyze /tmp/basil.jsonl --out /tmp/basil-run
    python benchmarks/basil_corpus.py --check /tmp/basil-run

The first call writes every BASIL article of ``DATA/basil`` (Fox, NYT and HuffPost coverage of
the same events; the event is BASIL's triplet id) as one JSONL record (id, outlet, title, text,
event, published), read at run time and never copied into the project. ``--check`` reads a run
folder's ``corpus_contrasts.csv`` and prints, per outlet pair, how many features are estimable
over at least ``--min-events`` events, and the findings that hold.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framing.evaluation.basil import load_basil  # noqa: E402


def write_jsonl(data: Path, out: Path) -> int:
    items = load_basil(data)
    with out.open("w", encoding="utf-8") as fh:
        for it in items:
            a = it.article
            fh.write(json.dumps({"id": a.id, "outlet": a.outlet, "title": a.title, "text": a.text,
                                 "event": a.event, "published": a.published},
                                ensure_ascii=False) + "\n")
    return len(items)


def check(run: Path, min_events: int) -> dict[str, object]:
    with (run / "corpus_contrasts.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == "outlet"]
    by_pair: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_pair[f"{r['a']}-{r['b']}"].append(r)
    summary: dict[str, object] = {}
    for pair, rs in sorted(by_pair.items()):
        ok = [r for r in rs if r["n_events"] and int(r["n_events"]) >= min_events]
        summary[pair] = {
            "features": len(rs),
            f"estimable_over_{min_events}_events": sum(1 for r in ok if r["p_value"]),
            "min_events": min(int(r["n_events"]) for r in rs),
            "findings": [r["finding"] for r in rs if r["finding"].startswith("Over ")],
        }
    return summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--jsonl", type=Path, help="write the BASIL corpus here")
    p.add_argument("--check", type=Path, help="a run folder of the BASIL corpus")
    p.add_argument("--min-events", type=int, default=45)
    args = p.parse_args()
    if args.jsonl:
        print(f"{write_jsonl(args.data, args.jsonl)} articles written to {args.jsonl}")
    if args.check:
        print(json.dumps(check(args.check, args.min_events), indent=2, ensure_ascii=False))
    if not args.jsonl and not args.check:
        p.error("give --jsonl, --check or both")


if __name__ == "__main__":
    main()
