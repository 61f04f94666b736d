"""Framing over time: per outlet and week, attention (articles) and key features with intervals.

Shown only when some outlet's articles of an event span more than a week: a one-day story has
no "over time". Weeks start on Monday (ISO 8601) and are read from each article's ``published``
date (the first ten characters, ``YYYY-MM-DD``); articles without a readable date are counted
apart and never guessed into a week. Each cell's mean has a percentile bootstrap interval over
that week's articles (``framing.compare.profiles.bootstrap_mean``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from framing.compare.profiles import bootstrap_mean
from framing.models import AnalyzedArticle, ArticleScores, WeekRow

#: Features followed over time: own voice, the outlet's own loaded wording, unnamed sources.
OVER_TIME_FEATURES: tuple[str, ...] = (
    "author_voice_share",
    "loaded_density_author",
    "anonymous_source_share",
)
#: Articles of one outlet must span more than this many days for a timeline to be drawn.
MIN_SPAN_DAYS = 7

OVER_TIME_COLUMNS = ("event", "outlet", "week", "n_articles", "feature", "mean", "low", "high",
                     "note")


def article_date(published: str | None) -> date | None:
    """The date of a ``published`` value (``YYYY-MM-DD…``), or None when it is not one."""
    if not published:
        return None
    try:
        return date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


def week_of(day: date) -> str:
    """The Monday that starts ``day``'s ISO week."""
    return (day - timedelta(days=day.weekday())).isoformat()


def spans_more_than_a_week(analyzed: Sequence[AnalyzedArticle]) -> bool:
    """Whether some outlet's dated articles lie more than ``MIN_SPAN_DAYS`` apart."""
    days: dict[str, list[date]] = defaultdict(list)
    for art in analyzed:
        d = article_date(art.article.published)
        if d is not None:
            days[art.article.outlet].append(d)
    return any((max(ds) - min(ds)).days > MIN_SPAN_DAYS for ds in days.values() if ds)


def weekly_rows(
    analyzed: Sequence[AnalyzedArticle],
    scores: Sequence[ArticleScores],
    n_boot: int,
    confidence: float,
    seed: int,
    features: Sequence[str] = OVER_TIME_FEATURES,
) -> list[WeekRow]:
    """Per outlet and week: the articles (``feature="n_articles"``) and each feature's mean with
    its interval; empty unless :func:`spans_more_than_a_week`. Undated articles get one row per
    outlet with ``week="undated"`` and their count."""
    if not spans_more_than_a_week(analyzed):
        return []
    by_id = {(s.event, s.article_id): s for s in scores}
    cells: dict[tuple[str | None, str, str], list[ArticleScores]] = defaultdict(list)
    for art in analyzed:
        a = art.article
        sc = by_id.get((a.event, a.id))
        if sc is None:
            continue
        d = article_date(a.published)
        cells[(a.event, a.outlet, week_of(d) if d else "undated")].append(sc)
    rows: list[WeekRow] = []
    for (event, outlet, week), items in sorted(
            cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2])):
        n = len(items)
        rows.append(WeekRow(event, outlet, week, n, "n_articles", float(n), None, None,
                            "articles without a readable date" if week == "undated" else ""))
        if week == "undated":
            continue
        for f in features:
            e = bootstrap_mean([s.features[f] for s in items], n_boot, confidence, seed)
            rows.append(WeekRow(event, outlet, week, n, f, e.mean, e.low, e.high, e.note))
    return rows


def over_time_table(rows: Sequence[WeekRow]) -> list[list[str]]:
    """Rows of ``over_time.csv`` (header first) as strings."""
    def num(x: float | None) -> str:
        return "" if x is None else f"{x:.6g}"

    out = [list(OVER_TIME_COLUMNS)]
    for r in rows:
        out.append([r.event or "", r.outlet, r.week, str(r.n_articles), r.feature, num(r.mean),
                    num(r.low), num(r.high), r.note])
    return out
