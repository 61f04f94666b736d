"""Dashboard logic without Streamlit: reading uploads, building views.

Everything here is a thin layer over ``framing.api``, ``framing.store`` and ``framing.report``;
the Streamlit script only lays the results out.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

# Uploads are saved, unpacked and read by framing.ingest; the app only shows the result.
from framing.ingest.uploads import UPLOAD_SUFFIXES as UPLOAD_SUFFIXES
from framing.ingest.uploads import Upload as Upload
from framing.ingest.uploads import load_uploads as load_uploads
from framing.report.exports import SENTENCE_TABLES, Table, read_csv_table, sentence_tables
from framing.report.html import LEGEND
from framing.report.html import estimate_text as estimate_text
from framing.report.html import outlet_card as outlet_card
from framing.report.sections import finding_sentence, holds
from framing.report.tables import contrast_from_record
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


# -- the table views: what each table is, how to read it, its columns and its evidence ---------

#: One or two plain sentences opening each view (the report's wording where it has a section).
VIEW_INTROS = {
    "sources": (
        "Every source each outlet credits a claim to, identified or not: named people, "
        "organisations, offices and outlets beside anonymous sources (\"officials who spoke on "
        "condition of anonymity\") and vague ones (\"some analysts\"). Hedges and agentless "
        "passives credit nobody and are not listed. One row per outlet and source; select a row "
        "to read sentences that cite it."
    ),
    "labels": (
        "For each actor of the event, the words each outlet uses for it (\"militants\" or "
        "\"terrorists\"): its names, and the descriptions beside them (\"a former FBI "
        "lawyer\"; label_kind says which). Mentions are grouped into actors by named entities, "
        "an alias table, people's and organisations' names (as in Sources), noun-phrase heads "
        "and sentence-embedding similarity (grouped_by says which, or how a description stands "
        "to the name); select a row to read its example sentences."
    ),
    "terms": (
        "Each outlet's most distinctive words and two-word phrases against the other outlets of "
        "the event: log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn "
        "2008). A z above 1.96 is unlikely by chance alone."
    ),
    "claims": (
        "The event's claims aligned across outlets: sentences grouped by sentence-embedding "
        "similarity, one row per claim, with the outlets that carry it and those that omit it. "
        "An outlet carrying a claim only through a syndicated copy of another outlet's article "
        "does not count as independent coverage; select a row to read each outlet's sentences."
    ),
    "contrasts": (
        "Every pair of outlets (and of outlet groups) on every feature. A difference is stated "
        "when it holds on two tests: the 95% bootstrap interval of the difference of outlet "
        "means excludes zero and the permutation-test p, adjusted for the number of tests of the "
        "event (Benjamini–Hochberg), is below 0.05."
    ),
    "over_time": (
        "Per outlet and week (weeks start on Monday, from each article's publication date): the "
        "week's mean per article of each feature with a 95% bootstrap interval (none for a "
        "single article). Rows appear only when an outlet's articles span more than a week."
    ),
    "side_by_side": (
        "One row per feature: each outlet's mean per article, its 95% bootstrap interval (low "
        "to high) and its number of articles, side by side. Intervals that do not overlap are a "
        "first sign of a difference; the Contrasts view tests it."
    ),
}

#: What a view says when its table has no row for the chosen event.
VIEW_EMPTY = {
    "sources": "No source is credited with a claim in this event.",
    "labels": "No actor was mentioned more than once in this event.",
    "terms": "No distinctive terms: the event needs at least two outlets to compare.",
    "claims": "No claim was aligned across outlets for this event.",
    "contrasts": "No contrast: the event needs at least two outlets.",
    "over_time": "Every outlet's articles fall within one week (or carry no date): no timeline.",
    "side_by_side": "No feature figures for this event.",
}

#: Column descriptions (shown on hover of the column header) and number formats.
#: kind: "int", "float", "p", "share", "check" or "text".
COLUMNS: dict[str, tuple[str, str]] = {
    "outlet": ("text", "The outlet (publication) as given in the corpus."),
    "source": ("text", "Who the outlet credits the claim to (the most frequent spelling)."),
    "kind": ("text", "Kind of source: named_person, named_org, official (an office), media, "
                     "anonymous or vague."),
    "role": ("text", "The source's role or title where the text gives one."),
    "n": ("int", "Number of attributions."),
    "n_attributions": ("int", "Claims this outlet credits to the source (all kinds)."),
    "n_direct_quotes": ("int", "Of these, direct quotes (the source's own words in quotes)."),
    "n_reported": ("int", "Of these, reported speech or 'according to' (paraphrase)."),
    "n_chain_origin": ("int", "Of these, the origin of a chain ('X reported, citing Y')."),
    "n_articles": ("int", "Number of articles."),
    "n_outlets": ("int", "Outlets of the event that cite this source."),
    "only_this_outlet": ("text", "true when no other outlet of the event mentions this source "
                                 "at all (cites it or names it)."),
    "n_outlets_mentioning": ("int", "Outlets of the event whose articles mention the source "
                                    "(cite it or name it)."),
    "identified": ("text", "true for a named person, organisation, office or outlet; false for "
                           "an anonymous or vague source."),
    "actor": ("text", "The actor (person, organisation …) the mentions or the source were "
                      "resolved to, named the same way for every outlet of the event."),
    "actor_type": ("text", "Kind of actor (person, organisation, armed group, place …)."),
    "actor_mentions": ("int", "Mentions of the actor across every outlet of the event."),
    "label": ("text", "The word or phrase the outlet uses for the actor."),
    "count": ("int", "Times the outlet uses it."),
    "share_of_outlet_mentions": ("share", "share: of this outlet's mentions of the actor, the "
                                          "part that uses this label."),
    "grouped_by": ("text", "Why these mentions were grouped into the actor (entity, alias, name "
                           "part, name variant, acronym, head noun, embedding similarity); for a "
                           "description, how it stands to the name (apposition, predicate "
                           "nominal, title or role before the name)."),
    "label_kind": ("text", "name: a name of the actor; description: words beside a name that "
                           "describe the actor (\"a former FBI lawyer\", \"his lover\")."),
    "rank": ("int", "Rank of the term within the outlet (1 = most distinctive)."),
    "term": ("text", "A word or two-word phrase."),
    "n_words": ("int", "Number of words."),
    "count_others": ("int", "Times the other outlets of the event use the term."),
    "per_1000_words": ("float", "Uses per 1,000 words of the outlet's text."),
    "log_odds": ("float", "log_odds: log-odds ratio of the term in this outlet against the "
                          "others, with an informative Dirichlet prior; above 0 = used more by "
                          "this outlet."),
    "z": ("float", "z: the log-odds ratio divided by its standard error; above 1.96 is unlikely "
                   "by chance alone (5% level)."),
    "claim_id": ("int", "Number of the claim within the event."),
    "claim": ("text", "A representative sentence of the claim."),
    "lead": ("text", "yes when the claim is in a headline or lead sentence."),
    "n_independent": ("int", "n_independent: outlets carrying the claim in their own articles "
                             "(a syndicated copy of another outlet's article does not count)."),
    "carried_by": ("text", "Outlets whose articles carry the claim."),
    "omitted_by": ("text", "Outlets of the event whose articles do not carry the claim."),
    "carried_via_copy": ("text", "Outlets carrying the claim only through a syndicated copy."),
    "level": ("text", "outlet: a pair of outlets; group: a pair of outlet groups."),
    "a": ("text", "First outlet (or group) of the pair."),
    "b": ("text", "Second outlet (or group) of the pair."),
    "feature": ("text", "The feature compared (see the Features tab for what each measures)."),
    "measures": ("text", "What the feature measures."),
    "n_a": ("int", "Articles of the first outlet."),
    "n_b": ("int", "Articles of the second outlet."),
    "mean_a": ("float", "Mean per article of the first outlet."),
    "mean_b": ("float", "Mean per article of the second outlet."),
    "difference": ("float", "Mean of the first outlet minus mean of the second."),
    "difference_low": ("float", "Lower end of the 95% bootstrap interval of the difference."),
    "difference_high": ("float", "Upper end of the 95% bootstrap interval of the difference."),
    "p_value": ("p", "Permutation-test p: how often shuffling articles between the two outlets "
                     "gives a difference at least this large."),
    "p_adjusted_bh": ("p", "p_adjusted: the p adjusted for the number of tests of the event "
                           "(Benjamini–Hochberg); below 0.05 is the first test of a difference."),
    "hedges_g": ("float", "hedges_g: effect size, the difference in pooled standard deviations "
                          "(0.2 small, 0.5 medium, 0.8 large)."),
    "cliffs_delta": ("float", "cliffs_delta: effect size from −1 to 1, how often an article of "
                              "the first outlet scores above one of the second, minus the "
                              "reverse."),
    "holds": ("check", "Both tests pass: adjusted p below 0.05 and an interval excluding zero."),
    "note": ("text", "Why a figure is missing or should be read with care."),
    "week": ("text", "The Monday the week starts on."),
    "mean": ("float", "Mean per article."),
    "low": ("float", "Lower end of the 95% bootstrap interval."),
    "high": ("float", "Upper end of the 95% bootstrap interval."),
    "carries": ("int", "1 when the outlet carries the claim."),
    "n_sentences": ("int", "Number of sentences."),
}

#: Columns the table views leave out: the event (chosen in the sidebar) and evidence columns
#: shown when a row is selected.
HIDDEN = {
    "labels": ("event", "example_1", "example_2"),
}


def column_spec(name: str) -> tuple[str, str | None]:
    """(kind, help) of a view's column; side-by-side columns are 'outlet: mean' and so on."""
    if name in COLUMNS:
        kind, help_text = COLUMNS[name]
        return kind, help_text
    if ": " in name:
        outlet, stat = name.rsplit(": ", 1)
        helps = {
            "mean": ("float", f"{outlet}: mean per article."),
            "low": ("float", f"{outlet}: lower end of the 95% bootstrap interval."),
            "high": ("float", f"{outlet}: upper end of the 95% bootstrap interval."),
            "articles": ("int", f"{outlet}: number of articles."),
        }
        if stat in helps:
            return helps[stat]
    return "text", None


