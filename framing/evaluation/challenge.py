"""Challenge sets: voice, source kind, loaded phrases and who chose them, sentence by sentence.

Protocol (``../shared/data/README.md`` and ``challenge/GUIDELINE.md``): each gold sentence is
matched to the predicted sentence of the same part (title or body) that overlaps it most. Voice
accuracy is overall, per gold class (recall) and per phenomenon code. Source-kind accuracy counts
a gold source as right when the predicted source whose phrase overlaps it most has the same kind
(no overlapping predicted source: wrong). Loaded phrases score precision, recall and F1 with any
character overlap; charge accuracy is author vs not-author for each gold phrase a predicted span
overlaps. A gold ``author`` line of code K or P (no assertion: dateline, byline, section label)
predicted ``other`` counts as right (:func:`no_assertion_credit`). The set's path is always an
argument: challenge sets are data, never shipped. A set may also be a standoff file (offsets, no
text: :mod:`framing.evaluation.standoff`), read against the corpus at ``--data``.

Inter-annotator agreement (:func:`score_agreement`) scores a second annotator's gold as if it were
a prediction (:func:`gold_as_analysis`), with the same scorer and so the same metric definitions.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.models import (
    AnalyzedArticle,
    Article,
    Attribution,
    LoadedSpan,
    SentenceAnalysis,
    Source,
    Span,
)

#: Goals of the voice/speaker work on the development set (issue 14).
GOALS: dict[str, float] = {
    "voice_accuracy": 0.95,
    "author_recall": 0.93,
    "source_kind_accuracy": 0.92,
    "loaded_f1": 0.80,
    "charge_accuracy": 0.95,
}


@dataclass(frozen=True)
class GoldSentence:
    """One hand-labelled sentence, located in its part."""

    part: str
    span: Span
    text: str
    category: str
    voice: str
    sources: tuple[tuple[Span, str, str], ...]  # (span, phrase, kind)
    loaded: tuple[tuple[Span, str, str], ...]  # (span, phrase, speaker)
    evaluative_cues: tuple[str, ...]


@dataclass(frozen=True)
class ChallengeArticle:
    """An invented article and its gold sentences."""

    article: Article
    gold: tuple[GoldSentence, ...]


def _locate(haystack: str, needle: str, start: int, record: str) -> int:
    at = haystack.find(needle, start)
    if at < 0:
        at = haystack.find(needle)
    if at < 0:
        raise ValueError(f"{record}: gold text {needle[:60]!r} is not in the article")
    return at


def find_phrase(text: str, phrase: str, start: int = 0, end: int | None = None) -> int:
    """Where ``phrase`` is in ``text[start:end]``: its first whole-word occurrence ("he" in
    "“They're all accurate,” he said" is the pronoun, not the letters of "They're"), else its
    first occurrence at all; -1 when absent."""
    stop = len(text) if end is None else end
    if phrase:
        lead = r"(?<!\w)" if phrase[0].isalnum() else ""
        tail = r"(?!\w)" if phrase[-1].isalnum() else ""
        m = re.compile(lead + re.escape(phrase) + tail).search(text, start, stop)
        if m is not None:
            return m.start()
    return text.find(phrase, start, stop)


def _phrases(
    sent_text: str, sent_start: int, items: Iterable[tuple[str, str]], record: str
) -> tuple[tuple[Span, str, str], ...]:
    out = []
    for phrase, label in items:
        at = find_phrase(sent_text, phrase)
        if at < 0:
            raise ValueError(f"{record}: phrase {phrase!r} is not in sentence {sent_text[:60]!r}")
        out.append((Span(sent_start + at, sent_start + at + len(phrase)), phrase, label))
    return tuple(out)


def jsonl_records(path: Path, what: str) -> Iterator[tuple[str, Any]]:
    """``(record, parsed line)`` of a JSON Lines set, ``record`` naming ``path:line``; blank
    lines skipped; a line that is no JSON raises ``ValueError`` naming its record."""
    if not path.is_file():
        raise FileNotFoundError(f"no {what} at {path}")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = f"{path}:{n}"
        try:
            yield record, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{record}: not a {what} record ({exc})") from exc


def load_challenge(path: Path) -> list[ChallengeArticle]:
    """Read a challenge set (JSON Lines, one article per line, format in GUIDELINE.md)."""
    out: list[ChallengeArticle] = []
    for record, rec in jsonl_records(path, "challenge set"):
        try:
            article = Article(id=str(rec["id"]), outlet=str(rec["outlet"]), text=rec["text"],
                              title=rec.get("title") or None, event=rec.get("event"))
            gold_rows = rec["gold"]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{record}: not a challenge record ({exc})") from exc
        cursor = {"title": 0, "body": 0}
        gold: list[GoldSentence] = []
        for g in gold_rows:
            part = g["part"]
            where = (article.title or "") if part == "title" else article.text
            start = _locate(where, g["text"], cursor[part], record)
            cursor[part] = start + len(g["text"])
            gold.append(GoldSentence(
                part=part,
                span=Span(start, start + len(g["text"])),
                text=g["text"],
                category=g.get("category", "?"),
                voice=g["voice"],
                sources=_phrases(g["text"], start,
                                 ((s["text"], s["kind"]) for s in g.get("sources", [])), record),
                loaded=_phrases(g["text"], start,
                                ((x["text"], x["speaker"]) for x in g.get("loaded", [])), record),
                evaluative_cues=tuple(g.get("evaluative_cues", [])),
            ))
        out.append(ChallengeArticle(article, tuple(gold)))
    return out


#: Phenomenon codes of gold ``author`` lines that may be no assertion at all (K: datelines,
#: bylines; P: section labels such as "FULL TEXT."): a prediction of ``other`` is right for them.
NO_ASSERTION_CODES = frozenset({"K", "P"})


def no_assertion_credit(gold: GoldSentence, predicted_voice: str) -> bool:
    """Is ``predicted_voice`` ``other`` for a gold ``author`` line of code K or P?

    The data README: "A line that is no assertion (dateline, byline, section label ...) is gold
    `author` with code K or P; predicting `other` for it counts as right." Only that case.
    """
    return (predicted_voice == "other" and gold.voice == "author"
            and gold.category in NO_ASSERTION_CODES)


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _match(gold: GoldSentence, sents: Sequence[SentenceAnalysis]) -> SentenceAnalysis | None:
    best, best_ov = None, 0
    for s in sents:
        if s.part != gold.part:
            continue
        ov = _overlap(s.span, gold.span)
        if ov > best_ov:
            best, best_ov = s, ov
    return best


def _sources(analysed: AnalyzedArticle, part: str) -> list[Source]:
    """Every source of the part's attributions, chain parents included, once each."""
    seen: dict[tuple[int, int, str], Source] = {}
    for s in analysed.sentences:
        if s.part != part:
            continue
        for a in s.attributions:
            node: Any = a
            while node is not None:
                src = node.source
                if src.span is not None:
                    seen.setdefault((src.span.start, src.span.end, src.kind), src)
                node = node.parent
    return list(seen.values())


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _agreement(conf: Counter[tuple[str, str]]) -> tuple[float | None, dict[str, int]]:
    """Accuracy of a (gold, predicted) confusion count and its off-diagonal cells."""
    right = sum(v for (g, p), v in conf.items() if g == p)
    wrong = {f"{g} -> {p}": v for (g, p), v in sorted(conf.items()) if g != p}
    return _ratio(right, sum(conf.values())), wrong


