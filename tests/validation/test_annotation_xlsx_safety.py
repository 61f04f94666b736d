"""Annotators' XLSX files (issue #28, item 7): a file that is not a workbook, one that unpacks too
big or is compressed like a ZIP bomb, and a sheet of too many rows give an AnnotationError (a
ValueError) naming the file and the reason, never a traceback; the limits are lowered with
monkeypatch so the tests stay fast.
"""

from __future__ import annotations

import csv
import json
import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from framing.cli import main
from framing.validation import score
from framing.validation.sample import SAMPLE_COLUMNS, TOOL_COLUMNS
from framing.validation.score import AnnotationError, ToolRow, read_annotations

KNOWN = {f"s{i:04d}": ToolRow(f"s{i:04d}", "O", "author", "author", "none", False, ())
         for i in range(1, 11)}
NOT_A_WORKBOOK = ("not a readable XLSX workbook", "save it again from the spreadsheet program "
                  "as .xlsx, or upload the CSV")


def _workbook(path: Path, n_rows: int) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sentences"
    ws.append(list(SAMPLE_COLUMNS))
    for i in range(1, n_rows + 1):
        row = {"row_id": f"s{i:04d}", "outlet": "O", "sentence": "He said.", "voice": "author"}
        ws.append([row.get(c, "") for c in SAMPLE_COLUMNS])
    wb.save(path)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _message(path: Path) -> str:
    with pytest.raises(AnnotationError) as info:
        read_annotations(path, KNOWN)
    assert str(info.value).startswith(f"{path}: ")
    return str(info.value)


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "annotator-1.xlsx"
    path.write_bytes(random.Random(28).randbytes(4096))
    assert _message(path) == (f"{path}: {NOT_A_WORKBOOK[0]} (not a ZIP archive: BadZipFile); "
                              f"{NOT_A_WORKBOOK[1]}")


@pytest.mark.parametrize(
    ("members", "detail"),
    [
        ({"notes.txt": b"hello"}, "(KeyError: "),  # a ZIP, but no workbook in it
        ({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<<<"}, "("),  # broken XML
    ],
)
def test_zip_that_is_not_a_workbook(tmp_path: Path, members: dict[str, bytes], detail: str) -> None:
    message = _message(_zip(tmp_path / "a.xlsx", members))
    assert message.startswith(f"{tmp_path / 'a.xlsx'}: {NOT_A_WORKBOOK[0]} {detail}")
    assert message.endswith(NOT_A_WORKBOOK[1])


def test_workbook_with_a_broken_sheet(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx", 2)
    with zipfile.ZipFile(good) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c"
    message = _message(_zip(tmp_path / "broken.xlsx", parts))
    assert NOT_A_WORKBOOK[0] in message and message.endswith(NOT_A_WORKBOOK[1])


def test_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score, "MAX_ANNOTATION_ROWS", 3)
    assert sorted(read_annotations(_workbook(tmp_path / "ok.xlsx", 3), KNOWN)) == [
        "s0001", "s0002", "s0003"]
    path = _workbook(tmp_path / "long.xlsx", 4)
    assert _message(path) == (f"{path}: the sheet has more than 3 rows, the limit "
                              "MAX_ANNOTATION_ROWS (a sample has a few thousand); delete the "
                              "rows below the sample")


def test_unpacked_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(tmp_path / "a.xlsx", 2)
    with zipfile.ZipFile(path) as zf:
        total = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(score, "MAX_XLSX_UNPACKED_BYTES", total)
    assert sorted(read_annotations(path, KNOWN)) == ["s0001", "s0002"]
    monkeypatch.setattr(score, "MAX_XLSX_UNPACKED_BYTES", total - 1)
    assert _message(path) == (f"{path}: the workbook unpacks to {total} bytes, more than the "
                              f"limit MAX_XLSX_UNPACKED_BYTES = {total - 1}")


def test_compression_ratio_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score, "XLSX_RATIO_FLOOR_BYTES", 1000)
    monkeypatch.setattr(score, "MAX_XLSX_COMPRESSION_RATIO", 50)
    path = _zip(tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": b" " * 200_000})
    message = _message(path)
    assert "part 'xl/sharedStrings.xml' of the workbook is compressed" in message
    assert "more than the limit MAX_XLSX_COMPRESSION_RATIO = 50" in message


def test_cli_reports_a_broken_workbook_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "s"
    sample.mkdir()
    with (sample / "tool_labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TOOL_COLUMNS)
        writer.writerow(["s0001", "a1", "O", "body", "0", "author", "1", "author", "none", "no",
                         ""])
    (sample / "sample.json").write_text(json.dumps({}), encoding="utf-8")
    bad = tmp_path / "annotator-1.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["validate", "score", str(sample), "--annotations", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"framing validate: {bad}: {NOT_A_WORKBOOK[0]}")
    assert "Traceback" not in err