def _col(table: Table, name: str) -> int | None:
    return table.columns.index(name) if name in table.columns else None


def view_records(name: str, table: Table) -> list[dict[str, Any]]:
    """The rows a view shows: without the event column (chosen in the sidebar), one row per
    claim for claims, a 'holds' column for contrasts, what each feature measures side by side."""
    hidden = set(HIDDEN.get(name, ("event",)))
    if name == "claims":
        return claim_rows(table)
    records = [
        {c: v for c, v in zip(table.columns, row, strict=True) if c not in hidden}
        for row in table.rows
    ]
    if name == "contrasts":
        records = [r for r in records if r.get("feature")]
        for r in records:
            r["holds"] = holds(contrast_from_record(r))
        records.sort(key=lambda r: (r.get("p_adjusted_bh") is None,
                                    r.get("p_adjusted_bh") or 0.0, r.get("feature") or ""))
    if name == "side_by_side":
        # outlets of other events have empty columns here: leave them out
        empty = {c for c in table.columns if c not in hidden
                 and all(r.get(c) is None for r in records)}
        records = [
            {"feature": r.get("feature"), "measures": FEATURES.get(str(r.get("feature")), ""),
             **{c: v for c, v in r.items() if c not in empty and c != "feature"}}
            for r in records
        ]
    return records


