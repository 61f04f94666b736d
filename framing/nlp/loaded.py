"""Loaded language and hedges.

v1 is a lexicon scorer over packaged term lists (``resources/loaded_terms.tsv``); a lexicon alone
is a floor, not a detector (Recasens et al. 2013). The learned detector plugs in through
``apply_model``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from framing.models import AnalyzedArticle, LoadedSpan, Span
from framing.resources import read_lines, read_table
from framing.settings import Settings

if TYPE_CHECKING:
    from spacy.tokens import Doc


@cache
def loaded_terms() -> tuple[dict[str, tuple[str, float]], dict[tuple[str, ...], tuple[str, float]]]:
    """Single-word terms and multi-word phrases -> (category, weight)."""
    words: dict[str, tuple[str, float]] = {}
    phrases: dict[tuple[str, ...], tuple[str, float]] = {}
    for row in read_table("loaded_terms.tsv"):
        entry = (row["category"], float(row["weight"]))
        parts = tuple(row["term"].lower().split())
        if len(parts) == 1:
            words[parts[0]] = entry
        else:
            phrases[parts] = entry
    return words, phrases


@cache
def hedge_terms() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """Single-word hedges (Hyland 2005) and multi-word hedge phrases."""
    single = {w for w in read_lines("lexicons/hedges_hyland2005.txt") if " " not in w}
    phrases = [tuple(p.split()) for p in read_lines("lexicons/hedges_hyland2005.txt") if " " in p]
    for p in read_lines("hedge_phrases.txt"):
        parts = tuple(p.lower().split())
        if len(parts) == 1:
            single.add(parts[0])
        else:
            phrases.append(parts)
    # "about", "around" etc. are hedges only for numbers; too noisy as bare words
    single -= {
        "about",
        "around",
        "approximately",
        "roughly",
        "quite",
        "often",
        "usually",
        "generally",
        "mostly",
        "largely",
        "mainly",
        "somewhat",
        "relatively",
        "rather",
    }
    return frozenset(single), tuple(sorted(set(phrases), key=len, reverse=True))


def _match_phrases(
    lowers: Sequence[str], phrases: Sequence[tuple[str, ...]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    out = []
    for i in range(len(lowers)):
        for p in phrases:
            if tuple(lowers[i : i + len(p)]) == p:
                out.append((i, i + len(p), p))
    return out


def find_loaded_lexicon(doc: Doc) -> list[LoadedSpan]:
    """Loaded spans from the packaged lexicon, all charged to the author until voice assigns them."""
    words, phrases = loaded_terms()
    lowers = [t.lower_ for t in doc]
    taken: set[int] = set()
    out: list[LoadedSpan] = []
    for i, j, p in _match_phrases(lowers, sorted(phrases, key=len, reverse=True)):
        if any(k in taken for k in range(i, j)):
            continue
        cat, weight = phrases[p]
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        out.append(LoadedSpan(Span(start, end), doc.text[start:end], weight, (cat,), "author"))
        taken.update(range(i, j))
    for tok in doc:
        if tok.i in taken or tok.is_punct or tok.is_space:
            continue
        entry = words.get(tok.lower_) or words.get(tok.lemma_.lower())
        if entry is None:
            continue
        cat, weight = entry
        if cat == "intensifier" and tok.dep_ not in ("advmod", "amod", "acomp"):
            continue
        start, end = tok.idx, tok.idx + len(tok.text)
        out.append(LoadedSpan(Span(start, end), tok.text, weight, (cat,), "author"))
    out.sort(key=lambda s: (s.span.start, s.span.end))
    return out


def find_hedges(doc: Doc) -> list[Span]:
    """Hedge and evidential markers (certainty, measured apart from loaded language)."""
    single, phrases = hedge_terms()
    lowers = [t.lower_ for t in doc]
    taken: set[int] = set()
    out: list[Span] = []
    for i, j, _ in _match_phrases(lowers, phrases):
        if any(k in taken for k in range(i, j)):
            continue
        out.append(Span(doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), "hedge"))
        taken.update(range(i, j))
    for tok in doc:
        if tok.i not in taken and tok.lower_ in single:
            out.append(Span(tok.idx, tok.idx + len(tok.text), "hedge"))
    out.sort(key=lambda s: (s.start, s.end))
    return out


def model_info(settings: Settings) -> dict[str, str]:
    """Names of the learned loaded-language models a run uses (none in lexicon mode)."""
    return {"loaded_language": "lexicon-v1"}


def apply_model(analyzed: list[AnalyzedArticle], settings: Settings) -> list[AnalyzedArticle]:
    """Hook for the learned loaded-language and sentence-bias model (lexicon-only in v1)."""
    return analyzed
