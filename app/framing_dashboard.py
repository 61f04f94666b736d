"""Dashboard logic without Streamlit: reading uploads, building views.

Everything here is a thin layer over ``framing.api``, ``framing.store`` and ``framing.report``;
the Streamlit script only lays the results out.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from framing.ingest.summary import summarize_rejections

# Uploads are saved, unpacked and read by framing.ingest; the app only shows the result.
from framing.ingest.uploads import UPLOAD_SUFFIXES as UPLOAD_SUFFIXES
from framing.ingest.uploads import Upload as Upload
from framing.ingest.uploads import load_uploads as load_uploads
from framing.models import AnalyzedArticle, Estimate, IngestResult, OutletProfile, SentenceAnalysis
from framing.report.exports import (
    SENTENCE_TABLES,
    Table,
    read_csv_table,
    sentence_tables,
    to_csv,
)
from framing.report.html import KEY_FEATURES, LEGEND, markup, sentence_marks, text_of
from framing.report.html import estimate_text as estimate_text
from framing.report.sections import finding_sentence, holds
from framing.report.tables import contrast_from_record, replace_atomically
from framing.scoring import FEATURES
from framing.scoring.names import (
    SHARE_FEATURES,
    column_name,
    feature_name,
    flag_detail,
    flag_name,
    plural,
)

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
.framing-view .table-scroll{overflow-x:auto;max-width:100%;margin:.3rem 0 .6rem}
.framing-view table.outlet-table{width:auto;min-width:100%;margin:0}
.framing-view .outlet-table th{background:#f6f6f6;font-weight:600;vertical-align:bottom}
.framing-view .outlet-table th.feat{position:sticky;left:0;z-index:1;min-width:13rem;
max-width:22rem;text-align:left;vertical-align:top;font-weight:500;background:#fbfbfb}
.framing-view .outlet-table thead th.feat{background:#f6f6f6}
.framing-view .outlet-table th.feat[title]{cursor:help}
.framing-view .outlet-table td.num{min-width:7.5rem}
.framing-view .outlet-table .ci{font-size:.75rem;color:#666}
.framing-view .outlet-table td.sig{background:#fff7d6}
.framing-view .outlet-table .sigmark{font-size:.75rem;margin-left:.25rem;color:#8a5a00}
.framing-view .swatch{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;
margin-right:.35rem;vertical-align:baseline}
.framing-view .claim-text{font-size:1.05rem;border-left:4px solid #bbb;padding:.3rem .7rem;
margin:.3rem 0 .5rem;background:#fafafa}
.framing-view .claim-col h3{font-size:1rem;margin:.2rem 0 .3rem;padding:0}
.framing-view .claim-sentence{line-height:1.6;margin:.4rem 0 .1rem;font-size:.95rem}
.framing-view .absent{color:#555;background:#f1f1f1;border:1px dashed #bbb;border-radius:4px;
padding:.5rem .6rem;font-size:.9rem}
"""

#: Page-wide rules: the tab strip wraps onto a second line on a narrow screen rather than
#: hiding tabs behind a scroll arrow; then the
#: dashboard's own rules, scoped to its wrapper (sent once per page, not with every fragment).
GLOBAL_CSS = """<style>
[data-testid="stTabs"] [role="tablist"]{flex-wrap:wrap;overflow-x:visible;row-gap:.35rem}
[data-testid="stTabs"] [role="tab"]{flex:0 0 auto}
[data-testid="stTabsScrollLeft"],[data-testid="stTabsScrollRight"]{display:none}
""" + APP_CSS + "</style>"


def styled(body: str) -> str:
    """An HTML fragment in the wrapper the dashboard stylesheet is scoped to (the stylesheet is
    on the page once: :data:`GLOBAL_CSS`)."""
    return f'<div class="framing-view">{body}</div>'


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
    "carried_elsewhere_by": ("text", "Outlets with no sentence in this claim whose sentences of "
                             "another claim carry it (a lead stating several facts): not "
                             "omitting it."),
    "speaker": ("text", "The identified source the claim's sentences are credited to; empty: the "
                "outlets' own voice or unidentified sources. Two speakers are never one claim."),
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


#: Columns of rates (per 1,000 words): one decimal, as every rate.
RATE_COLUMNS = frozenset({"per_1000_words"})
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_LEAD = re.compile(r"^([a-z][a-z_]*): ")


