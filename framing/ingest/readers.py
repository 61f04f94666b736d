"""Readers for JSONL, CSV and folders of .txt/.md/.html files.

Every record read ends up either as an Article or as a Rejection naming the record
(``file:line`` for JSONL and CSV, the file path for a folder's files) and the reason; reading
always goes on with the next record. Records are decoded one at a time, so an invalid byte, a
line that is not JSON, JSON nested too deeply or a field of the wrong type rejects that record
only. What the validation cleans or refuses is described in ``framing.ingest.validation``.

Encodings: UTF-8, with or without a byte-order mark; UTF-16 and UTF-32 files that start with
their byte-order mark are transcoded, and so is UTF-16 without one (recognised by the NUL byte in
every other position that ASCII characters have in it). Bytes that are not UTF-8 reject their
record; where they read as Windows-1252 text the reason says how to re-save the file. Line
endings LF, CRLF and CR are all read.

CSV: the delimiter (``,`` ``;`` tab or ``|``) is read off the header line; a header without an
``id``, ``outlet`` or ``text`` column rejects each row with one reason that names the missing
column and the columns found.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from framing.ingest.dedupe import find_duplicates, text_hash
from framing.ingest.language import decide_language
from framing.ingest.validation import (
    MAX_DEPTH,
    REQUIRED,
    RecordError,
    clean_string,
    is_blank,
    safe_text,
    validate_record,
)
from framing.models import Article, Flag, IngestResult, Rejection
from framing.settings import Settings

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv")
_HTML_SUFFIXES = (".html", ".htm")
#: Said of a table file (JSONL/CSV) that could not be read at all.
WHOLE_FILE = "whole file rejected, counted as one record; the records in it were not counted"
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what errors="surrogateescape" makes of bad bytes
#: Said of bytes that are not UTF-8 but read as Windows-1252 (a superset of Latin-1's letters).
CP1252_HINT = "looks like Windows-1252/Latin-1: re-save as UTF-8, e.g. iconv -f cp1252 -t utf-8"
# Characters that text in Windows-1252 does not hold; binary data does.
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Delimiters a CSV file may use; anything else is read as a comma-separated file.
CSV_DELIMITERS = ",;\t|"
_FIRST_LINE = re.compile(r"[^\r\n]*\S[^\r\n]*")
_FIELD_NAME = re.compile(r"\b(?:id|outlet|text)\b", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class RawRecord(NamedTuple):
    """One record as read: its name, its fields or the error that stopped it."""

    name: str
    fields: Mapping[str, Any] | None
    error: str | None


Raw = RawRecord


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` looks like UTF-16 without a byte-order mark.

    In UTF-16 every ASCII character (markup, digits, spaces, a CSV header, JSON keys) has a NUL
    byte beside it, always on the same side; UTF-8 text and random bytes have almost none.
    """
    sample = data[:4096]
    pairs = len(sample) // 2
    even = sample[0 : 2 * pairs : 2].count(0)
    odd = sample[1 : 2 * pairs : 2].count(0)
    need = max(4, pairs // 8)
    if odd >= need and even * 8 <= odd:
        return "utf-16-le"
    if even >= need and odd * 8 <= even:
        return "utf-16-be"
    return None


def _utf8(data: bytes, table: bool = False) -> bytes:
    """``data`` as UTF-8 without a byte-order mark (UTF-16/32 with a BOM are transcoded).

    UTF-16 without a BOM is transcoded too; a table (JSONL/CSV) is taken for one only when it
    also names ``id``, ``outlet`` or ``text`` once read so, so a UTF-8 table with stray NUL
    bytes keeps its lines and its count.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).encode("utf-8")
            except UnicodeError as exc:
                raise RecordError(f"undecodable bytes ({codec.upper()} with errors)") from exc
    codec16 = _utf16_without_bom(data)
    if codec16 is None:
        return data
    if table and not _FIELD_NAME.search(data[:4096].decode(codec16, errors="replace")):
        return data
    try:
        return data.decode(codec16).encode("utf-8")
    except UnicodeError as exc:
        raise RecordError(
            f"looks like {codec16.upper()} without a byte-order mark, but cannot be read as "
            "such; save the file as UTF-8"
        ) from exc


def encoding_hint(data: bytes) -> str:
    """``"; looks like Windows-1252/Latin-1: …"`` when bytes that are not UTF-8 read as
    Windows-1252 text, else ``""``."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are not Windows-1252
        return ""
    return "" if _BINARY.search(text) else f"; {CP1252_HINT}"


def _decode(data: bytes) -> str:
    """Strict UTF-8 text of one record, or RecordError naming the first bad byte.

    When the record reads as Windows-1252 the reason says so (and how to re-save the file)
    instead of naming the byte, so that every such record of a file gives the same reason.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = encoding_hint(data)
        if hint:
            raise RecordError(f"undecodable bytes (not UTF-8){hint}") from exc
        raise RecordError(f"undecodable bytes (not UTF-8) at byte {exc.start}") from exc


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise RecordError(f"field {safe_text(key)!r} given twice")
        obj[key] = value
    return obj


def parse_json(text: str) -> Any:
    """Parse one JSON value, or raise RecordError with a reason a user understands.

    Raw control characters inside strings are tolerated here (validation removes them); a key
    given twice in one object, nesting deeper than Python can parse and integers beyond
    Python's digit limit are refused.
    """
    try:
        return json.loads(text, strict=False, object_pairs_hook=_object)
    except RecordError:
        raise
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise RecordError(
            f"nested too deeply (more than {MAX_DEPTH} levels of lists/objects)"
        ) from exc
    except ValueError as exc:  # int beyond sys.get_int_max_str_digits()
        raise RecordError("not JSON that can be read (a number with too many digits)") from exc


def _lines(data: bytes) -> list[bytes]:
    """Lines split on LF (a trailing CR dropped), or on CR when the file has no LF."""
    sep = b"\r" if b"\r" in data and b"\n" not in data else b"\n"
    return [line.removesuffix(b"\r") for line in data.split(sep)]


def _read_jsonl(path: Path, data: bytes) -> Iterator[RawRecord]:
    try:
        data = _utf8(data, table=True)
    except RecordError as exc:
        yield RawRecord(str(path), None, f"{exc}; {WHOLE_FILE}")
        return
    for lineno, line in enumerate(_lines(data), start=1):
        name = f"{path}:{lineno}"
        line = line.removeprefix(codecs.BOM_UTF8)  # files joined with cat keep their BOMs
        if not line.strip():
            continue
        try:
            obj = parse_json(_decode(line))
        except RecordError as exc:
            yield RawRecord(name, None, str(exc))
            continue
        if not isinstance(obj, dict):
            yield RawRecord(name, None, f"not a JSON object but {type(obj).__name__}")
            continue
        yield RawRecord(name, obj, None)


def _raise_field_limit(limit: int) -> None:
    """Let the csv module read any field a file under ``limit`` bytes can hold.

    Python's default (131,072 characters) would stop the whole file at one long field; the
    article-size limit is applied per record by the validation instead.
    """
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def _undecodable_reason(where: str, cells: Iterable[str]) -> str:
    """``undecodable bytes (not UTF-8) in …``, with the Windows-1252 hint where it applies."""
    raw = "".join(cells).encode("utf-8", errors="surrogateescape")
    return f"undecodable bytes (not UTF-8) {where}{encoding_hint(raw)}"


def _header(row: list[str]) -> tuple[list[str], str | None]:
    """Column names of a CSV header (blank ones named by position) and a problem, if any."""
    names = [cell.strip() or f"column {i + 1}" for i, cell in enumerate(row)]
    if any(_UNDECODABLE.search(n) for n in names):
        raw = "".join(names).encode("utf-8", errors="surrogateescape")
        return names, ("the CSV header has undecodable bytes (not UTF-8), so no row can be read"
                       + encoding_hint(raw))
    for n in names:
        if names.count(n) > 1:
            return names, f"the CSV header names column {n!r} twice, so no row can be read"
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        return names, _missing_columns(missing, names)
    return names, None


def _quoted_list(names: Sequence[str], last: str) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"


def _missing_columns(missing: Sequence[str], names: Sequence[str], most: int = 20) -> str:
    """The reason every row of a CSV without a required column is rejected.

    It names the missing columns, lists the columns found (the first ``most``), and points out a
    column whose name differs only in case or spaces.
    """
    shown = [n if len(n) <= 40 else n[:39] + "…" for n in names[:most]]
    found = ", ".join(shown) + (f", … ({len(names)} in all)" if len(names) > most else "")
    fix = (f"rename a column to {missing[0]!r} or add one" if len(missing) == 1
           else f"rename columns to {_quoted_list(missing, 'and')} or add them")
    near = [f"{n!r} is not {m!r}" for m in missing for n in names
            if n.casefold().replace(" ", "") == m]
    case = f" (names are case-sensitive: {', '.join(near)})" if near else ""
    return f"no {_quoted_list(missing, 'or')} column (columns found: {found}); {fix}{case}"


def _sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV file (``,`` ``;`` tab or ``|``), read off its header line.

    A delimiter that splits the header into ``id``, ``outlet`` and ``text`` wins; otherwise
    ``csv.Sniffer`` decides, and a header it cannot read (one column) is comma-separated.
    """
    match = _FIRST_LINE.search(text)
    if match is None:
        return ","
    line = match.group()
    for delimiter in CSV_DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if set(REQUIRED) <= {c.strip() for c in cells}:
            return delimiter
    try:
        found = csv.Sniffer().sniff(line, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","
    return found if found in CSV_DELIMITERS else ","


def _read_csv(path: Path, data: bytes, settings: Settings) -> Iterator[RawRecord]:
    try:
        data = _utf8(data, table=True)
    except RecordError as exc:
        yield RawRecord(str(path), None, f"{exc}; {WHOLE_FILE}")
        return
    # Decoding the file with surrogateescape keeps rows apart: a bad byte becomes a marker in
    # the field that holds it, and only that row is rejected.
    text = data.decode("utf-8", errors="surrogateescape")
    _raise_field_limit(max(settings.max_file_bytes, settings.max_chars) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    header: list[str] | None = None
    problem: str | None = None
    last = 0
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            last = reader.line_num
            yield RawRecord(f"{path}:{start}", None, f"not readable as CSV ({exc})")
            continue
        last = reader.line_num
        if not row:
            continue
        if header is None:
            header, problem = _header(row)
            continue
        name = f"{path}:{start}"
        if problem is not None:
            yield RawRecord(name, None, problem)
            continue
        bad = [header[i] if i < len(header) else f"column {i + 1}"
               for i, cell in enumerate(row) if _UNDECODABLE.search(cell)]
        if bad:
            yield RawRecord(name, None, _undecodable_reason(f"in {', '.join(bad)}", row))
            continue
        if len(row) > len(header):
            yield RawRecord(name, None, "more fields than the header names")
            continue
        yield RawRecord(name, dict(zip(header, row, strict=False)), None)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split simple ``key: value`` front matter fenced by ``---`` lines from the body.

    Line endings are expected as LF (the folder reader normalises CRLF and CR first).
    """
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


def _sidecar_candidates(path: Path) -> tuple[Path, Path]:
    return path.with_suffix(path.suffix + ".json"), path.with_suffix(".json")


def _read_text_file(path: Path, data: bytes, root: Path) -> RawRecord:
    name = str(path)
    try:
        text = _decode(_utf8(data))
    except RecordError as exc:
        return RawRecord(name, None, str(exc))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta: dict[str, Any] = {}
    sidecar = next((s for s in _sidecar_candidates(path) if s.is_file()), None)
    if sidecar is not None:
        try:
            loaded = parse_json(_decode(_utf8(sidecar.read_bytes())))
        except RecordError as exc:
            return RawRecord(name, None, f"sidecar {sidecar.name}: {exc}")
        except OSError as exc:
            return RawRecord(name, None, f"sidecar {sidecar.name} cannot be read ({exc.strerror})")
        if not isinstance(loaded, dict):
            return RawRecord(name, None, f"sidecar {sidecar.name} is not a JSON object")
        meta.update(loaded)
    if path.suffix.lower() in _HTML_SUFFIXES:
        # lxml refuses NUL and other control characters; they are markup noise, not text.
        try:
            body, html_meta = html_to_text(clean_string(text)[0])
        except Exception as exc:  # noqa: BLE001 - a parser failure on one page rejects that page
            return RawRecord(name, None, f"HTML page cannot be read ({type(exc).__name__})")
        if is_blank(body):
            return RawRecord(name, None, "empty text (no article text found in the HTML page)")
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
    if meta.get("outlet") is None:
        return RawRecord(name, None, TEXT_WITHOUT_OUTLET)
    meta["text"] = body
    return RawRecord(name, meta, None)


#: Why a .txt/.md/.html file that names no outlet is rejected, and how to name one (the CSV
#: reader's missing-column reason says the same of tables).
TEXT_WITHOUT_OUTLET = (
    "no outlet: a text file names its outlet in front matter (an 'outlet: Name' line between "
    "'---' lines at the top), in a sidecar .json file of the same name ({\"outlet\": \"Name\"}) or "
    "by its folder (corpus/<outlet>/<article>.txt); a table of articles needs a .csv or .jsonl "
    "file with 'id', 'outlet' and 'text' columns"
)


def whole_file_reason(path: Path, reason: str) -> str:
    """The reason for rejecting a file whole, saying how it was counted."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        return f"{reason}; {WHOLE_FILE}"
    return f"{reason} (whole file rejected, counted as one record)"


def _read_file(path: Path, settings: Settings, root: Path) -> Iterator[RawRecord]:
    """Raw records of one file."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + TABLE_SUFFIXES:
        reason = f"unsupported file type {suffix or '(none)'}"
        yield RawRecord(str(path), None, whole_file_reason(path, reason))
        return
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            reason = f"oversize file: {size} bytes > limit {settings.max_file_bytes}"
            yield RawRecord(str(path), None, whole_file_reason(path, reason))
            return
        data = path.read_bytes()
    except OSError as exc:
        reason = f"file cannot be read ({exc.strerror or type(exc).__name__})"
        yield RawRecord(str(path), None, whole_file_reason(path, reason))
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, data)
    elif suffix == ".csv":
        yield from _read_csv(path, data, settings)
    else:
        yield _read_text_file(path, data, root)


def _read_folder(root: Path, settings: Settings) -> Iterator[RawRecord]:
    """Raw records of a folder: its tables, its text files, and every other file rejected.

    A ``.json`` file is read only as the sidecar of a text file; hidden files (and files in
    hidden folders) of other types are passed over.
    """
    try:
        paths = sorted(p for p in root.rglob("*") if p.is_file())
    except OSError as exc:
        yield RawRecord(str(root), None, f"folder cannot be listed ({exc.strerror})")
        return
    texts = [p for p in paths if p.suffix.lower() in TEXT_SUFFIXES]
    tables = [p for p in paths if p.suffix.lower() in TABLE_SUFFIXES]
    sidecars = {s for p in texts for s in _sidecar_candidates(p)}
    for p in tables + texts:
        yield from _read_file(p, settings, root)
    for p in paths:
        if p.suffix.lower() in TEXT_SUFFIXES + TABLE_SUFFIXES or p in sidecars:
            continue
        if any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        if p.suffix.lower() == ".json":
            reason = ("a .json file is read only as the sidecar of a .txt/.md/.html file of the "
                      "same name, and there is none; put records in .jsonl or .csv")
            yield RawRecord(str(p), None, whole_file_reason(p, reason))
        else:
            yield from _read_file(p, settings, root)


def iter_records(path: Path, settings: Settings) -> Iterator[RawRecord]:
    """Raw records of one input path (file or folder)."""
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        yield RawRecord(safe_text(str(path)), None, f"path cannot be read ({exc})")
        return
    if not exists:
        yield RawRecord(str(path), None, "no such file or folder")
    elif is_dir:
        yield from _read_folder(path, settings)
    else:
        yield from _read_file(path, settings, path.parent)


def _rejected_id(fields: Mapping[str, Any] | None) -> str | None:
    ident = fields.get("id") if isinstance(fields, Mapping) else None
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        return None
    try:
        text = safe_text(str(ident)).strip()
    except ValueError:  # an int beyond Python's digit limit
        return None
    return text[:200] or None


def _rejection(name: str, reason: str, ident: str | None = None) -> Rejection:
    """A Rejection whose strings can always be encoded and written."""
    return Rejection(safe_text(name), safe_text(reason), ident)


def accept_records(
    raws: Iterable[RawRecord | tuple[str, Mapping[str, Any] | None, str | None]],
    settings: Settings,
    n_read_offset: int = 0,
) -> IngestResult:
    """Validate raw records, reject bad and conflicting ones and those not in English (see
    :mod:`framing.ingest.language`), and flag duplicates.

    Every record counts once in ``n_read`` and ends up accepted or rejected, so
    ``n_read == len(articles) + len(rejections)`` (plus ``n_read_offset``).
    """
    articles: list[Article] = []
    rejections: list[Rejection] = []
    flags: list[Flag] = []
    seen: dict[str, tuple[str, str]] = {}  # id -> (text hash, record name)
    n_read = n_read_offset
    for name, fields, error in raws:
        n_read += 1
        if error is not None or fields is None:
            rejections.append(_rejection(name, error or "unreadable record"))
            continue
        try:
            article, notes = validate_record(fields, settings.max_chars)
        except RecordError as exc:
            rejections.append(_rejection(name, str(exc), _rejected_id(fields)))
            continue
        except Exception as exc:  # noqa: BLE001 - one record's surprise must not end the run
            reason = f"record cannot be read (internal error: {type(exc).__name__})"
            rejections.append(_rejection(name, reason, _rejected_id(fields)))
            continue
        h = text_hash(article.text)
        if article.id in seen:
            prev_hash, prev_name = seen[article.id]
            if prev_hash == h:
                reason = f"repeat of record {prev_name} (same id, same text)"
            else:
                reason = f"duplicate id {article.id!r} with different text (first at {prev_name})"
            rejections.append(_rejection(name, reason, article.id))
            continue
        seen[article.id] = (h, name)
        articles.append(article)
        flags.extend(Flag(article.id, "sanitized", note) for note in notes)
    kept: list[Article] = []
    for a in articles:
        decision = decide_language(a)
        if decision.flag is not None:
            flags.append(decision.flag)
        if decision.reason is None:
            kept.append(decision.article)
            continue
        b = decision.article
        rejections.append(Rejection(seen[b.id][1], decision.reason, b.id, b.outlet, b.language))
    kept_ids = {a.id for a in kept}
    articles = kept
    flags = [f for f in flags if f.article_id in kept_ids]
    flags.extend(find_duplicates(articles, settings.near_duplicate_threshold))
    return IngestResult(tuple(articles), tuple(rejections), tuple(flags), n_read)


def _read_path(path: str | Path, settings: Settings) -> list[RawRecord]:
    """Every raw record of one input path; a reader failure rejects the rest of that path."""
    raws: list[RawRecord] = []
    try:
        raws.extend(iter_records(Path(path), settings))
    except Exception as exc:  # noqa: BLE001 - a reader bug on one input must not lose the others
        last = raws[-1].name if raws else str(path)
        raws.append(
            RawRecord(
                str(path),
                None,
                f"reading stopped after {last} (internal error: {type(exc).__name__}); "
                "the rest of this input was not read or counted",
            )
        )
    return raws


def load_articles(paths: Sequence[str | Path], settings: Settings | None = None) -> IngestResult:
    """Read every input path and account for every record: accepted, flagged or rejected."""
    settings = settings or Settings()
    raws: list[RawRecord] = []
    for p in paths:
        raws.extend(_read_path(p, settings))
    return accept_records(raws, settings)


def load_records(
    records: Iterable[Any], settings: Settings | None = None, origin: str = "record"
) -> IngestResult:
    """Validate in-memory records (dicts), e.g. from a notebook or the dashboard."""
    settings = settings or Settings()
    raws = (
        RawRecord(f"{origin}:{i + 1}", r, None)
        if isinstance(r, Mapping)
        else RawRecord(f"{origin}:{i + 1}", None, f"not an object but {type(r).__name__}")
        for i, r in enumerate(records)
    )
    return accept_records(raws, settings)
