"""The self-contained HTML report: no scripts from elsewhere, no network requests, all text escaped."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape

from framing.models import AnalyzedArticle, Comparison, IngestResult, SentenceAnalysis
from framing.report.figures import interval_chart
from framing.scoring import FEATURES

#: Headline features shown side by side, with the question each one answers.
KEY_FEATURES: dict[str, str] = {
    "author_voice_share": "How much does the outlet assert in its own voice?",
    "evaluative_author_claims": "Evaluative claims nobody is credited with (per article)",
    "loaded_density_author": "Loaded words in the outlet's own voice (per 100 words)",
    "loaded_density_quoted": "Loaded words in quoted sources' voices (per 100 words)",
    "vague_voice_share": "Assertions resting on vague/anonymous sources or agentless passives",
    "vague_source_share": "Share of attributions to anonymous, vague or no source",
    "hedging_rate": "Hedges per 100 words",
    "evaluative_cue_share": "Cue verbs that judge the speech act ('claimed', 'admitted')",
}

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:2rem auto;
max-width:1180px;color:#222;line-height:1.45;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;
margin-top:2.2rem}.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:1rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;background:#fff}
.card h3{font-size:.95rem;margin:.1rem 0 .4rem}
.outlets{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
.ev{font-size:.9rem;margin:.45rem 0;padding:.35rem .5rem;border-left:3px solid #ccc;background:#fafafa}
.ev .why{font-size:.75rem;color:#666;display:block}
mark.author{background:#ffd2c2;border-bottom:2px solid #c8553d;padding:0 1px}
mark.quoted{background:#d6e6f5;border-bottom:2px solid #1b6ca8;padding:0 1px}
.src{font-weight:600;color:#1b4f72}.cue{text-decoration:underline dotted;color:#6a1b9a}
.legend span{margin-right:1rem}.small{font-size:.8rem;color:#666}
@media print{body{margin:0;max-width:none}.grid,.outlets{display:block}.card{break-inside:avoid;
margin-bottom:.6rem}h2{break-after:avoid}.ev{break-inside:avoid}}
"""

METHODS = [
    (
        "Sentences, parse and entities",
        "spaCy English pipeline (Honnibal et al. 2020), model en_core_web_sm, run once per corpus.",
    ),
    (
        "Attribution",
        "Cue, source and content following the PARC scheme (Pareti 2016) and the quote extraction "
        "of GenderGapTracker (Asr et al. 2021): direct quotes, reported speech via the reporting verb's "
        "subject and clausal complement, 'according to', chains ('citing'), hedges ('reportedly') "
        "and agentless passive accusations.",
    ),
    (
        "Voice",
        "A sentence is in the outlet's own voice when it asserts something and no attribution covers "
        "it; 'vague' when the covering source is anonymous, vague or absent.",
    ),
    (
        "Loaded language",
        "Seed lexicon of labelling, intensifying, evaluative and epistemic terms (categories after "
        "Da San Martino et al. 2019; epistemic verbs after Hooper 1975 and Recasens et al. 2013); "
        "each span is charged to the author or to the source whose quoted or reported content holds "
        "it. Hedges after Hyland (2005).",
    ),
    (
        "Uncertainty",
        "Outlet means with 95% percentile bootstrap intervals over articles (Efron 1979); "
        "fewer than two articles: not estimable.",
    ),
]


def _highlight(text: str, offset: int, sentence: SentenceAnalysis) -> str:
    """Escaped sentence text with loaded spans, sources and cues marked up."""
    marks: list[tuple[int, int, str, str]] = []
    for ls in sentence.loaded:
        cls = "author" if ls.speaker == "author" else "quoted"
        tip = f"{', '.join(ls.categories)}; score {ls.score:.2f}; speaker: {ls.speaker}"
        marks.append((ls.span.start, ls.span.end, f'mark class="{cls}"', tip))
    for a in sentence.attributions:
        if a.source.span is not None:
            marks.append(
                (
                    a.source.span.start,
                    a.source.span.end,
                    'span class="src"',
                    f"source ({a.source.kind}) of a {a.kind.replace('_', ' ')}",
                )
            )
        if a.cue is not None:
            marks.append((a.cue.start, a.cue.end, 'span class="cue"', f"cue: {a.cue_lemma}"))
    marks.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out: list[str] = []
    pos = offset
    end_of_sentence = offset + len(text)
    for start, end, tag, tip in marks:
        if start < pos or end > end_of_sentence or start < offset:
            continue  # overlapping or outside the sentence: keep the first
        out.append(escape(text[pos - offset : start - offset]))
        name = tag.split()[0]
        out.append(
            f'<{tag} title="{escape(tip)}">{escape(text[start - offset : end - offset])}</{name}>'
        )
        pos = end
    out.append(escape(text[pos - offset :]))
    return "".join(out)


def _evidence(articles: Sequence[AnalyzedArticle], limit: int = 4) -> list[tuple[str, str, str]]:
    """Example sentences for an outlet: (why, article id, highlighted html)."""
    picks: list[tuple[int, str, str, str]] = []
    for art in articles:
        for s in art.sentences:
            author_loaded = [ls for ls in s.loaded if ls.speaker == "author"]
            if s.voice == "author" and author_loaded:
                why, rank = "evaluative claim in the outlet's own voice", 0
            elif any(a.kind == "chain" for a in s.attributions):
                why, rank = "chain of attribution", 1
            elif s.voice == "vague":
                why, rank = "rests on an anonymous/vague source or agentless passive", 2
            elif s.voice == "question":
                why, rank = "question in the outlet's voice", 3
            elif any(ls.speaker != "author" for ls in s.loaded):
                why, rank = "loaded words in a quoted source's voice", 4
            else:
                continue
            picks.append((rank, why, art.article.id, _highlight(s.text, s.span.start, s)))
    picks.sort(key=lambda p: p[0])
    seen_rank: dict[int, int] = {}
    chosen = []
    for rank, why, aid, html_text in picks:
        if seen_rank.get(rank, 0) >= 2:
            continue
        seen_rank[rank] = seen_rank.get(rank, 0) + 1
        chosen.append((why, aid, html_text))
        if len(chosen) >= limit:
            break
    return chosen


