"""BABE (Spinde et al., Findings of EMNLP 2021): sentence bias and biased words.

Protocol (``../shared/data/README.md``): SG2, "No agreement" dropped,
``StratifiedKFold(5, shuffle=True, random_state=42)``; sentence macro-F1 and accuracy; word-level
token F1 against ``biased_words`` on the same folds. The data path is always an argument.
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framing.nlp.bias_model import word_spans

_STRIP = "\"'“”‘’.,;:!?()[]"


@dataclass(frozen=True)
class BabeSentence:
    """One BABE SG2 sentence with its words and their gold labels."""

    text: str
    biased: bool
    words: tuple[tuple[int, int], ...]
    word_gold: tuple[bool, ...]
    outlet: str
    news_link: str = ""


def _norm(word: str) -> str:
    return word.strip(_STRIP).lower().replace("’", "'")


def load_babe(
    folder: Path, limit: int | None = None, filename: str = "final_labels_SG2.csv"
) -> list[BabeSentence]:
    """SG2 sentences with a majority label; a word is gold-biased when it is in ``biased_words``.

    ``filename``: another file of the same columns (``final_labels_MBIC.csv``: the crowd labels).
    """
    path = folder / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path}: BABE file not found")
    out: list[BabeSentence] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            label = row["label_bias"]
            if label not in ("Biased", "Non-biased"):
                continue
            marked: set[str] = set()
            for entry in ast.literal_eval(row["biased_words"] or "[]"):
                for part in str(entry).split():
                    marked.add(_norm(part))
            text = row["text"]
            spans = tuple(word_spans(text))
            gold = tuple(_norm(text[s:e]) in marked for s, e in spans)
            out.append(BabeSentence(text, label == "Biased", spans, gold, row["outlet"],
                                    row.get("news_link") or ""))
    if limit is not None:
        out = out[:limit]
    return out


def babe_folds(sentences: list[BabeSentence]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The protocol's folds: StratifiedKFold(5, shuffle=True, random_state=42) on the labels."""
    from sklearn.model_selection import StratifiedKFold

    y = np.array([s.biased for s in sentences], dtype=int)
    n_splits = min(5, int(np.bincount(y, minlength=2).min()))
    skf = StratifiedKFold(n_splits=max(2, n_splits), shuffle=True, random_state=42)
    return [(tr, te) for tr, te in skf.split(np.zeros(len(y)), y)]


def evaluate(
    data: Path, limit: int | None = None, encoder: str | None = None
) -> dict[str, Any]:
    """``framing eval babe``: the learned heads and the lexicon floor on the protocol's folds."""
    from framing.evaluation.training import evaluate_babe

    return evaluate_babe(data, limit=limit, encoder=encoder)
