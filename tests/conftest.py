"""Shared test fixtures: the shared research data location and a cached demo analysis."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data_dir() -> Path | None:
    """../shared/data beside the repository (CI has it; a user's machine may not)."""
    env = os.environ.get("FRAMING_SHARED_DATA")
    for candidate in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not present (research data is not shipped)")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo corpus analysed once per test session (lexicon mode, fixed seed)."""
    from framing.api import demo_corpus_path, run_analysis
    from framing.settings import Settings

    out = tmp_path_factory.mktemp("demo")
    return run_analysis([demo_corpus_path()], out, Settings(bootstrap_samples=500))
