"""BABE and PTC evaluation: metrics on hand-made examples, loaders on hand-written files, and
quick runs on the shared research data (skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.evaluation.babe import load_babe
from framing.evaluation.ptc import article_folds, load_ptc, span_prf, word_gold
from framing.evaluation.training import expected_calibration_error, words_to_spans


def test_span_prf_partial_credit() -> None:
    gold = {"a": [(0, 10), (20, 30)]}
    pred = {"a": [(5, 10), (40, 50)]}
    # precision: (5/5 + 0) / 2; recall: (5/10 + 0) / 2
    got = span_prf(pred, gold, ["a"])
    assert got["precision"] == pytest.approx(0.5)
    assert got["recall"] == pytest.approx(0.25)
    assert got["f1"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_span_prf_merges_overlapping_gold() -> None:
    got = span_prf({"a": [(0, 10)]}, {"a": [(0, 6), (4, 10)]}, ["a"])
    assert (got["precision"], got["recall"], got["n_gold"]) == (1.0, 1.0, 1)
    assert span_prf({}, {"a": [(0, 4)]}, ["a"])["f1"] == 0.0


def test_article_folds_partition_deterministically() -> None:
    ids = [str(i) for i in range(23)]
    folds = article_folds(ids)
    assert folds == article_folds(list(reversed(ids)))
    flat = [i for f in folds for i in f]
    assert sorted(flat) == sorted(ids) and len(folds) == 5


def test_words_to_spans_and_ece() -> None:
    words = [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert words_to_spans(words, np.array([0.9, 0.6, 0.1, 0.7]), 0.5) == [
        (0, 5, 0.9),
        (9, 11, 0.7),
    ]
    p = np.array([0.1, 0.1, 0.9, 0.9])
    y = np.array([0, 0, 1, 0])
    # bins: [0.1] mean 0.1 vs 0.0 -> 0.1 * 0.5; [0.9] mean 0.9 vs 0.5 -> 0.4 * 0.5
    assert expected_calibration_error(p, y) == pytest.approx(0.25)


def test_load_babe_hand_written(tmp_path: Path) -> None:
    (tmp_path / "final_labels_SG2.csv").write_text(
        "text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words\n"
        '"The so-called reform is a bizarre sham.";x;Outlet A;t;left;Biased;o;'
        "['bizarre', 'so-called reform']\n"
        "The council met on Monday.;x;Outlet B;t;right;Non-biased;o;[]\n"
        "Unclear one.;x;Outlet B;t;right;No agreement;o;[]\n",
        encoding="utf-8",
    )
    sents = load_babe(tmp_path)
    assert [s.biased for s in sents] == [True, False]
    first = sents[0]
    assert [first.text[s:e] for s, e in first.words] == [
        "The", "so-called", "reform", "is", "a", "bizarre", "sham",
    ]
    assert first.word_gold == (False, True, True, False, False, True, False)
    assert not any(sents[1].word_gold)


def test_load_ptc_hand_written(tmp_path: Path) -> None:
    (tmp_path / "train-articles").mkdir()
    text = "Headline here\n\nThe corrupt elites lied again.\nNothing else.\n"
    (tmp_path / "train-articles" / "article1.txt").write_text(text, encoding="utf-8")
    start = text.index("corrupt elites")
    (tmp_path / "train-task2-TC.labels").write_text(
        f"1\tLoaded_Language\t{start}\t{start + 7}\n"
        f"1\tName_Calling,Labeling\t{start}\t{start + 14}\n"
        f"1\tDoubt\t0\t4\n",
        encoding="utf-8",
    )
    corpus = load_ptc(tmp_path)
    assert [ln.text for ln in corpus.lines] == [
        "Headline here", "The corrupt elites lied again.", "Nothing else.",
    ]
    assert corpus.lines[1].start == text.index("The corrupt")
    assert word_gold(corpus, "Loaded_Language")[1].tolist() == [False, True, False, False, False]
    assert word_gold(corpus, "Name_Calling,Labeling")[1].tolist() == [
        False, True, True, False, False,
    ]


@pytest.mark.data
@pytest.mark.slow
def test_babe_eval_small(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_EMBED_CACHE", str(tmp_path))
    from framing.evaluation.babe import evaluate

    res = evaluate(shared_data / "babe", limit=120)
    assert res["n_sentences"] == 120
    for part in ("model", "lexicon"):
        assert 0.0 <= res[part]["sentence_macro_f1"] <= 1.0
        assert 0.0 <= res[part]["word"]["f1"] <= 1.0
    assert 0.0 <= res["model"]["sentence_ece"] <= 1.0


@pytest.mark.data
@pytest.mark.slow
def test_ptc_eval_small(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_EMBED_CACHE", str(tmp_path))
    from framing.evaluation.ptc import evaluate

    res = evaluate(shared_data / "ptc", limit=5)
    assert res["n_articles"] == 5
    for tech in ("Loaded_Language", "Name_Calling,Labeling"):
        for part in ("model", "lexicon"):
            assert 0.0 <= res[tech][part]["span"]["f1"] <= 1.0
            assert 0.0 <= res[tech][part]["token"]["f1"] <= 1.0
