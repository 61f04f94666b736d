"""Could fast mode group events and claims with its static vectors instead of MiniLM?

    python benchmarks/bench_static_similarity.py [--data ../shared/data/polnear] [--limit N]
        [--against static|int8]

The comparison groups events (headline and lead), claims (sentences) and actor labels by the
cosine similarity of MiniLM sentence vectors, even with ``--fast``. This measures whether the
static piece vectors of the fast model (distilled from the same MiniLM, :mod:`framing.nlp.static`)
could stand in. There is no gold grouping of PolNeAR texts, so the reference is MiniLM's own
decision at its shipped cut-off: a pair of texts is "similar" when their MiniLM cosine reaches it.
For each kind the static cut-off is the one whose decisions agree best with MiniLM's (F1 over
pairs) on the PolNeAR training texts, and the agreement is reported on the dev texts:

- ``events``: what event grouping embeds (:func:`framing.compare.events.event_text`: headline and
  the first 600 characters) for every article of the split; also the B-cubed agreement of the
  event partitions both produce (:func:`framing.compare.events.assign_events`, dates kept);
- ``claims``: candidate claim sentences (at least ``MIN_WORDS`` words, white space collapsed), a
  fixed random sample per split.

The texts never leave this script; only figures are printed (research data stays in
../shared/data). Result on 2026-11-30: claims pair F1 0.07 on dev, events 0.26 — far too little
agreement, so fast mode keeps MiniLM for similarity.

``--against int8`` measures MiniLM with int8 weights (``encoder_backend="onnx-int8"``) the same
way: the candidate for fast mode's similarity vectors once the static vectors were ruled out.
Result on 2026-12-01 (dev, at MiniLM's own cut-offs, which train also chose): claims pair F1
0.905 (P 0.962, R 0.856), events 0.889, event partitions B-cubed F1 0.994, so ``--fast`` uses
int8 MiniLM for similarity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Sentences per split for the claims measurement (pairs grow with the square).
CLAIM_SAMPLE = 2000
GRID = tuple(round(x, 2) for x in np.arange(0.30, 0.96, 0.01))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _articles(data: Path, split: str) -> list[Any]:
    from framing.models import Article

    root = data / "data" if (data / "data").is_dir() else data
    out = []
    for path in sorted((root / split / "text").glob("*.txt")):
        m = re.match(r"^[a-z]+_(\d{4}-\d{2}-\d{2})_", path.name)
        out.append(Article(path.stem, path.stem.split("_")[0], path.read_text(encoding="utf-8"),
                           published=m.group(1) if m else None))
    if not out:
        raise FileNotFoundError(f"no PolNeAR texts under {root / split / 'text'}")
    return out


def _claims(articles: Sequence[Any], seed: int = 0) -> list[str]:
    from framing.compare.claims import MIN_WORDS

    texts = sorted({" ".join(s.split()) for a in articles for s in _SENTENCE_END.split(a.text)
                    if len(s.split()) >= MIN_WORDS})
    rng = np.random.default_rng(seed)
    rng.shuffle(texts)
    return texts[:CLAIM_SAMPLE]


def pair_agreement(ref: np.ndarray, ref_cut: float, other: np.ndarray, cut: float
                   ) -> dict[str, float]:
    """Precision, recall and F1 of ``other >= cut`` against ``ref >= ref_cut`` over all pairs
    (upper triangles of two cosine matrices)."""
    iu = np.triu_indices(ref.shape[0], 1)
    gold, pred = ref[iu] >= ref_cut, other[iu] >= cut
    tp = float((gold & pred).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "pairs_similar_minilm": int(gold.sum()), "pairs_similar_other": int(pred.sum()),
            "pairs": int(len(gold))}


def best_cut(ref: np.ndarray, ref_cut: float, other: np.ndarray) -> float:
    """The grid cut-off of ``other`` whose pair decisions agree best with ``ref >= ref_cut``."""
    return max(GRID, key=lambda c: (pair_agreement(ref, ref_cut, other, c)["f1"], -c))


def _bcubed_agreement(ref: Sequence[str], other: Sequence[str]) -> dict[str, float]:
    from framing.evaluation.newswcl50 import bcubed

    ids = {e: i for i, e in enumerate(sorted(set(other)))}
    p_sum, r_sum, n = bcubed([ids[x] for x in other], list(ref))
    p, r = p_sum / max(n, 1), r_sum / max(n, 1)
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def evaluate(data: Path, limit: int | None = None, against: str = "static") -> dict[str, Any]:
    """Agreement with MiniLM per kind of the static vectors (``against="static"``) or of MiniLM
    with int8 weights (``"int8"``): cut-off chosen on train, agreement on dev."""
    from framing.compare.claims import DEFAULT_THRESHOLD as CLAIMS
    from framing.compare.events import DEFAULT_THRESHOLD as EVENTS
    from framing.compare.events import assign_events, event_text
    from framing.nlp.encoder import embed_sentences
    from framing.nlp.static import STATIC_NAME

    def other_vectors(texts: Sequence[str]) -> np.ndarray:
        if against == "int8":
            return embed_sentences(list(texts), backend="onnx-int8")
        return embed_sentences(list(texts), STATIC_NAME)

    def cosines(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        m = embed_sentences(list(texts))
        s = other_vectors(texts)
        return m @ m.T, s @ s.T

    splits = {sp: _articles(data, sp)[:limit] for sp in ("train", "dev")}
    out: dict[str, Any] = {
        "reference": "MiniLM's decision at its shipped cut-off (no gold grouping of PolNeAR)",
        "against": against,
        "minilm_thresholds": {"events": EVENTS, "claims": CLAIMS},
    }
    for kind in ("events", "claims"):
        ref_cut = EVENTS if kind == "events" else CLAIMS
        texts = {sp: ([event_text(a) for a in arts] if kind == "events" else _claims(arts))
                 for sp, arts in splits.items()}
        train_m, train_s = cosines(texts["train"])
        chosen = best_cut(train_m, ref_cut, train_s)
        dev_m, dev_s = cosines(texts["dev"])
        block: dict[str, Any] = {
            "n_train": len(texts["train"]), "n_dev": len(texts["dev"]),
            "cut_chosen_on_train": chosen,
            "train": pair_agreement(train_m, ref_cut, train_s, chosen),
            "dev": pair_agreement(dev_m, ref_cut, dev_s, chosen),
            "dev_at_minilm_cut": pair_agreement(dev_m, ref_cut, dev_s, ref_cut),
        }
        if kind == "events":
            arts = splits["dev"]
            vm = embed_sentences(texts["dev"])
            vs = other_vectors(texts["dev"])
            ref_events = assign_events(arts, vm, ref_cut)
            block["dev_partition_bcubed"] = _bcubed_agreement(
                ref_events, assign_events(arts, vs, chosen))
            block["dev_partition_bcubed_at_minilm_cut"] = _bcubed_agreement(
                ref_events, assign_events(arts, vs, ref_cut))
            block["dev_events_minilm"] = len(set(ref_events))
        out[kind] = block
    return out


def main() -> None:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                          / "polnear"))
    ap.add_argument("--limit", type=int, default=None, help="articles per split")
    ap.add_argument("--against", choices=["static", "int8"], default="static",
                    help="vectors compared with MiniLM's (default: the static fast model)")
    args = ap.parse_args()
    print(json.dumps(evaluate(Path(args.data), args.limit, args.against), indent=2))


if __name__ == "__main__":
    main()
