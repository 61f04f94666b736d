"""AnalyzedArticle -> ArticleScores: pure functions over the documented FEATURES catalogue."""

from framing.scoring.features import FEATURES, score_article, score_articles

__all__ = ["FEATURES", "score_article", "score_articles"]
