"""Validation sample and scoring on a tiny hand-written run output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from framing.cli import main
from framing.validation.sample import (
    SAMPLE_COLUMNS,
    SampleExistsError,
    allocate,
    draw_sample,
    edited_sample_files,
    read_run_sentences,
    sample_run,
    tool_source_kind,
)
from framing.validation.score import (
    AnnotationError,
    read_annotations,
    read_key,
    rogan_gladen,
    score_sample,
    summary_markdown,
    write_scores,
)

ATTR = {"kind": "reported", "parent": None,
        "source": {"kind": "named_person", "text": "Minister Rahimi"}}
CHAIN = [
    {"kind": "chain", "parent": {"kind": "reported", "source": "TV One"},
     "source": {"kind": "anonymous", "text": "security sources"}},
    {"kind": "reported", "parent": None, "source": {"kind": "media", "text": "TV One"}},
]
# (article, outlet, part, index, text, voice, attributions, loaded words)
SENTENCES = [
    ("a1", "North Post", "title", 0, "Minister slams critics", "attributed", [ATTR], ["slams"]),
    ("a1", "North Post", "body", 0, "The blast hit the market.", "author", [], []),
    ("a1", "North Post", "body", 1, "Rahimi said the thugs would pay.", "attributed", [ATTR],
     ["thugs"]),
    ("a2", "South Daily", "body", 0, "TV One reported, citing security sources, that two died.",
     "vague", CHAIN, []),
    ("a2", "South Daily", "body", 1, "=SUM(A1) is not a formula here.", "author", [], []),
]


def _run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"package_version": "0", "settings_hash": "abc"}))
    with (run / "articles.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["article_id", "outlet"], ["a1", "North Post"],
                                  ["a2", "South Daily"]])
    with (run / "sentences.jsonl").open("w") as fh:
        for art, outlet, part, i, text, voice, attrs, loaded in SENTENCES:
            fh.write(json.dumps({
                "article_id": art, "outlet": outlet, "part": part, "index": i, "text": text,
                "voice": voice, "attributions": attrs,
                "loaded": [{"text": w, "speaker": "author"} for w in loaded],
            }) + "\n")
    return run


def test_read_run_sentences_context_and_tool_labels(tmp_path: Path) -> None:
    rows = read_run_sentences(_run(tmp_path))
    assert [r.text for r in rows][:2] == ["Minister slams critics", "The blast hit the market."]
    assert rows[0].context == ""
    assert rows[1].context == "Minister slams critics"  # the headline before the first sentence
    assert rows[3].context == ""  # a new article
    assert [r.source_kind for r in rows] == ["named_person", "none", "named_person",
                                             "anonymous", "none"]
    assert rows[2].loaded_words == ("thugs",) and rows[2].has_loaded


def test_tool_source_kind_rules() -> None:
    assert tool_source_kind("vague", CHAIN) == "anonymous"  # a chain's origin
    assert tool_source_kind("author", [ATTR]) == "none"
    hedged = {"kind": "hedged", "source": {"kind": "vague", "text": "reportedly"}}
    assert tool_source_kind("attributed", [hedged, ATTR]) == "named_person"
    assert tool_source_kind("vague", [ATTR, hedged]) == "vague"


def test_allocate_by_hand() -> None:
    # floors 3 / 2 / 3, then 12 rows by what is left (7 and 97): 0.81 and 11.19 -> 1 and 11
    assert allocate({"a": 10, "b": 2, "c": 100}, 20) == {"a": 4, "b": 2, "c": 14}
    assert allocate({"a": 10, "b": 2}, 50) == {"a": 10, "b": 2}
    assert allocate({"a": 5, "b": 5, "c": 1}, 2) == {"a": 1, "b": 1, "c": 0}
    assert sum(allocate({i: 7 + i for i in range(9)}, 40).values()) == 40


def test_draw_sample_is_seeded_and_stratified(tmp_path: Path) -> None:
    rows = read_run_sentences(_run(tmp_path))
    a, b = draw_sample(rows, 3, seed=5), draw_sample(rows, 3, seed=5)
    assert a == b
    assert len(a.rows) == 3 and len({r.stratum for _, r in a.rows}) == 3
    assert [rid for rid, _ in a.rows] == ["s0001", "s0002", "s0003"]
    with pytest.raises(ValueError, match="at least 1"):
        draw_sample(rows, 0)


def test_sample_files_hide_the_tool_labels(tmp_path: Path) -> None:
    paths = sample_run(_run(tmp_path), tmp_path / "s", n=200, seed=1)
    with paths["sample.csv"].open(newline="") as fh:
        visible = list(csv.DictReader(fh))
    assert tuple(visible[0]) == SAMPLE_COLUMNS
    assert len(visible) == 5
    assert all(r["voice"] == r["source_kind"] == r["loaded_words"] == "" for r in visible)
    assert not any("tool" in c for c in visible[0])
    assert "'=SUM(A1) is not a formula here." in {r["sentence"] for r in visible}
    key, meta = read_key(tmp_path / "s")
    assert {k.voice for k in key.values()} == {"author", "attributed", "vague"}
    assert meta["n_drawn"] == meta["n_sentences"] == 5 and meta["seed"] == 1
    assert sum(s["population"] for s in meta["strata"]) == 5
    assert all(s["weight"] == 1.0 for s in meta["strata"])
    assert "## voice" in paths["INSTRUCTIONS.md"].read_text()

    from openpyxl import load_workbook

    wb = load_workbook(paths["sample.xlsx"])
    assert wb.sheetnames == ["Instructions", "Sentences"]
    sheet = wb["Sentences"]
    assert [c.value for c in sheet[1]] == list(SAMPLE_COLUMNS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value]
    assert all(c.data_type == "s" for c in cells)  # no formula cells


def _annotate(folder: Path, name: str, labels: dict[str, tuple[str, str, str]]) -> Path:
    """Write an annotated copy of sample.csv; labels by sentence text."""
    with (folder / "sample.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        text = r["sentence"].lstrip("'")
        if text in labels:
            r["voice"], r["source_kind"], r["loaded_words"] = labels[text]
    out = folder / name
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(SAMPLE_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return out


# Tool voice: attributed, author, attributed, vague, author.
FIRST = {
    "Minister slams critics": ("attributed", "named_person", "slams"),
    "The blast hit the market.": ("author", "", ""),
    "Rahimi said the thugs would pay.": ("Attributed", "named person", "the thugs; would pay"),
    "TV One reported, citing security sources, that two died.": ("vague", "anonymous", ""),
    "=SUM(A1) is not a formula here.": ("attributed", "vague", "formula"),
}


def test_score_against_hand_computed_values(tmp_path: Path) -> None:
    sample_run(_run(tmp_path), tmp_path / "s", n=200, seed=1)
    first = _annotate(tmp_path / "s", "a.csv", FIRST)
    result = score_sample(tmp_path / "s", [first], n_resamples=200, seed=3)
    voice = result["tool_vs_annotator"][0]["voice"]
    # tool  attributed author attributed vague author; annotator: the last one attributed.
    # p_o = 4/5; tool counts at 2 / au 2 / v 1, annotator at 3 / au 1 / v 1:
    # p_e = (2*3 + 2*1 + 1*1) / 25 = 9/25; kappa = (20/25 - 9/25) / (16/25) = 11/16
    assert voice["n"] == 5
    assert voice["accuracy"]["value"] == 0.8
    assert voice["cohen_kappa"]["value"] == pytest.approx(11 / 16, abs=1e-4)
    # alpha: n = 10, n_at = 5, n_au = 3, n_v = 2; one disagreeing pair (au, at) both ways
    # expected sum = 2 * (5*3 + 5*2 + 3*2) = 62; alpha = 1 - 9 * 2 / 62 = 22/31
    assert voice["krippendorff_alpha"]["value"] == pytest.approx(22 / 31, abs=1e-4)
    assert voice["confusion"]["attributed"] == {"attributed": 2, "author": 1}
    loaded = result["tool_vs_annotator"][0]["loaded"]
    assert loaded["accuracy"]["value"] == 0.8  # the formula row: annotator yes, tool no
    words = result["tool_vs_annotator"][0]["loaded_words"]
    # tool phrases: slams, thugs (both matched); annotator: slams, the thugs, would pay, formula
    assert (words["precision"], words["recall"]) == (1.0, 0.5)
    assert words["f1"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    own = result["corrected"]["own_voice_share"]
    north = next(o for o in own["outlets"] if o["outlet"] == "North Post")
    assert north["tool"] == pytest.approx(1 / 3, abs=1e-4)
    assert north["rogan_gladen"]["sound"] is False
    assert "only 5 annotated rows" in north["rogan_gladen"]["note"]
    south = next(o for o in own["outlets"] if o["outlet"] == "South Daily")
    assert south["stratified"]["value"] == 0.0  # the author sentence was annotated attributed
    assert "between_annotators" not in result
    md = summary_markdown(result)
    assert "| voice | 5 | 0.800" in md and "(not sound)" in md
    paths = write_scores(result, tmp_path / "s")
    assert json.loads(paths["scores.json"].read_text())["seed"] == 3


def test_two_annotators_agreement(tmp_path: Path) -> None:
    sample_run(_run(tmp_path), tmp_path / "s", n=200, seed=1)
    first = _annotate(tmp_path / "s", "a.csv", FIRST)
    second_labels = dict(FIRST)
    second_labels["The blast hit the market."] = ("vague", "vague", "")
    del second_labels["Minister slams critics"]  # this annotator skipped a row
    second = _annotate(tmp_path / "s", "b.csv", second_labels)
    result = score_sample(tmp_path / "s", [first, second], n_resamples=100)
    assert [a["n_annotated"] for a in result["annotators"]] == [5, 4]
    between = result["between_annotators"]["voice"]
    assert between["n"] == 4 and between["accuracy"]["value"] == 0.75


def test_rogan_gladen_by_hand() -> None:
    assert rogan_gladen(0.3, 0.9, 0.8) == pytest.approx(0.1 / 0.7)
    assert rogan_gladen(0.3, 0.5, 0.5) != rogan_gladen(0.3, 0.5, 0.5)  # NaN: J = 0


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"The blast hit the market.": ("autor", "", "")},
         r"row \d+ \(row id 's\d{4}'\): voice 'autor' is not one of author, attributed"),
        ({"The blast hit the market.": ("author", "journalist", "")},
         r"source_kind 'journalist' is not one of named_person"),
        ({"Minister slams critics": ("attributed", "", "")},
         r"source_kind is empty for a attributed sentence"),
        ({"Minister slams critics": ("", "", "slams")},
         r"loaded_words given but voice is empty"),
    ],
)
def test_bad_annotation_values_name_row_and_value(
    tmp_path: Path, labels: dict[str, tuple[str, str, str]], message: str
) -> None:
    sample_run(_run(tmp_path), tmp_path / "s", n=200, seed=1)
    bad = _annotate(tmp_path / "s", "bad.csv", labels)
    key, _ = read_key(tmp_path / "s")
    with pytest.raises(AnnotationError, match=message):
        read_annotations(bad, key)


def test_unknown_row_id_is_an_error(tmp_path: Path) -> None:
    sample_run(_run(tmp_path), tmp_path / "s", n=200, seed=1)
    key, _ = read_key(tmp_path / "s")
    p = tmp_path / "s" / "x.csv"
    p.write_text("row_id,voice,source_kind,loaded_words\nzz9,author,,\n")
    with pytest.raises(AnnotationError, match=r"row 2 \(row id 'zz9'\): row id not in"):
        read_annotations(p, key)


def test_xlsx_annotations_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(tmp_path)
    assert main(["validate", "sample", "--run", str(run), "--out", str(tmp_path / "s"),
                 "--n", "4", "--seed", "2"]) == 0
    assert "drew 4 of 5 sentences" in capsys.readouterr().out
    from openpyxl import load_workbook

    path = tmp_path / "s" / "sample.xlsx"
    wb = load_workbook(path)
    sheet = wb["Sentences"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        row[header.index("voice")].value = "author"
    wb.save(path)
    assert main(["validate", "score", str(tmp_path / "s"), "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "sample.xlsx: 4 rows annotated, 0 skipped" in out
    assert (tmp_path / "s" / "scores.md").is_file()
    assert main(["validate", "sample", "--run", str(tmp_path), "--out", str(tmp_path / "t")]) == 2
    assert "not found" in capsys.readouterr().err


def _edit_xlsx(path: Path) -> bytes:
    """An annotator fills in the first row's voice and saves: the file's bytes afterwards."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    sheet = wb["Sentences"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("voice") + 1).value = "author"
    wb.save(path)
    return path.read_bytes()


