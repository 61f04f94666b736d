"""The dashboard as a research instrument, in a real browser (issue 27): switching runs, failed
uploads, the one outlet table at three screen widths, claims side by side, the features view."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from framing.api import demo_corpus_path
from framing.ingest.readers import TEXT_WITHOUT_OUTLET
from framing.report.html import KEY_FEATURES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
#: Screenshots for the README tour (docs/img) are taken from these tests.
DOCS_IMG = REPO / "docs" / "img"
WIDTHS = (1100, 1280, 1920)
TABS = ("Outlets", "Features", "Reader", "Sources", "Labels", "Terms", "Claims", "Contrasts",
        "Over time", "Side by side", "Export")


def _page(browser: Any, width: int = 1280, height: int = 1000) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return page, problems


def _no_exception(page: Any) -> None:
    """No Streamlit exception box (a traceback) anywhere on the page."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert "Traceback" not in page.inner_text("body")


def _wait_analysed(page: Any) -> None:
    try:
        page.get_by_role("tab", name="Reader").wait_for(timeout=240_000)
    except Exception:
        page.screenshot(path="/tmp/dash-scratch/fail.png")
        raise


def _event_box(page: Any) -> Any:
    return page.get_by_role("combobox", name="Event", exact=True)


def _analyse_demo(page: Any) -> None:
    page.get_by_text("Demo corpus", exact=True).click()
    page.get_by_role("button", name="Analyse demo corpus").click()
    _wait_analysed(page)
    from playwright.sync_api import expect

    expect(page.locator("h1").filter(has_text="framing demo: invented corpus")).to_be_visible(
        timeout=240_000)


def _csv_without_events(path: Path) -> Path:
    rows = [json.loads(line) for line in demo_corpus_path().read_text(encoding="utf-8")
            .splitlines() if line.strip()]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "outlet", "title", "published", "text"])
        for r in rows[:6]:
            w.writerow([r["id"], r["outlet"], r["title"], r["published"], r["text"]])
    return path


