"""Writers round-trip any string (CR, LF, NUL, lone surrogates) and never leave a partial run."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import framing_test_corpus as corpus
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing import api
from framing.api import OUTPUT_FILES, write_outputs
from framing.models import AnalyzedArticle, IngestResult
from framing.report import tables
from framing.report.exports import export_tables, read_csv_table
from framing.report.folder import MARKER
from framing.report.tables import CsvWriter, dumps, no_surrogates, read_csv_rows

AWKWARD = ["a\rb", "\r", "x\r\ny", "line\nbreak", 'q"uote', "comma,here", "nul\x00byte",
           "lone \ud800 surrogate", "\udfff", "\u2028sep", "", " padded ", "=1+1", "'=1+1",
           "\tx", "-2+3", "-0.25"]


def _read_rows(text: str) -> list[list[str]]:
    """Rows as the tool reads its CSV files back (the ' before formula-like text dropped)."""
    return list(read_csv_rows(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", AWKWARD)
def test_csv_writer_round_trips_awkward_strings(value: str) -> None:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["id", value, 3])
    w.writerow(["next", "plain", 1.5])
    assert _read_rows(buf.getvalue()) == [["id", no_surrogates(value), "3"],
                                          ["next", "plain", "1.5"]]
    buf.getvalue().encode("utf-8")  # always encodable


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec=None)), min_size=1, max_size=4))
def test_csv_writer_round_trips_any_string(row: list[str]) -> None:
    buf = io.StringIO()
    CsvWriter(buf).writerow(row)
    assert _read_rows(buf.getvalue()) == [[no_surrogates(c) for c in row]]
    buf.getvalue().encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.text() | st.integers(),
                    lambda kids: st.lists(kids, max_size=3)
                    | st.dictionaries(st.text(), kids, max_size=3), max_leaves=10))
def test_dumps_is_always_valid_utf8_json(obj: object) -> None:
    text = dumps(obj)
    assert json.loads(text.encode("utf-8").decode("utf-8")) is not None or text == "null"


def test_plain_rows_are_written_as_before() -> None:
    buf = io.StringIO()
    CsvWriter(buf).writerow(["a", "b c", 1, None])
    assert buf.getvalue() == "a,b c,1,\n"


def _hostile(analyzed: list[AnalyzedArticle]) -> list[AnalyzedArticle]:
    first = analyzed[0]
    art = replace(first.article, title="Bare\rreturn \ud800 title", outlet=first.article.outlet)
    return [replace(first, article=art), *analyzed[1:]]


@pytest.fixture()
def tiny() -> tuple[IngestResult, list[AnalyzedArticle]]:
    ingest, analyzed = corpus.tiny_corpus()
    analyzed = _hostile(analyzed)
    arts = {a.article.id: a.article for a in analyzed}
    ingest = replace(ingest, articles=tuple(arts.get(a.id, a) for a in ingest.articles))
    return ingest, analyzed


