"""framing fetch: a total deadline per URL, and only public http(s) targets at every hop.

Servers here run on 127.0.0.1 only; addresses such as 10.0.0.1 or 169.254.169.254 appear as
redirect targets that must be refused *before* any connection (a connection spy checks that).
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from local_site import article_html

from framing.cli import main
from framing.ingest.fetch import (
    FetchSettings,
    PoliteFetcher,
    Target,
    TargetPolicy,
    TargetRefused,
    address_kind,
    fetch_targets,
)
from framing.ingest.importers import ImportProblem, fetch_corpus

HINT = "pass --allow-private to fetch local sites"
PAGE = article_html("Tide gauge repaired", [
    "The harbour office of the invented town of Brindlecombe said on Friday that the tide gauge "
    "on the north pier had been repaired after a storm damaged it in the spring.",
    "Readings from the gauge are used by the ferry company to plan crossings, and the company "
    "said it had been relying on printed tables for the past four months.",
]).encode("utf-8")
DRIP_TOTAL = 20 * 35  # 20 pieces of 35 bytes, one every 0.5 s: 10 s for the whole body

Handler = Callable[["_Handler"], None]


@dataclass
class Server:
    """A local server whose routes are functions of the request handler; a log of requests."""

    routes: dict[str, Handler] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    base: str = ""
    port: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path


def _answer(h: _Handler, status: int, body: bytes = b"", content_type: str = "text/html",
            headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def page(h: _Handler) -> None:
    _answer(h, 200, PAGE, "text/html; charset=utf-8")


def not_found(h: _Handler) -> None:
    _answer(h, 404, b"not here")


def redirect(location: str) -> Handler:
    return lambda h: _answer(h, 302, headers={"Location": location})


def drip_body(h: _Handler) -> None:
    """A page whose body arrives 35 bytes every 0.5 s (each read sees bytes well within any
    timeout; the whole takes 10 s)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(DRIP_TOTAL))
    h.end_headers()
    for _ in range(20):
        h.wfile.write(b"x" * 35)
        if h.server.site.stop.wait(0.5):
            return


def drip_head(h: _Handler) -> None:
    """An answer whose header lines arrive one every 0.5 s (for 10 s)."""
    h.wfile.write(b"HTTP/1.0 200 OK\r\n")
    for n in range(20):
        h.wfile.write(b"X-Drip-%d: yes\r\n" % n)
        if h.server.site.stop.wait(0.5):
            return
    h.wfile.write(b"Content-Type: text/html\r\n\r\n" + PAGE)


def silent(h: _Handler) -> None:
    """Accepts the request and says nothing (for 10 s)."""
    h.server.site.stop.wait(10)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site = self.server.site
        site.log.append(self.path)
        site.hosts.append(self.headers.get("Host", ""))
        try:
            site.routes.get(self.path, not_found)(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the point of several tests)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for a handler still dripping
    site: Server


