"""Uploads (issue #28, item 7): ZIP names that point at the upload folder or its parent, duplicate
members and uploads, member-count, size and compression limits, and repeated uploads.

Every upload and ZIP member is read or reported as a rejection with its reason; the limits are
lowered with monkeypatch so the tests stay fast.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import pytest

from framing.ingest import uploads
from framing.ingest.uploads import Upload, load_uploads, save_uploads
from framing.models import IngestResult
from framing.settings import Settings

WHOLE = " (whole file rejected, counted as one record)"


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of duplicate names
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def _line(ident: str, text: str = "The minister said the talks failed.") -> bytes:
    return (json.dumps({"id": ident, "outlet": "O", "text": text}) + "\n").encode()


def _accounted(result: IngestResult) -> None:
    assert result.n_read == len(result.articles) + len(result.rejections)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("zip_name", ["..zip", "...zip", ".zip", "....zip", "a/../...zip"])
def test_zip_named_like_a_folder_stays_inside_and_is_read(tmp_path: Path, zip_name: str) -> None:
    root = tmp_path / "uploads"
    ups = [Upload(zip_name, _zip([("a.jsonl", _line("1")), ("t/Alpha/one.txt", b"He said.")])),
           Upload("a.jsonl", _line("2"))]
    result = load_uploads(ups, root, Settings())
    _accounted(result)
    # Nothing written next to the upload root or into another upload's place: both a.jsonl read.
    assert sorted(a.id for a in result.articles if a.id in ("1", "2")) == ["1", "2"]
    assert any(a.id.endswith("/t/Alpha/one") and a.outlet == "Alpha" for a in result.articles)
    assert result.rejections == ()
    assert [p.name for p in tmp_path.iterdir()] == ["uploads"]
    (folder,) = list(root.iterdir())  # one folder per call, no staging folder left
    zip_dir = next(p for p in folder.iterdir() if p.is_dir())
    assert zip_dir.name.startswith("zip-") and len(zip_dir.name) == len("zip-") + 12
    assert _files(folder) == ["a.jsonl", f"{zip_dir.name}/a.jsonl",
                              f"{zip_dir.name}/t/Alpha/one.txt"]


def test_plain_zip_names_keep_readable_folders(tmp_path: Path) -> None:
    ups = [Upload("corpus.zip", _zip([("Alpha/one.txt", b"He said.")])),
           Upload("corpus.zip", _zip([("Alpha/one.txt", b"She said.")]))]
    result = load_uploads(ups, tmp_path, Settings())
    assert sorted(a.id for a in result.articles) == ["corpus (2)/Alpha/one", "corpus/Alpha/one"]


def test_duplicate_member_names_keep_the_first(tmp_path: Path) -> None:
    zipped = _zip([("a/x.jsonl", _line("first")), ("a/x.jsonl", _line("second")),
                   ("A/X.JSONL", _line("third")), ("a/./x.jsonl", _line("fourth"))])
    folder, skipped = save_uploads([Upload("z.zip", zipped)], tmp_path, Settings())
    assert _files(folder) == ["z/a/x.jsonl"]
    assert (folder / "z/a/x.jsonl").read_bytes() == _line("first")
    reason = "duplicate member name (the same as the earlier 'a/x.jsonl', ignoring case); the " \
             "first was kept; whole file rejected, counted as one record; the records in it " \
             "were not counted"
    assert [(r.record, r.reason) for r in skipped] == [
        ("z.zip/a/x.jsonl", reason), ("z.zip/A/X.JSONL", reason), ("z.zip/a/./x.jsonl", reason)]
    result = load_uploads([Upload("z.zip", zipped)], tmp_path, Settings())
    _accounted(result)
    assert [a.id for a in result.articles] == ["first"] and result.n_read == 4


def test_zip_over_the_member_cap_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 3)
    small = _zip([(f"d/{i}.txt", b"He said.") for i in range(3)] + [("d/", b"")])
    big = _zip([(f"d/{i}.txt", b"He said.") for i in range(4)])
    folder, skipped = save_uploads([Upload("big.zip", big), Upload("small.zip", small)],
                                   tmp_path, Settings())
    assert _files(folder) == ["small/d/0.txt", "small/d/1.txt", "small/d/2.txt"]
    assert [(r.record, r.reason) for r in skipped] == [
        ("big.zip", "the ZIP holds 4 files, more than the limit MAX_ZIP_MEMBERS = 3; nothing "
                    "in it was unpacked (split it into smaller ZIPs)" + WHOLE)]


def test_all_uploads_together_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 100)
    ups = [Upload("z.zip", _zip([("1.txt", b"a" * 60), ("2.txt", b"b" * 60), ("3.txt", b"c")])),
           Upload("more.txt", b"d" * 40), Upload("last.txt", b"e")]
    folder, skipped = save_uploads(ups, tmp_path, Settings())
    assert _files(folder) == ["last.txt", "z/1.txt", "z/3.txt"]
    reason = "the uploads together unpack to more than 100 bytes (limit MAX_UNPACKED_BYTES)"
    assert [(r.record, r.reason) for r in skipped] == [
        ("z.zip/2.txt", reason + WHOLE), ("more.txt", reason + WHOLE)]


def test_member_compressed_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "RATIO_FLOOR_BYTES", 1000)
    monkeypatch.setattr(uploads, "MAX_COMPRESSION_RATIO", 20)
    zipped = _zip([("bomb.txt", b" " * 100_000), ("small.txt", b" " * 999),
                   ("ok.txt", bytes(range(256)) * 8)], zipfile.ZIP_DEFLATED)
    folder, skipped = save_uploads([Upload("z.zip", zipped)], tmp_path, Settings())
    assert _files(folder) == ["z/ok.txt", "z/small.txt"]
    ((record, reason),) = [(r.record, r.reason) for r in skipped]
    assert record == "z.zip/bomb.txt"
    assert "more than the limit MAX_COMPRESSION_RATIO = 20" in reason


def test_member_lying_about_its_size_is_not_written_past_it(tmp_path: Path) -> None:
    data = bytearray(_zip([("x.txt", b"He said it all." * 10)]))
    # Declare 15 bytes (local header and central directory): zipfile stops there, the CRC fails.
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig) + offset
        data[at:at + 4] = (15).to_bytes(4, "little")
    folder, skipped = save_uploads([Upload("z.zip", bytes(data))], tmp_path, Settings())
    assert _files(folder) == []  # the partial file is removed
    assert [(r.record, r.reason) for r in skipped] == [
        ("z.zip/x.txt", "cannot be unpacked (BadZipFile)" + WHOLE)]


def test_duplicate_uploads_are_read_once(tmp_path: Path) -> None:
    ups = [Upload("a.jsonl", _line("1")), Upload("a.jsonl", _line("1")),
           Upload("copy.jsonl", _line("1")), Upload("b.jsonl", _line("2"))]
    result = load_uploads(ups, tmp_path, Settings())
    _accounted(result)
    assert sorted(a.id for a in result.articles) == ["1", "2"]
    reason = ("duplicate upload (the same bytes as 'a.jsonl', which is read); whole file "
              "rejected, counted as one record; the records in it were not counted")
    assert [(r.record, r.reason) for r in result.rejections] == [
        ("a.jsonl", reason), ("copy.jsonl", reason)]


def test_hidden_upload_names_are_reported_not_lost(tmp_path: Path) -> None:
    result = load_uploads([Upload("..jsonl", _line("1")), Upload(".x.csv", b"id,outlet,text\n")],
                          tmp_path, Settings())
    _accounted(result)
    assert result.articles == ()
    assert [r.record for r in result.rejections] == ["..jsonl", ".x.csv"]
    assert all(r.reason.startswith("hidden file name (it starts with '.'); rename it")
               for r in result.rejections)


def test_same_uploads_same_folder_and_no_stale_files(tmp_path: Path) -> None:
    ups = [Upload("z.zip", _zip([("big.jsonl", _line("big", "He said so. " * 20)),
                                 ("small.jsonl", _line("small"))]))]
    first = load_uploads(ups, tmp_path, Settings(max_file_bytes=10_000))
    again = load_uploads(ups, tmp_path, Settings(max_file_bytes=10_000))
    assert first == again and sorted(a.id for a in first.articles) == ["big", "small"]
    strict = load_uploads(ups, tmp_path, Settings(max_file_bytes=100))
    # The stricter limit refuses big.jsonl; the file saved by the earlier call is not read.
    assert [a.id for a in strict.articles] == ["small"]
    assert [r.record for r in strict.rejections] == ["z.zip/big.jsonl"]
    assert len(list(tmp_path.iterdir())) == 2  # one folder per distinct call, no staging left
