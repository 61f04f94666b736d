"""Draw a stratified sample of a finished run's sentences for hand annotation.

Strata are outlet x the tool's voice label x whether the tool found loaded words. Each stratum
first gets a floor of rows (so rare strata — an outlet's few vague sentences — can be measured
at all), the rest is allocated in proportion to stratum size; each sampled row carries the weight
``population / sampled`` of its stratum, so sample figures can be turned back into corpus
figures (Cochran, W. G. (1977). Sampling Techniques, 3rd ed., ch. 5).

The annotators' files (``sample.csv``, ``sample.xlsx``) hold the sentence, its context and empty
columns; the tool's labels are written apart, to ``tool_labels.csv``, which annotators must not
see. In the CSV files a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (:func:`framing.ingest.csvcells.safe_cell`, so no spreadsheet runs it as
a formula; the readers drop it again); in ``sample.xlsx`` every cell is stored as text.

Drawing a sample into a folder that already holds one replaces it only while the annotators' files
(``sample.csv``, ``sample.xlsx``) are as framing wrote them (their SHA-256 is recorded in
``sample.json``); once one has been edited — annotated — the new sample is refused
(:class:`SampleExistsError`), or, with ``force``, written to the next free subfolder
``sample-2``, ``sample-3``, ... with its own key, leaving the annotated files and their key as they
are.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.ingest.csvcells import FORMULA_START, CsvWriter, read_csv_records
from framing.models import UNIDENTIFIED_SOURCE_KINDS

#: The values an annotator may give (voice, source kind), in the order the instructions list them.
VOICE_VALUES: tuple[str, ...] = ("author", "attributed", "vague", "question", "other")
SOURCE_KIND_VALUES: tuple[str, ...] = (
    "named_person", "named_org", "official", "media", "anonymous", "vague", "none",
)
#: Columns of the annotators' files: what they read, then what they fill in.
SAMPLE_COLUMNS: tuple[str, ...] = (
    "row_id", "article_id", "outlet", "part", "context", "sentence",
    "voice", "source_kind", "loaded_words", "notes",
)
ANNOTATION_COLUMNS: tuple[str, ...] = ("voice", "source_kind", "loaded_words", "notes")
TOOL_COLUMNS: tuple[str, ...] = (
    "row_id", "article_id", "outlet", "part", "sentence_index", "stratum", "weight",
    "tool_voice", "tool_source_kind", "tool_loaded", "tool_loaded_words",
)
#: Rows every stratum gets before the rest is allocated by size (fewer when the stratum is smaller).
MIN_PER_STRATUM = 3
#: The files annotators fill in: never replaced once they differ from what framing wrote.
ANNOTATOR_SHEETS: tuple[str, ...] = ("sample.csv", "sample.xlsx")


class SampleExistsError(ValueError):
    """The output folder holds an earlier sample whose annotators' files were edited since framing
    wrote them (annotated, most likely): they are not replaced.

    ``changed`` names those files, ``free`` the subfolder a forced sample would go to.
    """

    def __init__(self, folder: Path, changed: Sequence[Path], free: Path) -> None:
        self.folder, self.changed, self.free = folder, tuple(changed), free
        names = " and ".join(str(p) for p in self.changed)
        one = len(self.changed) == 1
        super().__init__(
            f"{names} {'differs' if one else 'differ'} from the sample framing wrote there "
            "(annotated?), so the new sample would replace annotators' work: nothing was written. "
            f"Score the annotations with `framing validate score {folder}`, move "
            f"{'it' if one else 'them'} away or choose another --out; or pass --force to write "
            f"the new sample to {free} and keep the annotated {'file' if one else 'files'}."
        )


@dataclass(frozen=True)
class SentenceRow:
    """One sentence of a run with the tool's labels and its context."""

    article_id: str
    outlet: str
    part: str
    index: int
    text: str
    context: str
    voice: str
    source_kind: str
    loaded_words: tuple[str, ...]

    @property
    def has_loaded(self) -> bool:
        return bool(self.loaded_words)

    @property
    def stratum(self) -> tuple[str, str, bool]:
        return (self.outlet, self.voice, self.has_loaded)


