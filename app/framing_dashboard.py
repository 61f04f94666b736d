"""Dashboard logic without Streamlit: where things are cached, reading uploads, building views.

Everything here is a thin layer over ``framing.api``, ``framing.store`` and ``framing.report``;
the Streamlit script only lays the results out.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath

from framing.api import load
from framing.ingest.readers import TABLE_SUFFIXES, TEXT_SUFFIXES
from framing.models import Estimate, IngestResult, OutletProfile
from framing.report.exports import SENTENCE_TABLES, Table, read_csv_table, sentence_tables
from framing.report.html import KEY_FEATURES, LEGEND
from framing.scoring import FEATURES
from framing.settings import Settings

#: Tables other parts of framing write into a run folder, with the view that shows them.
VIEW_TABLES = {
    "Sources": "sources",
    "Labels": "labels",
    "Terms": "terms",
    "Claims": "claims",
    "Contrasts": "contrasts",
}
UPLOAD_SUFFIXES = TEXT_SUFFIXES + TABLE_SUFFIXES + (".zip",)


def cache_dir() -> Path:
    """Where the store, analysed runs and uploads live (``FRAMING_CACHE_DIR`` overrides)."""
    env = os.environ.get("FRAMING_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "framing"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


class UploadError(ValueError):
    """An uploaded file that cannot be used, with the reason shown to the user."""


def _safe_member(name: str) -> PurePosixPath | None:
    """A ZIP member path that stays inside the extraction folder, or None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return None
    return path


def save_uploads(
    uploads: Sequence[Upload], root: Path, settings: Settings
) -> tuple[Path, list[str]]:
    """Write uploads (ZIPs extracted safely) into a folder named by their content hash.

    Returns the folder and the files that were skipped, with the reason.
    """
    digest = hashlib.sha256()
    for up in sorted(uploads, key=lambda u: u.name):
        digest.update(up.name.encode() + b"\0" + hashlib.sha256(up.data).digest())
    folder = root / digest.hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    skipped: list[str] = []
    used: set[str] = set()
    for up in uploads:
        name = _unique(PurePosixPath(up.name.replace("\\", "/")).name, used)
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            skipped.append(f"{name}: unsupported file type {suffix or '(none)'}")
            continue
        if suffix != ".zip":
            try:
                (folder / name).write_bytes(up.data)
            except (OSError, ValueError) as exc:
                skipped.append(f"{name}: cannot be saved ({exc})")
            continue
        try:
            zf = zipfile.ZipFile(io.BytesIO(up.data))
        except (zipfile.BadZipFile, OSError, ValueError):
            skipped.append(f"{name}: not a readable ZIP file")
            continue
        total = 0
        with zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                member = _safe_member(info.filename)
                if member is None:
                    skipped.append(f"{name}/{info.filename}: unsafe or hidden path")
                    continue
                if member.suffix.lower() not in TEXT_SUFFIXES + TABLE_SUFFIXES + (".json",):
                    skipped.append(f"{name}/{info.filename}: unsupported file type")
                    continue
                total += info.file_size
                if info.file_size > settings.max_file_bytes or total > 4 * settings.max_file_bytes:
                    skipped.append(f"{name}/{info.filename}: too large once unpacked")
                    continue
                target = folder / PurePosixPath(name).stem / member
                try:
                    data = zf.read(info)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                except Exception as exc:  # noqa: BLE001 - a broken member skips that member
                    skipped.append(
                        f"{name}/{info.filename}: cannot be unpacked ({type(exc).__name__})"
                    )
    return folder, skipped


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``stem (2).ext`` when an earlier upload had that name (none overwritten)."""
    path = PurePosixPath(name)
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{path.stem} ({n}){path.suffix}"
    used.add(candidate)
    return candidate


def load_folder(folder: Path, settings: Settings) -> IngestResult:
    """Load every readable file of an upload folder, naming records relative to it."""
    result = load([folder], settings)
    return relabel(result, folder)


def relabel(result: IngestResult, folder: Path) -> IngestResult:
    """Record names relative to ``folder`` (users never saw the cache path)."""
    prefix = str(folder) + os.sep
    rejections = tuple(
        type(r)(r.record.replace(prefix, ""), r.reason, r.id) for r in result.rejections
    )
    return IngestResult(result.articles, rejections, result.flags, result.n_read)


def fmt(v: float | None, digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def estimate_text(e: Estimate) -> str:
    """'0.25 [0.10, 0.40]' or '0.25 (n=1, no interval)'."""
    if e.mean is None:
        return "–"
    if e.low is None or e.high is None:
        return f"{fmt(e.mean)} (n={e.n}, no interval)"
    return f"{fmt(e.mean)} [{fmt(e.low)}, {fmt(e.high)}]"


def outlet_card(profile: OutletProfile) -> str:
    """HTML card of one outlet's key figures with their intervals (all text escaped)."""
    rows = "".join(
        f'<tr><td title="{escape(FEATURES.get(f, q))}">{escape(q)}<br>'
        f'<span class="small">{escape(f)}</span></td>'
        f'<td class="num">{escape(estimate_text(profile.features[f]))}</td></tr>'
        for f, q in KEY_FEATURES.items()
        if f in profile.features
    )
    notes = sorted({e.note for f, e in profile.features.items() if e.note and f in KEY_FEATURES})
    note = f'<p class="small">{escape("; ".join(notes))}</p>' if notes else ""
    return (
        f'<div class="card outlet-card"><h3>{escape(profile.outlet)}</h3>'
        f'<p class="small">{profile.n_articles} article(s)</p><table>{rows}</table>{note}</div>'
    )


