"""Runs at research scale: articles in batches, each analysed and written at once to a Parquet
dataset under the run's output folder; resumable; in this process or on a Dask cluster.

The dataset (``OUT/dataset/``) has one Parquet file per batch in each table folder:

* ``articles/``      one row per analysed article: position in the corpus, id, outlet, event,
  group, published, title, and ``analysis`` (the whole :class:`~framing.models.AnalyzedArticle`
  as the store's deterministic JSON, from which the comparison is computed);
* ``sentences/``     one row per sentence (voice, words, model probabilities, counts);
* ``attributions/``  one row per attribution (kind, source, cue, content offsets);
* ``loaded/``        one row per loaded-language span (text, score, speaker, reported_for);
* ``features/``      one row per article with every feature of ``framing.scoring.FEATURES``;
* ``embeddings/``    the MiniLM vector of every candidate claim sentence (float16 bytes), computed
  once in the batch and reused by the comparison (claims) instead of encoding it again;
* ``_batches/``      one JSON manifest per finished batch (articles analysed, failures with their
  reasons, seconds), written last.

A batch counts as finished only when its manifest exists; every file is written under a
temporary name and renamed into place, so a run killed at any moment (SIGKILL included) leaves
whole files only, and re-running the same command continues from the finished batches: no work
is lost, no article is analysed twice or left out. A batch's name carries a hash of its articles
(id, every field, text), the pipeline version and the analysis settings, so a batch is reused only
for exactly the same input; files of other batches are removed when a run starts.

The engine is a choice of the run, never of the analysis code (DESIGN.md): ``"local"`` analyses
batches in this process; ``"dask"`` submits each batch as a task to a ``LocalCluster`` of
``workers`` processes or to an existing cluster at ``scheduler`` (``dask scheduler`` and
``dask worker`` processes sharing the output folder's file system). Models load once per worker
(:func:`model_warmup_plugin`); results land in the same dataset, so the outputs are the same as a
single-process run's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, overload

from framing.files import replace_atomically
from framing.models import AnalyzedArticle, Article, Comparison, Rejection, RunMetadata
from framing.settings import Settings

if TYPE_CHECKING:
    from framing.store import Store

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
ErrorFn = Callable[[Article, Exception], None]

#: Folder of the Parquet dataset under a run's output folder.
DATASET = "dataset"
#: Articles per batch: the unit of work, of resumption and of a Dask task.
DEFAULT_BATCH_ARTICLES = 64
TABLES = ("articles", "sentences", "attributions", "loaded", "features", "embeddings")
MANIFESTS = "_batches"
ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Batch:
    """Consecutive articles of the corpus, analysed and written together."""

    index: int
    start: int  # position of the first article in the corpus
    key: str
    articles: tuple[Article, ...]
    #: Input record of each article (``file:line``), for rejections; the id where unknown.
    records: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"part-{self.index:06d}-{self.key}"


@dataclass(frozen=True)
class BatchResult:
    """What one batch produced (its manifest)."""

    name: str
    article_ids: tuple[str, ...]
    failures: tuple[Rejection, ...]
    seconds: float
    reused: bool = False


@dataclass(frozen=True)
class EngineInfo:
    """How a run was executed (recorded in run.json)."""

    engine: str
    workers: int
    scheduler: str | None
    batch_articles: int
    batches: int
    batches_reused: int
    articles_reused: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "workers": self.workers,
            "scheduler": self.scheduler,
            "batch_articles": self.batch_articles,
            "batches": self.batches,
            "batches_reused": self.batches_reused,
            "articles_reused": self.articles_reused,
        }


def plan_batches(
    articles: Sequence[Article],
    settings: Settings,
    records: dict[str, str] | None = None,
    size: int = DEFAULT_BATCH_ARTICLES,
) -> list[Batch]:
    """The corpus cut into batches of ``size`` articles, in order, each keyed by its content."""
    from framing.store import analysis_settings_hash, dumps, pipeline_version

    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    head = f"{pipeline_version()}\x1f{analysis_settings_hash(settings)}"
    names = records or {}
    out: list[Batch] = []
    for index, start in enumerate(range(0, len(articles), size)):
        chunk = tuple(articles[start : start + size])
        h = hashlib.sha256(head.encode())
        for a in chunk:
            h.update(b"\x1e")
            h.update(dumps(a).encode("utf-8", "surrogatepass"))
        recs = tuple(names.get(a.id, a.id) for a in chunk)
        out.append(Batch(index, start, h.hexdigest()[:16], chunk, recs))
    return out


def analyse_with_cache(
    articles: Sequence[Article],
    settings: Settings,
    progress: ProgressFn | None = None,
    on_error: ErrorFn | None = None,
    store: Store | None = None,
    base_vectors: dict[str, Any] | None = None,
) -> list[AnalyzedArticle]:
    """The NLP pipeline on ``articles`` (in order; a failed article left out and passed to
    ``on_error``); with a ``store``, articles whose text it analysed before (same text hash,
    pipeline version and analysis settings) are read from it, only the others are parsed, and
    those are cached. ``progress`` gets (done, total), cached articles counted at once.
    ``base_vectors`` is filled as :func:`framing.nlp.pipeline.analyze_articles` fills it."""
    from framing.nlp.pipeline import analyze_articles

    if store is None:
        return analyze_articles(articles, settings, progress, on_error, base_vectors=base_vectors)
    cached = store.get_analyses(articles, settings)
    missing = [a for a, hit in zip(articles, cached, strict=True) if hit is None]
    n_hit, total = len(articles) - len(missing), len(articles)
    if progress is not None and n_hit:
        progress(n_hit, total)

    def shifted(done: int, _total: int) -> None:
        if progress is not None:
            progress(n_hit + done, total)

    fresh = (analyze_articles(missing, settings, shifted, on_error, base_vectors=base_vectors)
             if missing else [])
    store.put_analyses(fresh, settings)
    fresh_by_id = {a.article.id: a for a in fresh}
    out: list[AnalyzedArticle] = []
    for article, hit in zip(articles, cached, strict=True):
        if hit is not None:
            out.append(hit)
        elif article.id in fresh_by_id:
            out.append(fresh_by_id[article.id])
    return out


def analyse_batch(
    batch: Batch,
    settings: Settings,
    dataset: str | Path,
    store: Store | None = None,
    progress: ProgressFn | None = None,
) -> BatchResult:
    """Analyse one batch and write its files and manifest into ``dataset``.

    An article whose analysis fails is listed in the manifest with its reason (the run reports it
    as rejected); it never stops the batch. With a ``store`` (in this process only), analyses it
    holds are reused and new ones cached (:func:`analyse_with_cache`); ``progress`` gets the
    batch's (done, total) article by article.
    """
    from framing.nlp.pipeline import failure_reason

    t0 = time.perf_counter()
    failures: list[Rejection] = []
    record_of = dict(zip((a.id for a in batch.articles), batch.records, strict=True))

    def on_error(article: Article, exc: Exception) -> None:
        failures.append(Rejection(record_of.get(article.id, article.id), failure_reason(exc),
                                  article.id))

    known: dict[str, Any] = {}  # sentence embeddings the loaded-language pass computed
    analysed = analyse_with_cache(list(batch.articles), settings, progress, on_error, store,
                                  base_vectors=known)
    vectors = sentence_vectors(analysed, settings, known)
    result = BatchResult(
        batch.name,
        tuple(a.article.id for a in analysed),
        tuple(failures),
        round(time.perf_counter() - t0, 3),
    )
    write_batch(Path(dataset), batch, analysed, result, vectors)
    del analysed, vectors, known
    release_memory()
    return result


def release_memory() -> None:
    """Give memory a finished batch freed back to the operating system: Python's garbage
    cycles, Arrow's memory pool and glibc's heap (``malloc_trim``), instead of leaving freed
    blocks with the allocators between batches (150 PolNeAR articles: 30-40 MiB less resident
    between batches; the peak is set inside a batch)."""
    import ctypes
    import gc
    import sys

    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - pyarrow is a dependency
        pass
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl): nothing to trim
            pass


def sentence_vectors(
    analysed: Sequence[AnalyzedArticle], settings: Settings,
    known: Mapping[str, Any] | None = None,
) -> list[tuple[str | None, str, bytes]]:
    """(event, text, float16 vector bytes) of every distinct candidate claim sentence, encoded
    once; empty when the encoder cannot be loaded (the comparison then says so).

    ``known`` maps sentence texts to embeddings already computed in this batch (the fine-tuned
    loaded-language model's joint pass); only the others are encoded. A claim's text is its
    sentence with white space collapsed, which the encoder's tokenizer does not distinguish.
    """
    import numpy as np

    from framing.compare.claims import claim_sentences
    from framing.nlp.encoder import embed_sentences

    have = {" ".join(t.split()): v for t, v in (known or {}).items()}
    event_of = {a.article.id: a.article.event for a in analysed}
    seen: dict[tuple[str | None, str], None] = {}
    for c in claim_sentences(analysed):
        seen.setdefault((event_of[c.article_id], c.text), None)
    keys = list(seen)
    if not keys:
        return []
    missing = sorted({t for _, t in keys if t not in have})
    if missing:
        try:
            fresh = embed_sentences(missing, settings.encoder, backend=settings.encoder_backend,
                                    cache_dir=settings.cache_dir)
        except (ImportError, OSError, RuntimeError) as exc:
            log.warning("sentence encoder unavailable (%s): no sentence vectors stored", exc)
            return []
        have.update(zip(missing, fresh, strict=True))
    packed = {t: np.asarray(have[t], dtype=np.float16).tobytes() for _, t in keys}
    return [(e, t, packed[t]) for e, t in keys]


def _rows(batch: Batch, analysed: Sequence[AnalyzedArticle]) -> dict[str, list[dict[str, Any]]]:
    from framing.scoring import FEATURES, score_article
    from framing.store import dumps

    position = {a.id: batch.start + i for i, a in enumerate(batch.articles)}
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for art in analysed:
        a = art.article
        key = {"article_id": a.id, "outlet": a.outlet, "event": a.event}
        rows["articles"].append({
            "position": position[a.id], **key, "group": a.group, "published": a.published,
            "title": a.title, "n_sentences": len(art.sentences), "analysis": dumps(art),
        })
        feats = score_article(art).features
        rows["features"].append({"position": position[a.id], **key, "group": a.group,
                                 **{f: _float(feats.get(f)) for f in FEATURES}})
        for s in art.sentences:
            rows["sentences"].append({
                **key, "sentence": s.index, "part": s.part, "start": s.span.start,
                "end": s.span.end, "text": s.text, "voice": s.voice, "n_words": s.n_words,
                "is_assertion": s.is_assertion, "bias_probability": s.bias_probability,
                "loaded_expected": s.loaded_expected, "n_attributions": len(s.attributions),
                "n_loaded": len(s.loaded),
            })
            for at in s.attributions:
                rows["attributions"].append({
                    **key, "sentence": s.index, "part": s.part, "kind": at.kind,
                    "source": at.source.name, "source_kind": at.source.kind,
                    "cue": at.cue_lemma, "content_start": at.content.start,
                    "content_end": at.content.end,
                })
            for ls in s.loaded:
                rows["loaded"].append({
                    **key, "sentence": s.index, "part": s.part, "start": ls.span.start,
                    "end": ls.span.end, "text": ls.text, "score": float(ls.score),
                    "categories": ";".join(ls.categories), "speaker": ls.speaker,
                    "reported_for": ls.reported_for,
                })
    return rows


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


#: Column types of each table (an empty batch still writes a file with the right columns).
def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    from framing.scoring import FEATURES

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    key = [("article_id", s), ("outlet", s), ("event", s)]
    return {
        "articles": pa.schema([("position", i), *key, ("group", s), ("published", s),
                               ("title", s), ("n_sentences", i), ("analysis", s)]),
        "features": pa.schema([("position", i), *key, ("group", s),
                               *[(name, f) for name in FEATURES]]),
        "sentences": pa.schema([*key, ("sentence", i), ("part", s), ("start", i), ("end", i),
                                ("text", s), ("voice", s), ("n_words", i), ("is_assertion", b),
                                ("bias_probability", f), ("loaded_expected", f),
                                ("n_attributions", i), ("n_loaded", i)]),
        "attributions": pa.schema([*key, ("sentence", i), ("part", s), ("kind", s),
                                   ("source", s), ("source_kind", s), ("cue", s),
                                   ("content_start", i), ("content_end", i)]),
        "embeddings": pa.schema([("event", s), ("text", s), ("vector", pa.binary())]),
        "loaded": pa.schema([*key, ("sentence", i), ("part", s), ("start", i), ("end", i),
                             ("text", s), ("score", f), ("categories", s), ("speaker", s),
                             ("reported_for", s)]),
    }


def _safe(value: Any) -> Any:
    """Strings Parquet can hold: a lone surrogate (kept in the analysis JSON as is) becomes U+FFFD
    in the flat tables, which are for querying."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def write_batch(
    dataset: Path,
    batch: Batch,
    analysed: Sequence[AnalyzedArticle],
    result: BatchResult,
    vectors: Sequence[tuple[str | None, str, bytes]] = (),
) -> None:
    """Write a batch's Parquet files, then its manifest (each atomically; the manifest last)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = _schemas()
    rows = _rows(batch, analysed)
    rows["embeddings"] = [{"event": e, "text": t, "vector": v} for e, t, v in vectors]
    for table in TABLES:
        folder = dataset / table
        folder.mkdir(parents=True, exist_ok=True)
        data = [{k: _safe(v) for k, v in r.items()} for r in rows[table]]
        arrow = pa.Table.from_pylist(data, schema=schemas[table])
        replace_atomically(
            folder / f"{batch.name}.parquet",
            lambda p, t=arrow: pq.write_table(t, p, compression="zstd"),  # type: ignore[misc]
        )
    manifests = dataset / MANIFESTS
    manifests.mkdir(parents=True, exist_ok=True)
    payload = {
        "batch": batch.name,
        "articles": list(result.article_ids),
        "failures": [{"record": r.record, "reason": r.reason, "id": r.id}
                     for r in result.failures],
        "seconds": result.seconds,
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    replace_atomically(
        manifests / f"{batch.name}.json",
        lambda p: p.write_text(text, encoding="utf-8", errors="surrogatepass"),
    )


def read_manifest(dataset: Path, batch: Batch) -> BatchResult | None:
    """The manifest of a finished batch, or None (not finished, or unreadable: redone)."""
    path = dataset / MANIFESTS / f"{batch.name}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="surrogatepass"))
        failures = tuple(Rejection(f["record"], f["reason"], f.get("id"))
                         for f in data["failures"])
        ids = tuple(data["articles"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("manifest %s unreadable (%s): the batch is analysed again", path, exc)
        return None
    if not all((dataset / t / f"{batch.name}.parquet").exists() for t in TABLES):
        return None
    return BatchResult(batch.name, ids, failures, float(data.get("seconds", 0.0)), reused=True)


#: The only file names framing ever removes from a dataset folder: its batch files and their
#: temporary files (:func:`framing.files.replace_atomically`). Any other file is the user's and stays.
_BATCH_FILE = re.compile(r"^(part-\d{6}-[0-9a-f]{16})\.(?:parquet|json)$")
_BATCH_TEMP = re.compile(r"^\.part-\d{6}-[0-9a-f]{16}\.(?:parquet|json)\.[0-9a-f]{8}\.part$")


def remove_stale(dataset: Path, batches: Sequence[Batch]) -> int:
    """Remove files of batches not in this run (another corpus or other settings) and leftover
    temporary files; returns how many were removed. Only files with framing's batch names are
    touched (:data:`_BATCH_FILE`); anything else in the folders is left as it is."""
    keep = {b.name for b in batches}
    removed = 0
    for folder in (*TABLES, MANIFESTS):
        path = dataset / folder
        if not path.is_dir():
            continue
        for f in path.iterdir():
            if not f.is_file() or f.is_symlink():
                continue
            batch = _BATCH_FILE.match(f.name)
            if (batch is not None and batch.group(1) not in keep) or _BATCH_TEMP.match(f.name):
                f.unlink(missing_ok=True)
                removed += 1
    return removed


def warm_up_worker(settings: Settings) -> None:
    """Load the spaCy pipeline and the loaded-language model (once per process)."""
    from framing.nlp.pipeline import warm_models

    warm_models(settings)


def model_warmup_plugin(settings: Settings) -> Any:
    """A Dask worker plugin that loads the models once per worker, before its first batch."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ModelWarmup(WorkerPlugin):  # type: ignore[misc]
        name = "framing-model-warmup"

        def __init__(self, settings: Settings) -> None:
            self.settings = settings

        def setup(self, worker: Any) -> None:
            warm_up_worker(self.settings)

    return ModelWarmup(settings)