@contextmanager
def serve(routes: Mapping[str, Handler] | None = None,
          tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    site = Server(dict(routes or {}))
    server = _Server(("127.0.0.1", 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.site = site
    site.port = server.server_address[1]
    site.base = f"{'https' if tls else 'http'}://127.0.0.1:{site.port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address the fetcher connects to (a spy on ``socket.create_connection``)."""
    seen: list[tuple[str, int]] = []
    original = socket.create_connection

    def spy(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        seen.append((str(address[0]), int(address[1])))
        return original(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    return seen


def _fetch(urls: list[str], out: Path, settings: FetchSettings,
           fetcher: PoliteFetcher | None = None) -> dict[str, Any]:
    report = fetch_targets([Target(u, f"urls.txt:{i}") for i, u in enumerate(urls, 1)], out,
                           settings, fetcher=fetcher)
    return {o.url: o for o in report.outcomes}


# -- item 3: a total deadline per URL --------------------------------------------------------

SLOW = FetchSettings(delay=0.0, timeout=1.0, deadline=2.0, retries=3, backoff=0.01,
                     allow_private=True)


@pytest.mark.parametrize("route", [drip_body, drip_head], ids=["body", "headers"])
def test_a_dripping_server_is_stopped_at_the_deadline(tmp_path: Path, route: Handler) -> None:
    with serve({"/robots.txt": not_found, "/drip": route}) as site:
        started = time.monotonic()
        outcomes = _fetch([site.url("/drip")], tmp_path, SLOW)
        elapsed = time.monotonic() - started
    outcome = outcomes[site.url("/drip")]
    # 35 bytes every 0.5 s never trip the 1 s timeout; the 2 s deadline stops it (the whole
    # answer would take 10 s, and 40 s with three retries)
    assert 1.9 <= elapsed < 3.5, elapsed
    assert (outcome.status, outcome.reason) == ("failed", "total deadline of 2 s exceeded")
    assert outcome.attempts == 1  # a deadline is not retried
    assert site.log.count("/drip") == 1
    saved = json.loads((tmp_path / "fetch.json").read_text(encoding="utf-8"))
    assert saved["settings"]["deadline"] == 2.0 and saved["settings"]["timeout"] == 1.0
    assert saved["urls"][0]["reason"] == "total deadline of 2 s exceeded"


def test_retries_share_the_deadline(tmp_path: Path) -> None:
    with serve({"/robots.txt": not_found, "/silent": silent}) as site:
        settings = FetchSettings(delay=0.0, timeout=0.8, deadline=2.0, retries=5, backoff=0.01,
                                 allow_private=True)
        started = time.monotonic()
        outcome = _fetch([site.url("/silent")], tmp_path, settings)[site.url("/silent")]
        elapsed = time.monotonic() - started
    # two 0.8 s timeouts, then the third attempt gets what is left of the 2 s: not 6 x 0.8 s
    assert 1.9 <= elapsed < 3.2, elapsed
    assert outcome.status == "failed" and outcome.reason is not None
    if outcome.attempts == 3:
        assert outcome.reason == "total deadline of 2 s exceeded"
    else:  # a slow machine: too little of the 2 s was left for a third attempt
        assert outcome.attempts == 2 and "within the total deadline of 2 s" in outcome.reason
    assert site.log.count("/silent") == outcome.attempts


def test_a_retry_wait_beyond_the_deadline_fails_at_once(tmp_path: Path) -> None:
    busy: Handler = lambda h: _answer(h, 503, b"busy", "text/plain",  # noqa: E731
                                      {"Retry-After": "5"})
    with serve({"/robots.txt": not_found, "/busy": busy}) as site:
        started = time.monotonic()
        outcome = _fetch([site.url("/busy")], tmp_path, SLOW)[site.url("/busy")]
        assert time.monotonic() - started < 1.5
    assert outcome.reason == ("HTTP 503 (Service Unavailable) (gave up after 1 attempt: no time "
                              "left for another within the total deadline of 2 s)")
    assert site.log.count("/busy") == 1


# -- item 4: what may be contacted -----------------------------------------------------------

@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.3.2.1", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("10.255.255.254", "private"), ("172.16.0.1", "private"),
    ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local (cloud metadata)"),
    ("fd00:ec2::254", "link-local (cloud metadata)"),
    ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("2002:7f00:1::1", "loopback"),  # 6to4 carrying 127.0.0.1
    ("8.8.8.8", None), ("1.1.1.1", None), ("93.184.216.34", None), ("172.32.0.1", None),
    ("2606:4700:4700::1111", None), ("::ffff:8.8.8.8", None),
])
def test_address_kind(address: str, kind: str | None) -> None:
    assert address_kind(address) == kind


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "0x7f000001 resolves to 127.0.0.1, a loopback address"),
    ("http://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://127.1:8080/", "127.1 resolves to 127.0.0.1, a loopback address"),
    ("http://0177.0.0.1/", "0177.0.0.1 resolves to 127.0.0.1, a loopback address"),
    ("https://[::1]/", "::1 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data/",
     "169.254.169.254 is a link-local (cloud metadata) address"),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
])
def test_the_policy_resolves_and_refuses_non_public_targets(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        TargetPolicy().check(url)
    assert refused.value.reason == f"refused: {reason}; {HINT}"
    assert refused.value.skip
    assert TargetPolicy(allow_private=True).check(url)  # allowed: the addresses to connect to


def test_the_policy_checks_every_address_and_the_scheme() -> None:
    public = TargetPolicy(resolve=lambda host, port: ["93.184.216.34"])
    assert public.check("https://news.example/a") == ["93.184.216.34"]
    mixed = TargetPolicy(resolve=lambda host, port: ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(TargetRefused, match=r"news\.example resolves to 10\.1\.2\.3, a private"):
        mixed.check("http://news.example/")
    localhost = pytest.raises(TargetRefused, match=r"^refused: localhost resolves to .*loopback")
    with localhost:
        TargetPolicy().check("http://localhost:8000/")
    for url in ("ftp://news.example/a", "file:///etc/passwd", "gopher://news.example/"):
        with pytest.raises(TargetRefused, match=r"is not an http\(s\) URL"):
            public.check(url)


def test_local_targets_are_refused_by_default_and_never_contacted(
        tmp_path: Path, connections: list[tuple[str, int]]) -> None:
    with serve({"/page": page}) as site:
        port = site.port
        urls = [site.url("/page"), f"http://localhost:{port}/page",
                f"http://0x7f000001:{port}/page", f"http://2130706433:{port}/page",
                "http://169.254.169.254/latest/meta-data/"]
        outcomes = _fetch(urls, tmp_path, FetchSettings(delay=0.0, timeout=2.0))
        assert site.log == []  # not even robots.txt
    assert connections == []
    reasons = {u: (o.status, o.reason) for u, o in outcomes.items()}
    assert reasons[site.url("/page")] == (
        "skipped", f"refused: 127.0.0.1 is a loopback address; {HINT}")
    assert reasons[f"http://0x7f000001:{port}/page"] == (
        "skipped", f"refused: 0x7f000001 resolves to 127.0.0.1, a loopback address; {HINT}")
    assert reasons[f"http://2130706433:{port}/page"] == (
        "skipped", f"refused: 2130706433 resolves to 127.0.0.1, a loopback address; {HINT}")
    assert reasons["http://169.254.169.254/latest/meta-data/"] == (
        "skipped", f"refused: 169.254.169.254 is a link-local (cloud metadata) address; {HINT}")
    status, reason = reasons[f"http://localhost:{port}/page"]
    assert status == "skipped" and reason.startswith("refused: localhost resolves to ")
    assert reason.endswith(f"a loopback address; {HINT}")
    saved = json.loads((tmp_path / "fetch.json").read_text(encoding="utf-8"))
    assert saved["settings"]["allow_private"] is False
    assert saved["counts"]["skipped"] == 5 and len(saved["urls"]) == 5


def test_a_redirect_to_another_scheme_is_refused(tmp_path: Path) -> None:
    routes = {"/robots.txt": not_found, "/to-ftp": redirect("ftp://files.example/report.html"),
              "/to-file": redirect("file:///etc/passwd")}
    with serve(routes) as site:
        outcomes = _fetch([site.url("/to-ftp"), site.url("/to-file")], tmp_path,
                          FetchSettings(delay=0.0, timeout=2.0, allow_private=True))
        assert site.log == ["/robots.txt", "/to-ftp", "/to-file"]
    assert [(o.status, o.reason) for o in outcomes.values()] == [
        ("skipped", "refused: redirected to ftp://files.example/report.html, which is not an "
                    "http(s) URL"),
        ("skipped", "refused: redirected to file:///etc/passwd, which is not an http(s) URL"),
    ]


def _pretend_public(address: str) -> str | None:
    """The production judgement, except that the test server's 127.0.0.1 passes as public:
    a first hop that is allowed, so that later hops show they are checked too."""
    return None if address == "127.0.0.1" else address_kind(address)


def test_every_redirect_hop_is_checked(tmp_path: Path,
                                       connections: list[tuple[str, int]]) -> None:
    with serve() as site:
        port = site.port
        site.routes.update({
            "/robots.txt": not_found, "/page": page,
            "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-private": redirect("http://10.0.0.1/admin"),
            "/to-hex": redirect(f"http://0x7f000002:{port}/page"),  # 127.0.0.2: loopback
            "/hop1": redirect("/hop2"), "/hop2": redirect("http://192.168.1.1/router"),
        })
        settings = FetchSettings(delay=0.0, timeout=2.0)  # allow_private off
        fetcher = PoliteFetcher(settings, policy=TargetPolicy(classify=_pretend_public))
        paths = ["/page", "/to-metadata", "/to-private", "/to-hex", "/hop1"]
        outcomes = _fetch([site.url(p) for p in paths], tmp_path, settings, fetcher)
        assert site.log == ["/robots.txt", *paths, "/hop2"]
    # only the test server was ever connected to: the refused hops were never tried
    assert {host for host, _ in connections} == {"127.0.0.1"}
    got = [(o.status, o.reason) for o in outcomes.values()]
    assert got == [
        ("fetched", None),
        ("skipped", "refused: redirected to http://169.254.169.254/latest/meta-data/; "
                    f"169.254.169.254 is a link-local (cloud metadata) address; {HINT}"),
        ("skipped", f"refused: redirected to http://10.0.0.1/admin; 10.0.0.1 is a private "
                    f"address; {HINT}"),
        ("skipped", f"refused: redirected to http://0x7f000002:{port}/page; 0x7f000002 "
                    f"resolves to 127.0.0.2, a loopback address; {HINT}"),
        ("skipped", "refused: redirected to http://192.168.1.1/router; 192.168.1.1 is a "
                    f"private address; {HINT}"),
    ]


def test_the_connection_goes_to_the_address_that_was_checked(
        tmp_path: Path, connections: list[tuple[str, int]]) -> None:
    """No second lookup between check and connection (DNS rebinding): ``news.example`` has no
    DNS entry; only the checked address can have reached the server."""
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"] if host == "news.example" else []

    with serve({"/robots.txt": not_found, "/page": page}) as site:
        settings = FetchSettings(delay=0.0, timeout=2.0)
        fetcher = PoliteFetcher(settings, policy=TargetPolicy(resolve=resolve,
                                                              classify=_pretend_public))
        url = f"http://news.example:{site.port}/page"
        outcome = _fetch([url], tmp_path, settings, fetcher)[url]
        assert site.hosts == [f"news.example:{site.port}"] * 2  # robots.txt, the page
    assert outcome.status == "fetched", outcome
    assert connections == [("127.0.0.1", site.port)] * 2
    assert set(lookups) == {"news.example"} and len(lookups) >= 2  # checked before each request


def _tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context with a certificate for localhost and 127.0.0.1 made for the test
    (``openssl``), trusted by the client through ``SSL_CERT_FILE``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (it makes the test certificate)")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key_file),
                    "-out", str(cert_file), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_https_connects_to_the_checked_address_and_verifies_the_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        connections: list[tuple[str, int]]) -> None:
    tls = _tls(tmp_path, monkeypatch)
    routes = {"/robots.txt": not_found, "/page": page, "/drip": drip_body}
    with serve(routes, tls) as site:
        port = site.port
        settings = FetchSettings(delay=0.0, timeout=1.0, deadline=2.0, allow_private=True)
        outcomes = _fetch([f"https://localhost:{port}/page", f"https://localhost:{port}/drip"],
                          tmp_path / "a", settings)
        # the certificate is checked against the name in the URL, not the address dialled
        other = {"news.example": ["127.0.0.1"], "localhost": ["127.0.0.1"]}
        fetcher = PoliteFetcher(settings, policy=TargetPolicy(
            allow_private=True, resolve=lambda host, port: other[host]))
        wrong = f"https://news.example:{port}/page"
        mismatch = _fetch([wrong], tmp_path / "b", settings, fetcher)[wrong]
    fetched, dripped = outcomes.values()
    assert fetched.status == "fetched", fetched
    assert fetched.final_url == f"https://localhost:{port}/page"
    assert (dripped.status, dripped.reason) == ("failed", "total deadline of 2 s exceeded")
    assert mismatch.status == "failed"
    assert mismatch.reason.startswith("cannot connect (SSLCertVerificationError")
    assert "news.example" in mismatch.reason
    assert {host for host, _ in connections} <= {"127.0.0.1", "::1"}


def test_a_policy_must_agree_with_the_settings() -> None:
    with pytest.raises(ValueError, match="allow_private"):
        PoliteFetcher(FetchSettings(allow_private=True), policy=TargetPolicy())


def test_a_proxy_is_used_and_the_target_still_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with serve() as proxy:
        proxy.routes.update({"http://news.example/robots.txt": not_found,
                             "http://news.example/page": page})
        monkeypatch.setenv("http_proxy", proxy.base)
        settings = FetchSettings(delay=0.0, timeout=2.0)
        public = {"news.example": ["93.184.216.34"], "inside.example": ["10.0.0.7"]}
        fetcher = PoliteFetcher(settings, policy=TargetPolicy(
            resolve=lambda host, port: public[host]))
        outcomes = _fetch(["http://news.example/page", "http://inside.example/"], tmp_path,
                          settings, fetcher)
        assert proxy.log == ["http://news.example/robots.txt", "http://news.example/page"]
    fetched, refused = outcomes.values()
    assert fetched.status == "fetched"
    assert refused.reason == (
        f"refused: inside.example resolves to 10.0.0.7, a private address; {HINT}")


def test_a_feed_on_a_local_address_is_refused(tmp_path: Path) -> None:
    with serve({"/feed.xml": page}) as site:
        with pytest.raises(ImportProblem) as problem:
            fetch_corpus(site.url("/feed.xml"), tmp_path / "out",
                         settings=FetchSettings(delay=0.0, timeout=2.0))
        assert site.log == []
    assert str(problem.value) == (f"{site.url('/feed.xml')}: the feed cannot be fetched: "
                                  f"refused: 127.0.0.1 is a loopback address; {HINT}")


def test_cli_refuses_local_sites_unless_allowed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/robots.txt": not_found, "/page": page}) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text(site.url("/page") + "\n", encoding="utf-8")
        assert main(["fetch", "--from", "urls", str(urls), "--out", str(tmp_path / "a"),
                     "--delay", "0"]) == 0
        assert site.log == []
        err = capsys.readouterr().err
        assert (f"skipped {site.url('/page')} ({urls}:1): refused: 127.0.0.1 is a loopback "
                f"address; {HINT}") in err
        assert main(["fetch", "--from", "urls", str(urls), "--out", str(tmp_path / "b"),
                     "--delay", "0", "--allow-private", "--deadline", "5"]) == 0
        assert site.log == ["/robots.txt", "/page"]
    first = json.loads((tmp_path / "a" / "fetch.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "b" / "fetch.json").read_text(encoding="utf-8"))
    assert first["settings"]["allow_private"] is False and first["settings"]["deadline"] == 60
    assert second["settings"]["allow_private"] is True and second["settings"]["deadline"] == 5
    assert second["counts"]["fetched"] == 1
    assert main(["fetch", str(urls), "--out", str(tmp_path / "c"), "--deadline", "0"]) == 2