def in_words(text: str, code: str | None = None) -> str:
    """A help text or introduction without column codes: a leading 'code: ' dropped, a column
    code read by its plain name ('grouped_by says which': '“grouped by” says which'), other
    codes with spaces ('named_person': 'named person')."""
    lead = _LEAD.match(text)
    if lead and (lead[1] == code or "_" in lead[1] or lead[1] in ("share", "z")):
        text = capital(text[lead.end():])

    def word(m: re.Match[str]) -> str:
        found = column_name(m[0])
        return f"“{found}”" if found != m[0] else m[0].replace("_", " ")

    return _CODE.sub(word, text)


def column_spec(name: str) -> tuple[str, str | None]:
    """(kind, help) of a view's column; side-by-side columns are 'outlet: mean' and so on."""
    if name in COLUMNS:
        kind, help_text = COLUMNS[name]
        return ("rate" if name in RATE_COLUMNS else kind), in_words(help_text, name)
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
    keep = ("claim_id", "claim", "speaker", "lead", "n_outlets", "n_independent", "carried_by",
            "omitted_by", "carried_via_copy", "carried_elsewhere_by")
    seen: dict[Any, dict[str, Any]] = {}
    for row in table.rows:
        r = dict(zip(table.columns, row, strict=True))
        cid = r.get("claim_id")
        if cid not in seen:
            seen[cid] = {c: r.get(c) for c in keep if c in r}
    return list(seen.values())


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
        return [f"{plural(len(records), 'claim')}; {shared} carried by more than one outlet in "
                "its own articles."]
    return []


def _kind_order(kind: str) -> tuple[int, str]:
    order = ("identified", "anonymous", "vague")
    return (order.index(kind) if kind in order else len(order), kind)


def view_intro_html(name: str, table: Table, records: Sequence[dict[str, Any]]) -> str:
    """The view's explanation and its reading of the table, as escaped HTML."""
    summary = view_summary(name, table, records)
    body = f"<p>{escape(in_words(VIEW_INTROS.get(name, '')))}</p>"
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



# -- runs: what is on screen, what a run is called, what a failed load says ------------------

#: Session keys whose values belong to one run (its event, outlets, articles, filters): set
#: again when another run comes on screen, so no choice of the old run reaches the new one.
RUN_STATE_KEYS = ("event", "outlet", "article", "claim_pick", "filter_outlets", "filter_groups",
                  "filter_dates")
#: Keys whose values belong to one event (its outlets, groups, dates, articles).
EVENT_STATE_KEYS = ("outlet", "article", "claim_pick", "filter_outlets", "filter_groups",
                    "filter_dates")
#: What the event box says of the articles of a corpus without events, and the option that
#: stands for them (a None value would read as "nothing chosen").
NO_EVENT_LABEL = "All articles"
NO_EVENT = "__all_articles__"
_UNSET = object()


def on_screen(state: Any, key: str) -> bool:
    """Note that run ``key`` is on screen; when another run was, its event, outlet, article and
    filters are to be set again (:func:`settle`). True when the run changed."""
    if state.get("_run_on_screen") == key:
        return False
    state["_run_on_screen"] = key
    state["_reset"] = set(RUN_STATE_KEYS)
    state.pop("_event_on_screen", None)
    return True


def settle(state: Any, key: str, default: Any,
           valid: Callable[[Any], bool] = lambda _: True) -> None:
    """Before a widget is drawn: give it ``default`` when its run or event changed, when it has
    no value yet, or when its value is not one of its options now. The value is set, not left
    out: the browser keeps a widget's last value unless the app sets another."""
    reset = state.get("_reset")
    value = state.get(key, _UNSET)
    if (reset is not None and key in reset) or value is _UNSET or not valid(value):
        state[key] = default
    if reset is not None:
        reset.discard(key)


def event_options(events: Sequence[str | None]) -> list[str]:
    """The event box's options: the events, :data:`NO_EVENT` for articles without one."""
    return [NO_EVENT if e is None else e for e in events]


def event_of(option: str | None) -> str | None:
    return None if option in (None, NO_EVENT) else option


