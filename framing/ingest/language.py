"""Which language an article is written in, and which share of each outlet's coverage is analysed.

The parser, the attribution rules and the loaded-language models are English-only, so an article
in another language is not analysed: it is rejected with a reason naming its language, and each
outlet's coverage (articles read, analysed, and left out by language) is reported.

Language identification uses Lingua (Pemistahl, lingua-py, Apache-2.0), whose n-gram models ship
inside the PyPI wheel: nothing is downloaded. The detector is built once with a restricted set of
languages (the ones news corpora of South Asia and the wider world are most likely to hold) and
loads each language model lazily on first use. Lingua has Urdu and Persian but neither Pashto nor
Dari: Dari is a variety of Persian and is reported as ``fa``; Pashto is recognised by the letters
only its alphabet has (ټ ډ ړ ږ ښ ځ څ ګ ڼ ۍ ې), which Lingua would otherwise read as Persian or Urdu.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from framing.models import Article, Flag, Rejection

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: The languages the analysis handles.
ANALYSED_LANGUAGES: frozenset[str] = frozenset({"en"})

#: ISO 639-1 code -> English name of every language the detector can return (and Pashto).
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "ur": "Urdu",
    "fa": "Persian/Dari",
    "ps": "Pashto",
    "ar": "Arabic",
    "hi": "Hindi",
    "bn": "Bengali",
    "pa": "Punjabi",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "id": "Indonesian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}

#: An article is left out for another language only when Lingua's confidence in that language
#: reaches this: very short or odd texts ("a b c", "word word word") get a low, arbitrary guess and
#: are analysed as English with a ``language_uncertain`` flag instead.
MIN_CONFIDENCE = 0.5

#: A text in Latin script with fewer distinct words than this ("militants militants …") is too
#: little evidence to leave out as another language, whatever Lingua's confidence.
MIN_DISTINCT_WORDS = 5

#: Characters read per article: enough for a confident guess, and bounded for 200k-char bodies.
SAMPLE_CHARS = 10_000

# Letters of the Pashto alphabet that Persian, Urdu and Arabic do not use.
_PASHTO_LETTERS = re.compile("[\u067c\u0681\u0685\u0689\u0693\u0696\u069a\u06ab\u06bc\u06cd\u06d0]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
#: Share of Arabic-script letters that must be Pashto-only letters to call a text Pashto.
_PASHTO_SHARE = 0.01
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_NOT_ANALYSED = "the parser and models are English-only"


def language_name(code: str | None) -> str:
    """English name of an ISO 639-1 code (the code itself when unknown)."""
    if not code:
        return "unknown language"
    return LANGUAGE_NAMES.get(code, code)


@functools.cache
def _detector() -> LanguageDetector:
    """The Lingua detector, built once per process for the languages of ``LANGUAGE_NAMES``."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, c.upper()) for c in LANGUAGE_NAMES if c != "ps"]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def identify_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code of the most likely language of ``text`` and Lingua's confidence in it
    (0-1, relative to the other candidate languages); ``(None, 0.0)`` when it has no letters.
    Reads the first ``SAMPLE_CHARS`` characters."""
    sample = text[:SAMPLE_CHARS]
    if not _LETTER.search(sample):
        return None, 0.0
    arabic = len(_ARABIC_SCRIPT.findall(sample))
    if arabic and len(_PASHTO_LETTERS.findall(sample)) >= max(1.0, _PASHTO_SHARE * arabic):
        return "ps", 1.0
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value <= 0.0:
        return None, 0.0
    return str(values[0].language.iso_code_639_1.name).lower(), float(values[0].value)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the most likely language of ``text`` (None when it has no letters)."""
    return identify_language(text)[0]


def _latin_with_few_words(text: str) -> bool:
    """Whether ``text`` is mostly Latin letters and has fewer than ``MIN_DISTINCT_WORDS`` words."""
    sample = text[:SAMPLE_CHARS]
    letters = _LETTER.findall(sample)
    latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
    if not letters or latin < len(letters) / 2:
        return False
    return len({w.lower() for w in _WORDS.findall(sample)}) < MIN_DISTINCT_WORDS


@dataclass(frozen=True)
class LanguageDecision:
    """What the language check made of one article."""

    article: Article  # with ``language`` set to the detected code where one was found
    flag: Flag | None = None
    reason: str | None = None  # set when the article is not analysed