def stratum_name(stratum: tuple[str, str, bool]) -> str:
    """``Outlet | voice | loaded`` (or ``no loaded``)."""
    outlet, voice, loaded = stratum
    return f"{outlet} | {voice} | {'loaded' if loaded else 'no loaded'}"


def tool_source_kind(voice: str, attributions: Sequence[Mapping[str, Any]]) -> str:
    """The kind of the source a sentence's voice rests on, as ``sentences.jsonl`` gives it.

    A chain's own source is its origin; an attributed sentence's source is its first identified
    source, a vague one's its first unidentified source; author voice and questions: ``none``.
    """
    if voice not in ("attributed", "vague") or not attributions:
        return "none"
    kinds = [str((a.get("source") or {}).get("kind") or "none") for a in attributions]
    for a, kind in zip(attributions, kinds, strict=True):
        if a.get("kind") == "chain":
            return kind
    wanted = (lambda k: k not in UNIDENTIFIED_SOURCE_KINDS) if voice == "attributed" else (
        lambda k: k in UNIDENTIFIED_SOURCE_KINDS)
    return next((k for k in kinds if wanted(k)), kinds[0])


def read_run_sentences(run_dir: str | Path) -> list[SentenceRow]:
    """Every sentence of a finished run (``sentences.jsonl``; articles listed in ``articles.csv``),
    in article order, title before body, with the previous sentence as context."""
    run = Path(run_dir)
    for name in ("run.json", "sentences.jsonl", "articles.csv"):
        if not (run / name).is_file():
            raise FileNotFoundError(
                f"{run / name} not found: --run must be the output folder of a finished "
                "`framing analyze` run"
            )
    with (run / "articles.csv").open(encoding="utf-8", newline="") as fh:
        listed = {row.get("article_id", "") for row in read_csv_records(fh)}
    by_article: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []
    with (run / "sentences.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                article_id = str(rec["article_id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{run / 'sentences.jsonl'}:{n}: not a sentence record ({exc})"
                ) from exc
            if article_id not in listed:
                continue
            if article_id not in by_article:
                order.append(article_id)
            by_article.setdefault(article_id, []).append(rec)
    rows: list[SentenceRow] = []
    for article_id in order:
        recs = sorted(by_article[article_id],
                      key=lambda r: (r.get("part") != "title", int(r.get("index", 0))))
        previous = ""
        for rec in recs:
            voice = str(rec.get("voice", "other"))
            rows.append(
                SentenceRow(
                    article_id=article_id,
                    outlet=str(rec.get("outlet", "")),
                    part=str(rec.get("part", "body")),
                    index=int(rec.get("index", 0)),
                    text=str(rec.get("text", "")),
                    context=previous,
                    voice=voice,
                    source_kind=tool_source_kind(voice, rec.get("attributions") or []),
                    loaded_words=tuple(str(s.get("text", "")) for s in rec.get("loaded") or []),
                )
            )
            previous = str(rec.get("text", ""))
    return rows


def allocate(sizes: Mapping[Any, int], n: int, floor: int = MIN_PER_STRATUM) -> dict[Any, int]:
    """Rows to draw per stratum: a floor each (capped at the stratum's size), the rest in
    proportion to what is left of each stratum (largest remainders), never above its size.

    When the floors alone exceed ``n`` the floor is lowered; with more strata than ``n`` the
    largest strata get one row each (ties by key).
    """
    keys = sorted(sizes, key=repr)
    total = sum(sizes.values())
    if n >= total:
        return {k: sizes[k] for k in keys}
    f = floor
    while f > 0 and sum(min(sizes[k], f) for k in keys) > n:
        f -= 1
    alloc = {k: min(sizes[k], f) for k in keys}
    if f == 0:
        for k in sorted(keys, key=lambda k: (-sizes[k], repr(k)))[:n]:
            alloc[k] = 1
        return alloc
    remaining = n - sum(alloc.values())
    while remaining > 0:
        room = {k: sizes[k] - alloc[k] for k in keys if sizes[k] > alloc[k]}
        pool = sum(room.values())
        shares = {k: remaining * r / pool for k, r in room.items()}
        whole = {k: min(room[k], int(s)) for k, s in shares.items()}
        given = sum(whole.values())
        for k, w in whole.items():
            alloc[k] += w
        left = remaining - given
        for k in sorted(room, key=lambda k: (-(shares[k] - int(shares[k])), repr(k))):
            if left == 0:
                break
            if alloc[k] < sizes[k]:
                alloc[k] += 1
                left -= 1
        remaining = n - sum(alloc.values())
    return alloc


