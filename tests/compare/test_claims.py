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


def test_representative_tie_goes_to_the_first_sentence_whatever_the_noise() -> None:
    # two sentences equally close to their centre: float noise of 1e-7 must not decide
    a = ClaimSentence("Kabul Times", "k1", 4, "body", "The market reopened on Monday")
    b = ClaimSentence("Dawn Daily", "d1", 9, "body", "On Monday the market opened again")
    for noise in (1e-7, -1e-7):
        emb = np.stack([_unit(1, 0.2 + noise, 0), _unit(1, -0.2, 0)])
        for order in ((a, b), (b, a)):
            claims = align_claims(list(order), emb, ["Dawn Daily", "Kabul Times"], threshold=0.8)
            assert len(claims) == 1
            assert claims[0].representative is b  # "Dawn Daily" sorts first


def test_single_sentence_and_empty() -> None:
    one = [ClaimSentence("A", "a", 3, "body", "Only one claim here today")]
    claims = align_claims(one, np.ones((1, 4)) / 2, ["A"])
    assert len(claims) == 1 and claims[0].omitted_by == () and not claims[0].is_lead
    assert align_claims([], np.zeros((0, 4)), ["A"]) == []
    with pytest.raises(ValueError):
        align_claims(one, np.zeros((2, 4)), ["A"])


def test_report_sections_escape_user_text() -> None:
    from framing.compare.contrasts import build_contrasts
    from framing.compare.labels import LabelRow
    from framing.compare.terms import distinctive_terms
    from framing.models import ArticleScores, Comparison, OutletProfile, RunMetadata
    from framing.report.sections import comparison_sections

    evil = "<script>x()</script>"
    scores = [
        ArticleScores(f"{o}{i}", o, "e", None, {"author_voice_share": 0.1 * i})
        for o in (evil, "B") for i in range(3)
    ]  # fmt: skip
    sents = [ClaimSentence(evil, "a", 0, "title", "<b>Claim</b> here today"),
             ClaimSentence("B", "b", 0, "title", "Claim here today too")]  # fmt: skip
    claims = align_claims(sents, np.ones((2, 3)) / np.sqrt(3), [evil, "B"])
    run = RunMetadata("0", "0", {}, {}, "h", 1)
    profiles = (OutletProfile(evil, 3, {}), OutletProfile("B", 3, {}))
    full = Comparison(
        "e", profiles, tuple(scores), run,
        contrasts=tuple(build_contrasts(scores, ["author_voice_share"], 100, 0.95, 1)),
        terms=tuple(distinctive_terms({evil: ["<i>word</i> word"], "B": ["other words"]})),
        labels=(LabelRow("e", "<img>", "armed_group", 2, evil, "<u>x</u>", 2, 1.0, "alias", ()),),
        claims=tuple(claims),
    )  # fmt: skip
    html = "".join(comparison_sections([full]).values())
    assert "<script>" not in html and "<img>" not in html and "<u>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Claim&lt;/b&gt;" in html
    assert "Claims carried by more than one outlet" in html
    one = Comparison("e", profiles[:1], (), run, claims=None, claims_note="no encoder")
    html = "".join(comparison_sections([one]).values())
    assert "no pair to contrast" in html and "no encoder" in html


def test_syndicated_copy_is_not_independent_coverage() -> None:
    sents = [
        ClaimSentence("Wire", "w1", 5, "body", "Two officials said the commander was shot dead"),
        ClaimSentence("Paper", "p9", 5, "body", "Two officials said the commander was shot dead"),
        ClaimSentence("Paper", "p2", 6, "body", "The commander had lived in the city for years"),
        ClaimSentence("Wire", "w1", 7, "body", "The commander lived in the city for two years"),
        ClaimSentence("Daily", "d1", 8, "body", "The commander lived there for two years"),
    ]
    emb = np.stack([_unit(1, 0, 0), _unit(1, 0, 0), _unit(0, 1, 0.05), _unit(0, 1, 0),
                    _unit(0, 1, 0.02)])
    copies = {"p9": frozenset({"w1"})}  # p9 is Paper's reprint of the wire story w1
    claims = align_claims(sents, emb, ["Daily", "Paper", "Wire"], threshold=0.9, copies=copies)
    by_first = {c.representative.text.split()[0]: c for c in claims}
    shot = by_first["Two"]
    # Paper carries the shooting claim only through its copy of the wire story.
    assert shot.outlets == ("Paper", "Wire") and shot.via_copy == ("Paper",)
    assert shot.n_independent == 1
    # Paper's own article p2 carries the second claim: independent coverage.
    lived = by_first["The"]
    assert lived.outlets == ("Daily", "Paper", "Wire") and lived.via_copy == ()
    assert lived.n_independent == 3
    # among non-lead claims, more independent outlets rank first
    assert claims[0] is lived
    # without copies both outlets count
    plain = align_claims(sents, emb, ["Daily", "Paper", "Wire"], threshold=0.9)
    assert all(c.via_copy == () for c in plain)


def test_labels_of_one_actor_are_one_word_before_claims_are_compared() -> None:
    from types import SimpleNamespace

    from framing.compare.claims import label_map, neutralize

    def row(actor: str, kind: str, label: str, n: int, label_kind: str = "name"
            ) -> SimpleNamespace:
        return SimpleNamespace(actor=actor, actor_type=kind, label=label, count=n,
                               kind=label_kind)

    rows = [row("Red Hand", "armed_group", "Red Hand", 5), row("Red Hand", "armed_group",
                                                               "the bandits", 2),
            row("Red Hand", "armed_group", "RH", 1), row("Tessel", "place", "Tessel", 4),
            row("Tessel", "place", "the port city", 1), row("Ilse Rand", "person", "Rand", 3),
            row("Ilse Rand", "person", "the envoy", 2, "description")]
    names = label_map(rows)
    # places, one-name actors and descriptions ("the envoy") are left alone
    assert names == {"the bandits": "Red Hand", "rh": "Red Hand"}
    assert neutralize("The bandits' leader and an RH fighter died; RHINO did not.", names) == (
        "Red Hand' leader and an Red Hand fighter died; RHINO did not.")
    assert neutralize("Nothing to change.", {}) == "Nothing to change."
