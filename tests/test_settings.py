"""Settings: one typed object from defaults, file, environment and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.settings import Settings, load_settings


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "f.toml"
    cfg.write_text("seed = 3\nbatch_size = 8\n")
    monkeypatch.setenv("FRAMING_BATCH_SIZE", "16")
    monkeypatch.setenv("FRAMING_USE_MODEL", "false")
    s = load_settings(cfg, seed=9)
    assert (s.seed, s.batch_size, s.use_model) == (9, 16, False)


def test_unknown_keys_rejected(tmp_path: Path) -> None:
    cfg = tmp_path / "f.toml"
    cfg.write_text("sed = 3\n")
    with pytest.raises(ValueError, match="unknown settings"):
        load_settings(cfg)
    with pytest.raises(ValueError, match="unknown settings"):
        load_settings(None, colour="red")


def test_hash_stable_and_sensitive() -> None:
    assert Settings().hash() == Settings().hash()
    assert Settings().hash() != Settings(seed=1).hash()


def test_cli_loaded_model_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from framing.cli import _settings, build_parser

    monkeypatch.delenv("FRAMING_LOADED_MODEL", raising=False)
    args = build_parser().parse_args(["analyze", "x.jsonl", "--out", "o"])
    assert _settings(args).loaded_model == "tuned"
    args = build_parser().parse_args(["analyze", "x.jsonl", "--out", "o", "--loaded-model", "heads"])
    assert _settings(args).loaded_model == "heads"
    monkeypatch.setenv("FRAMING_LOADED_MODEL", "heads")
    assert load_settings().loaded_model == "heads"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["analyze", "x.jsonl", "--out", "o", "--loaded-model", "bert"])


def test_cache_dir_defaults_to_the_environment_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRAMING_CACHE_DIR", raising=False)
    assert Settings().cache_dir == Path.home() / ".cache" / "framing"
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "env"))
    assert Settings().cache_dir == tmp_path / "env"
    assert load_settings().cache_dir == tmp_path / "env"
    cfg = tmp_path / "f.toml"
    cfg.write_text(f'cache_dir = "{tmp_path / "toml"}"\n')
    # the environment overrides the file, as for every setting; a string becomes a Path
    assert load_settings(cfg).cache_dir == tmp_path / "env"
    monkeypatch.delenv("FRAMING_CACHE_DIR")
    assert load_settings(cfg).cache_dir == tmp_path / "toml"
    assert Settings(cache_dir="~/x").cache_dir == Path.home() / "x"  # type: ignore[arg-type]


def test_cache_dir_never_enters_hashes_run_keys_or_metadata(tmp_path: Path) -> None:
    import framing_test_corpus as corpus

    from framing.store import analysis_settings_hash, run_key

    a = Settings(cache_dir=tmp_path / "a")
    b = a.updated(cache_dir=tmp_path / "b")
    assert a.cache_dir != b.cache_dir
    assert "cache_dir" not in a.to_dict() and a.to_dict() == b.to_dict()
    assert a.hash() == b.hash()
    assert analysis_settings_hash(a) == analysis_settings_hash(b)
    ingest, _ = corpus.tiny_corpus()
    assert run_key(ingest, a) == run_key(ingest, b)
    # while a setting that makes the run does change them
    assert run_key(ingest, a.updated(seed=7)) != run_key(ingest, a)


def test_the_encoder_keeps_its_exports_under_cache_dir(tmp_path: Path) -> None:
    from framing.nlp.encoder import cache_root

    assert cache_root(tmp_path) == tmp_path / "onnx"
    assert cache_root() == Settings().cache_dir / "onnx"
