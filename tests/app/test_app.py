"""Streamlit AppTest of the dashboard's logic, on a cached hand-written corpus (no spaCy)."""

from __future__ import annotations

import json
import sys
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import framing_test_corpus as corpus
import pytest
from streamlit.testing.v1 import AppTest

from framing.report.html import KEY_FEATURES
from framing.scoring import FEATURES

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


#: Columns of the tables above the views (run details, rejected records).
_PAGE_TABLES = (["item", "value"], ["record", "status", "reason"])


def _views(at: AppTest) -> list[Any]:
    """The dataframes of the open view (AppTest keeps no key of a table without selection)."""
    return [d for d in at.dataframe if list(d.value.columns) not in _PAGE_TABLES]


def _view(at: AppTest, name: str) -> Any:
    """The table of the open view."""
    views = _views(at)
    assert views, name
    return views[0]


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
    # fingerprints are in the run details, never in the caption under the title
    details = _frame(at, "item", "value")
    assert info.run.settings_hash in list(details["value"]) and key in list(details["value"])
    assert not any(info.run.settings_hash in c.value or key in c.value for c in at.caption)


def test_cached_run_shows_outlets_in_one_table(cached: Cached) -> None:
    at = _open(cached)
    body = _html(at)
    # The run title is user text: escaped, never markup.
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in body and "<b>corpus</b>" not in body
    assert at.selectbox(key="event").value == "ev-1"
    # one table: an outlet per column (its colour, its articles), a feature per row
    table = body.split('<table class="outlet-table">')[1].split("</table>")[0]
    assert body.count('<table class="outlet-table">') == 1  # (one outlet per group: no group table)
    colors = dashboard.outlet_colors(["Alpha News", "Beta Wire", corpus.HOSTILE_OUTLET])
    assert (f'<th scope="col" class="outlet">{dashboard.swatch(colors["Alpha News"])}Alpha News'
            '<br><span class="small">2 articles</span></th>') in table
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Evil Times" in table
    assert '<span class="small">1 article</span>' in table  # proper plurals
    # each feature by its plain name, its code and definition on hover, never shown as text
    assert ('<th scope="row" class="feat" title="author_voice_share: '
            in table) and ">Share of assertions in its own voice</th>" in table
    assert ">author_voice_share<" not in table
    # Alpha's author-voice share is 1/2 in both articles (the interval collapses to the mean):
    # a share reads as a percentage with two decimals, its interval beneath
    assert '<td class="num">50.00%<br><span class="ci">[50.00%, 50.00%]</span></td>' in table
    rows = table.split("<tr>")[2:]
    assert [r.split('title="')[1].split(":")[0] for r in rows] == list(KEY_FEATURES)
    caption = at.caption[0].value
    assert "5 analysed" in caption and "1 rejected" in caption and "6 records read" in caption
    assert cached.key not in caption and "abc123" not in caption  # no fingerprints here
    rejected = _frame(at, "record", "status", "reason")
    assert list(rejected["reason"]) == ["missing outlet <b>bold</b>"]
    assert list(rejected["status"]) == ["not analysed"]
    # every feature on request
    at.toggle(key="outlets_every").set_value(True).run()
    table = _html(at).split('<table class="outlet-table">')[1].split("</table>")[0]
    assert len(table.split("<tr>")[2:]) == len(FEATURES)