def test_articles_csv_has_one_row_per_analysed_article(
    tiny: tuple[IngestResult, list[AnalyzedArticle]], tmp_path: Path
) -> None:
    ingest, analyzed = tiny
    paths = write_outputs(tmp_path, ingest, analyzed, corpus.comparisons(analyzed), "t")
    with paths["articles.csv"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(analyzed)
    assert [r["article_id"] for r in rows] == [a.article.id for a in analyzed]
    assert rows[0]["title"] == "Bare\rreturn \ufffd title"
    run = json.loads(paths["run.json"].read_text(encoding="utf-8"))
    assert run["ingest"]["analysed"] == len(rows)
    for line in paths["sentences.jsonl"].read_text(encoding="utf-8").splitlines():
        json.loads(line)
    paths["report.html"].read_text(encoding="utf-8")  # strict UTF-8
    assert not list(tmp_path.glob(".*.part"))
    written = export_tables(tmp_path, ("csv", "json"))
    assert read_csv_table(tmp_path / "tables" / "articles.csv").rows[0][4] == (
        "Bare\rreturn \ufffd title")
    assert all(p.exists() for p in written) and not list((tmp_path / "tables").glob(".*"))


def test_a_failed_write_leaves_the_previous_run_whole(
    tiny: tuple[IngestResult, list[AnalyzedArticle]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest, analyzed = tiny
    comps = corpus.comparisons(analyzed)
    write_outputs(tmp_path, ingest, analyzed, comps, "first")
    before = {n: (tmp_path / n).read_bytes() for n in OUTPUT_FILES}

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("framing.report.html.render_report", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        write_outputs(tmp_path, ingest, analyzed[:1], comps, "second")
    assert {n: (tmp_path / n).read_bytes() for n in OUTPUT_FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MARKER) == sorted(OUTPUT_FILES)


def test_a_failed_first_write_leaves_no_run(
    tiny: tuple[IngestResult, list[AnalyzedArticle]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest, analyzed = tiny

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tables, "write_claims", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(tmp_path / "out", ingest, analyzed, corpus.comparisons(analyzed), "t")
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name != MARKER] == []


def test_an_article_analysed_twice_or_never_read_is_refused(
    tiny: tuple[IngestResult, list[AnalyzedArticle]], tmp_path: Path
) -> None:
    ingest, analyzed = tiny
    comps = corpus.comparisons(analyzed)
    with pytest.raises(ValueError, match="analysed twice"):
        write_outputs(tmp_path, ingest, [*analyzed, analyzed[0]], comps, "t")
    stranger = replace(analyzed[0], article=replace(analyzed[0].article, id="stranger"))
    with pytest.raises(ValueError, match="not read"):
        write_outputs(tmp_path, ingest, [*analyzed, stranger], comps, "t")
    assert not (tmp_path / "run.json").exists()


def test_record_names_follow_the_raw_records_in_order() -> None:
    from framing.models import Article, Rejection

    arts = (Article("a", "o", "t"), Article("b", "o", "t"))
    ingest = IngestResult(arts, (Rejection("f:2", "bad"),), (), 3)
    assert api._record_names(["f:1", "f:2", "f:3"], ingest) == {"a": "f:1", "b": "f:3"}
    assert api._record_names(["f:1", "f:3"], ingest) == {}  # counts do not match: ids only


def test_side_by_side_puts_every_outlet_of_an_event_in_one_row(tmp_path: Path) -> None:
    _, analyzed = corpus.tiny_corpus()
    comps = corpus.comparisons(analyzed)
    path = tmp_path / "side_by_side.csv"
    features = ["author_voice_share", "hedging_rate"]
    n = tables.write_side_by_side(path, comps, features)
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert n == len(rows) == len(comps) * len(features)
    outlets = sorted({p.outlet for c in comps for p in c.profiles})
    for o in outlets:
        assert {f"{o}: mean", f"{o}: low", f"{o}: high", f"{o}: articles"} <= set(rows[0])
    first = comps[0].profiles[0]
    row = next(r for r in rows if r["event"] == (comps[0].event or "")
               and r["feature"] == "author_voice_share")
    assert float(row[f"{first.outlet}: mean"]) == pytest.approx(
        first.features["author_voice_share"].mean)
    assert row[f"{first.outlet}: articles"] == str(first.n_articles)


def test_over_time_csv_has_its_header_even_without_a_timeline(tmp_path: Path) -> None:
    from framing.compare.over_time import OVER_TIME_COLUMNS

    _, analyzed = corpus.tiny_corpus()
    path = tmp_path / "over_time.csv"
    assert tables.write_over_time(path, corpus.comparisons(analyzed)) == 0
    assert _read_rows(path.read_text(encoding="utf-8")) == [list(OVER_TIME_COLUMNS)]


def test_contrasts_csv_reads_back_as_the_contrasts_written(tmp_path: Path) -> None:
    from framing.models import Comparison, Contrast
    from framing.report.sections import holds

    rows = (
        Contrast("e", "outlet", "A <b>", "B", "author_voice_share", 6, 5, 0.8, 0.25, 0.55, 0.4,
                 0.7, 0.002, 0.01, 3.5, 1.0, ""),
        Contrast("e", "group", "X", "Y", "hedging_rate", 1, 2, 0.5, 0.125, 0.375, None, None,
                 None, None, None, None, "not estimable: fewer than 2 articles"),
    )
    path = tmp_path / "contrasts.csv"
    run = corpus.run_meta()
    assert tables.write_contrasts(path, [Comparison("e", (), (), run, contrasts=rows[:1],
                                                    group_contrasts=rows[1:])]) == 2
    table = read_csv_table(path)
    records = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    back = tuple(tables.contrast_from_record(r) for r in records)
    assert back == rows
    assert [holds(r) for r in back] == [True, False]


def test_group_levels_only_when_articles_name_groups() -> None:
    from framing.models import NO_GROUP, OutletProfile

    assert not tables.names_groups(())
    assert not tables.names_groups((OutletProfile(NO_GROUP, 3, {}),))
    assert tables.names_groups((OutletProfile("Pakistan", 3, {}),))
    assert tables.names_groups((OutletProfile(NO_GROUP, 1, {}), OutletProfile("Pakistan", 2, {})))