def run_batches(
    batches: Sequence[Batch],
    settings: Settings,
    dataset: Path,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: ProgressFn | None = None,
    store: Store | None = None,
    client: Any = None,
) -> tuple[list[BatchResult], EngineInfo]:
    """Analyse every batch not finished before; results in batch order, with how it ran.

    ``progress`` gets (articles done, total): finished batches at once, then article by article
    in this process (batch by batch on Dask). A ``store`` (the dashboard's analysis cache, local
    engine only: a DuckDB connection does not travel to workers) serves analyses it holds and
    caches new ones. ``client`` is an open Dask client (:func:`dask_client`) to use instead of
    starting a cluster of its own.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if store is not None and engine != "local":
        raise ValueError("an analysis store can only be used by the local engine")
    dataset.mkdir(parents=True, exist_ok=True)
    removed = remove_stale(dataset, batches)
    if removed:
        log.info("removed %d files of other batches from %s", removed, dataset)
    results: dict[int, BatchResult] = {}
    todo: list[Batch] = []
    for b in batches:
        done = read_manifest(dataset, b)
        if done is None:
            todo.append(b)
        else:
            results[b.index] = done
    total = sum(len(b.articles) for b in batches)
    n_done = sum(len(batches[i].articles) for i in results)
    reused_articles = sum(len(r.article_ids) for r in results.values())
    if progress is not None:
        progress(n_done, total)

    def finished(b: Batch, r: BatchResult) -> None:
        nonlocal n_done
        results[b.index] = r
        n_done += len(b.articles)
        if progress is not None:
            progress(n_done, total)

    n_workers = 1
    if engine == "local" or not todo:
        for b in todo:
            within = _offset(progress, n_done, total)
            finished(b, analyse_batch(b, settings, dataset, store, within))
    else:
        n_workers = _run_dask(todo, settings, dataset, workers, scheduler, finished, client)
    info = EngineInfo(
        engine=engine,
        workers=n_workers if engine == "dask" else 1,
        scheduler=scheduler,
        batch_articles=max((len(b.articles) for b in batches), default=0),
        batches=len(batches),
        batches_reused=len(batches) - len(todo),
        articles_reused=reused_articles,
    )
    return [results[b.index] for b in batches], info


#: Stages after the analysis that a run reports to a progress callback taking a stage.
COMPARING = "comparing events"
WRITING = "writing outputs"


def report_progress(progress: Callable[..., None] | None, done: int, total: int,
                    stage: str) -> None:
    """Tell ``progress`` that ``done`` of ``total`` steps of ``stage`` ("comparing events",
    "writing outputs") are done. Articles analysed are reported as ``progress(done, total)``; a
    callback with a third parameter ``stage`` defaulting to "analysing" (the command line's
    bars, the dashboard) also hears of the later stages, a two-parameter one of nothing else."""
    if progress is None:
        return
    if _takes_stage(progress):
        progress(done, total, stage)


def _takes_stage(fn: Callable[..., None]) -> bool:
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 3


def _offset(progress: ProgressFn | None, base: int, total: int) -> ProgressFn | None:
    """``progress`` for the articles of one batch: its (done, _) reported as (base + done, total)."""
    if progress is None:
        return None
    report = progress

    def within(done: int, _total: int) -> None:
        report(base + done, total)

    return within


@contextmanager
def dask_client(settings: Settings, workers: int = 1, scheduler: str | None = None
                ) -> Iterator[Any]:
    """A ``distributed.Client`` of the cluster at ``scheduler``, or of a new ``LocalCluster`` of
    ``workers`` processes (closed on exit); each worker loads the models once."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise RuntimeError("the dask engine needs the 'distributed' package "
                           "(pip install 'framing[scale]')") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_plugin(model_warmup_plugin(settings))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _n_workers(client: Any, default: int) -> int:
    return int(len(client.scheduler_info(n_workers=-1)["workers"]) or max(1, default))


