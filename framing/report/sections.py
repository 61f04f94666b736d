"""HTML fragments for the cross-outlet tables (contrasts, distinctive words, labels, claims).

Each builder takes the comparisons (their ``extra`` holds the tables) and returns one HTML string
for ``render_report(extra_sections=...)``. Every piece of user text is escaped here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from html import escape
from typing import Any

from framing.models import Comparison

#: Features shown in the report's contrast table (contrasts.csv has every feature).
REPORT_FEATURES = (
    "author_voice_share",
    "evaluative_author_claims",
    "loaded_density_author",
    "loaded_density_paraphrase",
    "loaded_density_quoted",
    "vague_voice_share",
    "vague_source_share",
    "hedging_rate",
    "evaluative_cue_share",
    "direct_quote_share",
)


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None:
        return "–"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def _event_heading(c: Comparison) -> str:
    return f"<h3>Event: {escape(c.event or '(no event)')}</h3>"


def contrasts_section(comparisons: Sequence[Comparison], max_rows: int = 24) -> str:
    """Pairwise outlet contrasts on the headline features, significant ones first."""
    h: list[str] = [
        "<p class=small>Difference of outlet means (first minus second) with a 95% bootstrap "
        "interval, two-sided permutation-test p-value, Benjamini–Hochberg adjusted p (q) over "
        "all tests of the event, Hedges' g and Cliff's delta. Every feature and pair is in "
        "contrasts.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c))
        rows = [r for r in c.extra.get("contrasts", ()) if r.level == "outlet"]
        if not rows:
            outlets = ", ".join(p.outlet for p in c.profiles)
            h.append(
                f"<p>Only one outlet ({escape(outlets)}): there is no pair to contrast.</p>"
            )
            continue
        shown = [r for r in rows if r.feature in REPORT_FEATURES]
        shown.sort(
            key=lambda r: (
                r.p_adjusted is None,
                r.p_adjusted if r.p_adjusted is not None else 1.0,
                -abs(r.hedges_g or 0.0),
            )
        )
        n_sig = sum(1 for r in rows if r.p_adjusted is not None and r.p_adjusted < 0.05)
        h.append(
            f"<p>{n_sig} of {len(rows)} outlet contrasts have q &lt; 0.05 "
            f"(all features).</p><table><tr><th>Feature</th><th>Outlets</th><th>n</th>"
            "<th>Difference [95% CI]</th><th>p</th><th>q (BH)</th><th>g</th><th>δ</th>"
            "<th>Note</th></tr>"
        )
        for r in shown[:max_rows]:
            ci = f" [{_num(r.low)}, {_num(r.high)}]" if r.low is not None else ""
            h.append(
                f"<tr><td>{escape(r.feature)}</td><td>{escape(r.a)} − {escape(r.b)}</td>"
                f'<td class="num">{r.n_a} / {r.n_b}</td>'
                f'<td class="num">{_num(r.difference)}{ci}</td>'
                f'<td class="num">{_p(r.p_value)}</td><td class="num">{_p(r.p_adjusted)}</td>'
                f'<td class="num">{_num(r.hedges_g)}</td><td class="num">{_num(r.cliffs_delta)}</td>'
                f"<td class=small>{escape(r.note)}</td></tr>"
            )
        h.append("</table>")
    return "".join(h)


def terms_section(comparisons: Sequence[Comparison], top_n: int = 10) -> str:
    """Each outlet's most distinctive words and two-word phrases."""
    h: list[str] = [
        "<p class=small>Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &amp; "
        "Quinn 2008) of each outlet against the other outlets of the event; z &gt; 1.96 is "
        "unlikely by chance alone. Full lists in terms.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c))
        terms = c.extra.get("terms", ())
        if not terms:
            h.append("<p>Fewer than two outlets: no outlet to compare against.</p>")
            continue
        by_outlet: dict[str, list[Any]] = defaultdict(list)
        for t in terms:
            by_outlet[t.outlet].append(t)
        h.append('<div class="outlets">')
        for outlet in sorted(by_outlet):
            h.append(f'<div class="card"><h3>{escape(outlet)}</h3><table>'
                     "<tr><th>Term</th><th>Count</th><th>Others</th><th>z</th></tr>")
            for t in by_outlet[outlet][:top_n]:
                h.append(
                    f"<tr><td>{escape(t.term)}</td><td class=num>{t.count}</td>"
                    f"<td class=num>{t.count_others}</td><td class=num>{t.z:.2f}</td></tr>"
                )
            h.append("</table></div>")
        h.append("</div>")
    return "".join(h)


def labels_section(comparisons: Sequence[Comparison], max_actors: int = 10) -> str:
    """For each actor, the words each outlet uses for it."""
    h: list[str] = [
        "<p class=small>Mentions grouped into actors by named entities, an alias table, name "
        "parts, acronyms, noun-phrase heads and sentence-embedding similarity; generic labels "
        "(\"militants\", \"Khawarij\") are attached to the event's most-mentioned armed group. "
        "Counts, grouping reasons and example sentences in labels.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c))
        rows = c.extra.get("labels", ())
        outlets = sorted(p.outlet for p in c.profiles)
        if not rows:
            h.append("<p>No actor was mentioned more than once.</p>")
            continue
        by_actor: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            by_actor[r.actor].append(r)
        # the most mentioned actors, then those named in more different ways
        rank = {
            name: (-rs[0].actor_mentions, -len({r.label.lower() for r in rs}), name)
            for name, rs in by_actor.items()
        }
        actors = sorted(by_actor, key=rank.__getitem__)[:max_actors]
        h.append("<table><tr><th>Actor</th>")
        h += [f"<th>{escape(o)}</th>" for o in outlets]
        h.append("</tr>")
        for name in actors:
            first = by_actor[name][0]
            h.append(
                f"<tr><td><b>{escape(name)}</b><br><span class=small>"
                f"{escape(first.actor_type.replace('_', ' '))} · {first.actor_mentions} mentions"
                "</span></td>"
            )
            for o in outlets:
                cells = [r for r in by_actor[name] if r.outlet == o]
                if not cells:
                    h.append("<td class=small>not mentioned</td>")
                    continue
                items = ", ".join(
                    f'<span title="{escape(r.examples[0] if r.examples else "")}">'
                    f"{escape(r.label)}</span> ({r.count})"
                    for r in cells
                )
                h.append(f"<td>{items}</td>")
            h.append("</tr>")
        h.append("</table>")
    return "".join(h)


def _claims_table(claims: Sequence[Any]) -> str:
    h = [
        "<table><tr><th>#</th><th>Claim (representative sentence)</th><th>Carried by</th>"
        "<th>Omitted by</th></tr>"
    ]
    for cl in claims:
        lead = " <span class=small>(headline/lead)</span>" if cl.is_lead else ""
        carried = ", ".join(
            f"{o} (via a syndicated copy)" if o in cl.via_copy else o for o in cl.outlets
        )
        h.append(
            f"<tr><td class=num>{cl.claim_id}</td><td>{escape(cl.representative.text)}{lead}"
            f"</td><td>{escape(carried)}</td>"
            f"<td>{escape(', '.join(cl.omitted_by)) or '–'}</td></tr>"
        )
    h.append("</table>")
    return "".join(h)


def claims_section(comparisons: Sequence[Comparison], max_claims: int = 12) -> str:
    """The event's claims aligned across outlets: who carries each, who omits it."""
    h: list[str] = [
        "<p class=small>Sentences grouped by MiniLM sentence-embedding similarity (average "
        "linkage). Headline and lead claims first, then claims carried by more outlets in their "
        "own articles (an outlet carrying a claim only through a syndicated copy of another "
        "outlet's article does not count as shared coverage). Every claim, with all its "
        "sentences, in claims.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c))
        claims = c.extra.get("claims")
        if claims is None:
            h.append(f"<p>{escape(c.extra.get('claims_note', 'Claims were not aligned.'))}</p>")
            continue
        shared = [cl for cl in claims if cl.n_independent > 1]
        alone = [cl for cl in claims if cl.n_independent == 1 and cl.is_lead]
        if not claims:
            h.append("<p>No claim found.</p>")
            continue
        if shared:
            h.append("<h4>Claims carried by more than one outlet</h4>")
            h.append(_claims_table(shared[:max_claims]))
        if alone:
            h.append("<h4>Headline and lead claims only one outlet carries</h4>")
            h.append(_claims_table(alone[:max_claims]))
        if not shared and not alone:
            h.append("<p>No claim is shared between outlets, and no headline claim was found.</p>")
    return "".join(h)


_KIND_WORDS = {"named_person": "person", "named_org": "org.", "official": "office",
               "media": "outlet", "anonymous": "anon.", "vague": "vague"}


def sources_section(comparisons: Sequence[Comparison], top_n: int = 12) -> str:
    """Who each outlet gives voice to: identified, anonymous and vague sources with counts."""
    h: list[str] = [
        "<p class=small>Every source an outlet credits a claim to, identified or not: "
        "anonymous sources (\"officials who spoke on condition of anonymity\") and vague ones "
        "(\"some analysts\") are listed beside named people, organisations, offices and "
        "outlets. Hedges and agentless passives credit nobody and are not listed. Full table in "
        "sources.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c))
        rows = c.extra.get("sources", ())
        if not rows:
            h.append("<p>No source is credited with a claim in this event.</p>")
            continue
        by_outlet: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            by_outlet[r.outlet].append(r)
        h.append('<div class="outlets">')
        for outlet in sorted(by_outlet):
            items = by_outlet[outlet]
            counts: dict[str, int] = defaultdict(int)
            for r in items:
                counts["identified" if r.identified else r.kind] += r.n_attributions
            summary = ", ".join(f"{counts[k]} {k}" for k in ("identified", "anonymous", "vague")
                                if counts[k])
            h.append(f'<div class="card"><h3>{escape(outlet)}</h3>'
                     f"<p class=small>Attributions: {escape(summary)}.</p><table>"
                     "<tr><th>Source</th><th>Kind</th><th title=\"direct quotes\">Quotes</th>"
                     "<th title=\"reported speech, according to, chains\">Other</th></tr>")
            for r in items[:top_n]:
                only = " <span class=small>(only here)</span>" if r.only_this_outlet else ""
                h.append(
                    f"<tr><td>{escape(r.source)}{only}</td>"
                    f"<td>{escape(_KIND_WORDS.get(r.kind, r.kind))}</td>"
                    f'<td class="num">{r.n_direct_quotes}</td>'
                    f'<td class="num">{r.n_reported + r.n_chain_origin}</td></tr>'
                )
            more = len(items) - top_n
            h.append("</table>" + (f"<p class=small>… and {more} more in sources.csv.</p>"
                                   if more > 0 else "") + "</div>")
        h.append("</div>")
    return "".join(h)


def comparison_sections(comparisons: Sequence[Comparison]) -> dict[str, str]:
    """Heading -> HTML body of every cross-outlet section (for ``render_report``)."""
    return {
        "Contrasts between outlets": contrasts_section(comparisons),
        "Who each outlet gives voice to": sources_section(comparisons),
        "Words each outlet uses for each actor": labels_section(comparisons),
        "Claims across outlets": claims_section(comparisons),
        "Distinctive words and phrases": terms_section(comparisons),
    }