def score_challenge(
    items: Sequence[ChallengeArticle], analysed: Sequence[AnalyzedArticle]
) -> dict[str, Any]:
    """Voice, source-kind, loaded-phrase and charge figures of an analysis against the gold."""
    by_id = {a.article.id: a for a in analysed}
    voice_conf: Counter[tuple[str, str]] = Counter()
    by_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kind_conf: Counter[tuple[str, str]] = Counter()
    charge_conf: Counter[tuple[str, str]] = Counter()
    n_pred_loaded = tp_pred = n_gold_loaded = tp_gold = 0
    fp_on_cues = other_credited = 0
    errors: list[dict[str, Any]] = []
    for item in items:
        art = by_id.get(item.article.id)
        if art is None:
            raise ValueError(f"article {item.article.id!r} was not analysed")
        sources = {part: _sources(art, part) for part in ("title", "body")}
        matched: dict[int, GoldSentence] = {}
        for g in item.gold:
            pred = _match(g, art.sentences)
            voice = pred.voice if pred is not None else "(none)"
            if no_assertion_credit(g, voice):
                other_credited += 1
                voice = g.voice
            voice_conf[(g.voice, voice)] += 1
            by_code[g.category][0] += voice == g.voice
            by_code[g.category][1] += 1
            problems: list[str] = []
            if voice != g.voice:
                problems.append(f"voice {voice} (gold {g.voice})")
            for span, phrase, kind in g.sources:
                cands = [(s, _overlap(s.span, span)) for s in sources[g.part]
                         if s.span is not None and _overlap(s.span, span) > 0]
                got = max(cands, key=lambda c: c[1])[0].kind if cands else "(missed)"
                kind_conf[(kind, got)] += 1
                if got != kind:
                    problems.append(f"source {phrase!r} {got} (gold {kind})")
            pred_loaded = () if pred is None else pred.loaded
            if pred is not None:
                matched.setdefault(id(pred), g)
            for span, phrase, speaker in g.loaded:
                hits = [p for p in pred_loaded if p.span.overlaps(span)]
                n_gold_loaded += 1
                if not hits:
                    problems.append(f"loaded {phrase!r} missed")
                    continue
                tp_gold += 1
                gold_side = "author" if speaker == "author" else "source"
                got_side = "author" if hits[0].speaker == "author" else "source"
                charge_conf[(gold_side, got_side)] += 1
                if gold_side != got_side:
                    problems.append(f"loaded {phrase!r} charged to {hits[0].speaker!r} "
                                    f"(gold {speaker!r})")
            if pred is not None and matched.get(id(pred)) is g:
                for p in pred.loaded:
                    n_pred_loaded += 1
                    if any(p.span.overlaps(span) for span, _, _ in g.loaded):
                        tp_pred += 1
                    else:
                        cue_hit = any(c.lower() in p.text.lower() for c in g.evaluative_cues)
                        fp_on_cues += cue_hit
                        problems.append(f"loaded {p.text!r} ({p.score:.2f}) false alarm"
                                        + (" on an evaluative cue" if cue_hit else ""))
            if problems:
                errors.append({"article": item.article.id, "part": g.part,
                               "category": g.category, "text": g.text, "problems": problems})
    n = sum(voice_conf.values())
    classes = sorted({g for g, _ in voice_conf})
    per_class = {c: _ratio(voice_conf[(c, c)], sum(v for (g, _), v in voice_conf.items()
                                                   if g == c)) for c in classes}
    precision = _ratio(tp_pred, n_pred_loaded)
    recall = _ratio(tp_gold, n_gold_loaded)
    f1 = (round(2 * precision * recall / (precision + recall), 4)
          if precision and recall else 0.0)
    n_kind = sum(kind_conf.values())
    n_charge = sum(charge_conf.values())
    voice_acc, voice_wrong = _agreement(voice_conf)
    kind_acc, kind_wrong = _agreement(kind_conf)
    charge_acc, charge_wrong = _agreement(charge_conf)
    result: dict[str, Any] = {
        "sentences": n,
        "voice_accuracy": voice_acc,
        "voice_per_class": per_class,
        "author_recall": per_class.get("author"),
        "voice_per_code": {c: _ratio(ok, tot) for c, (ok, tot) in sorted(by_code.items())},
        "voice_confusion": voice_wrong,
        "voice_other_credited": other_credited,
        "sources": n_kind,
        "source_kind_accuracy": kind_acc,
        "source_kind_confusion": kind_wrong,
        "loaded_gold": n_gold_loaded,
        "loaded_predicted": n_pred_loaded,
        "loaded_precision": precision,
        "loaded_recall": recall,
        "loaded_f1": f1,
        "loaded_false_alarms_on_evaluative_cues": fp_on_cues,
        "charged": n_charge,
        "charge_accuracy": charge_acc,
        "charge_confusion": charge_wrong,
        "errors": errors,
    }
    result["goals"] = {k: {"goal": v, "met": (result.get(k) or 0.0) >= v}
                       for k, v in GOALS.items()}
    return result


