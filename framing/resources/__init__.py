"""Packaged data: lexicons, cue-verb lists, label sets, model heads (see README.md here)."""

from __future__ import annotations

from functools import cache
from importlib import resources


def read_text(name: str) -> str:
    """Text of a packaged resource, e.g. ``"lexicons/hedges_hyland2005.txt"``."""
    return resources.files("framing.resources").joinpath(name).read_text(encoding="utf-8")


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a packaged word list."""
    return tuple(
        line.strip()
        for line in read_text(name).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a packaged TSV file with a header line (comment lines skipped)."""
    lines = read_lines(name)
    header = lines[0].split("\t")
    return tuple(dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:])


#: Resources read only by the comparison stage, which is recomputed from the cached analyses on
#: every run: they do not key the analysis cache, so editing them re-analyses nothing.
#: (``aliases.tsv`` is read only there too but predates this list; moving it here would re-key
#: every cache once.)
COMPARE_ONLY = frozenset({"nicknames.tsv", "descriptor_nouns.txt"})


@cache
def fingerprint() -> str:
    """Hash of every packaged lexicon, list and model head: cached analyses depend on them
    (:data:`COMPARE_ONLY` files left out)."""
    import hashlib

    h = hashlib.sha256()
    root = resources.files("framing.resources")

    def walk(node, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name not in ("demo", "__pycache__"):
                    walk(child, name + "/")
            elif not child.name.endswith((".py", ".pyc", ".md")) and name not in COMPARE_ONLY:
                h.update(name.encode() + b"\0" + child.read_bytes() + b"\0")

    walk(root, "")
    return h.hexdigest()[:16]
