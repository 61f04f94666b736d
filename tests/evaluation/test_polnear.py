"""PolNeAR reader and scorer on a hand-written brat fixture; the real split only when present."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.evaluation.polnear import (
    GoldRelation,
    _Scores,
    load_split,
    read_ann,
    resolve_root,
    score_doc,
    summarize,
)

TEXT = "The mayor said the bridge is safe. Critics disagree, one engineer wrote.\n"
#       0         1         2         3         4         5         6         7
#       0123456789012345678901234567890123456789012345678901234567890123456789012
ANN = (
    "T1\tSource 0 9\tThe mayor\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 33\tthe bridge is safe\n"
    "T4\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    "T5\tContent 35 42;43 51\tCritics disagree\n"
    "T6\tSource 53 65\tone engineer\n"
    "T7\tCue 66 71\twrote\n"
    "T8\tAttribution 66 71\twrote\n"
    "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6\n"
    "T9\tDiscard 0 3\tThe\n"
    "#1\tAnnotatorNotes T1\ta note\n"
)


def test_read_ann() -> None:
    rels = read_ann(ANN)
    assert rels == (
        GoldRelation(cue=((10, 14),), content=((15, 33),), source=((0, 9),)),
        GoldRelation(cue=((66, 71),), content=((35, 42), (43, 51)), source=((53, 65),)),
    )


def test_read_ann_without_source() -> None:
    rels = read_ann("T1\tCue 4 8\tsaid\nT2\tContent 9 12\tyes\nE1\tAttribution-no-source:T1 Cue:T1 Content:T2\n")
    assert rels == (GoldRelation(cue=((4, 8),), content=((9, 12),), source=()),)


def _score(pred: list[GoldRelation]) -> dict:  # type: ignore[type-arg]
    scores = _Scores()
    sents = [(0, 34), (35, 72)]
    score_doc(TEXT, read_ann(ANN), pred, sents, scores)
    return summarize(scores)


def test_perfect_prediction() -> None:
    res = _score(list(read_ann(ANN)))
    for role in ("cue", "source", "content"):
        assert res[role]["exact"]["f1"] == 1.0
        assert res[role]["overlap"]["f1"] == 1.0
    assert res["sentence"]["f1"] == 1.0


def test_exact_ignores_edge_punctuation_but_overlap_is_looser() -> None:
    pred = [
        # cue right, source without its article: overlap only; content with the period: exact
        GoldRelation(cue=((10, 14),), content=((15, 34),), source=((4, 9),)),
        # a cue nobody annotated: a false positive, with an empty source
        GoldRelation(cue=((40, 48),), content=((35, 39),), source=()),
    ]
    res = _score(pred)
    assert res["cue"]["exact"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    # 'Critics' content prediction shares a token with the gold content of relation 2
    assert res["content"]["overlap"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert res["content"]["exact"]["precision"] == 0.5
    assert res["source"]["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert res["source"]["overlap"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert res["source"]["n_pred"] == 1 and res["source"]["n_gold"] == 2
    assert res["sentence"]["f1"] == 1.0


def test_empty_prediction() -> None:
    res = _score([])
    assert res["cue"]["overlap"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert res["sentence"]["recall"] == 0.0 and res["sentence"]["n_gold_positive"] == 2


def test_load_split_first_annotator(tmp_path: Path) -> None:
    root = tmp_path / "polnear" / "data" / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "outlet_2016-01-01_a.txt").write_text(TEXT, encoding="utf-8")
    (root / "attributions" / "outlet_2016-01-01_a_bbbb.ann").write_text("", encoding="utf-8")
    (root / "attributions" / "outlet_2016-01-01_a_aaaa.ann").write_text(ANN, encoding="utf-8")
    assert resolve_root(tmp_path) == tmp_path / "polnear" / "data"
    docs = load_split(tmp_path / "polnear", "dev")
    assert [(d.id, d.annotator, len(d.relations)) for d in docs] == [
        ("outlet_2016-01-01_a", "aaaa", 2)
    ]
    with pytest.raises(FileNotFoundError):
        load_split(tmp_path, "test")


@pytest.mark.data
@pytest.mark.slow
def test_polnear_dev_subset(shared_data: Path) -> None:
    from framing.evaluation import run_eval

    res = run_eval("polnear", shared_data / "polnear", split="dev", limit=3)
    assert res["n_articles"] == 3
    for role in ("cue", "source", "content"):
        assert 0.0 <= res[role]["overlap"]["f1"] <= 1.0
        assert res[role]["n_gold"] > 0
