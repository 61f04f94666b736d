"""Framing over time: weeks, attention and features per outlet (hand-built scores)."""

from __future__ import annotations

from framing.compare.over_time import (
    OVER_TIME_COLUMNS,
    article_date,
    over_time_table,
    week_of,
    weekly_rows,
)
from framing.models import AnalyzedArticle, Article, ArticleScores


def _art(aid: str, outlet: str, published: str | None, own: float) -> tuple[AnalyzedArticle,
                                                                            ArticleScores]:
    art = AnalyzedArticle(Article(aid, outlet, "x", published=published, event="e"), (), (), "t")
    feats = {"author_voice_share": own, "loaded_density_author": 2 * own,
             "anonymous_source_share": 0.0}
    return art, ArticleScores(aid, outlet, "e", None, feats)


def test_dates_and_weeks() -> None:
    assert article_date("2025-03-05T10:00:00Z").isoformat() == "2025-03-05"  # type: ignore[union-attr]
    assert article_date("March 5") is None and article_date(None) is None
    assert week_of(article_date("2025-03-05")) == "2025-03-03"  # type: ignore[arg-type]  # a Wednesday


def test_a_story_of_one_week_has_no_timeline() -> None:
    pairs = [_art("a", "A", "2025-03-03", 0.5), _art("b", "A", "2025-03-06", 0.7)]
    assert weekly_rows([p[0] for p in pairs], [p[1] for p in pairs], 200, 0.95, 1) == []


def test_weekly_attention_and_features_per_outlet() -> None:
    pairs = [_art("a1", "A", "2025-03-03", 0.2), _art("a2", "A", "2025-03-04", 0.4),
             _art("a3", "A", "2025-03-12", 0.9), _art("b1", "B", "2025-03-05", 0.5),
             _art("b2", "B", None, 0.1)]
    rows = weekly_rows([p[0] for p in pairs], [p[1] for p in pairs], 200, 0.95, 1)
    got = {(r.outlet, r.week, r.feature): r for r in rows}
    assert got[("A", "2025-03-03", "n_articles")].mean == 2
    own = got[("A", "2025-03-03", "author_voice_share")]
    assert abs(own.mean - 0.3) < 1e-9 and own.low is not None and own.low <= 0.3 <= own.high  # type: ignore[operator]
    assert got[("A", "2025-03-10", "author_voice_share")].low is None  # one article: no interval
    assert got[("B", "undated", "n_articles")].note == "articles without a readable date"
    assert ("B", "undated", "author_voice_share") not in got
    table = over_time_table(rows)
    assert table[0] == list(OVER_TIME_COLUMNS) and len(table) == len(rows) + 1
