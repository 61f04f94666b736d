"""BASIL: who chose the loaded words, and which article and outlet of an event is most loaded.

BASIL (Fan et al. 2019, "In Plain Sight: Media Bias Through the Lens of Factual Reporting",
EMNLP): events covered the same day by Fox News, the New York Times and HuffPost, with lexical
("lex": loaded wording) and informational bias spans, and whether the words are inside a quotation
(``quote``). Protocol (``shared/data/README.md`` and ``basil/README.txt``):

* **article text**: the title is the headline part; the body is
  ``"\\n\\n".join(" ".join(sentences) for each paragraph)``. A gold lex span's offsets are
  relative to one sentence (title or a body sentence): it is placed in the first sentence ``s``
  with ``s[start:end] == txt`` (a substring search as fallback) and so in its part;
* **charge accuracy**: for each gold lex span that a predicted loaded span of the same part
  overlaps (the one overlapping it most), author vs not-author; gold author = quote ``"no"``;
* **density** per article = spans outside quotes per 100 words of title and body (words: runs of
  word characters, inner apostrophes kept): predicted = loaded spans charged to the author, gold
  = lex spans with quote ``"no"``; **Spearman's rho** across articles with a seeded percentile
  bootstrap interval over articles (:func:`framing.evaluation.density.spearman_bootstrap`);
* **most-loaded outlet per event**: the outlet of highest predicted density against the outlet(s)
  of highest gold density; an event scores the share of the predicted top outlets (ties share)
  that are gold top outlets, i.e. the expected accuracy when ties are broken at random. Events
  whose articles carry no gold lex span outside quotes are left out (every outlet would be right);
* **token P/R/F1**: word tokens inside predicted loaded spans (any speaker) against word tokens
  inside gold lex spans (any quote), pooled over articles. Annotators marked only bias aimed at
  the event's main entities, so precision is a lower bound.

Floors, computed the same way: for charge, the rule "inside quotation marks = the source's" on
every gold lex span (and on the spans the system charged, for a paired comparison); for density,
Spearman, most-loaded outlet and token F1, the MPQA strong-subjective clues (Wilson, Wiebe and
Hoffmann 2005, ``type=strongsubj``) as loaded spans, charged to the source inside quotation marks
and to the author elsewhere. Quotation marks are found with the pipeline's quote finder
(:func:`framing.nlp.attribution.quotes.find_quotes`) with no minimum length, so short quoted
fragments count as quoted.

The corpus is read from ``--data`` at run time; none of its text is stored in the project.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.models import AnalyzedArticle, Article, Span

#: Word tokens for densities and token F1 (inner apostrophes kept: "don't" is one word).
_WORD = re.compile(r"\w+(?:['’]\w+)*")
#: Inflections an MPQA clue with ``stemmed1=y`` matches beyond its stem.
_SUFFIXES = ("", "s", "es", "d", "ed", "ing", "ly", "er", "ers", "ment", "ments")
MPQA_FILE = "mpqa_subjclueslen1-HLTEMNLP05.tff.txt"
PARTS = ("title", "body")
BOOTSTRAP = 2000
SEED = 42


@dataclass(frozen=True)
class LexSpan:
    """A gold lexical-bias span placed in its part (title or body) of the article."""

    part: str
    span: Span
    text: str
    quoted: bool  # BASIL ``quote == "yes"``: the quoted speaker chose the words


@dataclass(frozen=True)
class BasilArticle:
    """One BASIL article: its text as the pipeline sees it and its gold lex spans."""

    article: Article
    event: str
    outlet: str
    lex: tuple[LexSpan, ...]
    file: str  # path relative to the data root


@dataclass(frozen=True)
class PredSpan:
    """A predicted loaded span: its part, offsets, and whether it is charged to the author."""

    part: str
    span: Span
    author: bool


# ------------------------------------------------------------------ reading the corpus


def resolve_root(data: Path) -> Path:
    """The BASIL folder (holding ``articles/`` and ``annotations/``) from ``shared/data`` or
    ``shared/data/basil``."""
    for cand in (data, data / "basil"):
        if (cand / "articles").is_dir() and (cand / "annotations").is_dir():
            return cand
    raise FileNotFoundError(f"no BASIL folder (articles/, annotations/) under {data}")


def article_parts(record: Mapping[str, Any]) -> tuple[str, str]:
    """Title and body of a BASIL article record, the body's paragraphs joined by a blank line."""
    title = str(record["title"])
    body = "\n\n".join(" ".join(p) for p in record["body-paragraphs"])
    return title, body


