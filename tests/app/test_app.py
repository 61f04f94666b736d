"""Streamlit AppTest of the dashboard's logic, on a cached hand-written corpus (no spaCy)."""

from __future__ import annotations

import json
import sys
from html import escape
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
        "fine-tuned MiniLM (loaded-tuned-2)", "frozen-encoder heads (loaded-heads-1)",
        "fast mode: static embeddings (loaded-static-1)"]
    assert "--fast" in model.help and "0.711" in model.help and "faster" in model.help
    at.checkbox(key="lexicon_only").check().run()
    assert at.selectbox(key="loaded_model").disabled


def test_fast_mode_reaches_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Choosing the static model analyses the demo corpus with it (spaCy, no MiniLM pass)."""
    from framing.store import Store

    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    at.selectbox(key="loaded_model").set_value("static").run()
    assert at.selectbox(key="loaded_model").value == "static"
    at.button(key="analyse_demo").click().run()
    assert not at.exception, at.exception
    key = at.session_state["run_key"]
    with Store(tmp_path / "store.duckdb") as store:  # the app holds it open (same config)
        info = store.run_info(key)
    assert info.n_articles == 12
    assert info.run.settings["loaded_model"] == "static"
    assert info.run.models["bias_model"] == "loaded-static-1"
    assert "static" in info.run.models["encoder_backend"]
    record = json.loads((tmp_path / "runs" / key / "run.json").read_text(encoding="utf-8"))
    assert record["settings"]["loaded_model"] == "static"
    assert record["models"]["bias_model"] == "loaded-static-1"
    assert any(f"settings {info.run.settings_hash}" in c.value for c in at.caption)


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
    sources = _frame(at, "outlet", "source", "n")  # no event column: chosen in the sidebar
    assert sources["source"].tolist() == ["Police chief Ann Lee"]  # ev-2 row filtered out
    assert not at.get("html") or "outlet-card" not in _html(at)  # hidden tabs not computed
    _switch(at, "Labels")
    assert [i.value for i in at.info] == [
        "Labels: not available for this run (labels.csv was not produced)."
    ]
    _switch(at, "Terms")
    assert [i.value for i in at.info] == [
        "Terms: no rows for this event. " + dashboard.VIEW_EMPTY["terms"]
    ]
    _switch(at, "Export")
    names = dashboard.export_names(out)
    assert {"articles", "outlets", "sources", "sentences", "attributions", "loaded_spans"} <= set(
        names
    )
    assert "labels" not in names
    labels = [b.label for b in at.get("download_button")]
    assert labels[0] == "Report (HTML)"
    assert labels.count("PARQUET") == len(names) and labels.count("JSON") == len(names)



HOSTILE = '<img src=x onerror="window.__pwned=9">'


def _write_views(out: Path) -> None:
    """Table files of a run with two outlets, as the comparison writes them (rows of two events)."""
    files = {
        "sources.csv": (
            "event,outlet,source,kind,role,n_attributions,n_direct_quotes,n_reported,"
            "n_chain_origin,n_articles,n_outlets,only_this_outlet,identified\n"
            "ev-1,Alpha News,Police chief Ann Lee,named_person,police chief,1,0,1,0,1,1,true,true\n"
            "ev-1,Alpha News,Officials,vague,,1,0,1,0,1,1,true,false\n"
            "ev-2,Beta Wire,x,vague,,2,0,2,0,1,1,true,false\n"
        ),
        "labels.csv": (
            "event,actor,actor_type,actor_mentions,outlet,label,count,share_of_outlet_mentions,"
            "grouped_by,example_1,example_2\n"
            f'ev-1,Ann Lee,person,3,Alpha News,police chief,2,0.667,entity,"{HOSTILE.replace(chr(34), chr(34) * 2)} The chief spoke.",Lee said so.\n'
            "ev-2,X,person,2,Beta Wire,x,2,1.0,entity,,\n"
        ),
        "terms.csv": (
            "event,outlet,rank,term,n_words,count,count_others,per_1000_words,log_odds,z\n"
            "ev-1,Alpha News,1,cowardly,25,3,0,120.0,1.9,2.51\n"
            "ev-1,Beta Wire,1,suspects,20,2,1,100.0,0.4,0.31\n"
        ),
        "claims.csv": (
            "event,claim_id,lead,n_outlets,n_independent,carried_by,omitted_by,carried_via_copy,"
            "claim,outlet,carries,n_sentences,article_ids,sentences\n"
            "ev-1,1,yes,1,1,Alpha News,Beta Wire,,The suspects fled.,Alpha News,1,2,a-1,"
            f'"Police chief Ann Lee said the suspects fled. | {HOSTILE.replace(chr(34), chr(34) * 2)} They fled."\n'
            "ev-1,1,yes,1,1,Alpha News,Beta Wire,,The suspects fled.,Beta Wire,0,0,,\n"
        ),
        "contrasts.csv": (
            "event,level,a,b,feature,n_a,n_b,mean_a,mean_b,difference,difference_low,"
            "difference_high,p_value,p_adjusted_bh,hedges_g,cliffs_delta,note\n"
            "ev-1,outlet,Alpha News,Beta Wire,author_voice_share,2,2,0.62,0.18,0.44,0.2,0.6,"
            "0.002,0.01,1.8,1.0,\n"
            # interval excludes zero but adjusted p does not pass: not stated
            "ev-1,outlet,Alpha News,Beta Wire,hedging_rate,2,2,1.5,0.5,1.0,0.2,1.8,0.02,0.2,"
            "0.9,0.5,\n"
            # adjusted p passes but the interval includes zero: not stated
            "ev-1,outlet,Alpha News,Beta Wire,question_count,2,2,1.0,0.0,1.0,-0.5,2.0,0.001,"
            "0.01,0.9,0.5,\n"
        ),
        "over_time.csv": (
            "event,outlet,week,n_articles,feature,mean,low,high,note\n"
            "ev-1,Alpha News,2024-03-04,1,author_voice_share,0.5,,,n=1\n"
            "ev-1,Alpha News,2024-03-11,1,author_voice_share,0.5,,,n=1\n"
        ),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")


def test_every_view_explains_itself_without_the_event_column(cached: Cached) -> None:
    _write_views(cached.root / "runs" / cached.key)
    at = _open(cached, "Sources")
    for label, name in dashboard.VIEW_TABLES.items():
        _switch(at, label)
        body = _html(at)
        assert '<div class="view-intro">' in body, label
        first = dashboard.VIEW_INTROS[name].split(":")[0].split(".")[0]
        assert escape(first) in body, label
        views = [d for d in at.dataframe if list(d.value.columns) != ["record", "status", "reason"]]
        assert len(views) == 1, label  # every table above has rows for ev-1
        frame = views[0].value
        assert "event" not in frame.columns, label
        assert len(frame) >= 1
    # every row shown up to a screenful, then the table scrolls
    assert dashboard.table_height(3) >= 38 + 35 * 3 and dashboard.table_height(10_000) == 720
    # column descriptions on hover, numbers formatted
    _switch(at, "Terms")
    config = json.loads(at.dataframe[-1].proto.columns)
    assert "1.96" in config["z"]["help"] and config["z"]["type_config"]["format"] == "%.3f"
    assert "Dirichlet" in config["log_odds"]["help"]
    assert "1 term reaches z &gt; 1.96 (outlets: Alpha News)" in _html(at)
    _switch(at, "Side by side")
    frame = at.dataframe[-1].value
    assert list(frame.columns[:2]) == ["feature", "measures"]
    assert "Alpha News: mean" in frame.columns


def test_contrasts_view_states_the_differences_that_hold(cached: Cached) -> None:
    at = _open(cached, "Contrasts")
    # the tiny corpus has no pair of outlets in a contrast
    assert "No difference holds: there is no pair of outlets to contrast" in _html(at)
    _write_views(cached.root / "runs" / cached.key)
    _switch(at, "Contrasts")
    body = _html(at)
    assert "1 difference holds on both tests:" in body
    assert ("<li>Alpha News writes 62% of its assertions in its own voice, Beta Wire 18%: a "
            "difference of 44 points, 95% interval 20–60, unlikely to be chance (adjusted p "
            "0.010; 2 and 2 articles).</li>") in body
    assert "hedges" not in body.split('class="findings"')[1]  # one test only: not stated
    assert "question" not in body.split('class="findings"')[1]
    frame = at.dataframe[-1].value
    assert frame["feature"].tolist()[0] == "author_voice_share"  # smallest adjusted p first
    assert frame["holds"].tolist() == [True, False, False]
    config = json.loads(at.dataframe[-1].proto.columns)
    assert "Benjamini" in config["p_adjusted_bh"]["help"] and "hedges_g" in config


def test_contrasts_view_says_when_no_difference_holds(cached: Cached) -> None:
    out = cached.root / "runs" / cached.key
    _write_views(out)
    text = (out / "contrasts.csv").read_text(encoding="utf-8").splitlines()
    (out / "contrasts.csv").write_text("\n".join([text[0], text[2]]) + "\n", encoding="utf-8")
    body = _html(_open(cached, "Contrasts"))
    assert "No difference holds between these outlets on any feature" in body
    assert 'class="findings"' not in body


def _select(at: AppTest, name: str, row: int) -> AppTest:
    at.session_state[f"view_{name}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def test_selecting_a_row_shows_its_sentences(cached: Cached) -> None:
    _write_views(cached.root / "runs" / cached.key)
    at = _open(cached, "Claims")
    claims = at.dataframe[-1].value
    assert claims["claim"].tolist() == ["The suspects fled."]  # one row per claim
    assert any("Select a row" in c.value for c in at.caption)
    body = _html(_select(at, "claims", 0))
    assert "<h2>Claim 1: each outlet&#x27;s sentences</h2>" in body
    assert "<li>Police chief Ann Lee said the suspects fled.</li>" in body
    assert "<h3>Beta Wire</h3><p class=\"small\">Does not carry this claim.</p>" in body
    assert "<img" not in body and "&lt;img src=x onerror=&quot;window.__pwned=9&quot;&gt;" in body

    _switch(at, "Labels")
    labels = at.dataframe[-1].value
    assert "example_1" not in labels.columns and labels["label"].tolist() == ["police chief"]
    body = _html(_select(at, "labels", 0))
    assert "<li>Lee said so.</li>" in body and "<img" not in body

    _switch(at, "Sources")
    assert "Alpha News: 1 identified, 1 vague attributions." in _html(at)
    body = _html(_select(at, "sources", 0))
    assert "Sentences crediting Police chief Ann Lee" in body
    assert "<li>Police chief Ann Lee said the suspects fled. (a-1, sentence 2)</li>" in body


def test_source_examples_match_spellings(cached: Cached) -> None:
    out = cached.root / "runs" / cached.key
    found = [("a-1, sentence 2", "Police chief Ann Lee said the suspects fled.")]
    assert dashboard.source_examples(out, "ev-1", "Alpha News", "the police chief Ann Lee") == found
    assert dashboard.source_examples(out, "ev-1", "Alpha News", "Police Chief Ann Lee's") == found
    assert dashboard.source_examples(out, "ev-1", "Alpha News", "Ann Leeds") == []
    assert dashboard.source_examples(out, "ev-2", "Alpha News", "Police chief Ann Lee") == []


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


def test_progress_text_gives_rate_and_time_left() -> None:
    assert dashboard.progress_text(0, 100, 0, 0.0) == "Analysed 0 of 100 articles"
    # 40 cached articles arrive at once; 20 more in 10 s: 2 articles/s, 40 left → 20 s
    assert dashboard.progress_text(60, 100, 40, 10.0) == (
        "Analysed 60 of 100 articles · 2.0 articles/s · about 20 s left")
    assert dashboard.progress_text(100, 2000, 0, 10.0).endswith("about 3 min left")
    assert dashboard.progress_text(100, 100, 0, 10.0) == "Analysed 100 of 100 articles"
    # after the analysis: the events compared (their own rate), then the outputs
    assert dashboard.progress_text(10, 40, 0, 5.0, "comparing events") == (
        "Compared 10 of 40 events · 2.0 events/s · about 15 s left")
    assert dashboard.progress_text(0, 1, 0, 0.0, "writing outputs") == (
        "Writing the report and tables…")
def test_cards_and_contrast_tests_come_from_the_report() -> None:
    # One builder for the report and the dashboard: the outlet card, the attribution table and
    # the "difference holds" test are framing.report's, not copies in app/.
    from framing.report import html as report_html
    from framing.report import sections

    assert dashboard.outlet_card is report_html.outlet_card
    assert dashboard.estimate_text is report_html.estimate_text
    assert not hasattr(dashboard, "_holds") and dashboard.holds is sections.holds
    rec = {"level": "outlet", "a": "A", "b": "B", "feature": "author_voice_share", "n_a": 6,
           "n_b": 5, "mean_a": 0.8, "mean_b": 0.2, "difference": 0.6, "difference_low": 0.4,
           "difference_high": 0.8, "p_value": 0.001, "p_adjusted_bh": 0.01}
    assert dashboard._findings([rec, {**rec, "level": "group", "p_adjusted_bh": 0.2}]) == [
        "A writes 80% of its assertions in its own voice, B 20%: a difference of 60 points, 95% "
        "interval 40–80, unlikely to be chance (adjusted p 0.010; 6 and 5 articles)."]


def test_a_corpus_of_events_opens_with_what_holds_across_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six events named by UUIDs, each covered by the same two outlets: the dashboard opens with
    the corpus comparison, and the event box reads the events' headline names."""
    from framing.api import demo_corpus_path, load, run_cached
    from framing.settings import load_settings
    from framing.store import Store

    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("FRAMING_USE_MODEL", "false")
    monkeypatch.setenv("FRAMING_BOOTSTRAP_SAMPLES", "200")
    rows = [json.loads(line) for line in
            demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    pair = [next(r for r in rows if r["outlet"] == o)
            for o in ("Global Wire Service", "Islamabad Herald")]
    uuids = [f"{k:08x}-5d6a-4c89-bcbd-8e164144172a" for k in range(6)]
    src = tmp_path / "six.jsonl"
    src.write_text("".join(json.dumps({**r, "id": f"{r['id']}-{k}", "event": u}) + "\n"
                           for k, u in enumerate(uuids) for r in pair), encoding="utf-8")
    settings = load_settings()
    store = Store(tmp_path / "store.duckdb")
    key = run_cached(load([src], settings), store, tmp_path / "runs", settings)
    store.close()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["run_key"] = key
    at.run()
    assert not at.exception, at.exception
    assert "Across the corpus: 6 events" in [e.label for e in at.expander]
    body = _html(at)
    assert "What holds across the corpus" in body
    assert "Over 6 events, Global Wire Service&#x27;s" in body
    box = at.selectbox(key="event")
    assert box.value == uuids[0]
    assert box.format_func(uuids[0]) == f"killed · Peshawar ({uuids[0]})"
