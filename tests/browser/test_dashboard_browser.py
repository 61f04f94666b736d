"""The dashboard in a real browser: demo corpus, switch outlet and article, hostile upload."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from framing.report.html import KEY_FEATURES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE_OUTLET = "<script>window.__pwned=1</script>Evil Times"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=2">Headline'
HOSTILE_TEXT = (
    'The minister said the <img src=x onerror="window.__pwned=3"> plan was a shameful failure. '
    "Officials said the attack was cowardly and that the police had been warned."
)


def _page(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)  # small shared CI machines
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page, problems


def _choose(page: Any, label: str, option: str | re.Pattern[str]) -> None:
    """Open a select box and pick an option. A view is a fragment that may be drawn again while
    the box opens (closing its list): open it again until the option shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True)
    wanted = page.get_by_role("option", name=option).first
    for _ in range(5):
        box.click()
        try:
            wanted.wait_for(state="visible", timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    wanted.click()


def _expect_title(page: Any, text: str) -> None:
    """Wait until the rerun settled on exactly one article title with ``text``."""
    from playwright.sync_api import expect

    titles = page.locator("h2.article-title")
    expect(titles.filter(has_text=text)).to_have_count(1, timeout=30_000)
    expect(titles).to_have_count(1, timeout=30_000)
    expect(titles).to_have_text(text)


def _wait_analysed(page: Any) -> None:
    page.get_by_role("tab", name="Reader").wait_for(timeout=240_000)


def test_demo_switch_outlet_and_article(browser: Any, dashboard_url: str, shots: Path) -> None:
    from playwright.sync_api import expect

    page, problems = _page(browser)
    page.goto(dashboard_url)
    page.get_by_role("button", name="Analyse demo corpus").click()
    _wait_analysed(page)
    heads = page.locator("table.outlet-table thead th.outlet")
    expect(heads.nth(0)).to_contain_text("Global Wire Service")
    expect(heads.nth(1)).to_contain_text("Islamabad Herald")
    expect(heads.nth(2)).to_contain_text("Kabul Dispatch")
    # plain names on screen, the feature code on hover
    first = page.locator("table.outlet-table tbody th.feat").first
    expect(first).to_have_text("Share of assertions in its own voice")
    assert (first.get_attribute("title") or "").startswith("author_voice_share: ")
    page.get_by_role("tab", name="Features").click()
    # the key features first (those this lexicon-only run measures), with readable axes
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts.first).to_be_visible()
    expect(charts).to_have_count(len(KEY_FEATURES) - 2)  # no model: two are not measured

    page.get_by_role("tab", name="Reader").click()
    expect(page.get_by_role("tab", name="Reader")).to_have_attribute("aria-selected", "true")
    _choose(page, "Outlet", "Kabul Dispatch")
    _expect_title(page, "Who Protected Daesh's Commander in Peshawar?")
    reader = page.locator(".reader")
    expect(reader).to_contain_text("The killing exposes Islamabad's denials.")
    # The outlet's own loaded words are marked, with score and category on hover ("exposes" is
    # no longer lexicon evidence: loaded in 0 of 6 real-news matches, loaded_terms.tsv)
    mark = reader.locator("mark.author").filter(has_text="so-called").first
    expect(mark).to_be_visible()
    assert re.search(r"score \d\.\d\d; the outlet's own voice", mark.get_attribute("title") or "")
    expect(reader.locator("span.src").filter(has_text="Spinghar Television").first).to_be_visible()
    expect(reader.locator("span.cue").first).to_be_visible()

    _choose(page, "Article", re.compile(r"^kd-002"))
    expect(page.get_by_role("combobox", name="Article", exact=True)).to_have_value(re.compile("^kd-002"))
    _expect_title(page, "Is Pakistan Still a Safe Haven for ISIS-K?")
    expect(reader.locator("mark").first).to_be_visible()
    page.screenshot(path=str(shots / "dashboard-reader.png"), full_page=False)

    _choose(page, "Outlet", "Islamabad Herald")
    expect(page.get_by_role("combobox", name="Article", exact=True)).to_have_value(re.compile("^ih-001"))
    page.get_by_role("tab", name="Export").click()
    expect(page.get_by_role("button", name="Report (HTML)")).to_be_visible()
    page.get_by_role("button", name="Build PDF").click()
    expect(page.get_by_role("button", name="Report (PDF)")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("button", name="PARQUET").first).to_be_visible()
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator(".view-intro").first).to_contain_text("Every source each outlet credits")
    page.get_by_role("tab", name="Contrasts").click()
    # the differences that hold, in plain sentences, or a plain "no difference holds"
    contrasts = page.locator(".view-intro").filter(has_text="Every pair of outlets")
    expect(contrasts).to_contain_text(re.compile(r"holds? (on both|between|:)"))
    expect(page.locator('[data-testid="stDataFrame"]:visible')).to_have_count(1)
    page.screenshot(path=str(shots / "dashboard-contrasts.png"), full_page=False)
    # .streamlit/config.toml: no Deploy button in the toolbar
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    assert problems == []


def test_hostile_upload_renders_as_text(
    browser: Any, dashboard_url: str, shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    corpus = tmp_path / "hostile.jsonl"
    records = [
        {"id": "h-1", "outlet": HOSTILE_OUTLET, "title": HOSTILE_TITLE, "text": HOSTILE_TEXT},
        {"id": "n-1", "outlet": "Plain Post", "title": "Plain", "text": HOSTILE_TEXT[:60] + "."},
        {"id": "bad", "text": "no outlet here"},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    page, problems = _page(browser)
    page.goto(dashboard_url)
    page.get_by_text("Upload files").click()
    page.locator('input[type="file"]').set_input_files(str(corpus))
    # The upload must have reached the server before the button reads it.
    expect(page.get_by_text("hostile.jsonl")).to_be_visible()
    page.get_by_role("button", name="Analyse uploads").click()
    _wait_analysed(page)
    expect(page.locator("table.outlet-table thead th.outlet").first).to_contain_text(
        HOSTILE_OUTLET)
    expect(page.get_by_text("1 rejected", exact=False).first).to_be_visible()
    page.get_by_role("tab", name="Reader").click()
    _choose(page, "Outlet", HOSTILE_OUTLET)
    _expect_title(page, HOSTILE_TITLE)
    expect(page.locator(".reader")).to_contain_text('<img src=x onerror="window.__pwned=3">')
    page.screenshot(path=str(shots / "dashboard-hostile.png"), full_page=False)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[onerror], .framing-view script").count() == 0
    assert problems == []