def test_outlet_table_marks_the_differences_that_hold() -> None:
    from framing.models import Estimate, OutletProfile

    def profile(name: str, mean: float) -> OutletProfile:
        return OutletProfile(name, 3, {"author_voice_share": Estimate(mean, mean - .1,
                                                                      mean + .1, 3),
                                       "hedging_rate": Estimate(1.25, None, None, 1)})

    rec = {"level": "outlet", "a": "A", "b": "B <i>", "feature": "author_voice_share",
           "n_a": 6, "n_b": 5, "mean_a": 0.8, "mean_b": 0.2, "difference": 0.6,
           "difference_low": 0.4, "difference_high": 0.8, "p_value": 0.001,
           "p_adjusted_bh": 0.01}
    other = {**rec, "b": "C", "p_adjusted_bh": 0.2}  # one test only: no mark
    marks = dashboard.significant_marks([rec, other])
    assert marks == {("author_voice_share", "A"): ["higher than B <i> (adjusted p 0.010)"],
                     ("author_voice_share", "B <i>"): ["lower than A (adjusted p 0.010)"]}
    assert dashboard.significant_marks([rec], shown=["A", "C"]) == {}  # B is filtered out
    html = dashboard.outlet_table_html(
        [profile("A", 0.8), profile("B <i>", 0.2)], ["author_voice_share", "hedging_rate"],
        {"A": "#111111"}, marks)
    assert ('<td class="num sig" title="Higher than B &lt;i&gt; (adjusted p 0.010).">80.00%'
            '<span class="sigmark">▲</span><br><span class="ci">[70.00%, 90.00%]</span></td>'
            ) in html
    assert '<span class="sigmark">▼</span>' in html and "<i>" not in html
    # a rate reads with one decimal; a single article has no interval, said in words
    assert '<td class="num">1.2<br><span class="ci">one article: no interval</span></td>' in html
    assert '<div class="table-scroll">' in html  # it scrolls inside itself when narrow
    header, rows = dashboard.outlet_table_records([profile("A", 0.8)], ["author_voice_share"],
                                                  marks)
    assert header[:3] == ["Feature", "Feature code", "A: mean"]
    assert rows[0][:3] == ["Share of assertions in its own voice", "author_voice_share", 0.8]


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
    attrs = _frame(at, "part", "source", "source kind", "kind", "cue", "content", "via")
    assert attrs["source kind"].tolist() == ["named person"]  # codes read as words
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
    assert "Report (HTML)" in labels
    assert labels.count("PARQUET") == len(names) and labels.count("JSON") == len(names)



HOSTILE = '<img src=x onerror="window.__pwned=9">'
OUTLETS = ("Alpha News", "Beta Wire", corpus.HOSTILE_OUTLET)


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
        views = _views(at)
        assert len(views) == 1, label  # every table above has rows for ev-1
        frame = views[0].value
        assert "event" not in frame.columns, label
        assert len(frame) >= 1
        # every table can be downloaded as it is shown (filters applied, plain column names)
        assert at.get("download_button")[-1].label == "Download this view (CSV)", label
        # every column shown under a plain name, its description on hover
        config = json.loads(views[0].proto.columns)
        for code, spec in config.items():
            if code != "_index" and code.split(": ")[0] not in OUTLETS:
                assert "_" not in spec["label"], (label, code, spec["label"])
    # every row shown up to a screenful, then the table scrolls
    assert dashboard.table_height(3) >= 38 + 35 * 3 and dashboard.table_height(10_000) == 720
    # column descriptions on hover, numbers formatted
    _switch(at, "Terms")
    config = json.loads(_view(at, "terms").proto.columns)
    assert "1.96" in config["z"]["help"] and config["z"]["type_config"]["format"] == "%.2f"
    assert config["z"]["label"] == "Z-score" and config["log_odds"]["label"] == "Log-odds ratio"
    assert config["per_1000_words"]["type_config"]["format"] == "%.1f"  # a rate: one decimal
    assert "Dirichlet" in config["log_odds"]["help"]
    assert "1 term reaches z &gt; 1.96 (outlets: Alpha News)" in _html(at)
    _switch(at, "Side by side")
    frame = _view(at, "side_by_side").value
    assert list(frame.columns[:2]) == ["feature", "measures"]
    # an outlet's mean and interval in one cell, in the feature's unit
    row = frame[frame["feature"] == "Share of assertions in its own voice"].iloc[0]
    assert row["Alpha News"] == "50.00% [50.00%, 50.00%]" and row["Alpha News: articles"] == 2


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
    frame = _view(at, "contrasts").value
    # smallest adjusted p first; a feature by its plain name, values in its unit
    assert frame["feature"].tolist()[0] == "Share of assertions in its own voice"
    assert frame["mean_a"].tolist()[0] == "62.00%" and frame["difference"].tolist()[0] == (
        "+44.00 pts")
    assert frame["mean_a"].tolist() == ["62.00%", "1.0", "1.5"]  # counts, rates: one decimal
    assert frame["holds"].tolist() == [True, False, False]
    config = json.loads(_view(at, "contrasts").proto.columns)
    assert "Benjamini" in config["p_adjusted_bh"]["help"] and "hedges_g" in config
    assert config["p_adjusted_bh"]["label"] == "P adjusted for many tests"
    assert config["hedges_g"]["label"] == "Effect size (Hedges' g)"


