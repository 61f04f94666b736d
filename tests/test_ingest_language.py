"""Language identification: English analysed, other languages rejected and counted per outlet."""

from __future__ import annotations

import pytest

from framing.ingest.language import (
    OutletCoverage,
    decide_language,
    detect_language,
    outlet_coverage,
)
from framing.ingest.readers import load_records
from framing.models import Article, Rejection

# Invented headline-style political text: names and few function words. The old check (share of
# English function words >= 0.15) gave it 0.0 and flagged it as not English.
TERSE = (
    "Trump Slams Pelosi, Schiff Over Impeachment Hoax. GOP Sens. Cruz, Hawley, Cotton, "
    "Blackburn Blast Democrats' Ukraine Sham. Biden, Obama, Clinton, Soros, CNN, MSNBC Silent."
)


def test_terse_english_headline_text_is_english() -> None:
    assert detect_language(TERSE) == "en"
    result = load_records([{"id": "b1", "outlet": "Breitbart-like", "text": TERSE}])
    assert [a.id for a in result.articles] == ["b1"]
    assert result.articles[0].language == "en"
    assert result.rejections == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("وزیر اعظم نے کہا کہ حکومت دہشت گردی کے خلاف سخت کارروائی کرے گی", "ur"),
        ("وزیر خارجه گفت که دولت با تروریسم مبارزه خواهد کرد", "fa"),
        ("د افغانستان د بهرنیو چارو وزارت ویاند وویل چې پاکستان باید خپل ځواکونه وباسي", "ps"),
        ("Der Minister sagte, dass die Armee in der Stadt war.", "de"),
        ("The minister said that the army was in the city.", "en"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_no_letters_is_undecided_and_analysed() -> None:
    assert detect_language("12 345 — 678") is None
    decision = decide_language(Article("n", "O", "12 345 — 678"))
    assert decision.reason is None
    assert decision.flag is not None and decision.flag.kind == "language_unknown"


def test_urdu_article_is_rejected_with_reason_and_counted() -> None:
    records = [
        {"id": "e1", "outlet": "Dawn Mirror", "text": "The minister said the army was ready."},
        {"id": "e2", "outlet": "Dawn Mirror", "text": "Police said four people were hurt."},
        {"id": "u1", "outlet": "Dawn Mirror",
         "text": "وزیر اعظم نے کہا کہ حکومت دہشت گردی کے خلاف سخت کارروائی کرے گی"},
        {"id": "w1", "outlet": "Wire", "text": "Officials said the blast hit a market."},
    ]
    result = load_records(records, origin="upload")
    assert result.n_read == len(result.articles) + len(result.rejections) == 4
    assert result.rejections == (
        Rejection("upload:3", "language ur (Urdu): only English is analysed", "u1",
                  "Dawn Mirror", "ur"),
    )
    coverage = outlet_coverage(result.articles, result.rejections, ["e1", "w1"])
    assert coverage == [
        OutletCoverage("Dawn Mirror", 3, 2, 1, {"ur": 1}),
        OutletCoverage("Wire", 1, 1, 1, {}),
    ]
    assert coverage[0].sentence() == (
        "Dawn Mirror: 1 of 3 articles analysed (1 in Urdu, not analysed: the parser and models "
        "are English-only; 1 in English rejected during analysis)."
    )
    assert coverage[1].sentence() == "Wire: 1 of 1 articles analysed."
    assert coverage[0].to_dict()["other_languages"] == {"ur": 1}


def test_coverage_sentence_matches_the_issue_example() -> None:
    row = OutletCoverage("Dawn Mirror", 52, 40, 40, {"ur": 12})
    assert row.sentence() == (
        "Dawn Mirror: 40 of 52 articles analysed (12 in Urdu, not analysed: the parser and "
        "models are English-only)."
    )


def test_declared_english_but_urdu_text_is_rejected() -> None:
    decision = decide_language(
        Article("u", "O", "وزیر اعظم نے کہا کہ حکومت دہشت گردی کے خلاف سخت کارروائی کرے گی",
                language="en")
    )
    assert decision.reason == "language ur (Urdu): only English is analysed"
    assert decision.article.language == "ur"
    assert decision.flag is not None and decision.flag.kind == "language_mismatch"


def test_low_confidence_guess_is_analysed_and_flagged() -> None:
    decision = decide_language(Article("w", "O", "word " * 50))
    assert decision.reason is None
    assert decision.flag is not None and decision.flag.kind == "language_uncertain"
    assert decision.flag.detail.endswith("; analysed as English")


def test_one_repeated_latin_word_is_too_little_evidence() -> None:
    text = "Run on\n" + " ".join(["militants"] * 300)  # Lingua: French, confidence > 0.5
    decision = decide_language(Article("m", "O", text))
    assert decision.reason is None
    assert decision.flag is not None and "fewer than 5 distinct words" in decision.flag.detail
    # a short text in another script is still placed
    urdu = decide_language(Article("u", "O", "وزیر اعظم نے کہا"))
    assert urdu.reason == "language ur (Urdu): only English is analysed"
