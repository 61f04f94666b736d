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