def test_contrasts_view_says_when_no_difference_holds(cached: Cached) -> None:
    out = cached.root / "runs" / cached.key
    _write_views(out)
    text = (out / "contrasts.csv").read_text(encoding="utf-8").splitlines()
    (out / "contrasts.csv").write_text("\n".join([text[0], text[2]]) + "\n", encoding="utf-8")
    body = _html(_open(cached, "Contrasts"))
    assert "No difference holds between these outlets on any feature" in body
    assert 'class="findings"' not in body


def _select(at: AppTest, name: str, row: int) -> AppTest:
    # a view's table has a key per run and event (a row of one is never read as another's)
    table = dashboard.view_key(name, at.session_state["run_key"],
                               dashboard.event_of(at.session_state["event"]))
    at.session_state[table] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def test_claims_read_side_by_side_and_open_the_reader(cached: Cached) -> None:
    """One column per outlet with its sentences of the claim, marked as in the Reader; an outlet
    that does not carry it says so; each sentence opens the Reader at its article."""
    _write_views(cached.root / "runs" / cached.key)
    at = _open(cached, "Claims")
    claims = _view(at, "claims").value
    assert claims["claim"].tolist() == ["The suspects fled."]  # one row per claim
    assert "1 claim; 0 carried by more than one outlet" in _html(at)
    box = at.selectbox(key="claim_pick")  # or a row selected in the table
    assert box.options == ["1 · The suspects fled. (1 outlet)"] and box.value == 1
    # the first claim is read side by side until another is selected
    blocks = [e.value for e in at.get("html")]
    assert any('<div class="claim-text">The suspects fled.</div>' in b for b in blocks)
    colors = dashboard.outlet_colors(OUTLETS)
    beta = next(b for b in blocks if ">Beta Wire</h3>" in b)
    assert beta == (f'<div class="framing-view"><div class="claim-col"><h3>'
                    f'{dashboard.swatch(colors["Beta Wire"])}Beta Wire</h3></div>'
                    '<div class="absent">Does not carry this claim.</div></div>')
    alpha = blocks.index(next(b for b in blocks if ">Alpha News</h3>" in b))
    # Alpha's sentence with the Reader's marks, cited by its article's headline
    assert blocks[alpha + 1] == (
        '<div class="framing-view"><p class="claim-sentence"><span class="src" title="source: '
        'Police chief Ann Lee (named person); reported">Police chief Ann Lee</span> <span '
        'class="cue" title="cue: said (lemma said)">said</span> <span class="content" '
        'title="content credited to Police chief Ann Lee (named person; reported)">the '
        'suspects fled</span>.</p><p class="small">Alpha one · sentence 2</p></div>')
    # a sentence not found in the store is shown as escaped text
    assert "&lt;img src=x onerror=&quot;window.__pwned=9&quot;&gt; They fled." in blocks[alpha + 2]
    assert not any("<img" in b for b in blocks)
    opener = [b for b in at.button if b.label == "Open in the Reader"]
    assert len(opener) == 1  # the one sentence found in an article
    opener[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["view"] == "Reader"
    assert at.selectbox(key="outlet").value == "Alpha News"
    assert at.selectbox(key="article").value == "a-1"
    assert "Alpha one" in _html(at)
    # the outlet filter applies here too: Beta Wire's column goes
    _switch(at, "Claims")
    at.multiselect(key="filter_outlets").select("Alpha News").select(corpus.HOSTILE_OUTLET).run()
    assert not any(">Beta Wire</h3>" in e.value for e in at.get("html"))
    assert "Carried by 1 of 2 outlets shown." in _html(at)


def test_selecting_a_label_or_source_shows_its_sentences(cached: Cached) -> None:
    _write_views(cached.root / "runs" / cached.key)
    at = _open(cached, "Labels")
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


def test_reopen_a_stored_run_by_its_name(cached: Cached, add_run: Any) -> None:
    """"Analysed before" tells runs apart: a name (the title until the user sets one), the files
    read, when, and the articles; it opens on the run on screen."""
    from datetime import datetime

    other = add_run(cached.root, events=False, title="second corpus")
    book = dashboard.RunBook(cached.root / "dashboard_runs.json")
    book.record(other, ["second.csv", "extra.jsonl"], datetime(2026, 12, 1, 9, 30))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["run_key"] = other
    at.run()
    at.radio(key="source").set_value("Analysed before").run()
    box = at.selectbox(key="stored_run")
    mtime = datetime.fromtimestamp((cached.root / "runs" / cached.key / "run.json").stat()
                                   .st_mtime).strftime("%Y-%m-%d %H:%M")
    assert box.options == [  # newest first
        f"tiny <b>corpus</b> · files not noted · {mtime} · 5 articles",
        "second corpus · second.csv, extra.jsonl · 2026-12-01 09:30 · 5 articles"]
    assert box.value == other  # the run on screen
    # a name of one's own, kept beside the store
    at.text_input(key=f"run_name_{other}").input("Pilot <i>week</i>").run()
    at.button(key="save_run_name").click().run()
    assert not at.exception, at.exception
    assert book.entries()[other]["name"] == "Pilot <i>week</i>"
    assert at.selectbox(key="stored_run").options[1].startswith("Pilot <i>week</i> · second.csv")
    at.selectbox(key="stored_run").set_value(cached.key).run()
    at.button(key="open_run").click().run()
    assert not at.exception, at.exception
    assert at.session_state["run_key"] == cached.key
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in _html(at)
    # the list follows the run now on screen
    at.run()
    assert at.selectbox(key="stored_run").value == cached.key


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
def test_figures_and_contrast_tests_come_from_the_report() -> None:
    # One builder for the report and the dashboard: the figures, the attribution table and
    # the "difference holds" test are framing.report's, not copies in app/.
    from framing.report import html as report_html
    from framing.report import sections

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


def test_switching_runs_resets_the_event_outlet_and_article(cached: Cached, add_run: Any) -> None:
    """A run without events, then one with events, then back: no choice of one run reaches the
    other (the crash was "event None not in run"); a corpus without events reads "All articles"."""
    plain = add_run(cached.root, events=False, title="no events")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["run_key"] = plain
    at.session_state["view"] = "Reader"
    at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key="event")
    assert box.value == dashboard.NO_EVENT and box.options == ["All articles"]
    at.selectbox(key="outlet").set_value("Beta Wire").run()
    at.selectbox(key="article").set_value("b-2").run()
    assert at.selectbox(key="article").value == "b-2"

    at.session_state["run_key"] = cached.key  # what "Analyse" or "Open" does
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="event").value == "ev-1"
    assert at.selectbox(key="event").options == ["ev-1"]
    # the outlet and the article start again from the new run's first
    assert at.selectbox(key="outlet").value == at.selectbox(key="outlet").options[0]
    assert at.selectbox(key="article").value != "b-2"

    at.session_state["run_key"] = plain
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="event").value == dashboard.NO_EVENT


