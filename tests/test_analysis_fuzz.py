"""Property tests (Hypothesis): whatever articles come in, the whole analysis completes and
accounts for every record.

Random and adversarial articles - random unicode (lone surrogates, NUL, CR, zero-width), quotes
of every kind, very long run-on sentences, headlines ending in ", X said", bodies opening with a
quote, hundreds of quotation marks, markup - are written as JSONL and run through
``framing.api.run_analysis`` in lexicon mode. The run must complete; ``read == analysed +
rejected``; each input line is analysed once or rejected once by its ``file:line``; articles.csv
has one row per analysed article; every offset lies inside the text it names; and the HTML report
shows user text as text.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing import api
from framing.api import run_analysis
from framing.settings import Settings

pytestmark = pytest.mark.slow

#: Examples per run; FRAMING_FUZZ_EXAMPLES=300 for a longer hunt.
RUNS = settings(
    max_examples=int(os.environ.get("FRAMING_ANALYSIS_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Small limits, so the fuzz reaches them with small inputs.
SETTINGS = Settings(use_model=False, bootstrap_samples=20, max_quote_marks=60,
                    max_sentence_chars=400)
SCRIPT = "<script>alert('fz')</script>"

WORDS = ("the minister said terrorists militants border officials reportedly according to "
         "sources attack regime lies police claimed denied brutal massacre Kabul Dawn he she "
         "was is not a spokesman told reporters accused of").split()
QUOTES = ['"', "“", "”", "«", "»", "‘", "’", "'"]
ODD = ["\ud800", "\udfff", "\x00", "\r", "\r\n", "\u200b", "\ufeff", "\u2028", "\t", "\\",
       SCRIPT, "<b>", "&amp;", "\n\n", "\n", ", ", ". ", ": ", "? ", " — ", "KABUL, May 3 — "]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join)
piece = st.one_of(words, words, st.sampled_from(QUOTES), st.sampled_from(ODD),
                  st.text(max_size=15))
bodies = st.one_of(
    st.lists(piece, min_size=1, max_size=40).map("".join),
    words.map(lambda w: f'"{w},"'),  # a body that opens (and ends) with a quotation
    words.map(lambda w: f'"The terrorists had {w}," police said. {w}.'),
    st.integers(100, 1500).map(lambda n: " ".join(WORDS[i % len(WORDS)] for i in range(n))),
    st.integers(40, 400).map(lambda n: '"a b" ' * n),  # many quotation marks
    st.integers(10, 300).map(lambda n: "x" * n * 10),  # one huge token
)
titles = st.one_of(
    st.none(),
    words,
    words.map(lambda w: f"{w}, officials said"),
    st.just("days, said"),
    st.lists(piece, max_size=6).map("".join),
)
articles = st.fixed_dictionaries({
    "outlet": st.sampled_from(["Alpha", "Beta", "<b>Gamma</b>", "Dawn\ud800"]),
    "title": titles,
    "text": bodies,
})
GOOD = [
    {"id": "good-a", "outlet": "Alpha", "title": "Talks resume",
     "text": 'The minister said the talks would resume. "We are ready," he told reporters.'},
    {"id": "good-b", "outlet": "Beta", "title": "Militants attack, police said",
     "text": '"The terrorists had crossed the border," police said. Officials denied it.'},
]


def _corpus(folder: Path, arts: list[dict[str, Any]]) -> tuple[Path, list[dict[str, Any]]]:
    records = [*GOOD, *({"id": f"fz-{i}", "event": "e", **a} for i, a in enumerate(arts))]
    records = [{**r, "event": "e"} for r in records]
    path = folder / "in.jsonl"
    # ensure_ascii: lone surrogates travel as JSON escapes, as a scraper would write them
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path, records


def _inside(span: dict[str, Any] | None, text: str) -> None:
    if span is None or span.get("start") is None:
        return
    assert 0 <= span["start"] <= span["end"] <= len(text), (span, len(text))


def check_run(path: Path, records: list[dict[str, Any]], out: Path, st_: Settings) -> None:
    res = run_analysis([path], out, st_)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))["ingest"]
    assert run["read"] == len(records) == run["analysed"] + run["rejected"]
    # every input line is analysed once or rejected once, by its file:line
    ids = [a.article.id for a in res.analyzed]
    assert len(ids) == len(set(ids))
    named = [r["record"] for r in run["rejections"]]
    assert len(named) == len(set(named))
    line_of = {r["id"]: i for i, r in enumerate(records, start=1)}
    assert set(named) <= {f"{path}:{i}" for i in line_of.values()}
    assert {f"{path}:{line_of[i]}" for i in ids}.isdisjoint(named)
    # the record-naming read is the same read as api.load
    assert api._load_named([path], st_)[0] == api.load([path], st_)
    # articles.csv: one row per analysed article
    with (out / "articles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["article_id"] for r in rows] == ids
    # offsets inside the text they name
    by_id = {a.article.id: a.article for a in res.analyzed}
    for line in (out / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        s = json.loads(line)
        art = by_id[s["article_id"]]
        text = (art.title or "") if s["part"] == "title" else art.text
        _inside(s, text)
        assert s["text"] == text[s["start"] : s["end"]]
        for x in s["loaded"] + s["hedges"]:
            _inside(x, text)
            assert x["text"] == text[x["start"] : x["end"]]
        for a in s["attributions"]:
            for key in ("cue", "source", "content"):
                _inside(a[key], text)
    # the report shows user text as text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert SCRIPT not in html and "<b>Gamma</b>" not in html


@RUNS
@given(st.lists(articles, min_size=1, max_size=5))
def test_any_articles_run_to_the_end_and_add_up(arts: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, records = _corpus(Path(tmp), arts)
        check_run(path, records, Path(tmp) / "out", SETTINGS)


def test_the_issue_examples(tmp_path: Path) -> None:
    arts = [
        {"outlet": "b", "title": "days, said", "text": '"The terrorists had border,"'},
        {"outlet": "b", "title": "Bare\rreturn", "text": "Officials said it.\r\nThen more."},
        {"outlet": "Dawn\ud800", "title": "x\ud800", "text": "He said \ud800 it was over."},
        {"outlet": "Alpha", "title": None, "text": '"a b" ' * 200},
        {"outlet": "Beta", "title": "Run on", "text": " ".join(["militants"] * 3000)},
    ]
    path, records = _corpus(tmp_path, arts)
    check_run(path, records, tmp_path / "out", SETTINGS)
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))["ingest"]
    assert run["rejected"] == 0
    assert any(f["kind"] == "many_quotes" for f in run["flags"])


def test_a_time_budget_rejection_names_its_record(tmp_path: Path) -> None:
    path, records = _corpus(tmp_path, [])
    res = run_analysis([path], tmp_path / "ok", SETTINGS)
    assert len(res.analyzed) == 2
    with pytest.raises(ValueError, match=r"in\.jsonl:1: analysis exceeded the time budget"):
        run_analysis([path], tmp_path / "out", SETTINGS.updated(analysis_time_budget=1e-9))
    assert not (tmp_path / "out" / "run.json").exists()


def test_hostile_articles_with_the_learned_model(tmp_path: Path) -> None:
    arts = [
        {"outlet": "b", "title": "days, said", "text": '"The terrorists had border,"'},
        {"outlet": "Alpha", "title": "Bare\rreturn \ud800", "text": '"a b" ' * 200},
        {"outlet": "Beta", "title": None, "text": " ".join(WORDS * 60)},
        {"outlet": "<b>Gamma</b>", "title": SCRIPT, "text": f"He said {SCRIPT} was brutal."},
        {"outlet": "Beta", "title": "\u200b", "text": "“Militants” «massacred» ‘civilians’."},
    ]
    path, records = _corpus(tmp_path, arts)
    check_run(path, records, tmp_path / "out", SETTINGS.updated(use_model=True))
