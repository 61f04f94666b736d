"""Many events: report.html shows the largest in full and indexes every event's own page."""

from __future__ import annotations

import json
from pathlib import Path

from framing.api import demo_corpus_path, run_analysis
from framing.report.html import INLINE_EVENTS
from framing.settings import Settings

SETTINGS = Settings(use_model=False, bootstrap_samples=100)


def _corpus(path: Path, n_events: int) -> Path:
    """The demo articles spread over ``n_events`` events (copies get new ids); event names
    carry markup that must come out escaped."""
    rows = [json.loads(line) for line in
            demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for k in range(n_events):
        for j in range(2):
            r = dict(rows[(2 * k + j) % len(rows)])
            r["id"] = f"{r['id']}-{k}-{j}"
            r["event"] = f"event <b>{k:02d}</b>"
            out.append(r)
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return path


def test_many_events_get_an_index_and_one_page_each(tmp_path: Path) -> None:
    n_events = INLINE_EVENTS + 3
    out = tmp_path / "out"
    run_analysis([_corpus(tmp_path / "c.jsonl", n_events)], out, SETTINGS)
    report = (out / "report.html").read_text(encoding="utf-8")
    pages = sorted((out / "events").glob("e*.html"))
    assert len(pages) == n_events
    assert report.count('<section class="event"') == INLINE_EVENTS
    assert 'id="events"' in report and report.count('href="events/e') == n_events
    assert "<b>0" not in report and "<b>1" not in report  # event names escaped
    assert "event &lt;b&gt;00&lt;/b&gt;" in report
    page = pages[0].read_text(encoding="utf-8")
    assert '<a href="../report.html">' in page and page.count('<section class="event"') == 1
    assert "<b>0" not in page
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "events/" in record["outputs"]
    # a later run with few events shows them all and leaves no stale pages behind
    run_analysis([_corpus(tmp_path / "small.jsonl", 2)], out, SETTINGS)
    assert not (out / "events").exists()
    small = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="events"' not in small and small.count('<section class="event"') == 2