@dataclass(frozen=True)
class Sample:
    """A drawn sample: rows in annotation order and their strata."""

    rows: tuple[tuple[str, SentenceRow], ...]  # (row id, sentence)
    sizes: Mapping[tuple[str, str, bool], int]
    drawn: Mapping[tuple[str, str, bool], int]
    seed: int

    def weight(self, stratum: tuple[str, str, bool]) -> float:
        return self.sizes[stratum] / self.drawn[stratum]


def draw_sample(rows: Sequence[SentenceRow], n: int = 200, seed: int = 42) -> Sample:
    """A stratified random sample of ``n`` sentences (all of them when there are fewer), shuffled
    so that neither outlet nor tool label can be read from a row's position."""
    if n < 1:
        raise ValueError(f"sample size must be at least 1, not {n}")
    if not rows:
        raise ValueError("the run has no sentences to sample")
    groups: dict[tuple[str, str, bool], list[SentenceRow]] = {}
    for r in rows:
        groups.setdefault(r.stratum, []).append(r)
    sizes = {k: len(v) for k, v in groups.items()}
    alloc = allocate(sizes, n)
    rng = random.Random(seed)
    picked: list[SentenceRow] = []
    for key in sorted(groups, key=repr):
        if alloc[key]:
            picked.extend(rng.sample(groups[key], alloc[key]))
    rng.shuffle(picked)
    width = max(4, len(str(len(picked))))
    ids = [f"s{i + 1:0{width}d}" for i in range(len(picked))]
    drawn = {k: v for k, v in alloc.items() if v}
    return Sample(tuple(zip(ids, picked, strict=True)), sizes, drawn, seed)


