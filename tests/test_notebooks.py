"""The notebooks run top to bottom (executed with nbclient on the venv's ipykernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def test_there_is_a_notebook() -> None:
    assert any(p.name == "demo_analysis.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    # "python3" resolves to the running interpreter's ipykernel (jupyter_client swaps the
    # kernelspec's bare "python" for sys.executable), so CI's venv runs it.
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "error" not in {o.get("output_type") for c in nb.cells for o in c.get("outputs", [])}
    assert "Kabul Dispatch" in outputs and "report.html" in outputs
    # Imports framing only (plus the standard library).
    imports = [
        line.split()[1].split(".")[0]
        for c in nb.cells if c.cell_type == "code"
        for line in c.source.splitlines() if line.startswith(("import ", "from "))
    ]
    assert set(imports) <= {"framing", "tempfile", "collections", "pathlib", "re", "html"}