def _local_path(at: AppTest, path: Path) -> AppTest:
    at.radio(key="source").set_value("Local path").run()
    at.text_input(key="local_path").input(str(path)).run()
    at.button(key="analyse_path").click().run()
    assert not at.exception, at.exception
    return at


def test_a_failed_load_clears_the_run_on_screen(cached: Cached, tmp_path: Path) -> None:
    """A .txt that is no corpus gets the help the CSV reader gives; the run that was on screen,
    and its rejected records, go; the message stays until the next load."""
    from framing.ingest.readers import TEXT_WITHOUT_OUTLET

    at = _open(cached)
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" in _html(at)
    note = tmp_path / "notes.txt"
    note.write_text("Shopping list: eggs, milk.", encoding="utf-8")
    _local_path(at, note)
    assert [e.value for e in at.error] == [
        f"No article could be analysed (1 record read). {note}: {TEXT_WITHOUT_OUTLET}"]
    assert "run_key" not in at.session_state
    assert "tiny &lt;b&gt;corpus&lt;/b&gt;" not in _html(at)  # the old run is off screen
    rejected = _frame(at, "record", "status", "reason")  # this load's, not the old run's
    assert list(rejected["reason"]) == [TEXT_WITHOUT_OUTLET]
    assert not any(f.value.columns.tolist() == ["record", "status", "reason"]
                   and "missing outlet <b>bold</b>" in list(f.value["reason"])
                   for f in at.dataframe)
    at.run()  # any other click: the message stays
    assert len(at.error) == 1
    # a CSV without an outlet column: the reader's own help, once for all its rows
    table = tmp_path / "table.csv"
    table.write_text("id,Outlet,text\n1,Wire,Some text.\n2,Wire,More text.\n", encoding="utf-8")
    _local_path(at, table)
    assert at.error[0].value.startswith("No article could be analysed (2 records read). "
                                        f"2 records of {table}: no 'outlet' column")
    # no path typed is no load: it is said, and nothing else changes
    at.session_state["run_key"] = cached.key
    at.text_input(key="local_path").input("").run()
    at.button(key="analyse_path").click().run()
    assert [e.value for e in at.error] == ["Type a path first."]
    assert at.session_state["run_key"] == cached.key


