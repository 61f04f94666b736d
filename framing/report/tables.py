"""Tabular outputs: sentences.jsonl, articles.csv, outlets.csv, run.json (the output contract).

Every CSV file is written by :class:`CsvWriter`: a text cell a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``; read
the files back with :func:`read_csv_rows` / :func:`read_csv_records` to drop it again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from framing.files import write_bytes_atomically
from framing.ingest.csvcells import (  # noqa: F401  (re-exported: the writers' contract)
    FORMULA_START,
    CsvWriter,
    no_surrogates,
    read_csv_records,
    read_csv_rows,
    safe_cell,
    unescape_cell,
)
from framing.models import (
    NO_GROUP,
    AnalyzedArticle,
    ArticleScores,
    Attribution,
    Comparison,
    Contrast,
    Estimate,
    IngestResult,
    OutletProfile,
    Rejection,
    RunMetadata,
    SentenceAnalysis,
)

FLOAT_DIGITS = 6
def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), FLOAT_DIGITS)


def _fmt(x: float | None) -> str:
    v = _num(x)
    return "" if v is None else repr(v)


def attribution_record(a: Attribution, text: str) -> dict[str, Any]:
    """One attribution in the output contract's shape (offsets into the article text)."""
    src = a.source
    return {
        "kind": a.kind,
        "cue": None
        if a.cue is None
        else {
            "start": a.cue.start,
            "end": a.cue.end,
            "text": text[a.cue.start : a.cue.end],
            "lemma": a.cue_lemma,
            "stance": a.cue_stance,
        },
        "source": {
            "start": None if src.span is None else src.span.start,
            "end": None if src.span is None else src.span.end,
            "text": src.name,
            "kind": src.kind,
            "role": src.role,
        },
        "content": {"start": a.content.start, "end": a.content.end},
        "parent": None
        if a.parent is None
        else {
            "kind": a.parent.kind,
            "source": a.parent.source.name,
        },
    }


def sentence_record(article: AnalyzedArticle, s: SentenceAnalysis) -> dict[str, Any]:
    a = article.article
    text = (a.title or "") if s.part == "title" else a.text
    return {
        "article_id": a.id,
        "outlet": a.outlet,
        "event": a.event,
        "index": s.index,
        "part": s.part,
        "start": s.span.start,
        "end": s.span.end,
        "text": s.text,
        "voice": s.voice,
        "attributions": [attribution_record(x, text) for x in s.attributions],
        "loaded": [
            {
                "start": ls.span.start,
                "end": ls.span.end,
                "text": ls.text,
                "score": _num(ls.score),
                "categories": list(ls.categories),
                "speaker": ls.speaker,
                "reported_for": ls.reported_for,
            }
            for ls in s.loaded
        ],
        "hedges": [
            {"start": h.start, "end": h.end, "text": text[h.start : h.end]} for h in s.hedges
        ],
        "bias_probability": _num(s.bias_probability),
        "loaded_expected": _num(s.loaded_expected),
    }


#: Line separators other than LF that JSON leaves raw: escaped, so that a JSON line is one line
#: for every line reader (``str.splitlines``, JavaScript), not only for a split on LF.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(obj: Any) -> str:
    """Deterministic JSON on one line: sorted keys, no NaN, UTF-8 text (lone surrogates as
    U+FFFD; NEL, LS and PS escaped)."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return no_surrogates(text).translate(_LINE_BREAKS)


def write_sentences(path: Path, analyzed: Iterable[AnalyzedArticle]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for art in analyzed:
            for s in art.sentences:
                fh.write(dumps(sentence_record(art, s)) + "\n")
                n += 1
    return n


def write_articles(
    path: Path,
    articles: Sequence[AnalyzedArticle],
    scores: Sequence[ArticleScores],
    features: Sequence[str],
    flags: Mapping[str, list[str]],
) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = CsvWriter(fh)
        w.writerow(
            ["article_id", "outlet", "group", "event", "title", "published", "language", "flags",
             *features]
        )
        for art, sc in zip(articles, scores, strict=True):
            a = art.article
            w.writerow(
                [
                    a.id,
                    a.outlet,
                    a.group or "",
                    a.event or "",
                    a.title or "",
                    a.published or "",
                    a.language or "",
                    "; ".join(flags.get(a.id, [])),
                    *(_fmt(sc.features[f]) for f in features),
                ]
            )


def estimate_cells(e: Estimate) -> list[str]:
    return [_fmt(e.mean), _fmt(e.low), _fmt(e.high)]


def names_groups(groups: Sequence[OutletProfile]) -> bool:
    """Whether the articles name outlet groups: group profiles other than the one NO_GROUP
    profile of a corpus without any."""
    return bool(groups) and not (len(groups) == 1 and groups[0].outlet == NO_GROUP)


def write_profiles(path: Path, comparisons: Sequence[Comparison], features: Sequence[str]) -> None:
    """outlets.csv: one row per (event, outlet) and per (event, outlet group), with intervals."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = CsvWriter(fh)
        header = ["event", "level", "outlet", "n_articles"]
        for f in features:
            header += [f, f"{f}_low", f"{f}_high"]
        header.append("notes")
        w.writerow(header)
        for c in comparisons:
            levels: list[tuple[str, Sequence[OutletProfile]]] = [("outlet", c.profiles)]
            if names_groups(c.group_profiles):
                levels.append(("group", c.group_profiles))
            for level, profiles in levels:
                for p in profiles:
                    row: list[str] = [c.event or "", level, p.outlet, str(p.n_articles)]
                    notes = sorted({e.note for e in p.features.values() if e.note})
                    for f in features:
                        row += estimate_cells(p.features[f])
                    row.append(" | ".join(notes))
                    w.writerow(row)