def _cell(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def render_event(comparison: Comparison, analyzed: Sequence[AnalyzedArticle]) -> list[str]:
    """The side-by-side table, charts and evidence of one event."""
    profiles = comparison.profiles
    by_outlet: dict[str, list[AnalyzedArticle]] = {}
    for art in analyzed:
        by_outlet.setdefault(art.article.outlet, []).append(art)
    n_articles = sum(p.n_articles for p in profiles)
    h: list[str] = [
        f"<h2>Event: {escape(comparison.event or '(no event)')}</h2>",
        f'<p class="meta">{n_articles} articles from {len(profiles)} outlets</p>',
        "<h3>Outlets side by side</h3><table><tr><th>Feature</th>",
    ]
    h += [
        f"<th>{escape(p.outlet)} <span class=small>(n={p.n_articles})</span></th>" for p in profiles
    ]
    h.append("</tr>")
    for feat, question in KEY_FEATURES.items():
        h.append(
            f"<tr><td><b>{escape(feat)}</b><br><span class=small>{escape(question)}</span></td>"
        )
        for p in profiles:
            e = p.features[feat]
            ci = f" [{_cell(e.low)}, {_cell(e.high)}]" if e.low is not None else " (no interval)"
            h.append(f'<td class="num">{_cell(e.mean)}<span class=small>{ci}</span></td>')
        h.append("</tr>")
    h.append(
        "</table><p class=small>Mean over articles with a 95% bootstrap interval. "
        "Small samples (fewer than 5 articles) give unreliable intervals.</p>"
    )
    h.append('<h3>Charts</h3><div class="grid">')
    for feat, question in KEY_FEATURES.items():
        h.append(
            f'<div class="card"><h3>{escape(question)}</h3>'
            f"{interval_chart(profiles, feat, question)}</div>"
        )
    h.append('</div><h3>Evidence by outlet</h3><div class="outlets">')
    for p in profiles:
        h.append(f'<div class="card"><h3>{escape(p.outlet)}</h3>')
        ev = _evidence(by_outlet.get(p.outlet, []))
        if not ev:
            h.append("<p class=small>No flagged sentences.</p>")
        for why, aid, html_text in ev:
            h.append(
                f'<div class="ev"><span class="why">{escape(why)} · {escape(aid)}</span>'
                f"{html_text}</div>"
            )
        h.append("</div>")
    h.append("</div>")
    return h


def render_report(
    comparisons: Sequence[Comparison],
    analyzed: Sequence[AnalyzedArticle],
    ingest: IngestResult,
    title: str = "framing report",
    extra_sections: Mapping[str, str] | None = None,
) -> str:
    """The full report as one HTML string (inline CSS and SVG; no scripts, no external assets)."""
    if not comparisons:
        raise ValueError("nothing to report: no articles were analysed")
    run = comparisons[0].run
    h: list[str] = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{ingest.n_read} records read · {len(analyzed)} articles analysed · '
        f"{len(ingest.rejections)} rejected · {len(comparisons)} event(s) · "
        f"framing {escape(run.package_version)}, pipeline {escape(run.pipeline_version)}, "
        f"settings {escape(run.settings_hash)}</p>",
        '<p class="legend small"><span><mark class="author">loaded, outlet\'s voice</mark></span>'
        '<span><mark class="quoted">loaded, quoted source</mark></span>'
        '<span><span class="src">source</span></span><span><span class="cue">cue</span></span>'
        "</p>",
    ]
    ids_by_event: dict[str | None, list[AnalyzedArticle]] = {}
    for art in analyzed:
        ids_by_event.setdefault(art.article.event, []).append(art)
    for comparison in comparisons:
        h += render_event(comparison, ids_by_event.get(comparison.event, []))
    for name, body in (extra_sections or {}).items():
        h.append(f"<h2>{escape(name)}</h2>{body}")
    if ingest.rejections or ingest.flags:
        h.append(
            "<h2>Input accounting</h2><table><tr><th>Record</th><th>Status</th><th>Reason</th></tr>"
        )
        for r in ingest.rejections:
            h.append(
                f"<tr><td>{escape(r.record)}</td><td>rejected</td><td>{escape(r.reason)}</td></tr>"
            )
        for f in ingest.flags:
            h.append(
                f"<tr><td>{escape(f.article_id)}</td><td>flagged: {escape(f.kind)}</td>"
                f"<td>{escape(f.detail)}</td></tr>"
            )
        h.append("</table>")
    h.append("<h2>Methods</h2><dl>")
    for name, text in METHODS:
        h.append(f"<dt><b>{escape(name)}</b></dt><dd>{escape(text)}</dd>")
    h.append("</dl><h2>Feature definitions</h2><table>")
    for name, desc in FEATURES.items():
        h.append(f"<tr><td>{escape(name)}</td><td>{escape(desc)}</td></tr>")
    h.append("</table><h2>Run metadata</h2><pre>")
    h.append(
        escape(
            json.dumps(
                {
                    "package_version": run.package_version,
                    "pipeline_version": run.pipeline_version,
                    "models": dict(run.models),
                    "settings": dict(run.settings),
                    "settings_hash": run.settings_hash,
                    "seed": run.seed,
                },
                indent=2,
                sort_keys=True,
            )
        )
    )
    h.append("</pre></body></html>\n")
    return "".join(h)
