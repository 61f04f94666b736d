"""The dashboard's Validate section: coverage by language, drawing a sample, scoring uploads."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

APP_DIR = Path(__file__).resolve().parents[2] / "app"
APP = APP_DIR / "streamlit_app.py"


def _view() -> Any:
    if "validate_view" in sys.modules:
        return sys.modules["validate_view"]
    spec = importlib.util.spec_from_file_location("validate_view", APP_DIR / "validate_view.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["validate_view"] = module
    spec.loader.exec_module(module)
    return module


def _open(cached: Any) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["run_key"] = cached.key
    at.run()
    assert not at.exception, at.exception
    return at


def _annotate(sample: Path, voice_of: dict[str, str] | None = None) -> Path:
    """annotator-1.csv: every row labelled as the tool labelled it (or ``voice_of`` by row)."""
    with (sample / "tool_labels.csv").open(newline="") as fh:
        key = {r["row_id"]: r for r in csv.DictReader(fh)}
    with (sample / "sample.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        k = key[r["row_id"]]
        r["voice"] = (voice_of or {}).get(r["row_id"], k["tool_voice"])
        r["source_kind"] = k["tool_source_kind"]
        r["loaded_words"] = k["tool_loaded_words"]
    out = sample / "annotations" / "annotator-1.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def test_validate_section_draws_and_scores(cached: Any) -> None:
    at = _open(cached)
    body = "\n".join(e.value for e in at.get("html"))
    assert "What the figures cover:" in body
    assert "Alpha News: 2 of 2 articles analysed." in body
    at.number_input(key="validate_n").set_value(4)
    at.button(key="validate_draw").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Drew 4 of ")
    run_dir = next((cached.root / "runs").iterdir())
    sample = run_dir / "validation" / "sample-n4-seed42"
    assert (sample / "sample.xlsx").is_file() and (sample / "tool_labels.csv").is_file()
    assert at.selectbox(key="validate_sample").value == sample

    _annotate(sample)
    at.run()
    at.button(key="validate_score").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[-2].value
    assert list(table.columns)[:3] == ["comparison", "judgement", "n"]
    voice = table[table["judgement"] == "voice"].iloc[0]
    assert voice["n"] == 4 and voice["accuracy"].startswith("1.000")
    corrected = at.dataframe[-1].value
    assert set(corrected["figure"]) == {"share of sentences in the outlet's own voice",
                                        "share of sentences with loaded words"}
    assert "Rogan-Gladen" not in corrected.columns and "rogan_gladen" in corrected.columns
    assert not any("not sound" in str(v) for v in corrected.to_numpy().ravel())
    assert any("Rogan–Gladen" in c.value and "Unreliable" in c.value for c in at.caption)
    assert any("kappa" in c.value and "beyond what chance" in c.value for c in at.caption)
    assert [b.label for b in at.get("download_button")].count("Download this view (CSV)") >= 2
    assert (sample / "scores.json").is_file()


def test_a_sample_is_named_by_the_number_drawn(cached: Any) -> None:
    """Asking for more sentences than the run has draws all of them, and the folder says so."""
    at = _open(cached)
    at.number_input(key="validate_n").set_value(5000)
    at.button(key="validate_draw").click().run()
    assert not at.exception, at.exception
    drawn = int(at.success[0].value.split()[1])
    assert at.success[0].value.startswith(f"Drew {drawn} of {drawn} ")
    run_dir = next((cached.root / "runs").iterdir())
    assert [p.name for p in (run_dir / "validation").iterdir()] == [f"sample-n{drawn}-seed42"]
    assert at.selectbox(key="validate_sample").value.name == f"sample-n{drawn}-seed42"


def test_bad_annotation_is_reported_with_row_and_value(cached: Any) -> None:
    at = _open(cached)
    at.number_input(key="validate_n").set_value(3)
    at.button(key="validate_draw").click().run()
    sample = next((cached.root / "runs").iterdir()) / "validation" / "sample-n3-seed42"
    _annotate(sample, {"s0002": "<b>autor</b>"})
    at.run()
    at.button(key="validate_score").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value == "The annotations cannot be scored:"
    message = at.code[0].value
    assert "row 3 (row id 's0002'): voice '<b>autor</b>' is not one of" in message


def test_helpers(tmp_path: Path) -> None:
    view = _view()
    assert view.coverage_lines(tmp_path) == []
    saved = view.save_upload(tmp_path, 1, "../../evil name.XLSX", b"x")
    assert saved == tmp_path / "annotations" / "annotator-1.xlsx"
    view.save_upload(tmp_path, 1, "again.csv", b"y")
    assert view.annotation_files(tmp_path) == [tmp_path / "annotations" / "annotator-1.csv"]
