"""The dashboard's "Fetch URLs" view (app/fetch_view.py), against a local 127.0.0.1 site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from local_site import article_html, serve
from streamlit.testing.v1 import AppTest

APP_DIR = Path(__file__).resolve().parents[2] / "app"
PARAS = [
    "The invented village of Oakhollow voted on Sunday to keep its only school open, after a "
    "campaign by parents who collected more than four hundred signatures in a month.",
    "The district council had proposed closing the school and sending its pupils by bus to a "
    "larger school in the next valley, a journey of forty minutes each way.",
]


def _view(app_dir: str, root: str) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, app_dir)
    from fetch_view import render_fetch_view

    from framing.ingest.fetch import FetchSettings

    render_fetch_view(Path(root), FetchSettings(delay=0.0, timeout=2.0, retries=0))


def test_fetch_view_fetches_and_accounts_for_every_url(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/school", article_html("Village keeps its <b>school</b>", PARAS,
                                         sitename="Oakhollow Post"))
        site.add("/report.pdf", b"%PDF-1.4", content_type="application/pdf")
        at = AppTest.from_function(_view, default_timeout=30,
                                   kwargs={"app_dir": str(APP_DIR), "root": str(tmp_path)})
        at.run()
        assert not at.exception, at.exception
        assert at.header[0].value == "Fetch URLs"
        assert "one request every 0 s per host" in at.caption[0].value
        at.button(key="fetch_go").click().run()
        assert [e.value for e in at.error] == ["Paste at least one URL or upload a file first."]
        urls = f"{site.url('/school')}\n# a comment\n{site.url('/report.pdf')}\n{site.url('/x')}"
        at.text_area(key="fetch_urls").input(urls)
        assert at.checkbox(key="fetch_allow_private").value is False  # off by default
        at.checkbox(key="fetch_allow_private").check()  # the local site is on 127.0.0.1
        at.button(key="fetch_go").click().run()
        assert not at.exception, at.exception
    assert not at.error
    assert {m.label: m.value for m in at.metric} == {"URLs": "3", "Fetched": "1",
                                                     "Skipped": "0", "Failed": "2"}
    table = at.dataframe[0].value
    assert list(table["status"]) == ["fetched", "failed", "failed"]
    assert list(table["reason"]) == ["", "not HTML (content-type application/pdf)",
                                     "HTTP 404 (Not Found)"]
    assert list(table["records"]) == ["line 1", "line 3", "line 4"]
    out = Path(at.code[-1].value)
    assert out.name == "articles.jsonl" and out.parent.parent == tmp_path
    assert "Village keeps its <b>school</b>" in out.read_text(encoding="utf-8")
    assert (out.parent / "fetch.json").is_file()


def test_fetch_view_refuses_local_addresses_by_default(tmp_path: Path) -> None:
    with serve() as site:
        site.add("/school", article_html("Village keeps its school", PARAS))
        at = AppTest.from_function(_view, default_timeout=30,
                                   kwargs={"app_dir": str(APP_DIR), "root": str(tmp_path)})
        at.run()
        assert "local, private and cloud-metadata addresses are refused" in at.caption[0].value
        at.text_area(key="fetch_urls").input(f"{site.url('/school')}\nhttp://169.254.169.254/x")
        at.button(key="fetch_go").click().run()
        assert not at.exception, at.exception
        assert site.log == []  # nothing was asked of the local server, robots.txt included
    assert {m.label: m.value for m in at.metric} == {"URLs": "2", "Fetched": "0",
                                                     "Skipped": "2", "Failed": "0"}
    table = at.dataframe[0].value
    hint = "tick “Allow local/private addresses” to fetch local sites"
    assert list(table["reason"]) == [
        f"refused: 127.0.0.1 is a loopback address; {hint}",
        f"refused: 169.254.169.254 is a link-local (cloud metadata) address; {hint}"]


def test_dashboard_opens_the_fetch_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    at = AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.radio(key="source").set_value("Fetch URLs").run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Fetch URLs"
    assert at.button(key="fetch_go")


def test_fetch_then_analyse_keeps_the_results_on_screen(
    cached: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetching does not hide the run on screen; "Analyse these articles" analyses what was
    fetched in one step (no cache path to copy)."""
    monkeypatch.setenv("FRAMING_USE_MODEL", "false")
    monkeypatch.setenv("FRAMING_BOOTSTRAP_SAMPLES", "200")
    with serve() as site:
        site.add("/school", article_html("Village keeps its school", PARAS,
                                         sitename="Oakhollow Post"))
        at = AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=120)
        at.session_state["run_key"] = cached.key
        at.run()
        at.radio(key="source").set_value("Fetch URLs").run()
        assert not at.exception, at.exception
        assert at.header[0].value == "Fetch URLs"
        assert at.session_state["run_key"] == cached.key
        body = "\n".join(e.value for e in at.get("html"))
        assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in body  # the results stay below the fetch view
        at.text_area(key="fetch_urls").input(site.url("/school"))
        at.checkbox(key="fetch_allow_private").check()
        at.button(key="fetch_go").click().run()
        assert not at.exception, at.exception
        assert {m.label: m.value for m in at.metric}["Fetched"] == "1"
        assert at.session_state["run_key"] == cached.key  # fetched, not yet analysed
        assert at.button(key="fetch_analyse").disabled is False
        at.button(key="fetch_analyse").click().run()
        assert not at.exception, at.exception
    key = at.session_state["run_key"]
    assert key != cached.key
    body = "\n".join(e.value for e in at.get("html"))
    assert "Oakhollow Post" in body and "tiny &lt;b&gt;corpus&lt;/b&gt;" not in body
    assert at.header[0].value == "Fetch URLs"  # the fetch view stays, above the new results
    assert "from fetched URLs" in at.caption[-1].value or any(
        "from fetched URLs" in c.value for c in at.caption)


def test_fetch_and_analyse_in_one_click(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("FRAMING_USE_MODEL", "false")
    monkeypatch.setenv("FRAMING_BOOTSTRAP_SAMPLES", "200")
    with serve() as site:
        site.add("/school", article_html("Village keeps its school", PARAS,
                                         sitename="Oakhollow Post"))
        at = AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=120)
        at.run()
        at.radio(key="source").set_value("Fetch URLs").run()
        at.text_area(key="fetch_urls").input(site.url("/school"))
        at.checkbox(key="fetch_allow_private").check()
        at.button(key="fetch_go_analyse").click().run()
        assert not at.exception, at.exception
    assert at.session_state["run_key"]
    assert "Oakhollow Post" in "\n".join(e.value for e in at.get("html"))