def decide_language(article: Article) -> LanguageDecision:
    """Detect an article's language (headline and body) and decide whether it is analysed.

    The detected language wins over a declared one (the text is what the parser reads); a
    disagreement is flagged. A text without letters, or whose most likely language is not English
    but below ``MIN_CONFIDENCE`` or shown by fewer than ``MIN_DISTINCT_WORDS`` Latin-script words,
    keeps its declared language and is analysed as English, flagged.
    """
    declared = (article.language or "").strip()
    detected, confidence = identify_language(f"{article.title or ''}\n{article.text}")
    if detected is None:
        note = Flag(
            article.id,
            "language_unknown",
            f"language could not be detected (declared {declared!r}); analysed as English"
            if declared
            else "language could not be detected; analysed as English",
        )
        return LanguageDecision(article, note)
    if detected not in ANALYSED_LANGUAGES:
        weak = None
        if confidence < MIN_CONFIDENCE:
            weak = f"confidence {confidence:.2f} < {MIN_CONFIDENCE}"
        elif _latin_with_few_words(f"{article.title or ''}\n{article.text}"):
            weak = f"fewer than {MIN_DISTINCT_WORDS} distinct words in Latin script"
        if weak is not None:
            note = Flag(
                article.id,
                "language_uncertain",
                f"looks most like {detected} ({language_name(detected)}), but {weak}; "
                "analysed as English",
            )
            return LanguageDecision(article, note)
    same = declared.lower().split("-")[0].split("_")[0] == detected
    updated = article if same else replace(article, language=detected)
    flag = None
    if declared and not same:
        flag = Flag(
            article.id,
            "language_mismatch",
            f"declared language {declared!r}, text detected as {detected} "
            f"({language_name(detected)})",
        )
    if detected in ANALYSED_LANGUAGES:
        return LanguageDecision(updated, flag)
    reason = f"language {detected} ({language_name(detected)}): only English is analysed"
    return LanguageDecision(updated, flag, reason)


@dataclass(frozen=True)
class OutletCoverage:
    """How much of one outlet's coverage the figures rest on."""

    outlet: str
    n_articles: int  # accepted at ingest plus those left out for their language
    n_english: int
    n_analysed: int
    other_languages: Mapping[str, int] = field(default_factory=dict)  # code -> articles

    def sentence(self) -> str:
        """``Dawn Mirror: 40 of 52 articles analysed (12 in Urdu, not analysed: …)``."""
        text = f"{self.outlet}: {self.n_analysed} of {self.n_articles} articles analysed"
        parts = [
            f"{n} in {language_name(code)}"
            for code, n in sorted(self.other_languages.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        failed = self.n_english - self.n_analysed
        notes = []
        if parts:
            notes.append(f"{', '.join(parts)}, not analysed: {_NOT_ANALYSED}")
        if failed:
            notes.append(f"{failed} in English rejected during analysis")
        return text + (f" ({'; '.join(notes)})" if notes else "") + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "n_articles": self.n_articles,
            "n_english": self.n_english,
            "n_analysed": self.n_analysed,
            "other_languages": dict(sorted(self.other_languages.items())),
            "summary": self.sentence(),
        }


def is_language_rejection(rejection: Rejection) -> bool:
    """Whether a rejection left an article out for its language."""
    return rejection.language is not None and rejection.outlet is not None


def outlet_coverage(
    articles: Iterable[Article], rejections: Iterable[Rejection], analysed_ids: Iterable[str]
) -> list[OutletCoverage]:
    """Per outlet (sorted by name): articles read, in English, analysed, and in other languages.

    ``articles`` are the accepted (English) articles, ``rejections`` every rejection (those left
    out for their language carry outlet and language), ``analysed_ids`` the analysed articles.
    """
    done = set(analysed_ids)
    english: Counter[str] = Counter()
    analysed: Counter[str] = Counter()
    other: dict[str, Counter[str]] = {}
    for a in articles:
        english[a.outlet] += 1
        analysed[a.outlet] += a.id in done
    for r in rejections:
        if is_language_rejection(r):
            assert r.outlet is not None and r.language is not None
            other.setdefault(r.outlet, Counter())[r.language] += 1
    outlets = sorted(set(english) | set(other))
    return [
        OutletCoverage(
            outlet=o,
            n_articles=english[o] + sum(other.get(o, Counter()).values()),
            n_english=english[o],
            n_analysed=analysed[o],
            other_languages=dict(other.get(o, Counter())),
        )
        for o in outlets
    ]


def coverage_sentences(coverage: Sequence[OutletCoverage]) -> list[str]:
    """One sentence per outlet, for reports and the dashboard."""
    return [c.sentence() for c in coverage]
