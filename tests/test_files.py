"""The one atomic writer: never a partial file under the final name, never a leftover."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.files import (
    TEMP_NAME,
    replace_atomically,
    temporary_path,
    write_bytes_atomically,
    write_text_atomically,
)


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    write_text_atomically(target, "a,b\n1,2\n")
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def test_temporary_names_are_hidden_unique_and_recognised(tmp_path: Path) -> None:
    a, b = temporary_path(tmp_path / "x.parquet"), temporary_path(tmp_path / "x.parquet")
    assert a != b and a.parent == tmp_path and a.name.startswith(".")
    match = TEMP_NAME.match(a.name)
    assert match is not None and match.group(1) == "x.parquet"
    assert TEMP_NAME.match("x.parquet") is None


def test_mode_is_set_before_the_rename(tmp_path: Path) -> None:
    target = write_bytes_atomically(tmp_path / "model.onnx", b"\0", mode=0o644)
    assert target.stat().st_mode & 0o777 == 0o644
