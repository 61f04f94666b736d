"""Output folders: framing writes only where it may, and deletes only what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from framing_test_corpus import demo_over_events

from framing.api import OUTPUT_FILES, demo_corpus_path, run_analysis
from framing.cli import main
from framing.engine import DATASET
from framing.report.folder import (
    MARKER,
    OutputFolderError,
    claim_folder,
    record_files,
    remove_written,
    written_files,
)
from framing.report.html import INLINE_EVENTS
from framing.settings import Settings

SETTINGS = Settings(use_model=False, bootstrap_samples=50)


def test_user_files_in_events_and_dataset_survive_runs(tmp_path: Path) -> None:
    """Event pages of an earlier run go; a file the user put beside them stays, and so does an
    unknown file in the Parquet dataset when the batches change."""
    out = tmp_path / "out"
    run_analysis([demo_over_events(tmp_path / "many.jsonl", INLINE_EVENTS + 2)], out, SETTINGS)
    assert (out / MARKER).is_file()
    pages = sorted(p.name for p in (out / "events").glob("e*.html"))
    assert len(pages) == INLINE_EVENTS + 2
    assert f"events/{pages[0]}" in written_files(out)
    (out / "events" / "important.txt").write_text("my notes", encoding="utf-8")
    mine = out / DATASET / "articles" / "my-extract.parquet"
    mine.write_bytes(b"not framing's")
    hidden = out / DATASET / "articles" / ".keep"
    hidden.write_text("", encoding="utf-8")
    # a run of another corpus: other batches, and no event pages at all
    run_analysis([demo_over_events(tmp_path / "few.jsonl", 2)], out, SETTINGS)
    assert (out / "events" / "important.txt").read_text(encoding="utf-8") == "my notes"
    assert not list((out / "events").glob("e*.html"))  # the stale pages went
    assert mine.read_bytes() == b"not framing's" and hidden.exists()
    assert not any(p.startswith("events/e") for p in written_files(out))
    assert set(OUTPUT_FILES) <= written_files(out)


def test_a_folder_framing_did_not_make_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "report.html").write_text("my own report", encoding="utf-8")
    (out / "run.json").write_text('{"mine": true}', encoding="utf-8")
    with pytest.raises(OutputFolderError, match="not written by framing.*--force"):
        run_analysis([demo_corpus_path()], out, SETTINGS)
    # nothing was written: no dataset, no marker, the files as they were
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "run.json"]
    assert (out / "report.html").read_text(encoding="utf-8") == "my own report"
    code = main(["demo", "--out", str(out), "--no-model"])
    assert code == 2
    err = capsys.readouterr().err
    assert "not written by framing" in err and "Traceback" not in err
    assert (out / "run.json").read_text(encoding="utf-8") == '{"mine": true}'


def test_force_writes_framing_files_and_deletes_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "shared-folder"
    (out / "events").mkdir(parents=True)
    (out / "events" / "e00000.html").write_text("the user's page", encoding="utf-8")
    (out / "notes.csv").write_text("a,b\n", encoding="utf-8")
    (out / "report.html").write_text("old", encoding="utf-8")
    run_analysis([demo_over_events(tmp_path / "few.jsonl", 2)], out, SETTINGS, force=True)
    assert "framing" in (out / "report.html").read_text(encoding="utf-8")  # replaced: asked for
    assert (out / "notes.csv").read_text(encoding="utf-8") == "a,b\n"
    # this run writes no event pages: a page framing never wrote is not its to delete
    assert (out / "events" / "e00000.html").read_text(encoding="utf-8") == "the user's page"
    assert "notes.csv" not in written_files(out) and "report.html" in written_files(out)


def test_an_empty_or_new_folder_is_claimed_and_a_file_is_not(tmp_path: Path) -> None:
    claim_folder(tmp_path / "new" / "deep")
    assert (tmp_path / "new" / "deep" / MARKER).is_file()
    (tmp_path / "empty").mkdir()
    claim_folder(tmp_path / "empty")
    assert written_files(tmp_path / "empty") == set()
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="is a file"):
        claim_folder(tmp_path / "f")


def test_a_folder_of_an_older_framing_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "old-run"
    (out / "events").mkdir(parents=True)
    (out / "run.json").write_text('{"package": "framing", "outputs": []}', encoding="utf-8")
    (out / "report.html").write_text("old report", encoding="utf-8")
    (out / "events" / "e00000.html").write_text("old page", encoding="utf-8")
    claim_folder(out, output_files=OUTPUT_FILES)
    assert written_files(out) == {"report.html", "run.json"}  # old pages are not claimed


def test_a_marker_cannot_delete_outside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "precious.txt"
    outside.write_text("keep", encoding="utf-8")
    claim_folder(out)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.html").write_text("keep", encoding="utf-8")
    (out / "events").symlink_to(tmp_path / "elsewhere")
    marker = out / MARKER
    data = json.loads(marker.read_text(encoding="utf-8"))
    data["files"] = ["../precious.txt", str(outside), "events/x.html"]
    marker.write_text(json.dumps(data), encoding="utf-8")
    assert written_files(out) == {"events/x.html"}
    assert remove_written(out, ["../precious.txt", str(outside), "events/x.html"]) == 0
    assert outside.read_text(encoding="utf-8") == "keep"
    assert (tmp_path / "elsewhere" / "x.html").exists()
    record_files(out, ["report.html"])
    assert remove_written(out, ["report.html", "notes.txt"]) == 0  # listed but not there


def test_exported_tables_are_listed_as_framing_files(tmp_path: Path) -> None:
    from framing.api import export_tables

    out = tmp_path / "out"
    run_analysis([demo_corpus_path()], out, SETTINGS)
    written = export_tables(out, formats=("csv",))
    listed = written_files(out)
    assert written and all(p.relative_to(out).as_posix() in listed for p in written)
