"""Score hand annotations of a drawn sample against the tool's labels.

For each judgement (voice, source kind, loaded yes/no, loaded words) the tool is compared with
each annotator: accuracy, Cohen's kappa and Krippendorff's alpha (nominal) with seeded bootstrap
95% intervals (rows resampled within their strata). Two annotators of the same rows are compared
with each other the same way. Per outlet, the tool's own-voice share and loaded-sentence share are
corrected for the measured error rates two ways: the stratified estimator (each stratum's
annotated truth share weighted by its size) and the Rogan-Gladen estimator
(p + Sp - 1) / (Se + Sp - 1) with sensitivity and specificity measured on the whole sample
(Rogan, W. J. & Gladen, B. (1978). Estimating prevalence from the results of a screening test.
American Journal of Epidemiology 107(1), 71-76). Each says when it is not sound.
"""

from __future__ import annotations

import csv
import json
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.ingest.csvcells import read_csv_records, unescape_cell
from framing.validation.agreement import (
    accuracy,
    alpha_two,
    bootstrap_interval,
    cohen_kappa,
    confusion,
)
from framing.validation.sample import ANNOTATION_COLUMNS, SOURCE_KIND_VALUES, VOICE_VALUES

#: Below these, a corrected figure is reported but marked not sound.
MIN_ROWS_FOR_CORRECTION = 30
MIN_CLASS_ROWS = 10
MIN_YOUDEN = 0.2
MIN_OUTLET_ROWS = 20
#: Most rows an annotator's sheet may have below its header (a sample has a few thousand);
#: a longer sheet is refused before it fills memory.
MAX_ANNOTATION_ROWS = 100_000
#: Columns read from an annotator's sheet (the sample has ten); cells further right are ignored.
MAX_ANNOTATION_COLUMNS = 200
#: Most bytes an annotator's XLSX may unpack to, all its parts together (a 5,000-row sample's
#: unpacks to about 4 MB).
MAX_XLSX_UNPACKED_BYTES = 50_000_000
#: Most times a part of an XLSX of at least XLSX_RATIO_FLOOR_BYTES may be compressed (sheets
#: compress 5-20 times; a ZIP bomb hundreds of times).
MAX_XLSX_COMPRESSION_RATIO = 200
XLSX_RATIO_FLOOR_BYTES = 1_000_000
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_NO_WORDS = frozenset({"", "-", "none", "no", "n/a", "na"})


class AnnotationError(ValueError):
    """A value in an annotation file that cannot be scored; the message names row and value."""


@dataclass(frozen=True)
class ToolRow:
    """The tool's labels of one sampled sentence (from ``tool_labels.csv``)."""

    row_id: str
    outlet: str
    stratum: str
    voice: str
    source_kind: str
    loaded: bool
    loaded_words: tuple[str, ...]


@dataclass(frozen=True)
class Annotation:
    """One annotator's labels of one sentence."""

    row_id: str
    voice: str
    source_kind: str
    loaded_words: tuple[str, ...]

    @property
    def loaded(self) -> bool:
        return bool(self.loaded_words)


def read_key(sample_dir: str | Path) -> tuple[dict[str, ToolRow], dict[str, Any]]:
    """The tool's labels by row id and the sampling metadata of a sample folder."""
    folder = Path(sample_dir)
    key_path, meta_path = folder / "tool_labels.csv", folder / "sample.json"
    for p in (key_path, meta_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p} not found: give the folder `framing validate sample` "
                                    "wrote")
    rows: dict[str, ToolRow] = {}
    with key_path.open(encoding="utf-8", newline="") as fh:
        for rec in read_csv_records(fh):  # the leading ' of formula-like text dropped
            rows[rec["row_id"]] = ToolRow(
                row_id=rec["row_id"],
                outlet=rec["outlet"],
                stratum=rec["stratum"],
                voice=rec["tool_voice"],
                source_kind=rec["tool_source_kind"],
                loaded=rec["tool_loaded"] == "yes",
                loaded_words=_split_words(rec["tool_loaded_words"]),
            )
    return rows, json.loads(meta_path.read_text(encoding="utf-8"))


