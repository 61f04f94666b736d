"""Files and folders -> Article, with validation and an accounting of every record read."""

from framing.ingest.readers import load_articles

__all__ = ["load_articles"]