def _rejection_record(r: Rejection) -> dict[str, Any]:
    """A rejection as run.json lists it: ``outlet`` and ``language`` only when the article was
    left out for its language (the other rejections keep their record, reason and id)."""
    return {k: v for k, v in asdict(r).items() if v is not None or k == "id"}


def run_record(
    run: RunMetadata, ingest: IngestResult, n_analysed: int, outputs: Sequence[str]
) -> dict[str, Any]:
    return {
        "package": "framing",
        "package_version": run.package_version,
        "pipeline_version": run.pipeline_version,
        "models": dict(run.models),
        "settings": dict(run.settings),
        "settings_hash": run.settings_hash,
        "seed": run.seed,
        "ingest": {
            "read": ingest.n_read,
            "analysed": n_analysed,
            "rejected": len(ingest.rejections),
            "rejections": [_rejection_record(r) for r in ingest.rejections],
            "flags": [asdict(f) for f in ingest.flags],
        },
        "outputs": list(outputs),
    }


def write_json(path: Path, obj: Any) -> None:
    """Indented deterministic JSON (lone surrogates as U+FFFD)."""
    write_text(
        path, json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"
    )


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a hidden file beside ``path`` and rename it into place (never a partial
    file under ``path``)."""
    write_bytes_atomically(path, data)


def write_text(path: Path, text: str) -> None:
    """UTF-8 text (lone surrogates as U+FFFD), LF line ends as given."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(no_surrogates(text))


def write_sources(path: Path, analyzed: Sequence[AnalyzedArticle]) -> int:
    """sources.csv: per event and outlet, each identified source and how often it is cited."""
    from framing.compare.sources import count_sources, source_table

    rows = source_table(count_sources(analyzed))
    with path.open("w", encoding="utf-8", newline="") as fh:
        CsvWriter(fh).writerows(rows)
    return len(rows) - 1


CONTRASTS_HEADER = (
    "event", "level", "a", "b", "feature", "n_a", "n_b", "mean_a", "mean_b", "difference",
    "difference_low", "difference_high", "p_value", "p_adjusted_bh", "hedges_g",
    "cliffs_delta", "note",
)  # fmt: skip


def contrast_from_record(rec: Mapping[str, Any]) -> Contrast:
    """A row of contrasts.csv read back (numbers typed, empty cells None) as a Contrast."""

    def num(name: str) -> float | None:
        v = rec.get(name)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    def count(name: str) -> int:
        v = num(name)
        return int(v) if v is not None else 0

    def text(name: str) -> str:
        v = rec.get(name)
        return "" if v is None else str(v)

    return Contrast(
        rec.get("event") or None, text("level"), text("a"), text("b"), text("feature"),
        count("n_a"), count("n_b"), num("mean_a"), num("mean_b"), num("difference"),
        num("difference_low"), num("difference_high"), num("p_value"), num("p_adjusted_bh"),
        num("hedges_g"), num("cliffs_delta"), text("note"),
    )  # fmt: skip


