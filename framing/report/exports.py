"""Every output table as CSV, JSON and Parquet.

Tables are the CSV files of an output folder (articles, outlets and whatever the comparison
wrote: sources, labels, terms, claims, contrasts, ...) plus three flat tables derived from
sentences.jsonl: sentences, attributions and loaded spans. Column types are inferred once, the
same way for JSON and Parquet: a column is numeric when every non-empty cell is a number (and
none looks like a zero-padded identifier); otherwise it is text. Empty cells are null.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.ingest.csvcells import CsvWriter, no_surrogates, read_csv_rows
from framing.report.tables import replace_atomically

FORMATS = ("csv", "json", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
#: Columns that always stay text, whatever they look like.
TEXT_COLUMNS = frozenset(
    {"article_id", "id", "outlet", "event", "title", "group", "published", "level", "source"}
)
SENTENCE_TABLES = ("sentences", "attributions", "loaded_spans")


@dataclass(frozen=True)
class Table:
    """A named table: column names and typed rows (str, float or None cells)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) or cell.strip().lower() in ("nan", "inf", "-inf") else None


def _looks_padded(cell: str) -> bool:
    s = cell.lstrip("+-")
    return len(s) > 1 and s[0] == "0" and s[1].isdigit()


def _column_kind(name: str, cells: Iterable[str]) -> str:
    """'int', 'float' or 'text' for one column of CSV cells."""
    if name in TEXT_COLUMNS:
        return "text"
    kind = ""
    for c in cells:
        if c == "":
            continue
        if _looks_padded(c) or _number(c) is None:
            return "text"
        if kind != "float":
            kind = "int" if c.lstrip("+-").isdigit() else "float"
    return kind or "text"


def typed_table(name: str, columns: Sequence[str], raw: Sequence[Sequence[str]]) -> Table:
    """Type text cells column by column (numbers where every cell is one, empty -> None)."""
    kinds = [_column_kind(c, (r[i] for r in raw)) for i, c in enumerate(columns)]
    rows = []
    for r in raw:
        row: list[Any] = []
        for i, cell in enumerate(r):
            if cell == "":
                row.append(None)
            elif kinds[i] == "int":
                row.append(int(cell))
            elif kinds[i] == "float":
                row.append(float(cell))
            else:
                row.append(no_surrogates(cell))
        rows.append(tuple(row))
    return Table(name, tuple(columns), tuple(rows))


def read_csv_table(path: str | Path) -> Table:
    """A CSV output file as a typed Table (name from the file name)."""
    p = Path(path)
    # an output cell may hold a whole article's text: lift the reader's 131,072-character default
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with p.open(encoding="utf-8", newline="") as fh:
        reader = read_csv_rows(fh)  # the writer's leading ' on formula-like text dropped
        header = next(reader, [])
        raw = [row + [""] * (len(header) - len(row)) for row in reader]
    return typed_table(p.stem, header, raw)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def sentence_tables(sentences_jsonl: str | Path) -> list[Table]:
    """Flat sentences, attributions and loaded-span tables from sentences.jsonl."""
    sent_cols = ("article_id", "outlet", "event", "index", "start", "end", "voice", "text",
                 "n_attributions", "n_loaded", "n_hedges", "bias_probability")
    attr_cols = ("article_id", "outlet", "event", "sentence", "kind", "source", "source_kind",
                 "source_start", "source_end", "cue", "cue_lemma", "cue_stance", "cue_start",
                 "cue_end", "content_start", "content_end", "parent_source")
    load_cols = ("article_id", "outlet", "event", "sentence", "text", "start", "end", "score",
                 "categories", "speaker", "reported_for")
    sents: list[list[str]] = []
    attrs: list[list[str]] = []
    loaded: list[list[str]] = []
    with Path(sentences_jsonl).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            base = [r["article_id"], r["outlet"], r.get("event")]
            sents.append([_cell(v) for v in (
                *base, r["index"], r["start"], r["end"], r["voice"], r["text"],
                len(r.get("attributions", [])), len(r.get("loaded", [])),
                len(r.get("hedges", [])), r.get("bias_probability"),
            )])
            for a in r.get("attributions", []):
                src, cue = a.get("source") or {}, a.get("cue") or {}
                parent = a.get("parent") or {}
                attrs.append([_cell(v) for v in (
                    *base, r["index"], a.get("kind"), src.get("text"), src.get("kind"),
                    src.get("start"), src.get("end"), cue.get("text"), cue.get("lemma"),
                    cue.get("stance"), cue.get("start"), cue.get("end"), a["content"]["start"],
                    a["content"]["end"], parent.get("source"),
                )])
            for ls in r.get("loaded", []):
                loaded.append([_cell(v) for v in (
                    *base, r["index"], ls.get("text"), ls.get("start"), ls.get("end"),
                    ls.get("score"), "; ".join(ls.get("categories", [])), ls.get("speaker"),
                    ls.get("reported_for"),
                )])
    return [
        typed_table("sentences", sent_cols, sents),
        typed_table("attributions", attr_cols, attrs),
        typed_table("loaded_spans", load_cols, loaded),
    ]


def output_tables(out_dir: str | Path) -> dict[str, Table]:
    """Every table of an output folder, by name (CSV files first, then the sentence tables)."""
    out = Path(out_dir)
    tables = {p.stem: read_csv_table(p) for p in sorted(out.glob("*.csv"))}
    sentences = out / "sentences.jsonl"
    if sentences.exists():
        for t in sentence_tables(sentences):
            tables.setdefault(t.name, t)
    return tables


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(table.columns)
    for row in table.rows:
        w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in row])
    return buf.getvalue().encode("utf-8")


def to_json(table: Table) -> bytes:
    """A JSON array of records; NaN and infinities become null (strict JSON)."""
    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and not math.isfinite(v) else v

    records = [{c: clean(v) for c, v in zip(table.columns, row, strict=True)} for row in table.rows]
    text = json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    return no_surrogates(text).encode("utf-8")


def to_parquet(table: Table) -> bytes:
    """Parquet (pyarrow, from the 'app' extra): int64, float64 and string columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for i, _ in enumerate(table.columns):
        values = [row[i] for row in table.rows]
        if any(isinstance(v, float) for v in values):
            arrays.append(pa.array(values, type=pa.float64()))
        elif any(isinstance(v, int) for v in values):
            arrays.append(pa.array(values, type=pa.int64()))
        else:
            arrays.append(pa.array(values, type=pa.string()))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=list(table.columns)), buf)
    return buf.getvalue()


def table_bytes(table: Table, fmt: str) -> bytes:
    """The table serialised as ``fmt`` (csv, json or parquet)."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table)
    if fmt == "parquet":
        return to_parquet(table)
    raise ValueError(f"unknown table format {fmt!r} (choose from {', '.join(FORMATS)})")


def export_tables(
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    dest: str | Path | None = None,
) -> list[Path]:
    """Write every table of ``out_dir`` in each format into ``dest`` (default out_dir/tables).

    Each file is written beside its final name and renamed into place, so a failure never leaves a
    half-written table under a table's name.
    """
    target = Path(dest) if dest is not None else Path(out_dir) / "tables"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in output_tables(out_dir).items():
        for fmt in formats:
            path = target / f"{name}.{fmt}"
            replace_atomically(path, table_bytes(table, fmt))
            written.append(path)
    return written
