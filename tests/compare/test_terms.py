"""Distinctive terms: log-odds with an informative Dirichlet prior."""

from __future__ import annotations

import math

import pytest

from framing.compare.terms import count_terms, distinctive_terms, log_odds_dirichlet, tokenize


def test_log_odds_hand_computed() -> None:
    got = log_odds_dirichlet({"a": 3, "b": 1}, {"a": 1, "b": 3}, {"a": 1.0, "b": 1.0})
    # a: (3+1)/(4+2-4) vs (1+1)/(4+2-2) -> log 2 - log 0.5; var = 1/4 + 1/2
    delta, z = got["a"]
    assert delta == pytest.approx(2 * math.log(2))
    assert z == pytest.approx(2 * math.log(2) / math.sqrt(0.75))
    assert got["b"][0] == pytest.approx(-2 * math.log(2))


def test_tokenize_and_count() -> None:
    assert tokenize("ISIS-K's men, al-Khawarij!") == ["isis-k's", "men", "al-khawarij"]
    counts, n = count_terms(["The militants attacked.\nMilitants attacked again"])
    assert n == 6
    assert counts["militants"] == 2 and counts["militants attacked"] == 2
    assert "the" not in counts and "the militants" not in counts
    assert "attacked militants" not in counts  # bigrams stop at a line break


def test_planted_term_is_top() -> None:
    a = ["Daesh fighters attacked the town. Officials said Daesh was behind it."] * 6
    b = ["Militants attacked the town. Officials said the militants were behind it."] * 6
    c = ["Militants attacked the town, officials said, blaming militants."] * 4
    rows = distinctive_terms({"A": a, "B": b, "C": c}, top_n=5)
    top_a = [r for r in rows if r.outlet == "A"]
    assert top_a[0].term == "daesh" and top_a[0].count == 12 and top_a[0].count_others == 0
    assert top_a[0].z > 1.96 and top_a[0].rank == 1
    assert all(r.term != "officials" for r in top_a)  # shared words are not distinctive
    assert all(r.z > 0 for r in rows)


def test_one_outlet_has_no_terms() -> None:
    assert distinctive_terms({"A": ["Some text here, text again."]}) == []


def test_an_outlet_naming_itself_is_not_distinctive() -> None:
    texts = {
        "Kabul Dispatch": ["Kabul Dispatch reports from Kabul. (Kabul Dispatch) The raid failed.",
                           "KD staff. The raid killed a ringleader in Kabul. Dispatch desk."] * 3,
        "Global Wire Service": ["GWS - The raid in Kabul killed a commander. GWS",
                                "GWS: the commander died in Kabul. GWS"] * 3,
    }
    terms = {(t.outlet, t.term) for t in distinctive_terms(texts, min_count=1)}
    assert not {("Global Wire Service", "gws"), ("Kabul Dispatch", "dispatch"),
                ("Kabul Dispatch", "kabul dispatch")} & terms
    assert ("Kabul Dispatch", "ringleader") in terms


def test_a_word_inside_a_listed_phrase_is_one_entry() -> None:
    texts = {
        "A": ["The Islamic State claimed it. Islamic State fighters fled. Islamic State again."] * 2,
        "B": ["The group claimed it. Fighters fled. The group again."] * 2,
    }
    terms = [t.term for t in distinctive_terms(texts, min_count=1) if t.outlet == "A"]
    assert "islamic state" in terms
    assert "islamic" not in terms and "state" not in terms
