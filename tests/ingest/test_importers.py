"""Importers: Media Cloud, GDELT, RSS/Atom and URL lists, fetched from a local 127.0.0.1 site.

Every row, entry and page below is invented for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from local_site import Site, article_html, serve

from framing import api
from framing.cli import main
from framing.ingest.fetch import FetchSettings
from framing.ingest.importers import (
    GKG_COLUMNS,
    ImportProblem,
    detect_format,
    fetch_corpus,
    gdelt_date,
    import_source,
    read_feed,
    read_gdelt,
    read_url_list,
)

# the local site is on 127.0.0.1: allow_private, as for any local test site
FAST = FetchSettings(delay=0.0, timeout=2.0, retries=0, backoff=0.01, allow_private=True)
PARAS = [
    "The harbour authority of the invented port of Saltmere said on Monday that two cargo "
    "ships had collided in fog, and that nobody was hurt in the early-morning accident.",
    "Divers inspected both hulls during the afternoon, and the authority said the channel would "
    "reopen on Wednesday once a damaged buoy had been replaced by its crew.",
    "Fishermen complained that the closure would cost them two days of work in the busiest "
    "week of the season, and asked the authority for compensation.",
]


def _site() -> Site:
    site = Site()
    site.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    site.add("/a", article_html("Ships collide in fog", PARAS, sitename="Page Site Name",
                                date="2026-03-01"))
    site.add("/b", article_html("Channel to reopen", PARAS[::-1]))
    site.add("/c", article_html("Fishermen want compensation", PARAS[1:] + PARAS[:1]))
    return site


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _articles(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in
            (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


def test_mediacloud_export_metadata_wins_over_the_page(tmp_path: Path) -> None:
    with serve(_site()) as site:
        export = _write(tmp_path / "stories.csv", (
            "id,indexed_date,language,media_name,media_url,publish_date,title,url\n"
            f"mc-101,2026-03-02 08:00:00,en,Saltmere Gazette,saltmere.test,2026-03-01 07:15:00,"
            f"\"Ships collide, nobody hurt\",{site.url('/a')}\n"
            f"mc-102,2026-03-02 09:00:00,en,Harbour Weekly,harbour.test,2026-03-02,,"
            f"{site.url('/b')}\n"
            "mc-103,2026-03-02 10:00:00,en,Harbour Weekly,harbour.test,2026-03-02,No link,\n"
            f"mc-104,2026-03-02 11:00:00,en,Harbour Weekly,harbour.test,2026-03-02,Again,"
            f"{site.url('/a')}\n"
        ))
        assert detect_format(str(export)) == "mediacloud"
        lines: list[str] = []
        report = fetch_corpus(str(export), tmp_path / "out", settings=FAST,
                              progress=lines.append)
    statuses = {o.url.rsplit("/", 1)[-1]: (o.status, o.reason, o.records) for o in
                report.outcomes}
    assert statuses["a"] == ("fetched", None, (f"{export}:2", f"{export}:5"))
    assert statuses["b"][0] == "fetched"
    assert statuses[""] == ("skipped", "no URL in the 'url' column", (f"{export}:4",))
    assert report.input is not None and report.input.unmapped == ("indexed_date",)
    assert report.input.mapped["media_name"] == "outlet"
    assert report.input.mapped["publish_date"] == "published"
    assert any("unmapped: indexed_date" in line for line in lines)
    rows = {r["id"]: r for r in _articles(tmp_path / "out")}
    assert set(rows) == {"mc-101", "mc-102"}
    a = rows["mc-101"]
    assert a["outlet"] == "Saltmere Gazette"  # not the page's "Page Site Name"
    assert a["published"] == "2026-03-01 07:15:00" and a["title"] == "Ships collide, nobody hurt"
    assert a["media_url"] == "saltmere.test"
    assert rows["mc-102"]["title"] == "Channel to reopen"  # blank in the export: the page's
    saved = json.loads((tmp_path / "out" / "fetch.json").read_text(encoding="utf-8"))
    assert saved["input"]["format"] == "mediacloud"
    assert saved["input"]["unmapped"] == ["indexed_date"]
    assert saved["counts"]["records"] == 4 and saved["counts"]["duplicates"] == 1
    ingest = api.load([tmp_path / "out" / "articles.jsonl"])
    assert ingest.n_read == 2 and not ingest.rejections


def test_gdelt_gkg_with_a_header(tmp_path: Path) -> None:
    gkg = _write(tmp_path / "gkg.tsv", (
        "GKGRECORDID\tV2.1DATE\tV2SourceCollectionIdentifier\tV2SourceCommonName\t"
        "V2DocumentIdentifier\tV2Themes\tV2.1Quotations\n"
        "20260301-1\t20260301101500\t1\tsaltmere.test\thttp://saltmere.test/a\tTAX_X;Y\t"
        "0|12|said|\"we saw nothing\"\n"
        "20260301-2\t20260301111500\t1\tharbour.test\thttp://harbour.test/b\t\t\n"
    ))
    assert detect_format(str(gkg)) == "gdelt"
    imported = read_gdelt(gkg)
    assert imported.info.format == "gdelt-gkg"
    assert [t.url for t in imported.targets] == ["http://saltmere.test/a", "http://harbour.test/b"]
    first = imported.targets[0]
    assert first.metadata == {"published": "2026-03-01T10:15:00Z", "outlet": "saltmere.test",
                              "gdelt_record_id": "20260301-1"}
    assert first.record == f"{gkg}:2"
    assert imported.info.unmapped == ("V2SourceCollectionIdentifier", "V2Themes",
                                      "V2.1Quotations")


def test_gdelt_headerless_gkg_and_events_fetched_once_per_url(tmp_path: Path) -> None:
    with serve(_site()) as site:
        row = [""] * len(GKG_COLUMNS)
        row[0], row[1], row[3], row[4] = "r1", "20260301101500", "Saltmere Gazette", site.url("/a")
        gkg = _write(tmp_path / "20260301.gkg.csv", "\t".join(row) + "\n")
        assert detect_format(str(gkg)) == "gdelt"
        imported = import_source(str(gkg))
        assert imported.info.mapped["column 5 (DocumentIdentifier)"] == "url"
        assert len(imported.info.unmapped) == 23 and imported.info.notes
        events = []
        for n, path in enumerate(["/a", "/b", "/a"], start=1):
            cells = [str(1000 + n)] + ["x"] * 58 + ["20260301120000", site.url(path)]
            events.append("\t".join(cells))
        export = _write(tmp_path / "20260301.export.CSV", "\n".join(events) + "\n")
        report = fetch_corpus(str(export), tmp_path / "out", "gdelt", FAST)
    assert report.input is not None and report.input.format == "gdelt-events"
    assert report.counts()["records"] == 3 and report.counts()["urls"] == 2
    a = report.outcomes[0]
    assert a.status == "fetched" and a.records == (f"{export}:1", f"{export}:3")
    assert site.requests_for("/a") == 1
    rows = _articles(tmp_path / "out")
    assert rows[0]["published"] == "2026-03-01T12:00:00Z"
    assert rows[0]["gdelt_event_id"] == "1001"
    assert rows[0]["outlet"] == "Page Site Name"  # events name no outlet: the page's site name


def test_gdelt_file_of_unknown_shape_is_refused(tmp_path: Path) -> None:
    bad = _write(tmp_path / "odd.tsv", "a\tb\tc\n")
    with pytest.raises(ImportProblem, match="3 tab-separated columns"):
        read_gdelt(bad)


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Saltmere &amp; District Radio</title><language>en-gb</language>
<link>{base}/</link><description>Invented feed</description>
<item><title>Full story in the feed</title><link>{base}/full</link><guid>{base}/full</guid>
<pubDate>Mon, 02 Mar 2026 09:30:00 GMT</pubDate>
<content:encoded><![CDATA[{full}]]></content:encoded><category>Harbour</category></item>
<item><title>Teaser only</title><link>{base}/a</link>
<description>Two ships collided&#8230;</description></item>
<item><title>No link at all</title><description>Something happened.</description></item>
</channel></rss>
"""