def align_phrase(
    title: str,
    paragraphs: Sequence[Sequence[str]],
    start: int,
    end: int,
    txt: str,
    record: str = "",
) -> tuple[str, Span]:
    """Place a sentence-relative BASIL span in its part: ``("title" | "body", Span)``.

    The sentence is the first one (title, then body sentences in order) with
    ``s[start:end] == txt``; failing that, the first one holding ``txt`` anywhere.
    """
    located: list[tuple[str, int, str]] = [("title", 0, title)]
    at = 0
    for k, para in enumerate(paragraphs):
        if k:
            at += 2
        for j, sent in enumerate(para):
            if j:
                at += 1
            located.append(("body", at, sent))
            at += len(sent)
    for part, base, sent in located:
        if sent[start:end] == txt:
            return part, Span(base + start, base + end)
    for part, base, sent in located:
        pos = sent.find(txt)
        if pos >= 0 and txt:
            return part, Span(base + pos, base + pos + len(txt))
    raise ValueError(f"{record}: lex span {txt[:40]!r} is in no sentence of the article")


def load_basil(data: Path, limit: int | None = None) -> list[BasilArticle]:
    """Every article of the first ``limit`` events (all by default) with its gold lex spans.

    Events come in the order of their first article's path (``articles/YEAR/UUID_N.json``,
    sorted); the outlet is lower-cased (the corpus writes some upper case).
    """
    root = resolve_root(data)
    by_event: dict[str, list[BasilArticle]] = {}
    for path in sorted(root.glob("articles/*/*.json")):
        rel = path.relative_to(root.parent).as_posix()
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
            event = str(rec["triplet-uuid"])
            outlet = str(rec["source"]).lower()
            title, body = article_parts(rec)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a BASIL article ({exc})") from exc
        if event not in by_event and limit is not None and len(by_event) >= limit:
            continue
        ann_path = root / "annotations" / path.parent.name / f"{path.stem}_ann.json"
        if not ann_path.is_file():
            raise FileNotFoundError(f"{path}: no annotation file {ann_path.name}")
        ann = json.loads(ann_path.read_text(encoding="utf-8"))
        lex = []
        for p in ann.get("phrase-level-annotations", []):
            if p.get("bias") != "lex":
                continue
            part, span = align_phrase(title, rec["body-paragraphs"], int(p["start"]),
                                      int(p["end"]), str(p["txt"]), f"{ann_path}:{p.get('id')}")
            lex.append(LexSpan(part, span, str(p["txt"]), str(p.get("quote")) == "yes"))
        article = Article(id=f"b-{path.stem}", outlet=outlet, text=body, title=title,
                          event=event, published=rec.get("date"))
        by_event.setdefault(event, []).append(
            BasilArticle(article, event, outlet, tuple(lex), rel))
    return [a for arts in by_event.values() for a in arts]


# ------------------------------------------------------------------ lexicon floor


@dataclass(frozen=True)
class Lexicon:
    """Strong-subjective MPQA clues: whole words, and stems that also match inflections."""

    words: frozenset[str]
    stems: frozenset[str]

    def matches(self, word: str) -> bool:
        w = word.lower()
        if w in self.words:
            return True
        return any(w.endswith(suf) and w[: len(w) - len(suf)] in self.stems
                   for suf in _SUFFIXES if len(w) > len(suf))


def load_mpqa_strong(path: Path) -> Lexicon:
    """The ``type=strongsubj`` entries of the MPQA subjectivity clues file (Wilson et al. 2005)."""
    words: set[str] = set()
    stems: set[str] = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if fields.get("type") != "strongsubj" or "word1" not in fields:
            continue
        (stems if fields.get("stemmed1") == "y" else words).add(fields["word1"].lower())
    return Lexicon(frozenset(words), frozenset(stems))


