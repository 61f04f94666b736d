"""report.html opened in headless Chromium: no network request, no console error, no script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import framing_test_corpus as corpus
import pytest

from framing.report.html import KEY_FEATURES, render_report

pytestmark = pytest.mark.browser



def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in (
        "error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, requests, problems


def test_hostile_report_is_inert(browser: Any, shots: Path, tmp_path: Path) -> None:
    ingest, analyzed = corpus.tiny_corpus()
    comps = corpus.comparisons(analyzed)
    html = render_report(comps, analyzed, ingest, "<script>window.__pwned=9</script>hostile")
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page, requests, problems = _open(browser, path)
    assert requests == [path.resolve().as_uri()]
    assert problems == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script, img").count() == 0
    assert page.locator("h1").inner_text() == "<script>window.__pwned=9</script>hostile"
    assert page.get_by_text("<script>window.__pwned=1</script>Evil Times").first.is_visible()
    page.screenshot(path=str(shots / "report-hostile.png"))


@pytest.mark.slow
def test_demo_report_in_chromium(browser: Any, shots: Path, demo_run: Any) -> None:
    path = demo_run.paths["report.html"]
    page, requests, problems = _open(browser, path)
    assert requests == [path.resolve().as_uri()]  # no CDN, font, image or script request
    assert problems == []
    assert page.locator("svg.chart").count() >= len(KEY_FEATURES)
    for outlet in ("Global Wire Service", "Islamabad Herald", "Kabul Dispatch"):
        assert page.locator("table.side th", has_text=outlet).count() >= 1
    assert page.locator("mark.author").count() > 0 and page.locator("mark.quoted").count() > 0
    page.screenshot(path=str(shots / "report-top.png"))
    page.locator("#e0-loaded_density_author").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "report-evidence.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "report-print.png"), full_page=False)