def event_on_screen(state: Any, events: Sequence[str | None]) -> None:
    """An event of this run in the event box; another event: its outlets, articles and filters
    are set again."""
    options = event_options(events)
    settle(state, "event", options[0] if options else None, lambda e: e in options)
    chosen = state["event"]
    if "_event_on_screen" in state and state["_event_on_screen"] != chosen:
        state.setdefault("_reset", set()).update(EVENT_STATE_KEYS)
    state["_event_on_screen"] = chosen


def view_key(name: str, run: str, event: str | None) -> str:
    """The key of a view's table: one per run and event, so a row selected in one run's table is
    never read as a row of another's."""
    import hashlib

    token = hashlib.sha256(f"{run}\0{event}".encode()).hexdigest()[:10]
    return f"view_{name}_{token}"


def event_label(event: str | None, names: Mapping[str, str]) -> str:
    """'All articles' for a corpus without events; an event's name with its id beside it."""
    if event is None or event == NO_EVENT:
        return NO_EVENT_LABEL
    name = names.get(event, event)
    return event if name == event else f"{name} ({event})"


def short_record(record: str, upload_root: Path | None) -> str:
    """A record name without the hash-named folder an upload was saved in."""
    if upload_root is not None:
        prefix = str(upload_root).rstrip("/") + "/"
        if record.startswith(prefix):
            rest = record[len(prefix):]
            return rest.split("/", 1)[1] if "/" in rest else rest
    return record


def load_failure(ingest: IngestResult, upload_root: Path | None = None, most: int = 3) -> str:
    """Why nothing of a load could be analysed: the count, then each reason once (the CSV
    reader's and the text reader's help included)."""
    head = f"No article could be analysed ({plural(ingest.n_read, 'record')} read)."
    reasons = summarize_rejections(
        [type(r)(short_record(r.record, upload_root), r.reason, r.id) for r in ingest.rejections])
    if not reasons:
        return head
    more = f" … and {len(reasons) - most} more reasons below." if len(reasons) > most else ""
    return head + " " + " · ".join(reasons[:most]) + more


def rejection_rows(rejections: Iterable[Any], flags: Iterable[Any] = (),
                   upload_root: Path | None = None) -> list[dict[str, str]]:
    """Rejected records and flagged articles in words (flag kinds and similarity read out)."""
    return ([{"record": short_record(r.record, upload_root), "status": "not analysed",
              "reason": r.reason} for r in rejections]
            + [{"record": f.article_id, "status": f"flagged: {flag_name(f.kind)}",
                "reason": flag_detail(f.detail)} for f in flags])


@dataclass(frozen=True)
class RunChoice:
    """One analysed run as "Analysed before" lists it."""

    key: str
    name: str
    files: str
    analysed: str
    n_articles: int

    @property
    def label(self) -> str:
        return f"{self.name} · {self.files} · {self.analysed} · {plural(self.n_articles, 'article')}"


