"""Embedded DuckDB store: a cache of article analyses and of whole analysed corpora.

Two levels of cache:

* ``analyses``: one row per (text hash, pipeline version, analysis-settings hash) holding the
  sentences and entities the NLP pipeline produced for that text. Re-analysing an article whose
  text was seen before with the same pipeline and settings costs one lookup.
* ``runs``: one row per analysed corpus (the run key hashes every accepted record, every rejection,
  the package and pipeline versions, the store format and the settings), with its outlet profiles,
  cross-outlet tables, article scores and article list, so that reopening an analysed corpus reads a handful of rows instead of running
  anything, and the dashboard can read one article or one event at a time.

Everything is stored as deterministic JSON of the ``framing.models`` dataclasses; nothing is
pickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from framing import __version__, models
from framing.ingest.dedupe import text_hash
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

#: Settings that change how a corpus is read or summarised but not what the NLP pipeline
#: produces for one text; they are left out of the analysis cache key.
NON_ANALYSIS_SETTINGS = frozenset(
    {
        "batch_size",
        "n_process",
        "bootstrap_samples",
        "confidence",
        "max_file_bytes",
        "max_chars",
        "near_duplicate_threshold",
    }
)

#: Version of what a run's rows hold; part of the run key, so that a run stored in an older
#: format is analysed again (from the cached analyses) rather than read with missing parts.
#: 2: each event's cross-outlet tables (``run_tables``).
STORE_FORMAT = 2
#: The fields of a Comparison stored as its event's tables (profiles and scores have their own).
TABLE_FIELDS = ("contrasts", "group_contrasts", "terms", "labels", "claims", "claims_note",
                "sources", "over_time")

#: Rows a lazily read run or set of analyses is inserted in: memory holds one chunk.
CHUNK_ROWS = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    text_hash VARCHAR, pipeline_version VARCHAR, settings_hash VARCHAR,
    text_sha VARCHAR, payload VARCHAR,
    PRIMARY KEY (text_hash, pipeline_version, settings_hash));
CREATE TABLE IF NOT EXISTS runs (
    run_key VARCHAR PRIMARY KEY, title VARCHAR, out_dir VARCHAR, n_read INTEGER,
    n_articles INTEGER, pipeline_version VARCHAR, settings_hash VARCHAR, settings_key VARCHAR,
    run VARCHAR, rejections VARCHAR, flags VARCHAR);
CREATE TABLE IF NOT EXISTS run_articles (
    run_key VARCHAR, article_id VARCHAR, position INTEGER, outlet VARCHAR, event VARCHAR,
    title VARCHAR, text_hash VARCHAR, article VARCHAR, features VARCHAR,
    PRIMARY KEY (run_key, article_id));
CREATE TABLE IF NOT EXISTS run_events (
    run_key VARCHAR, position INTEGER, event VARCHAR, profiles VARCHAR, group_profiles VARCHAR,
    PRIMARY KEY (run_key, position));
CREATE TABLE IF NOT EXISTS run_tables (
    run_key VARCHAR, position INTEGER, tables VARCHAR, PRIMARY KEY (run_key, position));
CREATE INDEX IF NOT EXISTS run_articles_article ON run_articles (article_id);
CREATE INDEX IF NOT EXISTS analyses_text ON analyses (text_hash);
"""

_TYPES: dict[str, type] = {
    name: obj
    for name, obj in vars(models).items()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj)
}


_FIELDS: dict[type, tuple[str, ...]] = {}


def to_jsonable(obj: Any) -> Any:
    """Dataclasses as tagged dicts (``{"@": "Span", ...}``), tuples as lists; JSON types as is."""
    if obj is None or isinstance(obj, str | int | float):
        return obj
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(obj))
    if names is not None:
        out: dict[str, Any] = {"@": cls.__name__}
        for name in names:
            out[name] = to_jsonable(getattr(obj, name))
        return out
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