def _norm(value: object) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _split_words(cell: object) -> tuple[str, ...]:
    text = "" if cell is None else str(cell).strip()
    if text.lower() in _NO_WORDS:
        return ()
    return tuple(p.strip() for p in text.split(";") if p.strip())


def _check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook that is not a ZIP, or that unpacks too big, before openpyxl opens it."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise AnnotationError(f"{path}: not a readable XLSX workbook (not a ZIP archive: "
                              f"{type(exc).__name__}); save it again from the spreadsheet "
                              "program as .xlsx, or upload the CSV") from None
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNPACKED_BYTES:
        raise AnnotationError(f"{path}: the workbook unpacks to {total} bytes, more than the "
                              f"limit MAX_XLSX_UNPACKED_BYTES = {MAX_XLSX_UNPACKED_BYTES}")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size >= XLSX_RATIO_FLOOR_BYTES and ratio > MAX_XLSX_COMPRESSION_RATIO:
            raise AnnotationError(f"{path}: part {m.filename!r} of the workbook is compressed "
                                  f"{ratio:.0f} times, more than the limit "
                                  f"MAX_XLSX_COMPRESSION_RATIO = {MAX_XLSX_COMPRESSION_RATIO} "
                                  "(a ZIP bomb, or a sheet of empty formatted cells)")


def _xlsx_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    """(row number, {column: value}) of the ``Sentences`` sheet (else the first) of a workbook.

    Only the first :data:`MAX_ANNOTATION_COLUMNS` columns are read. A file that is not a
    workbook, unpacks past the limits or has more than :data:`MAX_ANNOTATION_ROWS` rows raises
    :class:`AnnotationError` naming the file and the reason.
    """
    _check_xlsx_archive(path)
    from openpyxl import load_workbook

    rows: list[tuple[object, ...]] = []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb["Sentences"] if "Sentences" in wb.sheetnames else wb.worksheets[0]
            for row in ws.iter_rows(max_col=MAX_ANNOTATION_COLUMNS, values_only=True):
                if len(rows) > MAX_ANNOTATION_ROWS:  # the header and MAX_ANNOTATION_ROWS rows
                    raise AnnotationError(
                        f"{path}: the sheet has more than {MAX_ANNOTATION_ROWS} rows, the limit "
                        "MAX_ANNOTATION_ROWS (a sample has a few thousand); delete the rows "
                        "below the sample")
                rows.append(tuple(row))
        finally:
            wb.close()
    except AnnotationError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl, zipfile and XML parsers raise many types
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise AnnotationError(
            f"{path}: not a readable XLSX workbook ({type(exc).__name__}"
            f"{': ' + detail if detail else ''}); save it again from the spreadsheet program "
            "as .xlsx, or upload the CSV") from None
    if not rows:
        raise AnnotationError(f"{path}: the sheet is empty")
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        out.append((i, dict(zip(header, row, strict=False))))
    return out


