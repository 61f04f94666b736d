"""Event grouping on hand-made embeddings and dates."""

from __future__ import annotations

import numpy as np
import pytest

from framing.compare.events import assign_events, event_text, parse_date
from framing.models import Article


def _a(i: str, date: str | None, event: str | None = None, title: str = "T") -> Article:
    return Article(i, "O", "body text", title=title, published=date, event=event)


def test_two_topics_and_a_distant_date() -> None:
    arts = [
        _a("x1", "2025-10-30"), _a("x2", "2025-10-31"), _a("y1", "2025-11-01"),
        _a("y2", "2025-11-02"), _a("x3", "2026-03-01"),
    ]  # fmt: skip
    emb = np.array([[1, 0.1], [1, 0], [0, 1], [0.1, 1], [1, 0.05]], dtype=float)
    assert assign_events(arts, emb) == ["auto-01", "auto-01", "auto-02", "auto-02", "auto-03"]


def test_given_events_take_precedence_and_propagate() -> None:
    arts = [_a("a", "2025-10-30", "peshawar"), _a("b", "2025-10-30"), _a("c", None, "other")]
    emb = np.array([[1, 0.02], [1, 0], [1, 0.3]], dtype=float)
    # b joins the nearer labelled event; c keeps its own although it clusters with the rest
    assert assign_events(arts, emb) == ["peshawar", "peshawar", "other"]


def test_single_article_and_helpers() -> None:
    assert assign_events([_a("a", None)], np.ones((1, 2))) == ["auto-01"]
    assert parse_date("2025-10-30T08:00:00Z").isoformat() == "2025-10-30"  # type: ignore[union-attr]
    assert parse_date("yesterday") is None and parse_date(None) is None
    assert event_text(_a("a", None, title="Head")) == "Head. body text"


@pytest.mark.slow
def test_demo_events_are_recovered_without_event_fields() -> None:
    from dataclasses import replace

    from framing.api import assign_missing_events, demo_corpus_path, load
    from framing.models import IngestResult
    from framing.settings import Settings

    ingest = load([demo_corpus_path()], Settings())
    bare = IngestResult(
        tuple(replace(a, event=None) for a in ingest.articles),
        ingest.rejections, ingest.flags, ingest.n_read,
    )  # fmt: skip
    got = assign_missing_events(bare, Settings())
    truth: dict[str, set[str]] = {}
    for a, b in zip(ingest.articles, got.articles, strict=True):
        truth.setdefault(a.event or "", set()).add(b.event or "")
    assert all(len(v) == 1 for v in truth.values())  # one event each
    assert len({next(iter(v)) for v in truth.values()}) == 2  # and the two kept apart
    # given events are kept
    assert assign_missing_events(ingest, Settings()) is ingest
