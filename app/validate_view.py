"""Validate view of the dashboard: what share of each outlet the figures cover, drawing a sample
of sentences to annotate by hand, and the agreement of annotations with the tool.

A thin layer over ``framing.validation`` (the same functions as ``framing validate sample`` and
``framing validate score``). Samples live in the run folder under ``validation/``; uploaded
annotation files are saved there under fixed names (never the uploaded name).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import streamlit as st

from framing.report.exports import Table, to_csv
from framing.validation.sample import SampleExistsError, read_run_sentences, sample_run
from framing.validation.score import format_stat, score_sample, summary_markdown, write_scores

ANNOTATOR_FILES = ("sample.xlsx", "sample.csv", "INSTRUCTIONS.md")
KEY_FILES = ("tool_labels.csv", "sample.json")
UPLOAD_DIR = "annotations"
MAX_UPLOAD_BYTES = 20_000_000


def coverage_lines(out_dir: Path) -> list[str]:
    """Per outlet, how many of its articles were analysed (from ``run.json``; [] when absent)."""
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(o.get("summary", "")) for o in run.get("ingest", {}).get("outlets", [])]


def samples(out_dir: Path) -> list[Path]:
    """Sample folders of a run, newest name last."""
    root = out_dir / "validation"
    return sorted(p for p in root.glob("sample-*") if (p / "tool_labels.csv").is_file())


def zip_bytes(folder: Path, names: Sequence[str]) -> bytes:
    """A ZIP of the named files of ``folder``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            if (folder / name).is_file():
                zf.write(folder / name, arcname=name)
    return buf.getvalue()


def save_upload(sample_dir: Path, index: int, name: str, data: bytes) -> Path:
    """Save an uploaded annotation file as ``annotations/annotator-N.csv|xlsx``."""
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name}: larger than {MAX_UPLOAD_BYTES} bytes")
    folder = sample_dir / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"annotator-{index}.*"):
        old.unlink()
    path = folder / f"annotator-{index}{suffix}"
    path.write_bytes(data)
    return path


def annotation_files(sample_dir: Path) -> list[Path]:
    """Saved annotation files of a sample (at most two, annotator 1 first)."""
    return sorted((sample_dir / UPLOAD_DIR).glob("annotator-[12].*"))[:2]


#: The judgements annotators make, and the figures corrected with them, in words.
JUDGEMENT_NAMES = {"voice": "voice", "source_kind": "kind of source", "loaded": "loaded words"}
FIGURE_NAMES = {"own_voice_share": "share of sentences in the outlet's own voice",
                "loaded_sentence_share": "share of sentences with loaded words"}
#: Column labels of the two tables (the rows keep short keys).
COLUMN_LABELS = {"comparison": "Compared", "judgement": "Judgement", "n": "Sentences",
                 "accuracy": "Agreement", "Cohen's kappa": "Cohen's kappa",
                 "Krippendorff's alpha": "Krippendorff's alpha", "figure": "Figure",
                 "outlet": "Outlet", "sentences": "Sentences", "tool": "Tool's share",
                 "stratified": "Corrected by strata", "rogan_gladen": "Corrected for errors",
                 "notes": "Notes"}
AGREEMENT_NOTE = (
    "Agreement: the share of sentences labelled alike. Cohen's kappa and Krippendorff's alpha: "
    "agreement beyond what chance gives (1 perfect, 0 no better than chance). Loaded words: "
    "how well the words marked overlap (F1). Each with its 95% interval.")
CORRECTED_NOTE = (
    "Each outlet's share as the tool measured it, and corrected two ways with annotator 1's "
    "labels. Corrected by strata: the annotated share of each stratum (outlet × the tool's "
    "label) weighted by its size. Corrected for errors: the tool's share adjusted for how often "
    "it misses and how often it wrongly finds (its sensitivity and specificity; the "
    "Rogan–Gladen estimator). \"Unreliable\" marks a figure resting on too few annotated "
    "sentences; the notes say why.")


