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
        "true", "Omar Sultani", "1",
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


# ----------------------------------------------------------------------------- one row per person


def _story(art_id: str, outlet: str, text: str, sources: list[tuple[str, str]],
           persons: list[str] = (), orgs: list[str] = (), event: str = "e1",  # type: ignore[assignment]
           ) -> AnalyzedArticle:
    """An article of invented text: ``sources`` (name, kind) each credited once, ``persons``
    and ``orgs`` tagged as entities at their first occurrence."""
    from framing.models import Entity

    attrs = [
        Attribution("reported", Span(i, i + 1), Source(name, kind, Span(0, 1)), None, "say")
        for i, (name, kind) in enumerate(sources)
    ]
    sent = SentenceAnalysis(0, Span(0, len(text)), text, "attributed", tuple(attrs), n_words=1)
    ents = []
    for name, label in [(p, "PERSON") for p in persons] + [(o, "ORG") for o in orgs]:
        start = text.index(name)
        ents.append(Entity(Span(start, start + len(name), label), name, label))
    return AnalyzedArticle(Article(art_id, outlet, text, event=event), (sent,), tuple(ents), "t")


def _rows(arts: list[AnalyzedArticle]) -> dict[tuple[str, str], object]:
    return {(r.outlet, r.source): r for r in count_sources(arts)}


def test_surname_and_full_name_are_one_row_and_one_actor_across_outlets() -> None:
    a = _story("a", "North Post", "Donald Trump spoke. Mr. Trump left.",
               [("Donald Trump", "named_person"), ("Mr. Trump", "named_person")],
               ["Donald Trump"])
    b = _story("b", "South Times", "Trump said little.", [("Trump", "named_person")], ["Trump"])
    rows = count_sources([a, b])
    assert [(r.outlet, r.source, r.n_attributions, r.actor, r.n_outlets) for r in rows] == [
        ("North Post", "Donald Trump", 2, "Donald Trump", 2),
        ("South Times", "Trump", 1, "Donald Trump", 2),
    ]
    assert not any(r.only_this_outlet for r in rows)


def test_first_name_variants_and_middle_initials_are_one_person() -> None:
    a = _story("a", "North Post", "Bill Kristol and Chuck Schumer and Anthony Kennedy spoke.",
               [("Bill Kristol", "named_person"), ("Chuck Schumer", "named_person"),
                ("Anthony Kennedy", "named_person")])
    b = _story("b", "South Times", "William Kristol, Charles E. Schumer, Anthony M. Kennedy.",
               [("William Kristol", "named_person"), ("Charles E. Schumer", "named_person"),
                ("Justice Anthony M. Kennedy", "named_person")])
    rows = count_sources([a, b])
    actors = {(r.outlet, r.source): r.actor for r in rows}
    assert actors[("North Post", "Bill Kristol")] == actors[("South Times", "William Kristol")]
    assert actors[("North Post", "Chuck Schumer")] == actors[("South Times", "Charles E. Schumer")]
    assert (actors[("North Post", "Anthony Kennedy")]
            == actors[("South Times", "Justice Anthony M. Kennedy")] == "Anthony M. Kennedy")
    assert all(r.n_outlets == 2 and not r.only_this_outlet for r in rows)


def test_a_surname_two_people_share_is_not_merged() -> None:
    a = _story("a", "North Post", "Bill Clinton met Hillary Clinton.",
               [("Bill Clinton", "named_person"), ("Hillary Clinton", "named_person")],
               ["Bill Clinton", "Hillary Clinton"])
    b = _story("b", "South Times", "Clinton spoke.", [("Clinton", "named_person")], ["Clinton"])
    # in an article that names only one of them in full, the surname is that one
    c = _story("c", "East Wire", "Hillary Clinton arrived. Clinton spoke.",
               [("Clinton", "named_person")], ["Hillary Clinton"])
    rows = _rows([a, b, c])
    bill, hillary = rows[("North Post", "Bill Clinton")], rows[("North Post", "Hillary Clinton")]
    assert bill.actor != hillary.actor  # type: ignore[attr-defined]
    bare = rows[("South Times", "Clinton")]
    assert bare.actor == "Clinton"  # type: ignore[attr-defined]
    assert rows[("East Wire", "Clinton")].actor == "Hillary Clinton"  # type: ignore[attr-defined]
    # two different people with one first name and surname: "Jr." named beside the father
    d = _story("d", "North Post", "Donald Trump and Donald Trump Jr. spoke.",
               [("Donald Trump", "named_person"), ("Donald Trump Jr.", "named_person")],
               event="e2")
    assert len({r.actor for r in count_sources([d])}) == 2


def test_acronym_and_full_name_of_an_organisation_are_one_actor() -> None:
    a = _story("a", "North Post", "The FBI said so.", [("the FBI", "named_org")], orgs=["FBI"])
    b = _story("b", "South Times", "The Federal Bureau of Investigation said so.",
               [("the Federal Bureau of Investigation", "named_org")])
    c = _story("c", "East Wire", "The Justice Department and the DOJ.",
               [("The Justice Department", "named_org")], orgs=["DOJ"])
    d = _story("d", "North Post", "The Department of Justice said.",
               [("the Department of Justice", "named_org")])
    rows = count_sources([a, b, c, d])
    actors = {(r.outlet, r.source): r.actor for r in rows}
    assert actors[("North Post", "the FBI")] == actors[
        ("South Times", "the Federal Bureau of Investigation")]
    assert actors[("East Wire", "The Justice Department")] == actors[
        ("North Post", "the Department of Justice")]


def test_only_this_outlet_counts_mentions_in_other_outlets() -> None:
    # South Times never quotes Page but names her: she is not "only" North Post's source
    a = _story("a", "North Post", "Lisa Page said no.", [("Lisa Page", "named_person")],
               ["Lisa Page"])
    b = _story("b", "South Times", "Texts by Page were read aloud.", [], ["Page"])
    c = _story("c", "East Wire", "Nobody else was named.", [])
    rows = count_sources([a, b, c])
    assert [(r.source, r.n_outlets, r.n_outlets_mentioning, r.only_this_outlet)
            for r in rows] == [("Lisa Page", 1, 2, False)]
    # a full name the tagger missed counts too (the text names her in full)
    d = _story("d", "South Times", "Lisa Page was not quoted.", [], event="e2")
    e = _story("e", "North Post", "Lisa Page said no.", [("Lisa Page", "named_person")],
               event="e2")
    assert [r.only_this_outlet for r in count_sources([d, e])] == [False]
    # nobody else names her: only this outlet
    assert [r.only_this_outlet for r in count_sources([a, c])] == [True]


def test_headline_capitals_and_appositions_do_not_make_new_people() -> None:
    a = _story("a", "North Post", "Omar Sultani spoke.", [("Omar Sultani", "named_person")],
               ["Omar Sultani"])
    b = _story("b", "South Times", "He declined, his office said.",
               [("Urge Sultani", "named_person"), ("Omar Sultani, the mayor", "named_person")])
    b = AnalyzedArticle(
        Article("b", "South Times", b.article.text, title="Aides Urge Sultani to Quit",
                event="e1"), b.sentences, b.entities, "t")
    assert {r.actor for r in count_sources([a, b])} == {"Omar Sultani"}