#: The report's marks and cards, scoped so they never restyle Streamlit's own page.
APP_CSS = """
.framing-view table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.3rem 0}
.framing-view th,.framing-view td{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;
vertical-align:top}
.framing-view td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.framing-view .card{border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;margin-bottom:.6rem}
.framing-view .card h3{font-size:1.05rem;margin:.1rem 0 .3rem;padding:0}
.framing-view .small,.framing-view .meta{font-size:.8rem;color:#666}
.framing-view mark.author{background:#ffd2c2;border-bottom:2px solid #c8553d;padding:0 1px;color:inherit}
.framing-view mark.paraphrase{background:#ffe9c7;border-bottom:2px dashed #c8553d;padding:0 1px;color:inherit}
.framing-view mark.quoted{background:#d6e6f5;border-bottom:2px solid #1b6ca8;padding:0 1px;color:inherit}
.framing-view .src{font-weight:600;color:#1b4f72}
.framing-view .cue{text-decoration:underline dotted;color:#6a1b9a}
.framing-view .content{background:#f3f0e0}
.framing-view .hedge{border-bottom:2px dotted #777}
.framing-view .reader{white-space:pre-wrap;line-height:1.75;font-size:1rem;max-width:54rem}
.framing-view .legend span{margin-right:1rem}
.framing-view h1{font-size:1.8rem;margin:0 0 .2rem;padding:0}
.framing-view h2{font-size:1.3rem;margin:.3rem 0;padding:0}
"""


def styled(body: str) -> str:
    """An HTML fragment with the dashboard stylesheet, scoped to a wrapper."""
    return f'<style>{APP_CSS}</style><div class="framing-view">{body}</div>'


def chart_img(svg: str, alt: str) -> str:
    """An inline SVG chart as a data-URI image (st.html's sanitiser drops inline <svg>)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def legend() -> str:
    return styled(LEGEND)


def view_table(out_dir: Path, name: str, event: str | None) -> Table | None:
    """A table another part of framing wrote into the run folder (rows of ``event``), or None."""
    path = out_dir / f"{name}.csv"
    if not path.exists():
        return None
    table = read_csv_table(path)
    if "event" in table.columns and event is not None:
        i = table.columns.index("event")
        rows = tuple(r for r in table.rows if r[i] in (event, None))
        table = Table(table.name, table.columns, rows)
    return table


def as_records(table: Table) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def export_names(out_dir: Path) -> list[str]:
    """Names of every exportable table of a run folder (without reading them)."""
    names = [p.stem for p in sorted(out_dir.glob("*.csv"))]
    if (out_dir / "sentences.jsonl").exists():
        names += [n for n in SENTENCE_TABLES if n not in names]
    return names


def export_table(out_dir: Path, name: str) -> Table:
    """One exportable table of a run folder."""
    path = out_dir / f"{name}.csv"
    if path.exists():
        return read_csv_table(path)
    if name in SENTENCE_TABLES:
        return sentence_tables(out_dir / "sentences.jsonl")[SENTENCE_TABLES.index(name)]
    raise KeyError(f"no table {name!r} in {out_dir}")
