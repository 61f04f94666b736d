"""Streamlit AppTest of the dashboard's logic, on a cached hand-written corpus (no spaCy)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import framing_test_corpus as corpus
import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"
dashboard = sys.modules["framing_dashboard"]
Cached = Any


def _html(at: AppTest) -> str:
    return "\n".join(e.value for e in at.get("html"))


def _frame(at: AppTest, *columns: str) -> Any:
    """The first dataframe shown with these columns (AppTest does not expose their keys)."""
    for d in at.dataframe:
        if list(d.value.columns) == list(columns):
            return d.value
    raise AssertionError(f"no dataframe with columns {columns}")


def _open(cached: Cached, view: str = "Outlets") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["run_key"] = cached.key
    at.session_state["view"] = view  # the open tab (only it is computed)
    at.run()
    assert not at.exception, at.exception
    return at


def _switch(at: AppTest, view: str) -> AppTest:
    at.session_state["view"] = view
    at.run()
    assert not at.exception, at.exception
    return at


def test_start_page_without_a_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "framing"
    assert [r.value for r in at.radio] == ["Demo corpus"]
    model = at.selectbox(key="loaded_model")
    assert model.value == "tuned" and model.options == [
        "fine-tuned MiniLM (loaded-tuned-2)", "frozen-encoder heads (loaded-heads-1)"]
    at.checkbox(key="lexicon_only").check().run()
    assert at.selectbox(key="loaded_model").disabled


def test_cached_run_shows_outlets_side_by_side(cached: Cached) -> None:
    at = _open(cached)
    body = _html(at)
    # The run title is user text: escaped, never markup.
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in body and "<b>corpus</b>" not in body
    assert at.selectbox(key="event").value == "ev-1"
    for outlet in ("Alpha News", "Beta Wire"):
        assert f"<h3>{outlet}</h3>" in body
    # Key figures with intervals: Beta's question count is 0 in b-1 and 1 in b-2, and Alpha's
    # author-voice share is 1/2 in both articles (interval collapses to the mean).
    # each figure reads as a question, its feature name beneath, its definition on hover
    assert ("How much does the outlet assert in its own voice?<br>"
            '<span class="small">author_voice_share</span>') in body
    assert '<td class="num">0.50 [0.50, 0.50]</td>' in body
    assert "5 analysed" in at.caption[0].value and "1 rejected" in at.caption[0].value
    rejected = _frame(at, "record", "status", "reason")
    assert list(rejected["reason"]) == ["missing outlet <b>bold</b>"]


def test_reader_switches_outlet_and_article(cached: Cached) -> None:
    at = _open(cached, "Reader")
    assert at.selectbox(key="outlet").options == sorted(
        ["Alpha News", "Beta Wire", corpus.HOSTILE_OUTLET]
    )
    at.selectbox(key="outlet").set_value("Alpha News").run()
    assert at.selectbox(key="article").options == ["a-1 — Alpha one", "a-2 — Alpha two"]
    body = _html(at)
    assert '<mark class="author" title="loaded (evaluative); score 0.90; the outlet' in body
    assert '<span class="src" title="source: Police chief Ann Lee (named person)' in body
    at.selectbox(key="article").set_value("a-2").run()
    body = _html(at)
    # A loaded span whose speaker is a source is that source's own words (blue).
    assert ('<mark class="quoted" title="loaded (intensifier); score 0.80; quoted: the words of '
            'Officials"') in body
    attrs = _frame(at, "part", "source", "source kind", "kind", "cue", "content", "via")
    assert attrs["source"].tolist() == ["Officials"]
    at.selectbox(key="outlet").set_value("Beta Wire").run()
    assert at.selectbox(key="article").value == "b-1"
    assert "According to" in _html(at)


def test_hostile_outlet_and_title_render_as_text(cached: Cached) -> None:
    at = _open(cached, "Reader")
    at.selectbox(key="outlet").set_value(corpus.HOSTILE_OUTLET).run()
    body = _html(at)
    assert "<script>window.__pwned" not in body and "<img src=x" not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Evil Times" in body
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;Headline" in body
    assert "&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;" in body


def test_table_views_and_exports(cached: Cached) -> None:
    out = cached.root / "runs" / cached.key
    (out / "labels.csv").unlink(missing_ok=True)  # a run from before labels existed
    (out / "terms.csv").write_text("event,outlet,term\n", encoding="utf-8")
    at = _open(cached, "Sources")
    sources = _frame(at, "event", "outlet", "source", "n")
    assert sources["source"].tolist() == ["Police chief Ann Lee"]  # ev-2 row filtered out
    assert not at.get("html") or "outlet-card" not in _html(at)  # hidden tabs not computed
    _switch(at, "Labels")
    assert [i.value for i in at.info] == [
        "Labels: not available for this run (labels.csv was not produced)."
    ]
    _switch(at, "Terms")
    assert [i.value for i in at.info] == ["Terms: no rows for this event."]
    _switch(at, "Export")
    names = dashboard.export_names(out)
    assert {"articles", "outlets", "sources", "sentences", "attributions", "loaded_spans"} <= set(
        names
    )
    assert "labels" not in names
    labels = [b.label for b in at.get("download_button")]
    assert labels[0] == "Report (HTML)"
    assert labels.count("PARQUET") == len(names) and labels.count("JSON") == len(names)


def test_uploads_are_saved_and_read_by_ingest() -> None:
    # The upload checks (unsafe ZIP paths, size limits, same names) live and are tested in
    # framing.ingest.uploads (tests/test_ingest.py); the dashboard only calls them.
    from framing.ingest import uploads

    assert dashboard.load_uploads is uploads.load_uploads and dashboard.Upload is uploads.Upload
    assert dashboard.UPLOAD_SUFFIXES == uploads.UPLOAD_SUFFIXES
    assert not hasattr(dashboard, "save_uploads") and not hasattr(dashboard, "_safe_member")


def test_estimate_text() -> None:
    from framing.models import Estimate

    assert dashboard.estimate_text(Estimate(0.25, 0.1, 0.4, 5)) == "0.25 [0.10, 0.40]"
    assert dashboard.estimate_text(Estimate(1.0, None, None, 1)) == "1.00 (n=1, no interval)"
    assert dashboard.estimate_text(Estimate(None, None, None, 0)) == "–"


def test_reopen_a_stored_run(cached: Cached) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.radio(key="source").set_value("Analysed before").run()
    assert at.selectbox(key="stored_run").options == [f"tiny <b>corpus</b> · 5 articles · {cached.key[:8]}"]
    at.button(key="open_run").click().run()
    assert not at.exception
    assert at.session_state["run_key"] == cached.key
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in _html(at)


def test_streamlit_config_sends_nothing_and_hides_the_deploy_button() -> None:
    import tomllib
    from pathlib import Path

    config = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    assert settings["browser"]["gatherUsageStats"] is False
    assert settings["client"]["toolbarMode"] == "viewer"
