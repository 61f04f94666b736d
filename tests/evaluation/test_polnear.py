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


def _two_annotators(tmp_path: Path) -> Path:
    root = tmp_path / "polnear" / "data" / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "outlet_2016-01-01_a.txt").write_text(TEXT, encoding="utf-8")
    (root / "text" / "outlet_2016-01-01_b.txt").write_text(TEXT, encoding="utf-8")
    # annotator bbbb found only the mayor's relation
    only_first = "".join(line + "\n" for line in ANN.splitlines() if line[:2] in ("T1", "T2", "T3", "T4", "E1"))
    (root / "attributions" / "outlet_2016-01-01_a_aaaa.ann").write_text(ANN, encoding="utf-8")
    (root / "attributions" / "outlet_2016-01-01_a_bbbb.ann").write_text(only_first, encoding="utf-8")
    # article b has one annotator only: not part of the agreement set
    (root / "attributions" / "outlet_2016-01-01_b_aaaa.ann").write_text(ANN, encoding="utf-8")
    return tmp_path / "polnear"


def test_multi_annotated_keeps_every_annotator(tmp_path: Path) -> None:
    from framing.evaluation.polnear import multi_annotated

    docs = multi_annotated(_two_annotators(tmp_path), splits=("dev",))
    assert [(d.split, d.id) for d in docs] == [("dev", "outlet_2016-01-01_a")]
    assert [(who, len(rels)) for who, rels in docs[0].annotations] == [("aaaa", 2), ("bbbb", 1)]


@pytest.mark.slow
def test_agreement_pools_ordered_annotator_pairs(tmp_path: Path) -> None:
    from framing.evaluation.polnear import agreement

    res = agreement(_two_annotators(tmp_path), splits=("dev",))
    human = res["all"]["annotators"]
    assert res["all"]["n_articles"] == 1 and res["all"]["n_annotator_files"] == 2
    # aaaa as gold: 1 of 2 cues found; bbbb as gold: 1 of 2 predicted cues right -> 2/3 both ways
    assert human["cue"]["overlap"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert human["cue"]["n_gold"] == 3 and human["cue"]["n_pred"] == 3
    assert human["source"]["exact"]["f1"] == 0.6667
    # the system is scored against both files of the article
    assert res["all"]["system"]["cue"]["n_gold"] == 3
    assert res["dev"] == res["all"]


@pytest.mark.data
@pytest.mark.slow
def test_polnear_agreement_on_the_corpus(shared_data: Path) -> None:
    from framing.evaluation import run_eval

    res = run_eval("polnear", shared_data / "polnear", agreement=True)
    assert res["all"]["n_articles"] >= 2
    for who in ("annotators", "system"):
        for role in ("cue", "source", "content"):
            assert 0.0 < res["all"][who][role]["overlap"]["f1"] <= 1.0
    with pytest.raises(NotImplementedError):
        run_eval("babe", shared_data / "babe", agreement=True)
