"""Readable names: events named by their headlines when their names are identifiers, and
evidence cited by outlet, headline and date rather than by article id."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from framing.models import AnalyzedArticle, Article

#: An event name that is an identifier, not words: a UUID, a long hex or numeric id, or a name
#: framing gave an event it grouped itself (``auto-01``).
_ID_LIKE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-|^[0-9a-f]{12,}$|^[\d_.-]+$|^auto-\d+$", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
#: Headline words that name no event.
_STOP = frozenset("""a about after against all also amid an and are as at be been before but by
can could did do does for from had has have he her his how i if in into is it its just may more
most new no not now of on one or our out over says said she so than that the their them there
they this to up us was we were what when where which who why will with would you your vs via
""".split())


def names_and_cites(
    analyzed: Iterable[AnalyzedArticle],
) -> tuple[dict[str, str], dict[str, str]]:
    """In one pass over the articles: every event's readable name (:func:`event_names`) and
    every article's citation (:func:`cite`: headline and date), by article id."""
    articles = [a.article for a in analyzed]
    return names_of_events(articles), {a.id: cite(a, with_outlet=False) for a in articles}


def event_names(analyzed: Iterable[AnalyzedArticle], max_words: int = 4) -> dict[str, str]:
    """A readable name per event: the event's own name when it is words; when it is an
    identifier (a UUID, a hex or numeric id, ``auto-01``), the words its headlines share most
    (at least two headlines when it has several), e.g. ``"Comey · FBI · memo"``. Events without
    headlines keep their identifier."""
    return names_of_events((a.article for a in analyzed), max_words)


def names_of_events(articles: Iterable[Article], max_words: int = 4) -> dict[str, str]:
    """:func:`event_names` of plain articles."""
    titles: dict[str, list[str]] = {}
    for a in articles:
        if a.event is not None:
            titles.setdefault(a.event, []).append(a.title or "")
    return {ev: ev if not _ID_LIKE.search(ev) else _headline_name(heads, max_words) or ev
            for ev, heads in titles.items()}


def _headline_name(titles: Sequence[str], max_words: int) -> str:
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for t in titles:
        seen = set()
        for w in _WORD.findall(t):
            key = w.lower().strip("'’-")
            if key in _STOP or len(key) < 3 or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            shown.setdefault(key, w)
    need = 2 if len([t for t in titles if t.strip()]) > 1 else 1
    common = [k for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= need]
    if not common:  # no headline word shared: the words of the first headline
        common = [k for k, _ in counts.most_common()]
    return " · ".join(shown[k] for k in common[:max_words])


def cite(article: Article, with_outlet: bool = True) -> str:
    """How evidence names its article: outlet, headline and date (``Fox · "Headline" · 2017-06-08``);
    the id when the article has no headline."""
    parts = [article.outlet] if with_outlet else []
    parts.append(f"“{article.title.strip()}”" if article.title and article.title.strip()
                 else article.id)
    if article.published:
        parts.append(str(article.published)[:10])
    return " · ".join(parts)