def instructions_text() -> str:
    """How to annotate, following the categories of the challenge guideline (Markdown)."""
    return """# Annotating sentences: voice, source kind and loaded words

Each row is one sentence from a news article, with the sentence before it as context. Judge the
sentence itself; use the context only to understand it (who "he" is, whether a quotation
continues). Fill in three columns and leave the others as they are. Do not look up what the tool
said: its labels are kept apart on purpose.

## voice — who stands behind the sentence's main assertion

* `author` — the outlet says it in its own voice and credits nobody. This includes sentences that
  report what an actor did ("The ministry ignored the warnings", "Police dodged questions"): the
  outlet asserts the action.
* `attributed` — credited to a source the reader can identify: a named person or organisation, an
  official identified by office ("the interior minister"), or a named outlet; by a quotation,
  reported speech ("X said that ..."), "according to X", or a headline speech verb ("Minister
  slams critics"). A sentence inside a quotation that runs over several sentences is attributed to
  the speaker of the quotation.
* `vague` — credited to a source the reader cannot identify ("sources said", "officials who asked
  not to be named", "experts say", "critics argue"), hedged without any source ("reportedly",
  "allegedly", "is believed to"), or a speech act without an agent ("is accused of", "it is
  alleged that"). A chain ("TV X reported, citing security sources, ...") takes the voice of its
  origin: here the anonymous sources, so `vague`.
* `question` — a question, including rhetorical question headlines.
* `other` — none of these fits (a fragment, a list of names, a caption). Say why in `notes`.

## source_kind — the kind of source the voice rests on

Give the source of the main assertion (for a chain, its origin). For `author` and `question`
sentences write `none`.

* `named_person` — a person by name.
* `named_org` — an organisation by name.
* `official` — someone identified by office without a name ("a police spokesman").
* `media` — a named outlet or one of its journalists.
* `anonymous` — explicitly unnamed ("on condition of anonymity", bare "sources").
* `vague` — an unspecified group ("experts", "critics", "some residents", "many").
* `none` — no source (author voice, questions, hedges without a source).

## loaded_words — words chosen to evoke judgement or emotion

Copy each loaded word or short phrase exactly as written in the sentence, separated by `;`
("so-called; cowardly attack"). Loaded: labels and charged words beyond the facts ("regime",
"thugs", "notorious", "heroic", "disgraceful cover-up", "so-called"). Not loaded: neutral event
words ("killed", "attack", "protest"), numbers, places, ordinary reporting verbs ("said").
Count loaded words wherever they are — in the outlet's own words, in paraphrase and inside
quotation marks. Leave the cell empty when the sentence has none.

## Notes

* A row counts as annotated once `voice` is filled in; leave `voice` empty to skip a row.
* Values are case-insensitive; spaces may stand for underscores ("named person").
* In `sample.csv`, text starting with `=`, `+`, `-` or `@` is shown with a leading `'` so that
  spreadsheets do not read it as a formula (`sample.xlsx` stores every cell as text).
* Use `notes` for anything unclear; it is not scored.
"""


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def edited_sample_files(folder: str | Path) -> list[Path]:
    """The annotators' files of an earlier sample in ``folder`` that differ from what framing
    wrote there (by the SHA-256 recorded in its ``sample.json``; a file with no record counts as
    edited). Empty when the folder holds no such file."""
    out = Path(folder)
    present = [out / name for name in ANNOTATOR_SHEETS if (out / name).exists()]
    if not present:
        return []
    try:
        recorded = json.loads((out / "sample.json").read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if not isinstance(recorded, dict):
        recorded = {}
    return [p for p in present if recorded.get(p.name) is None or recorded[p.name] != _sha256(p)]


def next_free_folder(folder: str | Path) -> Path:
    """``folder/sample-2`` (or ``sample-3``, ...: the first that does not exist)."""
    out, k = Path(folder), 2
    while (out / f"sample-{k}").exists():
        k += 1
    return out / f"sample-{k}"


def write_sample(sample: Sample, out_dir: str | Path, run_dir: str | Path,
                 n_requested: int, force: bool = False) -> dict[str, Path]:
    """Write ``sample.csv``, ``sample.xlsx``, ``INSTRUCTIONS.md``, ``tool_labels.csv`` and
    ``sample.json`` into ``out_dir``; returns their paths.

    ``sample.json`` records the SHA-256 of ``sample.csv`` and ``sample.xlsx`` as written. When
    ``out_dir`` already holds a sample whose ``sample.csv`` or ``sample.xlsx`` differs from that
    record (:func:`edited_sample_files`), nothing is written and :class:`SampleExistsError` is
    raised; with ``force`` the whole new sample goes to :func:`next_free_folder` instead (the paths
    returned say where), and the edited files and the key they belong to stay as they are. A sample
    nobody has edited is simply replaced.
    """
    out = Path(out_dir)
    edited = edited_sample_files(out)
    if edited:
        free = next_free_folder(out)
        if not force:
            raise SampleExistsError(out, edited, free)
        out = free
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in
             ("sample.csv", "sample.xlsx", "INSTRUCTIONS.md", "tool_labels.csv", "sample.json")}
    visible = [
        [rid, r.article_id, r.outlet, r.part, r.context, r.text, "", "", "", ""]
        for rid, r in sample.rows
    ]
    _write_csv(paths["sample.csv"], SAMPLE_COLUMNS, visible)
    _write_csv(
        paths["tool_labels.csv"],
        TOOL_COLUMNS,
        [
            [rid, r.article_id, r.outlet, r.part, str(r.index), stratum_name(r.stratum),
             f"{sample.weight(r.stratum):.6g}", r.voice, r.source_kind,
             "yes" if r.has_loaded else "no", "; ".join(r.loaded_words)]
            for rid, r in sample.rows
        ],
    )
    paths["INSTRUCTIONS.md"].write_text(instructions_text(), encoding="utf-8")
    _write_xlsx(paths["sample.xlsx"], visible)
    meta = {
        "seed": sample.seed,
        "n_requested": n_requested,
        "n_drawn": len(sample.rows),
        "n_sentences": sum(sample.sizes.values()),
        "run": _run_summary(Path(run_dir)),
        "strata_by": ["outlet", "tool voice", "tool found loaded words"],
        "allocation": f"at least {MIN_PER_STRATUM} rows per stratum (all of a smaller one), the "
                      "rest in proportion to stratum size; weight = population / sampled",
        "strata": [
            {
                "stratum": stratum_name(k),
                "outlet": k[0],
                "voice": k[1],
                "has_loaded": k[2],
                "population": sample.sizes[k],
                "sampled": sample.drawn.get(k, 0),
                "weight": round(sample.weight(k), 6) if sample.drawn.get(k) else None,
            }
            for k in sorted(sample.sizes, key=repr)
        ],
        "files": {
            "annotators": ["sample.csv", "sample.xlsx", "INSTRUCTIONS.md"],
            "key (do not show to annotators)": ["tool_labels.csv", "sample.json"],
        },
        # what framing wrote: an annotators' file that no longer matches is never replaced
        "sha256": {name: _sha256(paths[name]) for name in ANNOTATOR_SHEETS},
    }
    paths["sample.json"].write_text(
        json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return paths


def sample_run(run_dir: str | Path, out_dir: str | Path, n: int = 200,
               seed: int = 42, force: bool = False) -> dict[str, Path]:
    """Read a finished run, draw a stratified sample of ``n`` sentences and write it for
    annotation (see :func:`write_sample`: an edited earlier sample in ``out_dir`` raises
    :class:`SampleExistsError` unless ``force``)."""
    edited = edited_sample_files(out_dir)
    if edited and not force:  # refuse before reading the run
        raise SampleExistsError(Path(out_dir), edited, next_free_folder(out_dir))
    rows = read_run_sentences(run_dir)
    return write_sample(draw_sample(rows, n, seed), out_dir, run_dir, n, force)


def _run_summary(run_dir: Path) -> dict[str, Any]:
    try:
        run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"path": str(run_dir)}
    return {
        "path": str(run_dir),
        "package_version": run.get("package_version"),
        "pipeline_version": run.get("pipeline_version"),
        "settings_hash": run.get("settings_hash"),
        "models": run.get("models"),
    }


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A CSV file through the shared writer (formula-like text gets a leading ')."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = CsvWriter(fh)
        w.writerow(header)
        w.writerows(rows)


def _write_xlsx(path: Path, rows: Sequence[Sequence[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Sentences"
    ws.append(list(SAMPLE_COLUMNS))
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            # user text is text, never a formula: a string cell, kept as text when edited
            cell.data_type = "s"
            cell.quotePrefix = isinstance(cell.value, str) and cell.value.startswith(
                FORMULA_START)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = {"A": 8, "B": 14, "C": 18, "D": 7, "E": 50, "F": 60, "G": 12, "H": 14, "I": 30,
              "J": 25}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    last = len(rows) + 1
    for col, values in (("G", VOICE_VALUES), ("H", SOURCE_KIND_VALUES)):
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        dv.error = f"One of: {', '.join(values)}"
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}{max(last, 2)}")
    info = wb.create_sheet("Instructions", 0)
    info.column_dimensions["A"].width = 110
    for line in instructions_text().splitlines():
        info.append([line])
        info.cell(row=info.max_row, column=1).data_type = "s"
        if line.startswith("#"):
            info.cell(row=info.max_row, column=1).font = Font(bold=True)
    wb.active = 1
    wb.save(path)
