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

Patience is bounded: besides ``timeout`` on every single wait (connecting, each read), each URL
has a total ``deadline`` (monotonic clock) from its first request to its last byte - connecting,
every read, redirects, retries and the waits between them. A server that keeps sending a few
bytes at a time is stopped there, and the URL fails with ``total deadline of N s exceeded``.

What is contacted (:class:`TargetPolicy`): only ``http`` and ``https`` URLs, at every hop (the
URL itself and every redirect), and only hosts whose every address (``socket.getaddrinfo``,
which also normalises numeric forms such as ``0x7f000001``) is a public one: loopback, private,
link-local (the cloud metadata address ``169.254.169.254`` among them), multicast, reserved and
unspecified addresses are refused - the URL is ``skipped`` with a reason starting ``refused:``
- unless ``allow_private`` is set (``--allow-private``, for a local test site). The check runs
right before every request, and the connection is made to the very address that was checked,
so a name that resolves differently a moment later (DNS rebinding) is not followed. Proxies
named by ``http_proxy``/``https_proxy`` are honoured (the target is still checked as above).

Main text and metadata come from trafilatura (Barbaresi 2021) run on the HTML string; it never
downloads anything itself. ``language`` is the primary subtag of ``<html lang>`` when a page
declares one (language identification proper is not done here).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import http.client
import io
import ipaddress
import json
import re
import socket
import string
import sys
import time
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from framing import __version__
from framing.files import write_bytes_atomically
from framing.ingest.validation import RecordError, clean_string, is_blank, validate_record

#: The User-Agent every request sends (robots.txt rules for ``framing`` apply to it).
USER_AGENT = f"framing/{__version__} (news framing research tool; polite fetcher)"
#: Content types accepted as a web page.
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Content types accepted as a feed (RSS/Atom), for importers fetching a feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "text/html")
#: The only URL schemes fetched, at every hop.
SCHEMES = ("http", "https")
#: What a refusal tells the user to do to fetch a local site anyway.
ALLOW_PRIVATE_HINT = "pass --allow-private to fetch local sites"
#: Cloud instance metadata endpoints (named as such when refused).
METADATA_ADDRESSES = frozenset({"169.254.169.254", "169.254.170.2", "fd00:ec2::254"})
_ROBOTS_MAX_BYTES = 512_000
#: Bytes asked for per read: a read returns what has arrived, so the deadline is checked often.
_CHUNK = 16_384
_MAX_REDIRECTS = 10
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
#: A timeout this close to the deadline is the deadline's.
_DEADLINE_SLACK = 0.01
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
    #: Seconds one URL may take in all, from its first request to its last byte: connecting,
    #: every read, redirects, retries and the waits between them (a monotonic clock). A server
    #: that keeps sending a few bytes at a time is stopped there.
    deadline: float = 60.0
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
    #: Also contact loopback, private, link-local, multicast, reserved and unspecified addresses
    #: (a local test site); by default they are refused at every hop.
    allow_private: bool = False
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