def _bounded(client: Any, calls: Iterable[tuple[str, Callable[..., Any], tuple[Any, ...]]],
             in_flight: int) -> Iterator[tuple[str, Any]]:
    """Submit ``(key, function, args)`` tasks with at most ``in_flight`` running; yields
    (key, result) as each finishes (in any order)."""
    from distributed import as_completed

    pending = iter(calls)

    def submit() -> Any:
        nxt = next(pending, None)
        if nxt is None:
            return None
        key, fn, args = nxt
        return client.submit(fn, *args, key=key, pure=False)

    first = [f for f in (submit() for _ in range(in_flight)) if f is not None]
    queue = as_completed(first)
    for fut in queue:
        key, result = fut.key, fut.result()
        fut.release()
        yield key, result
        nxt = submit()
        if nxt is not None:
            queue.add(nxt)


def _run_dask(
    todo: Sequence[Batch],
    settings: Settings,
    dataset: Path,
    workers: int,
    scheduler: str | None,
    finished: Callable[[Batch, BatchResult], None],
    client: Any = None,
) -> int:
    """Submit each batch as a task (a bounded number in flight); returns the worker count."""
    if client is None:
        with dask_client(settings, workers, scheduler) as own:
            return _run_dask(todo, settings, dataset, workers, scheduler, finished, own)
    n_workers = _n_workers(client, workers)
    by_key = {f"batch-{b.name}": b for b in todo}
    calls = ((k, analyse_batch, (b, settings, str(dataset))) for k, b in by_key.items())
    for key, result in _bounded(client, calls, max(2, 2 * n_workers)):
        finished(by_key[key], result)
    return n_workers