def test_names_are_words(cached: Cached) -> None:
    """Every column of the dashboard's tables, every table header of the writers and every
    flag kind has a plain name in framing.scoring.names (shared with the report)."""
    from framing.compare.over_time import OVER_TIME_COLUMNS
    from framing.report.tables import (
        CLAIMS_HEADER,
        CONTRASTS_HEADER,
        LABELS_HEADER,
        TERMS_HEADER,
    )
    from framing.scoring.names import COLUMN_NAMES, column_name, flag_detail, flag_name, plural

    for code in [*dashboard.COLUMNS, *CLAIMS_HEADER, *CONTRASTS_HEADER, *LABELS_HEADER,
                 *TERMS_HEADER, *OVER_TIME_COLUMNS, "record", "status", "reason"]:
        assert code in COLUMN_NAMES, code
        assert "_" not in column_name(code), code
    for code in FEATURES:
        assert "_" not in column_name(code), code
    assert column_name("Alpha News: low") == "Alpha News: low end"
    assert flag_name("near_duplicate") == "nearly the same text as another article"
    assert flag_detail("shingle Jaccard 0.92 with a7 (Dawn), 0.71 with b2 (Wire)") == (
        "92% of five-word sequences shared with a7 (Dawn), 71% with b2 (Wire)")
    assert [plural(1, "article"), plural(0, "article"), plural(1200, "record")] == [
        "1 article", "0 articles", "1,200 records"]
    # no help text opens with a code ("z: …", "n_independent: …") or names one
    for code in dashboard.COLUMNS:
        help_text = dashboard.column_spec(code)[1]
        assert not help_text.startswith(code + ":") and "_" not in help_text, code
    assert "“grouped by” says which" in dashboard.in_words(dashboard.VIEW_INTROS["labels"])
    # formats: shares as percentages with two decimals, rates with one
    assert dashboard.fmt_value("author_voice_share", 0.625) == "62.50%"
    assert dashboard.fmt_value("hedging_rate", 1.26) == "1.3"
    assert dashboard.fmt_difference("author_voice_share", -0.1) == "-10.00 pts"
    at = _open(cached)
    flagged = dashboard.rejection_rows([], [type("F", (), {
        "article_id": "a-1", "kind": "near_duplicate",
        "detail": "shingle Jaccard 0.92 with b-1 (Beta)"})()])
    assert flagged == [{"record": "a-1", "status": "flagged: nearly the same text as another "
                        "article", "reason": "92% of five-word sequences shared with b-1 (Beta)"}]
    assert not any("_" in c.value.split("·")[0] for c in at.caption[:1])


