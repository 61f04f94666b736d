"""The shipped loaded-language recipe: joint training texts, pooled figures, merging fold runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from framing.evaluation.babe import BabeSentence
from framing.evaluation.ptc import PtcCorpus, PtcLine
from framing.nlp.bias_model import word_spans


def _babe(text: str, marked: set[str], biased: bool) -> BabeSentence:
    words = tuple(word_spans(text))
    return BabeSentence(text, biased, words, tuple(text[s:e] in marked for s, e in words), "x")


BABE = [_babe("Radical zealots hijacked it.", {"Radical", "zealots"}, True),
        _babe("The council met.", set(), False)]

TEXT_A = "Evil thugs burned the town.\nThe mayor spoke.\nRain fell.\n"
TEXT_B = "Nothing happened.\nCowards fled.\n"


def _corpus() -> PtcCorpus:
    lines = []
    for aid, text in (("1", TEXT_A), ("2", TEXT_B)):
        pos = 0
        for raw in text.split("\n"):
            if raw:
                lines.append(PtcLine(aid, pos, raw, tuple(word_spans(raw))))
            pos += len(raw) + 1
    gold = {"Loaded_Language": {"1": [(0, 4)]},
            "Name_Calling,Labeling": {"1": [(5, 10)], "2": [(18, 25)]}}
    return PtcCorpus({"1": TEXT_A, "2": TEXT_B}, gold, lines)


def test_joint_examples_label_each_head_where_its_data_speak() -> None:
    from framing.evaluation.joint import _ptc_gold, joint_examples

    ptc = _corpus()
    ex = joint_examples(BABE, ptc, _ptc_gold(ptc), [0, 1], {"1", "2"}, seed=0, neg_keep=0.0)
    texts = [x.text for x in ex]
    # BABE first; then only PTC lines with a technique when no negatives are kept
    assert texts == [BABE[0].text, BABE[1].text, "Evil thugs burned the town.", "Cowards fled."]
    first = ex[0]
    assert first.sent_label == 1.0
    assert first.word_labels == ((1.0, 1.0, 0.0, 0.0), (-1.0,) * 4, (-1.0,) * 4)
    evil = ex[2]
    assert evil.sent_label == -1.0
    assert evil.word_labels == ((-1.0,) * 5, (1.0, 0.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0, 0.0))
    assert ex[3].word_labels[2] == (1.0, 0.0)
    every = joint_examples(BABE, ptc, _ptc_gold(ptc), [1], {"2"}, seed=0, neg_keep=1.0)
    assert [x.text for x in every] == [BABE[1].text, "Nothing happened.", "Cowards fled."]


def _fold(k: int, sent_p: list[float], sent_y: list[int], pred: dict[str, Any]) -> dict[str, Any]:
    return {"fold": k, "seconds": 1.0, "raw": {
        "cuts": {"sentence": 0.5, "babe_word": 0.5, "ptc_loaded": 0.3, "labelling": 0.3},
        "validation": {},
        "babe_index": [k],
        "sentence_p": sent_p, "sentence_y": sent_y,
        "word_p": [0.9, 0.2], "word_y": [1, 1],
        "ptc_articles": [str(k + 1)],
        "ptc": {
            "Loaded_Language": {"pred": pred, "scored": [[a, s, e, 0.8] for a, v in pred.items()
                                                          for s, e in v],
                                "token_counts": [1, 1, 0], "span_f1": 0.0},
            "Name_Calling,Labeling": {"pred": {}, "scored": [], "token_counts": [0, 0, 2],
                                      "span_f1": 0.0},
        },
    }}


def test_summary_pools_held_out_folds_exactly() -> None:
    from framing.evaluation.joint import summarize_joint

    folds = [_fold(0, [0.9, 0.1], [1, 0], {"1": [[0, 2]]}), _fold(1, [0.7], [0], {"2": [[0, 7]]})]
    res = summarize_joint(folds, _corpus(), pairs={})
    b = res["babe"]
    assert b["n_sentences"] == 3 and b["n_words"] == 4
    # predictions 1, 0, 1 against 1, 0, 0: macro-F1 = (2/3 + 2/3) / 2
    assert b["sentence_macro_f1"] == pytest.approx(2 / 3)
    assert b["sentence_accuracy"] == pytest.approx(2 / 3)
    assert b["word"]["precision"] == 1.0 and b["word"]["recall"] == 0.5
    ll = res["ptc"]["Loaded_Language"]
    # article 1: "Ev" inside gold "Evil" -> precision 1, recall 2/4; article 2 has no gold
    assert ll["span"]["n_pred"] == 2 and ll["span"]["n_gold"] == 1
    assert ll["span"]["precision"] == pytest.approx(0.5)
    assert ll["span"]["recall"] == pytest.approx(0.5)
    assert ll["token"]["precision"] == pytest.approx(0.5) and ll["token"]["recall"] == 1.0
    # scores 0.8: one hit, one miss -> |0.8 - 0.5|
    assert ll["span_score_ece"] == pytest.approx(0.3)
    assert res["ptc"]["Name_Calling,Labeling"]["token"]["recall"] == 0.0
    assert res["ptc"]["n_articles"] == 2
    assert ll["span_runs"] == ll["span"]  # no modifier-noun pairs: nothing widens


def test_summary_scores_spans_widened_to_their_phrase() -> None:
    from framing.evaluation.joint import summarize_joint

    folds = [_fold(0, [0.9], [1], {"1": [[0, 2]]}), _fold(1, [0.1], [0], {"2": [[18, 20]]})]
    # "Evil" modifies "thugs" (article 1); "Cowards" has no pair
    res = summarize_joint(folds, _corpus(), pairs={"1": [(0, 4, 5, 10)]})
    ll = res["ptc"]["Loaded_Language"]
    # widened "Evil thugs" (0, 10) against gold "Evil" (0, 4): precision 4/10 (+0 for the miss)
    assert ll["span"]["precision"] == pytest.approx(0.4 / 2)
    assert ll["span"]["recall"] == pytest.approx(1.0)
    # the runs as they are: "Ev" inside "Evil" -> precision 1 (+0), recall 2/4
    assert ll["span_runs"]["precision"] == pytest.approx(0.5)
    assert ll["span_runs"]["recall"] == pytest.approx(0.5)
    assert ll["span_f1_per_fold"][0] == pytest.approx(2 * 0.4 * 1.0 / 1.4)


def test_merge_refuses_overlapping_or_mismatched_runs(tmp_path: Path) -> None:
    from framing.evaluation.joint import merge_joint

    a = {"config": {"epochs": 2.0}, "limit": None, "encoder": "m", "per_fold": [{"fold": 0}]}
    with pytest.raises(ValueError, match="appears twice"):
        merge_joint(tmp_path, [a, a])
    b = {**a, "config": {"epochs": 3.0}, "per_fold": [{"fold": 1}]}
    with pytest.raises(ValueError, match="different settings"):
        merge_joint(tmp_path, [a, b])
    with pytest.raises(ValueError, match="nothing"):
        merge_joint(tmp_path, [])


def test_cli_merge_only_for_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from framing.cli import main

    f = tmp_path / "r.json"
    f.write_text(json.dumps({"per_fold": []}))
    assert main(["eval", "babe", "--data", str(tmp_path), "--merge", str(f)]) == 2
    assert "--merge applies to `framing eval loaded`" in capsys.readouterr().err
    assert main(["train", "attribution", "--data", str(tmp_path), "--finetune"]) == 2
    assert "--finetune applies" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.data
def test_recipe_small_runs_and_merges(shared_data: Path, tmp_path: Path) -> None:
    """Tiny runs on the shared data: two fold runs pool to what one run of both folds gives."""
    from framing.evaluation import run_eval
    from framing.evaluation.finetune import FinetuneConfig
    from framing.evaluation.joint import merge_joint, train_joint
    from framing.nlp.tuned import TUNED_HEADS, load_tuned

    cfg = FinetuneConfig(top_layers=1, epochs=1, batch_size=16)
    lines: list[str] = []
    both = run_eval("loaded", shared_data, limit=16, finetune=cfg, folds=[0, 1],
                    progress=lines.append)
    assert both["folds"] == [0, 1] and both["babe"]["n_sentences"] == 7
    assert 0.0 <= both["babe"]["sentence_macro_f1"] <= 1.0
    assert both["ptc"]["Loaded_Language"]["span"]["n_gold"] > 0
    assert any(line.startswith("fold 1 done") for line in lines)
    for row in both["per_fold"]:
        assert set(row["raw"]["cuts"]) == set(TUNED_HEADS)
    one = run_eval("loaded", shared_data, limit=16, finetune=cfg, folds=[1])
    zero = {**both, "per_fold": both["per_fold"][:1]}
    merged = merge_joint(shared_data, [one, zero])
    assert merged["folds"] == [0, 1]
    for part in ("babe", "ptc"):  # (JSON: a NaN ECE where no span was predicted compares equal)
        assert json.dumps(merged[part], sort_keys=True) == json.dumps(both[part], sort_keys=True)

    out = tmp_path / "model"
    assert train_joint(shared_data, out, cfg, limit=16, metrics=merged) == out
    model = load_tuned(out)
    assert set(model.cuts) == set(TUNED_HEADS) and model.spec["data"]["ptc_articles"] == 16
    card = (out / "README.md").read_text()
    assert f"| BABE sentence macro-F1 | {merged['babe']['sentence_macro_f1']:.3f} |" in card
    assert "raw" not in json.dumps(model.spec["metrics"])
    # figures recorded afterwards (`--card-only`) leave the weights alone
    from framing.evaluation import run_train

    run_train("loaded", shared_data, str(out), None, finetune=True, card_only=True,
              metrics={**merged, "babe": {**merged["babe"], "sentence_macro_f1": 0.123}})
    assert "| BABE sentence macro-F1 | 0.123 |" in (out / "README.md").read_text()
    assert load_tuned(out).spec["npz_sha256"] == model.spec["npz_sha256"]
    assert np.isfinite(model.head_w).all()
