"""HTML fragments for the cross-outlet tables (contrasts, distinctive words, labels, claims).

Each builder takes the comparisons (typed tables of ``framing.models.Comparison``) and returns one HTML string
for ``render_report(extra_sections=...)``. Every piece of user text is escaped here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from html import escape

from framing.models import Claim, Comparison, Contrast, LabelRow, SourceCount, Term, WeekRow

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


def _event_heading(c: Comparison, names: Mapping[str, str] | None = None) -> str:
    """An event's heading: its readable name (``names``), with its id when they differ."""
    name = (names or {}).get(c.event or "")
    if c.event is not None and name and name != c.event:
        return f"<h3>Event: {escape(name)} <span class=small>({escape(c.event)})</span></h3>"
    return f"<h3>Event: {escape(c.event or '(no event)')}</h3>"


#: How each report feature reads in a sentence: (what the outlet does, unit: "share" or "rate").
FINDING_PHRASES: dict[str, tuple[str, str]] = {
    "author_voice_share": ("writes {v} of its assertions in its own voice", "share"),
    "evaluative_author_claims": ("makes {v} evaluative claims in its own voice per article",
                                 "count"),
    "loaded_density_author": ("chooses {v} loaded words per 100 words of its own wording",
                              "rate"),
    "loaded_density_paraphrase": ("puts {v} loaded words per 100 words into its paraphrase of "
                                  "sources", "rate"),
    "loaded_density_quoted": ("quotes {v} loaded words per 100 quoted words", "rate"),
    "vague_voice_share": ("rests {v} of its assertions on unnamed or vague sources, hedges or "
                          "agentless passives", "share"),
    "vague_source_share": ("credits {v} of its attributions to anonymous, vague or no sources",
                           "share"),
    "hedging_rate": ("hedges {v} times per 100 words", "rate"),
    "evaluative_cue_share": ("uses judging cue verbs ('claimed', 'admitted') for {v} of its "
                             "reported speech", "share"),
    "direct_quote_share": ("gives {v} of its attributions as direct quotes", "share"),
}


def _value(x: float | None, unit: str) -> str:
    if x is None:
        return "–"
    return f"{100 * x:.0f}%" if unit == "share" else f"{x:.2f}"


def holds(r: Contrast) -> bool:
    """A difference that holds: adjusted p below 0.05 and an interval that excludes zero."""
    return (r.p_adjusted is not None and r.p_adjusted < 0.05 and r.low is not None
            and r.high is not None and (r.low > 0 or r.high < 0))


def finding_sentence(r: Contrast) -> str:
    """A contrast that holds in plain words ("A writes 62% …, B 18%: a difference of 44 points
    …")."""
    if r.low is None or r.high is None:
        raise ValueError(f"{r.a} vs {r.b} on {r.feature} has no interval: nothing to state")
    phrase, unit = FINDING_PHRASES.get(r.feature, (f"scores {{v}} on {r.feature}", "rate"))
    diff = r.difference or 0.0
    lo, hi = (r.low, r.high) if diff >= 0 else (-r.high, -r.low)
    if unit == "share":
        size = f"{100 * abs(diff):.0f} points, 95% interval {100 * lo:.0f}–{100 * hi:.0f}"
    else:
        size = f"{abs(diff):.2f}, 95% interval {lo:.2f}–{hi:.2f}"
    return (f"{r.a} {phrase.format(v=_value(r.mean_a, unit))}, {r.b} "
            f"{_value(r.mean_b, unit)}: a difference of {size}, unlikely to be chance "
            f"(adjusted p {_p(r.p_adjusted)}; {r.n_a} and {r.n_b} articles).")