def from_jsonable(obj: Any, in_mapping: bool = False) -> Any:
    """Inverse of :func:`to_jsonable`: lists become tuples inside dataclasses, stay lists in dicts."""
    if isinstance(obj, dict):
        tag = obj.get("@")
        if isinstance(tag, str) and tag in _TYPES:
            cls = _TYPES[tag]
            names = _FIELDS.get(cls)
            if names is None:
                names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
            kwargs = {k: from_jsonable(v) for k, v in obj.items() if k in names}
            return cls(**kwargs)
        return {k: from_jsonable(v, in_mapping=True) for k, v in obj.items()}
    if isinstance(obj, list):
        items = [from_jsonable(v, in_mapping) for v in obj]
        return items if in_mapping else tuple(items)
    return obj


def dumps(obj: Any) -> str:
    """Compact deterministic JSON of models (NaN allowed: features may be not measurable)."""
    return json.dumps(to_jsonable(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    return from_jsonable(json.loads(text))


def exact_sha(text: str) -> str:
    """SHA-256 of the exact text: offsets are only valid for the very same characters."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analysis_settings_hash(settings: Settings) -> str:
    """Hash of the settings that can change what the pipeline produces for one text."""
    from framing.nlp.loaded import model_info
    from framing.resources import fingerprint

    relevant: dict[str, Any] = {
        k: v for k, v in settings.to_dict().items() if k not in NON_ANALYSIS_SETTINGS
    }
    # Retrained heads or edited lexicons change the output for the same text and settings.
    relevant["_resources"] = fingerprint()
    relevant["_models"] = model_info(settings)
    payload = json.dumps(relevant, sort_keys=True, default=str).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


def pipeline_version() -> str:
    # Importing the constant does not import spaCy (the pipeline module loads it lazily).
    from framing.nlp.pipeline import PIPELINE_VERSION

    return PIPELINE_VERSION


def run_key(ingest: IngestResult, settings: Settings) -> str:
    """Key of an analysed corpus: every record, rejection and flag, versions and settings."""
    h = hashlib.sha256()
    head = {
        "package": __version__,
        "pipeline": pipeline_version(),
        "store": STORE_FORMAT,
        "settings": settings.hash(),
        "n_read": ingest.n_read,
    }
    h.update(json.dumps(head, sort_keys=True).encode())
    for part in (ingest.articles, ingest.rejections, ingest.flags):
        for item in part:
            h.update(b"\x1e")
            h.update(dumps(item).encode("utf-8"))
        h.update(b"\x1d")
    return h.hexdigest()[:24]


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """What the store knows about an analysed corpus."""

    key: str
    title: str
    out_dir: Path
    n_read: int
    n_articles: int
    run: RunMetadata
    rejections: tuple[Rejection, ...]
    flags: tuple[Flag, ...]


@dataclasses.dataclass(frozen=True)
class ArticleRow:
    """One article of a run as listed in the dashboard (no analysis)."""

    id: str
    outlet: str
    event: str | None
    title: str | None


class Store:
    """A DuckDB file (or ``":memory:"``) holding cached analyses and analysed corpora."""

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False) -> None:
        import duckdb

        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.path, read_only=read_only)
        self._lock = threading.RLock()
        # Views of a stored run never change (put_run replaces a run and clears this).
        self._cache: dict[tuple[Any, ...], Any] = {}
        if not read_only:
            with self._lock:
                self._con.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, list(params)).fetchall()

    def _insert(self, table: str, rows: Sequence[tuple[Any, ...]], replace: bool = False) -> None:
        """Bulk insert through an Arrow table (row-by-row ``executemany`` is far slower)."""
        if not rows:
            return
        import pyarrow as pa

        names = [r[0] for r in self._con.execute(f"DESCRIBE {table}").fetchall()]
        types = {r[0]: r[1] for r in self._con.execute(f"DESCRIBE {table}").fetchall()}
        columns = list(zip(*rows, strict=True))
        arrow = pa.table(
            {
                name: pa.array(col, type=pa.int64() if types[name] == "INTEGER" else pa.string())
                for name, col in zip(names, columns, strict=True)
            }
        )
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        self._con.register("_framing_rows", arrow)
        try:
            self._con.execute(f"{verb} INTO {table} SELECT * FROM _framing_rows")
        finally:
            self._con.unregister("_framing_rows")

    # -- per-article analysis cache -------------------------------------------------------

    def get_analyses(
        self, articles: Sequence[Article], settings: Settings
    ) -> list[AnalyzedArticle | None]:
        """Cached analyses for ``articles`` (None where not cached), each bound to its Article."""
        version, skey = pipeline_version(), analysis_settings_hash(settings)
        hashes = [text_hash(a.text) for a in articles]
        found: dict[str, tuple[str, str]] = {}
        unique = sorted(set(hashes))
        for i in range(0, len(unique), 1000):
            chunk = unique[i : i + 1000]
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT text_hash, text_sha, payload FROM analyses WHERE pipeline_version = ? "
                f"AND settings_hash = ? AND text_hash IN ({marks})",
                [version, skey, *chunk],
            )
            found.update({r[0]: (r[1], r[2]) for r in rows})
        out: list[AnalyzedArticle | None] = []
        for article, h in zip(articles, hashes, strict=True):
            hit = found.get(h)
            if hit is None or hit[0] != exact_sha(article.text):
                out.append(None)  # same normalised text but other whitespace: offsets differ
                continue
            payload = json.loads(hit[1])
            out.append(
                AnalyzedArticle(
                    article,
                    from_jsonable(payload["sentences"]),
                    from_jsonable(payload["entities"]),
                    version,
                )
            )
        return out

    def put_analyses(
        self, analyzed: Iterable[AnalyzedArticle], settings: Settings, chunk: int = CHUNK_ROWS
    ) -> int:
        """Cache the analyses (sentences and entities) of these articles; returns rows written.

        ``analyzed`` is read once, lazily (a run's analyses stream from its Parquet dataset) and
        written ``chunk`` rows at a time."""
        skey = analysis_settings_hash(settings)
        written = 0
        rows: list[tuple[Any, ...]] = []
        for art in analyzed:
            payload = json.dumps(
                {
                    "sentences": to_jsonable(art.sentences),
                    "entities": to_jsonable(art.entities),
                },
                sort_keys=True,
                ensure_ascii=False,
                separators=(",", ":"),
            )
            rows.append(
                (
                    text_hash(art.article.text),
                    art.pipeline_version,
                    skey,
                    exact_sha(art.article.text),
                    payload,
                )
            )
            if len(rows) >= chunk:
                written += self._put_analysis_rows(rows)
                rows = []
        return written + self._put_analysis_rows(rows)

    def _put_analysis_rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        unique = list({(r[0], r[1], r[2]): r for r in rows}.values())
        with self._lock:
            self._insert("analyses", unique, replace=True)
        return len(unique)

    # -- analysed corpora ------------------------------------------------------------------

    def has_run(self, key: str) -> bool:
        return bool(self._query("SELECT 1 FROM runs WHERE run_key = ?", [key]))

    def put_run(
        self,
        key: str,
        ingest: IngestResult,
        analyzed: Iterable[AnalyzedArticle],
        comparisons: Sequence[Comparison],
        out_dir: str | Path,
        title: str,
        settings: Settings,
        chunk: int = CHUNK_ROWS,
    ) -> None:
        """Record an analysed corpus: run metadata, accounting, profiles, each event's
        cross-outlet tables and article scores.

        ``analyzed`` (in corpus order) is read once, lazily — a run's
        :class:`~framing.engine.StoredAnalyses` stream from its Parquet dataset — and its
        articles are inserted ``chunk`` rows at a time, all in one transaction. The analyses
        themselves are not written here: they belong in the analysis cache
        (:meth:`put_analyses`), from which :meth:`article` reads them."""
        if not comparisons:
            raise ValueError("nothing to store: no comparison")
        run = comparisons[0].run
        scores = {(c.event, s.article_id): s for c in comparisons for s in c.scores}

        def article_row(pos: int, art: AnalyzedArticle) -> tuple[Any, ...]:
            a = art.article
            sc = scores.get((a.event, a.id))
            return (key, a.id, pos, a.outlet, a.event, a.title, text_hash(a.text), dumps(a),
                    None if sc is None else dumps(sc))

        ev_rows = [
            (
                key,
                pos,
                c.event,
                dumps(c.profiles),
                dumps(c.group_profiles),
            )
            for pos, c in enumerate(comparisons)
        ]
        table_rows = [
            (key, pos, dumps({name: getattr(c, name) for name in TABLE_FIELDS}))
            for pos, c in enumerate(comparisons)
        ]
        with self._lock:
            con = self._con
            con.execute("BEGIN TRANSACTION")
            try:
                for table in ("runs", "run_articles", "run_events", "run_tables"):
                    con.execute(f"DELETE FROM {table} WHERE run_key = ?", [key])
                n_articles = 0
                art_rows: list[tuple[Any, ...]] = []
                for pos, art in enumerate(analyzed):
                    art_rows.append(article_row(pos, art))
                    n_articles += 1
                    if len(art_rows) >= chunk:
                        self._insert("run_articles", art_rows)
                        art_rows = []
                self._insert("run_articles", art_rows)
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        key,
                        title,
                        str(out_dir),
                        ingest.n_read,
                        n_articles,
                        run.pipeline_version,
                        run.settings_hash,
                        analysis_settings_hash(settings),
                        dumps(run),
                        dumps(ingest.rejections),
                        dumps(ingest.flags),
                    ],
                )
                self._insert("run_events", ev_rows)
                self._insert("run_tables", table_rows)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            self._cache.clear()

    def _cached(self, cache_key: tuple[Any, ...], compute: Any) -> Any:
        if cache_key not in self._cache:
            self._cache[cache_key] = compute()
        return self._cache[cache_key]

    def run_info(self, key: str) -> RunInfo:
        result: RunInfo = self._cached(("info", key), lambda: self._run_info(key))
        return result

    def _run_info(self, key: str) -> RunInfo:
        rows = self._query(
            "SELECT title, out_dir, n_read, n_articles, run, rejections, flags FROM runs "
            "WHERE run_key = ?",
            [key],
        )
        if not rows:
            raise KeyError(f"no analysed corpus with key {key!r} in {self.path}")
        title, out_dir, n_read, n_articles, run, rejections, flags = rows[0]
        return RunInfo(
            key,
            title,
            Path(out_dir),
            n_read,
            n_articles,
            loads(run),
            loads(rejections),
            loads(flags),
        )

    def events(self, key: str) -> list[str | None]:
        """Events of a run in report order."""
        rows = self._query(
            "SELECT event FROM run_events WHERE run_key = ? ORDER BY position", [key]
        )
        return [r[0] for r in rows]

    def _event_row(self, key: str, event: str | None) -> tuple[Any, ...]:
        return self._cached(("event", key, event), lambda: self._read_event_row(key, event))

    def _read_event_row(self, key: str, event: str | None) -> tuple[Any, ...]:
        rows = self._query(
            "SELECT profiles, group_profiles FROM run_events WHERE run_key = ? "
            "AND event IS NOT DISTINCT FROM ?",
            [key, event],
        )
        if not rows:
            raise KeyError(f"event {event!r} not in run {key!r}")
        return rows[0]

    def profiles(self, key: str, event: str | None) -> tuple[OutletProfile, ...]:
        """Outlet profiles (means and intervals) of one event."""
        result: tuple[OutletProfile, ...] = self._cached(
            ("profiles", key, event), lambda: loads(self._event_row(key, event)[0])
        )
        return result

    def group_profiles(self, key: str, event: str | None) -> tuple[OutletProfile, ...]:
        result: tuple[OutletProfile, ...] = self._cached(
            ("groups", key, event), lambda: loads(self._event_row(key, event)[1])
        )
        return result

    def articles(
        self,
        key: str,
        event: str | None = None,
        outlet: str | None = None,
        all_events: bool = False,
    ) -> list[ArticleRow]:
        """Articles of a run (optionally of one event and/or outlet) in input order."""
        result: list[ArticleRow] = self._cached(
            ("articles", key, event, outlet, all_events),
            lambda: self._read_articles(key, event, outlet, all_events),
        )
        return list(result)

    def _read_articles(
        self, key: str, event: str | None, outlet: str | None, all_events: bool
    ) -> list[ArticleRow]:
        sql = "SELECT article_id, outlet, event, title FROM run_articles WHERE run_key = ?"
        params: list[Any] = [key]
        if not all_events:
            sql += " AND event IS NOT DISTINCT FROM ?"
            params.append(event)
        if outlet is not None:
            sql += " AND outlet = ?"
            params.append(outlet)
        rows = self._query(sql + " ORDER BY position", params)
        return [ArticleRow(*r) for r in rows]

    def scores(self, key: str, event: str | None) -> list[ArticleScores]:
        rows = self._query(
            "SELECT features FROM run_articles WHERE run_key = ? AND event IS NOT DISTINCT FROM ? "
            "AND features IS NOT NULL ORDER BY position",
            [key, event],
        )
        return [loads(r[0]) for r in rows]

    def article(self, key: str, article_id: str) -> AnalyzedArticle:
        """One analysed article of a run (the article joined with its cached analysis)."""
        info = self.run_info(key)
        rows = self._query(
            "SELECT article, text_hash, settings_key FROM run_articles ra JOIN runs r "
            "ON r.run_key = ra.run_key WHERE ra.run_key = ? AND ra.article_id = ?",
            [key, article_id],
        )
        if not rows:
            raise KeyError(f"article {article_id!r} not in run {key!r}")
        article_json, thash, skey = rows[0]
        found = self._query(
            "SELECT payload FROM analyses WHERE text_hash = ? AND pipeline_version = ? "
            "AND settings_hash = ?",
            [thash, info.run.pipeline_version, skey],
        )
        if not found:
            raise KeyError(f"analysis of article {article_id!r} is missing from {self.path}")
        article: Article = loads(article_json)
        payload = json.loads(found[0][0])
        return AnalyzedArticle(
            article,
            from_jsonable(payload["sentences"]),
            from_jsonable(payload["entities"]),
            info.run.pipeline_version,
        )

    def article_scores(self, key: str, article_id: str) -> ArticleScores | None:
        rows = self._query(
            "SELECT features FROM run_articles WHERE run_key = ? AND article_id = ?",
            [key, article_id],
        )
        return loads(rows[0][0]) if rows and rows[0][0] is not None else None

    def analyzed(self, key: str) -> list[AnalyzedArticle]:
        """Every analysed article of a run, in input order."""
        return [self.article(key, r.id) for r in self.articles(key, all_events=True)]

    def comparisons(self, key: str) -> list[Comparison]:
        """The run's comparisons rebuilt from the store, with every cross-outlet table.

        Raises ``KeyError`` for a run stored by an older version without its tables (such a run
        is no longer found under its corpus's run key and is analysed again when reopened).
        """
        info = self.run_info(key)
        tables = dict(self._query("SELECT position, tables FROM run_tables WHERE run_key = ?", [key]))
        out = []
        for pos, event in enumerate(self.events(key)):
            if pos not in tables:
                raise KeyError(f"run {key!r} was stored without its comparison tables (an older "
                               "store format): analyse the corpus again")
            row = self._event_row(key, event)
            parts = json.loads(tables[pos])
            fields: dict[str, Any] = {}
            for name in TABLE_FIELDS:
                value = from_jsonable(parts[name])
                fields[name] = tuple(value) if isinstance(value, list | tuple) else value
            out.append(
                Comparison(
                    event,
                    loads(row[0]),
                    tuple(self.scores(key, event)),
                    info.run,
                    group_profiles=loads(row[1]),
                    **fields,
                )
            )
        return out

    def ingest(self, key: str) -> IngestResult:
        """The accounting of a run's input (articles, rejections, flags, records read)."""
        info = self.run_info(key)
        rows = self._query(
            "SELECT article FROM run_articles WHERE run_key = ? ORDER BY position", [key]
        )
        return IngestResult(
            tuple(loads(r[0]) for r in rows), info.rejections, info.flags, info.n_read
        )

    def list_runs(self) -> list[tuple[str, str, int]]:
        """(key, title, articles) of every stored run."""
        rows = self._query("SELECT run_key, title, n_articles FROM runs ORDER BY title, run_key")
        return [(r[0], r[1], r[2]) for r in rows]
