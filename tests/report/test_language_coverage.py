"""run.json, articles.csv and the report say which share of each outlet was analysed."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import framing_test_corpus as corpus

from framing.api import write_outputs
from framing.models import Rejection
from framing.settings import Settings
from framing.store import run_key


def test_run_json_and_report_count_other_languages(tmp_path: Path) -> None:
    ingest, analyzed = corpus.tiny_corpus()
    urdu = Rejection("upload.jsonl:9", "language ur (Urdu): only English is analysed", "u1",
                     "Alpha News", "ur")
    ingest = replace(ingest, rejections=ingest.rejections + (urdu,), n_read=ingest.n_read + 1)
    paths = write_outputs(tmp_path, ingest, analyzed, corpus.comparisons(analyzed))
    record = json.loads(paths["run.json"].read_text(encoding="utf-8"))
    alpha = next(o for o in record["ingest"]["outlets"] if o["outlet"] == "Alpha News")
    assert alpha == {
        "outlet": "Alpha News", "n_articles": 3, "n_english": 2, "n_analysed": 2,
        "other_languages": {"ur": 1},
        "summary": "Alpha News: 2 of 3 articles analysed (1 in Urdu, not analysed: the parser "
                   "and models are English-only).",
    }
    assert {"record": "upload.jsonl:9", "reason": urdu.reason, "id": "u1",
            "outlet": "Alpha News", "language": "ur"} in record["ingest"]["rejections"]
    html = paths["report.html"].read_text(encoding="utf-8")
    assert "<li>Alpha News: 2 of 3 articles analysed (1 in Urdu, not analysed" in html
    with paths["articles.csv"].open(encoding="utf-8", newline="") as fh:
        assert "language" in next(csv.reader(fh))


def test_run_key_changes_with_the_detected_language() -> None:
    ingest, _ = corpus.tiny_corpus()
    relabelled = replace(ingest, articles=tuple(replace(a, language="en")
                                                for a in ingest.articles))
    assert run_key(ingest, Settings()) != run_key(relabelled, Settings())