class RunBook:
    """What the dashboard knows of the runs it analysed: the files read, when, and the name the
    user gave (a JSON file beside the store; runs analysed elsewhere are listed without)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(
            data, dict) else {}

    def _write(self, entries: Mapping[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=1)
        replace_atomically(self.path, text.encode("utf-8"))

    def record(self, key: str, files: Sequence[str], when: datetime | None = None) -> None:
        """Note the files a run read and when it was analysed (a name given before is kept)."""
        entries = self.entries()
        stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
        entries[key] = {**entries.get(key, {}), "files": list(files), "analysed": stamp}
        self._write(entries)

    def rename(self, key: str, name: str) -> None:
        entries = self.entries()
        entry = dict(entries.get(key, {}))
        if name.strip():
            entry["name"] = " ".join(name.split())[:120]
        else:
            entry.pop("name", None)
        entries[key] = entry
        self._write(entries)

    def choices(self, runs: Iterable[tuple[str, str, int]], runs_dir: Path) -> list[RunChoice]:
        """Every stored run, newest first: its name (else its title), files, date, size."""
        entries = self.entries()
        out = []
        for key, title, n in runs:
            entry = entries.get(key, {})
            files = [str(f) for f in entry.get("files") or ()]
            shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3
                                            else "")
            when = str(entry.get("analysed") or "")
            if not when:
                try:
                    when = datetime.fromtimestamp((runs_dir / key / "run.json").stat()
                                                  .st_mtime).strftime("%Y-%m-%d %H:%M")
                except OSError:
                    when = "date unknown"
            out.append(RunChoice(key, str(entry.get("name") or title), shown or "files not noted",
                                 when, int(n)))
        return sorted(out, key=lambda c: c.analysed, reverse=True)


# -- numbers, names and colours -----------------------------------------------------------

#: One colour per outlet of a run, the same in every view (table headers, charts, claims).
OUTLET_PALETTE = ("#1b6ca8", "#c8553d", "#3a7d44", "#8e6bb0", "#d4a017", "#5c6b73", "#b5446e",
                  "#2a9d8f", "#e76f51", "#6d597a", "#8d6e63", "#264653")


def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """Colour of each outlet (and group) of a run: by name order, so it never changes with the
    event or the filter."""
    return {o: OUTLET_PALETTE[i % len(OUTLET_PALETTE)]
            for i, o in enumerate(sorted(set(outlets)))}


def swatch(color: str) -> str:
    return f'<span class="swatch" style="background:{escape(color)}"></span>'


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def label(code: str) -> str:
    """The plain name a table column or feature is shown under (capitalised)."""
    return capital(column_name(code))


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_value(feature: str, x: float | None) -> str:
    """Shares as percentages with two decimals ('62.50%'), rates and counts with one ('1.3')."""
    if _missing(x):
        return "–"
    assert x is not None
    return f"{100 * x:.2f}%" if feature in SHARE_FEATURES else f"{x:.1f}"


def fmt_difference(feature: str, x: float | None) -> str:
    """A difference: percentage points for shares ('+44.00 pts'), else one decimal."""
    if _missing(x):
        return "–"
    assert x is not None
    return f"{100 * x:+.2f} pts" if feature in SHARE_FEATURES else f"{x:+.1f}"


def fmt_interval(feature: str, low: float | None, high: float | None) -> str:
    if _missing(low) or _missing(high):
        return ""
    return f"[{fmt_value(feature, low)}, {fmt_value(feature, high)}]"


def fmt_estimate(feature: str, e: Estimate) -> tuple[str, str]:
    """(mean, interval) of a profile's figure as the tables show them."""
    if e.mean is None:
        return "–", ""
    if e.low is None or e.high is None:
        return fmt_value(feature, e.mean), "one article: no interval" if e.n <= 1 else \
            "no interval"
    return fmt_value(feature, e.mean), fmt_interval(feature, e.low, e.high)


#: Technical terms the views use, each in one line.
TERMS = {
    "95% interval": "the range the mean would likely fall in with other articles like these "
                    "(a bootstrap over articles: the articles drawn again and again at random).",
    "adjusted p": "how often chance alone gives a difference this large, raised to allow for "
                  "the many features compared at once (Benjamini–Hochberg); below 0.05 counts.",
    "effect size": "the difference measured in the spread of articles (Hedges' g: 0.2 small, "
                   "0.5 medium, 0.8 large).",
}


def terms_html(*names: str) -> str:
    return '<p class="small terms">' + "<br>".join(
        f"<b>{escape(capital(n))}</b>: {escape(TERMS[n])}" for n in names) + "</p>"


# -- the Outlets view: one table, features down the side, outlets across ---------------------

def significant_marks(records: Iterable[Mapping[str, Any]], level: str = "outlet",
                      shown: Sequence[str] | None = None) -> dict[tuple[str, str], list[str]]:
    """(feature, outlet) -> 'higher than B' / 'lower than B' for every contrast that holds
    between two outlets shown (both tests: adjusted p < 0.05, interval excluding zero)."""
    marks: dict[tuple[str, str], list[str]] = {}
    keep = set(shown) if shown is not None else None
    for r in records:
        if r.get("level", "outlet") != level or not r.get("feature"):
            continue
        a, b, f = str(r.get("a")), str(r.get("b")), str(r.get("feature"))
        if keep is not None and (a not in keep or b not in keep):
            continue
        if not holds(contrast_from_record(r)):
            continue
        up = (r.get("difference") or 0.0) > 0
        p = r.get("p_adjusted_bh")
        tail = f" (adjusted p {p:.3f})" if isinstance(p, float | int) else ""
        marks.setdefault((f, a), []).append(f"{'higher' if up else 'lower'} than {b}{tail}")
        marks.setdefault((f, b), []).append(f"{'lower' if up else 'higher'} than {a}{tail}")
    return marks


