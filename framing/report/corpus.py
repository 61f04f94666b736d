"""The comparison over a whole corpus of events: ``corpus_contrasts.csv``, ``corpus_outlets.csv``
and the section the report opens with when a run holds two or more events.

The statistics are :mod:`framing.compare.corpus` (within-event differences pooled over events as
strata); this module gathers the scores of every event's comparison, writes the two tables and
renders what holds across the corpus, which events drive it, and the pooled outlet means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from framing.compare.corpus import (
    CONTRASTS_HEADER,
    OUTLETS_HEADER,
    CorpusContrast,
    CorpusOutlet,
    corpus_contrasts,
    corpus_outlets,
)
from framing.models import ArticleScores, Comparison
from framing.report.naming import event_names  # noqa: F401  (re-exported)
from framing.report.sections import REPORT_FEATURES
from framing.scoring.names import SHARE_FEATURES, feature_name

#: Findings stated in the report's corpus section at most (every row is in the CSV).
MAX_FINDINGS = 12
@dataclass(frozen=True)
class CorpusTables:
    """The corpus-level tables of a run (empty when it holds fewer than two events)."""

    contrasts: tuple[CorpusContrast, ...]
    outlets: tuple[CorpusOutlet, ...]
    n_events: int

    @property
    def estimable(self) -> bool:
        return any(r.estimable for r in self.contrasts)


def corpus_tables(comparisons: Iterable[Comparison], features: Sequence[str]) -> CorpusTables:
    """Pool the article scores of every event (read once) into the corpus tables; the bootstrap
    size, confidence and seed are the run's settings."""
    scores: list[ArticleScores] = []
    run = None
    for c in comparisons:
        run = run or c.run
        scores.extend(c.scores)
    n_events = len({s.event for s in scores if s.event is not None})
    if run is None or n_events < 2:
        return CorpusTables((), (), n_events)
    settings = run.settings
    n_boot = int(settings.get("bootstrap_samples", 2000))
    confidence = float(settings.get("confidence", 0.95))
    contrasts = corpus_contrasts(scores, features, n_boot=n_boot, confidence=confidence,
                                 seed=run.seed)
    outlets = corpus_outlets(scores, features, n_boot=n_boot, confidence=confidence,
                             seed=run.seed)
    return CorpusTables(tuple(contrasts), tuple(outlets), n_events)


def write_corpus_tables(tables: CorpusTables, contrasts_path: Path, outlets_path: Path) -> None:
    """``corpus_contrasts.csv`` and ``corpus_outlets.csv`` (headers only when the run holds
    fewer than two events)."""
    from framing.report.tables import write_rows

    write_rows(contrasts_path, CONTRASTS_HEADER, (r.to_row() for r in tables.contrasts))
    write_rows(outlets_path, OUTLETS_HEADER, (o.to_row() for o in tables.outlets))


def _float(cell: str) -> float | None:
    return float(cell) if cell not in ("", None) else None


def _drivers_cell(cell: str) -> tuple[tuple[str, float], ...]:
    out = []
    for part in cell.split("; "):
        ev, _, d = part.rpartition("=")
        if ev:
            out.append((ev, float(d)))
    return tuple(out)


def read_corpus_tables(out_dir: str | Path) -> CorpusTables | None:
    """The corpus tables of a run folder, read back from its two CSV files (None when the run
    has none: one event, or written by an older version)."""
    from framing.ingest.csvcells import read_csv_records

    folder = Path(out_dir)
    c_path, o_path = folder / "corpus_contrasts.csv", folder / "corpus_outlets.csv"
    if not c_path.is_file() or not o_path.is_file():
        return None
    with c_path.open(encoding="utf-8", newline="") as fh:
        contrasts = tuple(
            CorpusContrast(
                r["feature"], r["a"], r["b"], int(r["n_events"]), _float(r["mean_a"]),
                _float(r["mean_b"]), _float(r["difference"]), _float(r["difference_low"]),
                _float(r["difference_high"]), _float(r["p_value"]), _float(r["p_adjusted_bh"]),
                r["finding"], _float(r["same_sign_share"]), _float(r["loo_low"]),
                _float(r["loo_high"]), _drivers_cell(r["drivers"]), r["level"], r["note"],
            )  # fmt: skip
            for r in read_csv_records(fh)
        )
    with o_path.open(encoding="utf-8", newline="") as fh:
        outlets = tuple(
            CorpusOutlet(r["outlet"], r["feature"], int(r["n_events"]), int(r["n_articles"]),
                         _float(r["mean"]), _float(r["mean_low"]), _float(r["mean_high"]),
                         r["level"], r["note"])
            for r in read_csv_records(fh)
        )
    if not contrasts:
        return None
    events = {ev for r in contrasts for ev, _ in r.drivers}
    n_events = max([len(events), *(r.n_events for r in contrasts)])
    return CorpusTables(contrasts, outlets, n_events)


