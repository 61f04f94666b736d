"""Uploaded files (the dashboard's): saved into a folder, ZIPs unpacked safely, then read.

Every upload, and every member of an uploaded ZIP, is either saved and read through the readers
or listed as a Rejection (counted as one record read), so an upload is accounted for like any
input. A ZIP member is never written outside the upload's folder: absolute paths and ``..`` are
refused, and so are members past the size limits (``max_file_bytes`` each, four times that for a
whole ZIP). The operating system's own files in a ZIP (``__MACOSX/``, ``._*``, ``.DS_Store``,
``Thumbs.db``, ``desktop.ini``) are passed over, as hidden files are in a folder; other hidden
members are refused. Two uploads of one name are both kept (``a (2).jsonl``).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from framing.ingest.readers import TABLE_SUFFIXES, TEXT_SUFFIXES, load_articles, whole_file_reason
from framing.ingest.validation import safe_text
from framing.models import IngestResult, Rejection
from framing.settings import Settings

#: File types an upload may have.
UPLOAD_SUFFIXES = TEXT_SUFFIXES + TABLE_SUFFIXES + (".zip",)
#: File types unpacked from a ZIP (``.json`` as the sidecar of a text file).
MEMBER_SUFFIXES = TEXT_SUFFIXES + TABLE_SUFFIXES + (".json",)
#: A whole ZIP may unpack to at most this many times ``max_file_bytes``.
ZIP_TOTAL_FACTOR = 4
_SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


def _member_path(name: str) -> PurePosixPath | None:
    """A ZIP member path that stays inside the extraction folder, or None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    if path.parts and path.parts[0].endswith(":"):  # a Windows drive, "C:/x.txt"
        return None
    return path


def _is_system_file(path: PurePosixPath) -> bool:
    """A file the operating system put in the ZIP (resource forks, folder settings)."""
    return ("__MACOSX" in path.parts or path.name.startswith("._")
            or path.name.lower() in _SYSTEM_FILES)


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``stem (2).ext`` when an earlier upload had that name (none overwritten)."""
    path = PurePosixPath(name)
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{path.stem} ({n}){path.suffix}"
    used.add(candidate.lower())
    return candidate


def _skip(record: str, reason: str) -> Rejection:
    """An upload or ZIP member not saved, counted as one record (names can hold anything)."""
    return Rejection(safe_text(record), safe_text(whole_file_reason(Path(record), reason)))


def _unpack(
    name: str, data: bytes, target: Path, settings: Settings
) -> list[Rejection]:
    """Unpack a ZIP upload into ``target``; the members skipped."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return [_skip(name, "not a readable ZIP file")]
    skipped: list[Rejection] = []
    total = 0
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            record = f"{name}/{info.filename}"
            member = _member_path(info.filename)
            if member is None:
                skipped.append(_skip(record, "unsafe path (it leads outside the upload's folder)"))
                continue
            if _is_system_file(member):
                continue
            if any(part.startswith(".") for part in member.parts):
                skipped.append(_skip(record, "hidden file"))
                continue
            if member.suffix.lower() not in MEMBER_SUFFIXES:
                skipped.append(_skip(record, f"unsupported file type {member.suffix or '(none)'}"))
                continue
            total += info.file_size
            if info.file_size > settings.max_file_bytes:
                skipped.append(_skip(record, f"oversize file once unpacked: {info.file_size} "
                                             f"bytes > limit {settings.max_file_bytes}"))
                continue
            if total > ZIP_TOTAL_FACTOR * settings.max_file_bytes:
                limit = ZIP_TOTAL_FACTOR * settings.max_file_bytes
                skipped.append(_skip(record, f"the ZIP unpacks to more than {limit} bytes"))
                continue
            try:
                content = zf.read(info)
                path = target / member
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            except Exception as exc:  # noqa: BLE001 - a broken member skips that member
                skipped.append(_skip(record, f"cannot be unpacked ({type(exc).__name__})"))
    return skipped


def save_uploads(
    uploads: Sequence[Upload], root: Path, settings: Settings
) -> tuple[Path, tuple[Rejection, ...]]:
    """Write uploads (ZIPs unpacked safely) into a folder of ``root`` named by their content.

    Returns the folder and a Rejection for each upload or ZIP member that was not saved, named
    ``upload`` or ``upload/member``.
    """
    digest = hashlib.sha256()
    for up in sorted(uploads, key=lambda u: u.name):
        digest.update(up.name.encode("utf-8", "surrogatepass") + b"\0"
                      + hashlib.sha256(up.data).digest())
    folder = root / digest.hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    skipped: list[Rejection] = []
    used: set[str] = set()
    for up in uploads:
        name = _unique(PurePosixPath(up.name.replace("\\", "/")).name or "upload", used)
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            skipped.append(_skip(name, f"unsupported file type {suffix or '(none)'}"))
        elif suffix == ".zip":
            # Unpacked into a folder named after the ZIP, a name no other upload takes.
            stem = _unique(PurePosixPath(name).stem, used)
            skipped.extend(_unpack(name, up.data, folder / stem, settings))
        else:
            try:
                (folder / name).write_bytes(up.data)
            except (OSError, ValueError) as exc:
                skipped.append(_skip(name, f"cannot be saved ({type(exc).__name__})"))
    return folder, tuple(skipped)


def relabel(result: IngestResult, folder: Path) -> IngestResult:
    """Record names relative to ``folder`` (users never saw the cache path)."""
    prefix = str(folder) + os.sep
    rejections = tuple(
        Rejection(r.record.replace(prefix, ""), r.reason, r.id) for r in result.rejections
    )
    return IngestResult(result.articles, rejections, result.flags, result.n_read)


def load_folder(folder: Path, settings: Settings) -> IngestResult:
    """Load every readable file of an upload folder, naming records relative to it."""
    return relabel(load_articles([folder], settings), folder)


def load_uploads(uploads: Sequence[Upload], root: Path, settings: Settings) -> IngestResult:
    """Save the uploads under ``root`` and read them: every upload, ZIP member and record
    accepted or rejected (a skipped upload or member counts as one record read)."""
    folder, skipped = save_uploads(uploads, root, settings)
    result = load_folder(folder, settings)
    return IngestResult(
        result.articles, skipped + result.rejections, result.flags, result.n_read + len(skipped)
    )