def _upload(page: Any, path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_text("Upload files", exact=True).click()
    page.locator('input[type="file"]').set_input_files(str(path))
    expect(page.get_by_text(path.name).first).to_be_visible()  # reached the server
    page.get_by_role("button", name="Analyse uploads").click()


def test_switching_runs_and_failed_uploads(browser: Any, dashboard_url: str,
                                         tmp_path: Path) -> None:
    """A CSV without an event column, then the demo, then the CSV's run from "Analysed before":
    no traceback, and the event box follows each run. A .txt that is no corpus clears the run on
    screen and says how to name an outlet."""
    from playwright.sync_api import expect

    page, problems = _page(browser)
    page.goto(dashboard_url)
    plain = _csv_without_events(tmp_path / "noevent.csv")
    _upload(page, plain)
    _wait_analysed(page)
    _no_exception(page)
    expect(_event_box(page)).to_have_value("All articles")
    page.get_by_role("tab", name="Reader").click()
    expect(page.locator("h2.article-title")).to_have_count(1)

    _analyse_demo(page)  # the crash was here: "event None not in run"
    _no_exception(page)
    expect(_event_box(page)).to_have_value("peshawar-isk-commander-2025")
    expect(page.locator("h2.article-title")).to_have_count(1)  # the Reader, on the new run

    page.get_by_text("Analysed before", exact=True).click()
    box = page.get_by_role("combobox", name="Analysed corpus", exact=True)
    expect(box).to_have_value(re.compile("^framing demo: invented corpus"))  # the run on screen
    box.click()
    page.get_by_role("option", name=re.compile("noevent.csv")).click()
    page.locator(".st-key-open_run button").click()
    expect(_event_box(page)).to_have_value("All articles")
    _no_exception(page)
    expect(page.locator("h2.article-title")).to_have_count(1)

    # a failed upload: the run on screen goes, the reason says how to name an outlet
    note = tmp_path / "notes.txt"
    note.write_text("Shopping list: eggs, milk, bread.", encoding="utf-8")
    _upload(page, note)
    alert = page.locator('[data-testid="stAlertContentError"]')
    expect(alert).to_contain_text("No article could be analysed (1 record read)")
    expect(alert).to_contain_text("front matter")
    expect(page.get_by_role("tab", name="Reader")).to_have_count(0)
    expect(page.locator("h1").filter(has_text="framing report")).to_have_count(0)
    # this upload's rejected record, in a table under the message (not the old run's)
    expect(page.get_by_role("heading", name="Rejected records")).to_be_visible()
    expect(page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')).to_have_count(1)
    assert TEXT_WITHOUT_OUTLET.split(":")[0] in alert.inner_text()
    _no_exception(page)
    assert problems == []


def _scroll_to(page: Any, selector: str, above: int) -> None:
    """Scroll the page (Streamlit's main column scrolls, not the window) to ``selector`` with
    ``above`` pixels of what precedes it."""
    page.evaluate("""([selector, above]) => {
        document.querySelector(selector).scrollIntoView({block: 'start'});
        document.querySelector('[data-testid=stMain]').scrollBy(0, -above); }""",
                  [selector, above])


def _tab_strip_fits(page: Any) -> None:
    """Every tab is visible inside the main column (the strip wraps rather than scrolls)."""
    main = page.locator('[data-testid="stMain"] [data-testid="stMainBlockContainer"]')
    box = main.bounding_box()
    for name in TABS:
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.scroll_into_view_if_needed()
        expect_box = tab.bounding_box()
        assert expect_box is not None, name
        assert expect_box["x"] >= box["x"] - 1, name
        assert expect_box["x"] + expect_box["width"] <= box["x"] + box["width"] + 1, name


def _no_sideways_scroll(page: Any) -> None:
    sizes = page.evaluate("""() => ({
        page: document.scrollingElement.scrollWidth, window: window.innerWidth,
        main: document.querySelector('[data-testid="stMain"]').scrollWidth,
        mainBox: document.querySelector('[data-testid="stMain"]').clientWidth})""")
    assert sizes["page"] <= sizes["window"], sizes
    assert sizes["main"] <= sizes["mainBox"], sizes


def test_one_outlet_table_fits_every_width(browser: Any, dashboard_url: str,
                                           shots: Path) -> None:
    """Outlets: one aligned table (features down the side, outlets across), which scrolls
    inside itself when needed; the page never scrolls sideways and every tab shows."""
    from playwright.sync_api import expect

    page, problems = _page(browser)
    page.goto(dashboard_url)
    _analyse_demo(page)
    table = page.locator("table.outlet-table").first
    expect(table).to_be_visible()
    expect(page.locator("table.outlet-table")).to_have_count(1)  # (a group per outlet: no group table)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(500)
        _no_sideways_scroll(page)
        _tab_strip_fits(page)
        wrapper = page.locator(".table-scroll").first
        inner = wrapper.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect()"
                                 ".right, window.innerWidth]")
        assert inner[2] <= inner[3], (width, inner)  # the table's box stays on the page
        # aligned: every row has a cell per outlet
        heads = table.locator("thead th.outlet")
        expect(heads).to_have_count(3)
        for row in table.locator("tbody tr").all():
            assert row.locator("td").count() == 3
        if width == 1280:
            _scroll_to(page, ".st-key-event", 70)
            page.wait_for_timeout(400)
            page.screenshot(path=str(shots / "dashboard-outlets.png"))
    # the significant differences are marked, the reason on hover
    marked = page.locator("table.outlet-table td.sig")
    if marked.count():
        assert re.match(r"(Higher|Lower) than ", marked.first.get_attribute("title") or "")
    expect(page.get_by_role("button", name="Download this view (CSV)").first).to_be_visible()
    assert problems == []


def test_claims_side_by_side_open_the_reader(browser: Any, dashboard_url: str,
                                            shots: Path) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser, 1280, 1100)
    page.goto(dashboard_url)
    _analyse_demo(page)
    page.get_by_role("tab", name="Claims").click()
    expect(page.locator(".claim-text")).to_have_count(1)
    # the first claim: a headline claim carried by the most outlets
    expect(page.locator(".claim-text")).to_have_text(
        "Pakistan and Afghanistan trade blame after militant commander's killing")
    columns = page.locator(".claim-col h3")
    expect(columns).to_have_count(3)  # one column per outlet
    expect(columns.nth(0)).to_have_text("Global Wire Service")
    expect(page.locator(".claim-sentence").first).to_be_visible()
    expect(page.get_by_role("button", name="Download this view (CSV)")).to_have_count(1)
    # another claim: one the Global Wire Service does not carry
    claim_box = page.get_by_role("combobox", name="Claim to read side by side", exact=True)
    claim_box.click()
    claim_box.fill("Pakistan is accused")  # the box filters its options as one types
    page.get_by_role("option", name=re.compile(r"^\d+ · Pakistan is accused")).click()
    expect(page.locator(".claim-text")).not_to_have_text(
        "Pakistan and Afghanistan trade blame after militant commander's killing")
    expect(page.locator(".absent").filter(has_text="Does not carry this claim.")).not_to_have_count(
        0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    _scroll_to(page, ".st-key-claim_pick", 30)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "dashboard-claims.png"))

    # each sentence opens the Reader at its article
    opener = page.get_by_role("button", name="Open in the Reader").first
    opener.scroll_into_view_if_needed()
    opener.click()
    expect(page.get_by_role("tab", name="Reader", exact=True)).to_have_attribute(
        "aria-selected", "true")
    expect(page.locator("h2.article-title")).to_have_count(1)
    _no_exception(page)
    assert problems == []


def test_features_view_charts_the_chosen_features(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser)
    page.goto(dashboard_url)
    _analyse_demo(page)
    page.get_by_role("tab", name="Features").click()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    # every chart drawn first (the key features this lexicon-only run measures: two are not),
    # else a count taken while they are still being drawn is too small
    n = len(KEY_FEATURES) - 2
    expect(charts).to_have_count(n)
    # take one feature away: one chart fewer
    page.locator(".st-key-features_chosen").get_by_role(
        "button", name=re.compile("^Remove")).first.click()
    expect(charts).to_have_count(n - 1)
    _no_exception(page)
    assert problems == []


@pytest.fixture(scope="module", autouse=True)
def _docs_screenshots(shots: Path) -> Any:
    """With FRAMING_DOCS_SCREENSHOTS=1, the outlet table and claims screenshots go to
    docs/img for the README tour (otherwise only to the screenshots folder)."""
    yield
    if os.environ.get("FRAMING_DOCS_SCREENSHOTS") != "1":
        return
    for name in ("dashboard-outlets.png", "dashboard-claims.png"):
        if (shots / name).is_file():
            shutil.copyfile(shots / name, DOCS_IMG / name)
