"""Fine-tuning measurement on BABE: sub-word alignment, a tiny deterministic run, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.evaluation.babe import BabeSentence
from framing.nlp.bias_model import word_spans


def _sentence(text: str, biased_words: set[str], biased: bool) -> BabeSentence:
    words = tuple(word_spans(text))
    gold = tuple(text[s:e].lower() in biased_words for s, e in words)
    return BabeSentence(text, biased, words, gold, "test")


SENTS = [
    _sentence("The unconscionable regime crushed peaceful protesters.", {"unconscionable",
                                                                           "crushed"}, True),
    _sentence("The council met on Tuesday to discuss the budget.", set(), False),
    _sentence("Radical zealots hijacked the hearing again.", {"radical", "zealots",
                                                              "hijacked"}, True),
    _sentence("The report was published in March.", set(), False),
    _sentence("Shameful lies poured from the podium.", {"shameful", "lies"}, True),
    _sentence("Officials said the bridge will reopen next week.", set(), False),
]


def test_config_rejects_nonsense() -> None:
    from framing.evaluation.finetune import FinetuneConfig

    with pytest.raises(ValueError, match="top_layers"):
        FinetuneConfig(top_layers=0)
    with pytest.raises(ValueError, match="positive"):
        FinetuneConfig(epochs=0)


def test_finetune_is_refused_outside_babe(tmp_path: Path) -> None:
    from framing.evaluation import run_eval
    from framing.evaluation.finetune import FinetuneConfig

    with pytest.raises(NotImplementedError, match="only measured for babe and ptc"):
        run_eval("polnear", tmp_path, finetune=FinetuneConfig())
    with pytest.raises(NotImplementedError, match="--finetune only"):
        run_eval("babe", tmp_path, folds=[0])


def test_cli_reports_bad_folds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from framing.cli import main

    assert main(["eval", "babe", "--data", str(tmp_path), "--finetune", "--folds", "a,b"]) == 2
    assert "--folds 'a,b'" in capsys.readouterr().err


@pytest.mark.slow
def test_make_batch_aligns_subwords_to_words() -> None:
    from framing.nlp.encoder import load_tokenizer
    from framing.nlp.finetune import make_batch

    tok = load_tokenizer()
    batch = make_batch(tok, SENTS[:2], 128)
    ids = batch.inputs["input_ids"][0].tolist()
    owner = batch.owner[0].tolist()
    label = batch.word_label[0].tolist()
    pieces = tok.convert_ids_to_tokens(ids)
    assert owner[0] == -1 and label[0] == -1.0  # [CLS]
    words = [SENTS[0].text[s:e] for s, e in SENTS[0].words]
    # every word gets at least one token; a split word ("unconscionable") gets several
    for w in range(len(words)):
        assert w in owner, words[w]
    k = words.index("unconscionable")
    assert owner.count(k) > 1
    for t, w in enumerate(owner):
        if w >= 0:
            assert label[t] == float(SENTS[0].word_gold[w]), (pieces[t], words[w])
    # the shorter second sentence is padded: padding has no word
    pad = batch.inputs["attention_mask"][1].tolist().index(0)
    assert batch.owner[1, pad:].eq(-1).all()
    assert batch.sent_label.tolist() == [1.0, 0.0]


@pytest.mark.slow
def test_tiny_finetune_learns_and_repeats() -> None:
    from framing.nlp.finetune import FinetuneConfig, finetune, predict

    cfg = FinetuneConfig(top_layers=1, epochs=8, batch_size=3, learning_rate=5e-4)
    steps: list[tuple[int, int, float]] = []
    net = finetune(SENTS, cfg, progress=lambda s, n, loss: steps.append((s, n, loss)))
    assert steps[-1][0] == steps[-1][1] == 16
    p, words = predict(net, SENTS)
    assert p.shape == (len(SENTS),) and ((p >= 0) & (p <= 1)).all()
    assert [len(w) for w in words] == [len(s.words) for s in SENTS]
    y = np.array([s.biased for s in SENTS])
    # it fits its own training sentences: every biased one above every neutral one
    assert p[y].min() > p[~y].max()
    gold = np.concatenate([np.array(s.word_gold) for s in SENTS])
    flat = np.concatenate(words)
    assert flat[gold].mean() > flat[~gold].mean() + 0.2
    # fixed seeds repeat the run
    again, _ = predict(finetune(SENTS, cfg), SENTS)
    assert np.allclose(p, again, atol=1e-6)


@pytest.mark.slow
def test_only_the_top_layers_train() -> None:
    from framing.nlp.finetune import _net

    net = _net(None, 2)
    trainable = {n.split(".")[2] for n, p in net.encoder.named_parameters()
                 if p.requires_grad and n.startswith("encoder.layer.")}
    assert trainable == {"4", "5"}
    assert not any(p.requires_grad for p in net.encoder.embeddings.parameters())
    with pytest.raises(ValueError, match="has 6 layers"):
        _net(None, 7)


@pytest.mark.slow
@pytest.mark.data
def test_finetune_eval_small(shared_data: Path) -> None:
    from framing.evaluation import run_eval
    from framing.evaluation.finetune import FinetuneConfig

    lines: list[str] = []
    cfg = FinetuneConfig(top_layers=1, epochs=1, batch_size=8)
    res = run_eval("babe", shared_data / "babe", limit=40, finetune=cfg, folds=[1],
                   progress=lines.append)
    assert res["folds"] == [1] and res["config"]["top_layers"] == 1
    fold = res["per_fold"][0]
    assert fold["n_test"] == res["n_sentences"] == 8 and fold["n_train"] == 32
    assert 0.0 <= res["model"]["sentence_macro_f1"] <= 1.0
    assert res["n_words"] > 8 and 0.0 <= res["model"]["word"]["f1"] <= 1.0
    assert lines and lines[-1].startswith("fold 1: step 4/4")
    with pytest.raises(ValueError, match="out of range"):
        run_eval("babe", shared_data / "babe", limit=40, finetune=cfg, folds=[5])


def test_spans_at_joins_word_runs_into_article_spans() -> None:
    from framing.evaluation.finetune import _spans_at
    from framing.evaluation.ptc import PtcLine

    text = "Evil thugs burned the quiet town"
    line = PtcLine("7", 100, text, tuple(word_spans(text)))
    probs = np.array([0.9, 0.7, 0.2, 0.1, 0.8, 0.3])
    pred, scored = _spans_at([line], [probs], 0.5)
    assert pred == {"7": [(100, 110), (122, 127)]}
    assert [(s, e, round(sc, 2)) for _, s, e, sc in scored] == [(100, 110, 0.9), (122, 127, 0.8)]


@pytest.mark.slow
@pytest.mark.data
def test_finetune_ptc_small(shared_data: Path) -> None:
    from framing.evaluation import run_eval
    from framing.evaluation.finetune import PTC_CUTS, FinetuneConfig, evaluate_finetune_ptc

    cfg = FinetuneConfig(top_layers=1, epochs=1, batch_size=16)
    res = run_eval("ptc", shared_data / "ptc", limit=10, finetune=cfg, folds=[0])
    fold = res["per_fold"][0]
    assert res["technique"] == "Loaded_Language" and res["n_articles"] == 2
    assert fold["cut"] in PTC_CUTS and set(fold["validation_span_f1"]) == {str(c) for c in PTC_CUTS}
    assert 0.0 <= res["model"]["span"]["f1"] <= 1.0 and res["model"]["span"]["n_gold"] > 0
    assert res["config"]["neg_keep"] == 0.3
    with pytest.raises(ValueError, match="unknown PTC technique"):
        evaluate_finetune_ptc(shared_data / "ptc", cfg, limit=10, technique="Doubt")
