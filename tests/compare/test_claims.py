"""Claim alignment on hand-made embeddings (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from framing.compare.claims import ClaimSentence, align_claims


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=float)
    return v / np.linalg.norm(v)


def test_claims_are_aligned_and_omissions_listed() -> None:
    sents = [
        ClaimSentence("A", "a1", 0, "title", "Commander killed in Peshawar"),
        ClaimSentence("B", "b1", 0, "title", "Militant commander shot dead in Peshawar"),
        ClaimSentence("A", "a1", 5, "body", "Pakistan sheltered the group for years"),
        ClaimSentence("C", "c1", 7, "body", "The arrests were made on Saturday in raids"),
        ClaimSentence("B", "b1", 6, "body", "Three men were arrested in raids on Saturday"),
        ClaimSentence("C", "c1", 1, "body", "A commander was killed in Peshawar on Wednesday"),
    ]
    emb = np.stack([
        _unit(1, 0.1, 0, 0), _unit(1, 0, 0.1, 0), _unit(0, 0, 0, 1),
        _unit(0, 1, 0, 0.05), _unit(0, 1, 0.05, 0), _unit(1, 0.05, 0.05, 0),
    ])  # fmt: skip
    claims = align_claims(sents, emb, ["A", "B", "C", "D"], threshold=0.8)
    assert len(claims) == 3
    first = claims[0]
    assert first.is_lead and first.outlets == ("A", "B", "C") and first.omitted_by == ("D",)
    assert first.claim_id == 1 and len(first.sentences) == 3
    # non-lead claims: carried by more outlets first
    assert claims[1].outlets == ("B", "C") and not claims[1].is_lead
    assert claims[2].outlets == ("A",) and claims[2].omitted_by == ("B", "C", "D")
    assert claims[2].representative.text == "Pakistan sheltered the group for years"


def test_single_sentence_and_empty() -> None:
    one = [ClaimSentence("A", "a", 3, "body", "Only one claim here today")]
    claims = align_claims(one, np.ones((1, 4)) / 2, ["A"])
    assert len(claims) == 1 and claims[0].omitted_by == () and not claims[0].is_lead
    assert align_claims([], np.zeros((0, 4)), ["A"]) == []
    with pytest.raises(ValueError):
        align_claims(one, np.zeros((2, 4)), ["A"])
