"""Actor labels: normalisation, alias table, grouping rules and the per-outlet label table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.compare.labels import (
    Alias,
    Mention,
    alias_pattern,
    build_labels,
    extract_mentions,
    group_mentions,
    is_name,
    load_aliases,
    normalize_mention,
    strip_titles,
)
from framing.models import AnalyzedArticle, Article, Entity, SentenceAnalysis, Span

ALIASES = [
    Alias("Islamic State", "Islamic State", "armed_group"),
    Alias("Daesh", "Islamic State", "armed_group"),
    Alias("ISIS-K", "Islamic State/Khorasan Province", "armed_group"),
    Alias("militants", "", "armed_group", "generic"),
    Alias("Khawarij", "", "armed_group", "generic"),
    Alias("US", "United States", "country"),
]


def test_normalisation() -> None:
    assert normalize_mention("the Daesh's") == "daesh"
    assert normalize_mention("Kim Jong-un") == normalize_mention("Kim Jong Un")
    assert normalize_mention("U.S.") == "us"
    assert strip_titles(normalize_mention("Prime Minister Shinzo Abe")) == "shinzo abe"
    assert is_name("Mr. Trump") and is_name("Ministry of Foreign Affairs")
    assert not is_name("North Korean leader") and not is_name("the president")


def test_alias_patterns_case_and_variants() -> None:
    ci, cs = alias_pattern(ALIASES)
    text = "Daesh’s men, ISIS K and us; the US said; militants"
    found = [m.group(0) for m in ci.finditer(text)] + [m.group(0) for m in cs.finditer(text)]
    assert sorted(found) == ["Daesh", "ISIS K", "US", "militants"]


def test_grouping_rules() -> None:
    texts = [
        "Donald Trump", "Mr. Trump", "Trump", "Kim Jong Un", "Kim", "Daesh", "ISIS-K",
        "militants", "Khawarij", "Democratic National Committee", "DNC", "the migrant caravan",
        "the caravan", "South Korea", "North Korea", "Korea",
    ]  # fmt: skip
    g = group_mentions(texts, ALIASES)
    lab = dict(zip(texts, g.labels, strict=True))
    assert lab["Donald Trump"] == lab["Mr. Trump"] == lab["Trump"]
    assert lab["Kim"] == lab["Kim Jong Un"]
    # parent name for the only branch; generic labels join the event's main armed group
    assert lab["Daesh"] == lab["ISIS-K"] == lab["militants"] == lab["Khawarij"]
    assert g.actor[lab["ISIS-K"]] == "Islamic State / Khorasan Province"
    assert g.actor_type[lab["ISIS-K"]] == "armed_group"
    assert lab["DNC"] == lab["Democratic National Committee"]
    assert lab["the caravan"] == lab["the migrant caravan"]
    # an ambiguous name part is not merged
    assert len({lab["Korea"], lab["South Korea"], lab["North Korea"]}) == 3
    links = dict(zip(texts, g.links, strict=True))
    assert links["DNC"] == "acronym" and links["Kim"] == "name part"


def test_generic_labels_without_an_armed_group_stay_apart() -> None:
    g = group_mentions(["militants", "Khawarij", "Pakistan"], ALIASES)
    assert g.labels[0] == g.labels[1] != g.labels[2]


def test_embedding_merge_respects_alias_actors_and_names() -> None:
    texts = ["Islamic State", "ISIS-K", "the jihadist group", "Kabul", "Afghanistan"]
    same = np.ones((5, 3)) / np.sqrt(3)  # everything identical to the encoder
    g = group_mentions(texts, ALIASES[:1] + ALIASES[2:3], same, 0.5, rules=frozenset(
        {"alias", "embedding", "names_apart"}
    ))  # fmt: skip
    lab = g.labels
    assert lab[0] != lab[1]  # two alias-table actors never merge
    assert lab[3] != lab[4]  # two names never merge by similarity
    assert lab[2] in (lab[0], lab[1], lab[3], lab[4])  # a description joins a group


def test_load_aliases_user_table(tmp_path: Path) -> None:
    user = tmp_path / "a.tsv"
    user.write_text("alias\tactor\ttype\tnote\nDaesh\tISKP\tarmed_group\tmine\n", encoding="utf-8")
    rows = {r.alias: r for r in load_aliases(user)}
    assert rows["Daesh"].actor == "ISKP"
    assert rows["Khawarij"].actor == ""  # from the default table
    bad = tmp_path / "b.tsv"
    bad.write_text("name\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="alias, actor, type"):
        load_aliases(bad, include_default=False)
    with pytest.raises(ValueError, match="no such file"):
        load_aliases(tmp_path / "missing.tsv")


def _article(aid: str, outlet: str, sentences: list[str], ents: list[tuple[str, str]] = ()) -> AnalyzedArticle:  # type: ignore[assignment]
    text = " ".join(sentences)
    sents = []
    pos = 0
    for i, s in enumerate(sentences):
        sents.append(SentenceAnalysis(i, Span(pos, pos + len(s)), s, "author"))
        pos += len(s) + 1
    entities = []
    for word, label in ents:
        start = text.index(word)
        entities.append(Entity(Span(start, start + len(word), label), word, label))
    return AnalyzedArticle(Article(aid, outlet, text), tuple(sents), tuple(entities), "t")


def test_planted_labels_per_outlet() -> None:
    arts = [
        _article("k1", "Kabul Dispatch", ["Daesh fighters hid in Peshawar.", "Daesh denied it."],
                 [("Peshawar", "GPE")]),
        _article("i1", "Islamabad Herald", ["The Khawarij were killed in Peshawar.",
                                             "Khawarij attacks rose."], [("Peshawar", "GPE")]),
        _article("g1", "Global Wire", ["ISIS-K militants were killed, Kabul Dispatch said.",
                                        "ISIS-K said nothing."], [("Kabul Dispatch", "ORG")]),
    ]  # fmt: skip
    mentions = extract_mentions(arts, ALIASES)
    assert all(m.text != "Kabul Dispatch" for m in mentions)  # outlets are not actors
    rows = build_labels(mentions, ALIASES, event="e")
    isk = [r for r in rows if r.actor == "Islamic State / Khorasan Province"]
    got = {(r.outlet, r.label): r.count for r in isk}
    assert got == {
        ("Kabul Dispatch", "Daesh"): 2,
        ("Islamabad Herald", "Khawarij"): 2,
        ("Global Wire", "ISIS-K"): 2,
        ("Global Wire", "militants"): 1,
    }
    gw = next(r for r in isk if r.label == "ISIS-K")
    assert gw.share == pytest.approx(2 / 3) and gw.actor_mentions == 7
    assert gw.examples[0] == "ISIS-K militants were killed, Kabul Dispatch said."
    assert any(r.actor == "Peshawar" and r.count == 1 for r in rows)


def test_empty_and_single_mentions() -> None:
    assert build_labels([]) == []
    one = [Mention("A", "a", 0, "Peshawar", "GPE", "In Peshawar.")]
    assert build_labels(one) == []  # fewer than min_mentions
    assert len(build_labels(one, min_mentions=1)) == 1


def test_default_alias_table_loads() -> None:
    rows = load_aliases()
    assert any(r.alias == "ISIS-K" for r in rows)
    assert all(r.type for r in rows)


@pytest.mark.slow
def test_demo_labels_show_each_outlets_words_for_isis_k(demo_run) -> None:  # type: ignore[no-untyped-def]
    import csv

    rows = list(csv.DictReader(demo_run.paths["labels.csv"].open(encoding="utf-8")))
    isk = [r for r in rows if r["event"] == "peshawar-isk-commander-2025"
           and r["actor"] == "Islamic State / Khorasan Province"]  # fmt: skip
    by_outlet: dict[str, set[str]] = {}
    for r in isk:
        by_outlet.setdefault(r["outlet"], set()).add(r["label"])
    assert "Daesh" in by_outlet["Kabul Dispatch"]
    assert {"Khawarij", "Fitna al-Khawarij"} <= by_outlet["Islamabad Herald"]
    assert {"ISIS-K", "militants"} <= by_outlet["Global Wire Service"]
    assert "Daesh" not in by_outlet["Islamabad Herald"] | by_outlet["Global Wire Service"]


def test_entity_types_the_tagger_gets_wrong_on_unseen_names() -> None:
    from framing.compare.labels import entity_type

    assert entity_type("Qari Hamidullah", "ORG", "the death of ", set()) == "PERSON"
    assert entity_type("Hamidullah", "ORG", "", {"hamidullah"}) == "PERSON"
    assert entity_type("Orakzai", "ORG", "camps operated in Bajaur and ", set()) == "GPE"
    assert entity_type("Thatta", "ORG", "the worst hit were ", set(), " districts, where") == "GPE"
    assert entity_type("Parliament", "ORG", "a vote in ", set()) == "ORG"
    assert entity_type("Centre for Regional Studies", "FAC", "a researcher at the ", set()) == "ORG"
    assert entity_type("Tessel Water Board", "ORG", "in ", set()) == "ORG"  # not one word


def test_a_title_anywhere_makes_every_mention_of_the_name_a_person() -> None:
    from framing.compare.labels import Mention, _titled_persons

    ms = [Mention("A", "a1", 0, "Qari Tamim", "PERSON", "s"),
          Mention("B", "b1", 2, "Tamim", "ORG", "s"), Mention("B", "b1", 3, "Tessel", "GPE", "s")]
    assert [m.entity_label for m in _titled_persons(ms)] == ["PERSON", "PERSON", "GPE"]


def test_place_context_regex_is_linear_on_title_case_runs() -> None:
    """A long run of capitalised words after "in" (a title-case line) once backtracked
    exponentially (22 words: 3 s; 40: hours); the flat pattern matches it at once."""
    from framing.compare.labels import _PLACE_BEFORE

    run = "in " + " ".join(["Militants"] * 400) + " x"
    assert _PLACE_BEFORE.search(run) is None
    assert _PLACE_BEFORE.search("fighting in Helmand, Kandahar and Nangarhar ") is not None
    assert _PLACE_BEFORE.search("clashes in the Swat Valley ") is not None


# ----------------------------------------------------------------------------- people, organisations


def test_people_and_organisations_resolve_as_sources_do() -> None:
    texts = [
        "Bill Kristol", "William Kristol", "Chuck Schumer", "Sen. Charles E. Schumer",
        "Anthony M. Kennedy", "Justice Anthony Kennedy", "Bill Clinton", "Hillary Clinton",
        "Clinton", "FBI", "Federal Bureau of Investigation", "the Justice Department", "DOJ",
        "Department of Justice",
    ]  # fmt: skip
    ents = ["PERSON"] * 9 + ["ORG"] * 5
    g = group_mentions(texts, [], entity_labels=ents)
    lab = dict(zip(texts, g.labels, strict=True))
    assert lab["Bill Kristol"] == lab["William Kristol"]
    assert lab["Chuck Schumer"] == lab["Sen. Charles E. Schumer"]
    assert lab["Anthony M. Kennedy"] == lab["Justice Anthony Kennedy"]
    # a surname two people of the event share joins neither
    assert len({lab["Bill Clinton"], lab["Hillary Clinton"], lab["Clinton"]}) == 3
    assert lab["FBI"] == lab["Federal Bureau of Investigation"]
    assert lab["the Justice Department"] == lab["DOJ"] == lab["Department of Justice"]
    assert g.actor[lab["William Kristol"]] in ("Bill Kristol", "William Kristol")
    assert g.actor_type[lab["FBI"]] == "organisation"
    links = dict(zip(texts, g.links, strict=True))
    assert links["DOJ"] == "acronym" and links["Bill Kristol"] == "name variant"


def _tagged(aid: str, outlet: str, sentences: list[str],
            ents: list[tuple[int, str, str]]) -> AnalyzedArticle:
    """An article whose entities are (sentence index, words, label): the words' first
    occurrence in that sentence."""
    art = _article(aid, outlet, sentences)
    entities = []
    for i, word, label in ents:
        s = art.sentences[i]
        start = s.span.start + s.text.index(word)
        entities.append(Entity(Span(start, start + len(word), label), word, label))
    return AnalyzedArticle(art.article, art.sentences, tuple(entities), "t")


def test_descriptions_are_labels_of_their_actor_per_outlet() -> None:
    arts = [
        _tagged("n1", "North Post", [
            "Lisa Page, a former FBI lawyer, testified on Monday.",
            "Page was his lover, the report said.",
        ], [(0, "Lisa Page", "PERSON"), (1, "Page", "PERSON")]),
        _tagged("s1", "South Times", [
            "FBI agent Peter Strzok texted his colleague, Lisa Page.",
            "Strzok, the disgraced investigator, was fired.",
        ], [(0, "Peter Strzok", "PERSON"), (0, "Lisa Page", "PERSON"), (1, "Strzok", "PERSON")]),
    ]
    rows = build_labels(extract_mentions(arts), event="e")
    page = {(r.outlet, r.label, r.kind, r.link) for r in rows if r.actor == "Lisa Page"}
    assert ("North Post", "former FBI lawyer", "description", "apposition") in page
    assert ("North Post", "his lover", "description", "predicate nominal") in page
    assert ("South Times", "his colleague", "description", "apposition before the name") in page
    assert ("North Post", "Page", "name", "name part") in page
    strzok = {(r.outlet, r.label, r.kind) for r in rows if r.actor == "Peter Strzok"}
    assert ("South Times", "FBI agent", "description") in strzok
    assert ("South Times", "disgraced investigator", "description") in strzok
    # descriptions do not count as mentions, and their share is of the outlet's name mentions
    lover = next(r for r in rows if r.label == "his lover")
    assert lover.actor_mentions == 3 and lover.share == pytest.approx(1 / 2)
    # names come before descriptions within an actor and outlet
    north = [r.kind for r in rows if r.actor == "Lisa Page" and r.outlet == "North Post"]
    assert north == sorted(north, key=lambda k: k != "name")


def test_describe_patterns_and_what_they_leave_out() -> None:
    from framing.compare.descriptions import describe

    def d(sentence: str, name: str) -> list[tuple[str, str]]:
        i = sentence.index(name)
        return describe(sentence, i, i + len(name))

    assert d("Sen. Jeff Flake, the Arizona Republican, objected.", "Jeff Flake") == [
        ("Arizona Republican", "apposition"), ("Sen.", "title or role before the name")]
    assert d("The militant leader Abu Talib was killed.", "Abu Talib") == [
        ("militant leader", "title or role before the name")]
    assert d("Secretary of State Ann Lind spoke.", "Ann Lind") == [
        ("Secretary of State", "title or role before the name")]
    assert d("Rahim Noor was the latest critic to speak.", "Rahim Noor") == [
        ("latest critic", "predicate nominal")]
    # a clause after the comma is no apposition; an honorific is no description
    assert d("Tomas Vell, the ministry said, resigned.", "Tomas Vell") == []
    assert d("Mr. Vell declined.", "Vell") == []
    # a negated copula, the name's possessive and a description of the next name are left out
    assert d("Vell is not a racist.", "Vell") == []
    assert d("Vell's lawyer, a former judge, spoke.", "Vell") == []
    assert d("Vell, the party leader, Ana Roth of Delta, objected.", "Vell") == []
    assert d("Yesterday Vell spoke.", "Vell") == []


def test_laws_and_places_are_not_people() -> None:
    arts = [
        _article("n1", "North Post", [
            "Justice Against Sponsors of Terrorism Act passed.",
            "The Justice Against Sponsors of Terrorism Act is law in Arizona.",
            "Justice Kennedy wrote the opinion in Arizona.",
        ], [("Justice Against Sponsors of Terrorism Act", "ORG"), ("Arizona", "GPE"),
            ("Kennedy", "PERSON")]),
        _article("s1", "South Times", [
            "Justice Kennedy was in Phoenix, Arizona.",
            "The Affordable Care Act, the health law, stood.",
        ], [("Kennedy", "PERSON"), ("Phoenix", "GPE"), ("Affordable Care Act", "ORG")]),
    ]
    mentions = extract_mentions(arts)
    assert not any("Act" in m.text for m in mentions)  # laws are not actors
    rows = build_labels(mentions, event="e", min_mentions=1)
    types = {r.actor: r.actor_type for r in rows}
    assert types["Arizona"] == "place" and types["Kennedy"] == "person"
    assert all(r.actor_type == "person" for r in rows if r.kind == "description")
    from framing.compare.labels import entity_type

    # a title word does not make a law a person
    assert entity_type("Justice Against Sponsors of Terrorism Act", "ORG", "", set()) == "ORG"
    assert entity_type("Justice Kennedy", "ORG", "", set()) == "PERSON"


def test_labels_csv_keeps_its_columns_and_adds_the_label_kind_last(tmp_path: Path) -> None:
    import csv
    from types import SimpleNamespace

    from framing.models import LabelRow
    from framing.report.tables import LABELS_HEADER, write_labels

    assert LABELS_HEADER[:11] == (
        "event", "actor", "actor_type", "actor_mentions", "outlet", "label", "count",
        "share_of_outlet_mentions", "grouped_by", "example_1", "example_2")
    assert LABELS_HEADER[-1] == "label_kind"
    rows = (LabelRow("e", "Lisa Page", "person", 3, "A", "Page", 2, 2 / 3, "name part", ("s",)),
            LabelRow("e", "Lisa Page", "person", 3, "A", "his lover", 1, 1 / 3,
                     "predicate nominal", ("t",), kind="description"))
    path = tmp_path / "labels.csv"
    write_labels(path, [SimpleNamespace(event="e", labels=rows)])  # type: ignore[list-item]
    got = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["label"], r["label_kind"]) for r in got] == [
        ("Page", "name"), ("his lover", "description")]
