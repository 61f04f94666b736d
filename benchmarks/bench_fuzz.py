"""A seeded corpus of valid and hostile records through ``framing analyze`` (lexicon mode).

    python benchmarks/bench_fuzz.py [--records 10000] [--seed 18] [--keep DIR] [--json]
    python benchmarks/bench_fuzz.py --scaling [--lengths 25000 50000 100000 200000]

The corpus mixes news-like records (excerpts of the PolNeAR article texts in
``../shared/data/polnear/data/*/text``, read at run time and never copied into the project;
without them, invented sentences) with hostile ones: deep nesting, lone surrogates, huge fields,
invalid bytes, fields of the wrong type, empty and invisible texts, run-on sentences, thousands
of quotation marks, CR inside titles, repeated ids, lines that are not JSON. Records are split
between a JSONL file, a CSV file and a folder of text files (front matter), then analysed with
``python -m framing.cli analyze --no-model --event fuzz`` in a child process. Printed: records
written, read, analysed, rejected by reason, crashes (the run failing, or records rejected for an
internal error; goal 0), whether the accounting adds up, wall time and the child's peak memory
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``).

``--scaling`` times the analysis of one article of each length in this process (lexicon mode),
to show that cost grows linearly with length. Timings depend on the machine and its load; they
are not asserted anywhere.

Figures (16-core container, lexicon mode; the 2,000/10,000-record figures are in the issue note):

    --scaling (one article, headline + body; a record run was sharing the machine):
        news paragraphs      25k / 50k / 100k / 200k characters:  1.3 / 2.8 / 5.3 / 12.6 s
        one run-on sentence  25k / 50k / 100k / 200k characters:  1.1 / 2.4 / 5.0 / 10.6 s
        '"a b" ' repeated    25k / 50k / 100k / 200k characters:  2.9 / 6.6 / 14.2 / 33.8 s
    Before the Doc.text fix (issue 18): 3.6 / 8.4 / 30.7 / ~120 s for news.

    --records 2000 (seed 18): read 2,000 / analysed 1,560 / rejected 440 / crashes 0; adds up
        (articles.csv 1,560 rows); wall 510 s; peak memory 2.65 GB.
    --records 10000 (seed 18, batch engine, 2026-11-30): read 10,002 / analysed 7,855 /
        rejected 2,147 / crashes 0; analysis ~23 min at ~1.1 GB; the comparison of the single
        7,855-article event (resumed run, 123 batches reused) 14 min, peak 4.5 GB. (10,002: raw
        JSON lines in the CSV make two record boundaries ambiguous.)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
POLNEAR = REPO.parent / "shared" / "data" / "polnear" / "data"
OUTLETS = ["Kabul Times", "Dawn Mirror", "Global Wire", "Frontier Post", "Daily Ledger"]
FALLBACK = [
    "Officials said the border crossing was closed after the attack.",
    '"We will not tolerate these cowardly acts," the minister told reporters on Tuesday.',
    "According to local media, militants fired on a police post near the town.",
    "The government has been accused of hiding the number of casualties.",
    "Some experts argue the talks were doomed from the start.",
]
SCRIPT = "<script>alert('fuzz')</script>"

Record = dict[str, Any]
#: Hostile kinds and their relative weights; the costly ones (tens of thousands of characters
#: each) are rarer, so that a 10,000-record run stays within an hour on one machine.
KINDS = {
    "said_title_quote_body": 1.0, "nesting": 1.0, "surrogate": 1.0, "bad_bytes": 1.0,
    "wrong_type": 1.0, "empty_text": 1.0, "invisible_text": 1.0, "nul_text": 1.0, "cr_title": 1.0,
    "repeat_id": 1.0, "not_json": 1.0, "markup": 1.0, "control_chars": 1.0,
    "missing_fields": 1.0, "huge_text": 0.25, "huge_title": 0.25, "run_on": 0.5,
    "many_quotes": 0.5,
}


def paragraphs() -> list[str]:
    """News paragraphs: PolNeAR texts when present (read only), else invented sentences."""
    out: list[str] = []
    for path in sorted(POLNEAR.glob("*/text/*.txt"))[:600]:
        out.extend(p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")
                   if len(p.strip()) > 80)
    return out or FALLBACK


def news(rng: random.Random, paras: list[str]) -> str:
    k = rng.randint(0, len(paras) - 1)
    return "\n\n".join(paras[k : k + rng.randint(1, 4)])


def _valid(rng: random.Random, paras: list[str], i: int) -> Record:
    rec: Record = {"id": f"r{i}", "outlet": rng.choice(OUTLETS), "text": news(rng, paras)}
    if rng.random() < 0.8:
        rec["title"] = news(rng, paras).split(".")[0][:120]
    if rng.random() < 0.9:
        rec["event"] = "fuzz"
    return rec


def _hostile(rng: random.Random, paras: list[str], i: int) -> tuple[str, Record | bytes]:
    """One hostile record: its kind and the record (bytes for a raw line)."""
    base = _valid(rng, paras, i)
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    if kind == "said_title_quote_body":
        base["title"] = "days, said"
        base["text"] = '"The terrorists had border," ' + base["text"]
    elif kind == "nesting":
        depth = rng.choice([50, 1000, 5000])
        base["meta"] = json.loads("[" * min(depth, 900) + "]" * min(depth, 900))
        if depth > 900:  # beyond what json.dumps can write: a raw line
            return kind, (json.dumps(base)[:-1] + ', "deep": ' + "[" * depth + "]" * depth
                          + "}").encode()
    elif kind == "surrogate":
        field = rng.choice(["text", "title", "outlet", "id", "event", "group", "published"])
        base[field] = str(base.get(field) or "x") + "\ud800"
    elif kind == "huge_text":
        base["text"] = (base["text"] + " ") * (250_000 // max(1, len(base["text"])) + 1)
    elif kind == "huge_title":
        base["title"] = "Militants " * 15_000
    elif kind == "bad_bytes":
        return kind, json.dumps(base).encode().replace(b"the", b"th\xff\xfe", 1)
    elif kind == "wrong_type":
        field, value = rng.choice([("outlet", ["Kabul Times", "Dawn Mirror"]), ("id", True),
                                   ("text", 12345), ("title", {"a": 1}), ("event", 3.5)])
        base[field] = value
    elif kind == "empty_text":
        base["text"] = rng.choice(["", "   ", "\n\n"])
    elif kind == "invisible_text":
        base["text"] = "\u200b" * rng.randint(1, 500)
    elif kind == "nul_text":
        base["text"] = "\x00" * rng.randint(1, 500)
    elif kind == "run_on":
        words = re.sub(r"[.!?\n]", " ", news(rng, paras) * 20)
        base["text"] = words[: rng.randint(5_000, 30_000)]
    elif kind == "many_quotes":
        if rng.random() < 0.5:  # marks alone, past the limit of 2,000 or not
            base["text"] = '"a b" ' * rng.randint(300, 3_000)
        else:  # a quote and its speaker in every sentence
            base["text"] = '"Militants attacked," he said. ' * rng.randint(100, 600)
    elif kind == "cr_title":
        base["title"] = "Bare\rreturn in the title\r"
    elif kind == "repeat_id":
        base["id"] = f"r{max(0, i - 1)}"
    elif kind == "not_json":
        return kind, b'{"id": "broken", "outlet": "x", "text": "unterminated'
    elif kind == "markup":
        base["title"] = SCRIPT
        base["outlet"] = "<b>Evil</b> Times"
        base["text"] = f"He said {SCRIPT} was a brutal massacre. " + base["text"]
    elif kind == "control_chars":
        base["text"] = "".join(chr(c) for c in range(1, 32)) + base["text"] + "\x1b[31m"
    elif kind == "missing_fields":
        base.pop(rng.choice(["id", "outlet", "text"]))
    return kind, base


def build_corpus(n: int, seed: int, folder: Path) -> tuple[list[Path], Counter[str]]:
    """Write ``n`` records (about 60% valid) as JSONL, CSV and a folder; return inputs, kinds."""
    rng = random.Random(seed)
    paras = paragraphs()
    kinds: Counter[str] = Counter()
    jsonl_lines: list[bytes] = []
    csv_rows: list[Record | bytes] = []
    files: list[tuple[str, bytes]] = []
    for i in range(n):
        if rng.random() < 0.6:
            kind, rec = "valid", _valid(rng, paras, i)
        else:
            kind, rec = _hostile(rng, paras, i)
        kinds[kind] += 1
        where = rng.random()
        if where < 0.5:
            jsonl_lines.append(rec if isinstance(rec, bytes) else json.dumps(rec).encode())
        elif where < 0.8:
            csv_rows.append(rec)
        else:
            files.append(_as_file(rec, i))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "records.jsonl").write_bytes(b"\n".join(jsonl_lines) + b"\n")
    _write_csv(folder / "records.csv", csv_rows)
    docs = folder / "docs"
    for name, data in files:
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [folder / "records.jsonl", folder / "records.csv", docs], kinds


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _as_file(rec: Record | bytes, i: int) -> tuple[str, bytes]:
    """A record as a .txt file with front matter, in a folder named after its outlet."""
    if isinstance(rec, bytes):
        return f"raw/r{i}.txt", rec
    front = "".join(f"{k}: {_text(rec[k]).splitlines()[0] if _text(rec[k]).strip() else ''}\n"
                    for k in ("id", "title", "event") if k in rec)
    outlet = re.sub(r"[^\w -]", "_", _text(rec.get("outlet", "unknown")))[:40] or "unknown"
    body = f"---\n{front}---\n{_text(rec.get('text', ''))}"
    return f"{outlet}/r{i}.txt", body.encode("utf-8", "surrogatepass")


def _write_csv(path: Path, rows: list[Record | bytes]) -> None:
    """CSV with CRLF line ends, as spreadsheets write it; a lone surrogate is written as the
    invalid bytes a broken exporter would produce, and a raw record as the bytes it is."""
    header = ["id", "outlet", "title", "text", "event"]

    def line(cells: list[str]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(cells)
        return buf.getvalue().encode("utf-8", "surrogatepass")

    out = bytearray(line(header))
    for rec in rows:
        if isinstance(rec, bytes):
            out += rec.replace(b"\n", b" ") + b"\r\n"
        else:
            out += line([_text(rec.get(k, "")) for k in header])
    path.write_bytes(bytes(out))


def normalise(reason: str) -> str:
    """A rejection reason with its particulars (names, numbers, quoted values) taken out."""
    reason = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    reason = re.sub(r"\(first at [^)]*\)|record \S+:\d+", "record …", reason)
    return re.sub(r"\d[\d,.]*", "N", reason)[:110]


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        t0 = time.perf_counter()
        inputs, kinds = build_corpus(args.records, args.seed, folder / "corpus")
        built = time.perf_counter() - t0
        out = folder / "out"
        cmd = [sys.executable, "-m", "framing.cli", "analyze", *map(str, inputs),
               "--out", str(out), "--no-model", "--event", "fuzz", "--seed", str(args.seed)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              cwd=REPO, check=False)
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result: dict[str, Any] = {
            "records": args.records, "seed": args.seed, "kinds": dict(sorted(kinds.items())),
            "exit_status": proc.returncode, "wall_s": round(wall, 1),
            "build_s": round(built, 1), "peak_rss_mb": round(peak_mb),
            "command": " ".join(cmd[1:]),
        }
        run_json = out / "run.json"
        if proc.returncode != 0 or not run_json.exists():
            result["crashes"] = 1
            result["stderr_tail"] = proc.stderr[-3000:]
            return result
        ingest = json.loads(run_json.read_text(encoding="utf-8"))["ingest"]
        reasons = Counter(normalise(r["reason"]) for r in ingest["rejections"])
        internal = sum(n for r, n in reasons.items()
                       if "internal error" in r or r.startswith("analysis failed"))
        csv.field_size_limit(1 << 30)  # a title may be as long as the user made it
        with (out / "articles.csv").open(encoding="utf-8", newline="") as fh:
            rows = sum(1 for _ in csv.DictReader(fh))
        result.update({
            "read": ingest["read"], "analysed": ingest["analysed"],
            "rejected": ingest["rejected"], "flags": len(ingest["flags"]),
            "rejected_by_reason": dict(reasons.most_common()),
            "crashes": internal,
            "adds_up": ingest["read"] == ingest["analysed"] + ingest["rejected"] == args.records
            and rows == ingest["analysed"],
            "articles_csv_rows": rows,
        })
        return result


def scaling(lengths: list[int]) -> dict[str, Any]:
    from framing.models import Article
    from framing.nlp.pipeline import analyze_articles, load_nlp
    from framing.settings import Settings

    settings = Settings(use_model=False)
    load_nlp(settings.spacy_model, settings.max_sentence_chars)
    text = "\n\n".join(paragraphs())
    while len(text) < max(lengths):
        text += "\n\n" + text
    cases: dict[str, Callable[[int], str]] = {
        "news": lambda n: text[:n],
        "run_on": lambda n: re.sub(r"[.!?\n]", " ", text[:n]),
        "quotes": lambda n: '"a b" ' * (n // 6),
    }
    out: dict[str, Any] = {}
    analyze_articles([Article("warm", "o", text[:2000])], settings)
    for name, make in cases.items():
        for n in lengths:
            t0 = time.perf_counter()
            analyze_articles([Article(name, "o", make(n), title="A headline")], settings)
            out[f"{name} {n}"] = round(time.perf_counter() - t0, 2)
            print(f"{name:8s} {n:>8,} characters {out[f'{name} {n}']:7.2f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--keep", help="write the corpus and outputs here (default: a temp folder)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--scaling", action="store_true", help="time one article per length")
    ap.add_argument("--lengths", type=int, nargs="+", default=[25_000, 50_000, 100_000, 200_000])
    args = ap.parse_args()
    if args.scaling:
        result = scaling(args.lengths)
        if args.json:
            print(json.dumps(result, indent=2))
        return
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"records {result['records']:,} (seed {result['seed']}): "
          + ", ".join(f"{k} {v}" for k, v in result["kinds"].items()))
    print(f"exit status {result['exit_status']}; wall {result['wall_s']} s; "
          f"peak memory {result['peak_rss_mb']} MB")
    if "read" in result:
        print(f"read {result['read']:,} / analysed {result['analysed']:,} / "
              f"rejected {result['rejected']:,} / flags {result['flags']:,}; "
              f"articles.csv rows {result['articles_csv_rows']:,}; adds up: {result['adds_up']}")
        print("rejected by reason:")
        for reason, n in result["rejected_by_reason"].items():
            print(f"  {n:6,}  {reason}")
    print(f"crashes: {result['crashes']}")
    if result.get("stderr_tail"):
        print(result["stderr_tail"], file=sys.stderr)


if __name__ == "__main__":
    main()
