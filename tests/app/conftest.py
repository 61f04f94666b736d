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


def populate(root: Path, events: bool = True, title: str = "tiny <b>corpus</b>") -> str:
    """Analyse the tiny corpus into ``root`` the way the dashboard does (without spaCy); with
    ``events=False`` its articles carry no event (a corpus without events)."""
    from dataclasses import replace

    from framing.api import write_outputs
    from framing.settings import load_settings
    from framing.store import Store, run_key

    ingest, analyzed = corpus.tiny_corpus()
    if not events:
        analyzed = [replace(a, article=replace(a.article, event=None)) for a in analyzed]
        ingest = replace(ingest, articles=tuple(a.article for a in analyzed))
    settings = load_settings()
    comps = corpus.comparisons(analyzed)
    key = run_key(ingest, settings)
    out = root / "runs" / key
    write_outputs(out, ingest, analyzed, comps, title)
    ev = "ev-1" if events else ""
    (out / "sources.csv").write_text(
        f"event,outlet,source,n\n{ev},Alpha News,Police chief Ann Lee,1\nev-2,Beta Wire,x,2\n",
        encoding="utf-8",
    )
    store = Store(root / "store.duckdb")
    store.put_analyses(analyzed, settings)
    store.put_run(key, ingest, analyzed, comps, out, title, settings)
    store.close()
    return key


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cached:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    return Cached(tmp_path, populate(tmp_path))


@pytest.fixture
def add_run():  # type: ignore[no-untyped-def]
    """Another analysed run in the same cache: ``add_run(root, events=False, title=...)``."""
    return populate
