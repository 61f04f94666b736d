"""Rejections as a researcher reads them: one line per reason and file, not one per record.

A CSV without an ``outlet`` column rejects each of its rows (every record is counted), all for
the same reason; the summary says so once: ``412 records of data.csv: no 'outlet' column …``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.models import Rejection

_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


def summarize_rejections(rejections: Iterable[Rejection], names_shown: int = 3) -> list[str]:
    """One line per reason and file, in order of first appearance.

    A reason given once reads ``record: reason``; the same reason for several records of one
    file (``file:line``) reads ``N records of file: reason``; for several records named
    otherwise (files of a folder, article ids) it reads ``N records (a, b, c, …): reason``.
    """
    groups: dict[tuple[str | None, str], list[str]] = {}
    for r in rejections:
        match = _LINE.match(r.record)
        groups.setdefault((match["file"] if match else None, r.reason), []).append(r.record)
    lines: list[str] = []
    for (file, reason), records in groups.items():
        if len(records) == 1:
            lines.append(f"{records[0]}: {reason}")
        elif file is not None:
            lines.append(f"{len(records)} records of {file}: {reason}")
        else:
            shown = ", ".join(records[:names_shown]) + (", …" if len(records) > names_shown
                                                        else "")
            lines.append(f"{len(records)} records ({shown}): {reason}")
    return lines