class TargetRefused(FetchError):
    """A URL this tool will not contact (not http(s), or not a public address); skipped."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"refused: {detail}", skip=True)
        #: The reason without its ``refused:`` prefix.
        self.detail = detail


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


# -- what may be contacted -----------------------------------------------------------------

def address_kind(address: str) -> str | None:
    """The kind of non-public address ``address`` is, or None for a public one.

    ``loopback``, ``private``, ``link-local``, ``link-local (cloud metadata)``, ``multicast``,
    ``reserved``, ``unspecified`` or ``non-public`` (any other address that is not globally
    routable, such as carrier-grade NAT space). An IPv4 address mapped into IPv6
    (``::ffff:127.0.0.1``) or carried by 6to4 is judged as that IPv4 address.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return address_kind(str(ip.ipv4_mapped))
        if ip.sixtofour is not None and (kind := address_kind(str(ip.sixtofour))) is not None:
            return kind
    plain = str(ip).split("%", 1)[0]
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if plain in METADATA_ADDRESSES:
        return "link-local (cloud metadata)"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or getattr(ip, "is_site_local", False):
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``socket.getaddrinfo``), each once, in its order.

    Numeric forms are normalised as the system reads them (``0x7f000001``, ``2130706433`` and
    ``127.1`` are all ``127.0.0.1``). Raises ``OSError`` (``socket.gaierror``) when the name does
    not resolve.
    """
    seen: dict[str, None] = {}
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        seen[str(sockaddr[0])] = None
    return list(seen)


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(address)
    except ValueError:
        return False


@dataclass(frozen=True)
class TargetPolicy:
    """Which URLs may be contacted: http(s) only, and public addresses only unless
    ``allow_private``. Checked right before every request (the URL, every redirect, robots.txt).

    ``resolve`` and ``classify`` are the name resolution and the address judgement
    (:func:`resolve_host`, :func:`address_kind`); ``hint`` ends every refusal of a non-public
    address.
    """

    allow_private: bool = False
    resolve: Callable[[str, int], Sequence[str]] = resolve_host
    classify: Callable[[str], str | None] = address_kind
    hint: str = ALLOW_PRIVATE_HINT

    def check(self, url: str) -> list[str]:
        """The addresses to connect to for ``url`` (all of them checked).

        Raises :class:`TargetRefused` for a URL that may not be contacted, ``OSError`` when its
        host does not resolve, ``ValueError`` for a malformed port.
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            raise TargetRefused(f"{url} is not an http(s) URL")
        host = parts.hostname
        if not host:
            raise TargetRefused(f"{url} names no host")
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        addresses = list(dict.fromkeys(self.resolve(host, port)))
        if not addresses:
            raise OSError(f"{host} resolves to no address")
        if not self.allow_private:
            for address in addresses:
                kind = self.classify(address)
                if kind is None:
                    continue
                what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"
                subject = (f"{address} is {what}" if _same_address(host, address)
                           else f"{host} resolves to {address}, {what}")
                raise TargetRefused(f"{subject}; {self.hint}")
        return addresses


# -- the deadline and the connection -------------------------------------------------------

class _Deadline:
    """The total time one URL may take, counted from its first request (a monotonic clock)."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self.start: float | None = None

    def begin(self) -> None:
        if self.start is None:
            self.start = self.clock()

    def remaining(self) -> float:
        return self.seconds if self.start is None else self.seconds - (self.clock() - self.start)

    def expired(self) -> bool:
        return self.start is not None and self.remaining() <= _DEADLINE_SLACK

    def wait(self, per_operation: float) -> float:
        """How long the next single wait may last (TimeoutError when no time is left)."""
        remaining = self.remaining()
        if remaining <= 0:
            raise TimeoutError(self.reason())
        return min(per_operation, remaining)

    def reason(self) -> str:
        return f"total deadline of {self.seconds:g} s exceeded"


class _DeadlineReader(io.RawIOBase):
    """A socket's bytes, each read waiting at most ``timeout`` and ending by the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline, timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while it is
        self._deadline = deadline
        self._timeout = timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.wait(self._timeout))
        return int(self._raw.readinto(buffer) or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose reader (what http.client reads the answer from) keeps the
    deadline; everything else is the socket's own."""

    def __init__(self, sock: socket.socket, deadline: _Deadline, timeout: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._timeout = timeout

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if mode != "rb":
            return self._sock.makefile(mode, *args, **kwargs)  # type: ignore[call-overload]
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline, self._timeout))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _connect_pinned(addresses: Sequence[str], deadline: _Deadline, timeout: float,
                    address: tuple[str, int], *_: Any) -> socket.socket:
    """Connect to one of the checked ``addresses`` (never to a fresh lookup of the name)."""
    last: OSError | None = None
    for ip in addresses:
        try:
            return socket.create_connection((ip, address[1]), deadline.wait(timeout))
        except TimeoutError:
            raise
        except OSError as exc:
            last = exc
    raise last or OSError("no address to connect to")