def gold_as_analysis(item: ChallengeArticle, version: str = "annotator") -> AnalyzedArticle:
    """An annotator's gold in the shape of an analysis, to score it as a prediction.

    Each gold sentence becomes a sentence of its voice; each gold source one attribution whose
    source has the gold phrase, span and kind; each gold loaded phrase a loaded span charged to
    its gold speaker (``"author"`` or the source phrase).
    """
    sents = []
    for k, g in enumerate(item.gold):
        atts = tuple(Attribution("reported", g.span, Source(phrase, kind, span))
                     for span, phrase, kind in g.sources)
        loaded = tuple(LoadedSpan(span, phrase, 1.0, (), speaker)
                       for span, phrase, speaker in g.loaded)
        sents.append(SentenceAnalysis(k, g.span, g.text, g.voice, atts, loaded, part=g.part))
    return AnalyzedArticle(item.article, tuple(sents), (), version)


def score_agreement(
    first: Sequence[ChallengeArticle], second: Sequence[ChallengeArticle]
) -> dict[str, Any]:
    """Annotator ``second`` scored against annotator ``first`` on the articles both labelled.

    Same scorer as the system (:func:`score_challenge`), ``first`` as gold. An article of both
    sets must have the same text in each.
    """
    by_id = {i.article.id: i for i in second}
    shared = [i for i in first if i.article.id in by_id]
    if not shared:
        raise ValueError("the two annotation sets share no article id")
    for i in shared:
        other = by_id[i.article.id].article
        if (other.text.strip(), (other.title or "").strip()) != (
                i.article.text.strip(), (i.article.title or "").strip()):
            raise ValueError(f"article {i.article.id!r}: the two sets hold different texts")
    result = score_challenge(shared, [gold_as_analysis(by_id[i.article.id]) for i in shared])
    result["articles"] = len(shared)
    result["shared_ids"] = [i.article.id for i in shared]
    result["pipeline_version"] = "(second annotator)"
    return result


