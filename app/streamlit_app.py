"""framing dashboard: `make dashboard` (streamlit run app/streamlit_app.py).

A thin layer over framing.api, framing.store and framing.report: load a corpus, analyse it once
(cached in an embedded DuckDB store), compare outlets side by side, read articles with their
evidence highlighted, and export the report and every table.
"""

from __future__ import annotations

import sys
import time
from html import escape
from pathlib import Path
from typing import Any

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import framing_dashboard as fd  # noqa: E402
import validate_view  # noqa: E402
from fetch_view import render_fetch_view  # noqa: E402

from framing import api  # noqa: E402
from framing.report.corpus import (  # noqa: E402
    corpus_section,
    read_corpus_tables,
    read_event_names,
)
from framing.report.exports import FORMATS, MEDIA_TYPES, table_bytes  # noqa: E402
from framing.report.figures import interval_chart  # noqa: E402
from framing.report.html import (  # noqa: E402
    KEY_FEATURES,
    attribution_rows,
    highlight_article,
    highlight_title,
)
from framing.report.pdf import PdfError, find_chromium  # noqa: E402
from framing.report.tables import names_groups  # noqa: E402
from framing.scoring import FEATURES  # noqa: E402
from framing.settings import fast_mode, load_settings  # noqa: E402
from framing.store import Store  # noqa: E402

st.set_page_config(page_title="framing", layout="wide")


@st.cache_resource
def get_store(path: str) -> Store:
    return Store(path)


def html(body: str) -> None:
    """Render an HTML fragment built from escaped text (Streamlit sanitises it again)."""
    st.html(fd.styled(body))


def event_label(event: str | None) -> str:
    return event if event is not None else "(no event)"


settings = load_settings()
# the store, analysed runs and uploads live under Settings.cache_dir ($FRAMING_CACHE_DIR)
root = settings.cache_dir
store = get_store(str(root / "store.duckdb"))
runs_dir = root / "runs"

# -- sidebar: choose and analyse a corpus ---------------------------------------------------
st.sidebar.title("framing")
lexicon_only = st.sidebar.checkbox(
    "Lexicon only (no learned model)", value=not settings.use_model, key="lexicon_only"
)
LOADED_MODEL_LABELS = {
    "tuned": "fine-tuned MiniLM (loaded-tuned-2)",
    "heads": "frozen-encoder heads (loaded-heads-1)",
    "static": "fast mode: static embeddings (loaded-static-1)",
}
loaded_model = st.sidebar.selectbox(
    "Loaded-language model",
    list(LOADED_MODEL_LABELS),
    index=list(LOADED_MODEL_LABELS).index(settings.loaded_model)
    if settings.loaded_model in LOADED_MODEL_LABELS else 0,
    format_func=LOADED_MODEL_LABELS.__getitem__,
    disabled=lexicon_only,
    key="loaded_model",
    help="The fine-tuned model measures better on BABE and PTC (README, Accuracy); the "
    "frozen-encoder heads are the earlier model, kept for comparison. Fast mode (the command "
    "line's --fast) replaces MiniLM with static word-piece embeddings distilled from it: it "
    "trades accuracy for speed, analysing articles about 2.5 times faster (the loaded-language "
    "step 8 to 45 times; near the lexicon-only speed) but scoring lower (BABE sentence "
    "macro-F1 0.711 against 0.785; 32 of the 72 loaded phrases of the challenge set found "
    "against 54). It also groups events, claims and labels with MiniLM's int8 weights (about "
    "1.8 times faster; nine in ten of the default's claim-pair decisions). Use it to screen a "
    "large corpus, then re-run what matters without it.",
)
settings = settings.updated(use_model=not lexicon_only, loaded_model=loaded_model)
if loaded_model == "static":  # fast mode, as the command line's --fast
    settings = fast_mode(settings)
source = st.sidebar.radio(
    "Corpus",
    ["Demo corpus", "Upload files", "Local path", "Analysed before", "Fetch URLs"],
    key="source",
)
title = st.sidebar.text_input("Report title", value="framing report", key="title")
if source == "Fetch URLs":  # app/fetch_view.py; the fetched file is analysed via "Local path"
    render_fetch_view(root / "fetch")
    st.stop()

