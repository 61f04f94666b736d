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