EVENTS_HEADER = ("event", "name", "n_articles", "n_outlets", "outlets")


def write_events(path: Path, comparisons: Iterable[Comparison], names: Mapping[str, str]) -> None:
    """``events.csv``: every event's id, its readable name (:func:`event_names`), its article
    and outlet counts and its outlets."""
    from framing.report.tables import write_rows

    rows = []
    for c in comparisons:
        outlets = [p.outlet for p in c.profiles]
        rows.append([c.event or "", names.get(c.event or "", c.event or ""),
                     sum(p.n_articles for p in c.profiles), len(outlets), "; ".join(outlets)])
    write_rows(path, EVENTS_HEADER, rows)


def read_event_names(out_dir: str | Path) -> dict[str, str]:
    """Event id -> readable name from a run folder's ``events.csv`` (empty when absent)."""
    from framing.ingest.csvcells import read_csv_records

    path = Path(out_dir) / "events.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["event"]: r["name"] for r in read_csv_records(fh) if r.get("event")}


def _value(x: float | None, feature: str) -> str:
    if x is None:
        return "–"
    return f"{100 * x:.0f}%" if feature in SHARE_FEATURES else f"{x:.2f}"


def _diff(x: float | None, feature: str) -> str:
    if x is None:
        return "–"
    return f"{100 * x:+.0f} pts" if feature in SHARE_FEATURES else f"{x:+.2f}"


def is_volume(feature: str) -> bool:
    """A count per article (words, attributions, sources of a kind): it follows article length."""
    return feature.startswith(("n_", "sources_")) or feature.endswith("_count")


def holds(r: CorpusContrast) -> bool:
    """Stated as a finding: adjusted p below 0.05 and an interval that excludes zero."""
    return (r.p_adjusted_bh is not None and r.p_adjusted_bh < 0.05
            and r.difference_low is not None and r.difference_high is not None
            and (r.difference_low > 0 or r.difference_high < 0))


def _drivers(r: CorpusContrast, names: Mapping[str, str]) -> str:
    parts = [f"{escape(names.get(ev, ev))} ({_diff(d, r.feature)})" for ev, d in r.drivers]
    return "; ".join(parts)


def corpus_section(tables: CorpusTables, names: Mapping[str, str]) -> str:
    """What holds across the corpus, which events drive each difference, and the pooled
    outlet means of the headline features (escaped HTML)."""
    if tables.n_events < 2:
        return ""
    rows = [r for r in tables.contrasts if r.level == "outlet"]
    h = [
        '<section id="corpus"><h2>Across the corpus</h2>',
        f"<p>{tables.n_events} events. Each difference between two outlets is measured within "
        "each event both cover (the mean of each outlet's articles of that event) and averaged "
        "over those events, so an outlet is never compared with another on different stories. "
        "A difference is stated when its 95% event-bootstrap interval excludes zero and its "
        "sign-flip permutation p, adjusted over the features of the outlet pair "
        "(Benjamini–Hochberg), is below 0.05. Every feature and pair is in "
        "corpus_contrasts.csv; per-outlet means in corpus_outlets.csv.</p>",
    ]
    holding = sorted((r for r in rows if holds(r)),
                     key=lambda r: (r.feature not in REPORT_FEATURES, r.p_adjusted_bh or 1.0,
                                    -abs(r.difference or 0.0)))
    framing_rows = [r for r in holding if not is_volume(r.feature)]
    volume_rows = [r for r in holding if is_volume(r.feature)]
    if holding:
        h.append("<h3>What holds across the corpus</h3>")
        if framing_rows:
            h.append("<ul class=findings>")
            for r in framing_rows[:MAX_FINDINGS]:
                same = (f"; same direction in {100 * r.same_sign_share:.0f}% of the events"
                        if r.same_sign_share is not None else "")
                h.append(f"<li>{escape(r.finding)}{same}. <span class=small>Largest event "
                         f"differences: {_drivers(r, names)}</span></li>")
            h.append("</ul>")
            if len(framing_rows) > MAX_FINDINGS:
                h.append(f"<p class=small>{len(framing_rows) - MAX_FINDINGS} more differences "
                         "hold; corpus_contrasts.csv lists them.</p>")
        else:
            h.append("<p>No difference in shares or rates holds; only counts per article "
                     "differ (below).</p>")
        if volume_rows:
            h.append("<p class=small><b>Length and volume</b> (counts per article, which grow "
                     "with article length rather than with how it is framed): "
                     + "; ".join(escape(r.finding) for r in volume_rows) + ".</p>")
    elif any(r.estimable for r in rows):
        most = max(r.n_events for r in rows if r.estimable)
        if all("smallest attainable p" in r.note for r in rows if r.estimable):
            h.append(f"<p>No difference can hold yet: two outlets share at most {most} events, "
                     "too few for a sign-flip test to reach p < 0.05 (it needs 6 or more). The "
                     "pooled means below are descriptive.</p>")
        else:
            h.append("<p>No difference between outlets holds across the corpus on any "
                     "feature.</p>")
    else:
        h.append("<p>No two outlets cover two or more of the same events: nothing to pool.</p>")
    h.append(_heterogeneity_table(framing_rows[:MAX_FINDINGS], names))
    h.append(_outlet_table(tables.outlets))
    h.append("</section>")
    return "".join(h)


