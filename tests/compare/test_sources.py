"""sources.csv: per event and outlet, every source with counts (hand-built fixtures)."""

from __future__ import annotations

import csv
from pathlib import Path

from framing.compare.sources import SOURCE_COLUMNS, count_sources, normalize_name, source_table
from framing.models import AnalyzedArticle, Article, Attribution, SentenceAnalysis, Source, Span


def _article(
    art_id: str, outlet: str, attrs: list[Attribution], event: str | None = "e1"
) -> AnalyzedArticle:
    text = "x" * 200
    sent = SentenceAnalysis(0, Span(0, 200), text, "attributed", tuple(attrs), n_words=1)
    return AnalyzedArticle(Article(art_id, outlet, text, event=event), (sent,), (), "test")


def _attr(kind: str, name: str, src_kind: str, start: int, role: str | None = None) -> Attribution:
    return Attribution(
        kind, Span(start, start + 10), Source(name, src_kind, Span(0, 3), role), Span(3, 7), "say"
    )


def test_normalize_name() -> None:
    assert normalize_name("The  Interior Ministry") == "interior ministry"
    assert normalize_name("Reuters’s") == "reuters"
    assert normalize_name("Amina Rahimi,") == "amina rahimi"


def test_counts_and_only_this_outlet() -> None:
    a1 = _article(
        "a1",
        "North Post",
        [
            _attr("direct_quote", "Amina Rahimi", "named_person", 10, "governor"),
            _attr("reported", "Rahimi", "named_person", 30),
            _attr("reported", "the Interior Ministry", "named_org", 50),
            _attr("reported", "some analysts", "vague", 70),
            _attr("hedged", "reportedly", "vague", 90),
        ],
    )
    a2 = _article(
        "a2",
        "South Times",
        [
            _attr("according_to", "Interior Ministry", "named_org", 10),
            _attr("chain", "Radio Delta", "media", 30),
        ],
    )
    rows = count_sources([a1, a2])
    got = {(r.outlet, r.source): r for r in rows}
    assert set(got) == {
        ("North Post", "Amina Rahimi"),
        ("North Post", "the Interior Ministry"),
        ("North Post", "some analysts"),
        ("South Times", "Interior Ministry"),
        ("South Times", "Radio Delta"),
    }
    # a vague source is listed as unidentified; the hedge "reportedly" names nobody
    assert not got[("North Post", "some analysts")].identified
    assert got[("North Post", "Amina Rahimi")].identified
    rahimi = got[("North Post", "Amina Rahimi")]
    assert (rahimi.n_attributions, rahimi.n_direct_quotes, rahimi.n_reported) == (2, 1, 1)
    assert rahimi.role == "governor"
    assert rahimi.only_this_outlet and rahimi.n_outlets == 1
    ministry = got[("North Post", "the Interior Ministry")]
    assert ministry.n_outlets == 2 and not ministry.only_this_outlet
    delta = got[("South Times", "Radio Delta")]
    assert delta.n_chain_origin == 1 and delta.kind == "media"
    # sorted by event, outlet, most cited first
    assert [r.source for r in rows] == [
        "Amina Rahimi",
        "some analysts",
        "the Interior Ministry",
        "Interior Ministry",
        "Radio Delta",
    ]


def test_events_kept_apart() -> None:
    a1 = _article("a1", "North Post", [_attr("reported", "Omar Sultani", "named_person", 10)])
    a2 = _article(
        "a2", "South Times", [_attr("reported", "Omar Sultani", "named_person", 10)], event="e2"
    )
    rows = count_sources([a1, a2])
    assert [(r.event, r.only_this_outlet) for r in rows] == [("e1", True), ("e2", True)]


def test_table_and_csv(tmp_path: Path) -> None:
    from framing.report.tables import write_sources

    art = _article("a1", "North Post", [_attr("reported", "Omar Sultani", "named_person", 10)])
    table = source_table(count_sources([art]))
    assert table[0] == list(SOURCE_COLUMNS)
    assert table[1] == [
        "e1", "North Post", "Omar Sultani", "named_person", "", "1", "0", "1", "0", "1", "1", "true",
        "true",
    ]
    path = tmp_path / "sources.csv"
    assert write_sources(path, [art]) == 1
    with path.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == table


def test_anonymous_and_vague_sources_are_listed_per_outlet() -> None:
    art = _article("a1", "North Post", [
        _attr("reported", "critics", "vague", 10),
        _attr("reported", "two officials who spoke on condition of anonymity", "anonymous", 30),
        _attr("reported", "Two officials who spoke on condition of anonymity", "anonymous", 50),
        _attr("agentless_passive", "", "none", 70),
    ])
    rows = count_sources([art])
    assert [(r.source, r.kind, r.n_attributions, r.identified) for r in rows] == [
        ("two officials who spoke on condition of anonymity", "anonymous", 2, False),
        ("critics", "vague", 1, False),
    ]
    assert source_table([]) == [list(SOURCE_COLUMNS)]
