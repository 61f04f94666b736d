"""report.pdf printed by headless Chromium from the same HTML; table exports."""

from __future__ import annotations

import json
from pathlib import Path

import framing_test_corpus as corpus
import pytest

from framing.api import write_outputs
from framing.report.exports import export_tables, read_csv_table, table_bytes, typed_table
from framing.report.pdf import PdfError, html_to_pdf

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ingest, analyzed = corpus.tiny_corpus()
    comps = corpus.comparisons(analyzed)
    out = tmp_path_factory.mktemp("tiny")
    write_outputs(out, ingest, analyzed, comps, "tiny report")
    return out


@pytest.mark.browser
def test_pdf_has_the_report_text(outputs: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (CI installs Debian's chromium)")
    pypdf = pytest.importorskip("pypdf")
    pdf = html_to_pdf(outputs / "report.html", tmp_path / "report.pdf", chromium=str(CHROMIUM))
    assert pdf.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "tiny report" in text and "Outlets side by side" in text
    assert "Alpha News" in text and "Beta Wire" in text
    # Hostile names print as the literal text they are.
    assert "<script>window.__pwned=1</script>Evil Times" in text
    assert "Pareti, S. (2016)" in text and "Run metadata" in text


def test_pdf_errors_are_clear(outputs: Path, tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="no such report"):
        html_to_pdf(tmp_path / "missing.html")
    with pytest.raises(PdfError, match="cannot run Chromium"):
        html_to_pdf(outputs / "report.html", tmp_path / "x.pdf", chromium=str(tmp_path / "none"))
    assert not (tmp_path / "x.pdf").exists()


def test_typed_tables() -> None:
    t = typed_table("t", ["article_id", "n", "share", "word"],
                    [["001", "2", "0.5", "x"], ["002", "", "1", "07"], ["003", "3", "nan", "y"]])
    assert t.rows[0] == ("001", 2, 0.5, "x")
    assert t.rows[1] == ("002", None, 1.0, "07")
    assert json.loads(table_bytes(t, "json"))[2] == {
        "article_id": "003", "n": 3, "share": None, "word": "y",
    }
    assert table_bytes(t, "csv").decode().splitlines()[1] == "001,2,0.5,x"
    with pytest.raises(ValueError, match="unknown table format"):
        table_bytes(t, "xlsx")


def test_export_every_table(outputs: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    written = export_tables(outputs, dest=tmp_path)
    names = sorted(p.name for p in written)
    for table in ("articles", "outlets", "sentences", "attributions", "loaded_spans"):
        for fmt in ("csv", "json", "parquet"):
            assert f"{table}.{fmt}" in names
    arts = pq.read_table(tmp_path / "articles.parquet")
    assert arts.column("article_id").to_pylist() == ["a-1", "a-2", "b-1", "b-2", "h-1"]
    assert str(arts.schema.field("n_sentences").type) == "double"
    attrs = json.loads((tmp_path / "attributions.json").read_text(encoding="utf-8"))
    assert [(a["article_id"], a["source"], a["kind"], a["cue"]) for a in attrs] == [
        ("a-1", "Police chief Ann Lee", "reported", "said"),
        ("a-2", "Officials", "reported", "said"),
        ("b-1", "the ministry", "according_to", "According to"),
    ]
    loaded = pq.read_table(tmp_path / "loaded_spans.parquet").to_pylist()
    assert [(r["text"], r["speaker"], r["score"]) for r in loaded] == [
        ("cowardly", "author", 0.9), ("brutal", "Officials", 0.8), ("shameful", "author", 0.7),
    ]
    assert read_csv_table(tmp_path / "outlets.csv").columns[:4] == (
        "event", "level", "outlet", "n_articles",
    )
