"""Article -> AnalyzedArticle: the only layer that touches spaCy, torch or transformers."""