def compare_event_task(
    dataset: str, names: Sequence[str], event: str | None, settings: Settings,
    run: RunMetadata, aliases: str | None,
) -> tuple[list[Comparison], dict[str, bytes]]:
    """One event compared on a Dask worker: its articles and claim vectors read from the batches
    ``names`` of ``dataset``; other texts' vectors from the run's text-vector cache (read once
    per worker). Returns the comparisons and the vectors encoded here (the client keeps them)."""
    from framing.compare.tables import compare_events

    stored = StoredAnalyses(Path(dataset), names, [], {}, {event: names})
    cache = _worker_vectors(str(Path(dataset) / TEXT_VECTORS), settings)
    before = cache.n_fresh
    embed = cached_embedder(stored.vectors_of_event(event), cache)
    comparisons = compare_events(stored.of_event(event), settings, run, embed, aliases)
    return comparisons, cache.fresh_since(before)


@lru_cache(maxsize=4)
def _worker_vectors(path: str, settings: Settings) -> VectorCache:
    return VectorCache(Path(path), settings)


def compare_on_cluster(
    client: Any, analyzed: StoredAnalyses, settings: Settings, run: RunMetadata,
    aliases: str | Path | None, text_vectors: VectorCache, workers: int = 1,
) -> Iterator[tuple[str | None, list[Comparison]]]:
    """(event, its comparisons) for every event, computed as tasks on the cluster and yielded
    in event order (as the local loop gives them); vectors the workers encoded go into
    ``text_vectors``."""
    events = analyzed.events()
    keys = [f"compare-{uuid.uuid4().hex}" for _ in events]
    index = {k: i for i, k in enumerate(keys)}
    calls = ((k, compare_event_task, (str(analyzed.dataset), analyzed.batches_of(ev), ev,
                                      settings, run, None if aliases is None else str(aliases)))
             for k, ev in zip(keys, events, strict=True))
    done: dict[int, list[Comparison]] = {}
    nxt = 0
    for key, (comparisons, vectors) in _bounded(client, calls,
                                                max(2, 2 * _n_workers(client, workers))):
        text_vectors.add(vectors)
        done[index[key]] = comparisons
        while nxt in done:
            yield events[nxt], done.pop(nxt)
            nxt += 1


