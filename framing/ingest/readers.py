"""Readers for JSONL, CSV and folders of .txt/.md/.html files.

Every record read ends up either as an Article or as a Rejection naming the record and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from framing.ingest.dedupe import find_duplicates, text_hash
from framing.ingest.validation import RecordError, build_article, english_ratio
from framing.models import Article, Flag, IngestResult, Rejection
from framing.settings import Settings

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv")

Raw = tuple[str, Mapping[str, Any] | None, str | None]  # (record name, fields, error)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"undecodable bytes (not UTF-8) at byte {exc.start}") from exc


def _read_jsonl(path: Path, data: bytes) -> Iterator[Raw]:
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        name = f"{path}:{lineno}"
        if not line.strip():
            continue
        try:
            text = _decode(line, name)
        except RecordError as exc:
            yield name, None, str(exc)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield name, None, f"not JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(obj, dict):
            yield name, None, f"not a JSON object but {type(obj).__name__}"
            continue
        yield name, obj, None


def _read_csv(path: Path, data: bytes) -> Iterator[Raw]:
    try:
        text = _decode(data, str(path))
    except RecordError as exc:
        yield str(path), None, str(exc)
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        name = f"{path}:{reader.line_num}"
        if None in row:
            yield name, None, "more fields than the header names"
            continue
        yield name, row, None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split simple ``key: value`` front matter fenced by ``---`` lines from the body."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip().strip('"').strip("'")
    body_start = text.find("\n", end + 4)
    return meta, text[body_start + 1 :] if body_start >= 0 else ""


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Main text and metadata of an HTML page via trafilatura (Barbaresi 2021)."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    meta: dict[str, str] = {}
    md = trafilatura.extract_metadata(html)
    if md is not None:
        for key in ("title", "date", "url", "sitename"):
            value = getattr(md, key, None)
            if value:
                meta[key] = str(value)
    return text or "", meta


def _read_text_file(path: Path, data: bytes, root: Path) -> Raw:
    name = str(path)
    try:
        text = _decode(data, name)
    except RecordError as exc:
        return name, None, str(exc)
    meta: dict[str, Any] = {}
    sidecar = path.with_suffix(path.suffix + ".json")
    if not sidecar.exists():
        sidecar = path.with_suffix(".json")
    if sidecar.exists():
        try:
            loaded = json.loads(sidecar.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return name, None, f"sidecar {sidecar.name} is not valid JSON ({exc})"
        if not isinstance(loaded, dict):
            return name, None, f"sidecar {sidecar.name} is not a JSON object"
        meta.update(loaded)
    if path.suffix.lower() in (".html", ".htm"):
        body, html_meta = html_to_text(text)
        meta.setdefault("title", html_meta.get("title"))
        meta.setdefault("published", html_meta.get("date"))
        meta.setdefault("url", html_meta.get("url"))
        if "outlet" not in meta and html_meta.get("sitename"):
            meta["outlet"] = html_meta["sitename"]
    else:
        front, body = split_front_matter(text)
        for key, value in front.items():
            meta.setdefault(key, value)
    meta.setdefault("id", path.relative_to(root).with_suffix("").as_posix())
    if "outlet" not in meta and path.parent != root:
        # Folder layout corpus/<outlet>/<article>.txt names the outlet by its folder.
        meta["outlet"] = path.parent.name
    meta["text"] = body
    return name, meta, None


def iter_records(path: Path, settings: Settings) -> Iterator[Raw]:
    """Raw records of one input path (file or folder)."""
    if not path.exists():
        yield str(path), None, "no such file or folder"
        return
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
        )
        tables = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
        )
        for p in tables:
            yield from iter_records(p, settings)
        for p in files:
            size = p.stat().st_size
            if size > settings.max_file_bytes:
                yield str(p), None, f"oversize file: {size} bytes > limit {settings.max_file_bytes}"
                continue
            yield _read_text_file(p, p.read_bytes(), path)
        return
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        yield str(path), None, f"oversize file: {size} bytes > limit {settings.max_file_bytes}"
        return
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, data)
    elif suffix == ".csv":
        yield from _read_csv(path, data)
    elif suffix in TEXT_SUFFIXES:
        yield _read_text_file(path, data, path.parent)
    else:
        yield str(path), None, f"unsupported file type {suffix or '(none)'}"


def accept_records(raws: Iterable[Raw], settings: Settings, n_read_offset: int = 0) -> IngestResult:
    """Validate raw records, reject bad and conflicting ones, and flag duplicates and language."""
    articles: list[Article] = []
    rejections: list[Rejection] = []
    seen: dict[str, tuple[str, str]] = {}  # id -> (text hash, record name)
    n_read = n_read_offset
    for name, fields, error in raws:
        n_read += 1
        if error is not None or fields is None:
            rejections.append(Rejection(name, error or "unreadable record"))
            continue
        try:
            article = build_article(fields, settings.max_chars)
        except RecordError as exc:
            ident = fields.get("id") if isinstance(fields, Mapping) else None
            rejections.append(Rejection(name, str(exc), str(ident) if ident else None))
            continue
        h = text_hash(article.text)
        if article.id in seen:
            prev_hash, prev_name = seen[article.id]
            if prev_hash == h:
                rejections.append(
                    Rejection(
                        name, f"repeat of record {prev_name} (same id, same text)", article.id
                    )
                )
            else:
                rejections.append(
                    Rejection(
                        name,
                        f"duplicate id {article.id!r} with different text (first at {prev_name})",
                        article.id,
                    )
                )
            continue
        seen[article.id] = (h, name)
        articles.append(article)
    flags: list[Flag] = []
    for a in articles:
        declared = (a.language or "").lower()
        if declared and not declared.startswith("en"):
            flags.append(
                Flag(a.id, "non_english", f"declared language {a.language!r}; analysed as English")
            )
        elif english_ratio(a.text) < settings.min_english_ratio:
            flags.append(
                Flag(
                    a.id,
                    "non_english",
                    f"few English function words ({english_ratio(a.text):.2f}); analysed as English",
                )
            )
    flags.extend(find_duplicates(articles, settings.near_duplicate_threshold))
    return IngestResult(tuple(articles), tuple(rejections), tuple(flags), n_read)


def load_articles(paths: Sequence[str | Path], settings: Settings | None = None) -> IngestResult:
    """Read every input path and account for every record: accepted, flagged or rejected."""
    settings = settings or Settings()
    raws: list[Raw] = []
    for p in paths:
        raws.extend(iter_records(Path(p), settings))
    return accept_records(raws, settings)


def load_records(
    records: Iterable[Mapping[str, Any]], settings: Settings | None = None, origin: str = "record"
) -> IngestResult:
    """Validate in-memory records (dicts), e.g. from a notebook or the dashboard."""
    settings = settings or Settings()
    raws = ((f"{origin}:{i + 1}", dict(r), None) for i, r in enumerate(records))
    return accept_records(raws, settings)
