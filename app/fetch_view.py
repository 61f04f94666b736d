"""Dashboard view "Fetch URLs": pasted URLs (or an uploaded export) fetched into a corpus.

A thin layer over ``framing.ingest.fetch`` and ``framing.ingest.importers``: the same polite
fetcher as ``framing fetch`` (one request per second per host, robots.txt, retries), the same
``articles.jsonl`` and ``fetch.json``, and every URL shown with what became of it. Nothing
here renders user text as HTML: URLs and reasons go into tables and code blocks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from framing.ingest.fetch import FetchReport, FetchSettings, Target, fetch_targets
from framing.ingest.importers import ImportProblem, describe_import, fetch_corpus

#: Upload types the view accepts (the importers' formats are detected from the content).
UPLOAD_TYPES = ["txt", "csv", "tsv", "xml", "rss", "atom"]


def _folder(root: Path, payload: bytes) -> Path:
    """One folder per input, so a repeated fetch of the same list resumes from its cache."""
    return root / hashlib.sha256(payload).hexdigest()[:20]


def _outcome_rows(report: FetchReport) -> list[dict[str, Any]]:
    return [{"url": o.url, "status": o.status, "reason": o.reason or "",
             "from": o.source or "", "final URL": o.final_url or "",
             "article id": o.article_id or "", "records": ", ".join(o.records)}
            for o in report.outcomes]


def _run(root: Path, text: str, upload: Any, settings: FetchSettings) -> None:
    """Fetch the pasted URLs or the uploaded file; keep the report in the session."""
    bar = st.progress(0.0, text="Fetching…")
    seen: list[str] = []

    def progress(line: str) -> None:
        seen.append(line)
        if line.startswith("[") and "/" in line:
            done, _, total = line[1:line.index("]")].partition("/")
            if done.isdigit() and total.isdigit() and int(total):
                bar.progress(int(done) / int(total), text=f"Fetched {done} of {total} URLs")

    try:
        if upload is not None:
            data = upload.getvalue()
            out = _folder(root, data)
            out.mkdir(parents=True, exist_ok=True)
            name = PurePosixPath(upload.name.replace("\\", "/")).name or "upload.txt"
            source = out / f"input-{name}"
            source.write_bytes(data)
            report = fetch_corpus(str(source), out, settings=settings, progress=progress)
        else:
            lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
                     if line.strip() and not line.strip().startswith("#")]
            out = _folder(root, "\n".join(u for _, u in lines).encode("utf-8"))
            targets = [Target(url, f"line {n}") for n, url in lines]
            report = fetch_targets(targets, out, settings, progress=progress)
    except ImportProblem as exc:
        st.session_state.pop("fetch_result", None)
        st.session_state["fetch_problem"] = str(exc)
        return
    finally:
        bar.empty()
    st.session_state.pop("fetch_problem", None)
    st.session_state["fetch_result"] = (str(out), report)


def render_fetch_view(root: Path, settings: FetchSettings | None = None) -> None:
    """The "Fetch URLs" view: input, a Fetch button, and the accounting of the last fetch."""
    settings = settings or FetchSettings()
    st.header("Fetch URLs")
    st.caption(
        f"Pages are fetched politely: one request every {settings.delay:g} s per host, "
        f"robots.txt honoured, {settings.timeout:g} s timeout, {settings.retries} retries on "
        "timeouts, 5xx and 429 answers, only HTML, pages kept on disk so a second fetch only "
        "asks for what is missing."
    )
    text = st.text_area("URLs, one per line", key="fetch_urls", height=150)
    upload = st.file_uploader(
        "…or a URL list, Media Cloud or GDELT export, or RSS/Atom feed file",
        type=UPLOAD_TYPES, key="fetch_upload",
    )
    if st.button("Fetch", key="fetch_go", type="primary"):
        if upload is None and not text.strip():
            st.session_state.pop("fetch_result", None)
            st.session_state["fetch_problem"] = "Paste at least one URL or upload a file first."
        else:
            _run(root, text, upload, settings)
    problem = st.session_state.get("fetch_problem")
    if problem:
        st.error(problem)
    result = st.session_state.get("fetch_result")
    if result is None:
        return
    out, report = result
    counts = report.counts()
    st.subheader("Last fetch")
    st.caption(report.summary())
    cols = st.columns(4)
    for col, name in zip(cols, ("urls", "fetched", "skipped", "failed"), strict=True):
        col.metric(name.capitalize() if name != "urls" else "URLs", counts[name])
    if report.input is not None:
        st.code("\n".join(describe_import(report.input)), language=None)
    st.dataframe(_outcome_rows(report), width="stretch", key="fetch_outcomes")
    articles = Path(out) / "articles.jsonl"
    st.write("Articles (analyse them with **Local path** in the sidebar):")
    st.code(str(articles), language=None)
    if articles.is_file():
        st.download_button("Download articles.jsonl", articles.read_bytes(),
                           file_name="articles.jsonl", mime="application/jsonl",
                           key="fetch_download")
