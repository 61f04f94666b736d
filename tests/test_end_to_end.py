"""End to end: demo corpus -> every output file, the output contract, determinism, the CLI."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from framing.api import OUTPUT_FILES, demo_corpus_path, run_analysis
from framing.settings import Settings

pytestmark = pytest.mark.slow


def test_all_outputs_written(demo_run) -> None:  # type: ignore[no-untyped-def]
    for name in OUTPUT_FILES:
        path = demo_run.paths[name]
        assert path.exists() and path.stat().st_size > 0, name


def test_demo_has_three_outlets_and_everything_accounted(demo_run) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(demo_run.paths["outlets.csv"].open(encoding="utf-8")))
    event_outlets = {r["outlet"] for r in rows if r["level"] == "outlet"
                     and r["event"] == "peshawar-isk-commander-2025"}
    assert len(event_outlets) >= 3
    run = json.loads(demo_run.paths["run.json"].read_text(encoding="utf-8"))
    acc = run["ingest"]
    assert acc["read"] == acc["analysed"] + acc["rejected"]
    assert run["package_version"] and run["models"]["spacy_model"].startswith("core_web_sm")
    from framing.nlp.attribution import head_info

    assert run["models"]["attribution"] == head_info()  # which attribution head ran
    assert run["settings"]["seed"] == 42 and run["settings_hash"]
    assert any(f["kind"] == "near_duplicate" for f in acc["flags"])


def test_sentence_contract(demo_run) -> None:  # type: ignore[no-untyped-def]
    bodies = {a.article.id: a.article.text for a in demo_run.analyzed}
    titles = {a.article.id: a.article.title for a in demo_run.analyzed}
    lines = demo_run.paths["sentences.jsonl"].read_text(encoding="utf-8").splitlines()
    assert lines
    kinds, voices, speakers = set(), set(), set()
    for line in lines:
        s = json.loads(line)
        assert {"article_id", "outlet", "event", "index", "start", "end", "text", "voice",
                "attributions", "loaded"} <= set(s)
        assert s["part"] in ("title", "body")
        text = titles[s["article_id"]] if s["part"] == "title" else bodies[s["article_id"]]
        assert text[s["start"]:s["end"]] == s["text"]
        voices.add(s["voice"])
        for a in s["attributions"]:
            kinds.add(a["kind"])
            assert {"kind", "cue", "source", "content"} <= set(a)
            assert 0 <= a["content"]["start"] < a["content"]["end"] <= len(text)
            if a["cue"] is not None:
                assert text[a["cue"]["start"]:a["cue"]["end"]] == a["cue"]["text"]
            src = a["source"]
            assert src["kind"] in {"named_person", "named_org", "official", "media",
                                   "anonymous", "vague", "none"}
            if src["start"] is not None:
                assert src["end"] > src["start"]
        for ls in s["loaded"]:
            assert text[ls["start"]:ls["end"]] == ls["text"]
            assert 0.0 <= ls["score"] <= 1.0
            speakers.add(ls["speaker"])
    # the demo was written to show each phenomenon
    assert {"direct_quote", "reported", "according_to", "chain", "agentless_passive",
            "hedged"} <= kinds
    assert {"author", "attributed", "vague", "question"} <= voices
    assert "author" in speakers and len(speakers) > 1


def test_articles_csv_one_row_per_article(demo_run) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(demo_run.paths["articles.csv"].open(encoding="utf-8")))
    assert len(rows) == len(demo_run.analyzed) == 12
    assert "author_voice_share" in rows[0]


def test_report_is_self_contained(demo_run) -> None:  # type: ignore[no-untyped-def]
    html = demo_run.paths["report.html"].read_text(encoding="utf-8")
    assert "Kabul Dispatch" in html and "Islamabad Herald" in html
    for needle in ("<script", "<link", "@import", "url(", "<iframe", "<img"):
        assert needle not in html, needle
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_same_input_gives_byte_identical_json(demo_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = run_analysis([demo_corpus_path()], tmp_path, Settings(bootstrap_samples=500))
    for name in ("sentences.jsonl", "run.json", "outlets.csv", "articles.csv"):
        assert again.paths[name].read_bytes() == demo_run.paths[name].read_bytes(), name


def test_cli_analyze_reports_accounting(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "1", "outlet": "A", "text": "Officials said the road was closed on Monday."}\n'
        '{"id": "2", "outlet": "", "text": "x"}\n'
        "{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "framing.cli", "analyze", str(src), "--out",
                           str(out), "--no-model"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "read 3 / analysed 1 / rejected 2" in proc.stdout
    assert "missing outlet" in proc.stderr and "not JSON" in proc.stderr
    run = json.loads((out / "run.json").read_text())
    assert [r["reason"] for r in run["ingest"]["rejections"]][0] == "missing outlet"


def test_cli_nothing_to_analyse(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "2", "outlet": "", "text": "x"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "framing.cli", "analyze", str(src), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "no article could be analysed" in proc.stderr and "missing outlet" in proc.stderr


def test_event_selection_sets_others_aside(tmp_path: Path) -> None:
    res = run_analysis([demo_corpus_path()], tmp_path, Settings(bootstrap_samples=200),
                       event="sindh-floods-2025")
    assert {a.article.event for a in res.analyzed} == {"sindh-floods-2025"}
    assert len(res.analyzed) + len(res.ingest.rejections) == res.ingest.n_read
    assert all("other event" in r.reason for r in res.ingest.rejections)


def test_article_whose_analysis_fails_is_reported_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing.nlp import pipeline

    real = pipeline.analyze_doc

    def flaky(article, doc, settings, check=None):  # type: ignore[no-untyped-def]
        if "BOOM" in doc.text:
            raise RuntimeError("parser exploded")
        return real(article, doc, settings, check)

    monkeypatch.setattr(pipeline, "analyze_doc", flaky)
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "ok", "outlet": "A", "text": "Officials said the road was closed."}\n'
        '{"id": "bad", "outlet": "B", "text": "BOOM said the reporter."}\n', encoding="utf-8")
    res = run_analysis([src], tmp_path / "out", Settings(bootstrap_samples=100))
    assert [a.article.id for a in res.analyzed] == ["ok"]
    run = json.loads(res.paths["run.json"].read_text())
    assert run["ingest"]["read"] == 2 and run["ingest"]["analysed"] == 1
    assert run["ingest"]["rejections"] == [
        {"id": "bad", "reason": "analysis failed: RuntimeError: parser exploded",
         "record": f"{src}:2"}]


def test_framing_over_time_when_coverage_spans_weeks(tmp_path: Path) -> None:
    rows = []
    for k, (day, outlet) in enumerate([("2025-03-03", "North Post"), ("2025-03-04", "North Post"),
                                       ("2025-03-18", "North Post"), ("2025-03-05", "South Times"),
                                       ("2025-03-19", "South Times")]):
        rows.append({"id": f"a{k}", "outlet": outlet, "event": "dam", "published": day,
                     "title": f"Dam report {k}",
                     "text": "The dam failed on Monday. Officials said the shameful delay cost "
                             f"lives. Engineers inspected the site on day {k}."})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_analysis([src], tmp_path / "out", Settings(use_model=False,
                                                              bootstrap_samples=200))
    table = list(csv.DictReader(result.paths["over_time.csv"].open(encoding="utf-8")))
    weeks = {(r["outlet"], r["week"]) for r in table if r["feature"] == "n_articles"}
    assert weeks == {("North Post", "2025-03-03"), ("North Post", "2025-03-17"),
                     ("South Times", "2025-03-03"), ("South Times", "2025-03-17")}
    report = result.paths["report.html"].read_text(encoding="utf-8")
    assert "Framing over time" in report and "2025-03-17" in report