def test_features_view_charts_the_chosen_features_in_outlet_colours(cached: Cached) -> None:
    """The key features at first, each chart titled in words with its question beneath, shares
    on a percentage axis, every outlet in the colour it has in every view."""
    at = _open(cached, "Features")
    box = at.multiselect(key="features_chosen")
    assert box.value == list(KEY_FEATURES)
    charts = [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]
    # the model-only features are not measured in this lexicon run: said, not charted
    assert len(charts) == len(KEY_FEATURES) - 2
    assert sum("Not measured in this run" in c.value for c in at.caption) == 2
    first = charts[0]
    assert first["title"]["text"] == "Share of assertions in its own voice"
    assert first["title"]["subtitle"] == KEY_FEATURES["author_voice_share"]
    assert first["layer"][0]["encoding"]["x"]["axis"]["format"] == ".0%"  # a share
    rate = next(c for c in charts if c["title"]["text"] == "Hedges per 100 words")
    assert rate["layer"][0]["encoding"]["x"]["axis"]["format"] == ".1f"
    colors = dashboard.outlet_colors(OUTLETS)
    for chart in charts:  # one colour per outlet, the same in every chart (and table)
        scale = chart["encoding"]["color"]["scale"]
        assert dict(zip(scale["domain"], scale["range"], strict=True)) == colors
        assert chart["height"] == {"step": 30}
    box.set_value(["hedging_rate", "question_count"]).run()
    charts = [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]
    assert [c["title"]["text"] for c in charts] == [
        "Hedges per 100 words", dashboard.capital(dashboard.feature_name("question_count"))]
    assert "Download this view (CSV)" in [b.label for b in at.get("download_button")]


def _date_articles(out: Path, days: dict[str, str]) -> None:
    """Give the run's articles publication dates (articles.csv, as a run with dates has)."""
    import csv

    with (out / "articles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["published"] = days.get(r["article_id"], "")
    with (out / "articles.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_filters_by_outlet_group_and_dates_reach_every_view(cached: Cached) -> None:
    out = cached.root / "runs" / cached.key
    _write_views(out)
    _date_articles(out, {"a-1": "2024-03-04", "a-2": "2024-03-12", "b-1": "2024-03-05",
                         "b-2": "2024-03-13T08:00:00Z"})
    at = _open(cached)
    # outlet groups as the corpus names them (the tiny corpus: a group per outlet)
    groups = at.multiselect(key="filter_groups")
    assert groups.options == sorted(["Alpha", "Beta", "<script>window.__pwned=1</script>Evil"])
    groups.select("Beta").run()
    table = _html(at).split('<table class="outlet-table">')[1].split("</table>")[0]
    assert "Beta Wire" in table and "Alpha News" not in table
    _switch(at, "Reader")
    assert at.selectbox(key="outlet").options == ["Beta Wire"]
    _switch(at, "Sources")  # no Beta row in ev-1's sources: nothing shown, said so
    assert any("no rows for this event" in i.value for i in at.info)
    at.multiselect(key="filter_groups").unselect("Beta").run()
    # a date range: the figures are those of the articles published then
    at.date_input(key="filter_dates").set_value((date(2024, 3, 4), date(2024, 3, 6))).run()
    assert not at.exception, at.exception
    _switch(at, "Outlets")
    table = _html(at).split('<table class="outlet-table">')[1].split("</table>")[0]
    assert table.count('<span class="small">1 article</span>') == 2  # a-1 and b-1 alone
    assert corpus.HOSTILE_OUTLET.split(">")[0][1:] not in table  # no dated article
    assert any("Only the articles of the chosen dates count" in c.value for c in at.caption)
    _switch(at, "Reader")
    at.selectbox(key="outlet").set_value("Alpha News").run()
    assert at.selectbox(key="article").options == ["a-1 — Alpha one · 2024-03-04"]
    _switch(at, "Over time")
    weeks = _view(at, "over_time").value["week"].tolist()
    assert weeks == ["2024-03-04"]  # the week of 11 March is outside the range
    _switch(at, "Terms")
    assert any("date range applies" in c.value for c in at.caption)  # said where it cannot


def test_an_outlet_carrying_a_claim_elsewhere_is_not_shown_as_omitting_it() -> None:
    from framing.report.exports import typed_table

    header = ["event", "claim_id", "outlet", "carries", "sentences", "article_ids",
              "carried_via_copy", "carried_elsewhere_by"]
    rows = [["e", "1", "A", "1", "A says so.", "a1", "", "B"],
            ["e", "1", "B", "0", "", "", "", "B"],
            ["e", "1", "C", "0", "", "", "", "B"]]
    parts = {p.outlet: p for p in dashboard.claim_outlets(typed_table("claims", header, rows), 1)}
    assert parts["A"].carries and not parts["A"].elsewhere
    assert not parts["B"].carries and parts["B"].elsewhere
    assert not parts["C"].carries and not parts["C"].elsewhere
