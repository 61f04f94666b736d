"""CSV cells safe in a spreadsheet, and the writer and readers every CSV of framing goes through.

A text cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets a leading ``'`` on the way out (:class:`CsvWriter`); the readers
(:func:`read_csv_rows`, :func:`read_csv_records`) drop it again. It lives in the lowest layer that
reads files so that the report and the validation layers share one rule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

#: A UTF-16 surrogate code point: never valid on its own in UTF-8 text.
_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can always be written as UTF-8.

    Readers replace them on the way in; this is the writers' own guarantee that no string,
    whatever its origin, can stop a file half-written.
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number as the writers write it (``-0.25``, ``+3``, ``-1e-06``, ``-inf``): harmless, and kept
#: as it is so that spreadsheets and readers still see a number.
_PLAIN_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf", re.ASCII
)


def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None


def safe_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs as a formula: text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'`` (numbers, and text that is a plain number such as
    ``-0.25``, are left as they are). Lone surrogates become U+FFFD.

    Text that already starts with ``'`` before such a character gets one more, so that
    :func:`unescape_cell` gives back exactly the text written, whatever it was.
    """
    if not isinstance(value, str):
        return value
    text = no_surrogates(value)
    return "'" + text if _formula_like(text.lstrip("'")) else text


def unescape_cell(text: str) -> str:
    """The text :func:`safe_cell` was given: one leading ``'`` removed where it added one."""
    return text[1:] if text.startswith("'") and _formula_like(text.lstrip("'")) else text


def read_csv_rows(fh: TextIO) -> Iterator[list[str]]:
    """Rows of a CSV file written by :class:`CsvWriter`, cells as they were before
    :func:`safe_cell` (the ``'`` it added removed)."""
    for row in csv.reader(fh):
        yield [unescape_cell(c) for c in row]


def read_csv_records(fh: TextIO) -> Iterator[dict[str, str]]:
    """Like ``csv.DictReader`` on a CSV file written by :class:`CsvWriter`: one dict per row, keys
    from the header, short rows padded with ``""``, cells unescaped (:func:`unescape_cell`)."""
    rows = read_csv_rows(fh)
    header = next(rows, [])
    for row in rows:
        yield dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))


class CsvWriter:
    """``csv.writer`` (``\\n`` line ends, minimal quoting) that round-trips any string and writes
    no spreadsheet formula. Every CSV file framing writes goes through it.

    Python's writer quotes only a field holding the delimiter, the quote character or a character
    of the line terminator, so a bare carriage return went out unquoted and read back as a row
    break; a row with one is written with every field quoted. Lone surrogates become U+FFFD.

    Text cells (header included) that a spreadsheet would run as a formula — starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return, such as an outlet named ``=HYPERLINK(...)`` —
    are written with a leading ``'`` (:func:`safe_cell`); numbers, and text that is a plain number
    such as a difference of ``-0.25``, are written as they are. Read such a file back with
    :func:`read_csv_rows` / :func:`read_csv_records` (or :func:`unescape_cell` per cell) to get
    the original text.
    """

    def __init__(self, fh: TextIO) -> None:
        self._plain = csv.writer(fh, lineterminator="\n")
        self._quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        cells = [safe_cell(v) for v in row]
        bare_cr = any(isinstance(v, str) and "\r" in v for v in cells)
        (self._quoted if bare_cr else self._plain).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