def _feed(base: str) -> str:
    full = "".join(f"<p>{p}</p>" for p in PARAS) + "<script>track()</script>"
    return FEED.format(base=base, full=full)


def test_rss_file_full_entries_become_articles_others_are_fetched(tmp_path: Path) -> None:
    with serve(_site()) as site:
        feed = _write(tmp_path / "feed.xml", _feed(site.base))
        report = fetch_corpus(str(feed), tmp_path / "out", settings=FAST)
        assert site.requests_for("/full") == 0  # its content was in the feed
        assert site.requests_for("/a") == 1
    full, teaser, nolink = report.outcomes
    assert (full.status, full.source) == ("fetched", "feed")
    assert (teaser.status, teaser.source) == ("fetched", "network")
    assert (nolink.status, nolink.reason) == ("skipped", "feed entry without a link")
    assert nolink.records == (f"{feed}#entry3",)
    assert report.input is not None and "tags" in report.input.unmapped
    assert "summary" in report.input.unmapped
    rows = _articles(tmp_path / "out")
    first = rows[0]
    assert first["outlet"] == "Saltmere & District Radio" and first["language"] == "en"
    assert first["published"] == "2026-03-02T09:30:00Z"
    assert first["text"].split("\n")[0] == PARAS[0] and "track()" not in first["text"]
    assert rows[1]["title"] == "Teaser only" and rows[1]["outlet"] == "Saltmere & District Radio"
    ingest = api.load([tmp_path / "out" / "articles.jsonl"])
    assert ingest.n_read == 2 and not ingest.rejections