def _sentences_of(cell: object) -> list[str]:
    return [s.strip() for s in str(cell or "").split(" | ") if s.strip()]


def claim_rows(table: Table) -> list[dict[str, Any]]:
    """claims.csv has one row per claim and outlet: one row per claim here."""
    keep = ("claim_id", "claim", "lead", "n_outlets", "n_independent", "carried_by",
            "omitted_by", "carried_via_copy")
    seen: dict[Any, dict[str, Any]] = {}
    for row in table.rows:
        r = dict(zip(table.columns, row, strict=True))
        cid = r.get("claim_id")
        if cid not in seen:
            seen[cid] = {c: r.get(c) for c in keep if c in r}
    return list(seen.values())


def claim_evidence(table: Table, claim_id: Any) -> list[tuple[str, list[str], str]]:
    """Each outlet's sentences of one claim: (outlet, sentences, article ids); an outlet that
    does not carry the claim has no sentences."""
    out = []
    for row in table.rows:
        r = dict(zip(table.columns, row, strict=True))
        if r.get("claim_id") == claim_id and r.get("outlet") is not None:
            out.append((str(r["outlet"]), _sentences_of(r.get("sentences")),
                        str(r.get("article_ids") or "")))
    return out


def evidence_html(title: str, items: Sequence[tuple[str, Sequence[str], str]],
                  empty: str) -> str:
    """Cards of sentences, one per outlet (every piece of text escaped)."""
    cards = []
    for outlet, sentences, where in items:
        body = ("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in sentences) + "</ul>"
                if sentences else f'<p class="small">{escape(empty)}</p>')
        meta = f'<p class="small">{escape(where)}</p>' if where else ""
        cards.append(f'<div class="card evidence"><h3>{escape(outlet)}</h3>{body}{meta}</div>')
    return f'<div class="evidence-view"><h2>{escape(title)}</h2>{"".join(cards)}</div>'