def agreement_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per comparison and judgement: n, accuracy, kappa, alpha (95% intervals)."""
    blocks: list[tuple[str, Mapping[str, Any]]] = [
        (f"tool vs annotator {i + 1}", b) for i, b in enumerate(result["tool_vs_annotator"])
    ]
    between = result.get("between_annotators")
    if between is not None and "voice" in between:
        blocks.append(("annotator 1 vs annotator 2", between))
    rows: list[dict[str, Any]] = []
    for name, block in blocks:
        for judgement in ("voice", "source_kind", "loaded"):
            b = block[judgement]
            rows.append({"comparison": name, "judgement": JUDGEMENT_NAMES[judgement],
                         "n": b["n"],
                         "accuracy": format_stat(b["accuracy"]),
                         "Cohen's kappa": format_stat(b["cohen_kappa"]),
                         "Krippendorff's alpha": format_stat(b["krippendorff_alpha"])})
        w = block["loaded_words"]
        rows.append({"comparison": name, "judgement": "words marked loaded (overlap F1)",
                     "n": w["n_rows"], "accuracy": format_stat(w["f1"]), "Cohen's kappa": "",
                     "Krippendorff's alpha": ""})
    return rows


def corrected_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per figure and outlet: the tool's share and both corrected estimates."""
    rows: list[dict[str, Any]] = []
    for figure, block in result["corrected"].items():
        for o in block["outlets"]:
            rows.append({
                "figure": FIGURE_NAMES.get(figure, figure.replace("_", " ")),
                "outlet": o["outlet"], "sentences": o["n_sentences"], "tool": o["tool"],
                "stratified": format_stat(o["stratified"]) + ("" if o["stratified"]["sound"]
                                                        else " (unreliable)"),
                "rogan_gladen": format_stat(o["rogan_gladen"]) + (
                    "" if o["rogan_gladen"]["sound"] else " (unreliable)"),
                "notes": "; ".join(n for n in (o["stratified"]["note"],
                                               o["rogan_gladen"]["note"]) if n),
            })
    return rows