def test_rss_from_a_url_through_the_polite_fetcher(tmp_path: Path) -> None:
    with serve(_site()) as site:
        site.add("/feed.xml", _feed(site.base), content_type="application/rss+xml")
        report = fetch_corpus(site.url("/feed.xml"), tmp_path / "out", settings=FAST)
        assert site.log.count("/robots.txt") == 1 and site.log[0] == "/robots.txt"
    assert report.input is not None and report.input.path == site.url("/feed.xml")
    assert report.counts()["fetched"] == 2


def test_not_a_feed_is_refused() -> None:
    with pytest.raises(ImportProblem, match="not an RSS or Atom feed"):
        read_feed(b"<html><body>hello</body></html>", "page.xml")


def test_url_lists_text_and_csv(tmp_path: Path) -> None:
    text = _write(tmp_path / "urls.txt", "# my list\n\nhttp://x.test/a\n  http://x.test/b  \n"
                                        "not a url\n")
    imported = read_url_list(text)
    assert [(t.url, t.record) for t in imported.targets] == [
        ("http://x.test/a", f"{text}:3"), ("http://x.test/b", f"{text}:4"),
        ("not a url", f"{text}:5")]
    table = _write(tmp_path / "urls.csv", "url,outlet,notes\nhttp://x.test/a,X Daily,keep\n"
                                          ",X Daily,no link\n")
    assert detect_format(str(table)) == "urls"
    imported = read_url_list(table)
    assert imported.info.unmapped == ("notes",)
    assert imported.targets[0].metadata == {"outlet": "X Daily"}
    assert imported.targets[1].problem == "no URL in the 'url' column"


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format("https://x.test/feed") == "rss"
    assert detect_format(str(_write(tmp_path / "f.atom", "<feed/>"))) == "rss"
    assert detect_format(str(_write(tmp_path / "f.txt", "http://x.test/a\n"))) == "urls"
    assert detect_format(str(_write(tmp_path / "e.tsv", "GLOBALEVENTID\tSOURCEURL\n"))) == "gdelt"
    assert gdelt_date("20260301") == "2026-03-01" and gdelt_date("2026") is None
    with pytest.raises(ImportProblem, match="only a feed"):
        import_source("https://x.test/list.txt", "urls")


def test_cli_fetch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(_site()) as site:
        urls = _write(tmp_path / "urls.txt", f"{site.url('/a')}\n{site.url('/missing')}\n")
        code = main(["fetch", "--from", "urls", str(urls), "--out", str(tmp_path / "out"),
                     "--delay", "0", "--retries", "0", "--allow-private"])
    captured = capsys.readouterr()
    assert code == 0
    assert "2 records, 2 URLs: fetched 1 (1 from the network" in captured.out
    assert f"[1/2] fetched {site.url('/a')}" in captured.err
    assert f"failed {site.url('/missing')} ({urls}:2): HTTP 404 (Not Found)" in captured.err
    assert "unmapped: (none)" in captured.err
    assert main(["fetch", str(tmp_path / "nothing.txt"), "--out", str(tmp_path / "o2")]) == 2
    assert "cannot be read" in capsys.readouterr().err
