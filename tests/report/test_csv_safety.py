"""No CSV file framing writes holds a spreadsheet formula, and the tool reads its files back as
written (OWASP "CSV Injection": cells starting with = + - @, tab or carriage return)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import framing_test_corpus as corpus
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.api import write_outputs
from framing.models import (
    AnalyzedArticle,
    Article,
    Claim,
    ClaimSentence,
    Comparison,
    Contrast,
    IngestResult,
    LabelRow,
    Term,
    WeekRow,
)
from framing.report import tables
from framing.report.exports import export_tables, typed_table
from framing.report.tables import (
    CsvWriter,
    no_surrogates,
    read_csv_records,
    read_csv_rows,
    safe_cell,
    unescape_cell,
)

OUTLET = '=HYPERLINK("http://x","y")'
TITLE = "+cmd"
SOURCE = "@SUM(A1)"
TEXT = "-2+3 is what @SUM(A1) said."
FORMULA = "=1+1"
LOADED = "=cruel"
EVENT = "@event"
GROUP = "-grp"
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf")
DANGER = ("=", "+", "-", "@", "\t", "\r")


def _formula_cells(path: Path) -> list[str]:
    """Cells of a CSV file a spreadsheet would read as a formula."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row
                if c.startswith(DANGER) and not PLAIN_NUMBER.fullmatch(c)]


def _hostile() -> tuple[IngestResult, list[AnalyzedArticle]]:
    sents = [
        corpus.Sent(TEXT, voice="attributed", source=(SOURCE, "named_org"), cue="said",
                    content="-2+3 is what"),
        corpus.Sent(FORMULA),
        corpus.Sent("The =cruel regime fell.", loaded=[(LOADED, "author", 0.9, ("evaluative",))]),
    ]
    hostile = corpus.build(
        Article("h-1", OUTLET, " ".join(s.text for s in sents), title=TITLE, event=EVENT,
                group=GROUP), sents)
    plain = [corpus.Sent("Rescue teams arrived after dawn."),
             corpus.Sent("Officials said the road was open.", voice="vague",
                         source=("Officials", "vague"), cue="said", content="the road was open")]
    other = corpus.build(
        Article("b-1", "Beta Wire", " ".join(s.text for s in plain), title="Beta one",
                event=EVENT, group="Beta"), plain)
    analyzed = [hostile, other]
    return IngestResult(tuple(a.article for a in analyzed), (), (), 2), analyzed


def _comparisons(analyzed: list[AnalyzedArticle]) -> list[Comparison]:
    comps = corpus.comparisons(analyzed)
    claim_sentence = ClaimSentence(OUTLET, "h-1", 0, "body", TEXT)
    extra = replace(
        comps[0],
        contrasts=(Contrast(EVENT, "outlet", OUTLET, "Beta Wire", "author_voice_share", 1, 1, 0.25,
                            0.5, -0.25, -0.5, 0.1, 0.3, 0.4, -1.2, -0.5, "-note"),),
        terms=(Term(OUTLET, "=cmd|x", 1, 3, 0, 12.5, -1.2, -2.1, 1),),
        labels=(LabelRow(EVENT, "=actor", "person", 3, OUTLET, "-label", 2, 0.5, "+link",
                         ("=ex1", "@ex2")),),
        claims=(Claim(1, claim_sentence, (claim_sentence,), (OUTLET,), ("Beta Wire",), True, 0),),
        over_time=(WeekRow(EVENT, OUTLET, "2024-01-01", 1, "author_voice_share", -0.5, -0.75,
                           -0.25, "+note"),),
    )
    return [extra, *comps[1:]]


@pytest.fixture()
def hostile_run(tmp_path: Path) -> Path:
    ingest, analyzed = _hostile()
    out = tmp_path / "run"
    write_outputs(out, ingest, analyzed, _comparisons(analyzed), "t")
    return out


def test_no_csv_of_a_run_holds_a_formula(hostile_run: Path) -> None:
    export_tables(hostile_run, ("csv",))
    written = sorted(hostile_run.rglob("*.csv"))
    names = {p.name for p in written}
    assert {"articles.csv", "outlets.csv", "sources.csv", "contrasts.csv", "terms.csv",
            "labels.csv", "claims.csv", "over_time.csv", "side_by_side.csv"} <= names
    for path in written:
        assert _formula_cells(path) == [], path
    with (hostile_run / "side_by_side.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert f"'{OUTLET}: mean" in header
    with (hostile_run / "articles.csv").open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    assert raw[0]["outlet"] == "'" + OUTLET and raw[0]["title"] == "'" + TITLE
    assert raw[0]["group"] == "'" + GROUP and raw[0]["event"] == "'" + EVENT
    with (hostile_run / "sources.csv").open(encoding="utf-8", newline="") as fh:
        assert "'" + SOURCE in {c for row in csv.reader(fh) for c in row}


def test_numbers_stay_numbers(hostile_run: Path) -> None:
    with (hostile_run / "contrasts.csv").open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["feature"] == "author_voice_share"
                   and r["note"] == "'-note")
    assert (row["difference"], row["difference_low"], row["hedges_g"]) == ("-0.25", "-0.5", "-1.2")
    assert row["a"] == "'" + OUTLET
    with (hostile_run / "terms.csv").open(encoding="utf-8", newline="") as fh:
        term = next(csv.DictReader(fh))
    assert (term["term"], term["log_odds"], term["z"]) == ("'=cmd|x", "-1.2", "-2.1")


