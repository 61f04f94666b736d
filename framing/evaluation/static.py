"""Training the fast static model (``framing train loaded --static``) and its model card.

The recipe: distil the packaged MiniLM into static piece vectors
(:func:`framing.nlp.static.distill_static`), then fit the frozen-encoder heads of
:func:`framing.evaluation.training.train_loaded` on those vectors, and measure them with the BABE
and PTC protocols (``framing eval babe|ptc --fast``: the same folds and scorers as the other
models).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from framing.evaluation.training import train_loaded, training_data_rows


def _name_for(folder: Path) -> str:
    from framing.nlp.static import STATIC_NAME, STATIC_PREFIX, shipped_static_dir

    if folder.resolve() == shipped_static_dir().resolve():
        return STATIC_NAME
    return f"{STATIC_PREFIX}{folder.resolve()}"


def train_static(
    data: Path, out: Path | None = None, metrics: dict[str, Any] | None = None,
    distill: bool = True,
) -> dict[str, Any]:
    """Distil the static vectors into ``out`` (unless ``distill`` is False and they are there),
    fit and measure the heads on them, and write the model card."""
    import json

    from framing.nlp.static import (
        EMBEDDINGS,
        HEADS_SPEC,
        STATIC_VERSION,
        distill_static,
        load_static,
        load_static_encoder,
        shipped_static,
        shipped_static_dir,
    )

    folder = out if out is not None else shipped_static_dir()
    if distill or not (folder / EMBEDDINGS).is_file():
        info = distill_static(folder)
    else:
        info = json.loads((folder / HEADS_SPEC).read_text())["distillation"]
    load_static_encoder.cache_clear()
    name = _name_for(folder)
    result = train_loaded(data, folder, encoder=name, metrics=metrics, version=STATIC_VERSION,
                          extra_spec={"distillation": info,
                                      "static_sha256": info["static_sha256"]},
                          write_card=False)
    shipped_static.cache_clear()
    heads = load_static(folder)
    write_static_card(folder / "README.md", heads.spec, result["metrics"], result["thresholds"],
                      folder)
    return result


def _f(x: float) -> str:
    return f"{x:.3f}"


def write_static_card(
    path: Path, spec: dict[str, Any], metrics: dict[str, Any], cuts: dict[str, float],
    folder: Path,
) -> None:
    """The fast model's card: source model, distillation, training data and terms, figures."""
    b, p = metrics["babe"], metrics["ptc"]
    ll, nc = p["Loaded_Language"], p["Name_Calling,Labeling"]
    d = spec["distillation"]
    sizes = {f.name: f.stat().st_size for f in sorted(folder.iterdir())
             if f.suffix in (".npz", ".json")}
    total = sum(sizes.values())
    lines = [
        "# Fast mode: static MiniLM embeddings with loaded-language and bias heads",
        "",
        f"Version `{spec['version']}`, trained {spec.get('trained', datetime.date.today())} by "
        "`framing train loaded --static --data ../shared/data` (seed 42). Used by `framing "
        "analyze --fast` / `framing demo --fast` (`Settings.loaded_model = \"static\"`).",
        "",
        "## What it is",
        "",
        f"- **Source model**: {d['source']}, the encoder every other model of this package uses.",
        f"- **Distillation**: {d['distiller']} run locally from the package directory "
        "(`HF_HUB_OFFLINE=1`, one torch thread): every word piece of MiniLM's vocabulary "
        f"({d['pieces']:,} pieces, `[unused*]` removed) is passed through the transformer "
        f"once and mean-pooled; PCA to {d['pca_dims']} dimensions; SIF weighting "
        f"(coefficient {d['sif_coefficient']}; Arora et al. 2017). Model2Vec: Tulkens & van "
        f"Dongen 2024. Stored as {d['storage']} (`static.npz`, sha256 "
        f"`{d['static_sha256'][:16]}…`) with the distilled WordPiece tokenizer "
        "(`tokenizer.json`).",
        "- **At analysis time** a sentence is a table look-up: a word's vector is the mean of "
        "its pieces' vectors, the sentence vector the L2-normalised mean of all its pieces. No "
        "transformer, torch or ONNX Runtime runs.",
        "- **Heads**: the frozen-encoder heads' recipe (`framing/resources/models/loaded/`), "
        "refitted on the static vectors: logistic-regression word heads (`loaded`, "
        "`labelling`, `ptc_loaded`, `babe_word`) on [word vector, sentence vector, lexicon and "
        "shape features] and a sentence-bias head on [sentence vector, lexicon rates, word-score "
        "summaries]; each fitted on 80% of its groups and Platt-calibrated (Platt 1999) on "
        "the other 20%, where its cut is chosen (F1; macro-F1 for `sentence`).",
        "",
        "Cuts: " + ", ".join(f"`{k}` {v:.3f}" for k, v in cuts.items()) + ".",
        "",
        "Size: " + ", ".join(f"`{k}` {v / 1e6:.2f} MB" for k, v in sizes.items())
        + f"; {total / 1e6:.1f} MB in all.",
        "",
        *training_data_rows(),
        "",
        "The static vectors come from all-MiniLM-L6-v2 (Apache-2.0) alone; no corpus text went "
        "into them. No text of the training corpora is shipped: only learned coefficients. "
        "Whether coefficients learned from AGPL data carry those terms is for the user to "
        "judge; treat the heads as research artefacts. Sources: BABE (Spinde et al., Findings "
        "of EMNLP 2021), PTC (Da San Martino et al., EMNLP 2019; SemEval-2020 Task 11).",
        "",
        "## Measured (cross-validated, held-out folds)",
        "",
        "`framing eval babe --data ../shared/data/babe --fast --json` (SG2, "
        "StratifiedKFold(5, shuffle, seed 42); per fold the heads are refitted on the training "
        "folds only) and `framing eval ptc --data ../shared/data/ptc --fast --json` (5-fold "
        "by article, seed 42; SemEval-2020 Task 11 span F1 with partial-overlap credit, spans "
        "widened to their phrase as the analysis reports them; not leaderboard numbers):",
        "",
        "| | fast (static) | lexicon only |",
        "|---|---|---|",
        f"| BABE sentence macro-F1 (accuracy) | {_f(b['model']['sentence_macro_f1'])} "
        f"({_f(b['model']['sentence_accuracy'])}) | {_f(b['lexicon']['sentence_macro_f1'])} "
        f"({_f(b['lexicon']['sentence_accuracy'])}) |",
        f"| BABE biased words, token F1 | {_f(b['model']['word']['f1'])} | "
        f"{_f(b['lexicon']['word']['f1'])} |",
        f"| PTC Loaded_Language span F1 (token F1) | {_f(ll['model']['span']['f1'])} "
        f"({_f(ll['model']['token']['f1'])}) | {_f(ll['lexicon']['span']['f1'])} "
        f"({_f(ll['lexicon']['token']['f1'])}) |",
        f"| PTC Name_Calling,Labeling span F1 (token F1) | {_f(nc['model']['span']['f1'])} "
        f"({_f(nc['model']['token']['f1'])}) | {_f(nc['lexicon']['span']['f1'])} "
        f"({_f(nc['lexicon']['token']['f1'])}) |",
        f"| PTC span F1, word runs not widened (LL / NC) | {_f(ll['model']['span_runs']['f1'])} "
        f"/ {_f(nc['model']['span_runs']['f1'])} | |",
        f"| ECE: sentence / BABE words / LL words / NC words | "
        f"{_f(b['model']['sentence_ece'])} / {_f(b['model']['word_ece'])} / "
        f"{_f(ll['model']['word_ece'])} / {_f(nc['model']['word_ece'])} | |",
        "",
        "Dimensions (measured 2026-11-30, same recipe and protocols): PCA 256 instead of 128 "
        "gave BABE sentence macro-F1 0.714, words 0.402, PTC Loaded_Language span F1 0.240, "
        "Name_Calling 0.137, for 7.4 MB instead of 4.3 MB; 128 ships, to keep the package "
        "small.",
        "",
        "For comparison (README accuracy table): the default fine-tuned model scores BABE "
        "sentence macro-F1 0.785, words 0.504, PTC Loaded_Language span F1 0.338, "
        "Name_Calling 0.255; the frozen-encoder heads 0.762 / 0.450 / 0.261 / 0.203.",
        "",
        "## Limits",
        "",
        "- Static vectors have no context: a word has one vector whatever its sentence, so the "
        "word heads lean on the sentence vector and the lexicon features to tell \"attack\" in a "
        "headline from \"attack\" as a charge. Use it for first passes over very large corpora "
        "and re-run the default model on what matters.",
        "- Same training data as the other heads: US/UK news (BABE) and propaganda-rich "
        "articles (PTC); other genres and regions are unmeasured.",
        "- `epistemic_verb` and `intensifier` spans come from the lexicon only, with the "
        "model's score.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