def label_examples(record: dict[str, Any]) -> list[str]:
    return [str(record[c]) for c in ("example_1", "example_2") if record.get(c)]


def _source_key(name: str) -> str:
    key = " ".join(name.replace("’", "'").split()).casefold()
    for article in ("the ", "a ", "an "):
        if key.startswith(article):
            key = key[len(article):]
    if key.endswith("'s"):
        key = key[:-2]
    return key.rstrip("'").strip(" ,.;:")


def source_examples(out_dir: Path, event: str | None, outlet: str, source: str,
                    limit: int = 5) -> list[tuple[str, str]]:
    """Up to ``limit`` (article id, sentence) of ``outlet`` crediting a claim to ``source``,
    read from sentences.jsonl (a bare surname matches the full name, as sources.csv merges)."""
    path = out_dir / "sentences.jsonl"
    key = _source_key(source)
    if not path.exists() or not key:
        return []
    probe = key.split()[-1]
    found: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if probe not in line.casefold():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("outlet") != outlet or rec.get("event") != event:
                continue
            names = [_source_key(str((a.get("source") or {}).get("text") or ""))
                     for a in rec.get("attributions") or ()]
            if any(n and (n == key or key.endswith(" " + n)) for n in names):
                where = f"{rec.get('article_id')}, " + (
                    "headline" if rec.get("part") == "title"
                    else f"sentence {int(rec.get('index') or 0) + 1}")
                found.append((where, str(rec.get("text") or "")))
                if len(found) >= limit:
                    break
    return found


def _findings(records: Sequence[dict[str, Any]]) -> list[str]:
    """Plain sentences of the contrasts that hold (the report's finding sentences)."""
    holding = sorted((r for r in records if holds(contrast_from_record(r))),
                     key=lambda r: (r["p_adjusted_bh"], -abs(r.get("hedges_g") or 0.0)))
    return [("Outlet groups: " if r.get("level") == "group" else "")
            + finding_sentence(contrast_from_record(r)) for r in holding]


