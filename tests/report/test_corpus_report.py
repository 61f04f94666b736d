"""Runs of many events: corpus_contrasts.csv, corpus_outlets.csv and the report's opening
section, with events named by their headlines when their names are identifiers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from framing.api import demo_corpus_path, run_analysis
from framing.models import AnalyzedArticle, Article
from framing.report.corpus import event_names
from framing.settings import Settings

SETTINGS = Settings(use_model=False, bootstrap_samples=200)
UUIDS = [f"{k:08x}-5d6a-4c89-bcbd-8e164144172a" for k in range(6)]


def _six_events(path: Path) -> Path:
    """The same two demo articles (a wire report and a partisan one) as the coverage of six
    events named by UUIDs: every event shows the same difference between the two outlets."""
    rows = [json.loads(line) for line in
            demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    wire = next(r for r in rows if r["outlet"] == "Global Wire Service")
    herald = next(r for r in rows if r["outlet"] == "Islamabad Herald")
    out = []
    for k, uuid in enumerate(UUIDS):
        for r in (wire, herald):
            out.append({**r, "id": f"{r['id']}-{k}", "event": uuid})
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return path


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_corpus_of_events_is_compared_with_events_as_strata(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_analysis([_six_events(tmp_path / "c.jsonl")], out, SETTINGS)
    rows = _csv(out / "corpus_contrasts.csv")
    by_n = {r["feature"]: r["n_events"] for r in rows}
    # every feature over the 6 events, but those the lexicon-only mode leaves NaN
    assert {f for f, n in by_n.items() if n != "6"} == {
        "loaded_expected_per100", "loaded_expected_author_per100", "bias_probability_mean"}
    assert {(r["a"], r["b"]) for r in rows} == {("Global Wire Service", "Islamabad Herald")}
    loaded = next(r for r in rows if r["feature"] == "loaded_density_author")
    # the same difference in every event: a degenerate interval, the exact sign-flip p 2/64
    assert float(loaded["difference"]) < 0
    assert loaded["difference_low"] == loaded["difference"] == loaded["difference_high"]
    assert float(loaded["p_value"]) == 2 / 64
    assert loaded["finding"].startswith("Over 6 events, Global Wire Service's loaded words per "
                                        "100 words of its own wording is lower than Islamabad")
    outlets = _csv(out / "corpus_outlets.csv")
    herald = [o for o in outlets if o["outlet"] == "Islamabad Herald"]
    assert herald and all(o["n_events"] == "6" and o["n_articles"] == "6" for o in herald
                          if o["feature"] == "n_words")
    report = (out / "report.html").read_text(encoding="utf-8")
    corpus_at, first_event = report.index('id="corpus"'), report.index('<section class="event"')
    assert corpus_at < first_event  # the report opens with the corpus
    assert "What holds across the corpus" in report
    assert "killed · Peshawar" in report.split('id="corpus"')[1].split("</section>")[0]  # named events
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "corpus_contrasts.csv" in record["outputs"]
    # events are headed by their headline words, the id beside them; evidence cites the
    # headline and date of its article, the id only in a tooltip
    assert f"Event: killed · Peshawar <span class=\"small\">({UUIDS[0]})</span>" in report
    assert '<span class="why" title="article ' in report
    why = report.split('<span class="why" title="article ')[1].split("</span>")[0]
    assert "“" in why and "2025-" in why
    claims = report.split("<h2>Claims across outlets")[1]  # claim sentences cite their headline
    assert ", headline)" in claims and "(“" in claims and "(gws-" not in claims


def test_a_single_event_run_writes_empty_corpus_tables(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in
            demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    one = [r for r in rows if r["event"] == "peshawar-isk-commander-2025"]
    src = tmp_path / "one.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in one), encoding="utf-8")
    out = tmp_path / "out"
    run_analysis([src], out, SETTINGS)
    assert _csv(out / "corpus_contrasts.csv") == []
    assert (out / "corpus_contrasts.csv").read_text(encoding="utf-8").startswith("feature,a,b,")
    assert 'id="corpus"' not in (out / "report.html").read_text(encoding="utf-8")


def _analysed(event: str, title: str) -> AnalyzedArticle:
    return AnalyzedArticle(Article(id=title[:8], outlet="X", text="t", title=title,
                                   event=event), (), (), "test")


def test_event_names_come_from_shared_headline_words() -> None:
    uuid = UUIDS[0]
    names = event_names([
        _analysed(uuid, "Comey memo shows Trump asked him to end Flynn probe"),
        _analysed(uuid, "Trump asked Comey to shut down Flynn investigation, memo says"),
        _analysed(uuid, "Democrats seize on Comey memo"),
        _analysed("kabul-attack", "Blast in Kabul"),
        _analysed("12345", ""),
    ])
    assert names[uuid].split(" · ")[:2] == ["Comey", "memo"]
    assert names["kabul-attack"] == "kabul-attack"  # a name in words is kept
    assert names["12345"] == "12345"  # no headline: the id


def test_too_few_shared_events_say_so() -> None:
    from framing.compare.corpus import corpus_contrasts, corpus_outlets
    from framing.models import ArticleScores
    from framing.report.corpus import CorpusTables, corpus_section

    scores = [ArticleScores(f"{e}-{o}", o, e, None, {"author_voice_share": v})
              for e, vals in (("e1", (0.5, 0.2)), ("e2", (0.6, 0.1)))
              for o, v in zip(("A", "B"), vals, strict=True)]
    tables = CorpusTables(tuple(corpus_contrasts(scores, ["author_voice_share"], n_boot=100)),
                          tuple(corpus_outlets(scores, ["author_voice_share"], n_boot=100)), 2)
    html = corpus_section(tables, {})
    assert "share at most 2 events, too few for a sign-flip test" in html
    assert "2 events</span>" in html and "1 events" not in html


def test_counts_per_article_are_reported_apart_as_length_and_volume() -> None:
    from framing.compare.corpus import corpus_contrasts, corpus_outlets
    from framing.models import ArticleScores
    from framing.report.corpus import CorpusTables, corpus_section, is_volume

    feats = ["author_voice_share", "n_words", "chain_count"]
    scores = [ArticleScores(f"e{k}-{o}", o, f"e{k}", None,
                            {"author_voice_share": base + 0.01 * k, "n_words": 500 + 100 * k
                             + (200 if o == "A" else 0), "chain_count": 1.0})
              for k in range(7) for o, base in (("A", 0.5), ("B", 0.3))]
    tables = CorpusTables(tuple(corpus_contrasts(scores, feats, n_boot=200)),
                          tuple(corpus_outlets(scores, feats, n_boot=200)), 7)
    html = corpus_section(tables, {})
    findings = html.split("<ul class=findings>")[1].split("</ul>")[0]
    assert "share of assertions in its own voice" in findings and "words" not in findings
    volume = html.split("<b>Length and volume</b>")[1].split("</p>")[0]
    assert "number of words per article is higher" in volume
    assert is_volume("n_words") and is_volume("chain_count") and is_volume("sources_media")
    assert not is_volume("loaded_density_author")
