"""Many events: report.html shows the largest in full and indexes every event's own page."""

from __future__ import annotations

import json
from pathlib import Path

from framing_test_corpus import demo_over_events

from framing.api import run_analysis
from framing.report.html import INLINE_EVENTS
from framing.settings import Settings

SETTINGS = Settings(use_model=False, bootstrap_samples=100)
#: Event names carry markup that must come out escaped.
NAME = "event <b>{k:02d}</b>"


def test_many_events_get_an_index_and_one_page_each(tmp_path: Path) -> None:
    n_events = INLINE_EVENTS + 3
    out = tmp_path / "out"
    run_analysis([demo_over_events(tmp_path / "c.jsonl", n_events, NAME)], out, SETTINGS)
    report = (out / "report.html").read_text(encoding="utf-8")
    pages = sorted((out / "events").glob("e*.html"))
    assert len(pages) == n_events
    assert report.count('<section class="event"') == INLINE_EVENTS
    assert 'id="events"' in report and report.count("own page</a>") == n_events
    assert "<b>0" not in report and "<b>1" not in report  # event names escaped
    assert "event &lt;b&gt;00&lt;/b&gt;" in report
    page = pages[0].read_text(encoding="utf-8")
    assert '<a href="../report.html">' in page and page.count('<section class="event"') == 1
    assert "<b>0" not in page
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "events/" in record["outputs"]
    # a later run with few events shows them all and leaves no stale pages behind
    run_analysis([demo_over_events(tmp_path / "small.jsonl", 2, NAME)], out, SETTINGS)
    assert not (out / "events").exists()
    small = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="events"' not in small and small.count('<section class="event"') == 2


def test_report_stays_under_its_byte_budget(tmp_path: Path, monkeypatch) -> None:
    """With more events than report.html shows, it shows the largest in brief (a few sentences
    per figure, the rest on the event's page), drops the smallest of them until it fits its
    byte budget, and lists the largest events with index pages of every event."""
    from framing.report import html

    n_events = INLINE_EVENTS + 3
    corpus = demo_over_events(tmp_path / "c.jsonl", n_events, NAME)
    out = tmp_path / "out"
    run_analysis([corpus], out, SETTINGS)
    full = (out / "report.html").read_text(encoding="utf-8")
    assert "Show the other" not in full  # brief: the rest of the evidence is on the pages
    assert 'more on <a href="events/e' in full
    pages = sorted((out / "events").glob("e*.html"))
    assert any("Show the other" in p.read_text(encoding="utf-8") for p in pages)
    target = full.count("own page</a>")  # every event linked once from the index

    budget = len(full.encode("utf-8")) * 2 // 3
    monkeypatch.setattr(html, "REPORT_MAX_BYTES", budget)
    monkeypatch.setattr(html, "INDEX_ROWS", 5)
    monkeypatch.setattr(html, "INDEX_PAGE_ROWS", 4)
    run_analysis([corpus], out, SETTINGS)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert len(report.encode("utf-8")) <= budget
    shown = report.count('<section class="event"')
    assert 0 < shown < INLINE_EVENTS
    assert f"The {shown} with the most outlets are shown in full below" in report
    assert report.count("own page</a>") == 5 and 'href="events/index-001.html"' in report
    index = sorted((out / "events").glob("index-*.html"))
    assert [p.name for p in index] == [f"index-{k:03d}.html" for k in range(1, 5)]
    listed = [p.read_text(encoding="utf-8") for p in index]
    assert sum(t.count("own page</a>") for t in listed) == n_events == target
    assert all('<a href="../report.html">' in t and "<b>0" not in t for t in listed)
    assert 'href="index-002.html"' in listed[0] and 'href="../events/e' in listed[0]

    monkeypatch.setattr(html, "REPORT_MAX_BYTES", 1)
    run_analysis([corpus], out, SETTINGS)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count('<section class="event"') == 0
    assert "None is shown in full here" in report
