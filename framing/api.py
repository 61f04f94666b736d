"""The public verbs: load, analyze, compare, write_outputs, and run_analysis end to end."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from framing import __version__
from framing.ingest.readers import load_articles, load_records
from framing.models import (
    AnalyzedArticle,
    Article,
    ArticleScores,
    Comparison,
    Flag,
    IngestResult,
    OutletProfile,
    Rejection,
    RunMetadata,
)
from framing.settings import Settings
from framing.store import Store

if TYPE_CHECKING:
    from framing.engine import EngineInfo, StoredAnalyses

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
#: Texts -> L2-normalised sentence vectors (one row per text).
EmbedFn = Callable[[Sequence[str]], Any]

OUTPUT_FILES = (
    "sentences.jsonl",
    "articles.csv",
    "outlets.csv",
    "sources.csv",
    "contrasts.csv",
    "terms.csv",
    "labels.csv",
    "claims.csv",
    "over_time.csv",
    "side_by_side.csv",
    "corpus_contrasts.csv",
    "corpus_outlets.csv",
    "events.csv",
    "report.html",
    "run.json",
)

__all__ = [
    "RunResult",
    "analyze",
    "compare",
    "demo_corpus_path",
    "load",
    "load_records",
    "open_store",
    "export_tables",
    "write_pdf",
    "run_cached",
    "run_analysis",
    "run_metadata",
    "select_event",
    "write_outputs",
]


def demo_corpus_path() -> Path:
    """Path of the bundled, invented demo corpus (JSONL)."""
    return Path(str(resources.files("framing.resources").joinpath("demo/articles.jsonl")))


def load(paths: Sequence[str | Path], settings: Settings | None = None) -> IngestResult:
    """Read JSONL/CSV files or folders of .txt/.md/.html; every record accepted or rejected."""
    return load_articles(paths, settings or Settings())


def _load_named(
    inputs: Sequence[str | Path], settings: Settings
) -> tuple[IngestResult, dict[str, str]]:
    """The corpus as :func:`load` reads it and, for each accepted article id, the input record it
    came from (``file:line``, or the file), so that a failure later in the run can name it.

    Each raw record ends up as exactly one article (in order) or one rejection naming it, so the
    records not named by a rejection are, in order, the articles'. Should a reader fail outright
    or the counts not match, :func:`load` reads the corpus and articles are named by id.
    """
    from framing.ingest.readers import accept_records, iter_records

    raws: list[Any] = []
    try:
        for p in inputs:
            raws.extend(iter_records(Path(p), settings))
    except Exception:  # the reader's failure is accounted for by load(), which guards it
        return load(inputs, settings), {}
    ingest = accept_records(raws, settings)
    return ingest, _record_names([str(r[0]) for r in raws], ingest)


def _record_names(names: Sequence[str], ingest: IngestResult) -> dict[str, str]:
    """Accepted article id -> record name, given the names of every raw record in order."""
    rejected = Counter(r.record for r in ingest.rejections)
    accepted: list[str] = []
    for name in names:
        if rejected[name] > 0:
            rejected[name] -= 1
        else:
            accepted.append(name)
    if len(accepted) != len(ingest.articles) or any(rejected.values()):
        return {}
    return {a.id: name for a, name in zip(ingest.articles, accepted, strict=True)}


def select_event(ingest: IngestResult, event: str | None) -> IngestResult:
    """Give articles without an event ``event``; set aside articles of other events (with a reason).

    Articles of another event are not silently dropped: they are listed as rejections naming the
    event they belong to.
    """
    if event is None:
        return ingest
    kept: list[Article] = []
    skipped: list[Rejection] = list(ingest.rejections)
    for a in ingest.articles:
        if a.event is None:
            kept.append(replace(a, event=event))
        elif a.event == event:
            kept.append(a)
        else:
            skipped.append(Rejection(a.id, f"other event {a.event!r} (selected: {event!r})", a.id))
    kept_ids = {a.id for a in kept}
    flags = tuple(f for f in ingest.flags if f.article_id in kept_ids)
    return IngestResult(tuple(kept), tuple(skipped), flags, ingest.n_read)


def analyze(
    articles: Sequence[Article],
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    failures: list[Rejection] | None = None,
    store: Store | None = None,
    records: Mapping[str, str] | None = None,
) -> list[AnalyzedArticle]:
    """Run the NLP pipeline (spaCy parse, attribution, loaded language, voice) on articles.

    With ``failures``, an article whose analysis raises or runs past
    ``settings.analysis_time_budget`` is left out and listed there as a Rejection with the reason
    (without it the exception propagates); ``records`` (article id -> ``file:line``) lets the
    rejection name the input record, else it names the id. With a ``store``, articles
    whose text was analysed before (same text hash, pipeline version and analysis settings) are
    read from it and only the others are parsed and then cached.
    """
    from framing.engine import analyse_with_cache
    from framing.nlp.pipeline import failure_reason

    settings = settings or Settings()
    on_error = None
    if failures is not None:
        sink = failures
        names = records or {}

        def on_error(article: Article, exc: Exception) -> None:
            sink.append(
                Rejection(names.get(article.id, article.id), failure_reason(exc), article.id)
            )

    return analyse_with_cache(articles, settings, progress, on_error, store)


def run_metadata(settings: Settings) -> RunMetadata:
    """Versions, models and settings of this run."""
    from framing.nlp.pipeline import PIPELINE_VERSION, model_versions

    return RunMetadata(
        package_version=__version__,
        pipeline_version=PIPELINE_VERSION,
        models=model_versions(settings),
        settings=settings.to_dict(),
        settings_hash=settings.hash(),
        seed=settings.seed,
    )


def compare(
    analyzed: Sequence[AnalyzedArticle],
    settings: Settings | None = None,
    run: RunMetadata | None = None,
    aliases: str | Path | None = None,
    embed: EmbedFn | None = None,
) -> list[Comparison]:
    """One Comparison per event: outlet and group profiles with bootstrap intervals, pairwise
    contrasts, distinctive terms, sources, actor labels, aligned claims and weekly figures (see
    :func:`framing.compare.tables.compare_event`). ``aliases`` is a user alias table (TSV) for
    actor labels; ``embed`` (texts -> normalised vectors) defaults to the MiniLM encoder (a run
    passes one that reuses the vectors its batches computed)."""
    from framing.compare.tables import compare_events

    settings = settings or Settings()
    return compare_events(
        analyzed, settings, run or run_metadata(settings),
        embed or partial(_embed, settings=settings), aliases,
    )


def _embed(texts: Sequence[str], settings: Settings) -> Any:
    """MiniLM sentence embeddings (L2-normalised numpy array)."""
    from framing.nlp.encoder import embed_sentences

    return embed_sentences(list(texts), settings.encoder, backend=settings.encoder_backend,
                           cache_dir=settings.cache_dir)


def assign_missing_events(
    ingest: IngestResult, settings: Settings, embed: EmbedFn | None = None
) -> IngestResult:
    """Give articles without an ``event`` one by clustering headlines and leads (embeddings) and
    publication dates; articles with an event keep it. Unchanged when every article has one."""
    from framing.compare.events import assign_events, event_text

    arts = ingest.articles
    if len(arts) < 2 or all(a.event is not None for a in arts):
        return ingest
    try:
        texts = [event_text(a) for a in arts]
        vectors = embed(texts) if embed is not None else _embed(texts, settings)
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("sentence encoder unavailable (%s): articles keep no event", exc)
        return ingest
    events = assign_events(arts, vectors)
    new = tuple(a if a.event is not None else replace(a, event=e)
                for a, e in zip(arts, events, strict=True))  # fmt: skip
    return IngestResult(new, ingest.rejections, ingest.flags, ingest.n_read)


def write_outputs(
    out_dir: str | Path,
    ingest: IngestResult,
    analyzed: Sequence[AnalyzedArticle],
    comparisons: Sequence[Comparison],
    title: str = "framing report",
    execution: Mapping[str, Any] | None = None,
    force: bool = False,
) -> dict[str, Path]:
    """Write every output file (sentences, tables, report, run.json) into out_dir.

    ``analyzed`` is read in order, once per table (a run's stored analyses stream from its
    Parquet dataset); ``execution`` (engine, workers, batches reused) goes into run.json.

    Each file is written to a hidden temporary file in out_dir first; only when all of them are
    written are they renamed into place, any old ``run.json`` removed first and the new one moved
    in last. ``run.json`` marks a finished run: a failure while writing leaves the previous
    outputs as they were (or, should renaming itself fail, no ``run.json``), never a partial file
    under an output's name. Every analysed article must be an accepted article of ``ingest``, once.

    ``out_dir`` must be a new or empty folder, or one framing marked (:mod:`framing.report.folder`);
    a non-empty folder framing did not make raises :class:`~framing.report.folder.OutputFolderError`
    unless ``force``. Only files framing wrote are ever deleted: the event pages of an earlier run
    that this run does not write again; files the user put into the folder are kept.
    """
    from framing.ingest.language import outlet_coverage
    from framing.report import tables
    from framing.report.corpus import (
        corpus_section,
        corpus_tables,
        write_corpus_tables,
        write_events,
    )
    from framing.report.folder import claim_folder, record_files, remove_written, written_files
    from framing.report.html import analysed_ids
    from framing.report.naming import names_and_cites
    from framing.scoring import FEATURES

    run = comparisons[0].run if comparisons else None
    if run is None:
        raise ValueError("no comparison to write: nothing was analysed")
    _check_accounting(ingest, analyzed)
    out = claim_folder(out_dir, force, OUTPUT_FILES)
    features = list(FEATURES)
    paths = {name: out / name for name in OUTPUT_FILES}
    token = uuid.uuid4().hex[:8]
    staged = {name: out / f".{name}.{token}.part" for name in OUTPUT_FILES}
    staged_pages = out / f".events.{token}.part"
    pages = False
    try:
        tables.write_sentences(staged["sentences.jsonl"], analyzed)
        flags: dict[str, list[str]] = defaultdict(list)
        for f in ingest.flags:
            flags[f.article_id].append(f"{f.kind}: {f.detail}")
        by_id = {s.article_id: s for c in comparisons for s in c.scores}
        scores = [by_id[i] for i in analysed_ids(analyzed)]
        tables.write_articles(staged["articles.csv"], analyzed, scores, features, flags)
        tables.write_profiles(staged["outlets.csv"], comparisons, features)
        tables.write_sources(staged["sources.csv"], analyzed)
        tables.write_contrasts(staged["contrasts.csv"], comparisons)
        tables.write_terms(staged["terms.csv"], comparisons)
        tables.write_labels(staged["labels.csv"], comparisons)
        tables.write_claims(staged["claims.csv"], comparisons)
        tables.write_over_time(staged["over_time.csv"], comparisons)
        tables.write_side_by_side(staged["side_by_side.csv"], comparisons, features)
        corpus = corpus_tables(comparisons, features)
        write_corpus_tables(corpus, staged["corpus_contrasts.csv"], staged["corpus_outlets.csv"])
        names, cites = names_and_cites(analyzed)
        write_events(staged["events.csv"], comparisons, names)
        corpus_html = corpus_section(corpus, names)
        html = _bounded_report(comparisons, analyzed, ingest, title, corpus_html, names, cites)
        tables.write_text(staged["report.html"], html)
        pages = _write_event_pages(staged_pages, comparisons, analyzed, title, names, cites)
        outputs = [*OUTPUT_FILES, *(["events/"] if pages else [])]
        record = tables.run_record(run, ingest, len(analyzed), outputs)
        if execution is not None:
            extra = dict(execution)
            if "inputs_sha256" in extra:
                record["inputs_sha256"] = extra.pop("inputs_sha256")
            record["execution"] = extra
        # per outlet: how much of its coverage the figures rest on (other languages left out)
        record["ingest"]["outlets"] = [
            c.to_dict()
            for c in outlet_coverage(
                ingest.articles, ingest.rejections, analysed_ids(analyzed)
            )
        ]
        tables.write_json(staged["run.json"], record)
        run_key = record.get("inputs_sha256")
        new_pages = sorted(f"events/{p.name}" for p in staged_pages.iterdir()) if pages else []
        before = written_files(out)
        # listed before they are moved in, so an interrupted run leaves no unlisted file of ours
        record_files(out, before | set(OUTPUT_FILES) | set(new_pages), run_key)
        paths["run.json"].unlink(missing_ok=True)
        # the pages of an earlier run never mix with these; files the user added stay
        stale = sorted(p for p in before if p.startswith("events/") and p not in new_pages)
        remove_written(out, stale)
        if pages:
            (out / "events").mkdir(exist_ok=True)
            for name in new_pages:
                os.replace(staged_pages / PurePosixPath(name).name, out / name)
        elif stale and (out / "events").is_dir() and not any((out / "events").iterdir()):
            (out / "events").rmdir()  # emptied of this run's stale pages, holds nothing else
        for name in OUTPUT_FILES:  # run.json is the last name
            os.replace(staged[name], paths[name])
        record_files(out, (before - set(stale)) | set(OUTPUT_FILES) | set(new_pages), run_key)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        if staged_pages.exists():
            shutil.rmtree(staged_pages)
    return paths


def _bounded_report(
    comparisons: Sequence[Comparison],
    analyzed: Sequence[AnalyzedArticle],
    ingest: IngestResult,
    title: str,
    corpus: str = "",
    names: Mapping[str, str] | None = None,
    cites: Mapping[str, str] | None = None,
) -> str:
    """report.html: every event in full when there are few; else the index and the largest
    events in brief, as many as fit in :data:`framing.report.html.REPORT_MAX_BYTES` (the
    smallest of them left to their own pages until the report fits)."""
    from framing.report.html import (
        REPORT_MAX_BYTES,
        inline_events,
        ranked_events,
        render_report,
    )
    from framing.report.sections import comparison_sections

    shown = inline_events(comparisons)
    paged = len(shown) < len(comparisons)
    ranked = ranked_events(comparisons)[: len(shown)]
    while True:
        sections = comparison_sections([comparisons[i] for i in shown], names, cites)
        html = render_report(comparisons, analyzed, ingest, title, sections, shown, corpus,
                             names)
        if not paged or not shown or len(html.encode("utf-8")) <= REPORT_MAX_BYTES:
            return html
        ranked = ranked[:-1]
        log.info("report.html over %d bytes: %d events in full", REPORT_MAX_BYTES, len(ranked))
        shown = sorted(ranked)


def _write_event_pages(
    folder: Path,
    comparisons: Sequence[Comparison],
    analyzed: Sequence[AnalyzedArticle],
    title: str,
    names: Mapping[str, str] | None = None,
    cites: Mapping[str, str] | None = None,
) -> bool:
    """One page per event under ``folder`` when the report does not show every event in full
    (one event's articles read at a time); returns whether pages were written."""
    from framing.report import tables
    from framing.report.html import (
        articles_of_event,
        event_page_name,
        inline_events,
        render_event_page,
        render_index_pages,
    )
    from framing.report.sections import comparison_sections

    if len(inline_events(comparisons)) == len(comparisons):
        return False
    of_event = articles_of_event(analyzed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in render_index_pages(comparisons, title, names):
        tables.write_text(folder / name, page)
    for i, c in enumerate(comparisons):
        page = render_event_page(c, of_event(c.event), comparison_sections([c], names, cites),
                                 title)
        tables.write_text(folder / Path(event_page_name(i)).name, page)
    return True


def _check_accounting(ingest: IngestResult, analyzed: Sequence[AnalyzedArticle]) -> None:
    """Every analysed article is one accepted article of ``ingest``, and none appears twice."""
    from framing.report.html import analysed_ids

    ids = analysed_ids(analyzed)
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if twice:
        raise ValueError(f"articles analysed twice: {twice[:5]}")
    unknown = sorted(set(ids) - {a.id for a in ingest.articles})
    if unknown:
        raise ValueError(f"analysed articles that were not read: {unknown[:5]}")


def _settle(
    ingest: IngestResult,
    analyzed: Sequence[AnalyzedArticle],
    failures: Sequence[Rejection],
    settings: Settings,
    records: Mapping[str, str] | None = None,
) -> IngestResult:
    """The corpus after analysis: failures added to the rejections, any article neither analysed
    nor rejected listed as a rejection too (so ``read == analysed + rejected`` always holds), and
    the flags the analysis raises (quotation marks read as text) added."""
    from framing.nlp.pipeline import quote_marks, quotes_as_text

    names = records or {}
    from framing.report.html import analysed_ids

    analysed = set(analysed_ids(analyzed))
    done = analysed | {r.id for r in failures if r.id is not None}
    lost = tuple(
        Rejection(names.get(a.id, a.id), "analysis returned no result for this article", a.id)
        for a in ingest.articles
        if a.id not in done
    )
    flags = tuple(
        Flag(
            a.id,
            "many_quotes",
            f"{quote_marks(a)} quotation marks > limit {settings.max_quote_marks}; "
            "quotation marks analysed as plain text",
        )
        for a in ingest.articles
        if a.id in analysed and quotes_as_text(a, settings)
    )
    if not failures and not lost and not flags:
        return ingest
    return IngestResult(
        ingest.articles,
        ingest.rejections + tuple(failures) + lost,
        ingest.flags + flags,
        ingest.n_read,
    )


@dataclass(frozen=True)
class RunResult:
    """What ``run_analysis`` produced."""

    ingest: IngestResult
    #: In corpus order; after :func:`run_analysis` read lazily from the run's Parquet dataset.
    analyzed: Sequence[AnalyzedArticle]
    #: One per event; after :func:`run_analysis` read back from ``dataset/comparisons.jsonl``.
    comparisons: Sequence[Comparison]
    paths: dict[str, Path]
    #: How the run was executed (engine, workers, batches and articles reused).
    execution: Mapping[str, Any] | None = None
    #: The outputs were already up to date (``reuse_outputs``): nothing was read or computed,
    #: ``analyzed`` and ``comparisons`` are empty and the accounting comes from run.json.
    up_to_date: bool = False
    n_analysed: int | None = None

    @property
    def accounting(self) -> str:
        n = self.n_analysed if self.n_analysed is not None else len(self.analyzed)
        return f"read {self.ingest.n_read} / analysed {n} / rejected {len(self.ingest.rejections)}"


def inputs_key(
    inputs: Sequence[str | Path],
    settings: Settings,
    event: str | None,
    title: str,
    aliases: str | Path | None,
) -> str:
    """SHA-256 of everything a run's outputs depend on: the bytes of every input file (folders
    walked in name order), the alias table, the settings, the event, the title and the package
    and pipeline versions (recorded in run.json as ``inputs_sha256``)."""
    import hashlib
    import json

    from framing.nlp.pipeline import PIPELINE_VERSION

    h = hashlib.sha256(json.dumps(
        [__version__, PIPELINE_VERSION, settings.hash(), event, title], sort_keys=True
    ).encode())
    paths: list[Path] = []
    for p in [*map(Path, inputs), *([Path(aliases)] if aliases else [])]:
        paths += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in paths:
        h.update(b"\x1e" + str(f).encode("utf-8", "surrogateescape") + b"\x1f")
        try:
            with f.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:  # unreadable now: never up to date
            h.update(f"unreadable {exc}".encode())
    return h.hexdigest()


def _up_to_date(out_dir: Path, key: str) -> RunResult | None:
    """The finished run in ``out_dir`` when its run.json records ``key`` and every output is
    there; else None."""
    import json

    record_path = out_dir / "run.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("inputs_sha256") != key:
        return None
    if not all((out_dir / name).is_file() for name in OUTPUT_FILES):
        return None
    ing = record.get("ingest", {})
    rejections = tuple(Rejection(r["record"], r["reason"], r.get("id"))
                       for r in ing.get("rejections", []))
    flags = tuple(Flag(f["article_id"], f["kind"], f["detail"]) for f in ing.get("flags", []))
    ingest = IngestResult((), rejections, flags, int(ing.get("read", 0)))
    paths = {name: out_dir / name for name in OUTPUT_FILES}
    return RunResult(ingest, (), (), paths, record.get("execution"), up_to_date=True,
                     n_analysed=int(ing.get("analysed", 0)))


def run_analysis(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    settings: Settings | None = None,
    event: str | None = None,
    progress: ProgressFn | None = None,
    title: str = "framing report",
    aliases: str | Path | None = None,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    batch_articles: int | None = None,
    reuse_outputs: bool = False,
    force: bool = False,
) -> RunResult:
    """Load, analyse, compare and write every output for a corpus, in batches.

    Articles without an event (and no ``event`` given) are grouped into events by
    :func:`assign_missing_events`; ``aliases`` is a user alias table for labels.csv. Each batch
    of ``batch_articles`` articles is analysed and written at once to the Parquet dataset
    ``out_dir/dataset`` (:mod:`framing.engine`); the comparison reads it one event at a time, so
    analysed articles are never all in memory, and running the same call again with the same
    ``out_dir`` continues from the finished batches. ``engine`` is ``"local"`` (this process) or
    ``"dask"`` (a ``LocalCluster`` of ``workers`` processes, or the cluster at ``scheduler``);
    the outputs do not depend on it. With ``reuse_outputs``, a folder whose run.json records
    the same :func:`inputs_key` is returned as it is (``RunResult.up_to_date``).

    ``out_dir`` must be new, empty or marked as framing's (:mod:`framing.report.folder`); with
    ``force`` framing also writes into a non-empty folder it did not make (replacing only files
    of its own names, deleting nothing it did not write). Checked before anything is written.
    """
    from framing.engine import DATASET, EVENT_VECTORS, WRITING, VectorCache, report_progress
    from framing.ingest.summary import summarize_rejections
    from framing.report.folder import claim_folder

    settings = settings or Settings()
    if scheduler and engine == "local":
        engine = "dask"
    dataset = Path(out_dir) / DATASET
    key = inputs_key(inputs, settings, event, title, aliases)
    if reuse_outputs and (done := _up_to_date(Path(out_dir), key)) is not None:
        return done
    claim_folder(out_dir, force, OUTPUT_FILES)
    loaded, records = _load_named(inputs, settings)
    event_vectors = VectorCache(dataset / EVENT_VECTORS, settings)
    ingest = assign_missing_events(select_event(loaded, event), settings, event_vectors)
    event_vectors.flush()
    if not ingest.articles:
        reasons = "; ".join(summarize_rejections(ingest.rejections)[:5])
        raise ValueError(f"no article could be analysed ({ingest.n_read} records read). {reasons}")
    with ExitStack() as stack:
        client = None
        if engine == "dask":  # one cluster for the batches and the events' comparisons
            from framing.engine import dask_client

            client = stack.enter_context(dask_client(settings, workers, scheduler))
        ingest, analyzed, info = _analyse_in_batches(
            ingest, settings, dataset, records, batch_articles, engine, workers, scheduler,
            progress, client=client)
        comparisons = _compare_stored(analyzed, settings, dataset, aliases, client, workers,
                                      progress)
    report_progress(progress, 0, 1, WRITING)
    paths = write_outputs(out_dir, ingest, analyzed, comparisons, title,
                          {"inputs_sha256": key, **info.to_dict()}, force=force)
    report_progress(progress, 1, 1, WRITING)
    return RunResult(ingest, analyzed, comparisons, paths, info.to_dict())


def _analyse_in_batches(
    ingest: IngestResult,
    settings: Settings,
    dataset: Path,
    records: Mapping[str, str] | None = None,
    batch_articles: int | None = None,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: ProgressFn | None = None,
    store: Store | None = None,
    client: Any = None,
) -> tuple[IngestResult, StoredAnalyses, EngineInfo]:
    """Analyse the accepted articles in batches into the Parquet ``dataset`` (:mod:`framing.engine`;
    finished batches are reused) and settle the accounting; the analyses are read lazily from the
    dataset. With a ``store`` (local engine), its cached analyses are reused and every analysis of
    the run ends up cached in it (those of reused batches too)."""
    from framing.engine import (
        DEFAULT_BATCH_ARTICLES,
        failures_of,
        plan_batches,
        run_batches,
        stored_analyses,
    )

    batches = plan_batches(ingest.articles, settings, dict(records or {}),
                           batch_articles or DEFAULT_BATCH_ARTICLES)
    results, info = run_batches(batches, settings, dataset, engine, workers, scheduler, progress,
                                store, client)
    failures = failures_of(results)
    analyzed = stored_analyses(dataset, batches, results)
    if store is not None and info.batches_reused:
        # analysed by an earlier, interrupted call, perhaps with another store file
        store.put_analyses(stored_analyses(dataset, batches, [r for r in results if r.reused]),
                           settings)
    ingest = _settle(ingest, analyzed, failures, settings, records)
    if not len(analyzed):
        raise ValueError("no article could be analysed: "
                         + "; ".join(f"{r.record}: {r.reason}" for r in failures[:5]))
    return ingest, analyzed, info


def _compare_stored(
    analyzed: StoredAnalyses,
    settings: Settings,
    dataset: Path,
    aliases: str | Path | None = None,
    client: Any = None,
    workers: int = 1,
    progress: Callable[..., None] | None = None,
) -> Sequence[Comparison]:
    """Compare one event at a time, read from the run's dataset, with the sentence vectors its
    batches stored (other texts' vectors cached in the dataset too); with a Dask ``client``,
    events are compared as tasks on its workers (same results, in the same order). Events done
    go to ``progress`` as the stage "comparing events" (:func:`framing.engine.report_progress`).
    """
    from framing.engine import (
        COMPARING,
        COMPARISONS,
        TEXT_VECTORS,
        SpilledComparisons,
        VectorCache,
        cached_embedder,
        compare_on_cluster,
        report_progress,
    )

    run = run_metadata(settings)
    # one event at a time; each comparison goes to disk at once (thousands of events)
    comparisons = SpilledComparisons(dataset / COMPARISONS)
    text_vectors = VectorCache(dataset / TEXT_VECTORS, settings)  # labels, rewritten claims
    events = analyzed.events()
    report_progress(progress, 0, len(events), COMPARING)
    if client is not None:
        compared = compare_on_cluster(client, analyzed, settings, run, aliases, text_vectors,
                                      workers)
        for i, (_, found) in enumerate(compared, start=1):
            comparisons.extend(found)
            report_progress(progress, i, len(events), COMPARING)
    else:
        for i, ev in enumerate(events, start=1):
            embed = cached_embedder(analyzed.vectors_of_event(ev), text_vectors)
            comparisons.extend(compare(analyzed.of_event(ev), settings, run, aliases, embed))
            report_progress(progress, i, len(events), COMPARING)
    comparisons.finish()
    text_vectors.flush()
    return comparisons


def open_store(path: str | Path = ":memory:") -> Store:
    """Open (or create) the embedded DuckDB cache of analyses and analysed corpora."""
    return Store(path)


def run_cached(
    ingest: IngestResult,
    store: Store,
    runs_dir: str | Path,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    title: str = "framing report",
    batch_articles: int | None = None,
) -> str:
    """Analyse a loaded corpus once and return its run key; reopening it reads the store.

    The outputs are written to ``runs_dir/<run key>``. When the store already holds the run and
    its report exists, nothing is recomputed. Otherwise the articles are analysed in batches into
    the Parquet dataset ``runs_dir/<run key>/dataset``, as :func:`run_analysis` does: an
    interrupted call resumes from the finished batches, articles the store analysed before are
    not parsed again, and the comparison and the store read the analyses from the dataset one
    event (or chunk) at a time, never all at once. ``batch_articles`` is the batch size
    (default :data:`framing.engine.DEFAULT_BATCH_ARTICLES`); the outputs do not depend on it.
    """
    from framing.engine import DATASET, WRITING, report_progress
    from framing.report.folder import claim_folder
    from framing.store import run_key

    settings = settings or Settings()
    if not ingest.articles:
        raise ValueError(f"no article could be analysed ({ingest.n_read} records read)")
    key = run_key(ingest, settings)
    out = Path(runs_dir) / key
    if store.has_run(key) and (out / "report.html").exists():
        if progress is not None:
            progress(len(ingest.articles), len(ingest.articles))
        return key
    dataset = out / DATASET
    # a folder under runs_dir named by its run key is framing's own (runs of older versions too)
    claim_folder(out, True, OUTPUT_FILES)
    ingest, analyzed, info = _analyse_in_batches(ingest, settings, dataset, None, batch_articles,
                                                 progress=progress, store=store)
    comparisons = _compare_stored(analyzed, settings, dataset, progress=progress)
    report_progress(progress, 0, 1, WRITING)
    write_outputs(out, ingest, analyzed, comparisons, title, info.to_dict(), force=True)
    report_progress(progress, 1, 1, WRITING)
    store.put_run(key, ingest, analyzed, comparisons, out, title, settings)
    return key


def outlet_profiles(
    scores: Sequence[ArticleScores], settings: Mapping[str, Any], by: str = "outlet"
) -> list[OutletProfile]:
    """Outlet (``by="outlet"``) or group profiles of some articles' scores, with the bootstrap
    size, confidence and seed a run recorded in its settings (the dashboard's date filter)."""
    from framing.compare.profiles import build_profiles
    from framing.scoring import FEATURES

    return build_profiles(scores, list(FEATURES), int(settings.get("bootstrap_samples", 1000)),
                          float(settings.get("confidence", 0.95)), int(settings.get("seed", 0)),
                          by=by)


def write_pdf(html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """Print a report to PDF with headless Chromium (default: report.pdf beside it)."""
    from framing.report.folder import add_written
    from framing.report.pdf import html_to_pdf

    written = html_to_pdf(html_path, pdf_path)
    add_written(Path(html_path).parent, [written])
    return written


def export_tables(
    out_dir: str | Path, formats: Sequence[str] = ("csv", "json", "parquet")
) -> list[Path]:
    """Every table of an output folder as CSV, JSON and Parquet under ``out_dir/tables``."""
    from framing.report.exports import export_tables as _export
    from framing.report.folder import add_written

    written = _export(out_dir, formats)
    add_written(out_dir, written)
    return written