def find_mpqa(data: Path) -> Path:
    """The MPQA clues file under ``data`` (``lexicons/``) or beside a BASIL folder."""
    for cand in (data / "lexicons", data.parent / "lexicons", data):
        if (cand / MPQA_FILE).is_file():
            return cand / MPQA_FILE
    raise FileNotFoundError(f"no MPQA subjectivity clues ({MPQA_FILE}) under {data}/lexicons")


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks (the pipeline's quote finder, any length)."""
    from framing.nlp.attribution.quotes import find_quotes

    return find_quotes(text, min_words=1)


def inside(span: Span, regions: Sequence[tuple[int, int]]) -> bool:
    """Does more than half of ``span`` lie inside the quoted ``regions``?"""
    covered = sum(max(0, min(span.end, e) - max(span.start, s)) for s, e in regions)
    return covered * 2 > span.end - span.start


def lexicon_prediction(article: Article, lexicon: Lexicon) -> list[PredSpan]:
    """The floor's loaded spans: every strong-subjective word, the source's inside quotes."""
    out = []
    for part, text in (("title", article.title or ""), ("body", article.text)):
        regions = quoted_regions(text)
        for m in _WORD.finditer(text):
            if lexicon.matches(m.group()):
                span = Span(m.start(), m.end())
                out.append(PredSpan(part, span, not inside(span, regions)))
    return out


def pipeline_prediction(analysed: AnalyzedArticle) -> list[PredSpan]:
    """The pipeline's loaded spans with their part and whether the author is charged."""
    return [PredSpan(s.part, ls.span, ls.speaker == "author")
            for s in analysed.sentences for ls in s.loaded]


# ------------------------------------------------------------------ scoring


def n_words(article: Article) -> int:
    """Words of title and body (the density denominator)."""
    return sum(len(_WORD.findall(t)) for t in (article.title or "", article.text))


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def charge_counts(
    item: BasilArticle, pred: Sequence[PredSpan]
) -> Counter[tuple[str, str]]:
    """(gold side, predicted side) for each gold lex span a predicted span overlaps."""
    conf: Counter[tuple[str, str]] = Counter()
    for g in item.lex:
        hits = [(p, _overlap(p.span, g.span)) for p in pred if p.part == g.part]
        hits = [h for h in hits if h[1] > 0]
        if not hits:
            continue
        best = max(hits, key=lambda h: h[1])[0]
        conf[("source" if g.quoted else "author", "author" if best.author else "source")] += 1
    return conf


def quote_rule_counts(
    item: BasilArticle, only: Iterable[LexSpan] | None = None
) -> Counter[tuple[str, str]]:
    """The charge floor: each gold lex span is the source's when inside quotation marks."""
    regions = {"title": quoted_regions(item.article.title or ""),
               "body": quoted_regions(item.article.text)}
    conf: Counter[tuple[str, str]] = Counter()
    for g in (item.lex if only is None else only):
        got = "source" if inside(g.span, regions[g.part]) else "author"
        conf[("source" if g.quoted else "author", got)] += 1
    return conf


def gold_density(item: BasilArticle) -> float:
    """Lex spans outside quotes (quote "no") per 100 words."""
    words = n_words(item.article)
    return 100.0 * sum(not g.quoted for g in item.lex) / words if words else float("nan")


def predicted_density(item: BasilArticle, pred: Sequence[PredSpan]) -> float:
    """Predicted loaded spans charged to the author per 100 words."""
    words = n_words(item.article)
    return 100.0 * sum(p.author for p in pred) / words if words else float("nan")


def most_loaded_accuracy(
    items: Sequence[BasilArticle], gold: Sequence[float], pred: Sequence[float]
) -> dict[str, Any]:
    """Share of events whose most loaded outlet (highest density) the prediction names.

    Ties share the credit: an event scores |predicted top ∩ gold top| / |predicted top|. Events
    whose gold densities are all zero are left out.
    """
    events: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        events.setdefault(item.event, []).append(k)
    credit, used = 0.0, 0
    for ks in events.values():
        g_max = max(gold[k] for k in ks)
        if not g_max > 0:
            continue
        p_max = max(pred[k] for k in ks)
        g_top = {items[k].outlet for k in ks if gold[k] == g_max}
        p_top = {items[k].outlet for k in ks if pred[k] == p_max}
        credit += len(g_top & p_top) / len(p_top)
        used += 1
    return {"accuracy": _ratio(credit, used), "events": used, "events_all": len(events)}


def token_prf(items: Sequence[BasilArticle], preds: Sequence[Sequence[PredSpan]]
              ) -> dict[str, Any]:
    """Word-token precision, recall and F1 of predicted spans against gold lex spans."""
    tp = n_pred = n_gold = 0
    for item, pred in zip(items, preds, strict=True):
        for part, text in (("title", item.article.title or ""), ("body", item.article.text)):
            g_spans = [g.span for g in item.lex if g.part == part]
            p_spans = [p.span for p in pred if p.part == part]
            for m in _WORD.finditer(text):
                tok = Span(m.start(), m.end())
                g = any(s.overlaps(tok) for s in g_spans)
                p = any(s.overlaps(tok) for s in p_spans)
                tp += g and p
                n_gold += g
                n_pred += p
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
            "tokens_predicted": n_pred, "tokens_gold": n_gold}