def is_standoff(path: Path) -> bool:
    """A standoff set: named ``*.standoff.jsonl``, or its first record has a ``file`` key."""
    if path.name.endswith(".standoff.jsonl"):
        return True
    if not path.is_file():
        return False
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(rec, dict) and "file" in rec
    return False


def load_set(path: Path, data: Path | None = None) -> list[ChallengeArticle]:
    """A challenge set with text (:func:`load_challenge`) or a standoff one read against
    ``data`` (:func:`framing.evaluation.standoff.load_standoff`)."""
    if is_standoff(path):
        from framing.evaluation.standoff import load_standoff

        if data is None:
            raise ValueError(f"{path} is a standoff set (no text): give --data, the folder "
                             "holding polnear/ and basil/")
        return load_standoff(path, data)
    return load_challenge(path)


def evaluate(
    path: Path,
    limit: int | None = None,
    loaded_model: str | None = None,
    data: Path | None = None,
) -> dict[str, Any]:
    """``framing eval challenge --set PATH``: analyse the set's articles and score them
    (``loaded_model``: another loaded-language model than the default, e.g. ``"static"``;
    ``data``: the corpus folder a standoff set points into)."""
    from framing.nlp.pipeline import PIPELINE_VERSION, analyze_articles
    from framing.settings import Settings

    items = load_set(path, data)
    if limit is not None:
        items = items[:limit]
    settings = Settings() if loaded_model is None else Settings(loaded_model=loaded_model)
    analysed = analyze_articles([i.article for i in items], settings)
    result = score_challenge(items, analysed)
    result["set"] = str(path)
    result["articles"] = len(items)
    result["pipeline_version"] = PIPELINE_VERSION
    result["loaded_model"] = settings.loaded_model
    return result


def render(result: dict[str, Any]) -> str:
    """A plain-text summary of :func:`score_challenge` for the terminal."""
    lines = [
        f"challenge set {result.get('set', '')}: {result['articles']} articles, "
        f"{result['sentences']} sentences (pipeline {result.get('pipeline_version', '?')})",
        f"voice accuracy        {result['voice_accuracy']}"
        + (f" ({result['voice_other_credited']} K/P lines predicted other, counted right)"
           if result.get("voice_other_credited") else ""),
        "  per class (recall)  " + ", ".join(f"{k} {v}" for k, v in
                                             result["voice_per_class"].items()),
        "  per code            " + ", ".join(f"{k} {v}" for k, v in
                                             result["voice_per_code"].items()),
        f"source-kind accuracy  {result['source_kind_accuracy']} ({result['sources']} sources)",
        f"loaded P / R / F1     {result['loaded_precision']} / {result['loaded_recall']} / "
        f"{result['loaded_f1']} ({result['loaded_predicted']} predicted, "
        f"{result['loaded_gold']} gold)",
        f"charge accuracy       {result['charge_accuracy']} ({result['charged']} charged)",
        "voice confusions      " + json.dumps(result["voice_confusion"]),
        "source-kind confusions " + json.dumps(result["source_kind_confusion"]),
        "charge confusions     " + json.dumps(result["charge_confusion"]),
        "goals                 " + ", ".join(
            f"{k} {'met' if v['met'] else 'NOT met'} (>= {v['goal']})"
            for k, v in result["goals"].items()),
    ]
    return "\n".join(lines)
