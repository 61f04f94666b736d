"""framing fetch: a local site on 127.0.0.1 with every kind of page a crawl meets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from local_site import Page, Site, article_html, serve

from framing import __version__, api
from framing.ingest.fetch import (
    FetchSettings,
    PoliteFetcher,
    Target,
    fetch_targets,
    normalize_url,
    parse_retry_after,
)

# the local site is on 127.0.0.1: allow_private, as for any local test site
FAST = FetchSettings(delay=0.0, timeout=0.5, retries=2, backoff=0.01, max_bytes=60_000,
                     allow_private=True)

EN = [
    "Officials in the invented river town of Marlow Bend said on Tuesday that the new bridge "
    "would open next spring, two years later than the council had promised voters.",
    "The council blamed the delay on a shortage of steel and on a dispute with the contractor, "
    "which said it had warned the town about rising costs as early as last winter.",
    "Residents who cross the river by ferry every morning told reporters that they had heard "
    "such promises before and would believe them only when the first car drove across.",
]
DE = [
    "Die Stadtverwaltung der erfundenen Gemeinde Talheim hat am Dienstag mitgeteilt, dass die "
    "neue Brücke erst im kommenden Frühjahr eröffnet werden soll, zwei Jahre später als geplant.",
    "Der Gemeinderat machte einen Mangel an Stahl und einen Streit mit der Baufirma für die "
    "Verzögerung verantwortlich, die nach eigenen Angaben schon im Winter gewarnt hatte.",
    "Anwohner, die jeden Morgen mit der Fähre über den Fluss fahren, sagten, sie würden erst "
    "daran glauben, wenn das erste Auto über die Brücke rollt.",
]


def _site() -> Site:
    site = Site()
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.add("/news/bridge", article_html("Bridge opening delayed again", EN,
                                          sitename="Marlow Courier", date="2026-05-03"))
    site.add("/news/ferry", article_html("Ferry crossings to double", EN[::-1]))
    site.add("/old-link", "", status=301, headers={"Location": "/news/moved"})
    site.add("/news/moved", article_html("Council answers critics", EN[1:] + EN[:1],
                                         sitename="Marlow Courier"))
    site.add_sequence("/news/flaky", [
        Page(b"busy", status=500, content_type="text/plain"),
        Page(article_html("Steel shortage hits builders", EN).encode("utf-8")),
    ])
    site.add("/news/broken", "down", status=500, content_type="text/plain")
    site.add("/news/slow", article_html("Slow page", EN), delay=1.5)
    site.add("/files/report.pdf", b"%PDF-1.4 invented", content_type="application/pdf")
    site.add("/api/data.json", '{"a": 1}', content_type="application/json")
    huge = article_html("Huge page", EN * 400)
    site.add("/news/huge", huge)
    site.add("/news/huge-unsized", huge, send_length=False)
    site.add("/de/bruecke", article_html("Brücke erst im Frühjahr", DE, lang="de-DE",
                                         sitename="Talheimer Bote"))
    site.add("/private/memo", article_html("Private memo", EN))
    site.add("/to-private", "", status=302, headers={"Location": "/private/memo"})
    site.add("/news/empty", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
    return site


EXPECTED = {
    "/news/bridge": ("fetched", None),
    "/news/ferry": ("fetched", None),
    "/old-link": ("fetched", None),
    "/news/flaky": ("fetched", None),
    "/de/bruecke": ("fetched", None),
    "/news/broken": ("failed", "HTTP 500 (Internal Server Error) (gave up after 3 attempts)"),
    "/news/missing": ("failed", "HTTP 404 (Not Found)"),
    "/news/slow": ("failed", "timed out after 0.5 s (gave up after 3 attempts)"),
    "/files/report.pdf": ("failed", "not HTML (content-type application/pdf)"),
    "/api/data.json": ("failed", "not HTML (content-type application/json)"),
    "/news/huge": ("failed", "response too large: "),
    "/news/huge-unsized": ("failed", "response too large: more than 60000 bytes"),
    "/private/memo": ("skipped", "disallowed by robots.txt of "),
    "/to-private": ("skipped", "redirected to http://127.0.0.1:"),
    "/news/empty": ("failed", "no article text found in the page (only 4 characters"),
}


def _targets(site: Site) -> list[Target]:
    targets = [Target(site.url(p), f"urls.txt:{i + 1}") for i, p in enumerate(EXPECTED)]
    targets.append(Target(site.url("/news/bridge#comments"), "urls.txt:16"))  # same URL
    targets.append(Target("ftp://example.invalid/x", "urls.txt:17"))
    return targets


def test_every_url_is_accounted_for_with_its_reason(tmp_path: Path) -> None:
    lines: list[str] = []
    with serve(_site()) as site:
        report = fetch_targets(_targets(site), tmp_path, FAST, progress=lines.append)
        by_path = {o.url.removeprefix(site.base): o for o in report.outcomes}
        for path, (status, reason) in EXPECTED.items():
            outcome = by_path[path]
            assert outcome.status == status, (path, outcome)
            if reason is None:
                assert outcome.reason is None and outcome.article_id, (path, outcome)
            else:
                assert outcome.reason and outcome.reason.startswith(reason), (path, outcome)
        # duplicates are fetched once and reported once, naming both records
        assert by_path["/news/bridge"].records == ("urls.txt:1", "urls.txt:16")
        assert by_path["/to-private"].reason.endswith(  # type: ignore[union-attr]
            "/private/memo, which robots.txt of " + site.base + " disallows")
        assert site.requests_for("/news/bridge") == 1
        bad = by_path["ftp://example.invalid/x"]
        assert bad.status == "skipped" and bad.reason == (
            "not an http(s) URL: 'ftp://example.invalid/x'")
        # retries: the flaky page answered on its second attempt; 404 is not retried
        assert by_path["/news/flaky"].attempts == 2
        assert site.requests_for("/news/missing") == 1
        assert site.requests_for("/news/broken") == 3
        # redirect followed, final URL recorded
        assert by_path["/old-link"].final_url == site.url("/news/moved")
        # robots.txt honoured and read once; the disallowed page never requested
        assert site.requests_for("/robots.txt") == 1 and site.requests_for("/private/memo") == 0
        assert all(ua.startswith(f"framing/{__version__}") for ua in site.user_agents)

    counts = report.counts()
    assert counts == {"records": 17, "urls": 16, "duplicates": 1, "fetched": 5, "skipped": 3,
                      "failed": 8, "from_network": 5, "from_cache": 0, "from_feed": 0}
    assert len(lines) == 15 and lines[0].startswith("[1/15] ")

    saved = json.loads((tmp_path / "fetch.json").read_text(encoding="utf-8"))
    assert saved["version"] == __version__ and saved["counts"] == counts
    assert saved["settings"]["delay"] == 0.0 and saved["settings"]["max_bytes"] == 60_000
    assert saved["settings"]["deadline"] == 60.0 and saved["settings"]["allow_private"] is True
    assert len(saved["urls"]) == 16
    assert list(saved["robots"].values()) == ["robots.txt read; its rules are honoured"]

    rows = [json.loads(line) for line in
            (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5
    bridge = next(r for r in rows if r["url"].endswith("/news/bridge"))
    assert bridge["outlet"] == "Marlow Courier" and bridge["published"] == "2026-05-03"
    assert bridge["title"] == "Bridge opening delayed again" and bridge["language"] == "en"
    assert bridge["text"].startswith("Officials in the invented river town")
    ferry = next(r for r in rows if r["url"].endswith("/news/ferry"))
    assert ferry["outlet"] == "127.0.0.1"  # no site name: the host
    moved = next(r for r in rows if r["title"] == "Council answers critics")
    assert moved["url"].endswith("/news/moved") and moved["requested_url"].endswith("/old-link")
    german = next(r for r in rows if r["url"].endswith("/de/bruecke"))
    assert german["language"] == "de" and "Brücke" in german["text"]

    # what fetch writes, analyze reads: every record valid; the German page is set aside by
    # language identification (only English is analysed), with its reason
    ingest = api.load([tmp_path / "articles.jsonl"])
    assert ingest.n_read == 5
    assert [(r.id, r.reason) for r in ingest.rejections] == [
        (german["id"], "language de (German): only English is analysed")]
    assert {a.id for a in ingest.articles} | {german["id"]} == {
        o.article_id for o in report.outcomes if o.status == "fetched"}


def test_second_run_asks_the_server_only_for_what_is_missing(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        site.add("/a", article_html("First story", EN))
        site.add("/b", article_html("Second story", EN[::-1]))
        site.add_sequence("/c", [Page(b"gone", status=503, content_type="text/plain"),
                                 Page(b"gone", status=503, content_type="text/plain"),
                                 Page(article_html("Third story", EN[1:]).encode("utf-8"))])
        settings = FetchSettings(delay=0.0, timeout=2.0, retries=0, backoff=0.01,
                                 allow_private=True)
        targets = [Target(site.url(p), f"urls.txt:{i}") for i, p in enumerate("/a /b /c".split())]
        first = fetch_targets(targets, tmp_path, settings)
        assert [o.status for o in first.outcomes] == ["fetched", "fetched", "failed"]
        assert len(site.log) == 4  # robots.txt, /a, /b, /c
        site.log.clear()
        second = fetch_targets(targets, tmp_path, settings)
        assert [o.status for o in second.outcomes] == ["fetched", "fetched", "failed"]
        assert [o.source for o in second.outcomes[:2]] == ["cache", "cache"]
        # only the page that failed was asked for again (and robots.txt, for it)
        assert site.log == ["/robots.txt", "/c"]
        site.log.clear()
        third = fetch_targets(targets, tmp_path, settings)
        assert [o.status for o in third.outcomes] == ["fetched"] * 3
        site.log.clear()
        fourth = fetch_targets(targets, tmp_path, settings)
        assert site.log == []  # everything cached: zero requests, robots.txt included
        assert fourth.counts()["from_cache"] == 3
    assert len((tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_rate_limit_per_host_and_retry_after(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/robots.txt", "", status=404)
        site.add("/a", article_html("First story", EN))
        site.add("/b", "", status=302, headers={"Location": "/b2"})
        site.add("/b2", article_html("Second story", EN[::-1]))
        site.add_sequence("/c", [Page(b"slow down", status=429, content_type="text/plain",
                                      headers={"Retry-After": "1"}),
                                 Page(article_html("Third story", EN[1:]).encode("utf-8"))])
        settings = FetchSettings(delay=0.3, timeout=2.0, retries=1, backoff=0.01,
                                 allow_private=True)
        targets = [Target(site.url(p), "x") for p in ("/a", "/b", "/c")]
        report = fetch_targets(targets, tmp_path, settings)
    assert [o.status for o in report.outcomes] == ["fetched"] * 3
    times = [t for _, t in site.times]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # one host: 0.3 s apart, robots.txt and the redirect's second request included
    assert [p for p, _ in site.times] == ["/robots.txt", "/a", "/b", "/b2", "/c", "/c"]
    assert all(g >= 0.28 for g in gaps), gaps
    retry_gap = times[-1] - times[-2]
    assert retry_gap >= 0.95  # the 429's Retry-After: 1
    assert "404 (4xx): everything allowed" in next(iter(report.robots.values()))


def test_robots_txt_that_cannot_be_fetched_allows_and_says_so(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/robots.txt", "oops", status=500, content_type="text/plain")
        site.add("/a", article_html("First story", EN))
        report = fetch_targets([Target(site.url("/a"), "x")], tmp_path, FAST)
    assert report.outcomes[0].status == "fetched"
    assert report.robots == {site.base: "robots.txt answered HTTP 500 (error): everything allowed"}


def test_a_retry_after_beyond_the_limit_fails_at_once(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/a", "busy", status=503, content_type="text/plain",
                 headers={"Retry-After": "3600"})
        started = time.monotonic()
        report = fetch_targets([Target(site.url("/a"), "x")], tmp_path,
                               FetchSettings(delay=0, timeout=1, max_retry_after=5,
                                             allow_private=True))
        assert time.monotonic() - started < 3
    assert report.outcomes[0].reason == (
        "HTTP 503 (Service Unavailable); the server asked to retry after 3600 s, more than the "
        "limit of 5 s")


def test_unreachable_host_fails_with_a_reason(tmp_path: Path) -> None:
    with serve() as site:
        url = site.url("/a")
    # the server is gone: nothing listens on that port any more
    report = fetch_targets([Target(url, "x")], tmp_path, FAST)
    assert report.outcomes[0].status == "failed"
    assert report.outcomes[0].reason.startswith("cannot connect (")  # type: ignore[union-attr]


def test_metadata_from_the_input_wins_and_ids_stay_unique(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/a", article_html("Page headline", EN, sitename="Page Name", date="2026-01-01"))
        site.add("/b", article_html("Other headline", EN[::-1]))
        targets = [
            Target(site.url("/a"), "export.csv:2", {"id": "mc-1", "outlet": "Export Name",
                                                    "published": "2026-02-02", "title": "",
                                                    "language": "en", "media_url": "x.test"}),
            Target(site.url("/b"), "export.csv:3", {"id": "mc-1"}),
        ]
        report = fetch_targets(targets, tmp_path, FAST)
    first, second = report.outcomes
    assert first.status == "fetched" and first.article_id == "mc-1"
    assert second.status == "failed" and second.reason == (
        f"duplicate article id 'mc-1' (first used by {site.url('/a')})")
    row = json.loads((tmp_path / "articles.jsonl").read_text(encoding="utf-8"))
    assert row["outlet"] == "Export Name" and row["published"] == "2026-02-02"
    assert row["title"] == "Page headline"  # blank in the export: the page's
    assert row["media_url"] == "x.test"


def test_helpers() -> None:
    assert normalize_url(" HTTP://Example.ORG/a?b=1#frag ") == "http://example.org/a?b=1"
    assert normalize_url("http://example.org") == "http://example.org/"
    assert normalize_url("mailto:x@example.org") is None
    assert normalize_url("not a url") is None
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


def test_fetcher_refuses_a_feed_type_as_html() -> None:
    with serve() as site:
        site.add("/feed", "<rss></rss>", content_type="application/rss+xml")
        with pytest.raises(Exception, match=r"not HTML \(content-type application/rss\+xml\)"):
            PoliteFetcher(FAST).get(site.url("/feed"))


def test_a_robots_txt_over_the_size_limit_is_read_up_to_it(tmp_path: Path) -> None:
    with serve() as site:
        rules = "User-agent: *\nDisallow: /private/\n"
        site.add("/robots.txt", rules + "# padding\n" * 60_000, content_type="text/plain")
        site.add("/a", article_html("First story", EN))
        site.add("/private/b", article_html("Second story", EN))
        report = fetch_targets([Target(site.url(p), "x") for p in ("/a", "/private/b")],
                               tmp_path, FAST)
    assert [o.status for o in report.outcomes] == ["fetched", "skipped"]
    assert report.robots == {site.base: "robots.txt read; its rules are honoured"}
