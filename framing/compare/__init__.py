"""ArticleScores -> per-outlet profiles with uncertainty, and comparisons between outlets."""

from framing.compare.profiles import bootstrap_mean, build_profiles

__all__ = ["bootstrap_mean", "build_profiles"]
