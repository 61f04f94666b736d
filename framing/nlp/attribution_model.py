"""Learned attribution head: a cue-token classifier and a source-head ranker over the parse.

Two logistic regressions over sparse binary features (lexicon, dependency parse, neighbours, quote
marks), trained on the PolNeAR train split (Newell et al. 2018) by
``framing.evaluation.polnear.train_attribution``:

* **cue**: for each candidate token (``framing.nlp.attribution.cues.is_cue_candidate``, the one
  test used in training and at run time), is it part of an attribution cue?
* **source**: for a cue and each noun-like token of its sentence, is that token the head of the
  cue's source phrase?

Weights ship as ``framing/resources/models/attribution/head.json`` (feature names, thresholds,
metrics) plus ``head.npz`` (weights); nothing is pickled. When the files are absent the rule-based
path of ``framing.nlp.attribution`` runs alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framing.resources import read_lines, read_table

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

HEAD_DIR = "models/attribution"
SOURCE_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})
QUOTE_CHARS = frozenset('"“”«»')


@dataclass(frozen=True)
class LinearModel:
    """A binary logistic regression over named binary features plus dense tok2vec features.

    ``dense`` has one column per token offset in ``offsets``: the score of token ``i`` adds
    ``tensor[i + offset] @ dense[:, k]`` for each offset (zero outside the document).
    """

    weights: dict[str, float]
    bias: float
    threshold: float
    dense: Any = None  # numpy array (width, len(offsets)) or None
    offsets: tuple[int, ...] = ()

    def dense_scores(self, tensor: Any) -> Any:
        """Per-token dense contribution for a whole doc (zeros without dense weights)."""
        import numpy as np

        n = 0 if tensor is None else len(tensor)
        out = np.zeros(n, dtype=np.float64)
        if self.dense is None or n == 0 or tensor.shape[1] != self.dense.shape[0]:
            return out
        proj = np.asarray(tensor, dtype=np.float64) @ self.dense
        for k, off in enumerate(self.offsets):
            if off == 0:
                out += proj[:, k]
            elif off < 0:
                out[-off:] += proj[: n + off, k]
            else:
                out[: n - off] += proj[off:, k]
        return out

    def score(self, feats: Sequence[str], extra: float = 0.0) -> float:
        z = self.bias + extra + sum(map(self.weights.get, feats, repeat(0.0, len(feats))))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class AttributionHead:
    """The learned cue classifier and source ranker with their card data."""

    cue: LinearModel
    source: LinearModel
    version: str
    meta: dict[str, Any] = field(default_factory=dict)


def linear_model(
    features: Sequence[str],
    weights: Any,
    bias: float,
    threshold: float,
    dense: Any = None,
    offsets: Sequence[int] = (),
    min_abs: float = 0.0,
) -> LinearModel:
    """A LinearModel from parallel feature names and weights (|weight| <= min_abs dropped)."""
    import numpy as np

    w = np.asarray(weights, dtype=np.float64)
    table = {
        features[i]: float(w[i])
        for i in range(len(features))
        if w[i] != 0.0 and abs(w[i]) > min_abs
    }
    d = None if dense is None else np.asarray(dense, dtype=np.float64)
    return LinearModel(table, float(bias), float(threshold), d, tuple(offsets))


# ------------------------------------------------------------------ lexicons


@cache
def _lexicons() -> dict[str, frozenset[str]]:
    cue = {row["lemma"] for row in read_table("cue_verbs.tsv")}
    return {
        "cue": frozenset(cue),
        "ggt": frozenset(read_lines("lexicons/reporting_verbs_ggt.txt")),
        "recasens": frozenset(read_lines("lexicons/report_verbs_recasens2013.txt")),
        "source": frozenset(row["word"] for row in read_table("source_nouns.tsv")),
    }


def quote_mask(
    doc: Doc, text: str | None = None, spans: Sequence[tuple[int, int]] | None = None
) -> list[bool]:
    """Per token: does it sit inside quotation marks (by the tolerant quote scanner)?"""
    from framing.nlp.attribution.quotes import find_quotes

    if spans is None:
        spans = find_quotes(doc.text if text is None else text)
    mask = [False] * len(doc)
    if not spans:
        return mask
    k = 0
    for tok in doc:
        while k < len(spans) and spans[k][1] <= tok.idx:
            k += 1
        if k < len(spans) and spans[k][0] <= tok.idx < spans[k][1]:
            mask[tok.i] = True
    return mask


# ------------------------------------------------------------------ features


def sentence_has_quote(sent: SpacySpan) -> bool:
    """Does the sentence hold a quotation mark (computed once per sentence)?"""
    return any(t.text in QUOTE_CHARS for t in sent)


@dataclass(frozen=True)
class TokenTable:
    """Per-token strings of one doc, read once: spaCy builds a new object on every access."""

    lower: list[str]
    lemma: list[str]
    text: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    ent: list[str]
    head: list[int]
    child_deps: list[list[str]]  # sorted, distinct
    subj: list[int]  # first nsubj / nsubjpass child, -1 when none


def token_table(doc: Doc) -> TokenTable:
    """The TokenTable of a doc."""
    n = len(doc)
    lower, lemma, text, pos, tag, dep, ent, head = [], [], [], [], [], [], [], []
    deps: list[set[str]] = [set() for _ in range(n)]
    subj = [-1] * n
    for t in doc:
        lower.append(t.lower_)
        lemma.append(t.lemma_.lower())
        text.append(t.text)
        pos.append(t.pos_)
        tag.append(t.tag_)
        d = t.dep_
        dep.append(d)
        ent.append(t.ent_type_)
        h = t.head.i
        head.append(h)
        if h != t.i:
            deps[h].add(d)
            if d in ("nsubj", "nsubjpass") and subj[h] < 0:
                subj[h] = t.i
    return TokenTable(
        lower, lemma, text, pos, tag, dep, ent, head, [sorted(x) for x in deps], subj
    )


def cue_features(
    tok: Token, in_quote: Sequence[bool], sent_quote: bool, table: TokenTable | None = None
) -> list[str]:
    """Binary features of a candidate cue token (``sent_quote``: its sentence has a quote mark).

    Pass the doc's ``token_table`` when scoring many tokens; without it one is built per call.
    """
    tt = table if table is not None else token_table(tok.doc)
    lex = _lexicons()
    i = tok.i
    n = len(tt.lower)
    lemma = tt.lemma[i]
    low = tt.lower[i]
    pos = tt.pos[i]
    dep = tt.dep[i]
    h = tt.head[i]
    prev1 = tt.lower[i - 1] if i > 0 else "<s>"
    next1 = tt.lower[i + 1] if i + 1 < n else "</s>"
    f = [
        "bias",
        f"lem={lemma}",
        f"low={low}",
        f"pos={pos}",
        f"tag={tt.tag[i]}",
        f"dep={dep}",
        f"lem_dep={lemma}|{dep}",
        f"lem_pos={lemma}|{pos}",
        f"hlem={tt.lemma[h]}",
        f"hpos_dep={tt.pos[h]}|{dep}",
        f"prev={prev1}",
        f"next={next1}",
        f"lem_next={lemma}|{next1}",
        f"prev_lem={prev1}|{lemma}",
        f"inq={in_quote[i]}",
        f"sentq={sent_quote}",
        f"lexcue={lemma in lex['cue']}",
        f"ggt={low in lex['ggt']}",
        f"rec={lemma in lex['recasens']}",
        f"lex_pos={lemma in lex['cue'] or low in lex['ggt']}|{pos}",
    ]
    for d in tt.child_deps[i]:
        f.append(f"cdep={d}")
        if d in ("ccomp", "nsubj", "xcomp", "dobj", "agent", "parataxis", "nsubjpass"):
            f.append(f"lem_cdep={lemma}|{d}")
    sj = tt.subj[i]
    if sj >= 0:
        f.append(f"subj_pos={tt.pos[sj]}")
        f.append(f"subj_ent={tt.ent[sj] or '-'}")
        if tt.lower[sj] in lex["source"]:
            f.append("subj_srcnoun")
    if i > 0 and tt.text[i - 1] in QUOTE_CHARS:
        f.append("after_quote")
    if i + 1 < n and tt.text[i + 1] in QUOTE_CHARS:
        f.append("before_quote")
    if i > 1 and (tt.text[i - 2] in QUOTE_CHARS or tt.text[i - 2] == ","):
        f.append(f"prev2={tt.text[i - 2]}")
    if tt.dep[h] == "ROOT" or dep == "ROOT":
        f.append(f"rootish={dep == 'ROOT'}")
    if low == "according" or (low == "to" and prev1 == "according"):
        f.append("according_to")
    return f


def source_candidates(cue: Token) -> list[Token]:
    """Noun-like tokens of the cue's sentence (outside the cue itself)."""
    return [
        t
        for t in cue.sent
        if t.pos_ in SOURCE_POS and t.i != cue.i and t.dep_ not in ("compound", "nmod")
    ]