def test_sample_twice_without_edits_regenerates(tmp_path: Path) -> None:
    run = _run(tmp_path)
    first = sample_run(run, tmp_path / "s", n=4, seed=1)
    meta = json.loads(first["sample.json"].read_text())
    assert set(meta["sha256"]) == {"sample.csv", "sample.xlsx"}
    assert edited_sample_files(tmp_path / "s") == []
    again = sample_run(run, tmp_path / "s", n=3, seed=2)  # nobody touched it: replaced
    assert again == first
    assert len(read_key(tmp_path / "s")[0]) == 3
    assert not (tmp_path / "s" / "sample-2").exists()


def test_an_annotated_sheet_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(tmp_path)
    folder = tmp_path / "s"
    sample_run(run, folder, n=4, seed=1)
    annotated = _edit_xlsx(folder / "sample.xlsx")
    key = (folder / "tool_labels.csv").read_bytes()
    with pytest.raises(SampleExistsError, match=r"sample\.xlsx differs from the sample framing "
                                                r"wrote there .*--force") as err:
        sample_run(run, folder, n=4, seed=7)
    assert err.value.changed == (folder / "sample.xlsx",)
    assert err.value.free == folder / "sample-2"
    args = ["validate", "sample", "--run", str(run), "--out", str(folder), "--seed", "7"]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "sample.xlsx differs" in captured.err and "--force" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert (folder / "sample.xlsx").read_bytes() == annotated
    assert (folder / "tool_labels.csv").read_bytes() == key
    assert not (folder / "sample-2").exists()

    paths = sample_run(run, folder, n=4, seed=7, force=True)
    assert paths["sample.xlsx"] == folder / "sample-2" / "sample.xlsx"
    assert all(p.is_file() for p in paths.values())
    assert (folder / "sample.xlsx").read_bytes() == annotated  # kept, with its own key
    assert (folder / "tool_labels.csv").read_bytes() == key
    assert main([*args, "--force"]) == 0
    out = capsys.readouterr().out
    assert f"the new sample is in {folder / 'sample-3'}" in out
    assert (folder / "sample.xlsx").read_bytes() == annotated
    result = score_sample(folder, None, n_resamples=20)  # the annotated sheet still scores
    assert result["annotators"][0]["n_annotated"] == 1


def test_an_edited_csv_or_a_sample_without_record_is_refused(tmp_path: Path) -> None:
    run = _run(tmp_path)
    sample_run(run, tmp_path / "s", n=4, seed=1)
    with (tmp_path / "s" / "sample.csv").open("a") as fh:
        fh.write("\n")
    with pytest.raises(SampleExistsError, match=r"sample\.csv differs"):
        sample_run(run, tmp_path / "s", n=4, seed=1)
    old = tmp_path / "old"  # written before the record existed: cannot tell, so kept
    old.mkdir()
    (old / "sample.xlsx").write_bytes(b"not ours")
    with pytest.raises(SampleExistsError, match=r"sample\.xlsx differs"):
        sample_run(run, old, n=4, seed=1)
    assert (old / "sample.xlsx").read_bytes() == b"not ours"