class StoredAnalyses(Sequence[AnalyzedArticle]):
    """The analysed articles of a run, read from its Parquet dataset when needed (never all held
    in memory): iterate in corpus order, or take one event's articles."""

    def __init__(self, dataset: Path, names: Sequence[str], ids: Sequence[str],
                 events: dict[str, str | None],
                 event_batches: Mapping[str | None, Sequence[str]] | None = None) -> None:
        self.dataset = dataset
        self.names = list(names)
        self.ids = list(ids)
        self._events = events
        #: the batches holding each event's articles: one event's queries read only those files
        #: (else every event would scan every batch: quadratic in the corpus)
        self._event_batches = event_batches
        self._con: Any = None

    def batches_of(self, event: str | None) -> list[str]:
        """Names of the batches holding ``event``'s articles (all batches when not indexed)."""
        if self._event_batches is None:
            return self.names
        return list(self._event_batches.get(event, ()))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            wanted = set(self.ids[i])
            return [a for a in self if a.article.id in wanted]
        target = self.ids[i]
        for a in self._query("WHERE article_id = ?", [target]):
            return a
        raise IndexError(i)

    def _files(self, names: Sequence[str] | None = None) -> list[str]:
        return [str(self.dataset / "articles" / f"{n}.parquet")
                for n in (self.names if names is None else names)]

    def _connection(self) -> Any:
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
        return self._con

    def _query(self, where: str, params: Sequence[Any], names: Sequence[str] | None = None
               ) -> Iterator[AnalyzedArticle]:
        from framing.store import loads

        files = self._files(names)
        if not files:
            return
        con = self._connection()
        cur = con.execute(
            f"SELECT analysis FROM read_parquet(?) {where} ORDER BY position", [files, *params])
        while True:
            rows = cur.fetchmany(64)
            if not rows:
                return
            for (payload,) in rows:
                yield loads(payload)

    def __iter__(self) -> Iterator[AnalyzedArticle]:
        import pyarrow.parquet as pq

        from framing.store import loads

        for n in self.names:  # batch files are in corpus order; rows in each too
            table = pq.read_table(self.dataset / "articles" / f"{n}.parquet",
                                  columns=["position", "analysis"])
            for payload in table.column("analysis").to_pylist():
                yield loads(payload)

    def vectors_of_event(self, event: str | None) -> dict[str, Any]:
        """Candidate claim sentence text -> its vector (float32), as the batches stored them."""
        import numpy as np

        files = [str(self.dataset / "embeddings" / f"{n}.parquet") for n in self.batches_of(event)]
        if not files:
            return {}
        where = "WHERE event IS NULL" if event is None else "WHERE event = ?"
        rows = self._connection().execute(
            f"SELECT text, vector FROM read_parquet(?) {where}",
            [files] if event is None else [files, event]).fetchall()
        return {t: np.frombuffer(v, dtype=np.float16).astype(np.float32) for t, v in rows}

    def events(self) -> list[str | None]:
        """Events present, sorted as comparisons are (named first, then None)."""
        return sorted({self._events[i] for i in self.ids}, key=lambda e: (e is None, e or ""))

    def of_event(self, event: str | None) -> list[AnalyzedArticle]:
        """One event's analysed articles, in corpus order."""
        names = self.batches_of(event)
        if event is None:
            return list(self._query("WHERE event IS NULL", [], names))
        return list(self._query("WHERE event = ?", [event], names))


