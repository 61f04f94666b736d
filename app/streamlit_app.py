"""framing dashboard: `make dashboard` (streamlit run app/streamlit_app.py).

A thin layer over framing.api, framing.store and framing.report: load a corpus, analyse it once
(cached in an embedded DuckDB store), compare outlets in one table, read claims side by side and
articles with their evidence highlighted, and export the report and every table.

Reruns stay short on a large corpus: the run's tables are read once (st.cache_data), the store
caches what it reads, only the open tab is computed, the tabs are a fragment (switching tabs
reruns them, not the page above) and so is each view (choosing a row, an outlet or an article
reruns that view alone). benchmarks/bench_dashboard.py --browser times both in Chromium.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import framing_dashboard as fd  # noqa: E402
import validate_view  # noqa: E402
from fetch_view import render_fetch_view  # noqa: E402

from framing import api  # noqa: E402
from framing.models import AnalyzedArticle, OutletProfile  # noqa: E402
from framing.report.corpus import (  # noqa: E402
    corpus_section,
    read_corpus_tables,
    read_event_names,
)
from framing.report.exports import FORMATS, MEDIA_TYPES, Table, table_bytes  # noqa: E402
from framing.report.html import (  # noqa: E402
    KEY_FEATURES,
    attribution_rows,
    highlight_article,
    highlight_title,
)
from framing.report.pdf import PdfError, find_chromium  # noqa: E402
from framing.report.tables import names_groups  # noqa: E402
from framing.scoring import FEATURES  # noqa: E402
from framing.scoring.names import feature_name, plural  # noqa: E402
from framing.settings import fast_mode, load_settings  # noqa: E402
from framing.store import Store  # noqa: E402

st.set_page_config(page_title="framing", layout="wide")
state = st.session_state


@st.cache_resource
def get_store(path: str) -> Store:
    return Store(path)


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# -- the run's tables, read once per file version (st.cache_data) ----------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _view_table(out_dir: str, name: str, event: str | None, stamp: float) -> Table | None:
    return fd.view_table(Path(out_dir), name, event)


def view_table(out_dir: Path, name: str, event: str | None) -> Table | None:
    return _view_table(str(out_dir), name, event, _stamp(out_dir / f"{name}.csv"))


@st.cache_resource(max_entries=8, show_spinner=False)
def _article_index(out_dir: str, stamp: float) -> tuple[fd.ArticleEntry, ...] | None:
    # read once per file version and shared, not copied: 10,000 frozen rows unpickled on every
    # rerun (st.cache_data's copy) would cost more than the rest of the rerun
    index = fd.article_index(Path(out_dir))
    return tuple(index) if index is not None else None


@st.cache_data(max_entries=8, show_spinner=False)
def _event_names(out_dir: str, stamp: float) -> dict[str, str]:
    return read_event_names(Path(out_dir))


@st.cache_data(max_entries=8, show_spinner=False)
def _corpus(out_dir: str, stamp: float) -> Any:
    return read_corpus_tables(Path(out_dir))


@st.cache_resource(max_entries=32, show_spinner=False)
def _dated_profiles(key: str, event: str | None, start: date | None, end: date | None,
                    by: str) -> tuple[OutletProfile, ...]:
    """Profiles of the articles published in the date range (bootstrap as in the run)."""
    info = store.run_info(key)
    index = {e.id: e for e in article_entries(key, info.out_dir)}
    window = fd.Filters(start=start, end=end)
    scores = [s for s in store.scores(key, event)
              if s.article_id in index and window.date_ok(index[s.article_id].published)]
    return tuple(api.outlet_profiles(scores, info.run.settings, by))


def article_entries(key: str, out_dir: Path) -> Sequence[fd.ArticleEntry]:
    """Every article of the run with outlet, group, event and date (articles.csv; the store's
    list, without groups and dates, for a run written without it)."""
    index = _article_index(str(out_dir), _stamp(out_dir / "articles.csv"))
    if index is not None:
        return index
    return tuple(fd.ArticleEntry(r.id, r.outlet, None, r.event, None, r.title)
                 for r in store.articles(key, all_events=True))


def html(body: str) -> None:
    """Render an HTML fragment built from escaped text (Streamlit sanitises it again)."""
    st.html(fd.styled(body))


def download(data: bytes | Callable[[], bytes], name: str, key: str,
             text: str = "Download this view (CSV)") -> None:
    st.download_button(text, data, file_name=f"{name}.csv", mime="text/csv", key=key,
                       on_click="ignore")


def file_stub(name: str, event: str | None) -> str:
    """A file name for a view's download: the view and the event (safe characters only)."""
    tail = "".join(c if c.isalnum() or c in "-_" else "-" for c in (event or "all"))[:60]
    return f"{name}-{tail}"


