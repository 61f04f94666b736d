"""Uploaded files (the dashboard's): saved into a folder, ZIPs unpacked safely, then read.

Every upload, and every member of an uploaded ZIP, is either saved and read through the readers
or listed as a Rejection (counted as one record read), so an upload is accounted for like any
input. The folder of one call is named by a hash of what decides its contents (the uploads, in
order, and the limits), never by a user's file name; it is written under a hidden staging name
and renamed when complete, so a reader never sees half an upload and a repeated upload finds
the same folder. A ZIP is unpacked into a subfolder named after it only when its name is a plain
one (``corpus.zip`` → ``corpus/``); any other name (``.zip``, ``..zip``, ``...zip``, control
characters) gets ``zip-<sha256 prefix>/``, so no ZIP unpacks into the upload's folder, its
parent or another upload's files.

A ZIP member is never written outside its subfolder: absolute paths and ``..`` are refused.
Members are refused, each with its reason, past the size limits (``max_file_bytes`` each,
:data:`ZIP_TOTAL_FACTOR` times that for a whole ZIP, :data:`MAX_UNPACKED_BYTES` for all uploads
of a call together), compressed more than :data:`MAX_COMPRESSION_RATIO` times, or named like an
earlier member (ignoring case and Unicode form: the first is kept, nothing is overwritten). A ZIP
of more than :data:`MAX_ZIP_MEMBERS` files is refused whole. The operating system's own files in
a ZIP (``__MACOSX/``, ``._*``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are passed over, as
hidden files are in a folder; other hidden members, and hidden uploads other than ZIPs, are
refused. Two uploads of one name and different contents are both kept (``a (2).jsonl``); an
upload with the same bytes as an earlier one is refused as a duplicate (read once).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import unicodedata
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
#: A whole ZIP may unpack to at most this many times ``max_file_bytes`` (each member may unpack
#: to at most ``max_file_bytes``).
ZIP_TOTAL_FACTOR = 4
#: Most files (folders not counted) one ZIP may hold; a ZIP with more is refused whole, unread.
MAX_ZIP_MEMBERS = 5_000
#: Most bytes one call may write, all uploads and unpacked members together (500 MB); a file
#: past it is refused.
MAX_UNPACKED_BYTES = 500_000_000
#: Most times a ZIP member of at least :data:`RATIO_FLOOR_BYTES` may be compressed (text
#: compresses 3-20 times, a ZIP bomb hundreds of times); a member compressed more is refused.
MAX_COMPRESSION_RATIO = 200
#: Members smaller than this unpacked are not held to :data:`MAX_COMPRESSION_RATIO`.
RATIO_FLOOR_BYTES = 1_000_000
_SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_NOT_IN_PLAIN_NAMES = frozenset('/\\:*?"<>|')
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


@dataclass
class _Budget:
    """Bytes all uploads of one call may still write (:data:`MAX_UNPACKED_BYTES` at first)."""

    left: int


def _member_path(name: str) -> PurePosixPath | None:
    """A ZIP member path that stays inside the extraction folder, or None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    if path.parts and path.parts[0].endswith(":"):  # a Windows drive, "C:/x.txt"
        return None
    return path


def _member_key(path: PurePosixPath) -> str:
    """The name two members must not share: Unicode NFC and case folded (a case-insensitive
    disk, or one that normalises names, would write them to one file)."""
    return unicodedata.normalize("NFC", path.as_posix()).casefold()


def _is_system_file(path: PurePosixPath) -> bool:
    """A file the operating system put in the ZIP (resource forks, folder settings)."""
    return ("__MACOSX" in path.parts or path.name.startswith("._")
            or path.name.lower() in _SYSTEM_FILES)