def outlet_table_html(profiles: Sequence[OutletProfile], features: Sequence[str],
                      colors: Mapping[str, str],
                      marks: Mapping[tuple[str, str], Sequence[str]] | None = None,
                      corner: str = "Feature") -> str:
    """One aligned table: a row per feature (its plain name; the code and definition on
    hover), a column per outlet (its colour and article count), each cell the mean with its
    95% interval beneath, a marked cell where the outlet differs significantly from another
    outlet shown. It scrolls inside itself when the screen is narrower than the table."""
    marks = marks or {}
    head = "".join(
        f'<th scope="col" class="outlet">{swatch(colors.get(p.outlet, "#999"))}'
        f'{escape(p.outlet)}<br><span class="small">{plural(p.n_articles, "article")}</span></th>'
        for p in profiles)
    rows = []
    for f in features:
        tip = f"{f}: {FEATURES.get(f, KEY_FEATURES.get(f, ''))}"
        cells = []
        for p in profiles:
            e = p.features.get(f)
            if e is None:
                cells.append('<td class="num">–</td>')
                continue
            mean, ci = fmt_estimate(f, e)
            found = marks.get((f, p.outlet), ())
            if found:
                ups = any(m.startswith("higher") for m in found)
                downs = any(m.startswith("lower") for m in found)
                sign = ("▲" if ups else "") + ("▼" if downs else "")
                title = capital("; ".join(found)) + "."
                cells.append(f'<td class="num sig" title="{escape(title)}">{escape(mean)}'
                             f'<span class="sigmark">{sign}</span><br>'
                             f'<span class="ci">{escape(ci)}</span></td>')
            else:
                cells.append(f'<td class="num">{escape(mean)}<br>'
                             f'<span class="ci">{escape(ci)}</span></td>')
        rows.append(f'<tr><th scope="row" class="feat" title="{escape(tip)}">'
                    f'{escape(capital(feature_name(f)))}</th>{"".join(cells)}</tr>')
    return (f'<div class="table-scroll"><table class="outlet-table"><thead><tr>'
            f'<th scope="col" class="feat">{escape(corner)}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


OUTLET_TABLE_NOTE = (
    "Each cell: the outlet's mean per article, with its 95% interval beneath. A shaded cell "
    "marked ▲ or ▼ is significantly higher or lower than at least one other outlet shown "
    "(both tests hold: adjusted p below 0.05 and the interval of the difference excludes "
    "zero); hover it to read which. Hover a feature for its code and definition."
)


def outlet_table_records(profiles: Sequence[OutletProfile], features: Sequence[str],
                         marks: Mapping[tuple[str, str], Sequence[str]] | None = None
                         ) -> tuple[list[str], list[list[Any]]]:
    """The Outlets table as a downloadable table: per outlet its mean, interval and marks."""
    marks = marks or {}
    header = ["Feature", "Feature code"]
    for p in profiles:
        header += [f"{p.outlet}: mean", f"{p.outlet}: low end", f"{p.outlet}: high end",
                   f"{p.outlet}: articles", f"{p.outlet}: differs"]
    rows = []
    for f in features:
        row: list[Any] = [capital(feature_name(f)), f]
        for p in profiles:
            e = p.features.get(f)
            row += [None if e is None else e.mean, None if e is None else e.low,
                    None if e is None else e.high, p.n_articles,
                    "; ".join(marks.get((f, p.outlet), ()))]
        rows.append(row)
    return header, rows


def csv_bytes(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A view as CSV through framing's writer (formula-like text cells made safe)."""
    return to_csv(Table(name, tuple(header), tuple(tuple(r) for r in rows)))


def records_csv(name: str, records: Sequence[Mapping[str, Any]]) -> bytes:
    """Rows of a table view as CSV, under the plain column names the view shows."""
    columns = list(records[0]) if records else []
    return csv_bytes(name, [label(c) for c in columns],
                     ([r.get(c) for c in columns] for r in records))


# -- filters: outlets, outlet groups, dates ------------------------------------------------

@dataclass(frozen=True)
class ArticleEntry:
    """One article of a run as the filters see it."""

    id: str
    outlet: str
    group: str | None
    event: str | None
    published: date | None
    title: str | None


def parse_date(text: object) -> date | None:
    """The date of a 'published' cell ('2025-03-04', '2025-03-04T10:00:00Z'), or None."""
    s = str(text or "").strip()
    if len(s) < 10:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def article_index(out_dir: Path) -> list[ArticleEntry] | None:
    """Every article of a run with outlet, group, event and date (articles.csv), or None."""
    import csv as _csv

    from framing.ingest.csvcells import read_csv_rows

    path = out_dir / "articles.csv"
    if not path.is_file():
        return None
    _csv.field_size_limit(max(_csv.field_size_limit(), 1 << 30))
    with path.open(encoding="utf-8", newline="") as fh:
        reader = read_csv_rows(fh)
        header = next(reader, [])
        col = {c: i for i, c in enumerate(header)}
        if not {"article_id", "outlet"} <= set(col):
            return None

        def cell(row: list[str], name: str) -> str | None:
            i = col.get(name)
            return (row[i] or None) if i is not None and i < len(row) else None

        return [ArticleEntry(str(cell(r, "article_id")), str(cell(r, "outlet")),
                             cell(r, "group"), cell(r, "event"),
                             parse_date(cell(r, "published")), cell(r, "title"))
                for r in reader if r]


@dataclass(frozen=True)
class Filters:
    """What the user chose to see: outlets, outlet groups and a date range."""

    outlets: frozenset[str] | None = None  # None: every outlet
    groups: frozenset[str] | None = None  # None: every group
    start: date | None = None
    end: date | None = None

    def outlet_ok(self, outlet: str, group: str | None = None) -> bool:
        if self.outlets is not None and outlet not in self.outlets:
            return False
        return self.groups is None or group is None or group in self.groups

    def date_ok(self, day: date | None) -> bool:
        if self.start is None and self.end is None:
            return True
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


def outlet_groups(entries: Iterable[ArticleEntry]) -> dict[str, str]:
    """Each outlet's group (its articles' first named group)."""
    out: dict[str, str] = {}
    for e in entries:
        if e.group and e.outlet not in out:
            out[e.outlet] = e.group
    return out


def shown_outlets(outlets: Sequence[str], filters: Filters,
                  groups: Mapping[str, str]) -> list[str]:
    return [o for o in outlets if filters.outlet_ok(o, groups.get(o))]


def filter_records(name: str, records: Sequence[dict[str, Any]], filters: Filters,
                   groups: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows of a table view the filters keep: rows of shown outlets (both outlets of a
    contrast; a group contrast when both groups are shown), weeks in the date range."""
    def ok(o: object) -> bool:
        return filters.outlet_ok(str(o), groups.get(str(o)))

    out = []
    for r in records:
        if name == "contrasts":
            if r.get("level") == "group":
                keep = filters.groups is None or (r.get("a") in filters.groups
                                                  and r.get("b") in filters.groups)
            else:
                keep = ok(r.get("a")) and ok(r.get("b"))
        elif "outlet" in r:
            keep = ok(r.get("outlet"))
        else:
            keep = True
        if keep and name == "over_time" and filters.dated:
            day = parse_date(r.get("week"))
            keep = day is None or ((filters.end is None or day <= filters.end) and (
                filters.start is None or day >= filters.start - _WEEK))
        if keep:
            out.append(r)
    if name == "side_by_side":
        out = [{k: v for k, v in r.items() if ": " not in k or ok(k.rsplit(": ", 1)[0])}
               for r in out]
    if name == "claims":
        for r in out:
            for c in ("carried_by", "omitted_by", "carried_via_copy"):
                if isinstance(r.get(c), str):
                    r[c] = "; ".join(o for o in r[c].split("; ") if ok(o)) or None
    return out


#: A week starts on its Monday: a week whose Monday is up to six days before the range is in it.
_WEEK = timedelta(days=6)

#: What the date range does on views whose figures are not per article or per week.
DATE_NOTE = ("The date range applies to the outlet table, the charts, the Reader, the claims' "
             "sentences and the weeks over time; this table counts every date.")


# -- the Claims view: each outlet's sentences side by side ---------------------------------

@dataclass(frozen=True)
class ClaimOutlet:
    """One outlet's part in one claim."""

    outlet: str
    carries: bool
    via_copy: bool
    sentences: tuple[str, ...]
    article_ids: tuple[str, ...]
    #: The outlet has no sentence in this claim, but a sentence of another claim carries it.
    elsewhere: bool = False


def claim_outlets(table: Table, claim_id: Any) -> list[ClaimOutlet]:
    """Each outlet's row of one claim in claims.csv (one row per claim and outlet)."""
    out = []
    for row in table.rows:
        r = dict(zip(table.columns, row, strict=True))
        if r.get("claim_id") != claim_id or r.get("outlet") is None:
            continue
        via = {o.strip() for o in str(r.get("carried_via_copy") or "").split(";") if o.strip()}
        elsewhere = {o.strip() for o in str(r.get("carried_elsewhere_by") or "").split(";")
                     if o.strip()}
        sentences = tuple(_sentences_of(r.get("sentences")))
        out.append(ClaimOutlet(
            str(r["outlet"]), bool(sentences) or bool(r.get("carries")), str(r["outlet"]) in via,
            sentences,
            tuple(a.strip() for a in str(r.get("article_ids") or "").split(";") if a.strip()),
            str(r["outlet"]) in elsewhere))
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


def find_sentence(articles: Sequence[AnalyzedArticle], text: str
                  ) -> tuple[AnalyzedArticle, SentenceAnalysis] | None:
    """The article and analysed sentence whose text is ``text`` (first match)."""
    want = _norm(text)
    for art in articles:
        for s in art.sentences:
            if _norm(s.text) == want:
                return art, s
    return None


def sentence_html(sentence: SentenceAnalysis) -> str:
    """One sentence with the Reader's marks (loaded words, sources, cues, hedges)."""
    offset = sentence.span.start
    return markup(sentence.text, sentence_marks(sentence, text_of(sentence, offset)), offset)


def cite_sentence(art: AnalyzedArticle, sentence: SentenceAnalysis) -> str:
    """Where a sentence is: 'headline · 2025-10-30' or 'Its headline · 2025-10-30 · sentence 2'
    (the headline is not repeated under itself)."""
    a = art.article
    day = a.published[:10] if a.published else ""
    if getattr(sentence, "part", "body") == "title":
        bits = ["headline", day]
    else:
        bits = [a.title or a.id, day, f"sentence {sentence.index + 1}"]
    return " · ".join(b for b in bits if b)


def claim_choice(record: Mapping[str, Any], most: int = 110) -> str:
    """'3 · The suspects fled. (2 outlets)': a claim as the claim box lists it."""
    text = " ".join(str(record.get("claim") or "").split())
    text = text if len(text) <= most else text[: most - 1] + "…"
    carried = [o for o in str(record.get("carried_by") or "").split("; ") if o]
    return f"{record.get('claim_id')} · {text} ({plural(len(carried), 'outlet')})"


def claim_header_html(record: Mapping[str, Any], n_shown: int) -> str:
    """The claim in full, and who carries it."""
    carried = [o for o in str(record.get("carried_by") or "").split("; ") if o]
    lead = " It is in a headline or a lead sentence." if record.get("lead") == "yes" else ""
    n_ind = record.get("n_independent")
    own = (f" ({plural(int(n_ind), 'outlet')} in their own articles)"
           if isinstance(n_ind, int | float) and int(n_ind) != len(carried) else "")
    return (f'<p class="small">Claim {escape(str(record.get("claim_id")))}, in full:</p>'
            f'<div class="claim-text">{escape(str(record.get("claim") or ""))}</div>'
            f'<p class="small">Carried by {len(carried)} of {plural(n_shown, "outlet")} shown'
            f"{escape(own)}.{escape(lead)}</p>")



# -- table views as read: plain feature names, each value in its feature's unit ---------------

#: Columns holding a value of the row's feature (a share or a rate), by view.
VALUE_COLUMNS = {
    "contrasts": ("mean_a", "mean_b"),
    "over_time": ("mean", "low", "high"),
}
#: Columns holding a difference of the row's feature.
DIFFERENCE_COLUMNS = ("difference", "difference_low", "difference_high")


#: Columns whose values are codes ("named_person", "according_to"): shown with spaces.
CODE_VALUE_COLUMNS = ("kind", "source kind", "actor_type", "grouped_by", "level")


def readable_codes(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with code values in words ('named_person' reads 'named person')."""
    return [{c: (v.replace("_", " ") if c in CODE_VALUE_COLUMNS and isinstance(v, str) else v)
             for c, v in r.items()} for r in records]


def display_records(name: str, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows as the view shows them: a feature by its plain name, a share as a percentage
    with two decimals and a rate with one (text, since one column holds many features); the
    side-by-side table's mean and interval in one cell per outlet. Downloads keep the numbers."""
    out: list[dict[str, Any]] = []
    for r in readable_codes(records):
        f = str(r.get("feature") or "")
        if not f:
            out.append(dict(r))
            continue
        row: dict[str, Any] = {}
        for c, v in r.items():
            if c == "feature":
                row[c] = capital(feature_name(f))
            elif c in VALUE_COLUMNS.get(name, ()):
                row[c] = fmt_value(f, v)
            elif name == "contrasts" and c in DIFFERENCE_COLUMNS:
                row[c] = fmt_difference(f, v)
            elif name == "side_by_side" and c.endswith(": mean"):
                outlet = c[: -len(": mean")]
                ci = fmt_interval(f, r.get(f"{outlet}: low"), r.get(f"{outlet}: high"))
                row[outlet] = (fmt_value(f, v) + (f" {ci}" if ci else "")) if not _missing(
                    v) else None
            elif name == "side_by_side" and (c.endswith(": low") or c.endswith(": high")):
                continue
            else:
                row[c] = v
        out.append(row)
    return out


# -- the Features view: one chart per chosen feature ---------------------------------------

def interval_spec(profiles: Sequence[OutletProfile], feature: str,
                  colors: Mapping[str, str]) -> dict[str, Any] | None:
    """A Vega-Lite chart of one feature: a row per outlet (in its colour), the mean as a dot and
    the 95% interval as a line, an axis with readable ticks (percentages for shares), the plain
    name as title and the question it answers beneath; None when no outlet has a value.

    A plain spec rather than Altair: Altair validates every chart against the schema, which
    costs about 30 ms a chart on every rerun."""
    share = feature in SHARE_FEATURES
    rows = []
    for p in profiles:
        e = p.features.get(feature)
        if e is None or _missing(e.mean):
            continue
        mean, ci = fmt_estimate(feature, e)
        rows.append({"outlet": p.outlet, "mean": e.mean,
                     "low": e.mean if _missing(e.low) else e.low,
                     "high": e.mean if _missing(e.high) else e.high,
                     "value": f"{mean} {ci}".strip(), "articles": p.n_articles})
    if not rows:
        return None
    domain = sorted(colors)
    y = {"field": "outlet", "type": "nominal", "title": None,
         "sort": [r["outlet"] for r in rows],
         "axis": {"labelFontSize": 12, "labelLimit": 170}}
    color = {"field": "outlet", "type": "nominal", "legend": None,
             "scale": {"domain": domain, "range": [colors[o] for o in domain]}}
    tooltip = [{"field": "outlet", "type": "nominal", "title": "Outlet"},
               {"field": "value", "type": "nominal", "title": "Mean [95% interval]"},
               {"field": "articles", "type": "quantitative", "title": "Articles"}]
    x_axis = {"title": None, "format": ".0%" if share else ".1f", "tickCount": 5,
              "labelFontSize": 12, "grid": True}
    return {
        "title": {"text": capital(feature_name(feature)), "anchor": "start", "fontSize": 14,
                  "subtitle": KEY_FEATURES.get(feature, FEATURES.get(feature, "")),
                  "subtitleFontSize": 11},
        "data": {"values": rows},
        # a discrete axis needs a step height (a fixed height collapses its rows in Streamlit)
        "height": {"step": 30},
        "encoding": {"y": y, "color": color, "tooltip": tooltip},
        "layer": [
            {"mark": {"type": "rule", "strokeWidth": 3},
             "encoding": {"x": {"field": "low", "type": "quantitative", "axis": x_axis,
                                "scale": {"zero": True, "nice": True}},
                          "x2": {"field": "high"}}},
            {"mark": {"type": "point", "filled": True, "size": 90, "opacity": 1},
             "encoding": {"x": {"field": "mean", "type": "quantitative"}}},
        ],
    }