# Fixed slots keep the page layout identical on every rerun (widgets keep their state).
status_slot = st.empty()
problem_slot = st.container()
ingest = None
load_problem: str | None = None
go = False
if source == "Demo corpus":
    st.sidebar.caption("Invented articles by three made-up outlets about two events.")
    go = st.sidebar.button("Analyse demo corpus", key="analyse_demo", type="primary")
    if go:
        ingest = api.load([api.demo_corpus_path()], settings)
        title = "framing demo: invented corpus" if title == "framing report" else title
elif source == "Upload files":
    files = st.sidebar.file_uploader(
        "JSONL / CSV files, or a ZIP of .txt/.md/.html files",
        type=[s.lstrip(".") for s in fd.UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        key="uploads",
    )
    go = st.sidebar.button("Analyse uploads", key="analyse_upload", type="primary")
    if go:
        if not files:
            load_problem = "Choose at least one file first."
        else:
            ups = [fd.Upload(f.name, f.getvalue()) for f in files]
            # Files and ZIP members not saved are rejections of the corpus, shown with the rest
            # (with their reasons: size and member-count limits, duplicates, unsafe names).
            try:
                ingest = fd.load_uploads(ups, root / "uploads", settings)
            except OSError as exc:  # the cache folder itself cannot be written (disk full)
                load_problem = f"The uploads could not be saved: {exc.strerror or exc}"
elif source == "Local path":
    path = st.sidebar.text_input("File or folder on this machine", key="local_path")
    go = st.sidebar.button("Analyse path", key="analyse_path", type="primary")
    if go:
        if not path.strip():
            load_problem = "Type a path first."
        else:
            ingest = api.load([Path(path.strip()).expanduser()], settings)
else:
    runs = store.list_runs()
    if not runs:
        st.sidebar.info("Nothing analysed yet.")
    else:
        labels = {k: f"{t} · {n} articles · {k[:8]}" for k, t, n in runs}
        chosen = st.sidebar.selectbox(
            "Analysed corpus", list(labels), format_func=labels.__getitem__, key="stored_run"
        )
        if st.sidebar.button("Open", key="open_run", type="primary"):
            st.session_state["run_key"] = chosen

if go and ingest is not None:
    if not ingest.articles:
        load_problem = f"No article could be analysed ({ingest.n_read} records read)."
        st.session_state["failed_ingest"] = ingest
    else:
        st.session_state.pop("failed_ingest", None)
        bar = status_slot.progress(0.0, text=f"Analysing {len(ingest.articles)} articles…")

        # per stage (analysing, comparing events, writing outputs): when it started and how
        # many of its steps were already done then (cached articles arrive at once)
        stage_start: dict[str, tuple[float, int]] = {}

        def progress(done: int, total: int, stage: str = "analysing") -> None:
            started, first = stage_start.setdefault(stage, (time.monotonic(), done))
            bar.progress(min(1.0, done / max(total, 1)), text=fd.progress_text(
                done, total, first, time.monotonic() - started, stage))

        try:
            st.session_state["run_key"] = api.run_cached(
                ingest, store, runs_dir, settings, progress, title
            )
        except ValueError as exc:
            load_problem = str(exc)
        status_slot.empty()
if load_problem:
    problem_slot.error(load_problem)
failed = st.session_state.get("failed_ingest")
if failed is not None and failed.rejections:
    problem_slot.subheader("Rejected records")
    problem_slot.dataframe(
        [{"record": r.record, "reason": r.reason} for r in failed.rejections],
        width="stretch",
        key="failed_rejections",
    )

key = st.session_state.get("run_key")
if key is None or not store.has_run(key):
    st.title("framing")
    st.write(
        "Compare how news outlets frame the same event: loaded language charged to whoever "
        "speaks it, and who stands behind every assertion. Choose a corpus in the sidebar."
    )
    st.stop()

info = store.run_info(key)
html(f"<h1>{escape(info.title)}</h1>")
st.caption(
    f"{info.n_read} records read · {info.n_articles} analysed · {len(info.rejections)} rejected "
    f"· {len(info.flags)} flags · pipeline {info.run.pipeline_version} · "
    f"settings {info.run.settings_hash} · run {key}"
)
if info.rejections or info.flags:
    with st.expander(
        f"Rejected records ({len(info.rejections)}) and flags ({len(info.flags)})",
        expanded=bool(info.rejections),
    ):
        st.dataframe(
            [
                {"record": r.record, "status": "rejected", "reason": r.reason}
                for r in info.rejections
            ]
            + [
                {"record": f.article_id, "status": f"flagged: {f.kind}", "reason": f.detail}
                for f in info.flags
            ],
            width="stretch",
            key="rejections",
        )

validate_view.render(info.out_dir)  # coverage by language; Validate section

event_names = read_event_names(info.out_dir)
corpus = read_corpus_tables(info.out_dir)
if corpus is not None:  # a corpus of events: what holds across it comes first
    with st.expander(f"Across the corpus: {corpus.n_events} events", expanded=True):
        html(corpus_section(corpus, event_names))
        path = Path(info.out_dir) / "corpus_contrasts.csv"
        st.download_button("Download corpus_contrasts.csv", path.read_bytes(),
                           file_name="corpus_contrasts.csv", mime="text/csv",
                           key="download_corpus")

events = store.events(key)
event = st.selectbox(
    "Event", events, key="event",
    format_func=lambda e: event_label(e) if e is None or event_names.get(e, e) == e
    else f"{event_names[e]} ({e})",
)
profiles = store.profiles(key, event)
outlets = [p.outlet for p in profiles]

tabs = st.tabs(
    ["Outlets", "Features", "Reader", *fd.VIEW_TABLES, "Export"], key="view", on_change="rerun"
)
# Only the open tab is computed: hidden tabs cost nothing on a large corpus.

with tabs[0]:
    if tabs[0].open:
        st.caption("Mean per article with a 95% bootstrap interval over articles.")
        per_row = 3
        for i in range(0, len(profiles), per_row):
            cols = st.columns(per_row)
            for col, profile in zip(cols, profiles[i : i + per_row], strict=False):
                with col:
                    html(fd.outlet_card(profile))
        groups = store.group_profiles(key, event)
        members: dict[str, set[str]] = {}
        for sc in store.scores(key, event):
            members.setdefault(sc.unit("group"), set()).add(sc.outlet)
        # group cards only add something when a group holds more than one outlet
        if names_groups(groups) and any(len(members.get(g.outlet, ())) > 1 for g in groups):
            st.subheader("Outlet groups")
            cols = st.columns(max(len(groups), 1))
            for col, profile in zip(cols, groups, strict=False):
                with col:
                    html(fd.outlet_card(profile))

with tabs[1]:
    if tabs[1].open:
        features = list(KEY_FEATURES) + [f for f in FEATURES if f not in KEY_FEATURES]
        cols = st.columns(2)
        for i, feat in enumerate(features):
            question = KEY_FEATURES.get(feat) or FEATURES[feat]
            with cols[i % 2]:
                html(
                    f'<div class="card"><h3>{escape(feat)}</h3><p class="small">{escape(question)}'
                    f"</p>{fd.chart_img(interval_chart(profiles, feat, question), question)}</div>"
                )

with tabs[2]:
    if tabs[2].open:
        c1, c2 = st.columns(2)
        outlet = c1.selectbox("Outlet", outlets, key="outlet")
        rows = store.articles(key, event, outlet)
        titles = {r.id: f"{r.id} — {r.title or '(untitled)'}" for r in rows}
        article_id = c2.selectbox(
            "Article", list(titles), format_func=lambda i: titles.get(i, i), key="article"
        )
        if article_id is not None:
            art = store.article(key, article_id)
            a = art.article
            meta = " · ".join(
                escape(x) for x in (a.outlet, a.published or "", a.event or "", a.url or "") if x
            )
            html(f'<h2 class="article-title">{highlight_title(art)}</h2><p class="meta">{meta}</p>')
            st.html(fd.legend())
            html(highlight_article(art))
            attrs = attribution_rows(art)
            with st.expander(f"Attributions ({len(attrs)})", expanded=False):
                st.dataframe(
                    attrs,
                    width="stretch",
                    key="attributions",
                )
            scores = store.article_scores(key, article_id)
            if scores is not None:
                with st.expander("Features of this article", expanded=False):
                    st.dataframe(
                        [{"feature": k, "value": v} for k, v in scores.features.items()],
                        width="stretch",
                        key="article_features",
                    )

def column_config(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Column descriptions (on hover) and number formats of a table view."""
    config: dict[str, Any] = {}
    for name in records[0] if records else ():
        kind, help_text = fd.column_spec(name)
        if kind == "int":
            config[name] = st.column_config.NumberColumn(name, help=help_text, format="%d")
        elif kind == "float":
            config[name] = st.column_config.NumberColumn(name, help=help_text, format="%.3f")
        elif kind == "p":
            config[name] = st.column_config.NumberColumn(name, help=help_text, format="%.4f")
        elif kind == "share":
            config[name] = st.column_config.NumberColumn(name, help=help_text, format="percent")
        elif kind == "check":
            config[name] = st.column_config.CheckboxColumn(name, help=help_text)
        elif name in ("claim", "measures"):
            config[name] = st.column_config.TextColumn(name, help=help_text, width="large")
        else:
            config[name] = st.column_config.TextColumn(name, help=help_text)
    return config


def selected_row(state: object) -> int | None:
    """The position of the row selected in a dataframe (None when none is)."""
    rows = getattr(getattr(state, "selection", None), "rows", None) or []
    return int(rows[0]) if rows else None


def show_evidence(name: str, table: fd.Table, records: list[dict[str, Any]], row: int) -> None:
    """The sentences behind one selected row."""
    r = records[row]
    if name == "claims":
        items = fd.claim_evidence(table, r.get("claim_id"))
        html(fd.evidence_html(f"Claim {r.get('claim_id')}: each outlet's sentences", items,
                              "Does not carry this claim."))
    elif name == "labels":
        # the examples are left out of the grid: read them from the table's row (same order)
        examples = fd.label_examples(fd.as_records(table)[row])
        html(fd.evidence_html(
            f"“{r.get('label')}” for {r.get('actor')}: example sentences",
            [(str(r.get("outlet")), examples, "")], "No example sentence was kept."))
    elif name == "sources":
        found = fd.source_examples(info.out_dir, event, str(r.get("outlet")), str(r.get("source")))
        html(fd.evidence_html(
            f"Sentences crediting {r.get('source')}",
            [(str(r.get("outlet")), [f"{t} ({where})" for where, t in found], "")],
            "No sentence found in sentences.jsonl for this source name."))


for tab, (label, name) in zip(tabs[3:-1], fd.VIEW_TABLES.items(), strict=True):
    with tab:
        if tab.open:
            table = fd.view_table(info.out_dir, name, event)
            if table is None:
                st.info(f"{label}: not available for this run ({name}.csv was not produced).")
                continue
            records = fd.view_records(name, table)
            html(fd.view_intro_html(name, table, records))
            if not records:
                st.info(f"{label}: no rows for this event. {fd.VIEW_EMPTY.get(name, '')}")
                continue
            selectable = name in ("claims", "labels", "sources")
            height = fd.table_height(len(records))
            config = column_config(records)
            row = None
            if selectable:
                state = st.dataframe(
                    records, width="stretch", height=height, hide_index=True,
                    column_config=config, key=f"view_{name}", on_select="rerun",
                    selection_mode="single-row",
                )
                row = selected_row(state)
            else:
                st.dataframe(records, width="stretch", height=height, hide_index=True,
                             column_config=config, key=f"view_{name}")
            if row is not None and row < len(records):
                show_evidence(name, table, records, row)
            elif selectable:
                st.caption("Select a row (the box at its left) to read its sentences.")

with tabs[-1]:
    if tabs[-1].open:
        out_dir = info.out_dir
        report = out_dir / "report.html"
        c1, c2 = st.columns(2)
        if report.exists():
            c1.download_button(
                "Report (HTML)",
                report.read_bytes(),
                file_name="report.html",
                mime="text/html",
                key="dl_report_html",
                on_click="ignore",
            )
        pdf = out_dir / "report.pdf"
        if pdf.exists():
            c2.download_button(
                "Report (PDF)",
                pdf.read_bytes(),
                file_name="report.pdf",
                mime="application/pdf",
                key="dl_report_pdf",
                on_click="ignore",
            )
        elif find_chromium() is None:
            c2.caption("PDF needs Chromium (apt-get install chromium).")
        elif c2.button("Build PDF", key="build_pdf"):
            try:
                with st.spinner("Printing the report with headless Chromium…"):
                    api.write_pdf(report, pdf)
                st.rerun()
            except PdfError as exc:
                st.error(str(exc))
        st.subheader("Tables")
        for name in fd.export_names(out_dir):
            cols = st.columns([2, 1, 1, 1])
            cols[0].write(name)
            for col, fmt_name in zip(cols[1:], FORMATS, strict=True):
                col.download_button(
                    fmt_name.upper(),
                    (lambda n=name, f=fmt_name: table_bytes(fd.export_table(out_dir, n), f)),
                    file_name=f"{name}.{fmt_name}",
                    mime=MEDIA_TYPES[fmt_name],
                    key=f"dl_{name}_{fmt_name}",
                    on_click="ignore",
                )
