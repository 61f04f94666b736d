"""Record validation: every record becomes an Article or a Rejection with a reason.

The rules, applied the same way to every reader (JSONL, CSV, folders, in-memory records):

* **Types.** ``text`` must be a string. ``id``, ``outlet`` and the optional fields take a string
  or a whole number (read as its decimal string: ``"id": 17`` is the id ``"17"``); ``null`` and
  a float NaN (a missing cell exported by pandas) count as missing. Anything else - ``true`` /
  ``false``, a fraction, a list, an object - rejects the record naming the field and its type;
  it is never silently turned into a string.
* **Lone surrogates** (``"\\ud800"`` written as a JSON escape; they cannot be encoded as UTF-8)
  are replaced with U+FFFD in every string field, metadata included, and the article is flagged
  ``sanitized`` naming the fields.
* **Control characters** (C0 except tab, line feed and carriage return, plus DEL; NUL included)
  are removed - vertical tab and form feed become a line feed - and the article is flagged
  ``sanitized`` naming the fields.
* **Line endings** CRLF and lone CR become LF in every string field.
* **Empty.** A text with nothing but whitespace, zero-width characters (U+200B-U+200D, U+2060,
  U+FEFF, soft hyphen) and control characters is rejected as empty; an id or outlet like that
  counts as missing.
* **Size.** A text, or any other string field, longer than ``max_chars`` characters is rejected as
  oversize; metadata nested deeper than ``MAX_DEPTH`` lists/objects is rejected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from framing.models import Article

REQUIRED = ("id", "outlet", "text")
OPTIONAL = ("title", "published", "url", "event", "language", "group")

#: Deepest nesting of lists/objects accepted in a record (metadata included).
MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
_BREAKING_CONTROL = re.compile("[\x0b\x0c]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_INVISIBLE = re.compile("[\\s\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x1f\x7f]+")


class RecordError(ValueError):
    """A record that cannot be analysed; the message is the reason shown to the user."""


def clean_string(value: str) -> tuple[str, tuple[str, ...]]:
    """A string safe to encode and write, and what was changed in it.

    Lone surrogates become U+FFFD; C0 control characters other than tab, LF and CR (and DEL) are
    removed, vertical tab and form feed becoming LF; CRLF and lone CR become LF. The changes
    named are ``"lone surrogates"`` and ``"control characters"`` (line endings are not named).
    """
    changes: list[str] = []
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
        changes.append("lone surrogates")
    if _CONTROL.search(value) or _BREAKING_CONTROL.search(value):
        value = _CONTROL.sub("", _BREAKING_CONTROL.sub("\n", value))
        changes.append("control characters")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value, tuple(changes)


def safe_text(value: str) -> str:
    """``value`` with lone surrogates replaced and control characters removed (for messages)."""
    return clean_string(value)[0]


def is_blank(text: str) -> bool:
    """True when ``text`` holds nothing but whitespace, zero-width and control characters."""
    return not _INVISIBLE.sub("", text)


def json_type(value: Any) -> str:
    """The JSON name of a value's type, as a user who wrote the JSON would call it."""
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int | float):
        return f"a number ({value!r})" if len(repr(value)) <= 30 else "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Depth of nested lists/objects in ``value``, counted up to ``limit + 1`` (no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


class _Fields:
    """Typed, cleaned access to the fields of one raw record; remembers what was cleaned."""

    def __init__(self, raw: Mapping[str, Any], max_chars: int) -> None:
        self.raw = raw
        self.max_chars = max_chars
        self.cleaned: dict[str, list[str]] = {}

    def note(self, name: str, changes: tuple[str, ...]) -> None:
        for change in changes:
            self.cleaned.setdefault(change, []).append(name)

    def string(self, name: str) -> str | None:
        """The field as a cleaned, stripped string; None when missing or blank."""
        value = self.raw.get(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
            raise RecordError(f"{name} is {json_type(value)}, not a string")
        if not isinstance(value, str):
            try:
                value = value.isoformat() if isinstance(value, dt.date) else str(value)
            except ValueError as exc:  # an int beyond Python's digit limit for str()
                raise RecordError(f"{name} is a number too long to read") from exc
        if len(value) > self.max_chars:
            raise RecordError(
                f"oversize {name}: {len(value)} characters > limit {self.max_chars}"
            )
        value, changes = clean_string(value)
        self.note(name, changes)
        if is_blank(value):
            return None
        return value.strip()

    def text(self) -> str:
        """The article text: a string, cleaned, not blank, within the size limit."""
        value = self.raw.get("text")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise RecordError("empty text")
        if not isinstance(value, str):
            raise RecordError(f"text is {json_type(value)}, not a string")
        if len(value) > self.max_chars:
            raise RecordError(f"oversize text: {len(value)} characters > limit {self.max_chars}")
        text, changes = clean_string(value)
        if is_blank(text):
            if not value.strip():
                raise RecordError("empty text")
            raise RecordError("empty text (only whitespace, zero-width or control characters)")
        self.note("text", changes)
        return text

    def metadata(self, value: Any, name: str) -> Any:
        """A metadata value with every string (and key) in it cleaned."""
        if isinstance(value, str):
            cleaned, changes = clean_string(value)
            self.note(name, changes)
            return cleaned
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for k, v in value.items():
                key, changes = clean_string(str(k))
                self.note(name, changes)
                if key in out:
                    raise RecordError(f"key {key!r} given twice in {name} once cleaned")
                out[key] = self.metadata(v, name)
            return out
        if isinstance(value, list | tuple):
            return [self.metadata(v, name) for v in value]
        return value

    def notes(self) -> tuple[str, ...]:
        """What was cleaned, one line per kind of change, naming the fields."""
        verbs = {"lone surrogates": "replaced lone surrogates with U+FFFD"}
        return tuple(
            f"{verbs.get(change, 'removed ' + change)} in {', '.join(dict.fromkeys(names))}"
            for change, names in self.cleaned.items()
        )


def validate_record(raw: Mapping[str, Any], max_chars: int) -> tuple[Article, tuple[str, ...]]:
    """Validate one raw record: the Article and what was cleaned in it, or RecordError."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"not an object but {type(raw).__name__}")
    if nesting_depth(raw) > MAX_DEPTH:
        raise RecordError(f"nested too deeply (more than {MAX_DEPTH} levels of lists/objects)")
    fields = _Fields(raw, max_chars)
    ident = fields.string("id")
    if ident is None:
        raise RecordError("missing id")
    outlet = fields.string("outlet")
    if outlet is None:
        raise RecordError("missing outlet")
    text = fields.text()
    optional = {name: fields.string(name) for name in OPTIONAL}
    extra: dict[str, Any] = {}
    items = [(str(k), v) for k, v in raw.items() if k not in REQUIRED + OPTIONAL]
    for key, value in sorted(items, key=lambda kv: kv[0]):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, str) and is_blank(value):
            continue
        clean_key, changes = clean_string(key)
        fields.note(clean_key, changes)
        if clean_key in extra or clean_key in REQUIRED + OPTIONAL:
            raise RecordError(f"field {clean_key!r} given twice once cleaned")
        extra[clean_key] = fields.metadata(value, clean_key)
    article = Article(
        id=ident,
        outlet=outlet,
        text=text,
        title=optional["title"],
        published=optional["published"],
        url=optional["url"],
        language=optional["language"],
        event=optional["event"],
        group=optional["group"],
        metadata=extra,
    )
    return article, fields.notes()


def build_article(raw: Mapping[str, Any], max_chars: int) -> Article:
    """Validate one raw record and build an Article, or raise RecordError with the reason."""
    return validate_record(raw, max_chars)[0]