def test_the_tool_reads_its_csv_files_back_as_written(hostile_run: Path) -> None:
    with (hostile_run / "articles.csv").open(encoding="utf-8", newline="") as fh:
        rec = next(read_csv_records(fh))
    assert (rec["outlet"], rec["title"], rec["group"], rec["event"]) == (OUTLET, TITLE, GROUP,
                                                                         EVENT)
    with (hostile_run / "side_by_side.csv").open(encoding="utf-8", newline="") as fh:
        assert f"{OUTLET}: mean" in next(read_csv_rows(fh))
    with (hostile_run / "contrasts.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(read_csv_rows(fh))
    table = typed_table("contrasts", rows[0], rows[1:])
    back = [tables.contrast_from_record(dict(zip(table.columns, r, strict=True)))
            for r in table.rows]
    assert _comparisons(_hostile()[1])[0].contrasts[0] in back


def test_sample_files_hold_no_formula_and_score_reads_them_back(hostile_run: Path) -> None:
    from openpyxl import load_workbook

    from framing.validation.sample import sample_run
    from framing.validation.score import read_key, score_sample

    paths = sample_run(hostile_run, hostile_run / "validation", n=50, seed=1)
    for name in ("sample.csv", "tool_labels.csv"):
        assert _formula_cells(paths[name]) == [], name
    with paths["sample.csv"].open(encoding="utf-8", newline="") as fh:
        visible = list(csv.DictReader(fh))
    assert {"'" + TEXT, "'" + FORMULA} <= {r["sentence"] for r in visible}
    assert "'" + OUTLET in {r["outlet"] for r in visible}

    wb = load_workbook(paths["sample.xlsx"])
    sheet = wb["Sentences"]
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row if c.value}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix  # text, not a formula
    assert cells[OUTLET].data_type == "s" and cells[TEXT].data_type == "s"

    key, meta = read_key(paths["sample.json"].parent)
    assert OUTLET in {k.outlet for k in key.values()}
    assert (LOADED,) in {k.loaded_words for k in key.values()}
    assert {k.stratum for k in key.values()} <= {s["stratum"] for s in meta["strata"]}
    with paths["sample.csv"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:  # the annotator agrees with the tool, keeping the file's other cells
        k = key[r["row_id"]]
        r["voice"], r["source_kind"] = k.voice, k.source_kind
        r["loaded_words"] = "; ".join(k.loaded_words)
    annotated = paths["sample.json"].parent / "a.csv"
    with annotated.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    result = score_sample(paths["sample.json"].parent, [annotated], n_resamples=20)
    assert result["tool_vs_annotator"][0]["voice"]["accuracy"]["value"] == 1.0
    outlets = {o["outlet"] for o in result["corrected"]["own_voice_share"]["outlets"]}
    assert OUTLET in outlets
    json.dumps(result)


def test_xlsx_formula_text_is_a_string_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from framing.validation.sample import _write_xlsx

    path = tmp_path / "s.xlsx"
    _write_xlsx(path, [["s0001", "a", OUTLET, "body", "", FORMULA, "", "", "", ""]])
    sheet = load_workbook(path)["Sentences"]
    assert sheet["F2"].value == FORMULA and sheet["F2"].data_type == "s"
    assert sheet["C2"].value == OUTLET and sheet["C2"].data_type == "s"
    values = load_workbook(path, read_only=True, data_only=True)["Sentences"]
    assert list(values.iter_rows(min_row=2, values_only=True))[0][5] == FORMULA


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("-", "'-"), ("'=x", "''=x"), ("''+x", "'''+x"),
        ("-0.25", "-0.25"), ("+3", "+3"), ("-1e-06", "-1e-06"), ("-inf", "-inf"), ("-.5", "-.5"),
        ("'-0.25", "'-0.25"), ("'x", "'x"), ("'", "'"), ("", ""), ("a=b", "a=b"),
        ("-\u0661", "'-\u0661"), ("-1\n", "'-1\n"),
    ],
)
def test_safe_cell(value: str, written: str) -> None:
    assert safe_cell(value) == written
    assert unescape_cell(written) == value


def test_non_text_cells_are_left_alone() -> None:
    assert safe_cell(-0.25) == -0.25 and safe_cell(-3) == -3 and safe_cell(None) is None
    buf = io.StringIO()
    CsvWriter(buf).writerow([-0.25, -3, "-0.25", "=x", None])
    assert buf.getvalue() == "-0.25,-3,-0.25,'=x,\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "1", ".", "e",
                                          "x", " "]), max_size=6)
       | st.text(alphabet=st.characters(codec=None)))
def test_safe_cell_is_undone_exactly(value: str) -> None:
    written = safe_cell(value)
    assert not written.startswith(DANGER) or PLAIN_NUMBER.fullmatch(written)
    assert unescape_cell(written) == no_surrogates(value)


def test_exported_and_dashboard_tables_read_the_cells_as_written(hostile_run: Path) -> None:
    from framing.report.exports import read_csv_table, to_csv

    table = read_csv_table(hostile_run / "articles.csv")
    assert table.rows[0][table.columns.index("outlet")] == OUTLET
    raw = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8"), newline="")))
    assert raw[1][table.columns.index("outlet")] == "'" + OUTLET  # one ', not two
    export_tables(hostile_run, ("csv", "json"))
    records = json.loads((hostile_run / "tables" / "articles.json").read_text(encoding="utf-8"))
    assert records[0]["outlet"] == OUTLET and records[0]["title"] == TITLE
    with (hostile_run / "tables" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        assert next(read_csv_records(fh))["outlet"] == OUTLET
