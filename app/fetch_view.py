"""Dashboard view "Fetch URLs": pasted URLs (or an uploaded export) fetched into a corpus.

A thin layer over ``framing.ingest.fetch`` and ``framing.ingest.importers``: the same polite
fetcher as ``framing fetch`` (one request per second per host, robots.txt, retries), the same
``articles.jsonl`` and ``fetch.json``, and every URL shown with what became of it. Nothing
here renders user text as HTML: URLs and reasons go into tables and code blocks.

The same defaults as ``framing fetch`` for what is contacted: http(s) only, and loopback,
private, link-local (cloud metadata) and reserved addresses refused at every redirect hop,
unless "Allow local/private addresses" is ticked (off by default; for a local test site).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from framing.ingest.fetch import (
    FetchReport,
    FetchSettings,
    PoliteFetcher,
    Target,
    TargetPolicy,
    fetch_targets,
)
from framing.ingest.importers import ImportProblem, describe_import, fetch_corpus

#: Upload types the view accepts (the importers' formats are detected from the content).
UPLOAD_TYPES = ["txt", "csv", "tsv", "xml", "rss", "atom"]
#: The checkbox that lets a fetch contact local and private addresses (off by default).
ALLOW_PRIVATE_LABEL = "Allow local/private addresses"
#: What a refusal of such an address tells the dashboard's user.
ALLOW_PRIVATE_HINT = f"tick “{ALLOW_PRIVATE_LABEL}” to fetch local sites"


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

    fetcher = PoliteFetcher(settings, policy=TargetPolicy(allow_private=settings.allow_private,
                                                          hint=ALLOW_PRIVATE_HINT))
    try:
        if upload is not None:
            data = upload.getvalue()
            out = _folder(root, data)
            out.mkdir(parents=True, exist_ok=True)
            name = PurePosixPath(upload.name.replace("\\", "/")).name or "upload.txt"
            source = out / f"input-{name}"
            source.write_bytes(data)
            report = fetch_corpus(str(source), out, settings=settings, progress=progress,
                                  fetcher=fetcher)
        else:
            lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
                     if line.strip() and not line.strip().startswith("#")]
            out = _folder(root, "\n".join(u for _, u in lines).encode("utf-8"))
            targets = [Target(url, f"line {n}") for n, url in lines]
            report = fetch_targets(targets, out, settings, progress=progress, fetcher=fetcher)
    except ImportProblem as exc:
        st.session_state.pop("fetch_result", None)
        st.session_state["fetch_problem"] = str(exc)
        return
    finally:
        bar.empty()
    st.session_state.pop("fetch_problem", None)
    st.session_state["fetch_result"] = (str(out), report)


def render_fetch_view(root: Path, settings: FetchSettings | None = None) -> Path | None:
    """The "Fetch URLs" view: input, Fetch and "Fetch and analyse" buttons, and the accounting
    of the last fetch with an "Analyse these articles" button.

    Returns the fetched ``articles.jsonl`` when the user asked to analyse it now (the caller
    analyses it as any other corpus), else None."""
    settings = settings or FetchSettings()
    st.header("Fetch URLs")
    st.caption(
        f"Pages are fetched politely: one request every {settings.delay:g} s per host, "
        f"robots.txt honoured, {settings.timeout:g} s timeout, {settings.retries} retries on "
        f"timeouts, 5xx and 429 answers, at most {settings.deadline:g} s per URL in all, only "
        "HTML, pages kept on disk so a second fetch only asks for what is missing. Only http(s) "
        "URLs on public addresses are contacted (every redirect checked): local, private and "
        "cloud-metadata addresses are refused unless allowed below."
    )
    text = st.text_area("URLs, one per line", key="fetch_urls", height=150)
    upload = st.file_uploader(
        "…or a URL list, Media Cloud or GDELT export, or RSS/Atom feed file",
        type=UPLOAD_TYPES, key="fetch_upload",
    )
    allow_private = st.checkbox(
        ALLOW_PRIVATE_LABEL, value=settings.allow_private, key="fetch_allow_private",
        help="Also contact localhost, 127.0.0.1, 10.x, 172.16-31.x, 192.168.x, 169.254.x and "
        "other non-public addresses, for a local test site. Leave it off otherwise: a URL or "
        "redirect could then reach services on this machine or its network.",
    )
    settings = replace(settings, allow_private=allow_private)
    b1, b2, _ = st.columns([1, 2, 3])
    fetch = b1.button("Fetch", key="fetch_go")
    fetch_analyse = b2.button("Fetch and analyse", key="fetch_go_analyse", type="primary",
                              help="Fetch, then analyse the articles fetched in one step.")
    analyse = False
    if fetch or fetch_analyse:
        if upload is None and not text.strip():
            st.session_state.pop("fetch_result", None)
            st.session_state["fetch_problem"] = "Paste at least one URL or upload a file first."
        else:
            _run(root, text, upload, settings)
            analyse = fetch_analyse
    problem = st.session_state.get("fetch_problem")
    if problem:
        st.error(problem)
    result = st.session_state.get("fetch_result")
    if result is None:
        return None
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
    has_articles = articles.is_file() and articles.stat().st_size > 0
    c1, c2 = st.columns([1, 1])
    if c1.button("Analyse these articles", key="fetch_analyse", type="primary",
                 disabled=not has_articles,
                 help="Analyse the fetched articles now (results appear below)."):
        analyse = True
    if articles.is_file():
        c2.download_button("Download articles.jsonl", articles.read_bytes(),
                           file_name="articles.jsonl", mime="application/jsonl",
                           key="fetch_download")
    st.caption("The fetched articles are kept in:")
    st.code(str(articles), language=None)
    if analyse and not has_articles:
        st.warning("No article was fetched: there is nothing to analyse.")
        return None
    return articles if analyse else None
