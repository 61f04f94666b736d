"""Record validation: every record becomes an Article or a Rejection with a reason."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from framing.models import Article

REQUIRED = ("id", "outlet", "text")
OPTIONAL = ("title", "published", "url", "event", "language", "group")

# Frequent English function words; a text where almost none occur is not English.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to a in is that for it as was with on by be at this are from or an have has "
    "not but were which their its said he she they his her been will would who".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class RecordError(ValueError):
    """A record that cannot be analysed; the message is the reason shown to the user."""


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from CSV
        return None
    text = str(value).strip()
    return text or None


def build_article(raw: Mapping[str, Any], max_chars: int) -> Article:
    """Validate one raw record and build an Article, or raise RecordError with the reason."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"not an object but {type(raw).__name__}")
    ident = _as_text(raw.get("id"))
    if ident is None:
        raise RecordError("missing id")
    outlet = _as_text(raw.get("outlet"))
    if outlet is None:
        raise RecordError("missing outlet")
    text_value = raw.get("text")
    if text_value is not None and not isinstance(text_value, str):
        raise RecordError(f"text is {type(text_value).__name__}, not a string")
    text = (text_value or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RecordError("empty text")
    if len(text) > max_chars:
        raise RecordError(f"oversize text: {len(text)} characters > limit {max_chars}")
    extra = {k: v for k, v in raw.items() if k not in REQUIRED and k not in OPTIONAL}
    return Article(
        id=ident,
        outlet=outlet,
        text=text,
        title=_as_text(raw.get("title")),
        published=_as_text(raw.get("published")),
        url=_as_text(raw.get("url")),
        language=_as_text(raw.get("language")),
        event=_as_text(raw.get("event")),
        group=_as_text(raw.get("group")),
        metadata={k: extra[k] for k in sorted(extra) if _as_text(extra[k]) is not None},
    )


def english_ratio(text: str) -> float:
    """Share of words that are frequent English function words."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if not words:
        return 0.0
    return sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words)


def looks_english(text: str, min_ratio: float) -> bool:
    """Cheap, deterministic language check: enough English function words."""
    return english_ratio(text) >= min_ratio
