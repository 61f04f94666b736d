"""Accuracy measurement on the annotated corpora (``framing eval``) and head training."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run_eval(
    dataset: str, data: Path, split: str = "dev", limit: int | None = None
) -> dict[str, Any]:
    """Dispatch ``framing eval <dataset>``."""
    if not data.exists():
        raise FileNotFoundError(f"no dataset folder at {data}")
    if dataset == "polnear":
        from framing.evaluation.polnear import evaluate

        return evaluate(data, split=split, limit=limit)
    raise NotImplementedError(f"evaluation of {dataset!r} is not implemented yet")


def run_train(what: str, data: Path, out: str | None, model: str | None) -> dict[str, Any]:
    """Dispatch ``framing train``."""
    if not data.exists():
        raise FileNotFoundError(f"no data folder at {data}")
    raise NotImplementedError(f"training {what!r} is not implemented yet")