def stored_analyses(
    dataset: Path, batches: Sequence[Batch], results: Sequence[BatchResult]
) -> StoredAnalyses:
    """The analysed articles of finished batches, read lazily from the dataset."""
    events = {a.id: a.event for b in batches for a in b.articles}
    ids = [i for r in results for i in r.article_ids]
    event_batches: dict[str | None, list[str]] = {}
    for r in results:
        for ev in dict.fromkeys(events[i] for i in r.article_ids):
            event_batches.setdefault(ev, []).append(r.name)
    return StoredAnalyses(dataset, [r.name for r in results], ids, events, event_batches)


def failures_of(results: Iterable[BatchResult]) -> list[Rejection]:
    """Every article a batch could not analyse, with its reason."""
    return [f for r in results for f in r.failures]


class VectorCache:
    """Sentence vectors by text hash, kept in one Parquet file of the run's dataset, so that a
    resumed or repeated run encodes no text it has encoded before (event texts, actor labels,
    sentences rewritten with one label per actor). :meth:`flush` writes what is new."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path, self.settings = path, settings
        self._model = f"{settings.encoder}|{settings.encoder_backend}|"
        self._vectors: dict[str, bytes] = {}
        self._fresh: list[str] = []  # keys encoded by this object, in order
        self._new = False
        if path.exists():
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                table = pq.read_table(path)
                self._vectors = dict(zip(table.column("sha").to_pylist(),
                                         table.column("vector").to_pylist(), strict=True))
            except (OSError, ValueError, pa.ArrowException) as exc:
                log.warning("%s unreadable (%s): its texts are encoded again", path, exc)

    def _key(self, text: str) -> str:
        return hashlib.sha256((self._model + _safe(text)).encode("utf-8")).hexdigest()

    def __call__(self, texts: Sequence[str]) -> Any:
        """L2-normalised vectors of ``texts`` (float16 precision), encoding only unseen texts."""
        import numpy as np

        from framing.nlp.encoder import embed_sentences

        keys = [self._key(t) for t in texts]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}
        encoded = embed_sentences(list(todo.values()), self.settings.encoder,
                                  cache_dir=self.settings.cache_dir,
                                  backend=self.settings.encoder_backend)
        for k, row in zip(todo, np.asarray(encoded, dtype=np.float16), strict=True):
            self._vectors[k] = row.tobytes()
            self._fresh.append(k)
            self._new = True
        if not keys:
            return np.asarray(encoded, dtype=np.float32)
        return np.stack([np.frombuffer(self._vectors[k], dtype=np.float16).astype(np.float32)
                         for k in keys])

    @property
    def n_fresh(self) -> int:
        """How many texts this object has encoded."""
        return len(self._fresh)

    def fresh_since(self, n: int) -> dict[str, bytes]:
        """Vectors (by key) of the texts encoded after the first ``n``."""
        return {k: self._vectors[k] for k in self._fresh[n:]}

    def add(self, vectors: Mapping[str, bytes]) -> None:
        """Take vectors encoded elsewhere (a Dask worker's), keyed as :meth:`_key` keys them."""
        for k, v in vectors.items():
            if k not in self._vectors:
                self._vectors[k] = v
                self._new = True

    def flush(self) -> None:
        """Write the file (atomically) when new vectors were computed."""
        if not self._new:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self._vectors)
        table = pa.table({"sha": names, "vector": [self._vectors[k] for k in names]},
                         schema=pa.schema([("sha", pa.string()), ("vector", pa.binary())]))
        replace_atomically(self.path, lambda p: pq.write_table(table, p, compression="zstd"))
        self._new = False


