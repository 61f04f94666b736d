"""Accuracy measurement on the annotated corpora (``framing eval``) and head training."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from framing.nlp.finetune import FinetuneConfig


def run_eval(
    dataset: str,
    data: Path,
    split: str = "dev",
    limit: int | None = None,
    agreement: bool = False,
    finetune: FinetuneConfig | None = None,
    folds: Sequence[int] | None = None,
    progress: Callable[[str], None] | None = None,
    fast: bool = False,
) -> dict[str, Any]:
    """Dispatch ``framing eval <dataset>`` (``agreement``: PolNeAR inter-annotator ceiling;
    ``finetune``: BABE or PTC with a fine-tuned encoder per fold, on ``folds`` or all;
    ``fast``: BABE or PTC heads on the static fast-mode vectors)."""
    if not data.exists():
        raise FileNotFoundError(f"no dataset folder at {data}")
    if fast and (dataset not in ("babe", "ptc") or finetune is not None):
        raise NotImplementedError(f"--fast is measured for babe and ptc (and challenge), not "
                                  f"{dataset!r}{' with --finetune' if finetune else ''}")
    encoder = None
    if fast:
        from framing.nlp.static import STATIC_NAME

        encoder = STATIC_NAME
    if agreement and dataset != "polnear":
        raise NotImplementedError(f"--agreement is only measured for polnear, not {dataset!r}")
    if dataset == "loaded":
        from framing.evaluation.joint import JOINT_CONFIG, evaluate_joint

        return evaluate_joint(data, finetune or JOINT_CONFIG, folds=folds, limit=limit,
                              progress=progress)
    if (finetune is not None or folds is not None) and dataset not in ("babe", "ptc"):
        raise NotImplementedError(
            f"--finetune/--folds are only measured for babe and ptc, not {dataset!r}"
        )
    if dataset == "babe" and finetune is not None:
        from framing.evaluation.finetune import evaluate_finetune_babe

        return evaluate_finetune_babe(data, finetune, folds=folds, limit=limit, progress=progress)
    if dataset == "ptc" and finetune is not None:
        from framing.evaluation.finetune import evaluate_finetune_ptc

        return evaluate_finetune_ptc(data, finetune, folds=folds, limit=limit, progress=progress)
    if folds is not None:
        raise NotImplementedError("--folds applies to --finetune only")
    if dataset == "polnear" and agreement:
        from framing.evaluation.polnear import agreement as polnear_agreement

        return polnear_agreement(data)
    if dataset == "polnear":
        from framing.evaluation.polnear import evaluate

        return evaluate(data, split=split, limit=limit)
    if dataset == "babe":
        from framing.evaluation.babe import evaluate as evaluate_babe

        return evaluate_babe(data, limit=limit, encoder=encoder)
    if dataset == "basil":
        from framing.evaluation.basil import evaluate as evaluate_basil

        return evaluate_basil(data, limit=limit, progress=progress)
    if dataset == "claims":
        from framing.evaluation.claims import evaluate as evaluate_claims

        return evaluate_claims(data, limit=limit, progress=progress)
    if dataset == "density":
        from framing.evaluation.density import evaluate_density

        return evaluate_density(data, limit=limit, progress=progress)
    if dataset == "ptc":
        from framing.evaluation.ptc import evaluate as evaluate_ptc

        return evaluate_ptc(data, limit=limit, encoder=encoder)
    if dataset == "newswcl50":
        from framing.evaluation.newswcl50 import evaluate as evaluate_newswcl50

        return evaluate_newswcl50(data, limit=limit)
    raise NotImplementedError(f"evaluation of {dataset!r} is not implemented yet")


def run_train(
    what: str,
    data: Path,
    out: str | None,
    model: str | None,
    finetune: bool = False,
    metrics: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    card_only: bool = False,
    static: bool = False,
) -> dict[str, Any]:
    """Dispatch ``framing train`` (``finetune``: the fine-tuned loaded-language model;
    ``card_only``: record ``metrics`` in an existing fine-tuned model without training;
    ``static``: distil the fast static model and fit its heads)."""
    if not data.exists():
        raise FileNotFoundError(f"no data folder at {data}")
    if static:
        if what != "loaded" or finetune or card_only:
            raise NotImplementedError("--static applies to `framing train loaded` alone")
        from framing.evaluation.static import train_static

        return train_static(data, None if out is None else Path(out), metrics)
    if finetune and what != "loaded":
        raise NotImplementedError("--finetune applies to `framing train loaded` only")
    if card_only and not (finetune and metrics):
        raise ValueError("--card-only needs --finetune and --metrics")
    if what == "loaded" and finetune:
        from framing.evaluation.joint import attach_metrics, train_joint
        from framing.nlp.tuned import load_tuned, shipped_tuned_dir

        folder = Path(out) if out else shipped_tuned_dir()
        if card_only and metrics:
            attach_metrics(folder, metrics)
        else:
            train_joint(data, folder, encoder=model, metrics=metrics, progress=progress)
        spec = load_tuned(folder).spec
        return {"written": str(folder), **{k: spec[k] for k in ("version", "cuts", "platt")}}
    if what == "loaded":
        from framing.evaluation.training import train_loaded

        return train_loaded(data, None if out is None else Path(out), model)
    if what == "attribution":
        from framing.evaluation.polnear import train_attribution

        return train_attribution(data, None if out is None else Path(out))
    if what == "cue-rates":
        from framing.evaluation.cue_rates import train_cue_rates

        return train_cue_rates(data, None if out is None else Path(out))
    raise NotImplementedError(f"training {what!r} is not implemented yet")