def _table_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    """(spreadsheet row number, {column: value}) of an annotated CSV or XLSX file."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return [(i, {k: unescape_cell(v) if isinstance(v, str) else v for k, v in rec.items()})
                for i, rec in enumerate(reader, start=2)]


def read_annotations(path: str | Path, known: Mapping[str, ToolRow]) -> dict[str, Annotation]:
    """The annotated rows of one file (CSV, or XLSX with a ``Sentences`` sheet).

    A row is annotated when its ``voice`` is filled in. Bad values raise :class:`AnnotationError`
    naming the file, the row and the value.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p} not found")
    table = _table_rows(p)
    columns = set(table[0][1]) if table else set()
    missing = [c for c in ("row_id", *ANNOTATION_COLUMNS[:3]) if table and c not in columns]
    if missing:
        raise AnnotationError(f"{p}: no column {', '.join(repr(c) for c in missing)} "
                              f"(columns found: {', '.join(sorted(map(str, columns)))})")
    out: dict[str, Annotation] = {}
    for line, rec in table:
        rid = str(rec.get("row_id") or "").strip()
        where = f"{p} row {line} (row id {rid!r})"
        if not rid:
            raise AnnotationError(f"{p} row {line}: no row id")
        if rid not in known:
            raise AnnotationError(f"{where}: row id not in the sample's tool_labels.csv")
        if rid in out:
            raise AnnotationError(f"{where}: row id given twice")
        voice, kind = _norm(rec.get("voice")), _norm(rec.get("source_kind"))
        words = _split_words(rec.get("loaded_words"))
        if not voice:
            if kind or words:
                raise AnnotationError(f"{where}: source_kind or loaded_words given but voice is "
                                      "empty; fill in voice or clear the row")
            continue
        if voice not in VOICE_VALUES:
            raise AnnotationError(f"{where}: voice {rec.get('voice')!r} is not one of "
                                  f"{', '.join(VOICE_VALUES)}")
        if not kind:
            if voice in ("attributed", "vague"):
                raise AnnotationError(f"{where}: source_kind is empty for a {voice} sentence; "
                                      f"give one of {', '.join(SOURCE_KIND_VALUES)}")
            kind = "none"
        if kind not in SOURCE_KIND_VALUES:
            raise AnnotationError(f"{where}: source_kind {rec.get('source_kind')!r} is not one of "
                                  f"{', '.join(SOURCE_KIND_VALUES)}")
        out[rid] = Annotation(rid, voice, kind, words)
    return out


def _words(phrase: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(phrase)}