def rows_csv(name: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """A table of this view as CSV (framing's writer: formula-like text made safe)."""
    columns = list(rows[0]) if rows else []
    return to_csv(Table(name, tuple(COLUMN_LABELS.get(c, c) for c in columns),
                        tuple(tuple(r.get(c) for c in columns) for r in rows)))


def sample_folder(out_dir: Path, n: int, seed: int) -> tuple[Path, int]:
    """Where a sample of ``n`` sentences goes, named by the number it will hold: all of the
    run's sentences when it has fewer than ``n``."""
    n_drawn = min(n, len(read_run_sentences(out_dir)))
    return out_dir / "validation" / f"sample-n{n_drawn}-seed{seed}", n_drawn


def refusal_text(exc: SampleExistsError) -> str:
    """Why a sample was not drawn over an earlier one whose annotators' files were edited."""
    names = " and ".join(p.name for p in exc.changed)
    one = len(exc.changed) == 1
    return (f"Not drawn: {names} in {exc.folder.name} {'was' if one else 'were'} edited since "
            f"the tool wrote {'it' if one else 'them'} (annotated?) and would be replaced. Score "
            "that sample, or choose another size or seed for a new one.")


def render(out_dir: Path) -> None:
    """The Validate section of a run's page."""
    lines = coverage_lines(out_dir)
    if lines:  # outlet names are user text: escaped, shown as text
        st.html('<p style="font-size:.85rem;opacity:.8">What the figures cover: '
                + " ".join(escape(line) for line in lines) + "</p>")
    with st.expander("Validate: annotate a sample by hand and measure agreement", expanded=False):
        st.caption(
            "Draw a stratified sample of this run's sentences (strata: outlet × the tool's voice "
            "× loaded words found), give the sheet and instructions to annotators, then upload "
            "their files to see how often they agree with the tool and with each other. The "
            "tool's labels are kept in a separate key file that annotators must not see."
        )
        c1, c2, c3 = st.columns([1, 1, 2])
        n = int(c1.number_input("Sentences", min_value=1, max_value=5000, value=200,
                                key="validate_n"))
        seed = int(c2.number_input("Seed", min_value=0, value=42, key="validate_seed"))
        if c3.button("Draw a sample", key="validate_draw"):
            try:
                target, n_drawn = sample_folder(out_dir, n, seed)
                paths = sample_run(out_dir, target, n_drawn, seed)
                meta = json.loads(paths["sample.json"].read_text(encoding="utf-8"))
                st.success(f"Drew {meta['n_drawn']} of {meta['n_sentences']} sentences.")
            except SampleExistsError as exc:
                st.error(refusal_text(exc))
            except (FileNotFoundError, ValueError) as exc:
                st.error("The sample could not be drawn:")
                st.code(str(exc), language=None)
        found = samples(out_dir)
        if not found:
            return
        chosen = st.selectbox("Sample", found, index=len(found) - 1,
                              format_func=lambda p: p.name, key="validate_sample")
        if chosen is None:
            return
        d1, d2 = st.columns(2)
        d1.download_button("For annotators (ZIP: sheet, CSV, instructions)",
                           zip_bytes(chosen, ANNOTATOR_FILES), file_name=f"{chosen.name}.zip",
                           mime="application/zip", key="validate_dl_sample", on_click="ignore")
        d2.download_button("Key: the tool's labels (keep apart)", zip_bytes(chosen, KEY_FILES),
                           file_name=f"{chosen.name}-key.zip", mime="application/zip",
                           key="validate_dl_key", on_click="ignore")
        uploads = st.file_uploader("Annotated files (one or two; CSV or XLSX)",
                                   type=["csv", "xlsx"], accept_multiple_files=True,
                                   key="validate_upload")
        for i, up in enumerate((uploads or [])[:2], start=1):
            try:
                save_upload(chosen, i, up.name, up.getvalue())
            except ValueError as exc:
                st.error("An upload was not saved:")
                st.code(str(exc), language=None)
        files = annotation_files(chosen)
        if not files:
            st.caption("No annotated file yet.")
            return
        st.caption("Annotation files: " + ", ".join(p.name for p in files))
        if not st.button("Score the annotations", key="validate_score"):
            return
        try:
            result = score_sample(chosen, files)
        except (FileNotFoundError, ValueError) as exc:
            st.error("The annotations cannot be scored:")
            st.code(str(exc), language=None)
            return
        paths = write_scores(result, chosen)
        agreement = agreement_rows(result)
        st.dataframe(agreement, hide_index=True, width="stretch", key="validate_agreement",
                     column_config={c: COLUMN_LABELS.get(c, c) for c in agreement[0]})
        st.caption(AGREEMENT_NOTE)
        st.download_button("Download this view (CSV)", rows_csv("agreement", agreement),
                           file_name="agreement.csv", mime="text/csv",
                           key="validate_dl_agreement", on_click="ignore")
        corrected = corrected_rows(result)
        st.caption(CORRECTED_NOTE)
        st.dataframe(corrected, hide_index=True, width="stretch", key="validate_corrected",
                     column_config={c: COLUMN_LABELS.get(c, c) for c in corrected[0]}
                     if corrected else None)
        st.download_button("Download this view (CSV)", rows_csv("corrected", corrected),
                           file_name="corrected.csv", mime="text/csv",
                           key="validate_dl_corrected", on_click="ignore")
        st.download_button("Scores (JSON)", paths["scores.json"].read_bytes(),
                           file_name="scores.json", mime="application/json",
                           key="validate_dl_json", on_click="ignore")
        st.download_button("Summary (Markdown)", summary_markdown(result).encode("utf-8"),
                           file_name="scores.md", mime="text/markdown",
                           key="validate_dl_md", on_click="ignore")