def view_summary(name: str, table: Table, records: Sequence[dict[str, Any]]) -> list[str]:
    """Plain sentences that read the chosen event's table (findings, counts)."""
    if name == "contrasts":
        if not records:
            notes = sorted({str(r[-1]) for r in table.rows if r and r[-1]})
            return ["No difference holds: there is no pair of outlets to contrast in this event"
                    + (f" ({'; '.join(notes)})." if notes else ".")]
        found = _findings(records)
        if not found:
            return ["No difference holds between these outlets on any feature: every adjusted p "
                    "is 0.05 or more, or the interval includes zero. With few articles per "
                    "outlet only large differences can show."]
        return [f"{len(found)} difference{'s hold' if len(found) != 1 else ' holds'} on both "
                "tests:", *found]
    if name == "terms" and records:
        sig = [r for r in records if isinstance(r.get("z"), float | int) and r["z"] > 1.96]
        if not sig:
            return ["No term reaches z > 1.96 in this event: the list shows each outlet's most "
                    "distinctive words, but none is distinctive beyond what chance gives with "
                    "this much text."]
        outlets = sorted({str(r.get("outlet")) for r in sig})
        return [f"{len(sig)} term{'s reach' if len(sig) != 1 else ' reaches'} z > 1.96 "
                f"(outlets: {', '.join(outlets)}); sort by z to see them first."]
    if name == "sources" and records and "identified" in records[0]:
        counts: dict[str, dict[str, int]] = {}
        for r in records:
            kind = "identified" if str(r.get("identified")).lower() == "true" else str(
                r.get("kind") or "other")
            cell = counts.setdefault(str(r.get("outlet")), {})
            cell[kind] = cell.get(kind, 0) + int(r.get("n_attributions") or 0)
        return [f"{o}: " + ", ".join(f"{c[k]} {k}" for k in sorted(c, key=_kind_order)) +
                " attributions." for o, c in sorted(counts.items())]
    if name == "claims" and records:
        shared = sum(1 for r in records if (r.get("n_independent") or 0) > 1)
        return [f"{len(records)} claims; {shared} carried by more than one outlet in its own "
                "articles."]
    return []


def _kind_order(kind: str) -> tuple[int, str]:
    order = ("identified", "anonymous", "vague")
    return (order.index(kind) if kind in order else len(order), kind)


def view_intro_html(name: str, table: Table, records: Sequence[dict[str, Any]]) -> str:
    """The view's explanation and its reading of the table, as escaped HTML."""
    summary = view_summary(name, table, records)
    body = f"<p>{escape(VIEW_INTROS.get(name, ''))}</p>"
    if name == "contrasts" and len(summary) > 1:
        body += f"<p>{escape(summary[0])}</p><ul class=\"findings\">" + "".join(
            f"<li>{escape(s)}</li>" for s in summary[1:]) + "</ul>"
    else:
        body += "".join(f"<p>{escape(s)}</p>" for s in summary)
    return f'<div class="view-intro">{body}</div>'


def table_height(n_rows: int) -> int:
    """Pixels that show every row up to a screenful; longer tables scroll inside."""
    return min(38 + 35 * max(n_rows, 1) + 3, 720)


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


def progress_text(done: int, total: int, start_done: int, elapsed: float,
                  stage: str = "analysing") -> str:
    """"Analysed 120 of 900 articles · 2.4 articles/s · about 5 min left": the rate counts only
    articles analysed since the start (cached ones arrive at once). After the analysis:
    "Compared 12 of 40 events · …" and "Writing the report and tables…"."""
    if stage == "writing outputs":
        return "Writing the report and tables…"
    verb, noun = ("Compared", "events") if stage == "comparing events" else ("Analysed",
                                                                             "articles")
    text = f"{verb} {done} of {total} {noun}"
    fresh = done - start_done
    if fresh <= 0 or elapsed <= 0 or done >= total:
        return text
    rate = fresh / elapsed
    left = (total - done) / rate
    eta = f"{left:.0f} s" if left < 90 else f"{left / 60:.0f} min"
    return f"{text} · {rate:.1f} {noun}/s · about {eta} left"