def _path_label(cue: Token, cand: Token) -> str:
    if cand.head.i == cue.i:
        return f"child:{cand.dep_}"
    if cand.head.head.i == cue.i and cand.head.i != cand.i:
        return f"grand:{cand.head.dep_}>{cand.dep_}:{cand.head.lower_}"
    if cue.head.i == cand.i:
        return f"parent:{cue.dep_}"
    if cand.head.i == cue.head.i:
        return f"sibling:{cue.dep_}>{cand.dep_}"
    return "other"


def noun_prefix(doc: Doc) -> list[int]:
    """``out[i]``: noun-like, non-compound tokens among ``doc[:i]`` (for counts between tokens)."""
    out = [0]
    for t in doc:
        out.append(out[-1] + (t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ != "compound"))
    return out


def source_features(
    cue: Token, cand: Token, in_quote: Sequence[bool], nouns: Sequence[int] | None = None
) -> list[str]:
    """Binary features of a (cue, candidate source head) pair (``nouns``: ``noun_prefix``)."""
    lex = _lexicons()
    dist = cand.i - cue.i
    side = "L" if dist < 0 else "R"
    adist = abs(dist)
    bucket = "1" if adist <= 1 else "2" if adist <= 2 else "4" if adist <= 4 else (
        "8" if adist <= 8 else "16" if adist <= 16 else "far"
    )
    path = _path_label(cue, cand)
    lemma = cue.lemma_.lower()
    lo, hi = min(cue.i, cand.i) + 1, max(cue.i, cand.i)
    if nouns is None:
        nouns = noun_prefix(cue.doc)
    n_between_nouns = max(0, nouns[hi] - nouns[lo]) if hi > lo else 0
    f = [
        "bias",
        f"path={path}",
        f"path_side={path}|{side}",
        f"dist={side}{bucket}",
        f"cpos={cand.pos_}",
        f"cdep={cand.dep_}",
        f"cent={cand.ent_type_ or '-'}",
        f"clow={cand.lower_}" if cand.pos_ == "PRON" else f"clem={cand.lemma_.lower()}",
        f"srcnoun={cand.lower_ in lex['source'] or cand.lemma_.lower() in lex['source']}",
        f"inq={in_quote[cand.i]}|{in_quote[cue.i]}",
        f"cue_lem={lemma}",
        f"cue_dep_path={cue.dep_}|{path}",
        f"cue_lem_path={lemma}|{path}",
        f"between={min(n_between_nouns, 3)}|{side}",
        f"hlow={cand.head.lower_}" if cand.dep_ == "pobj" else "hlow=-",
    ]
    if cue.lower_ == "according":
        f.append(f"acc_path={path}")
    return f