def phrase_overlap(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> tuple[int, int, int, int]:
    """(predicted phrases sharing a word with a gold phrase of the same row, predicted phrases,
    gold phrases sharing a word with a predicted one, gold phrases), summed over rows."""
    tp_p = n_p = tp_g = n_g = 0
    for pred_row, gold_row in zip(predicted, gold, strict=True):
        pw = [_words(x) for x in pred_row]
        gw = [_words(x) for x in gold_row]
        n_p += len(pw)
        n_g += len(gw)
        tp_p += sum(any(p & g for g in gw) for p in pw)
        tp_g += sum(any(p & g for p in pw) for g in gw)
    return tp_p, n_p, tp_g, n_g


def _overlap_f1(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> float:
    tp_p, n_p, tp_g, n_g = phrase_overlap([p for p, _ in pairs], [g for _, g in pairs])
    if n_p == 0 and n_g == 0:
        return math.nan
    precision = tp_p / n_p if n_p else 0.0
    recall = tp_g / n_g if n_g else 0.0
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _num(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, 4)


def _label_agreement(
    a: Sequence[str], b: Sequence[str], strata: Sequence[str], n_resamples: int, seed: int
) -> dict[str, Any]:
    pairs = list(zip(a, b, strict=True))
    out: dict[str, Any] = {"n": len(pairs)}
    stats: dict[str, Callable[[Sequence[tuple[str, str]]], float]] = {
        "accuracy": lambda ps: accuracy([x for x, _ in ps], [y for _, y in ps]),
        "cohen_kappa": lambda ps: cohen_kappa([x for x, _ in ps], [y for _, y in ps]),
        "krippendorff_alpha": lambda ps: alpha_two([x for x, _ in ps], [y for _, y in ps]),
    }
    for name, fn in stats.items():
        value = fn(pairs) if pairs else math.nan
        low, high = bootstrap_interval(pairs, fn, n_resamples, seed, strata=strata)
        out[name] = {"value": _num(value), "low": _num(low), "high": _num(high)}
    return out


def _overlap_agreement(
    a: Sequence[tuple[str, ...]], b: Sequence[tuple[str, ...]], strata: Sequence[str],
    n_resamples: int, seed: int,
) -> dict[str, Any]:
    pairs = list(zip(a, b, strict=True))
    tp_p, n_p, tp_g, n_g = phrase_overlap(a, b)
    low, high = bootstrap_interval(pairs, _overlap_f1, n_resamples, seed, strata=strata)
    return {
        "n_rows": len(pairs),
        "phrases_first": n_p,
        "phrases_second": n_g,
        "precision": _num(tp_p / n_p) if n_p else None,
        "recall": _num(tp_g / n_g) if n_g else None,
        "f1": {"value": _num(_overlap_f1(pairs)) if pairs else None, "low": _num(low),
               "high": _num(high)},
        "note": "a phrase counts as matched when it shares a word with a phrase of the other "
                "side in the same sentence; precision is measured on the first side's phrases",
    }


def compare_labels(
    first: Sequence[tuple[str, str, bool, tuple[str, ...]]],
    second: Sequence[tuple[str, str, bool, tuple[str, ...]]],
    strata: Sequence[str],
    n_resamples: int = 1000,
    seed: int = 42,
) -> dict[str, Any]:
    """Agreement of two label sets of the same rows, each row (voice, source kind, loaded,
    loaded words): per judgement accuracy, kappa and alpha with intervals, plus word overlap."""
    out = {
        "voice": _label_agreement([r[0] for r in first], [r[0] for r in second], strata,
                                  n_resamples, seed),
        "source_kind": _label_agreement([r[1] for r in first], [r[1] for r in second], strata,
                                        n_resamples, seed),
        "loaded": _label_agreement(["yes" if r[2] else "no" for r in first],
                                   ["yes" if r[2] else "no" for r in second], strata,
                                   n_resamples, seed),
        "loaded_words": _overlap_agreement([r[3] for r in first], [r[3] for r in second],
                                           strata, n_resamples, seed),
    }
    out["voice"]["confusion"] = confusion([r[0] for r in second], [r[0] for r in first])
    out["source_kind"]["confusion"] = confusion([r[1] for r in second], [r[1] for r in first])
    return out


def _weights(rows: Sequence[ToolRow], meta: Mapping[str, Any]) -> dict[str, float]:
    """Stratum -> population / annotated rows (the annotated rows stand for their stratum)."""
    population = {s["stratum"]: int(s["population"]) for s in meta.get("strata", [])}
    annotated: dict[str, int] = {}
    for r in rows:
        annotated[r.stratum] = annotated.get(r.stratum, 0) + 1
    return {s: population.get(s, n) / n for s, n in annotated.items()}


def _se_sp(items: Sequence[tuple[bool, bool, float]]) -> tuple[float, float]:
    """Weighted sensitivity and specificity from (tool positive, truth positive, weight)."""
    pos = sum(w for _, t, w in items if t)
    neg = sum(w for _, t, w in items if not t)
    se = sum(w for p, t, w in items if p and t) / pos if pos else math.nan
    sp = sum(w for p, t, w in items if not p and not t) / neg if neg else math.nan
    return se, sp


def rogan_gladen(p: float, se: float, sp: float) -> float:
    """Rogan-Gladen prevalence (p + sp - 1) / (se + sp - 1); NaN when se + sp <= 1."""
    j = se + sp - 1.0
    if math.isnan(j) or j <= 0:
        return math.nan
    return (p + sp - 1.0) / j


def corrected_shares(
    tool: Mapping[str, ToolRow],
    truth: Mapping[str, Annotation],
    meta: Mapping[str, Any],
    n_resamples: int = 1000,
    seed: int = 42,
) -> dict[str, Any]:
    """Per outlet, the tool's own-voice and loaded-sentence shares over all the run's sentences,
    corrected with the annotated sample (stratified and Rogan-Gladen), with intervals and a
    note on soundness."""
    rows = [tool[rid] for rid in sorted(truth)]
    weights = _weights(rows, meta)
    strata_meta = list(meta.get("strata", []))
    outlets = sorted({str(s["outlet"]) for s in strata_meta})
    figures: dict[str, tuple[Callable[[ToolRow], bool], Callable[[Annotation], bool],
                             Callable[[Mapping[str, Any]], bool]]] = {
        "own_voice_share": (lambda t: t.voice == "author", lambda a: a.voice == "author",
                            lambda s: s["voice"] == "author"),
        "loaded_sentence_share": (lambda t: t.loaded, lambda a: a.loaded,
                                  lambda s: bool(s["has_loaded"])),
    }
    out: dict[str, Any] = {}
    for name, (tool_pos, true_pos, stratum_pos) in figures.items():
        items = [(tool_pos(r), true_pos(truth[r.row_id]), weights[r.stratum], r.stratum)
                 for r in rows]
        triples = [(p, t, w) for p, t, w, _ in items]
        se, sp = _se_sp(triples)
        n_true = sum(1 for _, t, _ in triples if t)
        n_false = len(triples) - n_true
        pooled_problems = []
        if len(rows) < MIN_ROWS_FOR_CORRECTION:
            pooled_problems.append(f"only {len(rows)} annotated rows "
                                   f"(< {MIN_ROWS_FOR_CORRECTION})")
        if min(n_true, n_false) < MIN_CLASS_ROWS:
            pooled_problems.append(f"{n_true} positive and {n_false} negative rows by the "
                                   f"annotator (< {MIN_CLASS_ROWS} of one)")
        if not math.isnan(se + sp) and se + sp - 1 < MIN_YOUDEN:
            pooled_problems.append(f"Se + Sp - 1 = {se + sp - 1:.2f} < {MIN_YOUDEN}: the tool "
                                   "separates the classes too weakly to invert")
        per_outlet = []
        for outlet in outlets:
            mine = [s for s in strata_meta if s["outlet"] == outlet]
            size = sum(int(s["population"]) for s in mine)
            p_tool = sum(int(s["population"]) for s in mine if stratum_pos(s)) / size
            rg = rogan_gladen(p_tool, se, sp)

            def rg_stat(sample: Sequence[tuple[bool, bool, float, str]],
                        p: float = p_tool) -> float:
                s_e, s_p = _se_sp([(a, b, c) for a, b, c, _ in sample])
                v = rogan_gladen(p, s_e, s_p)
                return v if math.isnan(v) else min(1.0, max(0.0, v))

            rg_low, rg_high = bootstrap_interval(items, rg_stat, n_resamples, seed,
                                                 strata=[i[3] for i in items])
            problems = list(pooled_problems)
            if not math.isnan(rg) and not 0.0 <= rg <= 1.0:
                problems.append(f"the raw estimate {rg:.3f} falls outside [0, 1] (clipped)")
            strat = _stratified(outlet, mine, items, n_resamples, seed)
            per_outlet.append({
                "outlet": outlet,
                "n_sentences": size,
                "tool": _num(p_tool),
                "rogan_gladen": {
                    "value": _num(min(1.0, max(0.0, rg))) if not math.isnan(rg) else None,
                    "low": _num(rg_low), "high": _num(rg_high),
                    "sound": not problems,
                    "note": "; ".join(problems) if problems else
                    "assumes the tool's error rates are the same in every outlet",
                },
                "stratified": strat,
            })
        out[name] = {
            "sensitivity": _num(se),
            "specificity": _num(sp),
            "n_rows": len(rows),
            "outlets": per_outlet,
        }
    return out


def _stratified(
    outlet: str,
    strata: Sequence[Mapping[str, Any]],
    items: Sequence[tuple[bool, bool, float, str]],
    n_resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Sum over the outlet's strata of population x annotated truth share, over its size."""
    names = {str(s["stratum"]): int(s["population"]) for s in strata}
    mine = [i for i in items if i[3] in names]
    missing = sorted(n for n in names if not any(i[3] == n for i in mine))

    def estimate(sample: Sequence[tuple[bool, bool, float, str]]) -> float:
        covered = {n: p for n, p in names.items() if any(i[3] == n for i in sample)}
        if not covered:
            return math.nan
        total = 0.0
        for n, pop in covered.items():
            in_stratum = [i[1] for i in sample if i[3] == n]
            total += pop * sum(in_stratum) / len(in_stratum)
        return total / sum(covered.values())

    value = estimate(mine)
    low, high = bootstrap_interval(mine, estimate, n_resamples, seed, strata=[i[3] for i in mine])
    problems = []
    if missing:
        share = sum(names[n] for n in missing) / sum(names.values())
        problems.append(f"{len(missing)} strata ({share:.0%} of the outlet's sentences) have no "
                        "annotated row and are left out")
    if len(mine) < MIN_OUTLET_ROWS:
        problems.append(f"only {len(mine)} annotated rows for this outlet (< {MIN_OUTLET_ROWS})")
    return {
        "value": _num(value), "low": _num(low), "high": _num(high), "n_rows": len(mine),
        "sound": not problems,
        "note": "; ".join(problems) if problems else "design-based: each stratum's annotated "
        "share weighted by its size",
    }


def default_annotations(sample_dir: str | Path) -> list[Path]:
    """The annotated file of a sample folder when none is named: ``sample.xlsx`` if any row of it
    has a voice, else ``sample.csv``."""
    folder = Path(sample_dir)
    xlsx = folder / "sample.xlsx"
    if xlsx.is_file() and any(str(rec.get("voice") or "").strip()
                              for _, rec in _table_rows(xlsx)):
        return [xlsx]
    return [folder / "sample.csv"]


def score_sample(
    sample_dir: str | Path,
    annotations: Sequence[str | Path] | None = None,
    n_resamples: int = 1000,
    seed: int = 42,
) -> dict[str, Any]:
    """Tool against each annotator, annotators against each other (when two), and corrected
    per-outlet figures (against the first annotator), as one JSON-ready dict."""
    tool, meta = read_key(sample_dir)
    paths = [Path(p) for p in (annotations or default_annotations(sample_dir))]
    if not 1 <= len(paths) <= 2:
        raise ValueError(f"give one or two annotation files, not {len(paths)}")
    sets = [read_annotations(p, tool) for p in paths]
    if not sets[0]:
        raise AnnotationError(f"{paths[0]}: no annotated row (fill in the voice column)")
    result: dict[str, Any] = {
        "sample": str(sample_dir),
        "seed": seed,
        "bootstrap_resamples": n_resamples,
        "annotators": [{"file": str(p), "n_annotated": len(s), "n_skipped": len(tool) - len(s)}
                       for p, s in zip(paths, sets, strict=True)],
        "tool_vs_annotator": [],
        "note": "agreement is measured on the sample as drawn (strata oversample rare labels); "
                "intervals resample rows within their strata",
    }
    for ann in sets:
        ids = sorted(ann)
        tool_rows = [(tool[i].voice, tool[i].source_kind, tool[i].loaded, tool[i].loaded_words)
                     for i in ids]
        ann_rows = [(ann[i].voice, ann[i].source_kind, ann[i].loaded, ann[i].loaded_words)
                    for i in ids]
        result["tool_vs_annotator"].append(
            compare_labels(tool_rows, ann_rows, [tool[i].stratum for i in ids], n_resamples, seed)
        )
    if len(sets) == 2:
        both = sorted(set(sets[0]) & set(sets[1]))
        first = [(sets[0][i].voice, sets[0][i].source_kind, sets[0][i].loaded,
                  sets[0][i].loaded_words) for i in both]
        second = [(sets[1][i].voice, sets[1][i].source_kind, sets[1][i].loaded,
                   sets[1][i].loaded_words) for i in both]
        result["between_annotators"] = (
            compare_labels(first, second, [tool[i].stratum for i in both], n_resamples, seed)
            if len(both) >= 2 else {"n": len(both), "note": "fewer than 2 rows annotated by both"}
        )
    result["corrected"] = corrected_shares(tool, sets[0], meta, n_resamples, seed)
    return result


def _md(text: object) -> str:
    """User text (file names, outlets) safe inside a Markdown table cell."""
    return re.sub(r"([\\|`*_\[\]<>])", r"\\\1", str(text)).replace("\n", " ")


def format_stat(stat: Mapping[str, Any]) -> str:
    """"0.812 [0.750, 0.870]" (value and interval), "0.812" without one, "n/a" without a value."""
    v = stat.get("value")
    if v is None:
        return "n/a"
    if stat.get("low") is None:
        return f"{v:.3f}"
    return f"{v:.3f} [{stat['low']:.3f}, {stat['high']:.3f}]"


def _agreement_table(block: Mapping[str, Any]) -> list[str]:
    lines = ["| judgement | n | accuracy | Cohen's kappa | Krippendorff's alpha |",
             "|---|---|---|---|---|"]
    for name in ("voice", "source_kind", "loaded"):
        b = block[name]
        lines.append(f"| {name.replace('_', ' ')} | {b['n']} | {format_stat(b['accuracy'])} | "
                     f"{format_stat(b['cohen_kappa'])} | {format_stat(b['krippendorff_alpha'])} |")
    w = block["loaded_words"]
    lines.append(f"| loaded words (phrase overlap F1) | {w['n_rows']} | {format_stat(w['f1'])} | | |")
    return lines


def summary_markdown(result: Mapping[str, Any]) -> str:
    """A readable summary of :func:`score_sample`'s result."""
    out = ["# Validation: tool against hand annotation", ""]
    for ann, block in zip(result["annotators"], result["tool_vs_annotator"], strict=True):
        out += [f"## Tool vs annotator ({_md(ann['file'])}: {ann['n_annotated']} rows annotated, "
                f"{ann['n_skipped']} skipped)", ""]
        out += _agreement_table(block) + [""]
    between = result.get("between_annotators")
    if between is not None:
        out += ["## Between the two annotators", ""]
        out += (_agreement_table(between) if "voice" in between else [between["note"]]) + [""]
    out += ["## Per-outlet figures corrected for the measured errors (first annotator)", "",
            "Value [95% interval]; *not sound* figures are shown with the reason.", ""]
    for name, block in result["corrected"].items():
        out += [f"### {name.replace('_', ' ')} (sensitivity {block['sensitivity']}, "
                f"specificity {block['specificity']}, {block['n_rows']} rows)", "",
                "| outlet | sentences | tool | stratified | Rogan-Gladen |", "|---|---|---|---|---|"]
        notes = []
        for row in block["outlets"]:
            cells = []
            for key in ("stratified", "rogan_gladen"):
                est = row[key]
                flag = "" if est["sound"] else " (not sound)"
                cells.append(format_stat(est) + flag)
                if not est["sound"]:
                    notes.append(f"{_md(row['outlet'])}, {key.replace('_', '-')}: {est['note']}")
            out.append(f"| {_md(row['outlet'])} | {row['n_sentences']} | {row['tool']} | "
                       f"{cells[0]} | {cells[1]} |")
        out += [""] + [f"* {n}" for n in notes] + ([""] if notes else [])
    out.append(f"_{result['note']}; {result['bootstrap_resamples']} bootstrap resamples, "
               f"seed {result['seed']}._")
    return "\n".join(out) + "\n"


def write_scores(result: Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """``scores.json`` and ``scores.md`` in ``out_dir``."""
    out = Path(out_dir)
    paths = {"scores.json": out / "scores.json", "scores.md": out / "scores.md"}
    paths["scores.json"].write_text(
        json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    paths["scores.md"].write_text(summary_markdown(result), encoding="utf-8")
    return paths
