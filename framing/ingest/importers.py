"""Importers: URL lists, Media Cloud and GDELT exports and RSS/Atom feeds -> fetch targets.

Each importer reads its format, maps the fields it knows explicitly onto an article's fields
(the export's metadata takes precedence over what is extracted from the page later), and lists
the input fields it did not map. Every input record becomes one :class:`Target`; a record
without a usable URL becomes a target with its ``problem`` and is skipped with that reason, so
``fetch.json`` accounts for every record.

Formats (``--from``; ``auto`` picks one as below):

* ``urls`` - a text file with one URL a line (blank lines and ``#`` comments passed over), or a
  CSV with a ``url`` column (``id``, ``outlet``, ``title``, ``published``, ``language``,
  ``event``, ``group`` columns are used too).
* ``mediacloud`` - a Media Cloud story-list CSV (``id, indexed_date, language, media_name,
  media_url, publish_date, title, url``).
* ``gdelt`` - a GDELT 2.x GKG file (tab-separated; ``DocumentIdentifier``, ``SourceCommonName``,
  ``DATE``; with a header, or headerless with the codebook's 27 columns) or an events export
  (``SOURCEURL``, the last column; ``DATEADDED``). Each URL is fetched once however many events
  name it.
* ``rss`` - an RSS or Atom feed, from a file or fetched from a URL by the polite fetcher (the
  same deadline and the same refusal of non-public addresses as every page). An
  entry whose content holds at least ``FULL_CONTENT_MIN_CHARS`` characters of text becomes an
  article directly; the others are fetched from their link.

``auto``: a source starting ``http://`` or ``https://`` is a feed; so is a file ending
``.rss``, ``.atom`` or ``.xml`` or starting with ``<``; a tab-separated file naming
``DocumentIdentifier`` or ``SOURCEURL`` (or headerless with 27, 58 or 61 columns) is GDELT; a
CSV naming ``media_name`` and ``url`` is Media Cloud; anything else is a URL list.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from framing.ingest.fetch import (
    FEED_TYPES,
    FetchError,
    FetchReport,
    FetchSettings,
    InputInfo,
    PoliteFetcher,
    Target,
    fetch_targets,
)
from framing.ingest.validation import clean_string

FORMATS = ("auto", "urls", "mediacloud", "gdelt", "rss")
#: A feed entry's content is the full article when its text is at least this long; shorter
#: content is a teaser, and the entry's link is fetched instead.
FULL_CONTENT_MIN_CHARS = 400

#: Columns of a URL-list CSV, as they are named in an article.
URL_CSV_FIELDS = {name: name for name in
                  ("url", "id", "outlet", "title", "published", "language", "event", "group")}
#: Media Cloud story-list columns -> article fields (``media_url`` kept as metadata).
MEDIACLOUD_FIELDS = {"url": "url", "id": "id", "media_name": "outlet",
                     "publish_date": "published", "title": "title", "language": "language",
                     "media_url": "media_url"}
#: GDELT GKG 2.1 columns in the codebook's order (headerless daily files).
GKG_COLUMNS = (
    "GKGRECORDID", "DATE", "SourceCollectionIdentifier", "SourceCommonName",
    "DocumentIdentifier", "Counts", "V2Counts", "Themes", "V2Themes", "Locations",
    "V2Locations", "Persons", "V2Persons", "Organizations", "V2Organizations", "V2Tone", "Dates",
    "GCAM", "SharingImage", "RelatedImages", "SocialImageEmbeds", "SocialVideoEmbeds",
    "Quotations", "AllNames", "Amounts", "TranslationInfo", "Extras",
)
#: GKG columns (names normalised, see ``_norm``) -> article fields.
GKG_FIELDS = {"documentidentifier": "url", "sourcecommonname": "outlet", "date": "published",
              "gkgrecordid": "gdelt_record_id"}
#: Events export columns (normalised) -> article fields.
EVENT_FIELDS = {"sourceurl": "url", "dateadded": "published", "globaleventid": "gdelt_event_id"}
_GDELT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$")


@dataclass(frozen=True)
class Imported:
    """The targets an input yields and how its fields were mapped."""

    targets: tuple[Target, ...]
    info: InputInfo


class ImportProblem(ValueError):
    """An input that cannot be imported at all; the message says why."""


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"{path}: undecodable bytes (not UTF-8) at byte {exc.start}; "
                            "save the file as UTF-8") from exc
    return clean_string(text)[0]


def _norm(name: str) -> str:
    """A column name compared loosely: lower case, no ``V2``/``V2.1`` prefix, letters only."""
    lowered = name.strip().lower()
    lowered = re.sub(r"^v2(?:\.1)?", "", lowered)
    return re.sub(r"[^a-z0-9]", "", lowered)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _rows(text: str, delimiter: str, quoted: bool = True) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((start, row))
        start = reader.line_num + 1
    return rows


def _mapped_targets(
    path: Path, fmt: str, text: str, fields: Mapping[str, str], *, url_field: str = "url",
    convert: Mapping[str, Callable[[str], str | None]] | None = None,
    quoted: bool = True,
) -> Imported:
    """Targets of a table with a header whose columns ``fields`` maps (by normalised name)."""
    delimiter = _delimiter(_first_line(text))
    rows = _rows(text, delimiter, quoted)
    if not rows:
        return Imported((), InputInfo(str(path), fmt, 0))
    header = [c.strip() for c in rows[0][1]]
    wanted = {_norm(k): v for k, v in fields.items()}
    columns = {i: wanted[_norm(name)] for i, name in enumerate(header) if _norm(name) in wanted}
    if url_field not in columns.values():
        raise ImportProblem(f"{path}: no {url_field!r} column (columns found: "
                            f"{', '.join(header)})")
    mapped = {header[i]: field for i, field in columns.items()}
    unmapped = tuple(name for i, name in enumerate(header) if i not in columns)
    targets = [_row_target(f"{path}:{line}", row, header, columns, url_field, convert or {})
               for line, row in rows[1:]]
    return Imported(tuple(targets), InputInfo(str(path), fmt, len(targets), mapped, unmapped))


def _row_target(record: str, row: Sequence[str], header: Sequence[str],
                columns: Mapping[int, str], url_field: str,
                convert: Mapping[str, Callable[[str], str | None]]) -> Target:
    if len(row) > len(header):
        return Target("", record, problem="more fields than the header names")
    meta: dict[str, Any] = {}
    for i, field in columns.items():
        value = row[i].strip() if i < len(row) else ""
        if field in convert and value:
            converted = convert[field](value)
            value = converted if converted is not None else value
        if value:
            meta[field] = value
    url = str(meta.pop(url_field, ""))
    if not url:
        return Target("", record, problem=f"no URL in the {url_field!r} column")
    return Target(url, record, meta)


def gdelt_date(value: str) -> str | None:
    """``20260503101500`` -> ``2026-05-03T10:15:00Z``; ``20260503`` -> ``2026-05-03``."""
    match = _GDELT_DATE.match(value.strip())
    if not match:
        return None
    y, m, d, hh, mm, ss = match.groups()
    return f"{y}-{m}-{d}" if hh is None else f"{y}-{m}-{d}T{hh}:{mm}:{ss}Z"


# -- the formats ---------------------------------------------------------------------------

def read_url_list(path: str | Path) -> Imported:
    """A text file of URLs (one a line) or a CSV with a ``url`` column."""
    path = Path(path)
    text = _read_text(path)
    first = _first_line(text)
    cells = {_norm(c) for c in re.split(r"[,;\t]", first)}
    if "url" in cells and not first.strip().lower().startswith(("http://", "https://")):
        return _mapped_targets(path, "urls", text, URL_CSV_FIELDS)
    targets = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        targets.append(Target(line, f"{path}:{lineno}"))
    return Imported(tuple(targets), InputInfo(str(path), "urls", len(targets), {"line": "url"}))


def read_mediacloud(path: str | Path) -> Imported:
    """A Media Cloud story-list CSV: ``media_name`` is the outlet, ``publish_date`` the date."""
    path = Path(path)
    return _mapped_targets(path, "mediacloud", _read_text(path), MEDIACLOUD_FIELDS)


def read_gdelt(path: str | Path) -> Imported:
    """A GDELT GKG file or events export (with a header, or headerless by the codebook)."""
    path = Path(path)
    text = _read_text(path)
    first = _first_line(text)
    names = {_norm(c) for c in re.split(r"[,\t]", first)}
    convert = {"published": gdelt_date}
    # GDELT fields hold bare quotation marks (GKG Quotations): no CSV quoting.
    if "documentidentifier" in names:
        return _mapped_targets(path, "gdelt-gkg", text, GKG_FIELDS, convert=convert,
                               quoted=False)
    if "sourceurl" in names:
        return _mapped_targets(path, "gdelt-events", text, EVENT_FIELDS, convert=convert,
                               quoted=False)
    rows = _rows(text, "\t", quoted=False)
    width = len(rows[0][1]) if rows else 0
    if width == len(GKG_COLUMNS):
        columns = {1: "published", 3: "outlet", 4: "url", 0: "gdelt_record_id"}
        labels = {i: GKG_COLUMNS[i] for i in columns}
        fmt = "gdelt-gkg"
    elif width in (58, 61):
        # GDELT 1.0 events (58 columns): DATEADDED is column 57; 2.0 (61): column 60.
        added = 56 if width == 58 else 59
        columns = {width - 1: "url", added: "published", 0: "gdelt_event_id"}
        labels = {width - 1: "SOURCEURL", added: "DATEADDED", 0: "GLOBALEVENTID"}
        fmt = "gdelt-events"
    else:
        raise ImportProblem(
            f"{path}: not a GDELT file this tool knows: no DocumentIdentifier or SOURCEURL "
            f"column, and {width} tab-separated columns (a GKG file has 27, an events export "
            "58 or 61)")
    header = [f"column {i + 1}" for i in range(width)]
    targets = [_row_target(f"{path}:{line}", row, header, columns, "url", convert)
               for line, row in rows]
    mapped = {f"column {i + 1} ({labels[i]})": field for i, field in sorted(columns.items())}
    unmapped = tuple(h for i, h in enumerate(header) if i not in columns)
    notes = (f"headerless {fmt} file: columns taken from the GDELT codebook by position",)
    return Imported(tuple(targets),
                    InputInfo(str(path), fmt, len(targets), mapped, unmapped, notes))


class _HTMLText(HTMLParser):
    """Text of an HTML fragment (a feed entry's content): block elements become line breaks."""

    BLOCKS = frozenset("p div br li h1 h2 h3 h4 h5 h6 blockquote tr section article".split())
    SKIP = frozenset({"script", "style", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph a line."""
    parser = _HTMLText()
    parser.feed(fragment)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip()
             for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


#: Feed entry keys -> article fields (``content`` is the full text when long enough).
FEED_FIELDS = {"link": "url", "title": "title", "published": "published",
               "updated": "published (when no published)", "author": "author",
               "id": "guid", "content": "text (full content)"}
_FEED_DERIVED = ("_detail", "_parsed")
_FEED_IGNORED = frozenset({"links", "guidislink", "authors"})


def _feed_date(entry: Mapping[str, Any]) -> str | None:
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
        if entry.get(key):
            return str(entry[key])
    return None


def read_feed(data: bytes, origin: str) -> Imported:
    """An RSS or Atom feed (its bytes); ``origin`` names it (a path or URL)."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        raise ImportProblem(f"{origin}: not an RSS or Atom feed"
                            + (f" ({type(problem).__name__}: {problem})" if problem else ""))
    feed = parsed.feed
    outlet = clean_string(str(feed.get("title") or ""))[0].strip() or None
    language = str(feed.get("language") or "").split("-")[0].strip().lower() or None
    targets: list[Target] = []
    unmapped: dict[str, None] = {}
    for n, entry in enumerate(parsed.entries, start=1):
        record = f"{origin}#entry{n}"
        for key in entry:
            if (key not in FEED_FIELDS and key not in _FEED_IGNORED
                    and not key.endswith(_FEED_DERIVED)):
                unmapped[key] = None
        meta: dict[str, Any] = {"outlet": outlet, "language": language,
                                "title": entry.get("title"), "published": _feed_date(entry),
                                "author": entry.get("author"), "guid": entry.get("id")}
        meta = {k: clean_string(str(v))[0].strip() for k, v in meta.items() if v}
        link = str(entry.get("link") or "").strip()
        if not link:
            targets.append(Target("", record, problem="feed entry without a link"))
            continue
        content = None
        for part in entry.get("content") or []:
            text = html_fragment_text(str(part.get("value") or ""))
            if len(text) >= FULL_CONTENT_MIN_CHARS:
                content = text
                break
        targets.append(Target(link, record, meta, content=content))
    mapped = {key: field for key, field in FEED_FIELDS.items()}
    mapped["feed title"] = "outlet"
    mapped["feed language"] = "language"
    notes = (f"{sum(t.content is not None for t in targets)} entries with full content became "
             f"articles directly (at least {FULL_CONTENT_MIN_CHARS} characters of text); the "
             "others are fetched from their link",)
    return Imported(tuple(targets), InputInfo(origin, "rss", len(targets), mapped,
                                              tuple(sorted(unmapped)), notes))


# -- choosing and running ------------------------------------------------------------------

def detect_format(source: str) -> str:
    """The format of a source (see the module's docstring for the rules)."""
    if source.lower().startswith(("http://", "https://")):
        return "rss"
    path = Path(source)
    if path.suffix.lower() in (".rss", ".atom", ".xml"):
        return "rss"
    text = _read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "rss"
    first = _first_line(text)
    names = {_norm(c) for c in re.split(r"[,;\t]", first)}
    if names & {"documentidentifier", "sourceurl"}:
        return "gdelt"
    if "\t" in first and len(first.split("\t")) in (len(GKG_COLUMNS), 58, 61):
        return "gdelt"
    if {"medianame", "url"} <= names:
        return "mediacloud"
    return "urls"


def import_source(source: str, fmt: str = "auto",
                  fetcher: PoliteFetcher | None = None) -> Imported:
    """Read ``source`` (a file, or a feed URL) in format ``fmt`` into targets."""
    if fmt not in FORMATS:
        raise ImportProblem(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "auto":
        fmt = detect_format(source)
    is_url = source.lower().startswith(("http://", "https://"))
    if is_url and fmt != "rss":
        raise ImportProblem(f"{source}: only a feed (--from rss) can be read from a URL")
    if fmt == "rss":
        if is_url:
            fetcher = fetcher or PoliteFetcher()
            try:
                if not fetcher.allowed(source):
                    raise ImportProblem(f"{source}: disallowed by robots.txt")
                data = fetcher.get(source, accept=FEED_TYPES).body
            except FetchError as exc:
                # refused by the target policy (private address, not http(s)) or not fetched
                raise ImportProblem(f"{source}: the feed cannot be fetched: {exc.reason}") from exc
            return read_feed(data, source)
        try:
            return read_feed(Path(source).read_bytes(), source)
        except OSError as exc:
            raise ImportProblem(f"{source}: cannot be read ({exc.strerror or exc})") from exc
    reader = {"urls": read_url_list, "mediacloud": read_mediacloud, "gdelt": read_gdelt}[fmt]
    return reader(source)


def describe_import(info: InputInfo) -> list[str]:
    """What was read and how its fields were mapped, as lines for the user."""
    lines = [f"{info.path}: {info.records} records read as {info.format}"]
    if info.mapped:
        lines.append("  mapped: " + ", ".join(f"{k} -> {v}" for k, v in info.mapped.items()))
    lines.append("  unmapped: " + (", ".join(info.unmapped) if info.unmapped else "(none)"))
    lines.extend(f"  note: {note}" for note in info.notes)
    return lines


def fetch_corpus(
    source: str,
    out: str | Path,
    fmt: str = "auto",
    settings: FetchSettings | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    fetcher: PoliteFetcher | None = None,
) -> FetchReport:
    """Import ``source`` and fetch its URLs into ``out`` (``articles.jsonl``, ``fetch.json``).

    A feed URL and every page are fetched by ``fetcher`` (by default a :class:`PoliteFetcher`
    of ``settings``: loopback, private and link-local addresses refused unless
    ``settings.allow_private``). Raises :class:`ImportProblem` when the source cannot be read
    at all.
    """
    settings = settings or FetchSettings()
    fetcher = fetcher or PoliteFetcher(settings)
    imported = import_source(source, fmt, fetcher)
    if progress is not None:
        for line in describe_import(imported.info):
            progress(line)
    return fetch_targets(imported.targets, out, settings, input_info=imported.info,
                         fetcher=fetcher, progress=progress)
