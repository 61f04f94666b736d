"""Fetch news pages politely and turn them into articles ``framing analyze`` reads.

``fetch_targets`` takes URLs (with any metadata an export already holds) and writes into an
output folder:

* ``articles.jsonl`` - one article per page whose main text was found (fields ``id``, ``outlet``,
  ``title``, ``text``, ``published``, ``url``, ``language``), each validated as the readers
  validate it, so the file is read without rejections;
* ``fetch.json`` - every URL accounted for: ``fetched``, ``skipped`` or ``failed``, each with
  its reason, the input records it came from, the counts, the settings and the tool version;
* ``cache/`` - the raw HTML of every page fetched, named by the SHA-256 of its URL, so that a
  second run only asks the servers for what is still missing.

Politeness by default: at most one request per second to a host (``delay``; a longer
``Crawl-delay`` in robots.txt wins), robots.txt honoured (a robots.txt that cannot be fetched,
or answers 4xx, allows everything - ``fetch.json`` says which), a User-Agent naming the tool and
its version, a timeout on every request, retries with exponential backoff on timeouts, 5xx and
429 (``Retry-After`` respected, up to ``max_retry_after``), a cap on the response size, and only
HTML accepted. Redirects are followed - each hop asks robots.txt and waits for its host's turn -
and the final URL is recorded. Hosts are visited in turn
(round robin), so one slow host does not hold up the others more than its delay requires.

Main text and metadata come from trafilatura (Barbaresi 2021) run on the HTML string; it never
downloads anything itself. ``language`` is the primary subtag of ``<html lang>`` when a page
declares one (language identification proper is not done here).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from framing import __version__
from framing.ingest.validation import RecordError, clean_string, is_blank, validate_record

#: The User-Agent every request sends (robots.txt rules for ``framing`` apply to it).
USER_AGENT = f"framing/{__version__} (news framing research tool; polite fetcher)"
#: Content types accepted as a web page.
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Content types accepted as a feed (RSS/Atom), for importers fetching a feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "text/html")
_ROBOTS_MAX_BYTES = 512_000
_CHUNK = 65_536
_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9-]+)?",
                   re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)

Status = Literal["fetched", "skipped", "failed"]


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how patiently pages are fetched (all recorded in ``fetch.json``)."""

    #: Seconds between two requests to the same host (1.0: one request per second).
    delay: float = 1.0
    #: Seconds a request may wait for the server (connecting, and each read).
    timeout: float = 20.0
    #: Attempts after the first one on a timeout, a 5xx or a 429 answer.
    retries: int = 3
    #: First wait before a retry, in seconds; doubled on each further retry.
    backoff: float = 2.0
    #: Longest wait before a retry; a ``Retry-After`` asking for more fails the URL.
    max_retry_after: float = 120.0
    #: Largest response read, in bytes; a larger page fails (its download is stopped there).
    max_bytes: int = 5_000_000
    #: Honour robots.txt.
    robots: bool = True
    #: Sent with every request.
    user_agent: str = USER_AGENT
    #: Articles with longer text fail (the readers' limit, ``Settings.max_chars``).
    max_chars: int = 200_000
    #: A page whose main text is shorter than this (characters) has no article text: what is
    #: left of a navigation bar, a cookie wall or a paywall teaser.
    min_text_chars: int = 100

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Target:
    """One URL to fetch, where it came from, and what the input already says about it.

    ``metadata`` (``id``, ``outlet``, ``title``, ``published``, ``language`` and any other key)
    takes precedence over what is extracted from the page; ``content`` is text a feed already
    holds in full (no request is made); ``problem`` marks an input record that names no usable
    URL (it is skipped with that reason).
    """

    url: str
    record: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    content: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class UrlOutcome:
    """What became of one URL (all input records that named it are listed)."""

    url: str
    records: tuple[str, ...]
    status: Status
    reason: str | None = None
    final_url: str | None = None
    article_id: str | None = None
    #: ``network``, ``cache`` or ``feed`` for a fetched URL.
    source: str | None = None
    http_status: int | None = None
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class InputInfo:
    """What was read: the file, its format, and how its fields were mapped."""

    path: str
    format: str
    records: int
    mapped: Mapping[str, str] = field(default_factory=dict)
    unmapped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchReport:
    """The accounting of one fetch run (what ``fetch.json`` holds)."""

    outcomes: tuple[UrlOutcome, ...]
    settings: FetchSettings
    input: InputInfo | None = None
    robots: Mapping[str, str] = field(default_factory=dict)
    n_duplicates: int = 0

    def counts(self) -> dict[str, int]:
        """Records read, distinct URLs, how many were fetched (from the network, the cache or
        the feed itself), skipped or failed."""
        by = {s: sum(o.status == s for o in self.outcomes) for s in ("fetched", "skipped", "failed")}
        return {
            "records": sum(len(o.records) for o in self.outcomes),
            "urls": len(self.outcomes),
            "duplicates": self.n_duplicates,
            **by,
            **{f"from_{where}": sum(o.status == "fetched" and o.source == where
                                    for o in self.outcomes)
               for where in ("network", "cache", "feed")},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": "framing",
            "version": __version__,
            "input": None if self.input is None else {
                **asdict(self.input), "unmapped": list(self.input.unmapped),
                "notes": list(self.input.notes)},
            "settings": self.settings.to_dict(),
            "counts": self.counts(),
            "robots": dict(sorted(self.robots.items())),
            "urls": [o.to_dict() for o in self.outcomes],
        }

    def summary(self) -> str:
        c = self.counts()
        return (f"{c['records']} records, {c['urls']} URLs: fetched {c['fetched']} "
                f"({c['from_network']} from the network, {c['from_cache']} from the cache, "
                f"{c['from_feed']} from the feed), skipped {c['skipped']}, failed {c['failed']}"
                + (f"; records repeating a URL already listed: {c['duplicates']}"
                   if c["duplicates"] else ""))


