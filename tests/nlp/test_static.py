"""Fast mode: the static model distilled from MiniLM, its heads, ``--fast`` and run metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from framing.models import Article
from framing.settings import Settings

if TYPE_CHECKING:
    from framing.nlp.bias_model import Heads

LOADED = "The corrupt regime's vicious thugs brutally butchered defenceless villagers."
NEUTRAL = "The committee met on Tuesday and published its annual report."

ARTICLE = Article(
    id="s1",
    outlet="Test Outlet",
    text=(
        "The ruthless militia launched a savage assault on the market town. "
        '"They are cowardly butchers," said Mariam Stanek, a shopkeeper. '
        "The council will meet on Friday to discuss the repairs."
    ),
)


def _static() -> Heads | None:
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        return None
    from framing.nlp.static import shipped_static

    return shipped_static()


@pytest.mark.slow
def test_static_model_loads_from_the_package() -> None:
    from framing.nlp.static import (
        EMBEDDINGS,
        PCA_DIMS,
        STATIC_NAME,
        STATIC_VERSION,
        load_static_encoder,
        shipped_static_dir,
    )

    heads = _static()
    if heads is None:
        pytest.skip("the static model or the tokenizers package is not installed")
    folder = shipped_static_dir()
    assert heads.version == STATIC_VERSION
    assert heads.encoder == STATIC_NAME
    enc = load_static_encoder(str(folder))
    assert enc.dim == PCA_DIMS and enc.vectors.shape[0] > 25_000
    assert heads.spec["static_sha256"] == enc.sha256
    assert heads.spec["distillation"]["pca_dims"] == PCA_DIMS
    # small enough to ship: every file of the model under 6 MB together
    total = sum(f.stat().st_size for f in folder.iterdir() if f.suffix in (".npz", ".json"))
    assert total < 6_000_000
    assert (folder / EMBEDDINGS).is_file() and (folder / "README.md").is_file()


@pytest.mark.slow
def test_static_vectors_pool_pieces_per_word_and_sentence() -> None:
    if _static() is None:
        pytest.skip("the static model is not installed")
    from framing.nlp.bias_model import word_spans
    from framing.nlp.static import STATIC_NAME, encode_static, load_static_encoder, static_folder

    texts = ["Unbelievably reckless decisions", "", "\u2603"]
    words = [word_spans(t) for t in texts]
    sent, wv = encode_static(texts, words, STATIC_NAME)
    assert sent.shape == (3, 128) and [w.shape[0] for w in wv] == [3, 0, 0]
    assert np.isclose(np.linalg.norm(sent[0]), 1.0, atol=1e-5)
    assert not sent[1].any()  # no pieces: a zero vector, never NaN
    enc = load_static_encoder(str(static_folder(STATIC_NAME)))
    pieces = enc.tokenizer.encode(texts[0], add_special_tokens=False)
    first = [k for k, (s, e) in enumerate(pieces.offsets) if s < len("Unbelievably")]
    want = enc.vectors[[pieces.ids[k] for k in first]].mean(0)
    assert np.allclose(wv[0][0], want, atol=1e-6)


@pytest.mark.slow
def test_static_model_scores_loaded_above_neutral() -> None:
    heads = _static()
    if heads is None:
        pytest.skip("the static model is not installed")
    from framing.nlp.bias_model import score_sentences
    from framing.nlp.static import STATIC_NAME

    loaded, neutral = score_sentences([LOADED, NEUTRAL], heads, STATIC_NAME)
    assert loaded.bias_probability > neutral.bias_probability
    assert max(loaded.word_scores) > max(neutral.word_scores)
    assert loaded.spans and not neutral.spans
    again = score_sentences([LOADED, NEUTRAL], heads, STATIC_NAME)
    assert again == [loaded, neutral]


def test_fast_flag_selects_the_static_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.cli import _settings, build_parser

    monkeypatch.delenv("FRAMING_LOADED_MODEL", raising=False)
    for cmd in (["analyze", "x.jsonl", "--out", "o"], ["demo"]):
        assert _settings(build_parser().parse_args(cmd)).loaded_model == "tuned"
        assert _settings(build_parser().parse_args([*cmd, "--fast"])).loaded_model == "static"
        args = build_parser().parse_args([*cmd, "--loaded-model", "static"])
        assert _settings(args).loaded_model == "static"
    args = build_parser().parse_args(["eval", "challenge", "--set", "dev.jsonl", "--fast"])
    assert args.fast


def test_fast_mode_groups_with_int8_minilm_unless_a_backend_is_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--fast also takes MiniLM's int8 weights for the similarity vectors (events, claims,
    labels); an explicit backend (option, config or environment) wins, and without ONNX Runtime
    it stays "auto". The backend is part of the settings, so of run.json and the cache keys."""
    import importlib.util

    from framing.cli import _settings, build_parser
    from framing.settings import FAST_ENCODER_BACKEND, Settings, fast_mode

    monkeypatch.delenv("FRAMING_ENCODER_BACKEND", raising=False)
    base = ["analyze", "x.jsonl", "--out", "o"]
    assert _settings(build_parser().parse_args(base)).encoder_backend == "auto"
    fast = _settings(build_parser().parse_args([*base, "--fast"]))
    has_ort = importlib.util.find_spec("onnxruntime") is not None
    assert fast.encoder_backend == (FAST_ENCODER_BACKEND if has_ort else "auto")
    assert fast.loaded_model == "static" and fast.hash() != Settings(loaded_model="static").hash()
    chosen = _settings(build_parser().parse_args([*base, "--fast", "--encoder-backend", "onnx"]))
    assert chosen.encoder_backend == "onnx" and chosen.loaded_model == "static"
    monkeypatch.setenv("FRAMING_ENCODER_BACKEND", "torch")
    assert _settings(build_parser().parse_args([*base, "--fast"])).encoder_backend == "torch"
    # --loaded-model static alone keeps the backend; the dashboard's fast model goes through
    # fast_mode as --fast does
    monkeypatch.delenv("FRAMING_ENCODER_BACKEND")
    args = build_parser().parse_args([*base, "--loaded-model", "static"])
    assert _settings(args).encoder_backend == "auto"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert fast_mode(Settings()).encoder_backend == "auto"