def write_contrasts(path: Path, comparisons: Sequence[Comparison]) -> int:
    """contrasts.csv: every pair of outlets (and groups) on every feature, per event."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = CsvWriter(fh)
        w.writerow(CONTRASTS_HEADER)
        for c in comparisons:
            rows = list(c.contrasts) + list(c.group_contrasts)
            if not rows:
                outlets = "; ".join(p.outlet for p in c.profiles)
                w.writerow([c.event or "", "outlet", outlets, "", "", "", "", "", "", "", "", "",
                            "", "", "", "", "one outlet in this event: no pair to contrast"])
                continue
            for r in rows:
                w.writerow([
                    c.event or "", r.level, r.a, r.b, r.feature, r.n_a, r.n_b, _fmt(r.mean_a),
                    _fmt(r.mean_b), _fmt(r.difference), _fmt(r.low), _fmt(r.high),
                    _fmt(r.p_value), _fmt(r.p_adjusted), _fmt(r.hedges_g), _fmt(r.cliffs_delta),
                    r.note,
                ])  # fmt: skip
                n += 1
    return n


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (header, then rows); returns the number of rows."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = CsvWriter(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


TERMS_HEADER = ("event", "outlet", "rank", "term", "n_words", "count", "count_others",
                "per_1000_words", "log_odds", "z")  # fmt: skip
LABELS_HEADER = ("event", "actor", "actor_type", "actor_mentions", "outlet", "label", "count",
                 "share_of_outlet_mentions", "grouped_by", "example_1", "example_2",
                 "label_kind")  # fmt: skip
CLAIMS_HEADER = ("event", "claim_id", "lead", "n_outlets", "n_independent", "carried_by",
                 "omitted_by", "carried_via_copy", "claim", "outlet", "carries", "n_sentences",
                 "article_ids", "sentences", "speaker", "carried_elsewhere_by")  # fmt: skip


def write_terms(path: Path, comparisons: Sequence[Comparison]) -> int:
    """terms.csv: each outlet's distinctive words and two-word phrases, per event."""
    return write_rows(path, TERMS_HEADER, (
        [c.event or "", t.outlet, t.rank, t.term, t.n_words, t.count, t.count_others,
         _fmt(t.per_1000), _fmt(t.log_odds), _fmt(t.z)]
        for c in comparisons for t in c.terms
    ))  # fmt: skip


def write_labels(path: Path, comparisons: Sequence[Comparison]) -> int:
    """labels.csv: for each actor of an event, the words each outlet uses for it: its names
    (``label_kind`` "name") and the descriptions beside them ("description")."""
    return write_rows(path, LABELS_HEADER, (
        [c.event or "", r.actor, r.actor_type, r.actor_mentions, r.outlet, r.label, r.count,
         _fmt(r.share), r.link, *(list(r.examples[:2]) + [""] * (2 - len(r.examples[:2]))),
         r.kind]
        for c in comparisons for r in c.labels
    ))  # fmt: skip


def _claim_rows(comparisons: Sequence[Comparison]) -> Iterator[list[Any]]:
    for c in comparisons:
        claims = c.claims
        if claims is None:
            continue
        outlets = sorted(p.outlet for p in c.profiles)
        for cl in claims:
            for o in outlets:
                mine = [s for s in cl.sentences if s.outlet == o]
                yield [
                    c.event or "", cl.claim_id, "yes" if cl.is_lead else "no",
                    len(cl.outlets), cl.n_independent, "; ".join(cl.outlets),
                    "; ".join(cl.omitted_by), "; ".join(cl.via_copy),
                    cl.representative.text, o, 1 if mine else 0, len(mine),
                    "; ".join(sorted({s.article_id for s in mine})),
                    " | ".join(s.text for s in mine), cl.speaker or "",
                    "; ".join(cl.carried_elsewhere),
                ]  # fmt: skip


def write_claims(path: Path, comparisons: Sequence[Comparison]) -> int:
    """claims.csv: one row per claim and outlet: whether the outlet carries it, and how;
    ``speaker``: the identified source the claim's sentences are credited to (empty: the
    outlets' own voice or unidentified sources); ``carried_elsewhere_by``: outlets with no
    sentence in the claim whose sentences elsewhere carry it (not omitting it)."""
    return write_rows(path, CLAIMS_HEADER, _claim_rows(comparisons))


def write_over_time(path: Path, comparisons: Sequence[Comparison]) -> int:
    """over_time.csv: per event, outlet and week, articles and key features with intervals
    (no rows when no outlet's articles span more than a week)."""
    from framing.compare.over_time import OVER_TIME_COLUMNS, over_time_table

    rows = [r for c in comparisons for r in c.over_time]
    return write_rows(path, OVER_TIME_COLUMNS, over_time_table(rows)[1:])


def side_by_side_header(outlets: Sequence[str]) -> list[str]:
    head = ["event", "feature"]
    for o in outlets:
        head += [f"{o}: mean", f"{o}: low", f"{o}: high", f"{o}: articles"]
    return head


def write_side_by_side(
    path: Path, comparisons: Sequence[Comparison], features: Sequence[str]
) -> int:
    """side_by_side.csv: one row per event and feature, every outlet's mean, 95% interval and
    article count side by side (the one table comparing all outlets of an event)."""
    outlets = sorted({p.outlet for c in comparisons for p in c.profiles})

    def rows() -> Iterator[list[str]]:
        for c in comparisons:
            by = {p.outlet: p for p in c.profiles}
            for f in features:
                row = [c.event or "", f]
                for o in outlets:
                    p = by.get(o)
                    row += (estimate_cells(p.features[f]) + [str(p.n_articles)] if p is not None
                            else ["", "", "", ""])
                yield row

    return write_rows(path, side_by_side_header(outlets), rows())
