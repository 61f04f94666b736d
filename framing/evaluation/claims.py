"""framing eval claims: claims aligned across outlets, scored on labelled BASIL sentence pairs.

The labelled set (``annotations/basil-claim-pairs.jsonl``, protocol in ``annotations/README.md``)
holds pairs of sentences of one BASIL event from two outlets, each labelled ``same_fact`` or
``not_same_fact``, as standoff: the article (``UUID_N``), the part (``title`` or ``body``, the
body built as :func:`framing.evaluation.basil.article_parts` builds it), character offsets and a
sha256 of the sentence; no text. The pairs' events are analysed by the pipeline and their claims
aligned exactly as a run does (:func:`framing.compare.claims.claims_of_event`), then:

* **pairs**: a labelled sentence is the pipeline sentence of its part that overlaps it most; a
  pair is predicted *same* when both sentences are in one claim (a sentence that is no claim
  candidate is in none). Precision, recall and F1 of *same* against ``same_fact``;
* **omissions**: each ``same_fact`` pair (a of outlet A, b of outlet B) says that B carries the
  claim holding a, and A the claim holding b. Listing B among the outlets that omit a's claim is a
  *false omission*. Reported: the share of these labelled (claim, outlet) units listed as omitted
  (false-omission rate), and the omission precision the labels allow: of the omissions the tool
  lists for a claim holding a labelled sentence, towards the outlet of that sentence's partner
  (the omissions the labels can check), the share no ``same_fact`` pair contradicts. It is an
  upper bound: an omission not contradicted is not thereby confirmed. Its cost side: the share of
  pairs whose two sentences count as carrying one claim (one claim, or as similar as the carry
  threshold with compatible speakers), per label: high for ``same_fact``, low for
  ``not_same_fact``;
* **informational bias**: BASIL's ``inf`` spans mark facts an outlet chose to tell. For each span
  in a claim candidate, the share of the event's other outlets listed as omitting its claim, and
  the share of spans with at least one. A check, not a gold standard: another outlet may carry
  the fact in other words (no omission) or not at all.

Each figure is given for the ``dev`` events (thresholds were tuned on them), the ``test`` events
(reported) and all, for the settings of the previous release (``before``: sentence text, no
speakers, an outlet omits what it has no sentence in the claim of, cut 0.65) and the current ones
(``after``). The corpus is read from ``--data`` at run time; none of its text is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.evaluation.basil import BasilArticle, align_phrase, load_basil, resolve_root
from framing.models import AnalyzedArticle, Claim, Span

#: The labelled pairs shipped with the project (annotations/ beside the package).
PAIRS_FILE = Path(__file__).resolve().parents[2] / "annotations" / "basil-claim-pairs.jsonl"
LABELS = ("same_fact", "not_same_fact")
SPLITS = ("dev", "test", "all")

EmbedFn = Callable[[Sequence[str]], Any]


@dataclass(frozen=True)
class PairSide:
    """One labelled sentence: its article (``UUID_N``), outlet, part and offsets in the part."""

    article: str
    outlet: str
    part: str
    span: Span
    sha256: str

    @property
    def article_id(self) -> str:
        """The id :func:`framing.evaluation.basil.load_basil` gives the article."""
        return f"b-{self.article}"


@dataclass(frozen=True)
class ClaimPair:
    """Two sentences of one event from two outlets, labelled same fact or not."""

    id: str
    event: str
    split: str
    a: PairSide
    b: PairSide
    label: str
    reason: str

    @property
    def same(self) -> bool:
        return self.label == "same_fact"


@dataclass(frozen=True)
class Config:
    """How claims are aligned: ``threshold`` (cluster cut), ``carry_threshold`` (None: an outlet
    omits every claim it has no sentence in), ``speakers`` (different identified speakers never
    merge), ``core`` (sentences embedded on their factual core, not their text)."""

    name: str
    threshold: float
    carry_threshold: float | None
    speakers: bool
    core: bool


def before_config() -> Config:
    """The previous release: sentence text, no speakers, omission = no sentence in the claim."""
    return Config("before", 0.65, None, False, False)


def after_config() -> Config:
    """The current defaults of :mod:`framing.compare.claims`."""
    from framing.compare.claims import CARRY_THRESHOLD, DEFAULT_THRESHOLD

    return Config("after", DEFAULT_THRESHOLD, CARRY_THRESHOLD, True, True)


# ------------------------------------------------------------------ the labelled pairs


def _side(raw: Mapping[str, Any], where: str) -> PairSide:
    try:
        part = str(raw["part"])
        if part not in ("title", "body"):
            raise ValueError(f"part {part!r}")
        return PairSide(str(raw["article"]), str(raw["outlet"]).lower(), part,
                        Span(int(raw["start"]), int(raw["end"])), str(raw["sha256"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: not a pair side ({exc})") from exc


def load_pairs(path: Path) -> list[ClaimPair]:
    """The labelled pairs of a standoff file (one JSON object a line)."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
            label, split = str(raw["label"]), str(raw["split"])
            pair = ClaimPair(str(raw["id"]), str(raw["event"]), split, _side(raw["a"], where),
                             _side(raw["b"], where), label, str(raw.get("reason", "")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: not a labelled pair ({exc})") from exc
        if label not in LABELS or split not in SPLITS[:2]:
            raise ValueError(f"{where}: label {label!r} / split {split!r} unknown")
        out.append(pair)
    return out


def side_text(side: PairSide, items: Mapping[str, BasilArticle]) -> str:
    """The labelled sentence read from the corpus (its part's text, the side's offsets)."""
    item = items.get(side.article_id)
    if item is None:
        raise ValueError(f"{side.article}: not a BASIL article of the data folder")
    text = (item.article.title or "") if side.part == "title" else item.article.text
    if side.span.end > len(text):
        raise ValueError(f"{side.article}: offsets {side.span.start}-{side.span.end} past the "
                         f"{side.part} ({len(text)} characters)")
    return text[side.span.start:side.span.end]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_pairs(pairs: Iterable[ClaimPair], items: Sequence[BasilArticle]) -> None:
    """Every side resolves to its sentence: offsets inside the part and the text's hash as
    recorded (a changed corpus or a changed :func:`article_parts` is caught here)."""
    by_id = {i.article.id: i for i in items}
    for p in pairs:
        for side in (p.a, p.b):
            if by_id.get(side.article_id) and by_id[side.article_id].event != p.event:
                raise ValueError(f"{p.id}: {side.article} is not an article of event {p.event}")
            if sha256(side_text(side, by_id)) != side.sha256:
                raise ValueError(f"{p.id}: the text at {side.article} {side.part} "
                                 f"{side.span.start}-{side.span.end} changed (sha256 differs)")


# ------------------------------------------------------------------ locating sentences


def sentence_of(analysed: AnalyzedArticle, part: str, span: Span) -> int | None:
    """Index of the pipeline sentence of ``part`` overlapping ``span`` most (None: none)."""
    best, best_overlap = None, 0
    for s in analysed.sentences:
        if s.part != part:
            continue
        overlap = min(s.span.end, span.end) - max(s.span.start, span.start)
        if overlap > best_overlap:
            best, best_overlap = s.index, overlap
    return best


def claim_index(claims: Iterable[Claim]) -> dict[tuple[str, int], Claim]:
    """(article id, sentence index) -> the claim holding that sentence."""
    return {(s.article_id, s.index): c for c in claims for s in c.sentences}


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def score_pairs(
    pairs: Sequence[ClaimPair],
    claims: Mapping[str, Sequence[Claim]],
    analysed: Mapping[str, AnalyzedArticle],
    links: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """Pair P/R/F1, false omissions and the omission precision the labels allow (module
    docstring) for ``pairs``; ``claims`` by event, ``analysed`` by article id; ``links``: pair id
    -> whether its two sentences count as carrying one claim (one claim, or as similar as the
    carry threshold with compatible speakers), reported per label."""
    index = {ev: claim_index(cs) for ev, cs in claims.items()}

    def claim_of(p: ClaimPair, side: PairSide) -> Claim | None:
        i = sentence_of(analysed[side.article_id], side.part, side.span)
        return None if i is None else index.get(p.event, {}).get((side.article_id, i))

    tp = fp = fn = tn = 0
    in_claims = 0
    carried: set[tuple[str, int, str]] = set()  # (event, claim, outlet) the labels say carries
    contradicted: set[tuple[str, int, str]] = set()
    checkable: set[tuple[str, int, str]] = set()  # omissions listed that the labels can check
    errors = []
    for p in pairs:
        ca, cb = claim_of(p, p.a), claim_of(p, p.b)
        in_claims += (ca is not None) + (cb is not None)
        same = ca is not None and ca is cb
        if p.same and same:
            tp += 1
        elif p.same:
            fn += 1
        elif same:
            fp += 1
        else:
            tn += 1
        if same != p.same:
            errors.append(p.id)
        for claim, other in ((ca, p.b.outlet), (cb, p.a.outlet)):
            if claim is None:
                continue
            key = (p.event, claim.claim_id, other)
            if other in claim.omitted_by:
                checkable.add(key)
            if p.same:
                carried.add(key)
                if other in claim.omitted_by:
                    contradicted.add(key)
    n_same = sum(p.same for p in pairs)
    linked: dict[str, Any] = {}
    if links is not None:
        for label, want in (("same_fact", True), ("not_same_fact", False)):
            group = [p for p in pairs if p.same == want]
            linked[label] = _ratio(sum(bool(links.get(p.id)) for p in group), len(group))
    return {
        "pairs": len(pairs), "same_fact": n_same, "not_same_fact": len(pairs) - n_same,
        "sentences_in_claims": _ratio(in_claims, 2 * len(pairs)),
        "pair": {**_prf(tp, fp, fn), "tn": tn, "accuracy": _ratio(tp + tn, len(pairs))},
        "omission": {
            "carried_units": len(carried),
            "false_omissions": len(contradicted),
            "false_omission_rate": _ratio(len(contradicted), len(carried)),
            "checkable_omissions": len(checkable),
            "precision_upper_bound": (None if not checkable else
                                      round(1 - len(contradicted) / len(checkable), 4)),
            "pairs_carrying_each_other": linked,
        },
        "errors": errors,
    }


# ------------------------------------------------------------------ informational bias


@dataclass(frozen=True)
class InfSpan:
    """A BASIL informational-bias span placed in its part of an article."""

    article_id: str
    event: str
    outlet: str
    part: str
    span: Span


def load_inf_spans(data: Path, items: Sequence[BasilArticle]) -> list[InfSpan]:
    """The ``inf`` spans of ``items`` (placed like lex spans: :func:`align_phrase`)."""
    root = resolve_root(data)
    out = []
    for item in items:
        path = root.parent / item.file
        rec = json.loads(path.read_text(encoding="utf-8"))
        ann_path = root / "annotations" / path.parent.name / f"{path.stem}_ann.json"
        ann = json.loads(ann_path.read_text(encoding="utf-8"))
        for p in ann.get("phrase-level-annotations", []):
            if p.get("bias") != "inf":
                continue
            part, span = align_phrase(str(rec["title"]), rec["body-paragraphs"], int(p["start"]),
                                      int(p["end"]), str(p["txt"]), f"{ann_path}:{p.get('id')}")
            out.append(InfSpan(item.article.id, item.event, item.outlet, part, span))
    return out


def inf_check(
    spans: Sequence[InfSpan],
    claims: Mapping[str, Sequence[Claim]],
    analysed: Mapping[str, AnalyzedArticle],
    outlets: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """For the ``inf`` spans in a claim: the share of the event's other outlets listed as
    omitting it, and the share of spans with at least one such outlet."""
    index = {ev: claim_index(cs) for ev, cs in claims.items()}
    in_claim = any_other = 0
    shares: list[float] = []
    for s in spans:
        i = sentence_of(analysed[s.article_id], s.part, s.span)
        claim = None if i is None else index.get(s.event, {}).get((s.article_id, i))
        if claim is None:
            continue
        in_claim += 1
        others = [o for o in outlets[s.event] if o != s.outlet]
        omitting = [o for o in others if o in claim.omitted_by]
        any_other += bool(omitting)
        shares.append(len(omitting) / len(others) if others else 0.0)
    return {"inf_spans": len(spans), "in_a_claim": in_claim,
            "share_with_an_outlet_omitting": _ratio(any_other, in_claim),
            "mean_share_of_other_outlets_omitting": _ratio(sum(shares), len(shares))}


# ------------------------------------------------------------------ running the pipeline


def event_claims(
    event: str,
    analysed: Sequence[AnalyzedArticle],
    embed: EmbedFn,
    config: Config,
) -> tuple[list[Claim], dict[str, str]]:
    """The claims of one event as a run aligns them (labels, actor names neutralised, no
    syndicated copies among BASIL's three outlets), with ``config``'s settings; and the actor
    label map they were compared with."""
    from framing.compare.claims import claims_of_event, label_map
    from framing.compare.labels import build_labels, extract_mentions, label_key, load_aliases

    alias_rows = load_aliases(None)
    mentions = extract_mentions(analysed, alias_rows)
    keys = sorted({label_key(m.text) for m in mentions})
    labels = build_labels(mentions, alias_rows, dict(zip(keys, embed(keys), strict=True)),
                          event=event)
    names = label_map(labels)
    outlets = sorted({a.article.outlet for a in analysed})
    claims = claims_of_event(analysed, embed, outlets, names=names, threshold=config.threshold,
                             carry_threshold=config.carry_threshold, speakers=config.speakers,
                             core=config.core)
    return claims, names


def pair_links(
    pairs: Sequence[ClaimPair],
    event: str,
    analysed: Sequence[AnalyzedArticle],
    claims: Sequence[Claim],
    names: Mapping[str, str],
    embed: EmbedFn,
    config: Config,
) -> dict[str, bool]:
    """Pair id -> whether the two sentences of a pair of ``event`` carry one claim: they are in
    one claim, or (with a carry threshold) as similar as it with compatible speakers."""
    from framing.compare.claims import claim_sentences, claim_text, neutralize, speaker_keys

    sentences = claim_sentences(analysed)
    keys = speaker_keys(sentences) if config.speakers else [-1] * len(sentences)
    where = {(s.article_id, s.index): i for i, s in enumerate(sentences)}
    index = claim_index(claims)
    by_id = {a.article.id: a for a in analysed}
    out: dict[str, bool] = {}
    todo: list[tuple[str, int, int]] = []
    for p in pairs:
        if p.event != event:
            continue
        found: list[int | None] = []
        for side in (p.a, p.b):
            i = sentence_of(by_id[side.article_id], side.part, side.span)
            found.append(None if i is None else where.get((side.article_id, i)))
        ra, rb = found
        if ra is None or rb is None:
            out[p.id] = False
            continue
        ca, cb = index.get((p.a.article_id, sentences[ra].index)), index.get(
            (p.b.article_id, sentences[rb].index))
        out[p.id] = ca is not None and ca is cb
        apart = keys[ra] >= 0 and keys[rb] >= 0 and keys[ra] != keys[rb]
        if not out[p.id] and config.carry_threshold is not None and not apart:
            todo.append((p.id, ra, rb))
    if todo:
        texts = [neutralize(claim_text(s) if config.core else s.text, names) for s in sentences]
        rows = sorted({r for _, a, b in todo for r in (a, b)})
        vec = {r: v for r, v in zip(rows, embed([texts[r] for r in rows]), strict=True)}
        for pid, a, b in todo:
            out[pid] = float(vec[a] @ vec[b]) >= (config.carry_threshold or 0.0)
    return out


def score_claims(
    items: Sequence[BasilArticle],
    analysed: Sequence[AnalyzedArticle],
    pairs: Sequence[ClaimPair],
    inf_spans: Sequence[InfSpan],
    embed: EmbedFn,
    configs: Sequence[Config],
) -> dict[str, Any]:
    """Every figure of the module docstring, per config and split."""
    by_id = {a.article.id: a for a in analysed}
    missing = sorted({s.article_id for p in pairs for s in (p.a, p.b)} - set(by_id))
    if missing:
        raise ValueError(f"articles not analysed: {', '.join(missing[:5])}")
    by_event: dict[str, list[AnalyzedArticle]] = defaultdict(list)
    for item in items:
        if item.article.id in by_id:
            by_event[item.event].append(by_id[item.article.id])
    outlets = {ev: sorted({a.article.outlet for a in arts}) for ev, arts in by_event.items()}
    split_of = {p.event: p.split for p in pairs}
    out: dict[str, Any] = {}
    for config in configs:
        claims: dict[str, list[Claim]] = {}
        links: dict[str, bool] = {}
        for ev, arts in by_event.items():
            claims[ev], names = event_claims(ev, arts, embed, config)
            links.update(pair_links(pairs, ev, arts, claims[ev], names, embed, config))
        res: dict[str, Any] = {"settings": {"threshold": config.threshold,
                                            "carry_threshold": config.carry_threshold,
                                            "speakers": config.speakers, "core": config.core},
                               "claims": sum(len(c) for c in claims.values())}
        for split in SPLITS:
            keep = [p for p in pairs if split == "all" or p.split == split]
            spans = [s for s in inf_spans if split == "all" or split_of.get(s.event) == split]
            res[split] = {**score_pairs(keep, claims, by_id, links),
                          "inf": inf_check(spans, claims, by_id, outlets)}
        out[config.name] = res
    return out


def evaluate(
    data: Path,
    pairs_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
    configs: Sequence[Config] | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """``framing eval claims --data PATH``: analyse the labelled events (the first ``limit`` in
    the file's order, all by default) and score (module docstring) the previous release's
    settings and the current ones."""
    from framing.nlp.encoder import embed_sentences
    from framing.nlp.pipeline import PIPELINE_VERSION, analyze_articles
    from framing.settings import Settings

    path = pairs_path or PAIRS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no labelled claim pairs at {path}")
    pairs = load_pairs(path)
    order = list(dict.fromkeys(p.event for p in pairs))
    if limit is not None:
        pairs = [p for p in pairs if p.event in order[:limit]]
    events = {p.event for p in pairs}
    items = [i for i in load_basil(data) if i.event in events]
    if {i.event for i in items} != events:
        raise ValueError(f"events of {path.name} missing from {data}: "
                         f"{', '.join(sorted(events - {i.event for i in items})[:5])}")
    check_pairs(pairs, items)
    settings = Settings()

    def report(done: int, total: int) -> None:
        if progress is not None and (done % 10 == 0 or done == total):
            progress(f"claims: analysed {done}/{total}")

    analysed = analyze_articles([i.article for i in items], settings, progress=report)

    def embed(texts: Sequence[str]) -> Any:
        return embed_sentences(list(texts), settings.encoder, backend=settings.encoder_backend,
                               cache_dir=settings.cache_dir)

    result = score_claims(items, analysed, pairs, load_inf_spans(data, items), embed,
                          configs or (before_config(), after_config()))
    return {
        "dataset": "basil-claim-pairs",
        "pairs_file": str(path),
        "data": str(resolve_root(data)),
        "events": len(events),
        "articles": len(items),
        "events_per_split": {s: len({p.event for p in pairs if p.split == s})
                             for s in SPLITS[:2]},
        "pipeline_version": PIPELINE_VERSION,
        "encoder": settings.encoder or "default (MiniLM)",
        "results": result,
    }


def render(result: Mapping[str, Any]) -> str:
    """A plain-text table of :func:`evaluate` for the terminal."""
    lines = [f"claims on BASIL pairs {result.get('pairs_file', '')}: {result['events']} events "
             f"({result['events_per_split']}), {result['articles']} articles, pipeline "
             f"{result.get('pipeline_version', '?')}"]
    for name, res in result["results"].items():
        lines.append(f"{name}: {json.dumps(res['settings'])}, {res['claims']} claims")
        for split in SPLITS:
            r = res[split]
            pr, om, inf = r["pair"], r["omission"], r["inf"]
            linked = om.get("pairs_carrying_each_other") or {}
            lines += [
                f"  {split:<4} pairs {r['pairs']:>3}  P/R/F1 {pr['precision']:.3f} / "
                f"{pr['recall']:.3f} / {pr['f1']:.3f}  false omissions {om['false_omissions']}/"
                f"{om['carried_units']} ({om['false_omission_rate']})  omission precision <= "
                f"{om['precision_upper_bound']} ({om['checkable_omissions']} checkable)",
                f"       pairs carrying each other: same_fact {linked.get('same_fact')}, "
                f"not_same_fact {linked.get('not_same_fact')}  inf spans: "
                f"{inf['share_with_an_outlet_omitting']} with an outlet omitting, mean share "
                f"{inf['mean_share_of_other_outlets_omitting']} ({inf['in_a_claim']} of "
                f"{inf['inf_spans']} in a claim)",
            ]
    return "\n".join(lines)
