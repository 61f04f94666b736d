"""Dashboard logic without Streamlit: where things are cached, reading uploads, building views.

Everything here is a thin layer over ``framing.api``, ``framing.store`` and ``framing.report``;
the Streamlit script only lays the results out.
"""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path

# Uploads are saved, unpacked and read by framing.ingest; the app only shows the result.
from framing.ingest.uploads import UPLOAD_SUFFIXES as UPLOAD_SUFFIXES
from framing.ingest.uploads import Upload as Upload
from framing.ingest.uploads import load_uploads as load_uploads
from framing.models import Estimate, OutletProfile
from framing.report.exports import SENTENCE_TABLES, Table, read_csv_table, sentence_tables
from framing.report.html import KEY_FEATURES, LEGEND
from framing.scoring import FEATURES

#: Tables other parts of framing write into a run folder, with the view that shows them.
VIEW_TABLES = {
    "Sources": "sources",
    "Labels": "labels",
    "Terms": "terms",
    "Claims": "claims",
    "Contrasts": "contrasts",
    "Over time": "over_time",
    "Side by side": "side_by_side",
}


def cache_dir() -> Path:
    """Where the store, analysed runs and uploads live (``FRAMING_CACHE_DIR`` overrides)."""
    env = os.environ.get("FRAMING_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "framing"


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