def _is_plain_name(name: str) -> bool:
    """A file or folder name safe and readable on any disk: no leading dot or space, no trailing
    dot or space, no separators, wildcards or control characters, not too long."""
    return (0 < len(name) <= 120 and not name.startswith((".", " "))
            and not name.endswith((".", " "))
            and not any(c in _NOT_IN_PLAIN_NAMES or ord(c) < 32 or ord(c) == 127 for c in name))


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``stem (2).ext`` when an earlier upload had that name (none overwritten)."""
    path = PurePosixPath(name)
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{path.stem} ({n}){path.suffix}"
    used.add(candidate.lower())
    return candidate


def _zip_folder(name: str, data: bytes, used: set[str]) -> str:
    """The subfolder a ZIP upload is unpacked into: its name without ``.zip`` when that is a
    plain name, else ``zip-`` and a hash of its name and bytes (never ``.``, ``..`` or hidden)."""
    stem = name[: -len(".zip")] if name.lower().endswith(".zip") else name
    if not _is_plain_name(stem):
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass") + b"\0" + data)
        stem = f"zip-{digest.hexdigest()[:12]}"
    return _unique(stem, used)


def _skip(record: str, reason: str) -> Rejection:
    """An upload or ZIP member not saved, counted as one record (names can hold anything)."""
    return Rejection(safe_text(record), safe_text(whole_file_reason(Path(record), reason)))


def _total_reason() -> str:
    return (f"the uploads together unpack to more than {MAX_UNPACKED_BYTES} bytes "
            "(limit MAX_UNPACKED_BYTES)")


def _member_problem(
    info: zipfile.ZipInfo, written: int, budget: _Budget, settings: Settings
) -> str | None:
    """Why a member may not be unpacked for its size, or None."""
    size = info.file_size
    if size > settings.max_file_bytes:
        return f"oversize file once unpacked: {size} bytes > limit {settings.max_file_bytes}"
    ratio = size / max(info.compress_size, 1)
    if size >= RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
        return (f"compressed {ratio:.0f} times, more than the limit MAX_COMPRESSION_RATIO = "
                f"{MAX_COMPRESSION_RATIO} (a ZIP bomb?)")
    limit = ZIP_TOTAL_FACTOR * settings.max_file_bytes
    if written + size > limit:
        return (f"the ZIP unpacks to more than {limit} bytes (limit ZIP_TOTAL_FACTOR = "
                f"{ZIP_TOTAL_FACTOR} times max_file_bytes)")
    if size > budget.left:
        return _total_reason()
    return None


def _write_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Stream one member to a new file (never over an existing one); no partial file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = False
    try:
        with path.open("xb") as dst:
            created = True
            with zf.open(info) as src:  # reads at most info.file_size bytes, checks the CRC
                shutil.copyfileobj(src, dst, _CHUNK)
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        raise


def _unpack(
    name: str, data: bytes, target: Path, settings: Settings, budget: _Budget
) -> list[Rejection]:
    """Unpack a ZIP upload into ``target``; the members skipped (or the ZIP, refused whole)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [_skip(name, "not a readable ZIP file")]
    skipped: list[Rejection] = []
    written = 0
    seen: dict[str, str] = {}
    with zf:
        files = [info for info in zf.infolist() if not info.is_dir()]
        if len(files) > MAX_ZIP_MEMBERS:
            return [_skip(name, f"the ZIP holds {len(files)} files, more than the limit "
                                f"MAX_ZIP_MEMBERS = {MAX_ZIP_MEMBERS}; nothing in it was "
                                "unpacked (split it into smaller ZIPs)")]
        for info in files:
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
            key = _member_key(member)
            if key in seen:
                skipped.append(_skip(record, f"duplicate member name (the same as the earlier "
                                             f"{seen[key]!r}, ignoring case); the first was kept"))
                continue
            seen[key] = info.filename
            problem = _member_problem(info, written, budget, settings)
            if problem is not None:
                skipped.append(_skip(record, problem))
                continue
            try:
                _write_member(zf, info, target / member)
            except Exception as exc:  # noqa: BLE001 - a broken member skips that member
                skipped.append(_skip(record, f"cannot be unpacked ({type(exc).__name__})"))
                continue
            written += info.file_size
            budget.left -= info.file_size
    return skipped


def _folder_name(uploads: Sequence[Upload], settings: Settings) -> str:
    """A hash of everything that decides what a call writes: the uploads in order (the first of
    two same-named or same-content uploads is the one kept) and the limits."""
    digest = hashlib.sha256()
    limits = (settings.max_file_bytes, ZIP_TOTAL_FACTOR, MAX_ZIP_MEMBERS, MAX_UNPACKED_BYTES,
              MAX_COMPRESSION_RATIO, RATIO_FLOOR_BYTES)
    digest.update(repr(limits).encode("ascii") + b"\0")
    for up in uploads:
        digest.update(up.name.encode("utf-8", "surrogatepass") + b"\0"
                      + hashlib.sha256(up.data).digest())
    return digest.hexdigest()[:20]


def _write_uploads(
    uploads: Sequence[Upload], folder: Path, settings: Settings
) -> list[Rejection]:
    """Write the uploads into ``folder``; the uploads and members not saved."""
    skipped: list[Rejection] = []
    used: set[str] = set()
    contents: dict[bytes, str] = {}
    budget = _Budget(MAX_UNPACKED_BYTES)
    for up in uploads:
        base = PurePosixPath(up.name.replace("\\", "/")).name or "upload"
        suffix = PurePosixPath("x" + base).suffix.lower()  # ".zip" is a ZIP, not a hidden file
        content = hashlib.sha256(up.data).digest()
        if content in contents:
            skipped.append(_skip(base, f"duplicate upload (the same bytes as {contents[content]!r},"
                                       " which is read)"))
            continue
        contents[content] = base
        name = _unique(base, used)
        if suffix not in UPLOAD_SUFFIXES:
            skipped.append(_skip(name, f"unsupported file type {suffix or '(none)'}"))
        elif suffix == ".zip":
            # Unpacked into a folder of its own, a name no other upload takes.
            target = folder / _zip_folder(name, up.data, used)
            skipped.extend(_unpack(name, up.data, target, settings, budget))
        elif name.startswith("."):
            skipped.append(_skip(name, "hidden file name (it starts with '.'); rename it"))
        elif len(up.data) > budget.left:
            skipped.append(_skip(name, _total_reason()))
        else:
            try:
                with (folder / name).open("xb") as fh:
                    fh.write(up.data)
            except (OSError, ValueError) as exc:
                skipped.append(_skip(name, f"cannot be saved ({type(exc).__name__})"))
                continue
            budget.left -= len(up.data)
    return skipped


def save_uploads(
    uploads: Sequence[Upload], root: Path, settings: Settings
) -> tuple[Path, tuple[Rejection, ...]]:
    """Write uploads (ZIPs unpacked safely) into a folder of ``root`` named by their content.

    Returns the folder and a Rejection for each upload or ZIP member that was not saved, named
    ``upload`` or ``upload/member``. The same uploads with the same limits always give the same
    folder and rejections; a folder already there (from an earlier call) is kept as it is.
    """
    root.mkdir(parents=True, exist_ok=True)
    folder = root / _folder_name(uploads, settings)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    try:
        skipped = _write_uploads(uploads, staging, settings)
        if not folder.exists():
            try:
                staging.rename(folder)
            except OSError:
                if not folder.is_dir():  # not a concurrent save of the same uploads
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