def _charge_summary(conf: Counter[tuple[str, str]]) -> dict[str, Any]:
    right = sum(v for (g, p), v in conf.items() if g == p)
    n = sum(conf.values())
    return {"accuracy": _ratio(right, n), "charged": n,
            "confusion": {f"{g} -> {p}": v for (g, p), v in sorted(conf.items()) if g != p}}


def _rho(items: Sequence[BasilArticle], pred_density: Sequence[float],
         n_boot: int, seed: int) -> dict[str, Any]:
    import numpy as np

    from framing.evaluation.density import spearman_bootstrap

    gold = np.array([gold_density(i) for i in items])
    out = spearman_bootstrap(gold, np.array(pred_density), n_boot=n_boot, seed=seed)
    rho = out["rho"]
    return {"rho": None if rho != rho else round(rho, 4),
            "ci95": [None if v != v else round(v, 4) for v in out["ci95"]],
            "articles": out["n"], "bootstrap": out["bootstrap"],
            "bootstrap_undefined": out["bootstrap_undefined"]}


def expected_density(analysed: AnalyzedArticle) -> float:
    """The tool's own density: expected loaded words the outlet chose (word probabilities, no
    cut; ``loaded_expected_author``) per 100 words of title and body; NaN without a model."""
    vals = [s.loaded_expected_author for s in analysed.sentences
            if s.loaded_expected_author is not None]
    words = n_words(analysed.article)
    return 100.0 * sum(vals) / words if vals and words else float("nan")


def score_predictions(
    items: Sequence[BasilArticle],
    preds: Sequence[Sequence[PredSpan]],
    n_boot: int = BOOTSTRAP,
    seed: int = SEED,
    densities: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Charge, density Spearman, most-loaded outlet and token figures of one predictor.

    ``densities``: the predictor's own per-article densities (the tool's expected count);
    without them, its spans charged to the author per 100 words. Both are reported when given.
    """
    conf: Counter[tuple[str, str]] = Counter()
    for item, pred in zip(items, preds, strict=True):
        conf.update(charge_counts(item, pred))
    span_d = [predicted_density(i, p) for i, p in zip(items, preds, strict=True)]
    pred_d = list(densities) if densities is not None else span_d
    gold_d = [gold_density(i) for i in items]
    out: dict[str, Any] = {
        "charge": _charge_summary(conf),
        "spearman": _rho(items, pred_d, n_boot, seed),
        "most_loaded_outlet": most_loaded_accuracy(items, gold_d, pred_d),
        "token": token_prf(items, preds),
        "mean_density": round(sum(pred_d) / len(pred_d), 4) if pred_d else None,
        "density": "expected count" if densities is not None else "spans",
    }
    if densities is not None:
        out["spearman_spans"] = _rho(items, span_d, n_boot, seed)
        out["most_loaded_outlet_spans"] = most_loaded_accuracy(items, gold_d, span_d)
    return out


def score_basil(
    items: Sequence[BasilArticle],
    analysed: Sequence[AnalyzedArticle],
    lexicon: Lexicon | None = None,
    n_boot: int = BOOTSTRAP,
    seed: int = SEED,
) -> dict[str, Any]:
    """The system's BASIL figures and, with a ``lexicon``, the floors beside them."""
    by_id = {a.article.id: a for a in analysed}
    missing = [i.article.id for i in items if i.article.id not in by_id]
    if missing:
        raise ValueError(f"articles not analysed: {', '.join(missing[:5])}")
    preds = [pipeline_prediction(by_id[i.article.id]) for i in items]
    expected = [expected_density(by_id[i.article.id]) for i in items]
    system = score_predictions(items, preds, n_boot, seed,
                               None if all(d != d for d in expected) else expected)
    gold_d = [gold_density(i) for i in items]
    result: dict[str, Any] = {
        "articles": len(items),
        "events": len({i.event for i in items}),
        "gold_lex": sum(len(i.lex) for i in items),
        "gold_lex_outside_quotes": sum(not g.quoted for i in items for g in i.lex),
        "gold_mean_density": round(sum(gold_d) / len(gold_d), 4) if gold_d else None,
        "system": system,
    }
    quote_all: Counter[tuple[str, str]] = Counter()
    quote_paired: Counter[tuple[str, str]] = Counter()
    for item, pred in zip(items, preds, strict=True):
        quote_all.update(quote_rule_counts(item))
        charged = [g for g in item.lex
                   if any(p.part == g.part and p.span.overlaps(g.span) for p in pred)]
        quote_paired.update(quote_rule_counts(item, charged))
    floors: dict[str, Any] = {
        "charge_quote_rule": _charge_summary(quote_all),
        "charge_quote_rule_on_system_charged": _charge_summary(quote_paired),
    }
    if lexicon is not None:
        lex_preds = [lexicon_prediction(i.article, lexicon) for i in items]
        floors["mpqa_strongsubj"] = score_predictions(items, lex_preds, n_boot, seed)
    result["floors"] = floors
    return result