def contrasts_section(comparisons: Sequence[Comparison], max_rows: int = 12,
    names: Mapping[str, str] | None = None) -> str:
    """Differences between outlets that hold, in plain sentences; the statistics below them."""
    h: list[str] = [
        "<p class=small>A difference is stated when it holds on two tests: the 95% bootstrap "
        "interval of the difference of outlet means excludes zero and the permutation-test p, "
        "adjusted for the number of tests of the event (Benjamini–Hochberg), is below 0.05. The "
        "two can disagree — the interval resamples each outlet's articles, the permutation test "
        "shuffles articles between outlets, and the adjustment grows with the number of tests — "
        "so a difference passing only one is listed in the details, not stated. Every feature "
        "and pair is in contrasts.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        rows = [r for r in c.contrasts if r.level == "outlet"]
        if not rows:
            outlets = ", ".join(p.outlet for p in c.profiles)
            h.append(
                f"<p>Only one outlet ({escape(outlets)}): there is no pair to contrast.</p>"
            )
            continue
        shown = [r for r in rows if r.feature in REPORT_FEATURES]
        holding = sorted((r for r in shown if holds(r)),
                         key=lambda r: (r.p_adjusted, -abs(r.hedges_g or 0.0)))
        if holding:
            h.append("<ul class=findings>" + "".join(
                f"<li>{escape(finding_sentence(r))}</li>" for r in holding) + "</ul>")
        else:
            h.append("<p>No difference between these outlets holds on the headline features: "
                     "every adjusted p is 0.05 or more, or the interval includes zero. With few "
                     "articles per outlet only large differences can show.</p>")
        details = sorted(
            shown, key=lambda r: (r.p_adjusted is None,
                                  r.p_adjusted if r.p_adjusted is not None else 1.0,
                                  -abs(r.hedges_g or 0.0)))
        details = details[:max_rows]
        n_rest = len(shown) - len(details)
        h.append(
            f"<details><summary>Statistics of the {len(details)} contrasts with the smallest "
            f"adjusted p{f' ({n_rest} more in contrasts.csv)' if n_rest else ''}"
            "</summary><table><tr><th>Feature</th><th>Outlets (first − second)</th>"
            "<th>Articles</th><th>Difference [95% interval]</th><th>p (permutation)</th>"
            "<th>p adjusted (Benjamini–Hochberg)</th><th>Effect size (Hedges' g)</th>"
            "<th>Cliff's delta</th><th>Note</th></tr>"
        )
        for r in details:
            ci = f" [{_num(r.low)}, {_num(r.high)}]" if r.low is not None else ""
            note = r.note
            if not holds(r) and r.low is not None and r.high is not None and (
                    r.low > 0 or r.high < 0):
                note = (note + "; " if note else "") + "interval excludes zero, adjusted p " \
                    "does not: not stated"
            h.append(
                f"<tr><td>{escape(r.feature)}</td><td>{escape(r.a)} − {escape(r.b)}</td>"
                f'<td class="num">{r.n_a} / {r.n_b}</td>'
                f'<td class="num">{_num(r.difference)}{ci}</td>'
                f'<td class="num">{_p(r.p_value)}</td><td class="num">{_p(r.p_adjusted)}</td>'
                f'<td class="num">{_num(r.hedges_g)}</td><td class="num">{_num(r.cliffs_delta)}</td>'
                f"<td class=small>{escape(note)}</td></tr>"
            )
        h.append("</table></details>")
    return "".join(h)


def terms_section(comparisons: Sequence[Comparison], top_n: int = 10,
    names: Mapping[str, str] | None = None) -> str:
    """Each outlet's most distinctive words and two-word phrases."""
    h: list[str] = [
        "<p class=small>Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &amp; "
        "Quinn 2008) of each outlet against the other outlets of the event; z &gt; 1.96 is "
        "unlikely by chance alone. Full lists in terms.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        terms = c.terms
        if not terms:
            h.append("<p>Fewer than two outlets: no outlet to compare against.</p>")
            continue
        by_outlet: dict[str, list[Term]] = defaultdict(list)
        for t in terms:
            by_outlet[t.outlet].append(t)
        n_sig = sum(1 for t in terms if t.z > 1.96)
        if n_sig == 0:
            h.append("<p>No term reaches z &gt; 1.96 in this event: the lists show each "
                     "outlet's most distinctive words, but none is distinctive beyond what chance "
                     "gives with this much text.</p>")
        else:
            h.append(f"<p>{n_sig} terms reach z &gt; 1.96 (in bold).</p>")
        h.append('<div class="outlets">')
        for outlet in sorted(by_outlet):
            h.append(f'<div class="card"><h3>{escape(outlet)}</h3><table>'
                     "<tr><th>Term</th><th>Count</th><th>Others</th><th>z</th></tr>")
            for t in by_outlet[outlet][:top_n]:
                term = f"<b>{escape(t.term)}</b>" if t.z > 1.96 else escape(t.term)
                h.append(
                    f"<tr><td>{term}</td><td class=num>{t.count}</td>"
                    f"<td class=num>{t.count_others}</td><td class=num>{t.z:.2f}</td></tr>"
                )
            h.append("</table></div>")
        h.append("</div>")
    return "".join(h)


def labels_section(comparisons: Sequence[Comparison], max_actors: int = 10,
    names: Mapping[str, str] | None = None) -> str:
    """For each actor, the words each outlet uses for it."""
    h: list[str] = [
        "<p class=small>Mentions grouped into actors by named entities, an alias table, "
        "people's and organisations' names (surnames, first-name variants, titles, acronyms: "
        "the same resolution as the sources), noun-phrase heads and sentence-embedding "
        "similarity; generic labels (\"militants\", \"Khawarij\") are attached to the event's "
        "most-mentioned armed group. Each outlet's names for an actor come first, then, in "
        "italics, how it describes the actor beside its name (appositions, \"X was a …\", "
        "titles and roles before the name). Counts, grouping reasons and example sentences in "
        "labels.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        rows = c.labels
        outlets = sorted(p.outlet for p in c.profiles)
        if not rows:
            h.append("<p>No actor was mentioned more than once.</p>")
            continue
        by_actor: dict[str, list[LabelRow]] = defaultdict(list)
        places = sorted({r.actor for r in rows if r.actor_type == "place"})
        for r in rows:
            if r.actor_type != "place":
                by_actor[r.actor].append(r)
        if places:
            h.append(f"<p class=small>Places ({escape(', '.join(places[:12]))}"
                     f"{' …' if len(places) > 12 else ''}) are left out here; their labels are in "
                     "labels.csv.</p>")
        if not by_actor:
            continue
        # the most mentioned actors, then those named in more different ways
        rank = {
            name: (-rs[0].actor_mentions,
                   -len({r.label.lower() for r in rs if r.kind == "name"}), name)
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
                if not any(r.kind == "name" for r in cells):
                    h.append("<td class=small>not mentioned</td>")
                    continue
                items = ", ".join(
                    f'<span title="{escape(r.examples[0] if r.examples else "")}">'
                    f"{escape(r.label)}</span> ({r.count})"
                    for r in cells if r.kind == "name"
                )
                described = [r for r in cells if r.kind != "name"][:6]
                if described:
                    items += "<br><span class=small><i>" + "; ".join(
                        f'<span title="{escape(r.examples[0] if r.examples else "")}">'
                        f"{escape(r.label)}</span> ({r.count})" for r in described) + "</i></span>"
                h.append(f"<td>{items}</td>")
            h.append("</tr>")
        h.append("</table>")
    return "".join(h)


def _claims_table(claims: Sequence[Claim], cites: Mapping[str, str] | None = None) -> str:
    h = [
        "<table><tr><th>#</th><th>Claim (representative sentence) and each outlet's sentences"
        "</th><th>Carried by</th><th>Omitted by</th></tr>"
    ]
    for cl in claims:
        lead = " <span class=small>(a headline or lead claim)</span>" if cl.is_lead else ""
        carried = ", ".join(
            [f"{o} (via a syndicated copy)" if o in cl.via_copy else o for o in cl.outlets]
            + [f"{o} (in a sentence of another claim)" for o in cl.carried_elsewhere]
        )
        if cl.speaker:
            lead += f" <span class=small>(credited to {escape(cl.speaker)})</span>"
        evidence: dict[str, list[str]] = defaultdict(list)
        for sent in cl.sentences:
            where = "headline" if sent.part == "title" else f"sentence {sent.index + 1}"
            art = (cites or {}).get(sent.article_id, sent.article_id)
            evidence[sent.outlet].append(f"{sent.text} ({art}, {where})")
        items = "".join(
            f"<li><b>{escape(o)}</b>: " + " · ".join(escape(t) for t in evidence[o]) + "</li>"
            for o in sorted(evidence))
        h.append(
            f"<tr><td class=num>{cl.claim_id}</td><td>{escape(cl.representative.text)}{lead}"
            f"<details><summary class=small>{len(cl.sentences)} sentence"
            f"{'s' if len(cl.sentences) != 1 else ''}</summary><ul class=small>{items}</ul>"
            f"</details></td><td>{escape(carried)}</td>"
            f"<td>{escape(', '.join(cl.omitted_by)) or '–'}</td></tr>"
        )
    h.append("</table>")
    return "".join(h)


def claims_section(comparisons: Sequence[Comparison], max_claims: int = 12,
    names: Mapping[str, str] | None = None, cites: Mapping[str, str] | None = None) -> str:
    """The event's claims aligned across outlets: who carries each, who omits it; each sentence
    cited by its article (``cites``: article id -> outlet, headline and date; default the id)."""
    h: list[str] = [
        "<p class=small>Sentences grouped by MiniLM sentence-embedding similarity of their "
        "factual core (loaded words the outlet chose and evaluative modifiers dropped, numbers "
        "normalised; average linkage); statements of two different identified speakers are "
        "never one claim. An outlet omits a claim only when none of its sentences carries it. "
        "Headline and lead claims first, then claims carried by more outlets in their "
        "own articles (an outlet carrying a claim only through a syndicated copy of another "
        "outlet's article does not count as shared coverage). Every claim, with all its "
        "sentences, in claims.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        claims = c.claims
        if claims is None:
            h.append(f"<p>{escape(c.claims_note or 'Claims were not aligned.')}</p>")
            continue
        shared = [cl for cl in claims if cl.n_independent > 1]
        alone = [cl for cl in claims if cl.n_independent == 1 and cl.is_lead]
        if not claims:
            h.append("<p>No claim found.</p>")
            continue
        if shared:
            h.append("<h4>Claims carried by more than one outlet</h4>")
            h.append(_claims_table(shared[:max_claims], cites))
        if alone:
            h.append("<h4>Headline and lead claims only one outlet reports in its own articles"
                     "</h4>")
            h.append(_claims_table(alone[:max_claims], cites))
        if not shared and not alone:
            h.append("<p>No claim is shared between outlets, and no headline claim was found.</p>")
    return "".join(h)


_KIND_WORDS = {"named_person": "person", "named_org": "org.", "official": "office",
               "media": "outlet", "anonymous": "anon.", "vague": "vague"}


def sources_section(comparisons: Sequence[Comparison], top_n: int = 12,
    names: Mapping[str, str] | None = None) -> str:
    """Who each outlet gives voice to: identified, anonymous and vague sources with counts."""
    h: list[str] = [
        "<p class=small>Every source an outlet credits a claim to, identified or not: "
        "anonymous sources (\"officials who spoke on condition of anonymity\") and vague ones "
        "(\"some analysts\") are listed beside named people, organisations, offices and "
        "outlets. Hedges and agentless passives credit nobody and are not listed. Full table in "
        "sources.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        rows = c.sources
        if not rows:
            h.append("<p>No source is credited with a claim in this event.</p>")
            continue
        by_outlet: dict[str, list[SourceCount]] = defaultdict(list)
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


def _ci(r: WeekRow | None, share: bool) -> str:
    if r is None or r.mean is None:
        return "–"
    f = (lambda x: f"{100 * x:.0f}%") if share else (lambda x: f"{x:.2f}")
    interval = f" [{f(r.low)}, {f(r.high)}]" if r.low is not None and r.high is not None else ""
    return f(r.mean) + interval


def over_time_section(comparisons: Sequence[Comparison],
    names: Mapping[str, str] | None = None) -> str:
    """Per outlet and week: how much it wrote (attention) and how (own voice, loaded wording,
    anonymous sources), with intervals."""
    h: list[str] = [
        "<p class=small>Shown when an outlet's articles span more than a week. Weeks start on "
        "Monday (from each article's publication date); each figure is the week's mean per "
        "article with a 95% bootstrap interval (none for a single article). Every week and "
        "feature in over_time.csv.</p>"
    ]
    for c in comparisons:
        h.append(_event_heading(c, names))
        rows = c.over_time
        if not rows:
            h.append("<p>Every outlet's articles fall within one week (or carry no date): no "
                     "timeline.</p>")
            continue
        cells = {(r.outlet, r.week, r.feature): r for r in rows}
        h.append('<div class="outlets">')
        for outlet in sorted({r.outlet for r in rows}):
            weeks = sorted({r.week for r in rows if r.outlet == outlet})
            h.append(f'<div class="card"><h3>{escape(outlet)}</h3><table><tr><th>Week of</th>'
                     "<th>Articles</th><th>Own voice</th><th>Loaded words per 100</th>"
                     "<th>Anonymous sources</th></tr>")
            for w in weeks:
                n = cells.get((outlet, w, "n_articles"))
                h.append(
                    f"<tr><td>{escape(w)}</td><td class=num>{int(n.mean) if n and n.mean is not None else 0}</td>"
                    f"<td class=num>{_ci(cells.get((outlet, w, 'author_voice_share')), True)}</td>"
                    f"<td class=num>{_ci(cells.get((outlet, w, 'loaded_density_author')), False)}"
                    f"</td><td class=num>"
                    f"{_ci(cells.get((outlet, w, 'anonymous_source_share')), True)}</td></tr>"
                )
            h.append("</table></div>")
        h.append("</div>")
    return "".join(h)


def comparison_sections(
    comparisons: Sequence[Comparison],
    names: Mapping[str, str] | None = None,
    cites: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Heading -> HTML body of every cross-outlet section (for ``render_report``); ``names`` are
    the events' readable names, ``cites`` the articles' citations
    (:func:`framing.report.naming.names_and_cites`)."""
    return {
        "Contrasts between outlets": contrasts_section(comparisons, names=names),
        "Who each outlet gives voice to": sources_section(comparisons, names=names),
        "Words each outlet uses for each actor": labels_section(comparisons, names=names),
        "Claims across outlets": claims_section(comparisons, names=names, cites=cites),
        "Distinctive words and phrases": terms_section(comparisons, names=names),
        "Framing over time": over_time_section(comparisons, names=names),
    }
