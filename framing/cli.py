"""Command line: a thin adapter over framing.api."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framing import __version__


class _Progress:
    """Progress bars on stderr (steps done, rate, ETA) for long runs (tqdm): one for the articles
    analysed, then one for the events compared and one for writing the outputs."""

    UNITS = {"analysing": "article", "comparing events": "event"}

    def __init__(self) -> None:
        self._bar: Any = None
        self._stage = ""

    def __call__(self, done: int, total: int, stage: str = "analysing") -> None:
        if stage != self._stage:
            self.close()
        if self._bar is None:
            from tqdm import tqdm

            self._stage = stage
            self._bar = tqdm(total=total, initial=done, unit=self.UNITS.get(stage, "step"),
                             desc=stage, file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                             smoothing=0.1)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._stage = ""


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from framing.settings import fast_mode, load_settings

    settings = load_settings(
        getattr(args, "config", None),
        seed=getattr(args, "seed", None),
        use_model=False if getattr(args, "no_model", False) else None,
        encoder=getattr(args, "model", None),
        encoder_backend=getattr(args, "encoder_backend", None),
        loaded_model=getattr(args, "loaded_model", None),
        n_process=getattr(args, "n_process", None),
    )
    return fast_mode(settings) if getattr(args, "fast", False) else settings


def _print_run(result: Any, out: str) -> None:
    """The accounting of a run, what it reused, and every rejection and flag (stderr)."""
    print(result.accounting)
    ex = result.execution or {}
    if ex.get("articles_reused"):
        print(f"resumed: {ex['articles_reused']} articles reused from {ex['batches_reused']} "
              f"finished batches in {Path(out) / 'dataset'}")
    from framing.ingest.summary import summarize_rejections

    for line in summarize_rejections(result.ingest.rejections):
        print(f"  rejected {line}", file=sys.stderr)
    for f in result.ingest.flags:
        print(f"  flagged {f.article_id}: {f.kind} ({f.detail})", file=sys.stderr)
    from framing.ingest.language import outlet_coverage
    from framing.report.html import analysed_ids

    coverage = outlet_coverage(result.ingest.articles, result.ingest.rejections,
                               analysed_ids(result.analyzed))
    if any(c.other_languages for c in coverage):
        for c in coverage:
            print(f"  {c.sentence()}")


def _cmd_analyze(args: argparse.Namespace, inputs: Sequence[str], out: str) -> int:
    from framing.api import run_analysis

    settings = _settings(args)
    progress = _Progress()
    try:
        result = run_analysis(
            inputs, out, settings, event=args.event, progress=progress, title=args.title,
            aliases=getattr(args, "aliases", None), workers=args.workers,
            engine="dask" if args.workers > 1 or args.scheduler else "local",
            scheduler=args.scheduler, batch_articles=args.batch_articles,
            reuse_outputs=not getattr(args, "force", False),
            force=getattr(args, "force", False),
        )
    except (ValueError, RuntimeError, OSError) as exc:
        progress.close()
        print(f"framing: {exc}", file=sys.stderr)
        return 2
    if result.up_to_date:
        print(f"outputs up to date (same input files, settings and versions): "
              f"{result.accounting}; --force recomputes them")
    else:
        _print_run(result, out)
    print(f"report: {result.paths['report.html'].resolve()}")
    if getattr(args, "tables", False):
        from framing.api import export_tables

        written = export_tables(out)
        print(f"tables: {len(written)} files in {(Path(out) / 'tables').resolve()}")
    if getattr(args, "pdf", False):
        from framing.api import write_pdf
        from framing.report.pdf import PdfError

        try:
            print(f"pdf: {write_pdf(result.paths['report.html']).resolve()}")
        except PdfError as exc:
            print(f"framing: {exc}", file=sys.stderr)
            return 2
    return 0


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="settings file (TOML)")
    p.add_argument(
        "--aliases", help="alias table for labels.csv (TSV: alias, actor, type, note); "
        "extends the default table"
    )
    p.add_argument("--seed", type=int, help="random seed (bootstrap, models)")
    p.add_argument(
        "--no-model", action="store_true", help="lexicon-only loaded language (no encoder)"
    )
    p.add_argument("--model", help="encoder: local path or hub name (never downloaded by default)")
    p.add_argument(
        "--loaded-model", choices=["tuned", "heads", "static"],
        help="loaded-language model: tuned (fine-tuned MiniLM, default), heads (linear heads "
        "on the frozen encoder) or static (the --fast model)",
    )
    p.add_argument(
        "--fast", action="store_true",
        help="fast mode: static embeddings distilled from MiniLM with retrained heads "
        "(--loaded-model static), and MiniLM with int8 weights for grouping events, claims and "
        "labels (unless --encoder-backend is given); for first passes over very large corpora",
    )
    p.add_argument(
        "--encoder-backend", choices=["auto", "torch", "onnx", "onnx-int8"],
        help="encoder runtime (auto: ONNX Runtime when installed, else torch; onnx-int8 is "
        "faster but drifts from the features the heads were trained on)",
    )
    p.add_argument("--n-process", type=int, help="spaCy worker processes")
    p.add_argument(
        "--workers", type=int, default=1,
        help="analyse batches on a local Dask cluster of N worker processes (N > 1)",
    )
    p.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT",
        help="analyse batches on an existing Dask cluster (started with `dask scheduler` and "
        "`dask worker`; workers must see the --out folder)",
    )
    p.add_argument(
        "--force", action="store_true",
        help="recompute the comparison and outputs even when run.json shows they are up to date "
        "(finished batches in out/dataset are still reused); also write into a non-empty --out "
        "folder framing did not make (files of framing's names are replaced, nothing else is "
        "deleted)",
    )
    p.add_argument(
        "--batch-articles", type=int, default=None,
        help="articles per batch (the unit written to out/dataset and resumed; default 64)",
    )
    p.add_argument("--title", default="framing report", help="report title")
    p.add_argument("--pdf", action="store_true", help="also print report.pdf (headless Chromium)")
    p.add_argument(
        "--tables", action="store_true", help="also export every table as CSV, JSON and Parquet"
    )


def _add_fetch_parser(sub: Any) -> None:
    from framing.ingest.fetch import FetchSettings
    from framing.ingest.importers import FORMATS

    d = FetchSettings()
    f = sub.add_parser(
        "fetch", help="fetch news pages (URL list, Media Cloud, GDELT, RSS) into articles.jsonl",
        description="Fetch pages politely into OUT/articles.jsonl (read by `framing analyze`), "
        "with OUT/fetch.json accounting for every URL and OUT/cache/ for resuming. Only http(s) "
        "URLs on public addresses are contacted, at every redirect hop: loopback, private, "
        "link-local (cloud metadata) and reserved addresses are refused unless --allow-private.",
    )
    f.add_argument("source", help="a URL list (text, or CSV with a url column), a Media Cloud "
                   "story-list CSV, a GDELT GKG/events file, or an RSS/Atom feed (file or URL)")
    f.add_argument("--out", required=True, help="output folder")
    f.add_argument("--from", dest="fmt", choices=FORMATS, default="auto",
                   help="input format (default: auto-detected, see the README)")
    f.add_argument("--delay", type=float, default=d.delay,
                   help=f"seconds between requests to one host (default {d.delay:g})")
    f.add_argument("--timeout", type=float, default=d.timeout,
                   help="seconds one wait for a server may last (connecting, each read; "
                   f"default {d.timeout:g})")
    f.add_argument("--deadline", type=float, default=d.deadline,
                   help="total seconds one URL may take, from its first request to its last "
                   "byte: connecting, every read, redirects, retries and the waits between "
                   f"them (default {d.deadline:g})")
    f.add_argument("--retries", type=int, default=d.retries,
                   help=f"retries on timeouts, 5xx and 429 (default {d.retries})")
    f.add_argument("--max-bytes", type=int, default=d.max_bytes,
                   help=f"largest page read, in bytes (default {d.max_bytes})")
    f.add_argument("--allow-private", action="store_true",
                   help="also contact loopback, private, link-local, reserved and multicast "
                   "addresses (localhost, 127.0.0.1, 10.x, 172.16-31.x, 192.168.x, 169.254.x, "
                   "::1, fc00::/7, fe80::/10); by default they are refused, for the URL and "
                   "every redirect, after DNS resolution. For a local test site only: it also "
                   "lets a URL or redirect reach services on your machine or network")


def _cmd_fetch(args: argparse.Namespace) -> int:
    from framing.ingest.fetch import FetchSettings, print_progress
    from framing.ingest.importers import ImportProblem, fetch_corpus

    if (args.delay < 0 or args.timeout <= 0 or args.retries < 0 or args.max_bytes <= 0
            or args.deadline <= 0):
        print("framing fetch: --delay, --retries must be >= 0 and --timeout, --deadline, "
              "--max-bytes > 0", file=sys.stderr)
        return 2
    settings = FetchSettings(delay=args.delay, timeout=args.timeout, retries=args.retries,
                             max_bytes=args.max_bytes, deadline=args.deadline,
                             allow_private=args.allow_private)
    try:
        report = fetch_corpus(args.source, args.out, args.fmt, settings, progress=print_progress)
    except (ImportProblem, OSError) as exc:
        print(f"framing fetch: {exc}", file=sys.stderr)
        return 2
    for o in report.outcomes:
        if o.status != "fetched":
            print(f"  {o.status} {o.url} ({', '.join(o.records)}): {o.reason}", file=sys.stderr)
    print(report.summary())
    out = Path(args.out)
    print(f"articles: {(out / 'articles.jsonl').resolve()}")
    print(f"accounting: {(out / 'fetch.json').resolve()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framing", description=__doc__)
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("analyze", help="analyse articles and write every output into --out")
    p.add_argument("inputs", nargs="+", help="JSONL/CSV files or folders of .txt/.md/.html")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--event", help="event name: given to articles without one; others set aside")
    _add_run_options(p)
    d = sub.add_parser("demo", help="analyse the bundled invented demo corpus")
    d.add_argument("--out", default="out/demo")
    d.add_argument("--event", default=None)
    _add_run_options(d)
    e = sub.add_parser("eval", help="measure accuracy on an annotated corpus")
    e.add_argument("dataset",
                   choices=["polnear", "babe", "ptc", "newswcl50", "loaded", "challenge",
                            "density", "basil", "claims"])
    e.add_argument("--data",
                   help="path of the dataset folder (loaded: ../shared/data, with babe/ and ptc/)")
    e.add_argument("--set", dest="challenge_set", metavar="PATH",
                   help="challenge: the challenge set (JSON Lines, e.g. "
                   "../shared/data/challenge/dev.jsonl, or a *.standoff.jsonl set read against "
                   "--data)")
    e.add_argument("--agreement-with", metavar="PATH",
                   help="challenge: score this second annotation of the --set articles against "
                   "--set (inter-annotator agreement, same scorer); no analysis is run")
    e.add_argument("--to-standoff", metavar="PATH",
                   help="challenge: write --set (with text) as a standoff set (offsets only, "
                   "*.standoff.jsonl) for the corpus at --data; no analysis is run")
    e.add_argument("--annotator", default="",
                   help="challenge --to-standoff: the annotator recorded on every line")
    e.add_argument("--errors", action="store_true",
                   help="challenge: also list every sentence the system gets wrong")
    e.add_argument("--fast", action="store_true",
                   help="babe, ptc, challenge: the fast static model (--loaded-model static)")
    e.add_argument("--split", default="dev")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.add_argument("--limit", type=int,
                   help="only the first N documents (basil, claims: events) (quick check)")
    e.add_argument(
        "--agreement",
        action="store_true",
        help="polnear: inter-annotator agreement on multiply annotated articles, beside the system",
    )
    e.add_argument(
        "--finetune",
        action="store_true",
        help="babe, ptc: fine-tune the encoder's top layers per fold and measure it (slow on a CPU)",
    )
    e.add_argument("--top-layers", type=int, default=2,
                   help="--finetune, loaded: layers fine-tuned")
    e.add_argument("--epochs", type=float, default=None,
                   help="--finetune, loaded: passes over a fold (default 3; loaded: 2)")
    e.add_argument("--merge", nargs="+", metavar="JSON",
                   help="loaded: pool `--json` results of disjoint --folds runs instead of running")
    e.add_argument("--folds",
                   help="--finetune, loaded: comma-separated protocol folds (default: all)")
    _add_fetch_parser(sub)
    t = sub.add_parser("train", help="train a shipped model head")
    t.add_argument("what", choices=["loaded", "attribution", "cue-rates"],
                   help="cue-rates: how often each verb is a speech cue in PolNeAR train "
                   "(resources/attribution/cue_rates.tsv)")
    t.add_argument("--data", required=True, help="path of ../shared/data")
    t.add_argument("--out", help="where to write the head (default: the packaged location)")
    t.add_argument("--model", help="encoder: local path or hub name")
    t.add_argument("--finetune", action="store_true",
                   help="loaded: the fine-tuned model (multi-task fine-tune of the top layers; "
                   "about an hour on 2 cores) instead of the frozen-encoder heads")
    t.add_argument("--static", action="store_true",
                   help="loaded: the --fast model (distil MiniLM into static vectors, needs "
                   "model2vec[distill]; fit the heads on them)")
    t.add_argument("--metrics", help="--finetune: JSON of `framing eval loaded` for the card; "
                   "--static: {\"babe\": …, \"ptc\": …} of `framing eval babe|ptc --fast`")
    t.add_argument("--card-only", action="store_true",
                   help="--finetune --metrics: record the figures in the model at --out (or the "
                   "packaged one) and rewrite its card, without training")
    v = sub.add_parser("validate", help="check the tool on your own corpus by hand annotation")
    vsub = v.add_subparsers(dest="validate_command", required=True)
    vs = vsub.add_parser("sample", help="draw a stratified sample of a run's sentences to annotate")
    vs.add_argument("--run", required=True, help="output folder of a finished `framing analyze`")
    vs.add_argument("--out", required=True, help="folder for the sample files")
    vs.add_argument("--n", type=int, default=200, help="sentences to draw (default 200)")
    vs.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    vs.add_argument("--force", action="store_true",
                    help="when --out holds an annotated (edited) sample.csv or sample.xlsx, write "
                    "the new sample to the next free subfolder --out/sample-2, -3, ... and keep "
                    "the annotated files (without --force: refuse)")
    vc = vsub.add_parser("score", help="score annotated sample files against the tool")
    vc.add_argument("dir", help="the sample folder (`framing validate sample --out`)")
    vc.add_argument("--annotations", nargs="+", metavar="FILE",
                    help="one or two annotated files (CSV or XLSX; default: the folder's "
                    "sample.xlsx, else sample.csv)")
    vc.add_argument("--seed", type=int, default=42, help="bootstrap seed (default 42)")
    vc.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    vc.add_argument("--json", action="store_true", help="print JSON instead of the summary")
    return parser


def _cmd_validate(args: argparse.Namespace) -> int:
    """`framing validate sample|score`: thin adapter over framing.validation."""
    if args.validate_command == "sample":
        from framing.validation.sample import sample_run

        try:
            paths = sample_run(args.run, args.out, args.n, args.seed, force=args.force)
        except (FileNotFoundError, ValueError) as exc:
            print(f"framing validate: {exc}", file=sys.stderr)
            return 2
        if paths["sample.json"].parent != Path(args.out):
            print(f"{args.out} holds an annotated sample, kept as it is; the new sample is in "
                  f"{paths['sample.json'].parent}")
        meta = json.loads(paths["sample.json"].read_text(encoding="utf-8"))
        print(f"drew {meta['n_drawn']} of {meta['n_sentences']} sentences in "
              f"{sum(1 for s in meta['strata'] if s['sampled'])} strata")
        print(f"annotators get: {paths['sample.xlsx']} (or sample.csv) and INSTRUCTIONS.md")
        print(f"keep apart: {paths['tool_labels.csv']} (the tool's labels)")
        return 0
    from framing.validation.score import score_sample, summary_markdown, write_scores

    try:
        result = score_sample(args.dir, args.annotations, args.resamples, args.seed)
    except (FileNotFoundError, ValueError) as exc:
        print(f"framing validate: {exc}", file=sys.stderr)
        return 2
    paths = write_scores(result, args.dir)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(summary_markdown(result))
        print(f"written: {paths['scores.json']}, {paths['scores.md']}")
    return 0


def _cmd_challenge(args: argparse.Namespace) -> int:
    """``framing eval challenge --set PATH``: voice, source kind, loaded phrases and charge."""
    from framing.evaluation.challenge import evaluate, load_set, render, score_agreement

    if not args.challenge_set:
        print("framing eval challenge: --set PATH is required", file=sys.stderr)
        return 2
    data = Path(args.data) if args.data else None
    try:
        if args.to_standoff:
            from framing.evaluation.standoff import convert_challenge

            if data is None:
                raise ValueError("--to-standoff needs --data, the folder holding polnear/ and "
                                 "basil/")
            out = convert_challenge(Path(args.challenge_set), data, Path(args.to_standoff),
                                    args.annotator)
            print(f"written: {out}")
            return 0
        if args.agreement_with:
            first = load_set(Path(args.challenge_set), data)
            result = score_agreement(first, load_set(Path(args.agreement_with), data))
            result["set"] = f"{args.agreement_with} against {args.challenge_set}"
        else:
            result = evaluate(Path(args.challenge_set), limit=args.limit,
                              loaded_model="static" if args.fast else None, data=data)
    except (FileNotFoundError, ValueError) as exc:
        print(f"framing eval: {exc}", file=sys.stderr)
        return 2
    if not args.errors:
        result.pop("errors")
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0
    print(render(result))
    for err in result.get("errors", []):
        print(f"- [{err['category']}] {err['text']}\n    " + "; ".join(err["problems"]))
    return 0


def _int_list(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--folds {text!r}: expected comma-separated integers") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "analyze":
        return _cmd_analyze(args, args.inputs, args.out)
    if args.command == "demo":
        from framing.api import demo_corpus_path

        args.title = "framing demo: invented corpus"
        return _cmd_analyze(args, [str(demo_corpus_path())], args.out)
    if args.command == "validate":
        return _cmd_validate(args)
    if args.command == "eval":
        from framing.evaluation import run_eval

        if args.dataset == "challenge":
            return _cmd_challenge(args)
        if not args.data:
            print("framing eval: --data PATH is required", file=sys.stderr)
            return 2
        try:
            finetune = None
            if args.finetune or args.dataset == "loaded":
                from framing.evaluation.joint import JOINT_CONFIG
                from framing.nlp.finetune import FinetuneConfig

                default = JOINT_CONFIG.epochs if args.dataset == "loaded" else 3.0
                finetune = FinetuneConfig(top_layers=args.top_layers,
                                          epochs=args.epochs if args.epochs else default)
            if args.merge:
                if args.dataset != "loaded":
                    raise NotImplementedError("--merge applies to `framing eval loaded` only")
                from framing.evaluation.joint import merge_joint

                result = merge_joint(Path(args.data),
                                     [json.loads(Path(f).read_text()) for f in args.merge])
            else:
                result = run_eval(
                    args.dataset,
                    Path(args.data),
                    split=args.split,
                    limit=args.limit,
                    agreement=args.agreement,
                    finetune=finetune,
                    folds=_int_list(args.folds),
                    progress=lambda line: print(line, file=sys.stderr, flush=True),
                    fast=args.fast,
                )
        except (FileNotFoundError, NotImplementedError, ValueError) as exc:
            print(f"framing eval: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(result, indent=2, sort_keys=True))
        elif args.dataset == "basil":
            from framing.evaluation.basil import render as render_basil

            print(render_basil(result))
        elif args.dataset == "claims":
            from framing.evaluation.claims import render as render_claims

            print(render_claims(result))
        else:
            for key, value in sorted(result.items()):
                print(f"{key}: {value}")
        return 0
    if args.command == "fetch":
        return _cmd_fetch(args)
    if args.command == "train":
        from framing.evaluation import run_train

        try:
            metrics = json.loads(Path(args.metrics).read_text()) if args.metrics else None
            print(
                json.dumps(
                    run_train(args.what, Path(args.data), args.out, args.model,
                              finetune=args.finetune, metrics=metrics, card_only=args.card_only,
                              static=args.static,
                              progress=lambda line: print(line, file=sys.stderr, flush=True)),
                    indent=2,
                    sort_keys=True,
                )
            )
        except (FileNotFoundError, NotImplementedError, ValueError) as exc:
            print(f"framing train: {exc}", file=sys.stderr)
            return 2
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