def evaluate(
    data: Path,
    limit: int | None = None,
    loaded_model: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``framing eval basil --data PATH``: analyse every article and score it (module docstring)."""
    from framing.nlp.pipeline import PIPELINE_VERSION, analyze_articles, model_versions
    from framing.settings import Settings

    items = load_basil(data, limit)
    if not items:
        raise FileNotFoundError(f"no BASIL article under {data}")
    lexicon = load_mpqa_strong(find_mpqa(data))
    settings = Settings() if loaded_model is None else Settings(loaded_model=loaded_model)

    def report(done: int, total: int) -> None:
        if progress is not None and (done % 10 == 0 or done == total):
            progress(f"basil: analysed {done}/{total}")

    analysed = analyze_articles([i.article for i in items], settings, progress=report)
    result = score_basil(items, analysed, lexicon)
    result.update({
        "dataset": "basil",
        "data": str(resolve_root(data)),
        "limit_events": limit,
        "pipeline_version": PIPELINE_VERSION,
        "loaded_model": settings.loaded_model,
        "models": model_versions(settings),
        "settings_hash": settings.hash(),
        "protocol": "lex spans aligned by s[start:end]==txt; charge: gold author = quote 'no', "
        "best-overlapping predicted span; density: the tool's expected loaded words it charges "
        "to the author (word probabilities, no cut; spans charged to the author beside it, and "
        "for the word-list floor) / lex quote 'no', per 100 words of title+body; Spearman over articles, bootstrap 95% CI (seed 42); "
        "most-loaded outlet: ties share credit, events without gold lex outside quotes left out; "
        "token P/R/F1 over word tokens, any speaker",
    })
    return result


def _fmt_charge(c: Mapping[str, Any]) -> str:
    return f"{c['accuracy']} ({c['charged']} charged) {json.dumps(c['confusion'])}"


def _fmt_block(name: str, r: Mapping[str, Any]) -> list[str]:
    s, t, m = r["spearman"], r["token"], r["most_loaded_outlet"]
    return [
        f"{name}",
        f"  charge accuracy        {_fmt_charge(r['charge'])}",
        f"  density Spearman       {s['rho']} (95% CI {s['ci95'][0]} .. {s['ci95'][1]}, "
        f"{s['articles']} articles; {r.get('density', 'spans')})",
        *([f"  same, spans            {r['spearman_spans']['rho']}"] if "spearman_spans" in r
          else []),
        f"  most-loaded outlet     {m['accuracy']} ({m['events']} of {m['events_all']} events)",
        f"  token P / R / F1       {t['precision']} / {t['recall']} / {t['f1']}",
    ]


def render(result: Mapping[str, Any]) -> str:
    """A plain-text summary of :func:`evaluate` for the terminal."""
    lines = [
        f"BASIL {result.get('data', '')}: {result['articles']} articles, {result['events']} events, "
        f"{result['gold_lex']} gold lex spans ({result['gold_lex_outside_quotes']} outside quotes)",
        f"pipeline {result.get('pipeline_version', '?')}, loaded model "
        f"{result.get('loaded_model', '?')}",
        *_fmt_block("system", result["system"]),
        "floors",
        f"  charge, quote rule     {_fmt_charge(result['floors']['charge_quote_rule'])}",
        "  charge, quote rule on the system's charged spans "
        + _fmt_charge(result["floors"]["charge_quote_rule_on_system_charged"]),
    ]
    if "mpqa_strongsubj" in result["floors"]:
        lines += ["  " + line for line in _fmt_block("MPQA strong-subjective words",
                                                     result["floors"]["mpqa_strongsubj"])]
    return "\n".join(lines)
