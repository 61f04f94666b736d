"""Fixtures for the dashboard tests: a cache folder holding an analysed hand-written corpus."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import framing_test_corpus as corpus
import pytest

APP_DIR = Path(__file__).resolve().parents[2] / "app"
APP = APP_DIR / "streamlit_app.py"


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


dashboard = _load("framing_dashboard", APP_DIR / "framing_dashboard.py")


@dataclass
class Cached:
    root: Path
    key: str


def populate(root: Path) -> str:
    """Analyse the tiny corpus into ``root`` the way the dashboard does (without spaCy)."""
    from framing.api import write_outputs
    from framing.settings import load_settings
    from framing.store import Store, run_key

    ingest, analyzed = corpus.tiny_corpus()
    settings = load_settings()
    comps = corpus.comparisons(analyzed)
    key = run_key(ingest, settings)
    out = root / "runs" / key
    write_outputs(out, ingest, analyzed, comps, "tiny <b>corpus</b>")
    (out / "sources.csv").write_text(
        "event,outlet,source,n\nev-1,Alpha News,Police chief Ann Lee,1\nev-2,Beta Wire,x,2\n",
        encoding="utf-8",
    )
    store = Store(root / "store.duckdb")
    store.put_analyses(analyzed, settings)
    store.put_run(key, ingest, analyzed, comps, out, "tiny <b>corpus</b>", settings)
    store.close()
    return key


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cached:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    return Cached(tmp_path, populate(tmp_path))