#: Files of the run-level vector caches in the dataset folder.
EVENT_VECTORS = "event_vectors.parquet"
TEXT_VECTORS = "text_vectors.parquet"


def cached_embedder(
    known: dict[str, Any], fallback: Callable[[Sequence[str]], Any]
) -> Callable[[Sequence[str]], Any]:
    """An embed function that takes a text's vector from ``known`` (the claim sentences a batch
    encoded) and asks ``fallback`` (a :class:`VectorCache`) for the others."""

    def embed(texts: Sequence[str]) -> Any:
        import numpy as np

        keys = [_safe(t) for t in texts]
        missing = [t for t in dict.fromkeys(keys) if t not in known]
        other = dict(zip(missing, fallback(missing), strict=True)) if missing else {}
        if not keys:
            return fallback([])
        return np.stack([known[k] if k in known else other[k] for k in keys])

    return embed


COMPARISONS = "comparisons.jsonl"


class SpilledComparisons(Sequence[Comparison]):
    """The comparison of every event, written to a JSON-lines file as each is computed and read
    back one at a time, so a run with thousands of events never holds them all in memory.

    The file (``dataset/comparisons.jsonl``, one :func:`framing.store.dumps` line per event) is
    written anew by every run; only the byte offset of each line stays in memory. Reading is by
    index or in order; the last few read are kept.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._offsets: list[int] = []
        self._writer: Any = path.open("wb")

    def append(self, comparison: Comparison) -> None:
        from framing.store import dumps

        if self._writer is None:
            raise ValueError(f"{self.path} is closed for writing")
        self._offsets.append(self._writer.tell())
        self._writer.write(dumps(comparison).encode("utf-8") + b"\n")

    def extend(self, comparisons: Iterable[Comparison]) -> None:
        for c in comparisons:
            self.append(c)

    def finish(self) -> SpilledComparisons:
        """Close the file for writing (reading works from then on)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, i: int) -> Comparison: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Comparison]: ...

    def __getitem__(self, i: int | slice) -> Comparison | Sequence[Comparison]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._read(i)

    @lru_cache(maxsize=16)  # noqa: B019 - one instance per run, dropped with it
    def _read(self, i: int) -> Comparison:
        from framing.store import loads

        self.finish()
        with self.path.open("rb") as fh:
            fh.seek(self._offsets[i])
            return cast(Comparison, loads(fh.readline().decode("utf-8")))

    def __iter__(self) -> Iterator[Comparison]:
        from framing.store import loads

        self.finish()
        with self.path.open("rb") as fh:
            for _ in range(len(self)):
                yield cast(Comparison, loads(fh.readline().decode("utf-8")))
