"""Output folders framing made, and what it may delete or overwrite in them.

A run writes into a folder the user names (``framing analyze --out DIR``). Framing marks every
folder it writes into with a small JSON file, :data:`MARKER` (``.framing-output``), listing the
files it wrote there (paths relative to the folder). The rules:

- a folder that does not exist, or is empty, is created and marked;
- a marked folder is framing's: a new run replaces the files framing writes (``report.html``,
  the tables, ``run.json``, ``events/e00000.html`` …) and deletes only event pages the marker
  lists from an earlier run; a file the user added (``events/notes.txt``, ``my-analysis.csv``)
  is never touched;
- a non-empty folder without a marker stops the run with :class:`OutputFolderError`, unless the
  caller passes ``force`` (CLI ``--force``): then framing writes its own files (replacing files
  of the same name) and still deletes nothing it did not write;
- a folder written by framing before markers existed (a ``run.json`` whose ``package`` is
  ``"framing"``) is adopted: marked with the top-level output files it holds, so a new run may
  replace them; its old event pages are left as they are.

The Parquet dataset under ``DIR/dataset`` follows the same rule in :mod:`framing.engine`: only
files with framing's own batch names are ever removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from framing.files import write_text_atomically

#: Name of the marker file framing writes into every output folder it makes.
MARKER = ".framing-output"
_FORMAT = 1


class OutputFolderError(ValueError):
    """The output folder is not framing's and the caller did not force writing into it."""


def _read(marker: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _safe_relative(name: object) -> str | None:
    """A marker entry as a relative POSIX path inside the folder, or None (absolute, ``..``)."""
    if not isinstance(name, str) or not name:
        return None
    p = PurePosixPath(name)
    if p.is_absolute() or any(part in ("..", "") for part in p.parts):
        return None
    return p.as_posix()


def written_files(out_dir: str | Path) -> set[str]:
    """The files the marker of ``out_dir`` lists (framing wrote them); empty when unmarked.

    Entries that are absolute or climb out of the folder (``..``) are ignored: a marker edited by
    hand can never make framing delete anything outside the folder."""
    data = _read(Path(out_dir) / MARKER) or {}
    files = data.get("files", [])
    if not isinstance(files, list):
        return set()
    return {p for p in map(_safe_relative, files) if p is not None}


def is_marked(out_dir: str | Path) -> bool:
    """Whether ``out_dir`` carries framing's marker."""
    return (Path(out_dir) / MARKER).is_file()


def _legacy_outputs(out: Path, output_files: Iterable[str]) -> list[str] | None:
    """Top-level outputs of a folder framing wrote before markers (its run.json says
    ``"package": "framing"``), or None when the folder is not such a folder."""
    record = _read(out / "run.json")
    if record is None or record.get("package") != "framing":
        return None
    return sorted(n for n in output_files if (out / n).is_file())


def record_files(out_dir: str | Path, files: Iterable[str], run: str | None = None) -> None:
    """Write the marker of ``out_dir`` listing ``files`` (relative paths framing wrote) and the
    run key ``run``; written atomically (a temporary file renamed over the old marker)."""
    from framing import __version__

    out = Path(out_dir)
    names = sorted({p for p in map(_safe_relative, files) if p is not None})
    payload = {"format": _FORMAT, "tool": "framing", "version": __version__, "run": run,
               "files": names}
    write_text_atomically(out / MARKER, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def add_written(out_dir: str | Path, paths: Iterable[str | Path]) -> None:
    """List more files framing wrote into a marked ``out_dir`` (exported tables, report.pdf);
    paths outside the folder, and folders without a marker, are left alone."""
    out = Path(out_dir)
    data = _read(out / MARKER)
    if data is None:
        return
    root = out.resolve()
    extra = []
    for p in map(Path, paths):
        full = p if p.is_absolute() else Path.cwd() / p
        try:
            extra.append(full.resolve().relative_to(root).as_posix())
        except ValueError:
            continue
    run = data.get("run") if isinstance(data.get("run"), str) else None
    record_files(out, written_files(out) | set(extra), run)


def claim_folder(
    out_dir: str | Path, force: bool = False, output_files: Iterable[str] = ()
) -> Path:
    """Make sure framing may write into ``out_dir`` (see the module rules) and mark it.

    Returns the folder. Raises :class:`OutputFolderError` when it is a non-empty folder framing
    did not make and ``force`` is false, or when the path is a file. ``output_files`` are the
    top-level names framing writes (adopted from a folder of an older framing version).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"output folder {out} is a file, not a folder")
    if is_marked(out):
        return out
    if out.is_dir() and any(out.iterdir()):
        legacy = _legacy_outputs(out, output_files)
        if legacy is not None:
            record_files(out, legacy)
            return out
        if not force:
            shown = sorted(p.name for p in out.iterdir())[:5]
            raise OutputFolderError(
                f"output folder {out} is not empty ({', '.join(shown)}"
                f"{', …' if len(list(out.iterdir())) > 5 else ''}) and was not written by framing "
                f"(no {MARKER} file). Choose a new or empty folder, or pass --force to write "
                "framing's files into it: files of the same name are replaced, nothing else is "
                "deleted."
            )
    out.mkdir(parents=True, exist_ok=True)
    record_files(out, [])
    return out


def remove_written(out_dir: str | Path, names: Iterable[str]) -> int:
    """Delete those of ``names`` that the marker of ``out_dir`` lists as framing's (files only;
    anything else is kept); returns how many were deleted."""
    out = Path(out_dir)
    ours = written_files(out)
    removed = 0
    for name in names:
        rel = _safe_relative(name)
        if rel is None or rel not in ours:
            continue
        path = out / rel
        inside = path.parent.resolve().is_relative_to(out.resolve())
        if inside and path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
    return removed