settings = load_settings()
# the store, analysed runs and uploads live under Settings.cache_dir ($FRAMING_CACHE_DIR)
root = settings.cache_dir
store = get_store(str(root / "store.duckdb"))
runs_dir = root / "runs"
upload_root = root / "uploads"
book = fd.RunBook(root / "dashboard_runs.json")
st.html(fd.GLOBAL_CSS)

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

# Fixed slots keep the page layout identical on every rerun (widgets keep their state).
fetch_slot = st.container()
status_slot = st.empty()
problem_slot = st.container()
ingest = None
load_problem: str | None = None  # a load that failed: the run on screen goes
hint: str | None = None  # nothing to load yet ("choose a file first"): the run on screen stays
files: list[str] = []
go = False
if source == "Demo corpus":
    st.sidebar.caption("Invented articles by three made-up outlets about two events.")
    go = st.sidebar.button("Analyse demo corpus", key="analyse_demo", type="primary")
    if go:
        ingest = api.load([api.demo_corpus_path()], settings)
        files = ["demo corpus"]
        title = "framing demo: invented corpus" if title == "framing report" else title
elif source == "Upload files":
    uploads = st.sidebar.file_uploader(
        "JSONL / CSV files, or a ZIP of .txt/.md/.html files",
        type=[s.lstrip(".") for s in fd.UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        key="uploads",
    )
    go = st.sidebar.button("Analyse uploads", key="analyse_upload", type="primary")
    if go:
        if not uploads:
            hint = "Choose at least one file first."
        else:
            ups = [fd.Upload(f.name, f.getvalue()) for f in uploads]
            files = [f.name for f in uploads]
            # Files and ZIP members not saved are rejections of the corpus, shown with the rest
            # (with their reasons: size and member-count limits, duplicates, unsafe names).
            try:
                ingest = fd.load_uploads(ups, upload_root, settings)
            except OSError as exc:  # the cache folder itself cannot be written (disk full)
                load_problem = f"The uploads could not be saved: {exc.strerror or exc}"
elif source == "Local path":
    path = st.sidebar.text_input("File or folder on this machine", key="local_path")
    go = st.sidebar.button("Analyse path", key="analyse_path", type="primary")
    if go:
        if not path.strip():
            hint = "Type a path first."
        else:
            local = Path(path.strip()).expanduser()
            files = [local.name or str(local)]
            ingest = api.load([local], settings)
elif source == "Analysed before":
    choices = book.choices(store.list_runs(), runs_dir)
    if not choices:
        st.sidebar.info("Nothing analysed yet.")
    else:
        keys = [c.key for c in choices]
        by_key = {c.key: c for c in choices}
        on_screen = state.get("run_key")
        # the list opens on the run on screen (and follows it when another run is opened)
        if state.get("_stored_for") != on_screen or state.get("stored_run") not in keys:
            state["stored_run"] = on_screen if on_screen in keys else keys[0]
            state["_stored_for"] = on_screen
        chosen = st.sidebar.selectbox(
            "Analysed corpus", keys, format_func=lambda k: by_key[k].label, key="stored_run",
            help="Name · files read · when it was analysed · articles analysed.",
        )
        name = st.sidebar.text_input(
            "Name of this run", value=by_key[chosen].name, key=f"run_name_{chosen}",
            help="A name of your own for the run chosen above (kept beside the store).",
        )
        c1, c2 = st.sidebar.columns(2)
        if c1.button("Open", key="open_run", type="primary"):
            state["run_key"] = chosen
            state.pop("load_problem", None)
            state.pop("failed_ingest", None)
        if c2.button("Save name", key="save_run_name"):
            book.rename(chosen, name)
            st.rerun()
else:  # "Fetch URLs": the fetch view above the results (which stay on screen)
    with fetch_slot:
        with st.container(border=True):
            fetched = render_fetch_view(root / "fetch")
    if fetched is not None:
        go = True
        files = ["fetched URLs"]
        ingest = api.load([fetched], settings)

if go and (ingest is not None or load_problem):
    if ingest is not None and not ingest.articles:
        load_problem = fd.load_failure(ingest, upload_root)
        state["failed_ingest"] = ingest
    elif ingest is not None:
        state.pop("failed_ingest", None)
        bar = status_slot.progress(0.0, text=f"Analysing {plural(len(ingest.articles), 'article')}…")

        # per stage (analysing, comparing events, writing outputs): when it started and how
        # many of its steps were already done then (cached articles arrive at once)
        stage_start: dict[str, tuple[float, int]] = {}

        def progress(done: int, total: int, stage: str = "analysing") -> None:
            started, first = stage_start.setdefault(stage, (time.monotonic(), done))
            bar.progress(min(1.0, done / max(total, 1)), text=fd.progress_text(
                done, total, first, time.monotonic() - started, stage))

        try:
            new_key = api.run_cached(ingest, store, runs_dir, settings, progress, title)
        except ValueError as exc:
            load_problem = str(exc)
        else:
            state["run_key"] = new_key
            book.record(new_key, files)
        status_slot.empty()
    if load_problem:
        # a failed load clears the run that was on screen: nothing of it is taken for the new one
        state["load_problem"] = load_problem
        state.pop("run_key", None)
    else:
        state.pop("load_problem", None)
if hint:  # nothing was loaded: the run on screen (or the last failure) stays
    problem_slot.error(hint)
elif state.get("load_problem"):
    problem_slot.error(state["load_problem"])
    failed = state.get("failed_ingest")
    if failed is not None and failed.rejections:
        rows = fd.rejection_rows(failed.rejections, (), upload_root)
        problem_slot.subheader("Rejected records")
        problem_slot.dataframe(rows, width="stretch", hide_index=True, key="failed_rejections",
                               column_config={c: fd.label(c) for c in rows[0]})

on_screen_key = state.get("run_key")
if on_screen_key is None or not store.has_run(on_screen_key):
    st.title("framing")
    st.write(
        "Compare how news outlets frame the same event: loaded language charged to whoever "
        "speaks it, and who stands behind every assertion. Choose a corpus in the sidebar."
    )
    st.stop()
key: str = on_screen_key
fd.on_screen(state, key)  # another run: its own event, outlets, articles and filters
info = store.run_info(key)
entry = book.entries().get(key, {})
html(f"<h1>{escape(info.title)}</h1>")
when = f" · analysed {entry['analysed']}" if entry.get("analysed") else ""
read_from = f" from {', '.join(map(str, entry.get('files', [])))}" if entry.get("files") else ""
st.caption(
    f"{plural(info.n_read, 'record')} read · {info.n_articles:,} analysed · "
    f"{len(info.rejections):,} rejected · {plural(len(info.flags), 'flag')}{when}{read_from}"
)
with st.expander("Run details: versions and settings, to reproduce this run", expanded=False):
    st.caption("Fingerprints identify the exact settings and corpus; quote them with a result.")
    st.dataframe(
        [{"item": "framing version", "value": info.run.package_version},
         {"item": "pipeline version", "value": info.run.pipeline_version},
         *({"item": f"model: {k}", "value": str(v)} for k, v in sorted(info.run.models.items())),
         {"item": "settings fingerprint", "value": info.run.settings_hash},
         {"item": "run fingerprint", "value": key}],
        hide_index=True, width="stretch", key="run_details",
        column_config={"item": "Item", "value": "Value"},
    )
if info.rejections or info.flags:
    with st.expander(
        f"Rejected records ({len(info.rejections)}) and flags ({len(info.flags)})",
        expanded=bool(info.rejections),
    ):
        rows = fd.rejection_rows(info.rejections, info.flags, upload_root)
        st.dataframe(rows, width="stretch", hide_index=True, key="rejections",
                     column_config={c: fd.label(c) for c in rows[0]})
        download(fd.records_csv("rejections", rows), "rejected-and-flagged", "dl_rejections")

validate_view.render(info.out_dir)  # coverage by language; Validate section

event_names = _event_names(str(info.out_dir), _stamp(info.out_dir / "events.csv"))
corpus = _corpus(str(info.out_dir), _stamp(info.out_dir / "corpus_contrasts.csv"))
if corpus is not None:  # a corpus of events: what holds across it comes first
    with st.expander(f"Across the corpus: {corpus.n_events} events", expanded=True):
        html(corpus_section(corpus, event_names))
        corpus_csv = Path(info.out_dir) / "corpus_contrasts.csv"
        st.download_button("Download corpus_contrasts.csv", corpus_csv.read_bytes(),
                           file_name="corpus_contrasts.csv", mime="text/csv",
                           key="download_corpus")

events = store.events(key)
fd.event_on_screen(state, events)  # an event of this run; another event: its own choices
event = fd.event_of(st.selectbox("Event", fd.event_options(events), key="event",
                                 format_func=lambda e: fd.event_label(e, event_names)))
stored_profiles = store.profiles(key, event)
outlets = [p.outlet for p in stored_profiles]
entries = article_entries(key, info.out_dir)
event_entries = [e for e in entries if e.event == event]
by_id = {e.id: e for e in event_entries}
groups_of = fd.outlet_groups(event_entries)
colors = fd.outlet_colors([e.outlet for e in entries] or outlets)

# -- filters: outlets, outlet groups, dates (every view) -----------------------------------
f1, f2, f3 = st.columns([3, 2, 2])
fd.settle(state, "filter_outlets", [], lambda v: set(v) <= set(outlets))
chosen_outlets = f1.multiselect("Outlets", outlets, key="filter_outlets",
                                placeholder="All outlets",
                                help="The outlets every view shows (none chosen: all).")
group_names = sorted(set(groups_of.values()))
chosen_groups: list[str] = []
if len(group_names) > 1:
    fd.settle(state, "filter_groups", [], lambda v: set(v) <= set(group_names))
    chosen_groups = f2.multiselect("Outlet groups", group_names,
                                   key="filter_groups", placeholder="All groups",
                                   help="Outlet groups as the corpus names them (its 'group' "
                                   "field): an outlet shows when its group is chosen (none "
                                   "chosen: all).")
days = sorted(e.published for e in event_entries if e.published is not None)
start = end = None
if days and days[0] != days[-1]:
    fd.settle(state, "filter_dates", (days[0], days[-1]),
              lambda v: all(days[0] <= d <= days[-1] for d in v))
    picked = f3.date_input("Published between", min_value=days[0],
                           max_value=days[-1], key="filter_dates",
                           help="Articles published in this range (both days included).")
    if isinstance(picked, Sequence) and len(picked) == 2:
        start, end = picked[0], picked[1]
        if (start, end) == (days[0], days[-1]):
            start = end = None
filters = fd.Filters(frozenset(chosen_outlets) if chosen_outlets else None,
                     frozenset(chosen_groups) if chosen_groups else None, start, end)
shown = fd.shown_outlets(outlets, filters, groups_of)
in_range = {e.id for e in event_entries if filters.date_ok(e.published)}
profiles = (_dated_profiles(key, event, start, end, "outlet") if filters.dated
            else stored_profiles)
profiles = tuple(p for p in profiles if p.outlet in shown)
if not shown:
    st.info("No outlet is left: the outlets chosen are not in the groups chosen.")


def contrast_records() -> list[dict[str, Any]]:
    table = view_table(info.out_dir, "contrasts", event)
    return fd.view_records("contrasts", table) if table is not None else []


@st.fragment
def outlets_view() -> None:
    every = st.toggle("Every feature", key="outlets_every",
                      help="Off: the key features. On: all of them.")
    features = list(FEATURES) if every else list(KEY_FEATURES)
    records = [] if filters.dated else contrast_records()
    marks = fd.significant_marks(records, "outlet", shown)
    html(fd.outlet_table_html(profiles, features, colors, marks, "Feature"))
    note = fd.OUTLET_TABLE_NOTE
    if filters.dated:
        note += (" Only the articles of the chosen dates count; the marks are left out, since "
                 "the tests were run over every date.")
    st.caption(note)
    html(fd.terms_html("95% interval", "adjusted p"))
    header, rows = fd.outlet_table_records(profiles, features, marks)
    download(fd.csv_bytes("outlets", header, rows), file_stub("outlets", event), "dl_outlets")
    groups = (_dated_profiles(key, event, start, end, "group") if filters.dated
              else store.group_profiles(key, event))
    members: dict[str, set[str]] = {}
    for o, g in groups_of.items():
        members.setdefault(g, set()).add(o)
    # the group table only adds something when a group holds more than one outlet
    groups = tuple(g for g in groups if filters.groups is None or g.outlet in filters.groups)
    if names_groups(groups) and any(len(members.get(g.outlet, ())) > 1 for g in groups):
        st.subheader("Outlet groups")
        gmarks = fd.significant_marks(records, "group", [g.outlet for g in groups])
        html(fd.outlet_table_html(groups, features, colors, gmarks, "Feature"))
        header, rows = fd.outlet_table_records(groups, features, gmarks)
        download(fd.csv_bytes("groups", header, rows), file_stub("outlet-groups", event),
                 "dl_groups")


@st.fragment
def features_view() -> None:
    chosen = st.multiselect(
        "Features", list(FEATURES), default=list(KEY_FEATURES), key="features_chosen",
        format_func=lambda f: fd.capital(feature_name(f)),
        help="The key features are chosen at first; add or remove any.")
    if not chosen:
        st.info("Choose at least one feature.")
        return
    st.caption("Each dot is an outlet's mean per article, each line its 95% interval; every "
               "outlet keeps its colour in every view. Shares read as percentages.")
    cols = st.columns(2)
    data_rows: list[list[Any]] = []
    for i, f in enumerate(chosen):
        name = fd.capital(feature_name(f))
        spec = fd.interval_spec(profiles, f, colors)
        for p in profiles:
            e = p.features.get(f)
            if e is not None and e.mean is not None:
                data_rows.append([name, f, p.outlet, e.mean, e.low, e.high, p.n_articles])
        with cols[i % 2]:
            if spec is None:
                st.markdown(f"**{name}**")
                st.caption("Not measured in this run (no article has a value).")
            else:
                st.vega_lite_chart(spec, width="stretch", key=f"chart_{f}")
    download(fd.csv_bytes("features", ["Feature", "Feature code", "Outlet", "Mean", "Low end",
                                       "High end", "Articles"], data_rows),
             file_stub("features", event), "dl_features")


@st.fragment
def reader_view() -> None:
    if not shown:
        return
    c1, c2 = st.columns(2)
    fd.settle(state, "outlet", shown[0], lambda o: o in shown)
    outlet = c1.selectbox("Outlet", shown, key="outlet")
    rows = [r for r in store.articles(key, event, outlet) if r.id in in_range]
    ids = [r.id for r in rows]
    fd.settle(state, "article", ids[0] if ids else None, lambda i: i in ids)
    titles = {}
    for r in rows:
        day = by_id[r.id].published if r.id in by_id else None
        titles[r.id] = f"{r.id} — {r.title or '(untitled)'}" + (f" · {day}" if day else "")
    article_id = c2.selectbox(
        "Article", list(titles), format_func=lambda i: titles.get(i, i), key="article",
        help=f"{plural(len(rows), 'article')} of this outlet"
        + (" in the chosen dates." if filters.dated else "."),
    )
    if article_id is None:
        st.caption("No article of this outlet in the chosen dates.")
        return
    art = store.article(key, article_id)
    a = art.article
    meta = " · ".join(
        escape(x) for x in (a.outlet, a.published or "", fd.event_label(a.event, event_names)
                            if a.event else "", a.url or "") if x
    )
    html(f'<h2 class="article-title">{highlight_title(art)}</h2><p class="meta">{meta}</p>')
    st.html(fd.legend())
    html(highlight_article(art))
    attrs = fd.readable_codes(attribution_rows(art))
    with st.expander(f"Attributions ({len(attrs)})", expanded=False):
        st.caption("Who the article credits each claim to: the source, the cue word that "
                   "credits it ('said', 'according to') and the content credited.")
        if attrs:
            st.dataframe(attrs, width="stretch", hide_index=True, key="attributions",
                         column_config={c: fd.label(c) for c in attrs[0]})
            download(fd.records_csv("attributions", attrs), f"attributions-{a.id}"[:80],
                     "dl_attributions")
    scores = store.article_scores(key, article_id)
    if scores is not None:
        with st.expander("Features of this article", expanded=False):
            feats = [{"feature": fd.capital(feature_name(k)), "value": fd.fmt_value(k, v)}
                     for k, v in scores.features.items()]
            st.dataframe(feats, width="stretch", hide_index=True, key="article_features",
                         column_config={"feature": "Feature", "value": "Value"})
            download(fd.csv_bytes("features", ["Feature", "Feature code", "Value"],
                                  [[fd.capital(feature_name(k)), k, v]
                                   for k, v in scores.features.items()]),
                     f"features-{a.id}"[:80], "dl_article_features")


def column_config(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Plain column names, their descriptions (on hover) and number formats."""
    config: dict[str, Any] = {}
    for name in records[0] if records else ():
        kind, help_text = fd.column_spec(name)
        if name in outlets:  # the side-by-side table: an outlet's mean and interval
            kind, help_text = "text", f"{name}: mean per article [95% interval]."
        title = fd.label(name)
        if kind == "int":
            config[name] = st.column_config.NumberColumn(title, help=help_text, format="%d")
        elif kind == "float":
            config[name] = st.column_config.NumberColumn(title, help=help_text, format="%.2f")
        elif kind == "rate":
            config[name] = st.column_config.NumberColumn(title, help=help_text, format="%.1f")
        elif kind == "p":
            config[name] = st.column_config.NumberColumn(title, help=help_text, format="%.4f")
        elif kind == "share":
            config[name] = st.column_config.NumberColumn(title, help=help_text, format="percent")
        elif kind == "check":
            config[name] = st.column_config.CheckboxColumn(title, help=help_text)
        elif name in ("claim", "measures"):
            config[name] = st.column_config.TextColumn(title, help=help_text, width="large")
        else:
            config[name] = st.column_config.TextColumn(title, help=help_text)
    return config


def selected_row(selection: object) -> int | None:
    """The position of the row selected in a dataframe (None when none is)."""
    rows = getattr(getattr(selection, "selection", None), "rows", None) or []
    return int(rows[0]) if rows else None


def open_in_reader(outlet: str, article_id: str) -> None:
    """Button callback: the Reader tab, at this outlet and article."""
    state["view"] = "Reader"
    state["outlet"] = outlet
    state["article"] = article_id
    state.get("_reset", set()).difference_update({"outlet", "article"})
    state["_to_reader"] = True


def _article(article_id: str) -> AnalyzedArticle | None:
    try:
        return store.article(key, article_id)
    except KeyError:
        return None


def claims_reading(table: Table, record: dict[str, Any]) -> None:
    """One claim side by side: a column per outlet shown with its sentences, marked as in the
    Reader, each opening the Reader at its article; "does not carry" said plainly."""
    cid = record.get("claim_id")
    parts = {c.outlet: c for c in fd.claim_outlets(table, cid)}
    html(fd.claim_header_html(record, len(shown)))
    st.html(fd.legend())
    per_row = 4
    for start_at in range(0, len(shown), per_row):
        row_outlets = shown[start_at:start_at + per_row]
        cols = st.columns(per_row if len(shown) > per_row else len(row_outlets))
        for i, (col, outlet) in enumerate(zip(cols, row_outlets, strict=False)):
            n = start_at + i
            with col:
                head = (f'<div class="claim-col"><h3>{fd.swatch(colors.get(outlet, "#999"))}'
                        f"{escape(outlet)}</h3></div>")
                part = parts.get(outlet)
                if part is not None and not part.carries and part.elsewhere:
                    html(head + '<div class="absent">Carries it in a sentence of another claim '
                         "(not omitting it).</div>")
                    continue
                if part is None or not part.carries:
                    html(head + '<div class="absent">Does not carry this claim.</div>')
                    continue
                arts = [a for a in (_article(i) for i in part.article_ids) if a is not None]
                body: list[tuple[str, str | None]] = []
                for text in part.sentences:
                    found = fd.find_sentence(arts, text)
                    if found is None:
                        body.append((f'<p class="claim-sentence">{escape(text)}</p>', None))
                        continue
                    art, sentence = found
                    if art.article.id in by_id and art.article.id not in in_range:
                        continue
                    body.append((f'<p class="claim-sentence">{fd.sentence_html(sentence)}</p>'
                                 f'<p class="small">{escape(fd.cite_sentence(art, sentence))}</p>',
                                 art.article.id))
                if part.via_copy:
                    head += ('<p class="small">Carries it only through a syndicated copy of '
                             "another outlet's article.</p>")
                if not body:
                    html(head + '<div class="absent">No sentence of this claim in the chosen '
                         "dates.</div>")
                    continue
                html(head)
                for j, (sentence_html, article_id) in enumerate(body):
                    html(sentence_html)
                    if article_id is not None:
                        st.button("Open in the Reader", key=f"claim_open_{cid}_{n}_{j}",
                                  on_click=open_in_reader, args=(outlet, article_id),
                                  type="tertiary", icon=":material/article:",
                                  help=f"Read article {article_id} with its marks.")


def show_evidence(name: str, table: Table, records: list[dict[str, Any]], row: int) -> None:
    """The sentences behind one selected row (sources, labels)."""
    r = records[row]
    if name == "labels":
        # the examples are left out of the grid: read them from the table's row
        full = next((x for x in fd.as_records(table)
                     if x.get("actor") == r.get("actor") and x.get("outlet") == r.get("outlet")
                     and x.get("label") == r.get("label")), {})
        examples = fd.label_examples(full)
        html(fd.evidence_html(
            f"“{r.get('label')}” for {r.get('actor')}: example sentences",
            [(str(r.get("outlet")), examples, "")], "No example sentence was kept."))
    elif name == "sources":
        found = fd.source_examples(info.out_dir, event, str(r.get("outlet")), str(r.get("source")))
        found = [(w, t) for w, t in found if w.split(",")[0] not in by_id
                 or w.split(",")[0] in in_range]
        html(fd.evidence_html(
            f"Sentences crediting {r.get('source')}",
            [(str(r.get("outlet")), [f"{t} ({where})" for where, t in found], "")],
            "No sentence found for this source name (in the chosen dates)."))


def table_view(label: str, name: str) -> None:
    if state.pop("_to_reader", False):  # "Open in the Reader": the whole page moves there
        st.rerun()
    table = view_table(info.out_dir, name, event)
    if table is None:
        st.info(f"{label}: not available for this run ({name}.csv was not produced).")
        return
    records = fd.filter_records(name, fd.view_records(name, table), filters, groups_of)
    html(fd.view_intro_html(name, table, records))
    if not records:
        st.info(f"{label}: no rows for this event. {fd.VIEW_EMPTY.get(name, '')}")
        return
    shown_rows = fd.display_records(name, records)
    selectable = name in ("claims", "labels", "sources")
    # the claims table leaves room for the claim read side by side beneath it
    height = min(fd.table_height(len(shown_rows)), 320 if name == "claims" else 720)
    config = column_config(shown_rows)
    row = None
    if selectable:
        table_key = fd.view_key(name, key, event)
        ids = [r.get("claim_id") for r in records]

        def picked() -> None:  # a claim selected in the table is the claim read below
            rows = ((state.get(table_key) or {}).get("selection") or {}).get("rows") or []
            if rows and rows[0] < len(ids):
                state["claim_pick"] = ids[rows[0]]

        selection = st.dataframe(
            shown_rows, width="stretch", height=height, hide_index=True,
            column_config=config, key=table_key,
            on_select=picked if name == "claims" else "rerun", selection_mode="single-row",
        )
        row = selected_row(selection)
    else:
        st.dataframe(shown_rows, width="stretch", height=height, hide_index=True,
                     column_config=config, key=f"view_{name}")
    download(fd.records_csv(name, records), file_stub(name, event), f"dl_view_{name}")
    if filters.dated and name not in ("over_time", "claims"):
        st.caption(fd.DATE_NOTE)
    if name == "claims":
        by_claim = {r.get("claim_id"): r for r in records}
        fd.settle(state, "claim_pick", records[0].get("claim_id"), lambda c: c in by_claim)
        st.selectbox(
            "Claim to read side by side", list(by_claim), key="claim_pick",
            format_func=lambda c: fd.claim_choice(by_claim[c]),
            help="Or select a claim's row in the table (the box at its left).")
        claims_reading(table, by_claim[state["claim_pick"]])
    elif row is not None and row < len(records):
        show_evidence(name, table, records, row)
    elif selectable:
        st.caption("Select a row (the box at its left) to read its sentences.")


def export_view() -> None:
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
    st.caption("Every table of the run, whole (all events, outlets and dates), with its column "
               "codes as in the files.")
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


@st.fragment
def views() -> None:
    """The tabs. Only the open tab is computed (hidden tabs cost nothing on a large corpus),
    and switching tabs reruns this fragment alone: the page above it stays as it is."""
    tabs = st.tabs(["Outlets", "Features", "Reader", *fd.VIEW_TABLES, "Export"], key="view",
                   on_change="rerun")
    with tabs[0]:
        if tabs[0].open and shown:
            outlets_view()
    with tabs[1]:
        if tabs[1].open and shown:
            features_view()
    with tabs[2]:
        if tabs[2].open:
            reader_view()
    for tab, (tab_label, table_name) in zip(tabs[3:-1], fd.VIEW_TABLES.items(), strict=True):
        with tab:
            if tab.open:
                st.fragment(table_view)(tab_label, table_name)
    with tabs[-1]:
        if tabs[-1].open:
            export_view()


views()