@pytest.mark.slow
def test_fast_mode_changes_the_analysis_cache_key() -> None:
    if _static() is None:
        pytest.skip("the static model is not installed")
    from framing.nlp.loaded import model_info
    from framing.nlp.static import STATIC_VERSION
    from framing.store import analysis_settings_hash

    fast = Settings(loaded_model="static")
    info = model_info(fast)
    assert info["bias_model"] == STATIC_VERSION
    assert info["loaded_language"] == f"lexicon-v1 + {STATIC_VERSION}"
    assert info["encoder_backend"] == "numpy (static embeddings)"
    assert "static.npz sha256" in info["loaded_encoder"]
    hashes = {analysis_settings_hash(s) for s in
              (Settings(), Settings(loaded_model="heads"), fast)}
    assert len(hashes) == 3
    # the static model carries its own vectors: another --model does not switch it off
    assert model_info(fast.updated(encoder="/elsewhere"))["bias_model"] == STATIC_VERSION


@pytest.mark.slow
def test_fast_analysis_and_run_metadata_name_the_static_model() -> None:
    if _static() is None:
        pytest.skip("the static model is not installed")
    from framing.api import run_metadata
    from framing.nlp.pipeline import analyze_articles
    from framing.nlp.static import STATIC_VERSION

    settings = Settings(loaded_model="static")
    (first,) = analyze_articles([ARTICLE], settings)
    (second,) = analyze_articles([ARTICLE], settings)
    assert first == second
    assert all(s.bias_probability is not None and 0.0 <= s.bias_probability <= 1.0
               for s in first.sentences)
    assault, quote, council = first.sentences
    assert assault.bias_probability is not None and council.bias_probability is not None
    assert assault.bias_probability > council.bias_probability
    assert assault.loaded and not council.loaded
    for ls in quote.loaded:
        inside = ls.span.end <= ARTICLE.text.index('," said')
        assert ls.speaker == ("Mariam Stanek" if inside else "author")
    run = run_metadata(settings)
    assert run.models["bias_model"] == STATIC_VERSION
    assert STATIC_VERSION in run.models["loaded_language"]
    assert run.settings["loaded_model"] == "static"


def test_report_methods_name_the_fast_model() -> None:
    from framing.models import RunMetadata
    from framing.report.html import loaded_method

    run = RunMetadata(
        package_version="0", pipeline_version="0",
        models={"loaded_language": "lexicon-v1 + loaded-static-1"},
        settings={"loaded_min_probability": 0.3}, settings_hash="x", seed=42,
    )
    _, text = loaded_method(run)
    assert "loaded-static-1" in text and "static" in text and "Lexicon only" not in text
