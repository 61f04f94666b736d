"""A tiny web site on 127.0.0.1 for the fetch tests: hand-written pages, a request log.

Nothing here touches the network beyond 127.0.0.1. Every page is invented.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True


@dataclass
class Site:
    """Routes (a path to a page, or to a list of pages answered in turn) and the requests seen."""

    routes: dict[str, Page | list[Page]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    times: list[tuple[str, float]] = field(default_factory=list)
    base: str = ""
    user_agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: str | bytes, **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Page(data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def add_sequence(self, path: str, pages: list[Page]) -> str:
        self.routes[path] = list(pages)
        return self.url(path)

    def requests_for(self, path: str) -> int:
        return self.log.count(path)


def article_html(title: str, paragraphs: list[str], *, lang: str = "en",
                 sitename: str | None = None, date: str | None = None) -> str:
    """A news page: navigation, a headline, paragraphs, a footer."""
    meta = ""
    if sitename:
        meta += f'<meta property="og:site_name" content="{escape(sitename)}">'
    if date:
        meta += f'<meta property="article:published_time" content="{escape(date)}">'
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>{meta}</head><body>"
            '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f"<main><article><h1>{escape(title)}</h1>{body}</article></main>"
            "<footer>Copyright the invented outlet</footer></body></html>")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site = self.server.site
        site.log.append(self.path)
        site.times.append((self.path, time.monotonic()))
        site.user_agents.append(self.headers.get("User-Agent", ""))
        route = site.routes.get(self.path)
        if route is None:
            page = Page(b"<html><body>not here</body></html>", status=404)
        elif isinstance(route, list):
            page = route.pop(0) if len(route) > 1 else route[0]
        else:
            page = route
        try:
            if page.delay:
                time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if page.send_length:
                self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


@contextmanager
def serve(site: Site | None = None) -> Iterator[Site]:
    """Serve ``site`` on 127.0.0.1 (a free port) in a thread while the block runs."""
    site = site or Site()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = site
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
