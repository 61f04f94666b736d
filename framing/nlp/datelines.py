"""Datelines: the place, date and agency credit that open a news article.

"KABUL, May 3 (Reuters) — …", "LERIN (Metro Wire) - …", "ORSUND, Oct. 9 – …", "Orsund,
4 November — …", "ISLAMABAD: …". A dateline is not a sentence of its own and its agency is not a
speaker: the sentence it opens is the outlet's.
"""

from __future__ import annotations

import re

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = (rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH}|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)"
         rf"day)(?:,?\s+\d{{4}})?")
_WORD = r"[A-Z][\w.'’-]*"
_PLACE = rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}"
_DASH = r"[-–—―]{1,2}"

DATELINE = re.compile(
    rf"(?P<place>{_PLACE})"
    rf"(?P<region>(?:,[ \t]*{_PLACE}){{0,2}})"
    rf"(?:,?[ \t]+|,[ \t]*)?(?P<date>{_DATE})?"
    rf"[ \t]*(?:\((?P<agency>[^()\n]{{2,40}})\))?"
    rf"[ \t]*(?P<sep>{_DASH}|:)[ \t]+(?=\S)"
)


def _is_caps(place: str) -> bool:
    letters = [c for c in place if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def dateline_end(text: str, start: int = 0) -> int | None:
    """End of a dateline opening ``text`` at ``start`` (after its dash or colon), else None.

    A dateline needs a place and at least one of: a place in capitals, a date, an agency in
    brackets; a colon ends only a place in capitals ("ISLAMABAD: …").
    """
    m = DATELINE.match(text, start)
    if m is None:
        return None
    caps = _is_caps(m.group("place"))
    if m.group("sep") == ":":
        if not caps or m.group("date") or m.group("agency") or m.group("region"):
            return None
    elif not (caps or m.group("date") or m.group("agency")):
        return None
    return m.end()


def find_dateline(text: str) -> tuple[int, int] | None:
    """The dateline of an article's parsed text (headline, blank line, body), if it has one.

    Looked for at the start of the text and at the start of the body (after the first blank
    line), the two places an article can open.
    """
    starts = [len(text) - len(text.lstrip())]
    gap = text.find("\n\n")
    if gap >= 0:
        body = gap + 2
        while body < len(text) and text[body].isspace():
            body += 1
        starts.append(body)
    for k, s in enumerate(starts):
        end = dateline_end(text, s)
        if end is None:
            continue
        if k == 0 and len(starts) > 1 and text[end - 2 : end].strip() == ":":
            continue  # "NATO: …" opening a headline is a speaker label, not a dateline
        return s, end
    return None
