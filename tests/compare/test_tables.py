"""One event's comparison: every typed table filled in, with the embedding function injected."""

from __future__ import annotations

from collections.abc import Sequence

import framing_test_corpus as corpus
import numpy as np

from framing.compare.tables import compare_event, compare_events, syndicated_copies
from framing.models import Article, Claim, Comparison, Contrast, LabelRow, SourceCount, Term
from framing.settings import Settings

SETTINGS = Settings(bootstrap_samples=100)


def _same_vector(texts: Sequence[str]) -> np.ndarray:
    """Every text the same unit vector: all sentences make one claim."""
    return np.ones((len(texts), 4), dtype=np.float32) / 2.0


def test_compare_event_fills_every_table() -> None:
    _, analyzed = corpus.tiny_corpus()
    seen: list[list[str]] = []

    def embed(texts: Sequence[str]) -> np.ndarray:
        seen.append(list(texts))
        return _same_vector(texts)

    c = compare_event("ev-1", analyzed, SETTINGS, corpus.run_meta(), embed)
    assert isinstance(c, Comparison) and c.event == "ev-1" and len(c.scores) == 5
    outlets = ["Alpha News", "Beta Wire", corpus.HOSTILE_OUTLET]
    assert [p.outlet for p in c.profiles] == sorted(outlets)
    # groups are the outlets' first words: three groups, so group contrasts too
    assert len(c.group_profiles) == 3
    assert c.contrasts and all(isinstance(r, Contrast) and r.level == "outlet" for r in c.contrasts)
    assert c.group_contrasts and {r.level for r in c.group_contrasts} == {"group"}
    assert c.terms and all(isinstance(t, Term) for t in c.terms)
    assert all(isinstance(r, LabelRow) for r in c.labels)
    assert any(isinstance(r, SourceCount) and r.source == "Police chief Ann Lee"
               for r in c.sources)
    assert c.over_time == ()  # no article has a date
    assert c.claims is not None and c.claims_note == ""
    assert all(isinstance(cl, Claim) for cl in c.claims)
    # one vector for all: the claim sentences form one claim carried by every outlet
    assert len(c.claims) == 1 and set(c.claims[0].outlets) == set(outlets)
    assert len(seen) == 2  # label keys, then the claim sentences


def test_without_an_encoder_labels_stay_and_claims_are_not_aligned() -> None:
    _, analyzed = corpus.tiny_corpus()

    def broken(texts: Sequence[str]) -> np.ndarray:
        raise OSError("no model here")

    c = compare_event("ev-1", analyzed, SETTINGS, corpus.run_meta(), broken)
    assert c.claims is None and "no model here" in c.claims_note
    with_encoder = compare_event("ev-1", analyzed, SETTINGS, corpus.run_meta(), _same_vector)
    assert c.contrasts == with_encoder.contrasts and c.terms == with_encoder.terms
    assert {r.label for r in c.labels} == {r.label for r in with_encoder.labels}


def test_compare_events_orders_events_and_puts_none_last() -> None:
    from dataclasses import replace

    _, analyzed = corpus.tiny_corpus()
    moved = [replace(a, article=replace(a.article, event=e))
             for a, e in zip(analyzed, ["b", None, "a", "b", None], strict=True)]
    comps = compare_events(moved, SETTINGS, corpus.run_meta(), _same_vector)
    assert [c.event for c in comps] == ["a", "b", None]
    assert [len(c.scores) for c in comps] == [1, 2, 2]


def test_syndicated_copy_is_the_later_article() -> None:
    text = "The ministry said on Monday that two people died in the attack on the market. " * 3
    first = Article("x", "Wire", text, published="2025-01-01")
    later = Article("y", "Herald", text + "Credit: Wire.", published="2025-01-02")
    other = Article("z", "Times", "Rescue teams arrived after dawn and searched the area.")
    assert syndicated_copies([later, first, other], 0.6) == {"y": frozenset({"x"})}
