"""Quote finding: character ranges of quoted text, tolerant of unbalanced and re-opened marks."""

from __future__ import annotations

OPEN_QUOTES = "“‘«"
CLOSE_QUOTES = "”’»"
STRAIGHT = '"'
#: Quotes shorter than this (in words) are scare quotes or titles, not speech.
MIN_QUOTE_WORDS = 4


def _line_opener(text: str, i: int) -> bool:
    """Is the mark at ``i`` the first thing on its line, with a word right after it?"""
    line_start = text.rfind("\n", 0, i) + 1
    return not text[line_start:i].strip() and i + 1 < len(text) and text[i + 1].isalnum()


def find_quotes(text: str, min_words: int = MIN_QUOTE_WORDS) -> list[tuple[int, int]]:
    """Character ranges of quoted text (inside the marks), tolerant of unbalanced marks.

    Handles curly and straight marks, and quotes that run over paragraphs (news style: a new
    paragraph re-opens the quote without closing the previous one). A quote left open at the end
    of a paragraph that does not continue is closed there, so one stray mark never swallows the rest
    of the article.
    """
    quotes: list[tuple[int, int]] = []
    start: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n" and start is not None and text.startswith("\n\n", i):
            j = i
            while j < n and text[j].isspace():
                j += 1
            quotes.append((start, i))
            # the next paragraph opening with a mark continues the quote
            start = j + 1 if j < n and (text[j] in OPEN_QUOTES or text[j] == STRAIGHT) else None
            i = j + 1 if start is not None else j
            continue
        is_open = ch in "“«" or (ch == STRAIGHT and start is None)
        is_close = ch in "”»" or (ch == STRAIGHT and start is not None)
        if ch == "‘" or ch == "’":
            i += 1  # single curly marks are mostly apostrophes; nested quotes stay inside
            continue
        if start is None and (is_open or (ch == "”" and _line_opener(text, i))):
            start = i + 1  # (a "”" typed at the start of a line opens a quote too)
        elif start is not None and is_close:
            quotes.append((start, i))
            start = None
        elif start is not None and ch in "“«":
            start = i + 1  # an unclosed quote re-opened: restart from the newer mark
        i += 1
    if start is not None:
        end = text.find("\n", start)
        quotes.append((start, end if end >= 0 else n))
    return [(s, e) for s, e in quotes if len(text[s:e].split()) >= min_words]


def text_tail_is_colon(text: str, start: int, end: int) -> bool:
    """Only white space, a comma or a colon between a cue and a following quote."""
    gap = text[start:end]
    return len(gap) <= 4 and all(ch.isspace() or ch in ":,—–-“\"‘" for ch in gap)
