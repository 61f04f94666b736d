"""Whole runs at research scale: wall time, words/s, peak memory of every process, and the ratio
to a bare spaCy parse of the same texts.

    python benchmarks/bench_scale.py --n 1000 [--fast] [--no-model] [--workers N] [--json]
        [--keep DIR] [--skip-bare] [--trace FILE]

The corpus is built from the PolNeAR train+dev article texts in
``../shared/data/polnear/data/*/text`` (924 real news articles; read at run time, never copied
into the project). Outlet and date come from the file name, the headline from the metadata
table. Past 924 articles the texts are reused with distinct ids, a shifted date and light
variation (paragraphs rotated, a closing line naming the copy), so no two articles are identical
and near-duplicate detection sees reprints, not clones. Articles get no ``event``: the run groups
them itself, as it would a researcher's corpus.

Each size is run cold (a fresh output folder) and warm (the same command again: finished batches
and finished outputs are reused). Peak memory is the largest sum of the resident memory of the
run's process and all its children (Dask workers included), sampled every 0.2 s;
``memory_by_batches`` gives the peak while each tenth of the batches was being analysed and
after (comparison and outputs), so growth with the corpus shows within one run. The bare parse
is ``nlp.pipe`` over the same texts with two processes (``n_process=2``), nothing else.

Timings depend on the machine and its load; they are not asserted anywhere. Figures are in the
issue notes and the README.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
POLNEAR = REPO.parent / "shared" / "data" / "polnear" / "data"
#: ``--trace FILE``: each trace sample is appended here as it is taken.
TRACE_FILE: Path | None = None
_NAME = re.compile(r"^(?P<outlet>[a-z][a-z-]*)_(?P<date>\d{4}-\d{2}-\d{2})_")


def source_texts() -> list[dict[str, str]]:
    """The PolNeAR train+dev texts with outlet, date and headline."""
    titles: dict[str, str] = {}
    meta = POLNEAR / "metadata.tsv"
    if meta.exists():
        with meta.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                titles[row["filename"]] = row.get("title") or ""
    out = []
    for split in ("train", "dev"):
        for path in sorted((POLNEAR / split / "text").glob("*.txt")):
            m = _NAME.match(path.name)
            if not m:
                continue
            text = path.read_text(encoding="utf-8").strip()
            out.append({"stem": path.stem, "outlet": m["outlet"], "date": m["date"],
                        "title": titles.get(path.stem, ""), "text": text})
    if not out:
        raise SystemExit(f"no PolNeAR texts under {POLNEAR}: the benchmark needs ../shared/data")
    return out


#: Articles per corpus file: a 10,000-article corpus in one file would pass the reader's
#: per-file limit (``Settings.max_file_bytes``, 50 MB); corpora come in several files anyway.
SHARD = 2000


def build_corpus(n: int, folder: Path) -> tuple[int, list[Path]]:
    """Write ``n`` articles as JSONL files of at most :data:`SHARD` articles into ``folder``;
    returns the number of words and the files."""
    base = source_texts()
    words = 0
    paths = [folder / f"corpus-{n}-{k:02d}.jsonl" for k in range((n + SHARD - 1) // SHARD)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    try:
        for i in range(n):
            fh = handles[i // SHARD]
            src = base[i % len(base)]
            copy = i // len(base)
            text, date = src["text"], src["date"]
            if copy:
                paras = [p for p in text.split("\n\n") if p.strip()]
                k = copy % max(1, len(paras))
                text = "\n\n".join(paras[k:] + paras[:k])
                text += f"\n\nThis is copy {copy} of the article, filed again for the archive."
                year = int(date[:4]) + copy
                date = f"{year}{date[4:]}"
            words += len(text.split())
            fh.write(json.dumps({"id": f"{src['stem']}#{copy}", "outlet": src["outlet"],
                                 "title": src["title"], "published": date, "text": text})
                     + "\n")
    finally:
        for fh in handles:
            fh.close()
    return words, paths


class PeakMemory:
    """Peak of the summed RSS of a process and all its descendants (psutil, sampled); with a
    ``dataset`` folder, a trace every ``trace_every`` seconds of (seconds, MiB, finished batches)
    shows whether memory grows as batches accumulate."""

    def __init__(self, pid: int, interval: float = 0.2, dataset: Path | None = None,
                 trace_every: float = 10.0) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self.dataset, self.trace_every = dataset, trace_every
        self.trace: list[tuple[float, int, int]] = []
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            now = time.perf_counter() - self._t0
            if self.dataset is not None and (
                    not self.trace or now - self.trace[-1][0] >= self.trace_every):
                done = len(list((self.dataset / "_batches").glob("*.json")))
                self.trace.append((round(now, 1), round(total / 2**20), done))
                if TRACE_FILE is not None:  # follow a long run while it goes
                    with TRACE_FILE.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(self.trace[-1]) + "\n")
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed_run(cmd: list[str], dataset: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    mem = PeakMemory(proc.pid, dataset=dataset)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    peak = mem.stop()
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(peak / 2**20), "stdout": out,
            "trace": mem.trace}


def bare_parse(paths: list[Path]) -> float:
    """Seconds for ``nlp.pipe`` over the corpus texts with two processes."""
    code = (
        "import json,sys,time\n"
        "from framing.nlp.pipeline import load_nlp, parse_text\n"
        "from framing.models import Article\n"
        "from framing.settings import Settings\n"
        "s=Settings(); nlp=load_nlp(s.spacy_model, s.max_sentence_chars)\n"
        f"rows=[json.loads(l) for p in {[str(p) for p in paths]!r} "
        "for l in open(p, encoding='utf-8')]\n"
        "texts=[parse_text(Article(r['id'], r['outlet'], r['text'], title=r['title'])) "
        "for r in rows]\n"
        "t=time.perf_counter()\n"
        "for _ in nlp.pipe(texts, batch_size=32, n_process=2): pass\n"
        "print(time.perf_counter()-t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _by_batches(trace: list[tuple[float, int, int]]) -> list[dict[str, Any]]:
    """Peak MiB while 0-9%, 10-19%, ... of the batches were finished, then after the last one
    (comparison and outputs): flat rows mean memory does not grow with the batches done."""
    if not trace:
        return []
    total = max(b for _, _, b in trace)
    rows: dict[str, dict[str, Any]] = {}
    for t, mb, done in trace:
        key = "comparison and outputs" if total and done == total else (
            f"batches {10 * (10 * done // max(total, 1))}%")
        row = rows.setdefault(key, {"phase": key, "from_s": t, "peak_mb": 0})
        row["peak_mb"] = max(row["peak_mb"], mb)
    return list(rows.values())


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        words, corpus = build_corpus(args.n, folder)
        out = folder / f"out-{args.n}"
        if out.exists():
            import shutil

            shutil.rmtree(out)
        cmd = [sys.executable, "-m", "framing.cli", "analyze", *map(str, corpus), "--out",
               str(out)]
        if args.fast:
            cmd.append("--fast")
        if args.no_model:
            cmd.append("--no-model")
        if args.workers > 1:
            cmd += ["--workers", str(args.workers)]
        cold = timed_run(cmd, out / "dataset")
        warm = timed_run(cmd)
        result: dict[str, Any] = {
            "articles": args.n, "words": words,
            "mode": "fast" if args.fast else "lexicon" if args.no_model else "default",
            "workers": args.workers, "command": " ".join(cmd[1:]),
            "cold_s": cold["wall_s"], "cold_words_per_s": round(words / cold["wall_s"]),
            "cold_peak_rss_mb": cold["peak_rss_mb"],
            "warm_s": warm["wall_s"], "warm_peak_rss_mb": warm["peak_rss_mb"],
            "outputs_mb": {p.name: round(p.stat().st_size / 2**20, 2)
                           for p in sorted(out.iterdir()) if p.is_file()},
            "accounting": cold["stdout"].splitlines()[0] if cold["stdout"] else "",
            "memory_by_batches": _by_batches(cold["trace"]),
        }
        if not args.skip_bare:
            bare = bare_parse(corpus)
            result["bare_parse_s"] = round(bare, 1)
            result["ratio_to_bare_parse"] = round(bare / cold["wall_s"], 3)
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="articles")
    ap.add_argument("--fast", action="store_true")
    ap.add_argument("--no-model", action="store_true", help="lexicon mode")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--keep", help="write the corpus and outputs here (default: a temp folder)")
    ap.add_argument("--skip-bare", action="store_true", help="do not time the bare parse")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--trace", help="append (seconds, MiB, finished batches) samples to this file")
    args = ap.parse_args()
    if args.trace:
        global TRACE_FILE
        TRACE_FILE = Path(args.trace)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