def _heterogeneity_table(rows: Sequence[CorpusContrast], names: Mapping[str, str]) -> str:
    if not rows:
        return ""
    h = ["<details><summary>Per-event heterogeneity of the differences that hold</summary>"
         "<p class=small>Same direction: the share of events whose own difference has the sign "
         "of the pooled one. Leave one event out: the smallest and largest pooled difference "
         "when any single event is dropped — a range that crosses zero means one event carries "
         "the finding.</p><table><tr><th>Feature</th><th>Outlets (first − second)</th>"
         "<th>Events</th><th>Difference [95% interval]</th><th>Same direction</th>"
         "<th>Leave one event out</th><th>Events that drive it</th></tr>"]
    for r in rows:
        h.append(
            f"<tr><td title=\"{escape(r.feature)}\">{escape(feature_name(r.feature))}</td>"
            f"<td>{escape(r.a)} − {escape(r.b)}</td><td>{r.n_events}</td>"
            f"<td>{_diff(r.difference, r.feature)} [{_diff(r.difference_low, r.feature)}, "
            f"{_diff(r.difference_high, r.feature)}]</td>"
            f"<td>{_pct(r.same_sign_share)}</td>"
            f"<td>{_diff(r.loo_low, r.feature)} to {_diff(r.loo_high, r.feature)}</td>"
            f"<td>{_drivers(r, names)}</td></tr>"
        )
    h.append("</table></details>")
    return "".join(h)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _outlet_table(outlets: Sequence[CorpusOutlet]) -> str:
    rows = [o for o in outlets if o.level == "outlet" and o.feature in REPORT_FEATURES]
    if not rows:
        return ""
    names = sorted({o.outlet for o in rows})
    cell = {(o.feature, o.outlet): o for o in rows}
    h = ['<h3>Outlets over the corpus</h3><div class="scroll"><table><tr><th>Feature</th>']
    h += [f"<th>{escape(n)}</th>" for n in names]
    h.append("</tr>")
    for f in REPORT_FEATURES:
        if not any((f, n) in cell for n in names):
            continue
        h.append(f'<tr><td title="{escape(f)}">{escape(feature_name(f))}</td>')
        for n in names:
            o = cell.get((f, n))
            if o is None or o.mean is None:
                h.append("<td>–</td>")
                continue
            ci = (f" <span class=small>[{_value(o.low, f)}, {_value(o.high, f)}]</span>"
                  if o.low is not None else "")
            events = f"{o.n_events} event{'s' if o.n_events != 1 else ''}"
            h.append(f"<td>{_value(o.mean, f)}{ci}<br><span class=small>{events}</span></td>")
        h.append("</tr>")
    h.append("</table></div><p class=small>Mean over the events an outlet covers (each event "
             "the mean of its articles there), with a 95% interval from resampling events.</p>")
    return "".join(h)
