"""One way to write a file: a hidden temporary file beside it, renamed into place.

Every file framing writes (outputs, batches, caches, exported models, fetched pages) goes through
:func:`replace_atomically`, so a reader never sees a partial file under the final name and an
interrupted write leaves nothing behind: the temporary file is removed whether the write
succeeds or fails. Temporary names are ``.<name>.<8 hex>.part`` in the same folder (the same
file system, so the rename is atomic); :data:`TEMP_NAME` matches them.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

#: The name of a temporary file :func:`replace_atomically` writes (group 1: the final name).
TEMP_NAME = re.compile(r"^\.(.+)\.[0-9a-f]{8}\.part$")


def temporary_path(path: Path) -> Path:
    """A fresh hidden temporary name beside ``path`` (matches :data:`TEMP_NAME`)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")


def replace_atomically(path: str | Path, write: Callable[[Path], object],
                       mode: int | None = None) -> Path:
    """Call ``write(tmp)`` to write a temporary file beside ``path``, then rename it over
    ``path``; the temporary file never outlives the call. ``mode`` sets its permissions before
    the rename (e.g. ``0o644`` for files other users read). Returns ``path``."""
    final = Path(path)
    tmp = temporary_path(final)
    try:
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def write_bytes_atomically(path: str | Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` through :func:`replace_atomically`."""
    return replace_atomically(path, lambda tmp: tmp.write_bytes(data), mode)


def write_text_atomically(path: str | Path, text: str, mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` through :func:`replace_atomically`."""
    return write_bytes_atomically(path, text.encode("utf-8"), mode)