# ------------------------------------------------------------------ load / save


def _head_files(path: Path | None) -> tuple[Any, Any]:
    if path is not None:
        return path / "head.json", path / "head.npz"
    base = resources.files("framing.resources").joinpath(HEAD_DIR)
    return base.joinpath("head.json"), base.joinpath("head.npz")


def _read_head(path: Path | None) -> AttributionHead | None:
    import numpy as np

    meta_file, npz_file = _head_files(path)
    if not (meta_file.is_file() and npz_file.is_file()):
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    with npz_file.open("rb") as fh:
        arrays = dict(np.load(fh, allow_pickle=False))
    models = {}
    for name in ("cue", "source"):
        m = meta[name]
        models[name] = linear_model(
            m["features"],
            arrays[name],
            float(m["bias"]),
            float(m["threshold"]),
            arrays.get(f"{name}_dense"),
            m.get("offsets", ()),
        )
    card = {k: v for k, v in meta.items() if k not in ("cue", "source")}
    return AttributionHead(models["cue"], models["source"], str(meta["version"]), card)


@cache
def load_head(path: str | None = None) -> AttributionHead | None:
    """The packaged (or given) head, or None when its files are absent."""
    return _read_head(None if path is None else Path(path))


def save_head(out: Path, head: AttributionHead, card: dict[str, Any]) -> None:
    """Write ``head.json`` (feature names, bias, thresholds, card) and ``head.npz`` (weights)."""
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"version": head.version, **card}
    arrays: dict[str, Any] = {}
    for name, model in (("cue", head.cue), ("source", head.source)):
        feats = sorted(model.weights)
        meta[name] = {
            "features": feats,
            "bias": round(model.bias, 6),
            "threshold": model.threshold,
            "offsets": list(model.offsets),
        }
        arrays[name] = np.asarray([model.weights[f] for f in feats], dtype=np.float32)
        if model.dense is not None:
            arrays[f"{name}_dense"] = np.asarray(model.dense, dtype=np.float32)
    (out / "head.json").write_text(
        json.dumps(meta, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    np.savez_compressed(out / "head.npz", **arrays)