def _proxy_for(scheme: str, host: str) -> urllib.parse.SplitResult | None:
    """The proxy the environment names for ``scheme`` (``http_proxy``…), unless ``no_proxy``."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)


def _proxy_auth(proxy: urllib.parse.SplitResult) -> dict[str, str]:
    if proxy.username is None:
        return {}
    user = urllib.parse.unquote(proxy.username)
    password = urllib.parse.unquote(proxy.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Proxy-Authorization": f"Basic {token}"}


def _redirect_target(current: str, location: str) -> str:
    """The absolute URL a ``Location`` header names (quoted as urllib quotes it, no fragment)."""
    parts = urllib.parse.urlparse(location)
    if not parts.path and parts.netloc:
        parts = parts._replace(path="/")
    location = urllib.parse.quote(urllib.parse.urlunparse(parts), encoding="iso-8859-1",
                                  safe=string.punctuation)
    return urllib.parse.urldefrag(urllib.parse.urljoin(current, location))[0]


def _close(conn: http.client.HTTPConnection, resp: http.client.HTTPResponse | None) -> None:
    if resp is not None:
        resp.close()
    conn.close()


class PoliteFetcher:
    """HTTP GET with per-host rate limits, robots.txt, retries, a deadline, size and type
    checks, and the :class:`TargetPolicy` applied before every request.

    Holds the state a polite crawler needs across URLs: when each host was last asked and each
    host's robots.txt. ``requests_made`` counts every request sent (robots.txt included).
    """

    def __init__(self, settings: FetchSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 policy: TargetPolicy | None = None) -> None:
        self.settings = settings or FetchSettings()
        if policy is None:
            policy = TargetPolicy(allow_private=self.settings.allow_private)
        elif policy.allow_private != self.settings.allow_private:
            raise ValueError("policy.allow_private must match settings.allow_private (the "
                             "setting is what fetch.json records)")
        self.policy = policy
        self.sleep = sleep
        self.clock = clock
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

    def _wait_turn(self, host: str, deadline: _Deadline | None = None) -> None:
        last = self.last_request_.get(host)
        if last is not None:
            wait = last + self._delay_for(host) - self.clock()
            if wait > 0:
                started = deadline is not None and deadline.start is not None
                if started and deadline is not None and wait >= deadline.remaining():
                    raise FetchError(f"{deadline.reason()} (the next request to {host} may "
                                     f"only be sent {wait:.1f} s from now)")
                self.sleep(wait)
        self.last_request_[host] = self.clock()

    def robots_note(self, host: str) -> str | None:
        """What robots.txt of ``host`` said (None when it was never needed)."""
        return self.robots_notes_.get(host)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets this tool fetch it (fetched once per host).

        Raises :class:`TargetRefused` for a URL the policy refuses (its robots.txt is not asked).
        """
        if not self.settings.robots:
            return True
        host = host_of(url)
        if host not in self.robots_:
            try:
                self.policy.check(url)
            except (OSError, ValueError):
                pass  # robots.txt cannot be fetched either: the note says why
            self.robots_[host] = self._read_robots(host)
        return self.robots_[host].can_fetch(self.settings.user_agent, url)

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser:
        rp = urllib.robotparser.RobotFileParser(host + "/robots.txt")
        deadline = _Deadline(self.settings.deadline, self.clock)
        try:
            _, conn, resp = self._follow(host + "/robots.txt", deadline, check_robots=False)
            try:
                if 200 <= resp.status < 300:
                    body = self._read_body(resp, _ROBOTS_MAX_BYTES, truncate=True)
                    rp.parse(body.decode("utf-8", errors="replace").splitlines())
                    self.robots_notes_[host] = "robots.txt read; its rules are honoured"
                else:
                    rp.parse([])  # no rules: everything allowed
                    kind = "4xx" if 400 <= resp.status < 500 else "error"
                    self.robots_notes_[host] = (
                        f"robots.txt answered HTTP {resp.status} ({kind}): everything allowed")
            finally:
                _close(conn, resp)
        except (FetchError, OSError, http.client.HTTPException, ValueError) as exc:
            rp.parse([])  # no rules: everything allowed
            reason = self._failure(exc, deadline).reason
            self.robots_notes_[host] = (
                f"robots.txt could not be fetched ({reason}): everything allowed")
        rp.modified()
        return rp

    # -- one request -----------------------------------------------------------------------
    def _send(self, url: str, deadline: _Deadline
              ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Check ``url``, wait for its host's turn, and send the GET (the answer's head read)."""
        try:
            addresses = self.policy.check(url)
        except OSError as exc:
            raise FetchError(f"cannot connect ({_describe(exc)})") from exc
        parts = urllib.parse.urlsplit(url)
        https = parts.scheme.lower() == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if https else 80)
        self._wait_turn(host_of(url), deadline)
        deadline.begin()
        self.requests_made_ += 1
        timeout = self.settings.timeout
        headers = {"User-Agent": self.settings.user_agent,
                   "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                   "Connection": "close"}
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy = _proxy_for(parts.scheme.lower(), host)
        conn: http.client.HTTPConnection
        if proxy is None:
            kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
            conn = kind(host, port, timeout=deadline.wait(timeout))
            # connect to the addresses just checked, not to a second lookup of the name
            setattr(conn, "_create_connection",  # noqa: B010 - http.client's own hook
                    lambda address, *rest: _connect_pinned(addresses, deadline, timeout,
                                                           address))
        else:
            proxy_port = proxy.port or 80
            if https:  # a CONNECT tunnel through the proxy, TLS with the site itself
                conn = http.client.HTTPSConnection(proxy.hostname or "", proxy_port,
                                                   timeout=deadline.wait(timeout))
                conn.set_tunnel(host, port, headers=_proxy_auth(proxy))
            else:
                conn = http.client.HTTPConnection(proxy.hostname or "", proxy_port,
                                                  timeout=deadline.wait(timeout))
                headers.update(_proxy_auth(proxy))
                path = urllib.parse.urlunsplit(parts._replace(fragment=""))
        resp: http.client.HTTPResponse | None = None
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise
            except OSError as exc:  # refused, unreachable, TLS certificate, …
                raise FetchError(f"cannot connect ({_describe(exc)})") from exc
            conn.sock = cast(Any, _DeadlineSocket(conn.sock, deadline, timeout))
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
        except BaseException:
            _close(conn, resp)
            raise
        return conn, resp

    def _follow(self, url: str, deadline: _Deadline, check_robots: bool
                ) -> tuple[str, http.client.HTTPConnection, http.client.HTTPResponse]:
        """GET ``url`` following redirects; every hop is checked by the policy (and robots.txt,
        when ``check_robots``) before it is requested. The final URL, its connection and answer.
        """
        current = url
        hops = 0
        while True:
            conn, resp = self._send(current, deadline)
            location = resp.getheader("Location") if resp.status in _REDIRECT_CODES else None
            if not location:
                return current, conn, resp
            _close(conn, resp)
            hops += 1
            if hops > _MAX_REDIRECTS:
                raise FetchError(f"too many redirects (more than {_MAX_REDIRECTS})", resp.status)
            current = _redirect_target(current, location)
            self._check_redirect(current, check_robots)

    def _check_redirect(self, target: str, check_robots: bool) -> None:
        if urllib.parse.urlsplit(target).scheme.lower() not in SCHEMES:
            raise TargetRefused(f"redirected to {target}, which is not an http(s) URL")
        try:
            self.policy.check(target)
        except TargetRefused as exc:
            raise TargetRefused(f"redirected to {target}; {exc.detail}") from None
        except (OSError, ValueError):
            pass  # the request itself fails with that reason
        if check_robots and not self.allowed(target):
            raise FetchError(f"redirected to {target}, which robots.txt of {host_of(target)} "
                             "disallows", skip=True)

    def _read_body(self, resp: http.client.HTTPResponse, limit: int,
                   truncate: bool = False) -> bytes:
        """The answer's body in small reads (each one ends by the deadline), at most ``limit``
        bytes: a larger body fails, or is cut there when ``truncate``."""
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                if truncate:
                    chunks.append(chunk[:len(chunk) - (size - limit)])
                    return b"".join(chunks)
                raise FetchError(f"response too large: more than {limit} bytes "
                                 "(download stopped there)", resp.status)
            chunks.append(chunk)
        if resp.length:  # the server closed before sending what it announced
            raise FetchError(f"connection broken (IncompleteRead: {size} bytes read, "
                             f"{resp.length} more expected)", resp.status, retry=True)
        return b"".join(chunks)

    def _failure(self, exc: BaseException, deadline: _Deadline) -> FetchError:
        """The FetchError an exception from a request means."""
        if isinstance(exc, FetchError):
            return exc
        if isinstance(exc, TimeoutError):
            if deadline.expired():
                return FetchError(deadline.reason())
            return FetchError(f"timed out after {self.settings.timeout:g} s", retry=True)
        if isinstance(exc, (ConnectionResetError, http.client.RemoteDisconnected,
                            http.client.IncompleteRead)):
            return FetchError(f"connection broken ({_describe(exc)})", retry=True)
        return FetchError(f"request failed ({_describe(exc)})")

    # -- fetching --------------------------------------------------------------------------
    def get(self, url: str, accept: Sequence[str] = HTML_TYPES) -> Response:
        """GET ``url`` with retries, all within the total deadline; a Response, or FetchError
        with the reason."""
        deadline = _Deadline(self.settings.deadline, self.clock)
        attempts = 0
        while True:
            attempts += 1
            try:
                return replace(self._get_once(url, accept, deadline), attempts=attempts)
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
                wait = min(wait, self.settings.max_retry_after)
                if wait >= deadline.remaining():
                    exc.reason = (f"{exc.reason} (gave up after {attempts} "
                                  f"attempt{'s' if attempts > 1 else ''}: no time left for "
                                  f"another within the total deadline of "
                                  f"{self.settings.deadline:g} s)")
                    raise
                self.sleep(wait)

    def _get_once(self, url: str, accept: Sequence[str], deadline: _Deadline) -> Response:
        limit = self.settings.max_bytes
        try:
            final_url, conn, resp = self._follow(url, deadline, check_robots=True)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise self._failure(exc, deadline) from exc
        try:
            if not 200 <= resp.status < 300:
                transient = resp.status == 429 or resp.status >= 500
                retry_after = parse_retry_after(resp.getheader("Retry-After"))
                raise FetchError(f"HTTP {resp.status} ({resp.reason})", resp.status,
                                 retry=transient, retry_after=retry_after if transient else None)
            mime, charset = _content_type(resp.headers)
            if mime not in accept and not (mime == "" and "text/html" in accept):
                kind = "HTML" if tuple(accept) == HTML_TYPES else "a feed"
                raise FetchError(f"not {kind} (content-type {mime or 'missing'})", resp.status)
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"response too large: {int(length)} bytes > limit {limit} "
                                 "(not downloaded)", resp.status)
            body = self._read_body(resp, limit)
            return Response(url, final_url, resp.status, mime, charset, body)
        except FetchError as exc:
            exc.http_status = exc.http_status or resp.status
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            failure = self._failure(exc, deadline)
            failure.http_status = resp.status
            raise failure from exc
        finally:
            _close(conn, resp)


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
    write_bytes_atomically(body_path, response.body)
    write_bytes_atomically(meta_path, json.dumps(meta, sort_keys=True).encode("utf-8"))


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
    not requested again. A URL the fetcher's :class:`TargetPolicy` refuses (a non-public
    address, or a redirect to one or to another scheme) is ``skipped`` with a reason starting
    ``refused:``, before anything - robots.txt included - is asked of its host.
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
    write_bytes_atomically(out / "articles.jsonl",
                           "".join(line + "\n" for line in lines).encode("utf-8"))
    write_bytes_atomically(out / "fetch.json",
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