class FetchError(Exception):
    """A URL that could not be fetched; the message is the reason recorded."""

    def __init__(self, reason: str, http_status: int | None = None, attempts: int = 0,
                 retry: bool = False, retry_after: float | None = None,
                 skip: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: The URL is skipped (robots.txt) rather than failed.
        self.skip = skip
        self.http_status = http_status
        self.attempts = attempts
        self.retry = retry
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    """A page as fetched (or read back from the cache)."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    attempts: int = 1


def normalize_url(url: str) -> str | None:
    """The URL without surrounding space and fragment, or None when it is not http(s)."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def host_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL (the unit of rate limits and robots.txt)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def url_key(url: str) -> str:
    """The cache key of a URL: the hex SHA-256 of its text."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _content_type(headers: Any) -> tuple[str, str | None]:
    raw = headers.get("Content-Type") or ""
    mime = raw.split(";")[0].strip().lower()
    charset = headers.get_content_charset() if hasattr(headers, "get_content_charset") else None
    return mime, charset


class _PoliteRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed as any request: robots.txt asked, the host's turn awaited."""

    def __init__(self, fetcher: PoliteFetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        request = super().redirect_request(req, fp, code, msg, headers, newurl)
        if request is not None:
            try:
                self.fetcher.before_redirect(request.full_url)
            except FetchError:
                fp.close()
                raise
        return request


class PoliteFetcher:
    """HTTP GET with per-host rate limits, robots.txt, retries and size and type checks.

    Holds the state a polite crawler needs across URLs: when each host was last asked and each
    host's robots.txt. ``requests_made`` counts every request sent (robots.txt included).
    """

    def __init__(self, settings: FetchSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or FetchSettings()
        self.sleep = sleep
        self.clock = clock
        # urllib's opener: redirects followed (up to 10) politely, HTTP errors raised.
        self.opener = urllib.request.build_opener(_PoliteRedirects(self))
        self.last_request_: dict[str, float] = {}
        self.robots_: dict[str, urllib.robotparser.RobotFileParser] = {}
        self.robots_notes_: dict[str, str] = {}
        self.requests_made_ = 0

    # -- politeness ------------------------------------------------------------------------
    def _delay_for(self, host: str) -> float:
        delay = self.settings.delay
        rp = self.robots_.get(host)
        if rp is not None:
            crawl = rp.crawl_delay(self.settings.user_agent)
            if crawl is not None:
                delay = max(delay, float(crawl))
        return delay

    def _wait_turn(self, host: str) -> None:
        last = self.last_request_.get(host)
        if last is not None:
            wait = last + self._delay_for(host) - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.last_request_[host] = self.clock()

    def _open(self, url: str) -> Any:
        self._wait_turn(host_of(url))
        self.requests_made_ += 1
        request = urllib.request.Request(url, headers={
            "User-Agent": self.settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        })
        return self.opener.open(request, timeout=self.settings.timeout)

    def before_redirect(self, url: str) -> None:
        """Ask robots.txt about a redirect's target and wait for its host's turn."""
        if not self.allowed(url):
            raise FetchError(f"redirected to {url}, which robots.txt of {host_of(url)} "
                             "disallows", skip=True)
        self._wait_turn(host_of(url))
        self.requests_made_ += 1

    def robots_note(self, host: str) -> str | None:
        """What robots.txt of ``host`` said (None when it was never needed)."""
        return self.robots_notes_.get(host)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets this tool fetch it (fetched once per host)."""
        if not self.settings.robots:
            return True
        host = host_of(url)
        if host not in self.robots_:
            self.robots_[host] = self._read_robots(host)
        return self.robots_[host].can_fetch(self.settings.user_agent, url)

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser:
        rp = urllib.robotparser.RobotFileParser(host + "/robots.txt")
        try:
            with self._open(host + "/robots.txt") as resp:
                body = resp.read(_ROBOTS_MAX_BYTES)
            rp.parse(body.decode("utf-8", errors="replace").splitlines())
            self.robots_notes_[host] = "robots.txt read; its rules are honoured"
        except urllib.error.HTTPError as exc:
            rp.parse([])  # no rules: everything allowed
            kind = "4xx" if 400 <= exc.code < 500 else "error"
            self.robots_notes_[host] = (
                f"robots.txt answered HTTP {exc.code} ({kind}): everything allowed")
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            rp.parse([])  # no rules: everything allowed
            self.robots_notes_[host] = (
                f"robots.txt could not be fetched ({_describe(exc)}): everything allowed")
        rp.modified()
        return rp

    # -- fetching --------------------------------------------------------------------------
    def get(self, url: str, accept: Sequence[str] = HTML_TYPES) -> Response:
        """GET ``url`` with retries; a Response, or FetchError with the reason."""
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self._get_once(url, accept)
                return Response(response.url, response.final_url, response.status,
                                response.content_type, response.charset, response.body, attempts)
            except FetchError as exc:
                exc.attempts = attempts
                if not exc.retry or attempts > self.settings.retries:
                    if exc.retry and attempts > 1:
                        exc.reason = f"{exc.reason} (gave up after {attempts} attempts)"
                    raise
                wait = self.settings.backoff * 2 ** (attempts - 1)
                if exc.retry_after is not None:
                    if exc.retry_after > self.settings.max_retry_after:
                        exc.reason = (f"{exc.reason}; the server asked to retry after "
                                      f"{exc.retry_after:.0f} s, more than the limit of "
                                      f"{self.settings.max_retry_after:.0f} s")
                        raise
                    wait = max(wait, exc.retry_after)
                self.sleep(min(wait, self.settings.max_retry_after))

    def _get_once(self, url: str, accept: Sequence[str]) -> Response:
        limit = self.settings.max_bytes
        started = self.clock()
        try:
            with self._open(url) as resp:
                final_url = resp.geturl()
                mime, charset = _content_type(resp.headers)
                if mime not in accept and not (mime == "" and "text/html" in accept):
                    kind = "HTML" if tuple(accept) == HTML_TYPES else "a feed"
                    raise FetchError(f"not {kind} (content-type {mime or 'missing'})",
                                     resp.status)
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > limit:
                    raise FetchError(f"response too large: {int(length)} bytes > limit {limit} "
                                     "(not downloaded)", resp.status)
                chunks: list[bytes] = []
                size = 0
                while True:
                    chunk = resp.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"response too large: more than {limit} bytes "
                                         "(download stopped there)", resp.status)
                    chunks.append(chunk)
                    if self.clock() - started > self.settings.timeout * 3:
                        raise FetchError(f"timed out: the page took more than "
                                         f"{self.settings.timeout * 3:.0f} s to arrive",
                                         resp.status, retry=True)
                return Response(url, final_url, resp.status, mime, charset, b"".join(chunks))
        except FetchError:
            raise
        except urllib.error.HTTPError as exc:
            retry_after = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            transient = exc.code == 429 or exc.code >= 500
            exc.close()
            raise FetchError(f"HTTP {exc.code} ({exc.reason})", exc.code, retry=transient,
                             retry_after=retry_after if transient else None) from None
        except TimeoutError as exc:
            raise FetchError(f"timed out after {self.settings.timeout:g} s", retry=True) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise FetchError(f"timed out after {self.settings.timeout:g} s",
                                 retry=True) from exc
            raise FetchError(f"cannot connect ({_describe(exc.reason)})") from exc
        except (ConnectionResetError, http.client.RemoteDisconnected,
                http.client.IncompleteRead) as exc:
            raise FetchError(f"connection broken ({_describe(exc)})", retry=True) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise FetchError(f"request failed ({_describe(exc)})") from exc


def _describe(exc: object) -> str:
    text = str(exc).strip()
    name = type(exc).__name__ if isinstance(exc, BaseException) else ""
    return f"{name}: {text}" if name and text else (name or text or "unknown error")


# -- cache ---------------------------------------------------------------------------------

def _cache_paths(cache: Path, url: str) -> tuple[Path, Path]:
    key = url_key(url)
    return cache / f"{key}.html", cache / f"{key}.json"


def read_cached(cache: Path, url: str) -> Response | None:
    """The cached page of ``url``, or None (the ``.json`` beside it marks a complete entry)."""
    body_path, meta_path = _cache_paths(cache, url)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = body_path.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("url") != url:
        return None
    return Response(url, str(meta.get("final_url") or url), int(meta.get("status") or 200),
                    str(meta.get("content_type") or "text/html"), meta.get("charset"), body, 0)


def write_cached(cache: Path, response: Response) -> None:
    """Keep a fetched page (body first, then its ``.json``, each renamed into place)."""
    cache.mkdir(parents=True, exist_ok=True)
    body_path, meta_path = _cache_paths(cache, response.url)
    meta = {"url": response.url, "final_url": response.final_url, "status": response.status,
            "content_type": response.content_type, "charset": response.charset}
    _write_atomic(body_path, response.body)
    _write_atomic(meta_path, json.dumps(meta, sort_keys=True).encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# -- extraction ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Extracted:
    """Main text and metadata trafilatura found in a page."""

    text: str
    title: str | None
    date: str | None
    sitename: str | None
    language: str | None


def decode_html(body: bytes, charset: str | None) -> str:
    """The page as text: the declared charset (header, then ``<meta>``), else UTF-8."""
    candidates = [charset]
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", errors="ignore"))
    for name in candidates:
        if not name:
            continue
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            continue
    return body.decode("utf-8", errors="replace")


def declared_language(body: bytes) -> str | None:
    """The primary subtag of ``<html lang="…">`` (``de`` for ``de-DE``), lower case."""
    match = _LANG.search(body[:8192])
    return match.group(1).decode("ascii").lower() if match else None


def extract_page(html: str, url: str) -> Extracted:
    """Main text, title, date and site name of a page (trafilatura; nothing is downloaded)."""
    import trafilatura

    html = clean_string(html)[0]  # lxml refuses NUL and other control characters
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True,
                                      include_comments=False, include_tables=False)
    if doc is None:
        return Extracted("", None, None, None, None)
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = str(data.get("text") or "")
    title = _clean_meta(data.get("title"))
    if title:
        # trafilatura repeats the headline as the body's first line; the title field holds it.
        first, _, rest = text.partition("\n")
        if first.strip() == title and rest.strip():
            text = rest
    return Extracted(text.strip(), title, _clean_meta(data.get("date")),
                     _clean_meta(data.get("sitename")), None)


def _clean_meta(value: Any) -> str | None:
    if value is None:
        return None
    text = clean_string(str(value))[0].strip()
    return text or None


def outlet_from_host(url: str) -> str:
    """The host of a URL without ``www.`` (the outlet when a page names none)."""
    host = urllib.parse.urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _site_name(page: Extracted, url: str) -> str | None:
    """The page's own site name; None where trafilatura only fell back to the URL's host."""
    if page.sitename is None:
        return None
    parts = urllib.parse.urlsplit(url)
    hosts = {parts.netloc, parts.netloc.removeprefix("www."), parts.hostname or "",
             outlet_from_host(url)}
    return None if page.sitename.lower() in {h.lower() for h in hosts} else page.sitename


def article_id(url: str) -> str:
    """A stable article id for a URL: ``url-`` and 16 hex digits of its SHA-256."""
    return "url-" + url_key(url)[:16]


def build_record(target: Target, url: str, final_url: str, page: Extracted,
                 language: str | None) -> dict[str, Any]:
    """The article record: the input's metadata first, then what the page says."""
    meta = {k: v for k, v in target.metadata.items() if v not in (None, "")}
    record: dict[str, Any] = {
        "id": meta.pop("id", None) or article_id(url),
        "outlet": (meta.pop("outlet", None) or _site_name(page, final_url)
                   or outlet_from_host(final_url)),
        "title": meta.pop("title", None) or page.title,
        "text": page.text,
        "published": meta.pop("published", None) or page.date,
        "url": final_url,
        "language": meta.pop("language", None) or language,
    }
    if final_url != url:
        record["requested_url"] = url
    for key, value in sorted(meta.items()):
        record.setdefault(key, value)
    return record


# -- the run -------------------------------------------------------------------------------

def _round_robin(items: Sequence[tuple[int, str]]) -> list[int]:
    """Indices ordered so that hosts take turns (input order within a host)."""
    queues: dict[str, list[int]] = {}
    for index, url in items:
        queues.setdefault(host_of(url), []).append(index)
    order: list[int] = []
    while queues:
        for host in list(queues):
            order.append(queues[host].pop(0))
            if not queues[host]:
                del queues[host]
    return order


@dataclass
class _Entry:
    url: str
    target: Target
    records: list[str]


def fetch_targets(
    targets: Iterable[Target],
    out: str | Path,
    settings: FetchSettings | None = None,
    *,
    input_info: InputInfo | None = None,
    fetcher: PoliteFetcher | None = None,
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """Fetch every target into ``out`` (``articles.jsonl``, ``fetch.json``, ``cache/``).

    Every distinct URL ends ``fetched``, ``skipped`` or ``failed`` with a reason; a URL named
    by several records is fetched once and lists them all. Pages already in ``out/cache`` are
    not requested again.
    """
    settings = settings or FetchSettings()
    fetcher = fetcher or PoliteFetcher(settings)
    out = Path(out)
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    entries: list[_Entry] = []
    by_url: dict[str, _Entry] = {}
    problems: list[UrlOutcome] = []
    n_duplicates = 0
    for target in targets:
        url = normalize_url(target.url) if target.problem is None else None
        if url is None:
            reason = target.problem or f"not an http(s) URL: {clean_string(target.url)[0]!r}"
            problems.append(UrlOutcome(clean_string(target.url)[0], (target.record,), "skipped",
                                       reason))
            continue
        if url in by_url:
            by_url[url].records.append(target.record)
            n_duplicates += 1
            continue
        entry = _Entry(url, target, [target.record])
        by_url[url] = entry
        entries.append(entry)

    outcomes: dict[int, UrlOutcome] = {}
    records: dict[int, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    order = _round_robin([(i, e.url) for i, e in enumerate(entries)])
    for done, index in enumerate(order, start=1):
        entry = entries[index]
        outcome, record = _fetch_one(entry, cache, settings, fetcher)
        if record is not None:
            first = ids.get(record["id"])
            if first is not None:
                outcome = UrlOutcome(entry.url, tuple(entry.records), "failed",
                                     f"duplicate article id {record['id']!r} (first used by "
                                     f"{first})", outcome.final_url, None, outcome.source,
                                     outcome.http_status, outcome.attempts)
                record = None
            else:
                ids[record["id"]] = entry.url
                records[index] = record
        outcomes[index] = outcome
        if progress is not None:
            detail = outcome.reason or (outcome.source or "")
            progress(f"[{done}/{len(order)}] {outcome.status} {entry.url}"
                     + (f": {detail}" if detail else ""))

    ordered = tuple(outcomes[i] for i in range(len(entries))) + tuple(problems)
    robots = {h: n for h in {host_of(e.url) for e in entries}
              if (n := fetcher.robots_note(h)) is not None}
    report = FetchReport(ordered, settings, input_info, robots, n_duplicates)
    lines = [json.dumps(records[i], ensure_ascii=False, sort_keys=True)
             for i in range(len(entries)) if i in records]
    _write_atomic(out / "articles.jsonl", "".join(line + "\n" for line in lines).encode("utf-8"))
    _write_atomic(out / "fetch.json",
                  (json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)
                   + "\n").encode("utf-8"))
    return report


def _fetch_one(entry: _Entry, cache: Path, settings: FetchSettings,
               fetcher: PoliteFetcher) -> tuple[UrlOutcome, dict[str, Any] | None]:
    url, target, recs = entry.url, entry.target, tuple(entry.records)
    if target.content is not None:
        page = Extracted(target.content.strip(), None, None, None, None)
        return _finish(entry, url, page, None, "feed", None, 0, settings)
    response = read_cached(cache, url)
    source = "cache"
    if response is None:
        source = "network"
        try:
            if not fetcher.allowed(url):
                return UrlOutcome(url, recs, "skipped",
                                  f"disallowed by robots.txt of {host_of(url)} for "
                                  f"{settings.user_agent.split(' ')[0]}"), None
            response = fetcher.get(url)
        except FetchError as exc:
            return UrlOutcome(url, recs, "skipped" if exc.skip else "failed", exc.reason, None,
                              None, None, exc.http_status, exc.attempts), None
        write_cached(cache, response)
    try:
        html = decode_html(response.body, response.charset)
        page = extract_page(html, response.final_url)
    except Exception as exc:  # noqa: BLE001 - a parser failure on one page fails that page
        return UrlOutcome(url, recs, "failed", f"page cannot be read ({type(exc).__name__})",
                          response.final_url, None, source, response.status,
                          response.attempts), None
    return _finish(entry, response.final_url, page, declared_language(response.body), source,
                   response.status, response.attempts, settings)


def _finish(entry: _Entry, final_url: str, page: Extracted, language: str | None,
            source: str, status: int | None, attempts: int,
            settings: FetchSettings) -> tuple[UrlOutcome, dict[str, Any] | None]:
    url, recs = entry.url, tuple(entry.records)
    if is_blank(page.text) or len(page.text.strip()) < settings.min_text_chars:
        where = "in the feed entry" if source == "feed" else "found in the page"
        reason = f"no article text {where}"
        if not is_blank(page.text):
            reason += (f" (only {len(page.text.strip())} characters of text, fewer than "
                       f"{settings.min_text_chars})")
        return UrlOutcome(url, recs, "failed", reason, final_url, None, source, status,
                          attempts), None
    record = build_record(entry.target, url, final_url, page, language)
    try:
        article, _ = validate_record(record, settings.max_chars)
    except RecordError as exc:
        return UrlOutcome(url, recs, "failed", f"not a valid article: {exc}", final_url, None,
                          source, status, attempts), None
    return UrlOutcome(url, recs, "fetched", None, final_url, article.id, source, status,
                      attempts), record


def print_progress(line: str) -> None:
    """Write one progress line to stderr."""
    print(line, file=sys.stderr, flush=True)
