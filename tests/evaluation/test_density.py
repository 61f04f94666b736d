"""``framing eval density``: densities, Spearman with bootstrap, reliability and cut choice on
hand-made numbers, the MBIC loader on a hand-written file, and a quick run on the shared research
data (skipped when it is absent)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from framing.evaluation.babe import load_babe
from framing.evaluation.density import (
    lowest_cut_for_precision,
    reliability_table,
    spearman,
    spearman_bootstrap,
    unit_density,
    word_prf,
)
from framing.evaluation.training import expected_calibration_error


def test_unit_density_per_100_words() -> None:
    unit = np.array(["a", "a", "a", "a", "b", "b"], dtype=object)
    gold = np.array([1, 0, 0, 1, 0, 0])
    probs = np.array([0.5, 0.25, 0.25, 0.0, 0.1, 0.3])
    assert unit_density(gold, unit, ["a", "b", "c"])[:2].tolist() == [50.0, 0.0]
    assert math.isnan(unit_density(gold, unit, ["c"])[0])  # no words: undefined
    got = unit_density(probs, unit, ["b", "a"])  # expected count, in the units' order
    assert got == pytest.approx([20.0, 25.0])
    assert math.isnan(unit_density(np.zeros(0), np.zeros(0), ["a"])[0])


def test_spearman_ranks_and_ties() -> None:
    assert spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 30, 45])) == pytest.approx(1.0)
    assert spearman(np.array([1, 2, 3, 4]), np.array([4, 3, 2, 1])) == pytest.approx(-1.0)
    # ties take average ranks: x ranks 1, 2.5, 2.5, 4 against 1..4
    want = np.corrcoef([1, 2.5, 2.5, 4], [1, 2, 3, 4])[0, 1]
    assert spearman(np.array([1, 5, 5, 9]), np.array([1, 2, 3, 4])) == pytest.approx(want)
    assert math.isnan(spearman(np.array([1, 1, 1]), np.array([1, 2, 3])))
    assert math.isnan(spearman(np.array([1.0]), np.array([2.0])))


def test_spearman_bootstrap_seeded_interval() -> None:
    x = np.arange(12, dtype=float)
    y = x + np.array([0, 2, -1, 3, 0, -2, 1, 0, 2, -1, 0, 1], dtype=float)
    a = spearman_bootstrap(x, y, n_boot=300, seed=7)
    b = spearman_bootstrap(x, y, n_boot=300, seed=7)
    assert a == b  # seeded: the same interval every run
    assert a["n"] == 12 and a["rho"] == pytest.approx(spearman(x, y))
    lo, hi = a["ci95"]
    assert -1.0 <= lo <= a["rho"] <= hi <= 1.0
    # a perfect monotone relation: every defined resample gives 1
    perfect = spearman_bootstrap(x, 2 * x + 1, n_boot=200, seed=1)
    assert perfect["ci95"] == pytest.approx([1.0, 1.0])
    # NaN units (no words) are left out before resampling
    with_nan = spearman_bootstrap(np.array([1.0, 2.0, np.nan, 3.0]),
                                  np.array([2.0, 4.0, 5.0, 6.0]), n_boot=50)
    assert with_nan["n"] == 3 and with_nan["rho"] == pytest.approx(1.0)


def test_reliability_table_matches_ece() -> None:
    p = np.array([0.05, 0.05, 0.15, 0.55, 0.95, 0.95, 1.0])
    y = np.array([0, 0, 1, 1, 1, 1, 0])
    rows = reliability_table(p, y)
    assert len(rows) == 10 and sum(r["count"] for r in rows) == len(p)
    assert rows[0] == {"bin": [0.0, 0.1], "mean_predicted": pytest.approx(0.05),
                       "observed_rate": 0.0, "count": 2}
    assert rows[1]["observed_rate"] == 1.0
    assert rows[3]["count"] == 0 and rows[3]["mean_predicted"] is None
    assert rows[9]["count"] == 3 and rows[9]["observed_rate"] == pytest.approx(2 / 3)
    ece = sum(r["count"] / len(p) * abs(r["mean_predicted"] - r["observed_rate"])
              for r in rows if r["count"])
    assert ece == pytest.approx(expected_calibration_error(p, y))


def test_lowest_cut_for_precision() -> None:
    p = np.array([0.9, 0.8, 0.6, 0.4, 0.3, 0.2])
    y = np.array([1, 0, 1, 0, 0, 0])
    grid = (0.1, 0.3, 0.5, 0.7, 0.85, 0.95)
    # precision at 0.1: 2/6, 0.3: 2/5, 0.5: 2/3 -> the lowest cut reaching 0.5 is 0.5
    assert lowest_cut_for_precision(p, y, 0.5, grid) == (0.5, True)
    assert lowest_cut_for_precision(p, y, 0.6, grid) == (0.5, True)
    # 0.7 marks 0.9 and 0.8 (1/2), 0.85 marks only 0.9 (1/1)
    assert lowest_cut_for_precision(p, y, 0.9, grid) == (0.85, True)
    # never reached: the most precise cut, flagged; 0.95 marks nothing and is skipped
    y_bad = np.array([0, 0, 1, 0, 0, 0])
    assert lowest_cut_for_precision(p, y_bad, 0.5, grid) == (0.5, False)


def test_word_prf_with_per_word_cuts() -> None:
    p = np.array([0.9, 0.6, 0.4, 0.2])
    y = np.array([1, 0, 1, 0])
    assert word_prf(p, y, 0.5) == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    got = word_prf(p, y, np.array([0.5, 0.7, 0.3, 0.3]))  # cuts per word (per fold)
    assert got == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0})


def test_load_babe_mbic_file_and_news_link(tmp_path: Path) -> None:
    (tmp_path / "final_labels_MBIC.csv").write_text(
        "text;news_link;outlet;topic;type;group_id;num_sent;label_bias;label_opinion;"
        "biased_words\n"
        "The mayor gave a rambling speech.;https://a.example/1;outlet-a;t;left;1;1;Biased;o;"
        "['rambling']\n"
        "Nobody could agree on this one.;https://a.example/1;outlet-a;t;left;1;1;"
        "No agreement;o;[]\n",
        encoding="utf-8",
    )
    sents = load_babe(tmp_path, filename="final_labels_MBIC.csv")
    assert len(sents) == 1
    assert sents[0].news_link == "https://a.example/1" and sents[0].outlet == "outlet-a"
    assert sents[0].word_gold == (False, False, False, False, True, False)


@pytest.mark.data
@pytest.mark.slow
def test_density_eval_small(shared_data: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_EMBED_CACHE", str(tmp_path))
    from framing.evaluation.density import evaluate_density

    res = evaluate_density(shared_data / "babe", limit=150, n_boot=50)
    assert res["n_sentences"] == 150 and res["in_sample"] is False
    outlet = res["babe"]["per_outlet"]
    for kind in ("expected", "thresholded_0.5", "thresholded_precision_cut"):
        assert outlet[kind]["n"] == res["n_outlets"]
    assert 0.0 <= res["calibration"]["word_ece"] <= 1.0
    assert sum(r["count"] for r in res["calibration"]["reliability"]) == res["n_words"]
    assert len(res["calibration"]["precision_cut"]["cuts_per_fold"]) == 5
    assert 0 < res["mbic"]["n_sentences_found_in_sg2"] <= 150
    tuned = res["shipped_tuned_in_sample"]
    assert tuned["in_sample"] is True
