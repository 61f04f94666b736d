"""Architecture: imports flow one way, and `import framing` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "framing"

#: Rank of each layer; a module may import only from layers of lower rank (or its own layer).
RANKS = {
    "models": 0, "settings": 0, "resources": 0, "files": 0,
    "ingest": 1, "nlp": 2, "scoring": 3, "compare": 4,
    "report": 5, "evaluation": 5, "store": 5, "validation": 5,
    "engine": 6, "api": 7, "cli": 8,
}
HEAVY = ("spacy", "torch", "transformers", "streamlit", "sklearn", "duckdb", "onnxruntime")
#: Layers that may import spaCy, torch or transformers (inside functions only, checked below).
#: Only nlp: the model-touching code of evaluation (the fine-tuning network and loop, the cached
#: spaCy parse of PolNeAR) lives in framing.nlp.finetune and framing.nlp.pipeline.parse_cached.
#: evaluation/polnear.py still walks the tokens of the Docs parse_cached returns (attribution
#: training rows); its Doc annotation comes from framing.nlp.pipeline, for type checking only.
HEAVY_ALLOWED = {"nlp"}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(p for p in rel.parts if p != "__init__")
        out.append((name, path))
    return out


def _imports(tree: ast.AST, top_level_only: bool) -> list[str]:
    nodes = tree.body if top_level_only and isinstance(tree, ast.Module) else ast.walk(tree)
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.If):  # TYPE_CHECKING blocks are not runtime imports
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_every_layer_is_ranked() -> None:
    for name, _ in _modules():
        layer = _layer(name)
        assert layer == "" or layer == "__main__" or layer in RANKS, f"unranked layer {name}"


def test_imports_flow_one_way() -> None:
    bad = []
    for name, path in _modules():
        src = _layer(name)
        if src not in RANKS:
            continue
        for imp in _imports(ast.parse(path.read_text()), top_level_only=False):
            if not imp.startswith("framing."):
                continue
            dst = _layer(imp)
            if dst in RANKS and dst != src and RANKS[dst] >= RANKS[src]:
                bad.append(f"{name} imports {imp}")
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_heavy_libraries_only_lazily_in_nlp() -> None:
    bad = []
    for name, path in _modules():
        tree = ast.parse(path.read_text())
        top = _imports(tree, top_level_only=True)
        anywhere = _imports(tree, top_level_only=False)
        for imp in top:
            if imp.split(".")[0] in HEAVY:
                bad.append(f"{name} imports {imp} at module level")
        if _layer(name) not in HEAVY_ALLOWED:
            for imp in anywhere:
                if imp.split(".")[0] in HEAVY[:3]:
                    bad.append(f"{name} imports {imp} outside the nlp layer")
    assert not bad, "\n".join(bad)


def test_import_framing_is_light() -> None:
    code = (
        "import sys, framing, framing.api, framing.cli, framing.models, framing.scoring, "
        "framing.compare, framing.report.html\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


APP = Path(__file__).resolve().parents[1] / "app"
#: What the dashboard may use: the public verbs, the report's builders, the data model, the
#: feature catalogue, settings, readers, the store and validation (which reads a run's output
#: files, like the report); never the analysis layers themselves.
APP_ALLOWED = {"api", "report", "models", "settings", "scoring", "ingest", "store", "validation"}


def test_the_app_is_a_thin_adapter() -> None:
    bad = []
    for path in sorted(APP.glob("*.py")):
        tree = ast.parse(path.read_text())
        for imp in _imports(tree, top_level_only=False):
            if imp.split(".")[0] in HEAVY and imp.split(".")[0] != "streamlit":
                bad.append(f"{path.name} imports {imp}")
            elif imp.startswith("framing.") and _layer(imp) not in APP_ALLOWED:
                bad.append(f"{path.name} imports {imp}")
    assert not bad, "the dashboard reaches past the api and report layers:\n" + "\n".join(bad)
